/**
 * The console's pages as their loaders serve them, signed in as the demo merchants'
 * people, with every number checked against SQL over the raw ledger and payments.
 */
import { sql } from "drizzle-orm";
import { useTestDatabase } from "../../support/db";
import { as, signIn, type SignedIn } from "../../support/auth";
import { rows } from "../../../db/client.server";
import { addLocalDays, localDateKey } from "../../../app/lib/dates/zones";
import { loader as overviewLoader } from "../../../app/routes/_app._index/route";
import { loader as paymentsLoader } from "../../../app/routes/_app.payments._index";
import { loader as paymentLoader } from "../../../app/routes/_app.payments.$paymentId";
import { loader as refundsLoader } from "../../../app/routes/_app.refunds._index";
import { loader as payoutsLoader } from "../../../app/routes/_app.payouts._index";
import { loader as payoutLoader } from "../../../app/routes/_app.payouts.$payoutId";
import { loader as terminalsLoader } from "../../../app/routes/_app.terminals._index";
import { oracleTotals } from "./sql-oracle";

const t = useTestDatabase({ seed: "demo" });
const COFFEE = { id: "mer_demo_coffee", tz: "Asia/Tehran" };
const NORTHWIND = { id: "mer_northwind", tz: "America/New_York" };

type Loader = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<Response>;

