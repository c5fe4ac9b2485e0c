import { sql } from "drizzle-orm";
import { db, rows } from "~db/client.server";
import { addLocalDays, localDateKey, startOfLocalDay } from "~/lib/dates";

export interface Scope {
  merchantId: string;
}

export interface SalesSummary {
  /** Captured volume (gross, before refunds and fees), minor units. */
  grossVolume: bigint;
  /** Captured payments. */
  capturedCount: number;
  from: string;
  to: string;
}

/**
 * Gross volume and successful payments for local days [fromDay, toDay] inclusive,
 * read from the sales_daily rollup (never from the payments table).
 */
export async function salesSummary(scope: Scope, range: { fromDay: string; toDay: string }): Promise<SalesSummary> {
  const [row] = await rows<{ gross: string | null; captured: string | null }>(
    db(),
    sql`select coalesce(sum(captured_amount), 0)::text as gross, coalesce(sum(captured_count), 0)::text as captured
        from sales_daily
        where merchant_id = ${scope.merchantId} and day between ${range.fromDay} and ${range.toDay}`,
  );
  return {
    grossVolume: BigInt(row?.gross ?? "0"),
    capturedCount: Number(row?.captured ?? 0),
    from: range.fromDay,
    to: range.toDay,
  };
}

/** Today and the last 30 days (including today) in the merchant's time zone. */
export async function basicOverview(scope: Scope, timeZone: string, now = new Date()) {
  const today = localDateKey(now, timeZone);
  const thirtyStart = localDateKey(addLocalDays(startOfLocalDay(now, timeZone), -29, timeZone), timeZone);
  const [todaySummary, last30] = await Promise.all([
    salesSummary(scope, { fromDay: today, toDay: today }),
    salesSummary(scope, { fromDay: thirtyStart, toDay: today }),
  ]);
  return { today: todaySummary, last30 };
}
