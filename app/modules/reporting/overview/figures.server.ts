/**
 * The Overview's figures of a period: totals and per-bucket series. Everything day-shaped
 * reads the sales_daily rollup (a handful of rows per day), with totals and buckets summed
 * in SQL. Only hourly charts (today, or a one/two-day custom range) read raw rows, through
 * the (merchant_id, created_at) indexes of the ledger and payments, for at most two days.
 * Both follow the same rules (ledger/rollup.ts): captures on the capture instant, attempts
 * and declines on creation, refunds when issued (a failed refund adds back when it fails).
 * Reads go through replicaDb() (the read replica when DATABASE_REPLICA_URL is set).
 */
import { sql } from "drizzle-orm";
import { replicaDb, rows } from "~db/client.server";
import { localDateKey, parseLocalDateKey, type Weekday } from "~/lib/dates/zones";
import { bucketSeries, bucketStart, type Granularity } from "~/lib/dates/buckets";
import { type CalendarSystem } from "~/lib/dates/jalali";
import type { ListScope } from "~/modules/reporting/list-query.server";

export interface Totals {
  gross: bigint;
  fees: bigint;
  refunds: bigint;
  /** gross - refunds - fees. */
  net: bigint;
  capturedCount: number;
  attempts: number;
  declines: number;
  refundCount: number;
}

interface TotalsRow {
  gross: string;
  fees: string;
  refunds: string;
  captured: string;
  attempts: string;
  declines: string;
  refund_count: string;
}

const TOTAL_COLUMNS = sql`coalesce(sum(captured_amount), 0)::text as gross, coalesce(sum(fee_amount), 0)::text as fees,
  coalesce(sum(refunded_amount), 0)::text as refunds, coalesce(sum(captured_count), 0)::text as captured,
  coalesce(sum(attempt_count), 0)::text as attempts, coalesce(sum(declined_count), 0)::text as declines,
  coalesce(sum(refund_count), 0)::text as refund_count`;

function toTotals(r: Partial<TotalsRow> | undefined): Totals {
  const gross = BigInt(r?.gross ?? "0");
  const fees = BigInt(r?.fees ?? "0");
  const refunds = BigInt(r?.refunds ?? "0");
  return {
    gross,
    fees,
    refunds,
    net: gross - refunds - fees,
    capturedCount: Number(r?.captured ?? 0),
    attempts: Number(r?.attempts ?? 0),
    declines: Number(r?.declines ?? 0),
    refundCount: Number(r?.refund_count ?? 0),
  };
}

function addTotals(a: Totals | undefined, b: Totals): Totals {
  if (!a) return b;
  return {
    gross: a.gross + b.gross,
    fees: a.fees + b.fees,
    refunds: a.refunds + b.refunds,
    net: a.net + b.net,
    capturedCount: a.capturedCount + b.capturedCount,
    attempts: a.attempts + b.attempts,
    declines: a.declines + b.declines,
    refundCount: a.refundCount + b.refundCount,
  };
}

export function weekStartFor(currency: string): Weekday {
  // Iranian weeks start on Saturday; elsewhere ISO Monday.
  return currency === "IRR" ? 6 : 1;
}

function bucketExpr(g: Exclude<Granularity, "hour">, weekStartsOn: Weekday) {
  if (g === "day") return sql`day`;
  // A literal, not a parameter: grouping() and GROUP BY must see the very same expression.
  if (g === "week") return sql`(day - ((extract(dow from day)::int - ${sql.raw(String(Number(weekStartsOn)))} + 7) % 7))`;
  return sql`date_trunc('month', day)::date`;
}

export interface Bucket extends Totals {
  /** Bucket start (ISO instant). */
  start: string;
}

/**
 * Totals and per-bucket figures of [fromDay, toDay] from the rollup, in one grouped query.
 * sales_daily_totals has one row per local day (sales_daily without its dimensions,
 * kept by a trigger), so a year costs 365 rows however busy the merchant is.
 */
async function rollupSeries(
  scope: ListScope,
  fromDay: string,
  toDay: string,
  g: Exclude<Granularity, "hour">,
  weekStartsOn: Weekday,
): Promise<{ totals: Totals; byKey: Map<string, Totals> }> {
  const b = bucketExpr(g, weekStartsOn);
  const result = await rows<TotalsRow & { bucket: string | null; is_total: number | string }>(
    replicaDb(),
    sql`select ${b}::text as bucket, grouping(${b})::int as is_total, ${TOTAL_COLUMNS}
        from sales_daily_totals
        where merchant_id = ${scope.merchantId} and currency = ${scope.currency}
          and day between ${fromDay}::date and ${toDay}::date
        group by grouping sets ((${b}), ())`,
  );
  let totals = toTotals(undefined);
  const byKey = new Map<string, Totals>();
  for (const r of result) {
    if (Number(r.is_total) === 1) totals = toTotals(r);
    else if (r.bucket) byKey.set(r.bucket, toTotals(r));
  }
  return { totals, byKey };
}

/** Totals of whole local days from the rollup. */
async function rollupTotals(scope: ListScope, fromDay: string, toDay: string): Promise<Totals> {
  const [r] = await rows<TotalsRow>(
    replicaDb(),
    sql`select ${TOTAL_COLUMNS} from sales_daily_totals
        where merchant_id = ${scope.merchantId} and currency = ${scope.currency}
          and day between ${fromDay}::date and ${toDay}::date`,
  );
  return toTotals(r);
}

