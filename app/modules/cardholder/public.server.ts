/**
 * What the cardholder's pages share (a payment link's checkout, the subscribe page): the
 * merchant as a cardholder sees it, the card-testing block an address may be under, and a
 * phone number as typed (Persian and Arabic digits, spaces and dashes allowed).
 */
import { and, eq, gt, sql } from "drizzle-orm";
import { checkoutBlocks } from "~db/schema";
import { db } from "~db/client.server";

export interface PublicMerchant {
  id: string;
  name: string;
  currency: string;
  timeZone: string;
  defaultLocale: string;
  active: boolean;
}

/** Until when the address is blocked for card testing (null: not blocked). */
export async function activeBlock(merchantId: string, ip: string | null, now: Date): Promise<Date | null> {
  if (!ip) return null;
  const [b] = await db()
    .select({ until: checkoutBlocks.blockedUntil })
    .from(checkoutBlocks)
    .where(and(eq(checkoutBlocks.merchantId, merchantId), eq(checkoutBlocks.clientIp, ip), gt(checkoutBlocks.blockedUntil, now)))
    .orderBy(sql`${checkoutBlocks.blockedUntil} desc`)
    .limit(1);
  return b?.until ?? null;
}

export function normalizePhone(raw: string): string {
  return raw.replace(/[\s\-()]/g, "").replace(/[\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) - 0x06f0)).replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660));
}
