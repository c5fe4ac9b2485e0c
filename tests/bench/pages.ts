/**
 * The console's own loaders, called as a route test calls them (a signed-in Request,
 * the real route module), side by side with what a BI tool or a textbook admin page
 * would run against the same database:
 *   Overview      <-> raw aggregates over payments and refunds
 *   payments page <-> the same filter with OFFSET pagination and a count for page numbers
 *   details       <-> one primary-key fetch of the row (the physical floor)
 */
import { sql, type SQL } from "drizzle-orm";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { db, rows } from "~db/client.server";
import { encodeCursor } from "~/modules/reporting/list-query.server";
import { overviewQuerySchema, resolveOverviewRange } from "~/modules/reporting/overview/range.server";
import { paymentFilterSql, paymentListQuerySchema } from "~/modules/payments/list.server";
import { BIG, BIG_MERCHANT_ID } from "./merchants";
import { latency, sample, type Metric } from "./stats";

type Loader = (args: LoaderFunctionArgs) => Promise<Response>;

export interface PageBenchOptions {
  cookie: string;
  iterations: number;
  log: (m: string) => void;
}

const ORIGIN = "http://localhost";

function requestFor(path: string, cookie: string): Request {
  return new Request(`${ORIGIN}${path}`, { headers: { cookie, origin: ORIGIN, "user-agent": "bench", "x-forwarded-for": "198.51.100.7" } });
}

