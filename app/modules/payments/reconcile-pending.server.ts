/**
 * A payment whose outcome is unknown, settled by asking the provider (inquire, by the
 * payment's own reference) and applying the answer. It never authorizes again, so it can
 * never charge twice, and every update goes through the same guarded transitions as the
 * request path. The job that finds such payments (and pending refunds) is
 * modules/reconciliation/reconcile.server.ts; a receipt and a replayed API request ask here too.
 */
import {
  applyAuthorizationOutcome,
  type AuthorizationOutcome,
  type Payment,
} from "~/modules/payments/payments.server";
import { processorFor } from "~/modules/processors/sandbox-processor.server";
import type { InquiryResult } from "~/modules/processors/types";

function outcomeOf(r: InquiryResult): AuthorizationOutcome | null {
  switch (r.status) {
    case "approved":
      return { kind: "authorized", providerReference: r.providerReference };
    case "captured":
      return { kind: "captured", providerReference: r.providerReference };
    case "voided":
      return { kind: "voided", providerReference: r.providerReference };
    case "declined":
      return { kind: "declined", providerReference: r.providerReference, declineCode: r.declineCode, message: r.message };
    case "error":
      return { kind: "failed", providerReference: r.providerReference, code: r.code, message: r.message };
    default:
      return null;
  }
}

/** Asks the provider about one payment whose outcome is unknown and applies the answer (never authorizes again). */
export async function settlePayment(p: Payment, now: Date, giveUpMs: number): Promise<"resolved" | "pending"> {
  const scope = { merchantId: p.merchantId };
  const r = await processorFor(p.processorId).inquire({ account: p.merchantId, reference: p.id });
  let outcome = outcomeOf(r);
  if (!outcome && r.status === "not_found" && p.status === "pending" && now.getTime() - p.createdAt.getTime() > giveUpMs) {
    outcome = {
      kind: "failed",
      providerReference: null,
      code: "provider_no_record",
      message: "The provider never received this payment, so nothing was charged.",
    };
  }
  if (!outcome) return "pending";
  const before = p.status;
  const after = await applyAuthorizationOutcome(scope, p.id, outcome, now);
  return after && after.status !== before ? "resolved" : "pending";
}
