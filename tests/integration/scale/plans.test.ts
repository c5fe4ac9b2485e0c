/**
 * The plans PostgreSQL really chooses for the hot queries, on a ledger large enough
 * for the planner to care (the benchmark's loader, ANALYZEd): every statement the
 * pages send is captured and EXPLAINed. What must hold at any size:
 *   - the Overview never reads payments or ledger_transactions (rollups only);
 *   - balances read postings by index, one day at most, never the whole ledger, and
 *     the per-day rollup from its index alone;
 *   - the payments page walks an index in its own order (no sort of the merchant's
 *     payments), at any depth, and its totals come from the payments rollups (daily and monthly);
 *   - filters, the search box, details and the export never scan a big table;
 *   - every statement of an API payment, an API refund and the events publisher reaches the
 *     tables that grow by an index (issue 22's hot path: no statement of a write can turn
 *     into a scan as the ledger grows).
 * Needs a real server (TEST_DATABASE_URL); on PGlite it says so and skips.
 */
import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import { rows, setDb } from "../../../db/client.server";
import { encodeCursor } from "../../../app/modules/reporting/list-query.server";
import { loader as overviewLoader } from "../../../app/routes/_app._index/route";
import { loader as paymentsLoader } from "../../../app/routes/_app.payments._index";
import { loader as paymentLoader } from "../../../app/routes/_app.payments.$paymentId";
import { loader as payoutLoader } from "../../../app/routes/_app.payouts.$payoutId";
import { loader as reportLoader } from "../../../app/routes/reports.$report";
import { getBalances } from "../../../app/modules/ledger/ledger.server";
import { publishEvents } from "../../../app/modules/events/events.server";
import { api } from "../payments/api-client";
import { fastSandbox } from "../payments/fixtures";
import { CARD_EXP_YEAR } from "../../support/cards";
import { loadBenchLedger } from "../../bench/load";
import { BENCH_USER, BIG_MERCHANT_ID } from "../../bench/merchants";
import { as, signIn, type SignedIn } from "../../support/auth";
import { noticeRealServerOnly, useTestDatabase } from "../../support/db";
import { openCapture, planAccess, planNodes, planText, type Capture, type CapturedQuery, type PlanNode } from "./capture";

const t = useTestDatabase({ seed: "none" });

/** Tables that grow with the ledger: never read whole. */
const BIG_TABLES = ["payments", "refunds", "ledger_transactions", "ledger_entries", "payout_items", "payouts", "sales_daily"];

type Loader = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<Response>;

let cap: Capture;
let user: SignedIn;

interface Explained {
  q: CapturedQuery;
  plan: PlanNode;
}

/** Every read statement `fn` sends, with its plan (ANALYZE: the plan that ran). */
async function plansOf(fn: () => Promise<unknown>): Promise<Explained[]> {
  const sent = await cap.record(fn);
  setDb(t.handle);
  const out: Explained[] = [];
  for (const q of sent) {
    if (!/^\s*(select|with)\b/i.test(q.sql)) continue;
    out.push({ q, plan: (await cap.explain(q)).plan });
  }
  return out;
}

async function callLoader(fn: unknown, path: string, params: Record<string, string> = {}) {
  const res = await (fn as Loader)({ request: as(user, path), params, context: {} });
  const body = await res.text();
  expect(res.status, body.slice(0, 300)).toBe(200);
  return body;
}

function describePlans(list: Explained[]): string {
  return list.map((e) => `${e.q.sql.replace(/\s+/g, " ").slice(0, 160)}\n${planText(e.plan)}`).join("\n\n");
}

/** No sequential scan of a table that grows with the ledger. */
function expectNoBigSeqScan(list: Explained[]) {
  for (const e of list) {
    const bad = planNodes(e.plan).filter((n) => n["Node Type"] === "Seq Scan" && BIG_TABLES.includes(String(n["Relation Name"])));
    expect(bad.map((n) => n["Relation Name"]), describePlans([e])).toEqual([]);
  }
}

function tablesRead(list: Explained[]): Set<string> {
  return new Set(list.flatMap((e) => planNodes(e.plan).map((n) => n["Relation Name"]).filter((r): r is string => !!r)));
}