async function callLoader(loader: Loader, path: string, cookie: string, params: Record<string, string> = {}): Promise<unknown> {
  const res = await loader({ request: requestFor(path, cookie), params, context: {} });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

const scope = { merchantId: BIG_MERCHANT_ID, timeZone: BIG.timeZone, currency: BIG.currency };

/* -------------------------------- Overview -------------------------------- */

/**
 * What a BI tool runs for the same page: every figure straight from payments and
 * refunds, bucketed by the merchant's local time, three statements at once (the
 * loader's own concurrency).
 */
async function rawOverview(range: ReturnType<typeof resolveOverviewRange>) {
  const tz = scope.timeZone;
  const g = range.granularity === "hour" ? "hour" : range.granularity;
  const period = (from: Date, to: Date) => {
    const f = from.toISOString();
    const t = to.toISOString();
    return rows<{ b: string | null; gross: string; fees: string; captured: string; attempts: string; declines: string; refunds: string }>(
      db(),
      sql`with money as (
            select date_trunc(${g}, captured_at at time zone ${tz}) as b, sum(amount) as gross, sum(fee) as fees, count(*) as captured
            from payments where merchant_id = ${scope.merchantId} and currency = ${scope.currency} and status = 'captured'
              and captured_at >= ${f}::timestamptz and captured_at < ${t}::timestamptz
            group by 1
          ), tries as (
            select date_trunc(${g}, created_at at time zone ${tz}) as b, count(*) as attempts,
              count(*) filter (where status in ('declined', 'failed')) as declines
            from payments where merchant_id = ${scope.merchantId} and currency = ${scope.currency}
              and created_at >= ${f}::timestamptz and created_at < ${t}::timestamptz
            group by 1
          ), back as (
            select date_trunc(${g}, created_at at time zone ${tz}) as b, sum(amount) as refunds
            from refunds where merchant_id = ${scope.merchantId} and currency = ${scope.currency} and status = 'succeeded'
              and created_at >= ${f}::timestamptz and created_at < ${t}::timestamptz
            group by 1
          )
          select coalesce(m.b, t.b, r.b)::text as b, sum(coalesce(m.gross, 0))::text as gross, sum(coalesce(m.fees, 0))::text as fees,
            sum(coalesce(m.captured, 0))::text as captured, sum(coalesce(t.attempts, 0))::text as attempts,
            sum(coalesce(t.declines, 0))::text as declines, sum(coalesce(r.refunds, 0))::text as refunds
          from money m full join tries t on t.b = m.b full join back r on r.b = coalesce(m.b, t.b)
          group by rollup (coalesce(m.b, t.b, r.b))`,
    );
  };
  const f = range.from.toISOString();
  const t = range.to.toISOString();
  const [current, previous, dims] = await Promise.all([
    period(range.from, range.to),
    period(range.previousFrom, range.previousTo),
    rows(
      db(),
      sql`select terminal_id, card_brand, issuer_bank, card_funding,
            sum(amount) filter (where status = 'captured') as gross, count(*) filter (where status = 'captured') as captured,
            count(*) as attempts, count(*) filter (where status in ('declined', 'failed')) as declines, sum(amount_refunded) as refunded
          from payments where merchant_id = ${scope.merchantId} and currency = ${scope.currency}
            and created_at >= ${f}::timestamptz and created_at < ${t}::timestamptz
          group by grouping sets ((terminal_id), (card_brand), (issuer_bank), (card_funding))`,
    ),
  ]);
  return { current: current.find((r) => r.b === null), previous: previous.find((r) => r.b === null), dims };
}

export async function benchOverview(loader: Loader, o: PageBenchOptions): Promise<Metric[]> {
  const out: Metric[] = [];
  for (const preset of ["90d", "12m"] as const) {
    const range = resolveOverviewRange(scope.timeZone, overviewQuerySchema.parse(new URLSearchParams({ range: preset })));
    // The same numbers both ways (captured volume and count of the period), or the comparison means nothing.
    const data = (await callLoader(loader, `/?range=${preset}`, o.cookie)) as { current: { totals: { gross: string; capturedCount: number } } };
    const raw = await rawOverview(range);
    if (raw.current?.gross !== data.current.totals.gross || Number(raw.current?.captured) !== data.current.totals.capturedCount) {
      o.log(`  ! Overview ${preset}: loader says ${data.current.totals.gross}/${data.current.totals.capturedCount}, raw says ${raw.current?.gross}/${raw.current?.captured}`);
    } else {
      o.log(`  Overview ${preset}: loader and raw aggregate agree (${data.current.totals.capturedCount.toLocaleString("en-US")} captured payments, gross ${data.current.totals.gross})`);
    }
    const ours = await sample(() => callLoader(loader, `/?range=${preset}`, o.cookie), o.iterations);
    const base = await sample(() => rawOverview(range), Math.max(5, Math.ceil(o.iterations / 3)), 1, 60_000);
    out.push(latency(`Overview ${preset} p95`, ours.p95, base.p95, 50, 20));
  }
  return out;
}

/* ------------------------------ Payments page ----------------------------- */

const PAGE_SELECT = sql`payments.id, payments.created_at, payments.amount, payments.amount_refunded, payments.fee, payments.currency,
  payments.status, payments.card_brand, payments.card_funding, payments.card_bin, payments.card_last4, payments.issuer_bank,
  payments.terminal_id, (select t.name from terminals t where t.merchant_id = payments.merchant_id and t.id = payments.terminal_id) as terminal_name,
  payments.customer_reference, payments.description, payments.decline_code`;

/** The textbook admin page: ORDER BY ... OFFSET n, and a count for the page numbers. */
async function offsetPage(where: SQL, offset: number, limit: number) {
  await Promise.all([
    rows(db(), sql`select ${PAGE_SELECT} from payments where ${where} order by payments.created_at desc, payments.id desc limit ${limit} offset ${offset}`),
    rows(db(), sql`select count(*) from payments where ${where}`),
  ]);
}

export async function benchPaymentsPage(loader: Loader, o: PageBenchOptions): Promise<Metric[]> {
  const [{ n }] = (await rows<{ n: string }>(db(), sql`select count(*)::text as n from payments where merchant_id = ${scope.merchantId}`)) as [{ n: string }];
  const depth = Math.min(100_000, Math.floor(Number(n) / 2));
  const [at] = await rows<{ v: string; id: string }>(
    db(),
    sql`select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as v, id from payments
        where merchant_id = ${scope.merchantId} order by created_at desc, id desc offset ${depth - 1} limit 1`,
  );
  const cursor = encodeCursor({ v: at!.v, id: at!.id, dir: "next" });
  // A band around the median amount, so the filter keeps a realistic share of rows.
  const [band] = await rows<{ lo: string; hi: string }>(
    db(),
    sql`select (percentile_disc(0.4) within group (order by amount))::text as lo, (percentile_disc(0.6) within group (order by amount))::text as hi
        from payments tablesample system (2) where merchant_id = ${scope.merchantId}`,
  );
  const filtered = { status: "captured", terminal: "term_big_web", min: band!.lo, max: band!.hi };
  const cases: { name: string; params: Record<string, string>; offset: number }[] = [
    { name: "first page", params: {}, offset: 0 },
    { name: `page ${depth.toLocaleString("en-US")} rows deep`, params: { cursor }, offset: depth },
    { name: "filtered (status+terminal+amount)", params: filtered, offset: 0 },
    { name: "last-4 search", params: { q: "4242" }, offset: 0 },
  ];
  const out: Metric[] = [];
  for (const c of cases) {
    const qs = new URLSearchParams(c.params).toString();
    const path = `/payments${qs ? `?${qs}` : ""}`;
    const data = (await callLoader(loader, path, o.cookie)) as { rows: unknown[]; totals: { count: number } | null };
    o.log(`  payments ${c.name}: ${data.rows.length} rows on the page, ${data.totals?.count.toLocaleString("en-US") ?? "?"} match`);
    const filter = paymentListQuerySchema.parse(new URLSearchParams(c.params));
    const where = paymentFilterSql(scope, filter);
    const ours = await sample(() => callLoader(loader, path, o.cookie), o.iterations);
    const base = await sample(() => offsetPage(where, c.offset, filter.limit), Math.max(5, Math.ceil(o.iterations / 3)), 1, 30_000);
    out.push(latency(`payments: ${c.name} p95`, ours.p95, base.p95, 30));
  }
  return out;
}

/* --------------------------------- Details -------------------------------- */

export async function benchDetails(paymentLoader: Loader, payoutLoader: Loader, o: PageBenchOptions): Promise<Metric[]> {
  const payments = await rows<{ id: string }>(
    db(),
    sql`select id from payments tablesample system (1) where merchant_id = ${scope.merchantId} limit 200`,
  );
  const payouts = await rows<{ id: string }>(db(), sql`select id from payouts where merchant_id = ${scope.merchantId} order by random() limit 200`);
  if (payments.length === 0 || payouts.length === 0) throw new Error("no payments or payouts to open");
  const pick = <T>(list: T[], i: number) => list[(i * 7919) % list.length]!;
  const out: Metric[] = [];

  const p = await sample((i) => callLoader(paymentLoader, `/payments/${pick(payments, i).id}`, o.cookie, { paymentId: pick(payments, i).id }), o.iterations);
  const pb = await sample(
    (i) => rows(db(), sql`select * from payments where merchant_id = ${scope.merchantId} and id = ${pick(payments, i).id}`),
    o.iterations,
  );
  out.push(latency("payment detail p95", p.p95, pb.p95, 15));

  const q = await sample((i) => callLoader(payoutLoader, `/payouts/${pick(payouts, i).id}`, o.cookie, { payoutId: pick(payouts, i).id }), o.iterations);
  const qb = await sample(
    (i) => rows(db(), sql`select * from payouts where merchant_id = ${scope.merchantId} and id = ${pick(payouts, i).id}`),
    o.iterations,
  );
  out.push(latency("payout detail p95", q.p95, qb.p95, 15));
  return out;
}