async function load(fn: unknown, user: SignedIn, path: string, params: Record<string, string> = {}) {
  const res = (await (fn as Loader)({ request: as(user, path), params, context: {} })) as Response;
  return { status: res.status, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function thrown(fn: unknown, user: SignedIn, path: string, params: Record<string, string> = {}): Promise<Response> {
  try {
    await (fn as Loader)({ request: as(user, path), params, context: {} });
  } catch (e) {
    if (e instanceof Response) return e;
    throw e;
  }
  throw new Error(`${path} did not refuse`);
}

let owner: SignedIn;
let accountant: SignedIn;
let support: SignedIn;
let viewer: SignedIn;
let nwOwner: SignedIn;

beforeAll(async () => {
  owner = await signIn("owner@coffee.test");
  accountant = await signIn("accountant@coffee.test");
  support = await signIn("support@coffee.test");
  viewer = await signIn("viewer@coffee.test");
  nwOwner = await signIn("owner@northwind.test");
});

describe("Overview loader", () => {
  it("shows the last 30 local days and the 30 before, as the ledger has them", async () => {
    const { status, body } = await load(overviewLoader, owner, "/");
    expect(status).toBe(200);
    const now = new Date();
    expect(body.range.toDay).toBe(localDateKey(now, COFFEE.tz));
    expect(body.range.fromDay).toBe(localDateKey(addLocalDays(now, -29, COFFEE.tz), COFFEE.tz));
    const cur = await oracleTotals(t.db, COFFEE.id, COFFEE.tz, body.range.fromDay, body.range.toDay);
    const prev = await oracleTotals(t.db, COFFEE.id, COFFEE.tz, body.range.previousFromDay, body.range.previousToDay);
    expect(body.kpis.gross.current).toBe(cur.gross.toString());
    expect(body.kpis.gross.previous).toBe(prev.gross.toString());
    expect(body.kpis.gross.change).toBe((cur.gross - prev.gross).toString());
    expect(body.kpis.net.current).toBe(cur.net.toString());
    expect(body.kpis.net.previous).toBe(prev.net.toString());
    expect(body.kpis.capturedCount.current).toBe(cur.captured);
    expect(body.kpis.refunds.current).toBe(cur.refunds.toString());
    expect(body.kpis.declineRate.current).toBeCloseTo(cur.declines / cur.attempts, 12);
    expect(body.current.buckets).toHaveLength(30);
    // Balances straight from the postings.
    const [bal] = await rows<{ available: string; pending: string }>(
      t.db,
      sql`select coalesce(sum(amount) filter (where account = 'merchant_balance' and available_on <= now()), 0)::text as available,
            coalesce(sum(amount) filter (where account = 'merchant_balance' and available_on > now()), 0)::text as pending
          from ledger_entries where merchant_id = ${COFFEE.id}`,
    );
    expect(body.balances.available).toBe(bal!.available);
    expect(body.balances.pending).toBe(bal!.pending);
    const [last] = await rows<{ id: string }>(t.db, sql`select id from refunds where merchant_id = ${COFFEE.id} order by created_at desc, id desc limit 1`);
    expect(body.refunds[0].id).toBe(last!.id);
  });

  it("a custom range across the merchant's midnight, grouped by hour, and its previous day (New York)", async () => {
    const day = localDateKey(addLocalDays(new Date(), -3, NORTHWIND.tz), NORTHWIND.tz);
    const { body } = await load(overviewLoader, nwOwner, `/?from=${day}&to=${day}&g=hour`);
    expect(body.range).toMatchObject({ preset: "custom", fromDay: day, toDay: day, granularity: "hour" });
    expect(body.current.buckets.length).toBeGreaterThanOrEqual(23);
    // New York's midnight is 04:00 or 05:00 UTC.
    expect(body.current.buckets[0].start).toMatch(/T0[45]:00:00\.000Z$/);
    const cur = await oracleTotals(t.db, NORTHWIND.id, NORTHWIND.tz, day, day);
    const prevDay = localDateKey(addLocalDays(new Date(), -4, NORTHWIND.tz), NORTHWIND.tz);
    const prev = await oracleTotals(t.db, NORTHWIND.id, NORTHWIND.tz, prevDay, prevDay);
    expect(body.current.totals.gross).toBe(cur.gross.toString());
    expect(body.current.buckets.reduce((s: bigint, b: { gross: string }) => s + BigInt(b.gross), 0n)).toBe(cur.gross);
    expect(body.previous.totals.gross).toBe(prev.gross.toString());
    expect(body.kpis.gross.change).toBe((cur.gross - prev.gross).toString());
  });

  it("marks the period still filling (today, this month, this hour) and none in a range that has ended", async () => {
    const days = await load(overviewLoader, owner, "/?range=30d");
    expect(days.body.range.inProgress).toBe(29);
    const months = await load(overviewLoader, owner, "/?range=12m&g=month");
    expect(months.body.range.inProgress).toBe(months.body.current.buckets.length - 1);
    // Today by the hour: the hour now is the one filling, the later ones have not begun.
    const hours = await load(overviewLoader, owner, "/?range=today&g=hour");
    const i = hours.body.range.inProgress as number;
    const starts = hours.body.current.buckets.map((b: { start: string }) => Date.parse(b.start));
    expect(starts[i]).toBeLessThanOrEqual(Date.now());
    if (i + 1 < starts.length) expect(starts[i + 1]).toBeGreaterThan(Date.now());
    const day = localDateKey(addLocalDays(new Date(), -3, COFFEE.tz), COFFEE.tz);
    const past = await load(overviewLoader, owner, `/?from=${day}&to=${day}`);
    expect(past.body.range.inProgress).toBeNull();
  });

  it("sends support to the payments list and answers a bad range on its field", async () => {
    const res = await thrown(overviewLoader, support, "/");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/payments");
    const bad = await load(overviewLoader, owner, "/?range=90d&g=hour");
    expect(bad.status).toBe(400);
    expect(bad.body.errors.g).toMatch(/two days/);
  });
});

describe("Payments loader", () => {
  it("support finds a payment by last 4; the count and sum match SQL", async () => {
    const [p] = await rows<{ card_last4: string }>(
      t.db,
      sql`select card_last4 from payments where merchant_id = ${COFFEE.id} and status = 'captured' order by created_at desc limit 1`,
    );
    const { status, body } = await load(paymentsLoader, support, `/payments?q=${p!.card_last4}`);
    expect(status).toBe(200);
    const [o] = await rows<{ n: string; s: string }>(
      t.db,
      sql`select count(*)::text as n, coalesce(sum(amount), 0)::text as s from payments where merchant_id = ${COFFEE.id}
          and (card_last4 = ${p!.card_last4} or description ilike ${"%" + p!.card_last4 + "%"} or customer_reference ilike ${p!.card_last4 + "%"})`,
    );
    expect(body.totals.count).toBe(Number(o!.n));
    expect(body.totals.amount).toBe(o!.s);
    expect(body.rows.some((r: { cardLast4: string }) => r.cardLast4 === p!.card_last4)).toBe(true);
    expect(body.exportHref).toBeNull();
  });

  it("hides card digits from a view-only member and offers the export to the accountant with the same filter", async () => {
    const v = await load(paymentsLoader, viewer, "/payments?status=captured");
    expect(v.body.rows.length).toBeGreaterThan(0);
    expect(v.body.rows.every((r: { cardLast4: string | null }) => r.cardLast4 === null)).toBe(true);
    expect(v.body.visible).not.toContain("card");
    const a = await load(paymentsLoader, accountant, "/payments?status=captured&status=declined&min=1000000&sort=-amount&cursor=x&cols=amount");
    expect(a.status).toBe(400); // the bogus cursor is reported, not a crash
    expect(a.body.errors.cursor).toMatch(/first page/);
    expect(a.body.exportHref).toBe("/reports/payments.csv?status=captured&status=declined&min=1000000&sort=-amount");
  });

  it("keeps a payment of another merchant out, even by id", async () => {
    const [p] = await rows<{ id: string }>(t.db, sql`select id from payments where merchant_id = ${NORTHWIND.id} limit 1`);
    const res = await thrown(paymentLoader, owner, `/payments/${p!.id}`, { paymentId: p!.id });
    expect(res.status).toBe(404);
    const own = await load(paymentLoader, nwOwner, `/payments/${p!.id}`, { paymentId: p!.id });
    expect(own.body.payment.id).toBe(p!.id);
  });

  it("payment detail: refundable amount, refunds and ledger lines as stored; the refund form only for refund roles", async () => {
    const [p] = await rows<{ id: string; amount: string; amount_refunded: string }>(
      t.db,
      sql`select id, amount::text as amount, amount_refunded::text as amount_refunded from payments
          where merchant_id = ${COFFEE.id} and status = 'captured' and amount_refunded > 0 and amount_refunded < amount limit 1`,
    );
    const s = await load(paymentLoader, support, `/payments/${p!.id}`, { paymentId: p!.id });
    expect(s.body.refund.allowed).toBe(true);
    expect(s.body.refund.refundable).toBe((BigInt(p!.amount) - BigInt(p!.amount_refunded)).toString());
    expect(s.body.refund.limit).toBe("20000000");
    const [lines] = await rows<{ n: string; net: string }>(
      t.db,
      sql`select count(*)::text as n, sum(net)::text as net from ledger_transactions
          where merchant_id = ${COFFEE.id} and (source_id = ${p!.id} or source_id in (select id from refunds where payment_id = ${p!.id}))`,
    );
    expect(s.body.ledger).toHaveLength(Number(lines!.n));
    expect(s.body.ledger.reduce((x: bigint, l: { net: string }) => x + BigInt(l.net), 0n).toString()).toBe(lines!.net);
    const a = await load(paymentLoader, accountant, `/payments/${p!.id}`, { paymentId: p!.id });
    expect(a.body.refund.allowed).toBe(false);
  });
});

describe("Refunds, payouts and terminals loaders", () => {
  it("refunds: totals per filter match SQL", async () => {
    const { body } = await load(refundsLoader, accountant, "/refunds?status=succeeded&range=90d");
    const from = localDateKey(addLocalDays(new Date(), -89, COFFEE.tz), COFFEE.tz);
    const [o] = await rows<{ n: string; s: string }>(
      t.db,
      sql`select count(*)::text as n, coalesce(sum(amount), 0)::text as s from refunds where merchant_id = ${COFFEE.id}
          and status = 'succeeded' and (created_at at time zone 'Asia/Tehran')::date >= ${from}::date`,
    );
    expect(body.totals.count).toBe(Number(o!.n));
    expect(body.totals.amount).toBe(o!.s);
  });

  it("payouts: list totals and a payout whose items add up to it", async () => {
    const list = await load(payoutsLoader, accountant, "/payouts?status=paid");
    const [o] = await rows<{ n: string; s: string }>(
      t.db,
      sql`select count(*)::text as n, coalesce(sum(amount), 0)::text as s from payouts where merchant_id = ${COFFEE.id} and status = 'paid'`,
    );
    expect(list.body.totals.count).toBe(Number(o!.n));
    expect(list.body.totals.amount).toBe(o!.s);
    const first = list.body.rows[0];
    const detail = await load(payoutLoader, accountant, `/payouts/${first.id}`, { payoutId: first.id });
    expect(detail.body.summary.net).toBe(first.amount);
    const [items] = await rows<{ n: string; net: string; fees: string }>(
      t.db,
      sql`select count(*)::text as n, sum(lt.net)::text as net, sum(lt.fee)::text as fees from payout_items pi
          join ledger_transactions lt on lt.merchant_id = pi.merchant_id and lt.id = pi.ledger_transaction_id
          where pi.merchant_id = ${COFFEE.id} and pi.payout_id = ${first.id}`,
    );
    expect(detail.body.summary.itemCount).toBe(Number(items!.n));
    expect(detail.body.summary.net).toBe(items!.net);
    expect(detail.body.summary.fees).toBe(items!.fees);
    expect(detail.body.csvHref).toBe(`/reports/payout-reconciliation.csv?payout=${first.id}`);
    const viewerDetail = await load(payoutLoader, viewer, `/payouts/${first.id}`, { payoutId: first.id });
    expect(viewerDetail.body.csvHref).toBeNull();
  });

  it("terminals: owners only; today's sales per terminal from the rollup match payments", async () => {
    expect((await thrown(terminalsLoader, accountant, "/terminals")).status).toBe(403);
    const { body } = await load(terminalsLoader, owner, "/terminals");
    const today = localDateKey(new Date(), COFFEE.tz);
    const o = await rows<{ terminal_id: string; gross: string }>(
      t.db,
      sql`select terminal_id, sum(amount)::text as gross from payments where merchant_id = ${COFFEE.id} and status = 'captured'
          and (captured_at at time zone 'Asia/Tehran')::date = ${today}::date group by terminal_id`,
    );
    for (const term of body.terminals) {
      expect(term.todayGross, term.id).toBe(o.find((x) => x.terminal_id === term.id)?.gross ?? "0");
    }
  });
});