/**
 * Hourly figures of [from, to) from the ledger (captures, fees, refunds) and payments
 * (attempts, declines), grouped by the merchant's local hour. Keys are epoch ms.
 */
async function hourlySeries(scope: ListScope, from: Date, to: Date): Promise<Map<number, Totals>> {
  const tz = scope.timeZone;
  const result = await rows<TotalsRow & { bucket: string }>(
    replicaDb(),
    sql`with money as (
          select date_trunc('hour', created_at at time zone ${tz}) as h,
            coalesce(sum(gross) filter (where category = 'charge'), 0) as gross,
            coalesce(sum(fee) filter (where category = 'charge'), 0) as fees,
            count(*) filter (where category = 'charge') as captured,
            -coalesce(sum(gross) filter (where category in ('refund', 'refund_failure')), 0) as refunds,
            count(*) filter (where category = 'refund') - count(*) filter (where category = 'refund_failure') as refund_count
          from ledger_transactions
          where merchant_id = ${scope.merchantId} and currency = ${scope.currency}
            and created_at >= ${from.toISOString()}::timestamptz and created_at < ${to.toISOString()}::timestamptz
            and category in ('charge', 'refund', 'refund_failure')
          group by 1
        ), tries as (
          select date_trunc('hour', created_at at time zone ${tz}) as h,
            count(*) as attempts,
            count(*) filter (where status in ('declined', 'failed')) as declines
          from payments
          where merchant_id = ${scope.merchantId} and currency = ${scope.currency}
            and created_at >= ${from.toISOString()}::timestamptz and created_at < ${to.toISOString()}::timestamptz
          group by 1
        )
        select to_char((coalesce(m.h, t.h) at time zone ${tz}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as bucket,
          coalesce(m.gross, 0)::text as gross, coalesce(m.fees, 0)::text as fees, coalesce(m.refunds, 0)::text as refunds,
          coalesce(m.captured, 0)::text as captured, coalesce(t.attempts, 0)::text as attempts,
          coalesce(t.declines, 0)::text as declines, coalesce(m.refund_count, 0)::text as refund_count
        from money m full join tries t on t.h = m.h`,
  );
  const out = new Map<number, Totals>();
  for (const r of result) out.set(new Date(r.bucket).getTime(), toTotals(r));
  return out;
}

// Bucket starts depend only on the range and the zone, and every Overview of the day
// asks for the same ones; computing them costs dozens of time-zone lookups each.
const bucketCache = new Map<string, { starts: Date[]; days: string[] }>();
function cachedBucketSeries(
  from: Date,
  to: Date,
  g: Granularity,
  tz: string,
  weekStartsOn: Weekday,
  calendar: CalendarSystem,
): { starts: Date[]; days: string[] } {
  const key = `${from.getTime()}|${to.getTime()}|${g}|${tz}|${weekStartsOn}|${calendar}`;
  let hit = bucketCache.get(key);
  if (!hit) {
    const starts = bucketSeries(from, to, g, tz, { weekStartsOn, calendar });
    hit = { starts, days: g === "hour" ? [] : starts.map((s) => localDateKey(s, tz)) };
    if (bucketCache.size > 500) bucketCache.clear();
    bucketCache.set(key, hit);
  }
  return hit;
}

export async function periodSeries(
  scope: ListScope,
  from: Date,
  to: Date,
  fromDay: string,
  toDay: string,
  g: Granularity,
  weekStartsOn: Weekday,
  calendar: CalendarSystem = "gregory",
): Promise<{ totals: Totals; buckets: Bucket[] }> {
  const { starts, days } = cachedBucketSeries(from, to, g, scope.timeZone, weekStartsOn, calendar);
  if (g === "hour") {
    const [byHour, totals] = await Promise.all([hourlySeries(scope, from, to), rollupTotals(scope, fromDay, toDay)]);
    return {
      totals,
      buckets: starts.map((s) => ({ start: s.toISOString(), ...(byHour.get(s.getTime()) ?? toTotals(undefined)) })),
    };
  }
  if (g === "month" && calendar === "persian") {
    // Jalali months have no SQL date_trunc: read days and add them up into their months
    // (a five-year range is under two thousand day rows of the rollup).
    const daily = await rollupSeries(scope, fromDay, toDay, "day", weekStartsOn);
    const byMonth = new Map<string, Totals>();
    for (const [day, t] of daily.byKey) {
      const month = localDateKey(bucketStart(parseLocalDateKey(day, scope.timeZone), "month", scope.timeZone, { calendar }), scope.timeZone);
      byMonth.set(month, addTotals(byMonth.get(month), t));
    }
    return {
      totals: daily.totals,
      buckets: starts.map((s, i) => ({ start: s.toISOString(), ...(byMonth.get(days[i]!) ?? toTotals(undefined)) })),
    };
  }
  const { totals, byKey } = await rollupSeries(scope, fromDay, toDay, g, weekStartsOn);
  return {
    totals,
    buckets: starts.map((s, i) => ({ start: s.toISOString(), ...(byKey.get(days[i]!) ?? toTotals(undefined)) })),
  };
}


/** The first local day the merchant had any payment attempt, from the rollup (one index probe). */
export async function firstSalesDay(scope: ListScope): Promise<string | null> {
  const [r] = await rows<{ day: string | null }>(
    replicaDb(),
    sql`select min(day)::text as day from sales_daily_totals where merchant_id = ${scope.merchantId} and currency = ${scope.currency}`,
  );
  return r?.day ?? null;
}
