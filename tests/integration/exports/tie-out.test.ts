import { sql } from "drizzle-orm";
import { useTestDatabase } from "../../support/db";
import { signIn, type SignedIn } from "../../support/auth";
import { rows } from "../../../db/client.server";
import { addLocalDays, localDateKey, startOfLocalDay } from "../../../app/lib/dates/zones";
import { getBalances } from "../../../app/modules/ledger/ledger.server";
import { listPayments, paymentListQuerySchema } from "../../../app/modules/payments/list.server";
import { listRefunds, refundListQuerySchema } from "../../../app/modules/refunds/list.server";
import { download, minorOf, readCsv } from "./helpers";

/**
 * Every report ties out to the ledger: what an accountant checks before closing the books.
 */
const t = useTestDatabase({ seed: "demo" });

const MERCHANTS = [
  { id: "mer_demo_coffee", email: "accountant@coffee.test", tz: "Asia/Tehran", currency: "IRR", exponent: 0 },
  { id: "mer_northwind", email: "accountant@northwind.test", tz: "America/New_York", currency: "USD", exponent: 2 },
] as const;

const users = {} as Record<string, SignedIn>;
beforeAll(async () => {
  for (const m of MERCHANTS) users[m.id] = await signIn(m.email);
});

describe.each(MERCHANTS)("$id", (m) => {
  it("payout reconciliation: the rows of every payout sum exactly to its amount, in major units", async () => {
    const payouts = await rows<{ id: string; amount: string; items: string; arrival: string }>(
      t.db,
      sql`select p.id, p.amount::text as amount, p.expected_arrival_date::text as arrival,
            (select count(*) from payout_items pi join ledger_transactions lt on lt.merchant_id = pi.merchant_id and lt.id = pi.ledger_transaction_id
              where pi.merchant_id = p.merchant_id and pi.payout_id = p.id and lt.category <> 'payout_paid')::text as items
          from payouts p where p.merchant_id = ${m.id}`,
    );
    expect(payouts.length).toBeGreaterThan(5);
    const first = payouts.map((p) => p.arrival).sort()[0]!;
    const last = payouts.map((p) => p.arrival).sort().at(-1)!;
    const afterLast = localDateKey(addLocalDays(new Date(`${last}T12:00:00Z`), 1, "UTC"), "UTC");
    const d = await download(users[m.id]!, `/reports/payout-reconciliation.csv?arrival_from=${first}&arrival_to=${afterLast}`);
    expect(d.status).toBe(200);
    const { header, records } = readCsv(d.body);
    expect(header).toEqual([
      "payout_id",
      "payout_expected_arrival_date",
      "balance_transaction_id",
      `created (${m.tz})`,
      "created_utc",
      `available_on (${m.tz})`,
      "currency",
      "gross",
      "fee",
      "net",
      "reporting_category",
      "source_id",
      "description",
      "card_brand",
      "card_funding",
      "card_last4",
      "terminal",
    ]);
    const sums = new Map<string, { net: bigint; n: number }>();
    for (const r of records) {
      const s = sums.get(r.payout_id!) ?? { net: 0n, n: 0 };
      s.net += minorOf(r.net!, m.exponent);
      s.n += 1;
      sums.set(r.payout_id!, s);
      // gross - fee = net on every row, and nothing internal leaks in.
      expect(minorOf(r.gross!, m.exponent) - minorOf(r.fee!, m.exponent)).toBe(minorOf(r.net!, m.exponent));
      expect(r.reporting_category).not.toBe("payout_paid");
      expect(r.currency).toBe(m.currency);
    }
    for (const p of payouts) {
      if (Number(p.items) === 0) continue;
      expect(sums.get(p.id), `payout ${p.id}`).toEqual({ net: BigInt(p.amount), n: Number(p.items) });
    }
    expect(records.length).toBe(payouts.reduce((s, p) => s + Number(p.items), 0));
    // The demo ledger has failed payouts whose money went out again in a later payout.
    expect(records.some((r) => r.reporting_category === "payout_failure")).toBe(true);
    expect(records.some((r) => r.reporting_category === "refund" && r.gross!.startsWith("-") && r.card_last4 !== "")).toBe(true);
  });

  it("payout reconciliation of one payout (with a returned payout in it) in minor units", async () => {
    const [p] = await rows<{ id: string; amount: string; failed: string }>(
      t.db,
      sql`select pi.payout_id as id, po.amount::text as amount, lt.payout_id as failed
          from payout_items pi
          join ledger_transactions lt on lt.merchant_id = pi.merchant_id and lt.id = pi.ledger_transaction_id
          join payouts po on po.merchant_id = pi.merchant_id and po.id = pi.payout_id
          where pi.merchant_id = ${m.id} and lt.category = 'payout_failure' limit 1`,
    );
    expect(p, "the demo ledger has a payout carrying a failed payout's money").toBeDefined();
    const d = await download(
      users[m.id]!,
      `/reports/payout-reconciliation.csv?payout=${p!.id}&amounts=minor&columns=balance_transaction_id,reporting_category,net,related_payout_id,payout_id`,
    );
    expect(d.status).toBe(200);
    expect(d.headers.get("content-disposition")).toContain(`payout-${p!.id}`);
    const { header, records } = readCsv(d.body);
    expect(header).toEqual(["balance_transaction_id", "reporting_category", "net_minor", "related_payout_id", "payout_id"]);
    expect(records.reduce((s, r) => s + BigInt(r.net_minor!), 0n)).toBe(BigInt(p!.amount));
    expect(records.every((r) => r.payout_id === p!.id)).toBe(true);
    const failure = records.find((r) => r.reporting_category === "payout_failure")!;
    expect(failure.related_payout_id).toBe(p!.failed);
    expect(failure.related_payout_id).not.toBe(p!.id);
  });

  it("balance summary: opening + activity = closing, periods chain, and the closing balance is getBalances' pending + available", async () => {
    const now = new Date();
    const tomorrow = localDateKey(addLocalDays(startOfLocalDay(now, m.tz), 1, m.tz), m.tz);
    const mid = localDateKey(addLocalDays(now, -40, m.tz), m.tz);
    const start = localDateKey(addLocalDays(now, -90, m.tz), m.tz);
    const summary = async (from: string, to: string) => {
      const d = await download(users[m.id]!, `/reports/balance-summary.csv?from=${from}&to=${to}`);
      expect(d.status).toBe(200);
      const { records } = readCsv(d.body);
      const line = (name: string) => minorOf(records.find((r) => r.line === name)!.amount!, m.exponent);
      const activity = records.filter((r) => r.line !== "opening_balance" && r.line !== "closing_balance");
      expect(activity.map((r) => r.line)).toEqual(["charges", "refunds", "refund_failures", "fees", "adjustments", "payouts", "payout_failures"]);
      const sum = activity.reduce((s, r) => s + minorOf(r.amount!, m.exponent), 0n);
      expect(line("opening_balance") + sum).toBe(line("closing_balance"));
      return { records, opening: line("opening_balance"), closing: line("closing_balance"), line };
    };
    const a = await summary(start, mid);
    const b = await summary(mid, tomorrow);
    expect(b.opening).toBe(a.closing);
    expect(a.line("charges")).toBeGreaterThan(0n);
    expect(a.line("fees")).toBeLessThan(0n);
    expect(b.line("payouts")).toBeLessThan(0n);

    const balances = await getBalances({ merchantId: m.id }, m.currency, { at: now });
    expect(b.closing).toBe(balances.pending + balances.available);

    // The whole history from the first day: the opening balance is zero.
    const all = await summary("2000-01-01", tomorrow);
    expect(all.opening).toBe(0n);
    expect(all.closing).toBe(b.closing);
    // Charges and fees against the payments table.
    const [pay] = await rows<{ gross: string; fee: string; n: string }>(
      t.db,
      sql`select coalesce(sum(amount), 0)::text as gross, coalesce(sum(fee), 0)::text as fee, count(*)::text as n
          from payments where merchant_id = ${m.id} and status = 'captured'`,
    );
    expect(all.line("charges")).toBe(BigInt(pay!.gross));
    expect(all.line("fees")).toBe(-BigInt(pay!.fee));
    expect(all.records.find((r) => r.line === "charges")!.count).toBe(pay!.n);
  });

  it("payments: the export of a filter has the list page's count and sum, across every page", async () => {
    const query = "range=90d&status=captured&status=declined&sort=amount";
    const list = await listPayments(
      { merchantId: m.id, timeZone: m.tz, currency: m.currency },
      paymentListQuerySchema.parse(new URLSearchParams(query)),
    );
    expect(list.totals.count).toBeGreaterThan(100);
    const d = await download(users[m.id]!, `/reports/payments.csv?${query}&limit=25&cursor=&columns=id,amount,status`);
    expect(d.status).toBe(200);
    const { records } = readCsv(d.body);
    expect(records.length).toBe(list.totals.count);
    expect(records.reduce((s, r) => s + minorOf(r.amount!, m.exponent), 0n)).toBe(list.totals.amount);
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    // In the list's order (amount ascending).
    const amounts = records.map((r) => minorOf(r.amount!, m.exponent));
    for (let i = 1; i < amounts.length; i++) expect(amounts[i]! >= amounts[i - 1]!).toBe(true);
  });

  it("refunds: the list's count, and the same sum with the sign of money going out", async () => {
    const query = "status=succeeded";
    const list = await listRefunds({ merchantId: m.id, timeZone: m.tz, currency: m.currency }, refundListQuerySchema.parse(new URLSearchParams(query)));
    const d = await download(users[m.id]!, `/reports/refunds.csv?${query}`);
    const { records } = readCsv(d.body);
    expect(records.length).toBe(list.totals.count);
    expect(records.reduce((s, r) => s + minorOf(r.amount!, m.exponent), 0n)).toBe(-list.totals.amount);
    expect(d.body).toMatch(/,-\d/); // negative amounts are written as bare numbers
  });

  it("payouts: one row per payout, amounts as the bank receives them", async () => {
    const [o] = await rows<{ n: string; s: string }>(t.db, sql`select count(*)::text n, sum(amount)::text s from payouts where merchant_id = ${m.id}`);
    const d = await download(users[m.id]!, "/reports/payouts.csv");
    const { records } = readCsv(d.body);
    expect(records.length).toBe(Number(o!.n));
    expect(records.reduce((s, r) => s + minorOf(r.amount!, m.exponent), 0n)).toBe(BigInt(o!.s));
  });
});
