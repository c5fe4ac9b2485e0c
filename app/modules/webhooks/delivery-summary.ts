/**
 * One event's deliveries in one word, for the Events list: per endpoint, delivered once any
 * delivery of it succeeded, else still trying while one waits, else failed (no retry left);
 * the event is the worst of its endpoints. A superseded delivery counts for nothing: the
 * resend or replay that took it over speaks for it.
 */
export type DeliveryState = "pending" | "succeeded" | "retrying" | "failed" | "superseded";
export type DeliverySummary = "succeeded" | "pending" | "retrying" | "failed";

const RANK: Record<DeliverySummary, number> = { succeeded: 0, pending: 1, retrying: 2, failed: 3 };

export function summarizeDeliveries(list: { endpointId: string; status: DeliveryState }[]): DeliverySummary | null {
  const byEndpoint = new Map<string, DeliveryState[]>();
  for (const d of list) {
    if (d.status === "superseded") continue;
    byEndpoint.set(d.endpointId, [...(byEndpoint.get(d.endpointId) ?? []), d.status]);
  }
  if (byEndpoint.size === 0) return list.length ? "succeeded" : null;
  let worst: DeliverySummary = "succeeded";
  for (const states of byEndpoint.values()) {
    const one: DeliverySummary = states.includes("succeeded")
      ? "succeeded"
      : states.includes("retrying")
        ? "retrying"
        : states.includes("pending")
          ? "pending"
          : "failed";
    if (RANK[one] > RANK[worst]) worst = one;
  }
  return worst;
}
