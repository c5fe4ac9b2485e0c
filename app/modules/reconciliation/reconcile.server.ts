/**
 * Reconciliation of unknown outcomes. A payment whose authorization timed out stays
 * pending; this job asks the provider (inquire, by the payment's own reference) and
 * applies the answer. It never authorizes again, so it can never charge twice, and
 * every update goes through the same guarded transitions as the request path, so it
 * is safe to run while requests are in flight, and twice at once.
 *
 * Also: authorized payments whose capture or void answer was lost, pending refunds
 * (inquired; re-sent with the same reference if the provider never got them), and
 * Idempotency-Keys older than 24 hours (pruned, as the API documents).
 * Meant to run every minute (the lead's scheduler calls reconcilePending()). Above both
 * payments and refunds, so neither imports the other's reconciliation.
 */
import { and, eq, gte, lt } from "drizzle-orm";
import { payments, refunds } from "~db/schema";
import { db } from "~db/client.server";
import { getPayment } from "~/modules/payments/payments.server";
import { settlePayment } from "~/modules/payments/reconcile-pending.server";
import { completeRefund, sendRefund } from "~/modules/refunds/refunds.server";
import { pruneIdempotencyKeys } from "~/modules/idempotency/idempotency.server";
import { processorFor } from "~/modules/processors/sandbox-processor.server";
import { ProcessorTimeoutError } from "~/modules/processors/types";

export interface ReconcileOptions {
  now?: Date;
  /** Younger than this, a request may still be in flight on the request path: leave it. */
  graceMs?: number;
  /** A payment the provider has no record of after this long never reached it: failed. */
  giveUpMs?: number;
  /** At most this many objects per kind and run. */
  limit?: number;
}

export interface ReconcileSummary {
  checked: number;
  resolved: number;
  stillPending: number;
  refundsResolved: number;
  idempotencyKeysPruned: number;
  errors: number;
}

export async function reconcilePending(opts: ReconcileOptions = {}): Promise<ReconcileSummary> {
  const now = opts.now ?? new Date();
  const graceMs = opts.graceMs ?? 10_000;
  const giveUpMs = opts.giveUpMs ?? 120_000;
  const limit = opts.limit ?? 500;
  const summary: ReconcileSummary = { checked: 0, resolved: 0, stillPending: 0, refundsResolved: 0, idempotencyKeysPruned: 0, errors: 0 };
  const settledBefore = new Date(now.getTime() - graceMs);

  const pending = await db()
    .select()
    .from(payments)
    .where(and(eq(payments.status, "pending"), lt(payments.createdAt, settledBefore)))
    .orderBy(payments.createdAt)
    .limit(limit);
  // Authorized within the last week: a capture or void whose answer was lost.
  const authorized = await db()
    .select()
    .from(payments)
    .where(
      and(
        eq(payments.status, "authorized"),
        lt(payments.updatedAt, settledBefore),
        gte(payments.authorizedAt, new Date(now.getTime() - 7 * 86_400_000)),
      ),
    )
    .orderBy(payments.createdAt)
    .limit(limit);

  for (const p of [...pending, ...authorized]) {
    summary.checked++;
    try {
      const r = await settlePayment(p, now, giveUpMs);
      if (r === "resolved") summary.resolved++;
      else if (p.status === "pending") summary.stillPending++;
    } catch (e) {
      if (!(e instanceof ProcessorTimeoutError)) {
        summary.errors++;
        console.error(`reconcile: payment ${p.id}`, (e as Error).message);
      } else if (p.status === "pending") summary.stillPending++;
    }
  }

  const pendingRefunds = await db()
    .select()
    .from(refunds)
    .where(and(eq(refunds.status, "pending"), lt(refunds.createdAt, settledBefore)))
    .orderBy(refunds.createdAt)
    .limit(limit);
  for (const r of pendingRefunds) {
    summary.checked++;
    const scope = { merchantId: r.merchantId };
    try {
      const payment = await getPayment(scope, r.paymentId);
      if (!payment) continue;
      const processor = processorFor(payment.processorId);
      const answer = await processor.inquireRefund({ account: r.merchantId, reference: r.id });
      let result =
        answer.status === "succeeded"
          ? ({ outcome: "succeeded", providerReference: answer.providerReference } as const)
          : answer.status === "failed"
            ? ({ outcome: "failed", providerReference: answer.providerReference, code: answer.code, message: answer.message } as const)
            : undefined;
      // Never received: send it again under the same reference (the provider dedupes it).
      if (!result) result = (await sendRefund(scope, r, payment)) as typeof result;
      if (!result) continue;
      const done = await completeRefund(scope, r.id, result, now);
      if (done.refund.status !== "pending") summary.refundsResolved++;
    } catch (e) {
      summary.errors++;
      console.error(`reconcile: refund ${r.id}`, (e as Error).message);
    }
  }
  try {
    // By the real clock when `now` is a simulated future one (npm run jobs --simulate):
    // keys a client may still retry with are never pruned early.
    summary.idempotencyKeysPruned = await pruneIdempotencyKeys(new Date(Math.min(now.getTime(), Date.now())));
  } catch (e) {
    summary.errors++;
    console.error("reconcile: pruning idempotency keys", (e as Error).message);
  }
  return summary;
}
