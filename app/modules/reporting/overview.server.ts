/**
 * The Overview: key figures, the sales trend with the previous period beside it, and
 * breakdowns, for a range of the merchant's local days.
 *
 * Everything day-shaped reads the sales_daily rollup (a handful of rows per day), with
 * totals and buckets summed in SQL. Only hourly charts (today, or a one/two-day custom
 * range) read raw rows, through the (merchant_id, created_at) indexes of the ledger and
 * payments, for at most two days. Both follow the same rules (ledger/rollup.ts): captures
 * on the capture instant, attempts and declines on creation, refunds when issued (a
 * failed refund adds back when it fails).
 *
 * A report: it reads through replicaDb() (the read replica when DATABASE_REPLICA_URL is set).
 */
import { sql } from "drizzle-orm";
import { z } from "zod";
import { replicaDb, rows } from "~db/client.server";
import { addLocalDays, localDateKey, parseLocalDateKey, startOfLocalDay, type Weekday } from "~/lib/dates/zones";
import { bucketSeries, bucketStart, type Granularity } from "~/lib/dates/buckets";
import { resolveRange } from "~/lib/dates/ranges";
import { type CalendarSystem } from "~/lib/dates/jalali";
import { OVERVIEW_RANGES, type OverviewRange } from "~/lib/labels";
import { percentChange } from "~/lib/money";
import {
  ListFilterError,
  localDay,
  searchParamsToObject,
  single,
  type ListScope,
} from "~/modules/reporting/list-query.server";
import type { Scope } from "~/lib/vocabulary";

export type { Scope };

/* ------------------------------ salesSummary ------------------------------- */

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
    replicaDb(),
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

/* --------------------------------- Ranges ---------------------------------- */

export { OVERVIEW_RANGES, type OverviewRange };
export const GRANULARITIES = ["hour", "day", "week", "month"] as const;

export const overviewQuerySchema = z.preprocess(
  searchParamsToObject,
  z.object({
    range: single(z.enum(OVERVIEW_RANGES, { message: "Choose one of the listed ranges" })).default("30d"),
    from: single(localDay).optional(),
    to: single(localDay).optional(),
    g: single(z.enum(GRANULARITIES, { message: "Group by hour, day, week or month" })).optional(),
  }),
);
export type OverviewQuery = z.output<typeof overviewQuerySchema>;

/** Longest custom range: five years of monthly buckets is still a readable chart. */
const MAX_CUSTOM_DAYS = 5 * 366;

/** The groupings that make sense for a range of `days` local days. */
export function allowedGranularities(days: number): Granularity[] {
  const out: Granularity[] = [];
  if (days <= 2) out.push("hour");
  if (days <= 400) out.push("day");
  if (days >= 14) out.push("week");
  if (days >= 60) out.push("month");
  return out;
}

export interface ResolvedOverviewRange {
  preset: OverviewRange;
  /** Jalali for a Persian reader (and the Jalali presets): weeks from Saturday, Jalali months. */
  calendar: CalendarSystem;
  from: Date;
  to: Date;
  previousFrom: Date;
  previousTo: Date;
  /** Inclusive local days. */
  fromDay: string;
  toDay: string;
  previousFromDay: string;
  previousToDay: string;
  days: number;
  granularity: Granularity;
  granularities: Granularity[];
}

function dayCount(fromDay: string, toDay: string): number {
  const a = Date.UTC(Number(fromDay.slice(0, 4)), Number(fromDay.slice(5, 7)) - 1, Number(fromDay.slice(8, 10)));
  const b = Date.UTC(Number(toDay.slice(0, 4)), Number(toDay.slice(5, 7)) - 1, Number(toDay.slice(8, 10)));
  return Math.round((b - a) / 86400_000) + 1;
}

/**
 * The Overview's range in the merchant's zone (throws ListFilterError for an unusable
 * custom range). `calendar` is the reader's: a Persian reader's weeks and months are Jalali.
 */
