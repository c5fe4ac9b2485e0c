/**
 * Receipts the cardholder asks to be sent by e-mail or SMS. The form is public (no
 * sign-in), so each send is counted: a payment's receipt goes out at most
 * `perPayment` times a day, and one address or number receives at most `perRecipient`
 * receipts a day from a merchant (the form cannot be used to flood someone's phone).
 * Each send is an audit entry (`payment.receipt_sent`, the recipient kept only as a
 * hash), which is also what is counted, under a lock on the payment so two sends at
 * once cannot both take the last one.
 */
import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import { db, rows as sqlRows, type Tx } from "~db/client.server";
import { audit } from "~/modules/audit/audit.server";
import type { Client, Scope } from "~/lib/vocabulary";
import { env } from "~/lib/env.server";

export const receiptSendLimits = {
  perPayment: env.RECEIPT_SENDS_PER_PAYMENT_PER_DAY,
  perRecipient: env.RECEIPT_SENDS_PER_RECIPIENT_PER_DAY,
};

const DAY = 86_400_000;

export type ReceiptSendRefusal = { ok: false; code: "receipt_limit_payment" | "receipt_limit_recipient"; limit: number };

function recipientHash(merchantId: string, recipient: string): string {
  return crypto.createHash("sha256").update(`${merchantId}:${recipient.toLowerCase()}`).digest("hex").slice(0, 32);
}

/**
 * Counts one send of a payment's receipt to `recipient` (already normalized) and runs
 * `deliver` in the same transaction (the e-mail outbox writes there), or refuses when a
 * limit is reached. Nothing is counted when deliver throws.
 */
export async function sendCountedReceipt(
  scope: Scope,
  paymentId: string,
  channel: "email" | "sms",
  recipient: string,
  client: Client | undefined,
  deliver: (tx: Tx) => Promise<void>,
  now: Date = new Date(),
): Promise<{ ok: true } | ReceiptSendRefusal> {
  const hash = recipientHash(scope.merchantId, recipient);
  const since = new Date(now.getTime() - DAY).toISOString();
  return db().transaction(async (tx: Tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`receipt:${scope.merchantId}:${paymentId}`}, 0))`);
    const [c] = await sqlRows<{ payment: number; recipient: number }>(
      tx,
      sql`select count(*) filter (where target_id = ${paymentId})::int as payment,
                 count(*) filter (where details->>'to' = ${hash})::int as recipient
            from audit_events
           where merchant_id = ${scope.merchantId} and action = 'payment.receipt_sent'
             and created_at >= ${since}::timestamptz`,
    );
    if ((c?.payment ?? 0) >= receiptSendLimits.perPayment) return { ok: false as const, code: "receipt_limit_payment" as const, limit: receiptSendLimits.perPayment };
    if ((c?.recipient ?? 0) >= receiptSendLimits.perRecipient) return { ok: false as const, code: "receipt_limit_recipient" as const, limit: receiptSendLimits.perRecipient };
    await audit(tx, {
      merchantId: scope.merchantId,
      action: "payment.receipt_sent",
      outcome: "success",
      targetType: "payment",
      targetId: paymentId,
      details: { channel, to: hash },
      client,
    });
    await deliver(tx);
    return { ok: true as const };
  });
}
