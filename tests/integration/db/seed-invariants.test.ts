import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rows } from "../../../db/client.server";
import { generateMerchantLedger } from "../../../app/demo/generate";
import { COFFEE, NORTHWIND } from "../../../app/demo/merchants";
import { calendarFor } from "../../../app/demo/seed";
import { overviewQuerySchema, resolveOverviewRange } from "~/modules/reporting/overview/range.server";
import { salesReport } from "~/modules/reporting/overview/report.server";
import { addLocalDays, localDateKey, startOfLocalDay } from "~/lib/dates/zones";
import { demoSeededAt, useTestDatabase } from "../../support/db";

const t = useTestDatabase({ seed: "demo" });

describe("the generated demo ledger holds every invariant", () => {
  it("has both merchants with payments, refunds, payouts and pending payments", async () => {
    const counts = await rows<{ merchant_id: string; payments: number; refunds: number; payouts: number }>(
      t.db,
      sql`select m.id as merchant_id,
            (select count(*)::int from payments p where p.merchant_id = m.id) as payments,
            (select count(*)::int from refunds r where r.merchant_id = m.id) as refunds,
            (select count(*)::int from payouts o where o.merchant_id = m.id) as payouts
          from merchants m order by m.id`,
    );
    expect(counts.map((c) => c.merchant_id)).toEqual(["mer_demo_coffee", "mer_northwind"]);
    for (const c of counts) {
      expect(c.payments).toBeGreaterThan(400);
      expect(c.refunds).toBeGreaterThan(3);
      expect(c.payouts).toBeGreaterThan(50);
    }
  });

  it("balances every ledger transaction per currency", async () => {
    const bad = await rows(
      t.db,
      sql`select merchant_id, transaction_id, currency, sum(amount) from ledger_entries
          group by 1, 2, 3 having sum(amount) <> 0`,
    );
    expect(bad).toEqual([]);
  });

  it("gives every ledger transaction its postings, and net equals its effect on the merchant balance", async () => {
    const bad = await rows(
      t.db,
      sql`select t.merchant_id, t.id, t.category, t.net::text,
                 coalesce(sum(e.amount) filter (where e.account = 'merchant_balance'), 0)::text as balance_effect,
                 count(e.*) as postings
          from ledger_transactions t left join ledger_entries e on e.merchant_id = t.merchant_id and e.transaction_id = t.id
          group by t.merchant_id, t.id, t.category, t.net
          having count(e.*) = 0 or t.net <> coalesce(sum(e.amount) filter (where e.account = 'merchant_balance'), 0)`,
    );
    expect(bad).toEqual([]);
  });

  it("makes every payout equal the sum of its items, to the last rial or cent", async () => {
    const bad = await rows(
      t.db,
      sql`select p.merchant_id, p.id, p.amount::text, coalesce(sum(t.net), 0)::text as items
          from payouts p
          left join payout_items i on i.merchant_id = p.merchant_id and i.payout_id = p.id
          left join ledger_transactions t on t.merchant_id = i.merchant_id and t.id = i.ledger_transaction_id
          group by p.merchant_id, p.id, p.amount
          having p.amount <> coalesce(sum(t.net), 0)`,
    );
    expect(bad).toEqual([]);
  });

  it("keeps amount_refunded equal to the sum of succeeded refunds", async () => {
    const bad = await rows(
      t.db,
      sql`select p.merchant_id, p.id from payments p
          left join refunds r on r.merchant_id = p.merchant_id and r.payment_id = p.id and r.status = 'succeeded'
          group by p.merchant_id, p.id, p.amount_refunded
          having p.amount_refunded <> coalesce(sum(r.amount), 0)`,
    );
    expect(bad).toEqual([]);
  });

  it("keeps the sales rollup equal to the raw sums", async () => {
    const [rollup] = await rows<{ attempts: string; captured: string; captured_amount: string; fees: string; refunded: string }>(
      t.db,
      sql`select sum(attempt_count)::text as attempts, sum(captured_count)::text as captured,
                 sum(captured_amount)::text as captured_amount, sum(fee_amount)::text as fees, sum(refunded_amount)::text as refunded
          from sales_daily where merchant_id = 'mer_demo_coffee'`,
    );
    const [raw] = await rows<{ attempts: string; captured: string; captured_amount: string; fees: string; refunded: string }>(
      t.db,
      sql`select count(*)::text as attempts, (count(*) filter (where status = 'captured'))::text as captured,
                 coalesce(sum(amount) filter (where status = 'captured'), 0)::text as captured_amount,
                 coalesce(sum(fee), 0)::text as fees,
                 (select coalesce(sum(amount), 0) from refunds where merchant_id = 'mer_demo_coffee' and status = 'succeeded')::text as refunded
          from payments where merchant_id = 'mer_demo_coffee'`,
    );
    expect(rollup).toEqual(raw);
    // And per local day: the rollup's day is the merchant's calendar day of the capture.
    const dayMismatch = await rows(
      t.db,
      sql`with raw as (
            select (captured_at at time zone 'Asia/Tehran')::date as day, sum(amount) as amount
            from payments where merchant_id = 'mer_demo_coffee' and status = 'captured' group by 1
          ), roll as (
            select day, sum(captured_amount) as amount from sales_daily where merchant_id = 'mer_demo_coffee' group by 1 having sum(captured_amount) > 0
          )
          select coalesce(raw.day, roll.day) as day from raw full join roll on raw.day = roll.day
          where raw.amount is distinct from roll.amount`,
    );
    expect(dayMismatch).toEqual([]);
  });

  it("shows Overview figures equal to an independent sum over the ledger's charges", async () => {
    const now = demoSeededAt();
    const tz = "Asia/Tehran";
    const range = resolveOverviewRange(tz, overviewQuerySchema.parse(new URLSearchParams({ range: "30d" })), now);
    const overview = await salesReport({ merchantId: "mer_demo_coffee", currency: "IRR", timeZone: tz }, range);
    const from = addLocalDays(startOfLocalDay(now, tz), -29, tz);
    const [ledger] = await rows<{ gross: string; n: string }>(
      t.db,
      sql`select coalesce(sum(gross), 0)::text as gross, count(*)::text as n from ledger_transactions
          where merchant_id = 'mer_demo_coffee' and category = 'charge' and created_at >= ${from.toISOString()}::timestamptz`,
    );
    expect(overview.current.totals.gross.toString()).toBe(ledger!.gross);
    expect(overview.current.totals.capturedCount).toBe(Number(ledger!.n));
    expect(range.fromDay).toBe(localDateKey(from, tz));
  });
});

describe("the generator is deterministic", () => {
  it("gives the same rows and totals for the same seed, and different ones for another seed", () => {
    const now = new Date("2026-06-15T12:00:00Z");
    const make = (spec: typeof COFFEE, seed: number) =>
      generateMerchantLedger(spec, {
        seed,
        payments: 800,
        days: 60,
        now,
        calendar: calendarFor(spec),
        bankAccountId: "ba_x",
        bankAccountMask: "•••• 0000",
        refundUserIds: ["usr_x"],
      });
    for (const spec of [COFFEE, NORTHWIND]) {
      const a = make(spec, 7);
      const b = make(spec, 7);
      const c = make(spec, 8);
      const total = (g: typeof a) => g.ledger.reduce((s, x) => s + (x.category === "charge" ? x.gross : 0n), 0n);
      expect(a.payments.map((p) => p.id)).toEqual(b.payments.map((p) => p.id));
      expect(total(a)).toBe(total(b));
      expect(a.payouts.map((p) => p.amount)).toEqual(b.payouts.map((p) => p.amount));
      expect(total(c)).not.toBe(total(a));
    }
  });
});