export function resolveOverviewRange(
  tz: string,
  q: OverviewQuery,
  now: Date = new Date(),
  opts: { calendar?: CalendarSystem } = {},
): ResolvedOverviewRange {
  const preset: OverviewRange = q.from || q.to ? "custom" : q.range;
  let r;
  if (preset === "custom") {
    if (!q.from) throw new ListFilterError("from", "Pick the first day of the custom range.");
    if (!q.to) throw new ListFilterError("to", "Pick the last day of the custom range.");
    if (parseLocalDateKey(q.to, tz).getTime() < parseLocalDateKey(q.from, tz).getTime()) {
      throw new ListFilterError("to", "The range ends before it starts: pick a last day on or after the first.");
    }
    if (dayCount(q.from, q.to) > MAX_CUSTOM_DAYS) {
      throw new ListFilterError("from", "Choose a range of at most five years.");
    }
    r = resolveRange("custom", now, tz, { from: q.from, to: q.to });
  } else {
    r = resolveRange(preset, now, tz, undefined, opts.calendar ?? "gregory");
  }
  const fromDay = localDateKey(r.from, tz);
  const toDay = localDateKey(new Date(r.to.getTime() - 1), tz);
  const days = dayCount(fromDay, toDay);
  const granularities = allowedGranularities(days);
  let granularity: Granularity = granularities.includes(r.granularity) ? r.granularity : granularities[0]!;
  if (q.g) {
    if (!granularities.includes(q.g)) {
      throw new ListFilterError(
        "g",
        q.g === "hour" ? "Hourly charts cover at most two days: pick Today or a shorter custom range." : `Grouping by ${q.g} does not fit this range: choose ${granularities.join(" or ")}.`,
      );
    }
    granularity = q.g;
  }
  return {
    preset,
    calendar: opts.calendar === "persian" || r.calendar === "persian" ? "persian" : "gregory",
    from: r.from,
    to: r.to,
    previousFrom: r.previousFrom,
    previousTo: r.previousTo,
    fromDay,
    toDay,
    previousFromDay: localDateKey(r.previousFrom, tz),
    previousToDay: localDateKey(new Date(r.previousTo.getTime() - 1), tz),
    days,
    granularity,
    granularities,
  };
}

/* --------------------------------- Figures --------------------------------- */

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