noticeRealServerOnly(t.realServer, "query plans of the hot pages", "plans are the server's, PGlite is not the target");

describe.skipIf(!t.realServer)("query plans of the hot pages (real PostgreSQL)", () => {
  beforeAll(async () => {
    // Big enough that a sequential scan or a sort is never the cheap plan by accident.
    await loadBenchLedger(t.url!, { payments: 60_000, days: 365, smallMerchants: 10, smallPayments: 300, seed: 3, now: new Date(), log: () => {} });
    cap = openCapture(t.url!);
    user = await signIn(BENCH_USER.email, BENCH_USER.password);
  }, 600_000);

  afterAll(async () => {
    setDb(t.handle);
    await cap?.close();
  });

  it("the Overview reads rollups: it never scans payments, refunds or ledger transactions", async () => {
    // Every statement of a computed report (the report cache would skip them on a repeat).
    process.env.REPORT_CACHE = "0";
    try {
      for (const range of ["30d", "90d", "12m"]) {
        const list = await plansOf(() => callLoader(overviewLoader, `/?range=${range}`));
        expect(tablesRead(list).has("sales_daily_totals")).toBe(true);
        expect(tablesRead(list).has("sales_daily") || tablesRead(list).has("sales_monthly")).toBe(true);
        expectNoBigSeqScan(list);
        // Raw rows only as lookups by key (the five latest refunds and their payments), never a range of them.
        for (const e of list) {
          for (const n of planNodes(e.plan)) {
            if (!["payments", "refunds", "ledger_transactions", "payout_items"].includes(String(n["Relation Name"]))) continue;
            expect(n["Node Type"], describePlans([e])).toMatch(/^Index (Only )?Scan$/);
            expect(Number(n["Actual Rows"] ?? 0), describePlans([e])).toBeLessThanOrEqual(20);
          }
        }
      }
    } finally {
      delete process.env.REPORT_CACHE;
    }
  });

  it("a repeated Overview with nothing new reads only the day rows' versions, by their key", async () => {
    // The first view computes the report (through the same handle as the recorded one: the cache is per database handle).
    await plansOf(() => callLoader(overviewLoader, "/?range=90d"));
    const warm = await plansOf(() => callLoader(overviewLoader, "/?range=90d"));
    const read = tablesRead(warm);
    expect(read.has("sales_daily_totals")).toBe(true);
    expect(read.has("sales_daily")).toBe(false);
    expect(read.has("sales_monthly")).toBe(false);
    expectNoBigSeqScan(warm);
    const probe = warm.filter((e) => /xmin/.test(e.q.sql) && /from sales_daily_totals/.test(e.q.sql));
    expect(probe).toHaveLength(1);
    expect(planAccess(probe[0]!.plan).some((a) => /Seq Scan/.test(a)), describePlans(probe)).toBe(false);
  });

  it("balances read the day's postings by index, plus the per-day rollup", async () => {
    const list = await plansOf(() => getBalances({ merchantId: BIG_MERCHANT_ID }, "IRR"));
    const access = list.flatMap((e) => planAccess(e.plan));
    // The merchant's day rows come from the key's index alone (amount is INCLUDEd): a heap
    // read per day row was most of the Overview's database time at 2M payments.
    // (The one row of the current day is also read by its key for its version: an index scan of one row.)
    for (const e of list) {
      for (const n of planNodes(e.plan)) {
        if (n["Relation Name"] !== "ledger_balances_daily") continue;
        if (n["Node Type"] !== "Index Only Scan") {
          expect(n["Node Type"], describePlans([e])).toBe("Index Scan");
          expect(Number(n["Actual Rows"] ?? 0), describePlans([e])).toBeLessThanOrEqual(1);
        }
      }
    }
    expect(access.some((a) => a.startsWith("ledger_balances_daily: Index Only Scan")), access.join("\n")).toBe(true);
    expect(access.filter((a) => a.startsWith("ledger_entries")).every((a) => /Index/.test(a)), access.join("\n")).toBe(true);
  });

  it("the payments page walks payments_created in its own order at the top and deep down, with totals from the rollup", async () => {
    const [deep] = await rows<{ v: string; id: string }>(
      t.db,
      sql`select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as v, id from payments
          where merchant_id = ${BIG_MERCHANT_ID} order by created_at desc, id desc offset 30000 limit 1`,
    );
    const cursor = encodeCursor({ v: deep!.v, id: deep!.id, dir: "next" });
    for (const path of ["/payments", `/payments?cursor=${cursor}`]) {
      const list = await plansOf(() => callLoader(paymentsLoader, path));
      const page = list.find((e) => /\blimit\b/i.test(e.q.sql) && /from "payments"/i.test(e.q.sql))!;
      expect(page, describePlans(list)).toBeDefined();
      const nodes = planNodes(page.plan);
      const scan = nodes.find((n) => n["Relation Name"] === "payments")!;
      expect(scan["Node Type"], planText(page.plan)).toMatch(/Index/);
      // The index gives the order: nothing sorts the merchant's payments, however deep the page.
      expect(nodes.some((n) => n["Node Type"] === "Sort" || n["Node Type"] === "Incremental Sort"), planText(page.plan)).toBe(false);
      expect(scan["Index Name"]).toBe("payments_created");
      const read = tablesRead(list);
      expect(read.has("payments_daily") || read.has("payments_monthly"), describePlans(list)).toBe(true);
      expectNoBigSeqScan(list);
    }
  });

  it("a filtered page and the search box go through indexes", async () => {
    const [band] = await rows<{ lo: string; hi: string }>(
      t.db,
      sql`select percentile_disc(0.4) within group (order by amount)::text as lo, percentile_disc(0.6) within group (order by amount)::text as hi
          from payments where merchant_id = ${BIG_MERCHANT_ID}`,
    );
    const [one] = await rows<{ id: string; card_last4: string; customer_reference: string | null }>(
      t.db,
      sql`select id, card_last4, customer_reference from payments where merchant_id = ${BIG_MERCHANT_ID} and customer_reference is not null limit 1`,
    );
    for (const path of [
      "/payments?range=30d&status=captured",
      `/payments?status=captured&terminal=term_big_web&min=${band!.lo}&max=${band!.hi}`,
      `/payments?q=${one!.card_last4}`,
      `/payments?q=${one!.id}`,
      `/payments?q=${encodeURIComponent(one!.customer_reference!.slice(0, 7).toLowerCase())}`,
      `/payments?q=croissant`,
    ]) {
      const list = await plansOf(() => callLoader(paymentsLoader, path));
      expectNoBigSeqScan(list);
    }
  });

  it("payment and payout details are index lookups, the payout summary a rollup", async () => {
    const [p] = await rows<{ id: string }>(t.db, sql`select id from payments where merchant_id = ${BIG_MERCHANT_ID} and amount_refunded > 0 limit 1`);
    const payment = await plansOf(() => callLoader(paymentLoader, `/payments/${p!.id}`, { paymentId: p!.id }));
    expectNoBigSeqScan(payment);

    const [po] = await rows<{ id: string }>(
      t.db,
      sql`select payout_id as id from payout_items where merchant_id = ${BIG_MERCHANT_ID} group by 1 order by count(*) desc limit 1`,
    );
    const payout = await plansOf(() => callLoader(payoutLoader, `/payouts/${po!.id}`, { payoutId: po!.id }));
    expectNoBigSeqScan(payout);
    expect(tablesRead(payout).has("payout_item_totals"), describePlans(payout)).toBe(true);
    // The items page walks payout_items in key order: no sort of the payout's items.
    const items = payout.find((e) => /from payout_items pi/i.test(e.q.sql))!;
    expect(planNodes(items.plan).some((n) => n["Node Type"] === "Sort"), planText(items.plan)).toBe(false);
  });

  it("the reconciliation export of one payout is one COPY that reads by index (no scan of the ledger)", async () => {
    // The whole ledger's export is one COPY too, and scans and hash-joins on purpose (about
    // twice as fast as a million index lookups); one deposit's must not read the ledger whole.
    const [po] = await rows<{ id: string }>(
      t.db,
      sql`select payout_id as id from payout_items where merchant_id = ${BIG_MERCHANT_ID} group by 1 order by count(*) desc limit 1`,
    );
    const sent = await cap.record(async () => {
      const res = await (reportLoader as Loader)({
        request: as(user, `/reports/payout-reconciliation.csv?payout=${po!.id}`),
        params: { report: "payout-reconciliation.csv" },
        context: {},
      });
      expect(res.status).toBe(200);
      expect((await res.text()).split("\r\n").length).toBeGreaterThan(100);
    });
    setDb(t.handle);
    const copies = sent.filter((q) => /^\s*COPY \(/i.test(q.sql));
    expect(copies).toHaveLength(1);
    // COPY is not EXPLAINed: its query is.
    const copy = copies[0]!.sql;
    const select = { sql: copy.slice(copy.indexOf("(") + 1, copy.lastIndexOf(") TO STDOUT")), params: [] };
    const explained = [{ q: select, plan: (await cap.explain(select)).plan }];
    expectNoBigSeqScan(explained);
    expect(tablesRead(explained).has("payout_items"), describePlans(explained)).toBe(true);
  });
  it("every statement of an API payment, an API refund and the publisher reaches the growing tables by an index", async () => {
    fastSandbox();
    const [term] = await rows<{ id: string; currency: string }>(
      t.db,
      sql`select t.id, m.currency from terminals t join merchants m on m.id = t.merchant_id
          where t.merchant_id = ${BIG_MERCHANT_ID} and t.kind = 'api' and t.status = 'active' order by t.id limit 1`,
    );
    const key = `sk_test_plans_${crypto.randomBytes(8).toString("hex")}`;
    await t.db.execute(
      sql`insert into api_keys (key_hash, merchant_id, terminal_id) values (${crypto.createHash("sha256").update(key).digest("hex")}, ${BIG_MERCHANT_ID}, ${term!.id})`,
    );
    const currency = term!.currency.trim();
    const number = currency === "IRR" ? "6037990000000006" : "4242424242424242";
    let paymentId = "";
    const sent = await cap.record(async () => {
      const paid = await api("POST", "/payments", {
        key,
        idempotencyKey: crypto.randomUUID(),
        body: { amount: "150000", currency, card: { number, exp_month: 12, exp_year: CARD_EXP_YEAR, cvc: "123" } },
      });
      expect(paid.status, JSON.stringify(paid.json)).toBe(201);
      expect(paid.json.status).toBe("captured");
      paymentId = paid.json.id;
      const refunded = await api("POST", `/payments/${paymentId}/refunds`, {
        key,
        idempotencyKey: crypto.randomUUID(),
        body: { amount: "50000", reason: "requested_by_customer" },
      });
      expect(refunded.status, JSON.stringify(refunded.json)).toBe(201);
      expect(refunded.json.status).toBe("succeeded");
      expect(await publishEvents(BIG_MERCHANT_ID)).toBeGreaterThan(0);
    });
    setDb(t.handle);
    // Tables a write path touches that grow with the merchant's history.
    const growing = [...BIG_TABLES, "events", "idempotency_keys", "sandbox_cards", "sandbox_authorizations", "sandbox_refunds", "payments_daily", "audit_events"];
    const statements = sent.filter((q) => /^\s*(select|with|insert|update|delete)\b/i.test(q.sql));
    const touched = new Set<string>();
    for (const q of statements) {
      // The plan with sequential scans priced out: a Seq Scan left means no index serves it.
      const { plan } = await cap.explain(q, false, { indexOnly: true });
      const nodes = planNodes(plan);
      for (const n of nodes) if (n["Relation Name"]) touched.add(String(n["Relation Name"]));
      const scans = nodes.filter((n) => n["Node Type"] === "Seq Scan" && growing.includes(String(n["Relation Name"])));
      expect(scans.map((n) => n["Relation Name"]), describePlans([{ q, plan }])).toEqual([]);
    }
    // The statements did reach what a payment and a refund write: the test cannot pass on an empty capture.
    for (const table of ["payments", "refunds", "ledger_transactions", "events", "idempotency_keys", "sandbox_authorizations"]) {
      expect(touched.has(table), [...touched].sort().join(", ")).toBe(true);
    }
    expect(statements.length).toBeGreaterThanOrEqual(20);
  });
});
