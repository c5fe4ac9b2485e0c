/**
 * The rollups the hot pages read (sales_daily, sales_daily_totals, sales_monthly,
 * ledger_balances_daily, payout_item_totals, payments_daily, payments_monthly), all kept by
 * triggers on the rows, stay equal to what the rows themselves say, through the app's own
 * writes: payments made, declined, captured later, voided, refunded (in part, in full,
 * failing), and paid out; also under concurrent writes of one merchant on a real server,
 * where they spread over slots. And balances read through the rollup equal the sum of
 * every posting, at any instant.
 */
import { sql } from "drizzle-orm";
import { db, rows } from "../../../db/client.server";
import { batchStats } from "../../../db/batch.server";
import { rebuildDerivedRollups } from "../../../app/demo/copy";
import { capturePayment, createPayment, voidPayment } from "~/modules/payments/payments.server";
import { issueRefund } from "~/modules/refunds/refunds.server";
import { runPayoutEngine } from "~/modules/settlements/engine.server";
import { getBalances } from "~/modules/ledger/ledger.server";
import { listPayments, paymentListQuerySchema } from "~/modules/payments/list.server";
import { localDateKey } from "~/lib/dates/zones";
import { CARD, card, fastSandbox, makeMerchant } from "../payments/fixtures";
import { addAccount, GOOD_SHEBA } from "../settlements/helpers";
import { demoSeededAt, useTestDatabase } from "../../support/db";

const t = useTestDatabase({ seed: "demo" });
beforeAll(() => fastSandbox());

const SALES = ["attempt_count", "captured_count", "captured_amount", "declined_count", "fee_amount", "refund_count", "refunded_amount"];
/** Each derived table: its key, and its measures. */
const DERIVED: Record<string, [string, string[]]> = {
  sales_daily: ["merchant_id, day, terminal_id, card_brand, issuer_bank, card_funding, currency", SALES],
  sales_daily_totals: ["merchant_id, currency, day", SALES],
  sales_monthly: ["merchant_id, month, terminal_id, card_brand, issuer_bank, card_funding, currency", SALES],
  ledger_balances_daily: ["merchant_id, currency, account, day", ["amount"]],
  payout_item_totals: ["merchant_id, payout_id, category", ["item_count", "gross", "fee", "net"]],
  payments_daily: ["merchant_id, day, status, terminal_id, currency", ["payment_count", "amount", "amount_refunded"]],
  payments_monthly: ["merchant_id, month, status, terminal_id, currency", ["payment_count", "amount", "amount_refunded"]],
};

/**
 * Every rollup as text in key order, its slots summed (what every reader sees). Keys whose
 * measures are all zero are left out: a trigger may leave one behind (a payment's old
 * status), a rebuild never does.
 */
async function snapshot(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [table, [key, measures]] of Object.entries(DERIVED)) {
    const sums = measures.map((m) => `sum(${m})`);
    const r = await rows<{ line: string }>(
      db(),
      sql.raw(`select row(${key}, ${sums.join(", ")})::text as line from ${table} x group by ${key}
        having not (${sums.map((m) => `${m} = 0`).join(" and ")}) order by ${key}`),
    );
    out[table] = r.map((x) => x.line);
  }
  return out;
}