function weekStartFor(currency: string): Weekday {
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

async function periodSeries(
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

export interface BreakdownRow {
  key: string;
  gross: bigint;
  capturedCount: number;
  attempts: number;
  declines: number;
  refunds: bigint;
}

export interface Breakdowns {
  terminal: BreakdownRow[];
  brand: BreakdownRow[];
  bank: BreakdownRow[];
  funding: BreakdownRow[];
}

/**
 * The whole months inside [fromDay, toDay] (inclusive local days): [from, to) as first
 * days of months, or null when the range holds no whole month.
 */
export function wholeMonths(fromDay: string, toDay: string): { from: string; to: string } | null {
  const monthStart = (d: string) => `${d.slice(0, 7)}-01`;
  const nextMonth = (m: string) => {
    const y = Number(m.slice(0, 4));
    const mo = Number(m.slice(5, 7));
    return mo === 12 ? `${String(y + 1).padStart(4, "0")}-01-01` : `${m.slice(0, 4)}-${String(mo + 1).padStart(2, "0")}-01`;
  };
  const from = fromDay.endsWith("-01") ? fromDay : nextMonth(monthStart(fromDay));
  // The month of the day after toDay starts where the whole months end.
  const dayAfter = new Date(Date.parse(`${toDay}T00:00:00Z`) + 86400_000).toISOString().slice(0, 10);
  const to = monthStart(dayAfter);
  return from < to ? { from, to } : null;
}

/**
 * Sales by terminal, brand, issuing bank and funding over whole local days, one grouped
 * query: whole months from sales_monthly, the days before and after them from
 * sales_daily (a dense merchant has hundreds of sales_daily rows a day).
 */
export async function breakdowns(scope: ListScope, fromDay: string, toDay: string): Promise<Breakdowns> {
  const months = wholeMonths(fromDay, toDay);
  const cols = sql`terminal_id, card_brand, issuer_bank, card_funding, captured_amount, captured_count, attempt_count, declined_count, refunded_amount`;
  const source = months
    ? sql`select ${cols} from sales_monthly
          where merchant_id = ${scope.merchantId} and currency = ${scope.currency}
            and month >= ${months.from}::date and month < ${months.to}::date
        union all
        select ${cols} from sales_daily
          where merchant_id = ${scope.merchantId} and currency = ${scope.currency}
            and day between ${fromDay}::date and ${toDay}::date
            and (day < ${months.from}::date or day >= ${months.to}::date)`
    : sql`select ${cols} from sales_daily
          where merchant_id = ${scope.merchantId} and currency = ${scope.currency}
            and day between ${fromDay}::date and ${toDay}::date`;
  const result = await rows<{
    terminal_id: string | null;
    card_brand: string | null;
    issuer_bank: string | null;
    card_funding: string | null;
    g_terminal: number | string;
    g_brand: number | string;
    g_bank: number | string;
    g_funding: number | string;
    gross: string;
    captured: string;
    attempts: string;
    declines: string;
    refunds: string;
  }>(
    replicaDb(),
    sql`select terminal_id, card_brand::text as card_brand, issuer_bank, card_funding::text as card_funding,
          grouping(terminal_id)::int as g_terminal, grouping(card_brand)::int as g_brand,
          grouping(issuer_bank)::int as g_bank, grouping(card_funding)::int as g_funding,
          coalesce(sum(captured_amount), 0)::text as gross, coalesce(sum(captured_count), 0)::text as captured,
          coalesce(sum(attempt_count), 0)::text as attempts, coalesce(sum(declined_count), 0)::text as declines,
          coalesce(sum(refunded_amount), 0)::text as refunds
        from (${source}) s
        group by grouping sets ((terminal_id), (card_brand), (issuer_bank), (card_funding))`,
  );
  const out: Breakdowns = { terminal: [], brand: [], bank: [], funding: [] };
  for (const r of result) {
    const row = (key: string): BreakdownRow => ({
      key,
      gross: BigInt(r.gross),
      capturedCount: Number(r.captured),
      attempts: Number(r.attempts),
      declines: Number(r.declines),
      refunds: BigInt(r.refunds),
    });
    if (Number(r.g_terminal) === 0) out.terminal.push(row(r.terminal_id ?? ""));
    else if (Number(r.g_brand) === 0) out.brand.push(row(r.card_brand ?? "unknown"));
    else if (Number(r.g_bank) === 0) out.bank.push(row(r.issuer_bank ?? ""));
    else if (Number(r.g_funding) === 0) out.funding.push(row(r.card_funding ?? "unknown"));
  }
  const byGross = (a: BreakdownRow, b: BreakdownRow) => (a.gross === b.gross ? b.attempts - a.attempts : a.gross > b.gross ? -1 : 1);
  out.terminal.sort(byGross);
  out.brand.sort(byGross);
  out.bank.sort(byGross);
  out.funding.sort(byGross);
  return out;
}

/* --------------------------------- Report ---------------------------------- */

export interface KpiValue {
  /** Money as a decimal string of minor units, counts as numbers, rates as ratios (0..1). */
  current: string | number | null;
  previous: string | number | null;
  /** current - previous (same unit; rates in ratio points). */
  change: string | number | null;
  /** Relative change in percent, null without a baseline. */
  changePct: number | null;
  /** One value per bucket, for the sparkline (money as major-unit-free decimal strings). */
  spark: (string | number | null)[];
}

export interface OverviewKpis {
  gross: KpiValue;
  net: KpiValue;
  capturedCount: KpiValue;
  averageTicket: KpiValue;
  refunds: KpiValue;
  refundRate: KpiValue;
  declineRate: KpiValue;
}

function ratio(n: bigint | number, d: bigint | number): number | null {
  const dn = Number(d);
  if (dn === 0) return null;
  return Number(n) / dn;
}

/** Average ticket, rounded half up to a whole minor unit. */
export function averageTicket(t: Totals): bigint | null {
  if (t.capturedCount === 0) return null;
  const n = BigInt(t.capturedCount);
  return (t.gross * 2n + n) / (2n * n);
}

function moneyKpi(cur: bigint | null, prev: bigint | null, spark: (bigint | null)[]): KpiValue {
  return {
    current: cur === null ? null : cur.toString(),
    previous: prev === null ? null : prev.toString(),
    change: cur === null || prev === null ? null : (cur - prev).toString(),
    changePct: cur === null || prev === null ? null : percentChange(cur, prev),
    spark: spark.map((v) => (v === null ? null : v.toString())),
  };
}

function numberKpi(cur: number | null, prev: number | null, spark: (number | null)[]): KpiValue {
  return {
    current: cur,
    previous: prev,
    change: cur === null || prev === null ? null : cur - prev,
    changePct: cur === null || prev === null || prev === 0 ? null : ((cur - prev) / Math.abs(prev)) * 100,
    spark,
  };
}

/**
 * The key figures with their change against the previous period. Without a `comparable`
 * previous period (it began before the merchant's first sale) there is no change at all:
 * "+1,870%" against a year the merchant did not yet trade is noise, the page says "new".
 */
export function overviewKpis(current: Totals, previous: Totals, buckets: Totals[], comparable = true): OverviewKpis {
  if (!comparable) {
    const kpis = overviewKpis(current, previous, buckets);
    for (const k of Object.values(kpis)) {
      k.change = null;
      k.changePct = null;
    }
    return kpis;
  }
  return {
    gross: moneyKpi(current.gross, previous.gross, buckets.map((b) => b.gross)),
    net: moneyKpi(current.net, previous.net, buckets.map((b) => b.net)),
    capturedCount: numberKpi(current.capturedCount, previous.capturedCount, buckets.map((b) => b.capturedCount)),
    averageTicket: moneyKpi(averageTicket(current), averageTicket(previous), buckets.map(averageTicket)),
    refunds: moneyKpi(current.refunds, previous.refunds, buckets.map((b) => b.refunds)),
    refundRate: numberKpi(ratio(current.refunds, current.gross), ratio(previous.refunds, previous.gross), buckets.map((b) => ratio(b.refunds, b.gross))),
    declineRate: numberKpi(ratio(current.declines, current.attempts), ratio(previous.declines, previous.attempts), buckets.map((b) => ratio(b.declines, b.attempts))),
  };
}

export interface SalesReport {
  range: ResolvedOverviewRange;
  current: { totals: Totals; buckets: Bucket[] };
  previous: { totals: Totals; buckets: Bucket[] };
  kpis: OverviewKpis;
  breakdowns: Breakdowns;
  /** The merchant's first local day with a payment attempt (null: none yet). */
  firstDay: string | null;
  /** Whether the previous period lies wholly within the merchant's history (else no change is shown). */
  comparable: boolean;
}

/** The first local day the merchant had any payment attempt, from the rollup (one index probe). */
export async function firstSalesDay(scope: ListScope): Promise<string | null> {
  const [r] = await rows<{ day: string | null }>(
    replicaDb(),
    sql`select min(day)::text as day from sales_daily_totals where merchant_id = ${scope.merchantId} and currency = ${scope.currency}`,
  );
  return r?.day ?? null;
}

/* ------------------------------ report cache ------------------------------- */

/**
 * The Overview's figures change only when a payment or refund of the range is written,
 * and every such write updates the sales_daily_totals row of its local day in the same
 * transaction (a trigger). So a report is reused while those rows are the very same row
 * versions: one index probe of at most a few hundred rows (their xmin, the transaction
 * that wrote each) tells whether anything in either period changed, in this process or
 * any other, on the primary or on the replica the report reads from. Twenty people
 * watching one merchant's Overview cost one computation per change, not one per view.
 *
 * The fingerprint is read before the report is computed, so a cached report is never
 * older than its fingerprint (a write in between only costs one more computation).
 * Concurrent misses of one key share the computation. REPORT_CACHE=0 turns it off.
 */
const REPORT_CACHE_SIZE = 500;
const reportCache = new Map<string, { fingerprint: string; report: Promise<SalesReport> }>();

// Row versions are only comparable within one database: a test's fresh copy of a template
// can reach the same transaction ids with different rows, so the handle is in the key.
const handleIds = new WeakMap<object, number>();
let nextHandleId = 1;
function handleId(handle: object): number {
  let id = handleIds.get(handle);
  if (id === undefined) {
    id = nextHandleId++;
    handleIds.set(handle, id);
  }
  return id;
}

function reportCacheKey(scope: ListScope, range: ResolvedOverviewRange): string {
  return [
    handleId(replicaDb()),
    scope.merchantId,
    scope.currency,
    scope.timeZone,
    range.calendar,
    range.granularity,
    range.from.getTime(),
    range.to.getTime(),
    range.previousFrom.getTime(),
    range.previousTo.getTime(),
  ].join("|");
}

/** Which row versions of the rollup the report of `range` would read. */
async function salesFingerprint(scope: ListScope, range: ResolvedOverviewRange): Promise<string> {
  const from = range.previousFromDay < range.fromDay ? range.previousFromDay : range.fromDay;
  const to = range.previousToDay > range.toDay ? range.previousToDay : range.toDay;
  const [r] = await rows<{ n: string; x: string; m: string }>(
    replicaDb(),
    sql`select count(*)::text as n, coalesce(sum(xmin::text::bigint), 0)::text as x, coalesce(max(xmin::text::bigint), 0)::text as m
        from sales_daily_totals
        where merchant_id = ${scope.merchantId} and currency = ${scope.currency}
          and day between ${from}::date and ${to}::date`,
    // The same index range probe for any range of days: one plan fits every run.
    { prepare: true },
  );
  return `${r?.n}:${r?.x}:${r?.m}`;
}

/** Forgets every cached report (tests; a merchant's time zone or currency changing is already in the key). */
export function clearSalesReportCache(): void {
  reportCache.clear();
}

/** Figures, trend and breakdowns of the Overview for a resolved range, reused while its rollup rows are unchanged. */
export async function salesReport(scope: ListScope, range: ResolvedOverviewRange): Promise<SalesReport> {
  if (process.env.REPORT_CACHE === "0") return computeSalesReport(scope, range);
  const key = reportCacheKey(scope, range);
  const fingerprint = await salesFingerprint(scope, range);
  const hit = reportCache.get(key);
  if (hit && hit.fingerprint === fingerprint) {
    // Most recently used last: the Map's order is the eviction order.
    reportCache.delete(key);
    reportCache.set(key, hit);
    return hit.report;
  }
  const report = computeSalesReport(scope, range);
  reportCache.delete(key);
  reportCache.set(key, { fingerprint, report });
  if (reportCache.size > REPORT_CACHE_SIZE) reportCache.delete(reportCache.keys().next().value!);
  // A failed computation is not kept.
  report.catch(() => {
    if (reportCache.get(key)?.report === report) reportCache.delete(key);
  });
  return report;
}

async function computeSalesReport(scope: ListScope, range: ResolvedOverviewRange): Promise<SalesReport> {
  // A Jalali week starts on Saturday whatever the merchant's currency.
  const ws: Weekday = range.calendar === "persian" ? 6 : weekStartFor(scope.currency);
  const [current, previous, dims, firstDay] = await Promise.all([
    periodSeries(scope, range.from, range.to, range.fromDay, range.toDay, range.granularity, ws, range.calendar),
    periodSeries(scope, range.previousFrom, range.previousTo, range.previousFromDay, range.previousToDay, range.granularity, ws, range.calendar),
    breakdowns(scope, range.fromDay, range.toDay),
    firstSalesDay(scope),
  ]);
  const comparable = firstDay !== null && range.previousFromDay >= firstDay;
  return {
    range,
    current,
    previous,
    kpis: overviewKpis(current.totals, previous.totals, current.buckets, comparable),
    breakdowns: dims,
    firstDay,
    comparable,
  };
}
