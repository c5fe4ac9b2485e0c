/**
 * A payment's public receipt: the link sent to the customer (signed with the merchant's
 * checkout secret, which also signs the hosted page's redirects) and the trace number the
 * receipt prints and support's lookup asks for.
 */
import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { checkoutSecrets } from "~db/schema";
import { db } from "~db/client.server";

/** The merchant's checkout secret (made on first use): signs redirects and receipt links. */
export async function checkoutSecret(merchantId: string): Promise<string> {
  const [s] = await db().select().from(checkoutSecrets).where(eq(checkoutSecrets.merchantId, merchantId));
  if (s) return s.secret;
  await db()
    .insert(checkoutSecrets)
    .values({ merchantId, secret: `whsec_${crypto.randomBytes(24).toString("hex")}` })
    .onConflictDoNothing();
  const [again] = await db().select().from(checkoutSecrets).where(eq(checkoutSecrets.merchantId, merchantId));
  return again!.secret;
}

export function receiptToken(secret: string, paymentId: string): string {
  return crypto.createHmac("sha256", secret).update(`receipt:${paymentId}`).digest("base64url").slice(0, 22);
}

/** A link to a payment's public receipt, to send to the customer (support's lookup gives it). */
export async function receiptPath(merchantId: string, paymentId: string): Promise<string> {
  return `/receipt/${encodeURIComponent(merchantId)}/${encodeURIComponent(paymentId)}/${receiptToken(await checkoutSecret(merchantId), paymentId)}`;
}

/**
 * The six-digit trace number printed on receipts and asked for by support's lookup:
 * derived from the payment id, so the console and the customer's receipt always agree.
 */
export function traceNumber(paymentId: string): string {
  const h = crypto.createHash("sha256").update(paymentId).digest();
  return String(h.readUInt32BE(0) % 1_000_000).padStart(6, "0");
}
