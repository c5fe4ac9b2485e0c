/**
 * The Overview's subscription figures against independent SQL written here, over a
 * simulated stretch of renewals with every kind of subscription: monthly, yearly, weekly
 * and quarterly plans, quantities, a trial, a paused one, failing cards (some recovered by
 * a new card, some run to the end of dunning and canceled), one canceled by staff.
 */
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { db, rows } from "~db/client.server";
import * as overviewRoute from "~/routes/_app._index/route";
import { simulateUntil } from "~/server/scheduler";
import { sandboxProcessor } from "~/modules/processors/sandbox-processor.server";
import { attachPaymentMethod, mandateText } from "~/modules/subscriptions/customers.server";
import { updateSubscriptionCard } from "~/modules/subscriptions/renewals.server";
import { cancelSubscription, createPlan, createSubscription, pauseSubscription } from "~/modules/subscriptions/subscriptions.server";
import { useTestDatabase } from "../../support/db";
import { createUser } from "../../support/fixtures";
import { as, signIn, type SignedIn } from "../../support/auth";
import { card, CARD, fastSandbox, makeMerchant, type TestMerchant } from "../payments/fixtures";
import { customerWithCard } from "./helpers";

useTestDatabase({ seed: "none" });
fastSandbox();

const RENEWALS_FAIL = "6037990000004412"; // Shetab: approved with the cardholder, every renewal declined
const START = new Date("2025-03-21T06:30:00Z"); // 1 Farvardin 1404, 10:00 Tehran
const END = new Date("2025-09-23T00:00:00Z");

let m: TestMerchant;
let owner: SignedIn;
let emptyOwner: SignedIn;

async function plan(name: string, amount: string, interval: string, intervalCount = 1, trialDays = 0) {
  const p = await createPlan(m.scope, { name, amount, interval, intervalCount, trialDays }, { now: START });
  if (!p.ok) throw new Error(p.error.message);
  return p.plan;
}

async function sub(planId: string, number: string, at: Date, quantity = 1, name = "C") {
  const { customer, paymentMethod } = await customerWithCard(m, number, at, `${name} ${Math.random().toString(36).slice(2, 6)}`);
  const s = await createSubscription(m.scope, { customerId: customer.id, planId, paymentMethodId: paymentMethod.id, quantity, startAt: at }, { now: at });
  if (!s.ok) throw new Error(s.error.message);
  return { subscription: s.subscription, customer };
}

