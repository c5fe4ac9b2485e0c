/**
 * The Overview's report: figures, trend and breakdowns of a resolved range with the
 * previous period beside it, reused while the rollup rows it read are unchanged.
 */
import { sql } from "drizzle-orm";
import { replicaDb, rows } from "~db/client.server";
import type { Weekday } from "~/lib/dates/zones";
import type { ListScope } from "~/modules/reporting/list-query.server";
import { breakdowns, type Breakdowns } from "./breakdowns.server";
import { firstSalesDay, periodSeries, weekStartFor, type Bucket, type Totals } from "./figures.server";
import { overviewKpis, type OverviewKpis } from "./kpis";
import type { ResolvedOverviewRange } from "./range.server";
import { env } from "~/lib/env.server";

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
 *
 * While payments stream in (a flash sale: the fingerprint changed on each of the last two
 * computations, the second within a second of the first), every view would recompute the
 * whole report. Then a report is reused as it is for REPORT_STALE_MS (250 ms) after the
 * fingerprint it was computed for was read, without reading the fingerprint again: the page
 * stays well within a second of the ledger, and a merchant's Overview costs at most four
 * computations a second however fast the payments come. A single write after a quiet spell
 * is always seen by the next view.
 */
const REPORT_CACHE_SIZE = 500;
const STREAMING_WITHIN_MS = 1000;
function staleMs(): number {
  return env.REPORT_STALE_MS;
}
interface CachedReport {
  fingerprint: string;
  report: Promise<SalesReport>;
  /** When its fingerprint was read (performance.now()). */
  at: number;
  /** How many computations in a row found the fingerprint changed, each within a second of the one before. */
  streak: number;
}
const reportCache = new Map<string, CachedReport>();
/** The cache's clock in milliseconds (tests pin it). */
export const reportCacheClock = { now: () => performance.now() };

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

/** Figures, trend and breakdowns of the Overview for a resolved range, reused while its rollup rows are unchanged. */
export async function salesReport(scope: ListScope, range: ResolvedOverviewRange): Promise<SalesReport> {
  if (!env.REPORT_CACHE) return computeSalesReport(scope, range);
  const key = reportCacheKey(scope, range);
  const hit = reportCache.get(key);
  const started = reportCacheClock.now();
  const stale = staleMs();
  if (hit && hit.streak >= 2 && started - hit.at < stale) {
    // Writes are streaming in: the report of a moment ago (at most `stale` ms) stands.
    return hit.report;
  }
  const fingerprint = await salesFingerprint(scope, range);
  if (hit && hit.fingerprint === fingerprint) {
    // Most recently used last: the Map's order is the eviction order.
    reportCache.delete(key);
    reportCache.set(key, hit);
    return hit.report;
  }
  const report = computeSalesReport(scope, range);
  reportCache.delete(key);
  const streak = hit && started - hit.at < STREAMING_WITHIN_MS ? hit.streak + 1 : 0;
  reportCache.set(key, { fingerprint, report, at: started, streak });
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
