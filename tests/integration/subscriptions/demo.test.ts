/**
 * The demo's subscriptions (app/demo/subscriptions.ts): the story is there (customers over
 * the year, failing renewals, some recovered by a retry, some churned), it obeys the same
 * rules the renewal job keeps, and the job continues it: simulating the next weeks bills each
 * due period once, on the anchor's Jalali day.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db, rows } from "~db/client.server";
import { billingPeriod } from "~/lib/billing-calendar";
import { simulateUntil } from "~/server/scheduler";
import { demoSeededAt, useTestDatabase } from "../../support/db";
import { fastSandbox, ledgerReport } from "../payments/fixtures";

useTestDatabase({ seed: "demo" });
fastSandbox();

const COFFEE = "mer_demo_coffee";

async function invariants(merchantId: string) {
  return rows<{ problem: string; n: number }>(
    db(),
    sql`select 'period billed twice' as problem, count(*)::int as n from (select subscription_id, period_start from invoices where merchant_id = ${merchantId} group by 1, 2 having count(*) > 1) d
        union all
        select 'paid invoice without exactly one captured payment', count(*)::int from invoices i where i.merchant_id = ${merchantId} and i.status = 'paid'
          and (select count(*) from payments p where p.merchant_id = i.merchant_id and p.invoice_id = i.id and p.status = 'captured') <> 1
        union all
        select 'unpaid invoice with a captured payment', count(*)::int from invoices i where i.merchant_id = ${merchantId} and i.status <> 'paid'
          and exists (select 1 from payments p where p.merchant_id = i.merchant_id and p.invoice_id = i.id and p.status = 'captured')
        union all
        select 'attempts not numbered 1..n', count(*)::int from invoices i where i.merchant_id = ${merchantId}
          and (select count(*) from payments p where p.merchant_id = i.merchant_id and p.invoice_id = i.id) <> i.attempt_count
        union all
        select 'renewing subscription without its next period', count(*)::int from subscriptions s where s.merchant_id = ${merchantId}
          and s.status in ('active', 'past_due') and (s.next_renewal_at is null or s.next_renewal_at <> s.current_period_end)`,
  );
}

describe("the demo's subscriptions", () => {
  it("Demo Coffee's Jalali coffee box: customers over the year, failures, recoveries and churn, each period billed once", async () => {
    const [plan] = await rows<{ calendar: string; interval: string }>(db(), sql`select calendar, interval from plans where merchant_id = ${COFFEE}`);
    expect(plan).toEqual({ calendar: "persian", interval: "month" });
    const [nw] = await rows<{ interval: string; currency: string }>(db(), sql`select interval, currency from plans where merchant_id = 'mer_northwind'`);
    expect(nw).toEqual({ interval: "year", currency: "USD" });
    const [c] = await rows<{ subs: number; canceled: number; uncollectible: number; recovered: number; failed_attempts: number }>(
      db(),
      sql`select (select count(*)::int from subscriptions where merchant_id = ${COFFEE}) as subs,
            (select count(*)::int from subscriptions where merchant_id = ${COFFEE} and status = 'canceled') as canceled,
            (select count(*)::int from invoices where merchant_id = ${COFFEE} and status = 'uncollectible') as uncollectible,
            (select count(*)::int from invoices where merchant_id = ${COFFEE} and status = 'paid' and first_failed_at is not null) as recovered,
            (select count(*)::int from payments where merchant_id = ${COFFEE} and invoice_id is not null and status = 'declined') as failed_attempts`,
    );
    // The test seed is 120 days: a third of the year's few hundred customers.
    expect(c!.subs).toBeGreaterThan(50);
    expect(c!.canceled).toBeGreaterThan(0);
    expect(c!.uncollectible).toBeGreaterThan(0);
    expect(c!.recovered).toBeGreaterThan(0);
    expect(c!.failed_attempts).toBeGreaterThan(c!.uncollectible);
    // Today: some in dunning with a retry waiting, some in a trial, some paused.
    const now = await rows<{ status: string; n: number }>(
      db(),
      sql`select s.status::text as status, count(*)::int as n from subscriptions s where s.merchant_id = ${COFFEE} and (
            (s.status = 'past_due' and exists (select 1 from invoices i where i.merchant_id = s.merchant_id and i.subscription_id = s.id and i.status = 'open' and i.next_attempt_at > now()))
            or (s.status = 'trialing' and s.trial_end_at > now()) or (s.status = 'paused' and s.paused_at < now())) group by 1 order by 1`,
    );
    expect(Object.fromEntries(now.map((r) => [r.status, r.n > 0]))).toEqual({ past_due: true, paused: true, trialing: true });
    expect(await invariants(COFFEE)).toEqual((await invariants(COFFEE)).map((r) => ({ ...r, n: 0 })));
    // Every invoice is the period billingPeriod gives for its subscription's anchor.
    const list = await rows<{ anchor_at: string; period_index: number; period_start: string; period_end: string }>(
      db(),
      sql`select s.anchor_at, i.period_index, i.period_start, i.period_end from invoices i join subscriptions s on s.merchant_id = i.merchant_id and s.id = i.subscription_id where i.merchant_id = ${COFFEE}`,
    );
    for (const i of list) {
      const p = billingPeriod(new Date(i.anchor_at), { interval: "month", count: 1 }, i.period_index, "Asia/Tehran", "persian");
      expect([new Date(i.period_start).toISOString(), new Date(i.period_end).toISOString()]).toEqual([p.start.toISOString(), p.end.toISOString()]);
    }
  });

  it("the renewal job continues it: the next five weeks bill every due period once and the ledger ties out", async () => {
    const now = demoSeededAt();
    const until = new Date(now.getTime() + 35 * 86_400_000);
    const due = await rows<{ id: string; next_renewal_at: string }>(
      db(),
      sql`select id, next_renewal_at from subscriptions where merchant_id = ${COFFEE} and status in ('active', 'past_due') and next_renewal_at <= ${until.toISOString()}::timestamptz and not cancel_at_period_end`,
    );
    expect(due.length).toBeGreaterThan(10);
    await simulateUntil({ from: now, until, merchantIds: [COFFEE] });
    for (const s of due) {
      const [inv] = await rows<{ n: number }>(db(), sql`select count(*)::int as n from invoices where merchant_id = ${COFFEE} and subscription_id = ${s.id} and period_start = ${new Date(s.next_renewal_at).toISOString()}::timestamptz`);
      // A subscription in dunning whose last retry failed ended before that period (the merchant's choice): nothing to bill.
      const [ended] = await rows<{ n: number }>(db(), sql`select count(*)::int as n from subscriptions where merchant_id = ${COFFEE} and id = ${s.id} and status in ('canceled', 'unpaid') and ended_at <= ${new Date(s.next_renewal_at).toISOString()}::timestamptz`);
      expect(inv!.n, s.id).toBe(ended!.n === 1 ? 0 : 1);
    }
    expect(await invariants(COFFEE)).toEqual((await invariants(COFFEE)).map((r) => ({ ...r, n: 0 })));
    expect((await ledgerReport({ merchantId: COFFEE, currency: "IRR" })).problems).toEqual([]);
  }, 300_000);
});