beforeAll(async () => {
  m = await makeMerchant({ currency: "IRR" });
  const u = await createUser({ email: "owner@subs-overview.test", memberships: [{ merchantId: m.merchantId, role: "owner" }] });
  owner = await signIn(u.email);
  const other = await makeMerchant({ currency: "IRR" });
  const u2 = await createUser({ email: "owner@no-plans.test", memberships: [{ merchantId: other.merchantId, role: "owner" }] });
  emptyOwner = await signIn(u2.email);

  const box = await plan("Coffee box", "1500000", "month");
  const year = await plan("Yearly", "120000000", "year");
  const week = await plan("Weekly", "300000", "week");
  const quarter = await plan("Quarterly", "4000000", "month", 3);
  const trial = await plan("Trial box", "1000000", "month", 1, 30);

  const day = (n: number) => new Date(START.getTime() + n * 86_400_000);
  for (let i = 0; i < 6; i++) await sub(box.id, CARD.approveIr, day(i * 20), 1 + (i % 3));
  await sub(year.id, CARD.approveIr, day(10));
  await sub(week.id, CARD.approveIr, day(15), 2);
  await sub(quarter.id, CARD.approveIr, day(40));
  await sub(trial.id, CARD.approveIr, day(170)); // still in its trial at the end
  const paused = await sub(box.id, CARD.approveIr, day(5));
  const canceled = await sub(box.id, CARD.approveIr, day(7));
  // Failing renewals: two run to the end of dunning (canceled), two are recovered by a new card.
  await sub(box.id, RENEWALS_FAIL, day(30));
  await sub(box.id, RENEWALS_FAIL, day(95));
  const recovered = [await sub(box.id, RENEWALS_FAIL, day(50), 2), await sub(week.id, RENEWALS_FAIL, day(120))];

  // Each customer of a recovered subscription saves a good card after three declines; it pays the open invoice at once.
  const recover = (r: (typeof recovered)[number]) => async (at: Date) => {
    const t = await sandboxProcessor.tokenize(card(CARD.approveIr));
    if (!t.ok) throw new Error(t.message);
    const pm = await attachPaymentMethod(m.scope, { customerId: r.customer.id, token: t.card.token, mandate: { text: mandateText("Test", "fa"), locale: "fa", acceptedAt: at } }, { now: at });
    if (!pm.ok) throw new Error(pm.error.message);
    expect((await updateSubscriptionCard(m.scope, r.subscription.id, pm.paymentMethod.id, at)).ok).toBe(true);
  };
  const timeline: [Date, (at: Date) => Promise<void>][] = [
    [day(53.5), recover(recovered[0]!)],
    [day(60), async (at) => void expect((await pauseSubscription(m.scope, paused.subscription.id, { now: at })).ok).toBe(true)],
    [day(60), async (at) => void expect((await cancelSubscription(m.scope, canceled.subscription.id, { atPeriodEnd: false, now: at })).ok).toBe(true)],
    [day(123.5), recover(recovered[1]!)],
    [END, async () => {}],
  ];
  let cursor = START;
  for (const [at, act] of timeline) {
    await simulateUntil({ from: cursor, until: at, merchantIds: [m.merchantId] });
    await act(at);
    cursor = at;
  }
}, 240_000);

async function overview(user: SignedIn, query: string) {
  const res = (await overviewRoute.loader({ request: as(user, `/?${query}`), params: {}, context: {} } as never)) as Response;
  expect(res.status).toBe(200);
  return res.json();
}

/** The same figures, written independently: SQL only, the normalization to a month spelled out in SQL. */
async function independent(from: string, to: string) {
  const tz = "Asia/Tehran";
  const [r] = await rows<Record<string, string>>(
    db(),
    sql`with rng as (select (${from}::date::timestamp at time zone ${tz}) as f, ((${to}::date + 1)::timestamp at time zone ${tz}) as t)
        select
          (select coalesce(sum(case s.interval
                    when 'month' then (p.amount * s.quantity) / s.interval_count
                    when 'year' then (p.amount * s.quantity) / (12 * s.interval_count)
                    when 'week' then (p.amount * s.quantity * 52) / (12 * s.interval_count) end), 0)
             from subscriptions s join plans p on p.merchant_id = s.merchant_id and p.id = s.plan_id
             where s.merchant_id = ${m.merchantId} and s.status in ('active', 'past_due'))::text as mrr,
          (select count(*) from subscriptions where merchant_id = ${m.merchantId} and status in ('active', 'past_due'))::text as active,
          (select count(*) from subscriptions where merchant_id = ${m.merchantId} and status = 'past_due')::text as past_due,
          (select count(*) from subscriptions where merchant_id = ${m.merchantId} and status = 'trialing')::text as trialing,
          (select count(*) from subscriptions, rng where merchant_id = ${m.merchantId} and start_at >= rng.f and start_at < rng.t)::text as new_count,
          (select count(*) from subscriptions, rng where merchant_id = ${m.merchantId} and status = 'canceled' and ended_at >= rng.f and ended_at < rng.t)::text as churned,
          (select count(*) from invoices i, rng where i.merchant_id = ${m.merchantId}
             and (select min(p.created_at) from payments p where p.merchant_id = i.merchant_id and p.invoice_id = i.id and p.status = 'declined') >= rng.f
             and (select min(p.created_at) from payments p where p.merchant_id = i.merchant_id and p.invoice_id = i.id and p.status = 'declined') < rng.t)::text as failed,
          (select count(*) from invoices i, rng where i.merchant_id = ${m.merchantId} and i.status = 'paid' and i.paid_at >= rng.f and i.paid_at < rng.t
             and exists (select 1 from payments p where p.merchant_id = i.merchant_id and p.invoice_id = i.id and p.status = 'declined'))::text as recovered,
          (select coalesce(sum(pay.amount), 0) from invoices i join payments pay on pay.merchant_id = i.merchant_id and pay.id = i.payment_id, rng
             where i.merchant_id = ${m.merchantId} and i.status = 'paid' and pay.captured_at >= rng.f and pay.captured_at < rng.t
             and exists (select 1 from payments p where p.merchant_id = i.merchant_id and p.invoice_id = i.id and p.status = 'declined'))::text as recovered_amount`,
  );
  return r!;
}