describe("derived rollups", () => {
  it("stay equal to a rebuild from the rows through payments, captures, voids, refunds and payouts", async () => {
    for (const currency of ["IRR", "USD"] as const) {
      const m = await makeMerchant({ currency });
      await addAccount(m.scope, currency, currency === "IRR" ? GOOD_SHEBA : "000123456789", new Date(Date.now() - 86400_000));
      const ids: string[] = [];
      for (const [i, number] of [CARD.approve, CARD.approve, CARD.insufficient, CARD.approve, CARD.refundFails, CARD.approve].entries()) {
        const r = await createPayment(m.scope, { amount: BigInt(10_000 + i * 1_000), currency, card: card(number), capture: i !== 3 }, { terminalId: m.terminalId });
        expect(r.ok).toBe(true);
        if (r.ok) ids.push(r.payment.id);
      }
      expect((await capturePayment(m.scope, ids[3]!)).ok).toBe(true);
      const other = await createPayment(m.scope, { amount: 7_000n, currency, card: card(CARD.approve), capture: false }, { terminalId: m.terminalId });
      if (other.ok) await voidPayment(m.scope, other.payment.id);
      await issueRefund(m.scope, { paymentId: ids[0]!, amount: 3_000n, actor: { kind: "system" } });
      await issueRefund(m.scope, { paymentId: ids[0]!, actor: { kind: "system" } });
      await issueRefund(m.scope, { paymentId: ids[4]!, amount: 1_000n, actor: { kind: "system" } });
      // The payments are on the real clock (createPayment's default), so the payout run is too.
      // Three weeks on, a payout is due whatever today is: five days on, a run started in the
      // first days of Nowruz (13 days with its weekends) found nothing due and paid nothing out.
      await runPayoutEngine({ now: new Date(Date.now() + 21 * 86400_000), merchantIds: [m.merchantId] });
    }

    // The sequence did reach every trigger: items paid out and a refund that failed.
    const [reach] = await rows<{ items: string; failed: string }>(
      db(),
      sql`select (select count(*) from payout_items where merchant_id like 'mer_t%')::text as items,
            (select count(*) from refunds where merchant_id like 'mer_t%' and status = 'failed')::text as failed`,
    );
    expect(Number(reach!.items)).toBeGreaterThan(0);
    expect(Number(reach!.failed)).toBeGreaterThan(0);

    const kept = await snapshot();
    expect(Object.values(kept).every((r) => r.length > 0)).toBe(true);
    // The same check in the database's own words (the demo's history included, whose
    // sales_daily the generator wrote by the rules of rollup.ts): nothing differs.
    expect(await rows(db(), sql`select * from rollup_discrepancies()`)).toEqual([]);
    await db().execute(sql`select rebuild_rollups_from_rows()`);
    expect(await snapshot()).toEqual(kept);
    await rebuildDerivedRollups(db());
    expect(await snapshot()).toEqual(kept);
  });

  it.runIf(t.realServer)("stay equal to the rows after one merchant's concurrent payments, refunds and declines", async () => {
    // 60 payments from 16 concurrent callers through the app's own functions (the pool has
    // 20 connections, so as many backends and slots), then refunds and declines beside
    // more payments; every write of one merchant's same local day.
    const m = await makeMerchant({ currency: "IRR" });
    const batched = batchStats.items - batchStats.batches;
    const pay = (number: string, i: number) =>
      createPayment(m.scope, { amount: BigInt(50_000 + i * 100), currency: "IRR", card: card(number) }, { terminalId: m.terminalId });
    const lanes = async (n: number, work: (i: number) => Promise<unknown>) => {
      let next = 0;
      await Promise.all(Array.from({ length: 16 }, async () => {
        for (let i = next++; i < n; i = next++) await work(i);
      }));
    };
    const paid: string[] = [];
    await lanes(60, async (i) => {
      const r = await pay(CARD.approve, i);
      if (r.ok) paid.push(r.payment.id);
    });
    expect(paid).toHaveLength(60);
    await lanes(60, async (i) => {
      if (i % 3 === 0) await issueRefund(m.scope, { paymentId: paid[i]!, amount: 1_000n, actor: { kind: "system" } });
      else if (i % 3 === 1) await pay(CARD.insufficient, i);
      else {
        const r = await pay(CARD.refundFails, i);
        if (r.ok) await issueRefund(m.scope, { paymentId: r.payment.id, actor: { kind: "system" } });
      }
    });

    expect(await rows(db(), sql`select * from rollup_discrepancies(${m.merchantId})`)).toEqual([]);
    // It was concurrent: today's figures were added into more than one slot.
    const [spread] = await rows<{ slots: string; attempts: string; refunds: string }>(
      db(),
      sql`select count(*)::text as slots, sum(attempt_count)::text as attempts, sum(refund_count)::text as refunds
          from sales_daily_totals where merchant_id = ${m.merchantId}`,
    );
    expect(Number(spread!.slots)).toBeGreaterThan(1);
    // And payments shared transactions (db/batch.server.ts): some batches held more than one.
    expect(batchStats.items - batchStats.batches).toBeGreaterThan(batched);
    // 60 + 20 declined + 20 whose refunds fail; 20 refunds stand, 20 failed and were taken back.
    expect(spread!.attempts).toBe("100");
    expect(spread!.refunds).toBe("20");
  });

  it("give the balances of every posting at any instant", async () => {
    for (const merchantId of ["mer_demo_coffee", "mer_northwind"]) {
      const [{ currency }] = (await rows<{ currency: string }>(db(), sql`select currency from merchants where id = ${merchantId}`)) as [{ currency: string }];
      for (const offsetDays of [-400, -30.3, -1.5, -0.2, 0, 0.7, 3]) {
        const at = new Date(demoSeededAt().getTime() + offsetDays * 86400_000);
        const b = await getBalances({ merchantId }, currency, { at });
        const [raw] = await rows<{ pending: string; available: string; in_transit: string; paid_out: string }>(
          db(),
          sql`select
                coalesce(sum(amount) filter (where account = 'merchant_balance' and available_on > ${at.toISOString()}::timestamptz), 0)::text as pending,
                coalesce(sum(amount) filter (where account = 'merchant_balance' and available_on <= ${at.toISOString()}::timestamptz), 0)::text as available,
                coalesce(sum(amount) filter (where account = 'merchant_in_transit'), 0)::text as in_transit,
                coalesce(sum(amount) filter (where account = 'bank_paid_out'), 0)::text as paid_out
              from ledger_entries where merchant_id = ${merchantId} and currency = ${currency}`,
        );
        expect({ pending: b.pending.toString(), available: b.available.toString(), in_transit: b.inTransit.toString(), paid_out: b.paidOut.toString() }).toEqual(raw);
      }
    }
  });

  it("give the payments list's totals for any range of whole days, from whole months and the days around them", async () => {
    const scope = { merchantId: "mer_demo_coffee", timeZone: "Asia/Tehran", currency: "IRR" };
    const now = demoSeededAt();
    const day = (offset: number) => localDateKey(new Date(now.getTime() + offset * 86400_000), scope.timeZone);
    const cases: Record<string, string>[] = [
      {},
      { range: "7d" },
      { range: "90d", status: "captured" },
      { from: day(-100), to: day(-20) },
      { from: day(-45) },
      { to: day(-33), terminal: "term_coffee_web" },
      { from: day(-61), to: day(-60), status: "declined" },
    ];
    for (const c of cases) {
      const filter = paymentListQuerySchema.parse(new URLSearchParams(c));
      const { totals } = await listPayments(scope, filter, now);
      expect(totals.capped).toBe(false);
      const from = filter.from ?? (filter.range === "7d" ? day(-6) : filter.range === "90d" ? day(-89) : null);
      const [raw] = await rows<{ n: string; amount: string; refunded: string }>(
        db(),
        sql`select count(*)::text as n, coalesce(sum(amount), 0)::text as amount, coalesce(sum(amount_refunded), 0)::text as refunded
            from payments where merchant_id = ${scope.merchantId}
              and (${from}::date is null or (created_at at time zone 'Asia/Tehran')::date >= ${from}::date)
              and (${filter.to ?? null}::date is null or (created_at at time zone 'Asia/Tehran')::date <= ${filter.to ?? null}::date)
              and (${c.status ?? null}::text is null or status::text = ${c.status ?? null})
              and (${c.terminal ?? null}::text is null or terminal_id = ${c.terminal ?? null})`,
      );
      expect({ n: String(totals.count), amount: totals.amount.toString(), refunded: totals.refunded.toString() }, JSON.stringify(c)).toEqual(raw);
    }
  });
});
