/**
 * The customer's link to the hosted update-card page (/card/...), sent by dunning notices:
 * signed with the merchant's checkout secret and valid until a time written in the link
 * (CARD_LINK_TTL_DAYS days after it was sent). Anyone holding a valid link may pay the
 * subscription's open invoice with a card of theirs (after authentication and consent);
 * nothing else about the subscription is shown or changed through it.
 */
import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { checkoutSecrets } from "~db/schema";
import { db, type DbOrTx } from "~db/client.server";
import { env } from "~/lib/env.server";

export const CARD_LINK_TTL_DAYS = env.CARD_LINK_TTL_DAYS;

/** The merchant's checkout secret (the same one that signs receipt links), made on first use, read in dbx's transaction. */
async function secretOf(dbx: DbOrTx, merchantId: string): Promise<string> {
  const [s] = await dbx.select().from(checkoutSecrets).where(eq(checkoutSecrets.merchantId, merchantId));
  if (s) return s.secret;
  await dbx
    .insert(checkoutSecrets)
    .values({ merchantId, secret: `whsec_${crypto.randomBytes(24).toString("hex")}` })
    .onConflictDoNothing();
  const [again] = await dbx.select().from(checkoutSecrets).where(eq(checkoutSecrets.merchantId, merchantId));
  return again!.secret;
}

function sign(secret: string, merchantId: string, subscriptionId: string, expires: string): string {
  return crypto.createHmac("sha256", secret).update(`card:${merchantId}:${subscriptionId}:${expires}`).digest("base64url").slice(0, 32);
}

/** /card/<merchant>/<subscription>/<expires, unix seconds in base 36>/<signature> */
export async function cardLinkPath(dbx: DbOrTx, merchantId: string, subscriptionId: string, expiresAt: Date): Promise<string> {
  const expires = Math.floor(expiresAt.getTime() / 1000).toString(36);
  const sig = sign(await secretOf(dbx, merchantId), merchantId, subscriptionId, expires);
  return `/card/${encodeURIComponent(merchantId)}/${encodeURIComponent(subscriptionId)}/${expires}/${sig}`;
}

export type CardLinkCheck = { ok: true; merchantId: string; subscriptionId: string; expiresAt: Date } | { ok: false; reason: "invalid" | "expired" };

/** A link's parts back, if its signature is this merchant's; expired links are told apart (the page says so). */
export async function checkCardLink(parts: { merchantId: string; subscriptionId: string; expires: string; signature: string }, now: Date, dbx: DbOrTx = db()): Promise<CardLinkCheck> {
  const { merchantId, subscriptionId, expires, signature } = parts;
  if (!/^mer_[A-Za-z0-9_]{1,60}$/.test(merchantId) || !/^sub_[A-Za-z0-9_]{1,60}$/.test(subscriptionId) || !/^[0-9a-z]{1,12}$/.test(expires)) return { ok: false, reason: "invalid" };
  const [s] = await dbx.select().from(checkoutSecrets).where(eq(checkoutSecrets.merchantId, merchantId));
  if (!s) return { ok: false, reason: "invalid" };
  const expected = Buffer.from(sign(s.secret, merchantId, subscriptionId, expires));
  const given = Buffer.from(String(signature));
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return { ok: false, reason: "invalid" };
  const expiresAt = new Date(parseInt(expires, 36) * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: "expired" };
  return { ok: true, merchantId, subscriptionId, expiresAt };
}