describe("the Overview's subscription figures", () => {
  it("equal independent SQL over subscriptions, invoices and their payments, for the whole stretch and for one Jalali month", async () => {
    for (const [from, to] of [
      ["2025-03-21", "2025-09-22"],
      ["2025-06-22", "2025-07-22"], // Tir 1404
      ["2025-04-21", "2025-05-21"], // Ordibehesht 1404
    ] as const) {
      const data = await overview(owner, `from=${from}&to=${to}`);
      const want = await independent(from, to);
      const s = data.subscriptions;
      expect({ from, mrr: s.mrr, active: s.active, pastDue: s.pastDue, trialing: s.trialing, ...s.current }).toEqual({
        from,
        mrr: want.mrr,
        active: Number(want.active),
        pastDue: Number(want.past_due),
        trialing: Number(want.trialing),
        newCount: Number(want.new_count),
        churnedCount: Number(want.churned),
        failedRenewals: Number(want.failed),
        recoveredCount: Number(want.recovered),
        recoveredAmount: want.recovered_amount,
      });
    }
    // What the story above makes them, so neither side can be trivially zero.
    const all = (await overview(owner, "from=2025-03-21&to=2025-09-22")).subscriptions;
    expect(all.current.newCount).toBe(16);
    expect(all.current.churnedCount).toBe(3); // staff cancel + two dunning runs to the end
    expect(all.current.failedRenewals).toBe(4);
    expect(all.current.recoveredCount).toBe(2);
    expect(all.current.recoveredAmount).toBe(String(2n * 1_500_000n + 300_000n));
    expect(all.trialing).toBe(1);
    // Six coffee boxes (quantities 1,2,3,1,2,3) and the recovered one (2), a yearly, 2 weekly, a quarterly and the recovered weekly.
    const mrr = (1n + 2n + 3n + 1n + 2n + 3n + 2n) * 1_500_000n + 120_000_000n / 12n + (2n * 300_000n * 52n) / 12n + 4_000_000n / 3n + (300_000n * 52n) / 12n;
    expect(all.mrr).toBe(mrr.toString());
    expect(all.active).toBe(11);
  });

  it("MRR of monthly subscriptions equals their current period's invoices", async () => {
    const [r] = await rows<{ invoiced: string; mrr: string }>(
      db(),
      sql`select coalesce(sum(i.amount), 0)::text as invoiced,
            (select coalesce(sum(p.amount * s2.quantity), 0) from subscriptions s2 join plans p on p.merchant_id = s2.merchant_id and p.id = s2.plan_id
               where s2.merchant_id = ${m.merchantId} and s2.status in ('active', 'past_due') and s2.interval = 'month' and s2.interval_count = 1)::text as mrr
          from subscriptions s join invoices i on i.merchant_id = s.merchant_id and i.subscription_id = s.id and i.period_index = s.current_period_index
          where s.merchant_id = ${m.merchantId} and s.status in ('active', 'past_due') and s.interval = 'month' and s.interval_count = 1`,
    );
    expect(r!.invoiced).toBe(r!.mrr);
    expect(BigInt(r!.mrr)).toBeGreaterThan(0n);
  });

  it("a merchant without plans sees no subscription figures", async () => {
    const data = await overview(emptyOwner, "range=30d");
    expect(data.subscriptions).toBeNull();
  });
});
