/**
 * Canceling a payout the bank has not been asked for yet.
 *
 * Only a `pending` payout whose send has not been claimed by the payout engine
 * (sent_at is null) can be canceled. The cancel is one guarded UPDATE on the payout's
 * row; the engine claims a send with its own guarded UPDATE (engine.server.ts,
 * bankStep) before it calls the bank. PostgreSQL serializes the two on the row lock and
 * re-checks the second one's WHERE against the first one's result, so exactly one wins:
 * either the payout is canceled and never sent, or it is on its way and the cancel is
 * refused ("already being sent").
 *
 * In the same transaction as the status change: a reversal of the payout's ledger
 * transaction (merchant_in_transit back to merchant_balance, available at once, like a
 * failed payout's: the next payout carries the money), the payout.canceled event and
 * the audit entry. The items stay linked to the canceled payout, so its page still shows
 * what it was made of; the reversal is what returns their money to the balance.
 */
import { and, eq, isNull } from "drizzle-orm";
import { db } from "~db/client.server";
import { payouts } from "~db/schema";
import { newId } from "~/lib/ids";
import { failure, type Actor, type Result, type Scope } from "~/lib/vocabulary";
import { audit } from "~/modules/audit/audit.server";
import { recordEvent } from "~/modules/events/events.server";
import { serializePayout } from "~/modules/events/objects";
import { postLedgerTransaction } from "~/modules/ledger/ledger.server";
import { payoutFailurePosting } from "~/modules/ledger/postings";

export type PayoutRow = typeof payouts.$inferSelect;

/** Whether the console should offer Cancel: the same test the UPDATE makes (the UPDATE decides). */
export function payoutCancelable(p: { status: string; sentAt: Date | string | null }): boolean {
  return p.status === "pending" && !p.sentAt;
}

export async function cancelPayout(
  scope: Scope,
  actor: Actor,
  payoutId: string,
  now: Date = new Date(),
): Promise<Result<{ payout: PayoutRow }>> {
  if (typeof payoutId !== "string" || !/^[A-Za-z0-9_]{1,100}$/.test(payoutId)) return failure(404, "resource_missing", "No such payout.", "id");
  const outcome = await db().transaction(async (tx) => {
    const [done] = await tx
      .update(payouts)
      .set({ status: "canceled", canceledAt: now, updatedAt: now })
      .where(and(eq(payouts.merchantId, scope.merchantId), eq(payouts.id, payoutId), eq(payouts.status, "pending"), isNull(payouts.sentAt)))
      .returning();
    if (!done) return null;
    await postLedgerTransaction(
      tx,
      payoutFailurePosting({
        id: newId("txn", now),
        merchantId: done.merchantId,
        currency: done.currency,
        createdAt: now,
        description: `Payout ${done.id} canceled`,
        payoutId: done.id,
        amount: done.amount,
        wasPaid: false,
      }),
    );
    await recordEvent(tx, done.merchantId, "payout.canceled", serializePayout(done));
    await audit(tx, {
      merchantId: scope.merchantId,
      actor,
      action: "payout.cancel",
      outcome: "success",
      targetType: "payout",
      targetId: done.id,
      details: { amount: done.amount.toString(), currency: done.currency },
    });
    return done;
  });
  if (outcome) return { ok: true, payout: outcome };

  // Refused: say why, and keep the refusal in the audit trail.
  const [p] = await db()
    .select()
    .from(payouts)
    .where(and(eq(payouts.merchantId, scope.merchantId), eq(payouts.id, payoutId)));
  if (!p) return failure(404, "resource_missing", "No such payout.", "id");
  const refusal =
    p.status === "canceled"
      ? failure(409, "payout_already_canceled", "This payout is already canceled.", "id")
      : p.status === "pending"
        ? failure(409, "payout_being_sent", "This payout is already being sent to the bank and can no longer be canceled.", "id")
        : failure(409, "payout_not_cancelable", `Only a payout not yet sent to the bank can be canceled; this one is ${p.status}.`, "id", "invalid_request_error", {
            status: p.status,
          });
  await audit(db(), {
    merchantId: scope.merchantId,
    actor,
    action: "payout.cancel",
    outcome: "denied",
    targetType: "payout",
    targetId: p.id,
    details: { status: p.status, code: refusal.error.code },
  });
  return refusal;
}
