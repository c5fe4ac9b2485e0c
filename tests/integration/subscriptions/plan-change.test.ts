import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db, rows } from "~db/client.server";
import * as s from "~db/schema";
import { runRenewals } from "~/modules/subscriptions/renewals.server";
import { changePlan, mulDivRound, previewPlanChange } from "~/modules/subscriptions/plan-changes.server";
import { createPlan, getSubscription } from "~/modules/subscriptions/subscriptions.server";
import { useTestDatabase } from "../../support/db";
import { CARD, fastSandbox, ledgerReport, makeMerchant } from "../payments/fixtures";
import { invoiceLedger, subscribe } from "./helpers";
import { publishEvents } from "~/modules/events/events.server";

useTestDatabase({ seed: "none" });
fastSandbox();

describe("changing plan mid-period: proration by seconds left, half away from zero", () => {
  it("rounds half away from zero", () => {
    expect([mulDivRound(1000n, 1_382_400n, 2_674_800n), mulDivRound(-1000n, 1_382_400n, 2_674_800n), mulDivRound(1n, 1n, 2n), mulDivRound(-1n, 1n, 2n), mulDivRound(1n, 1n, 3n)]).toEqual([517n, -517n, 1n, -1n, 0n]);
  });

  it("IRR, Jalali month of 30 days (Mehr 1404): up 20 days before the end charges 2,000,000 rial at once; down 10 days before the end credits 1,000,000 rial, taken off the next invoice", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const start = new Date("2025-09-22T20:30:00Z"); // 1 Mehr 1404 00:00 Tehran
    const { subscription, plan: small } = await subscribe(m, { name: "Small box", amount: "3000000", interval: "month" }, CARD.approve, start);
    await runRenewals({ now: start, merchantIds: [m.merchantId] });
    const big = await createPlan(m.scope, { name: "Big box", amount: "6000000", interval: "month" });
    if (!big.ok) throw new Error(big.error.message);

    const at = new Date("2025-10-02T20:30:00Z"); // 11 Mehr 00:00: 20 of 30 days left
    const preview = await previewPlanChange(m.scope, subscription.id, { planId: big.plan.id }, at);
    if (!preview.ok) throw new Error(preview.error.message);
    expect({ left: preview.preview.secondsLeft, length: preview.preview.periodSeconds, proration: preview.preview.proration, outcome: preview.preview.outcome }).toEqual({
      left: 20 * 86_400,
      length: 30 * 86_400,
      proration: 2_000_000n,
      outcome: "charge",
    });
    // The preview changed nothing.
    expect((await getSubscription(m.scope, subscription.id))!.planId).toBe(small.id);

    const up = await changePlan(m.scope, subscription.id, { planId: big.plan.id }, { idempotencyKey: "change-1", now: at });
    if (!up.ok) throw new Error(up.error.message);
    expect(up.invoice).toMatchObject({ kind: "proration", status: "paid", amount: 2_000_000n, periodEnd: new Date("2025-10-22T20:30:00Z") });
    const again = await changePlan(m.scope, subscription.id, { planId: big.plan.id }, { idempotencyKey: "change-1", now: at });
    expect(again.ok && again.replayed && again.invoice!.id).toBe(up.invoice!.id);

    const at2 = new Date("2025-10-12T20:30:00Z"); // 21 Mehr: 10 days left
    const down = await changePlan(m.scope, subscription.id, { planId: small.id }, { idempotencyKey: "change-2", now: at2 });
    if (!down.ok) throw new Error(down.error.message);
    expect({ proration: down.change.proration, invoice: down.invoice, credit: down.subscription.creditBalance }).toEqual({ proration: -1_000_000n, invoice: null, credit: 1_000_000n });

    await runRenewals({ now: new Date("2025-10-22T20:30:00Z"), merchantIds: [m.merchantId] }); // 1 Aban
    const list = await invoiceLedger(m.merchantId, subscription.id);
    expect(list.map((i) => [i.status, i.amount, i.captured])).toEqual([["paid", "3000000", 1], ["paid", "2000000", 1], ["paid", "2000000", 1]]);
    const [next] = await db().select().from(s.invoices).where(and(eq(s.invoices.merchantId, m.merchantId), eq(s.invoices.periodIndex, 1)));
    expect({ kind: next!.kind, amount: next!.amount, credit: next!.creditApplied }).toEqual({ kind: "period", amount: 2_000_000n, credit: 1_000_000n });
    expect((await getSubscription(m.scope, subscription.id))!.creditBalance).toBe(0n);
    expect((await ledgerReport(m)).captured).toBe(7_000_000n);
    await publishEvents(m.merchantId); // readers see the events once the publisher has numbered them
    const types = (await rows<{ type: string }>(db(), sql`select type from events where merchant_id = ${m.merchantId} and type in ('subscription.plan_changed', 'invoice.created', 'invoice.paid') order by seq`)).map((e) => e.type);
    expect(types).toEqual(["invoice.created", "invoice.paid", "invoice.created", "subscription.plan_changed", "invoice.paid", "subscription.plan_changed", "invoice.created", "invoice.paid"]);
  });

  it("USD, New York month with the DST change (31 days less an hour): $15 → $25 on 16 March 00:00 charges $5.17 (1000 × 1,382,400 / 2,674,800 s = 516.82 → 517 cents)", async () => {
    const m = await makeMerchant({ currency: "USD", timeZone: "America/New_York" });
    const start = new Date("2025-03-01T05:00:00Z"); // 1 March 00:00 EST
    const { subscription } = await subscribe(m, { name: "Basic", amount: "1500", interval: "month" }, CARD.approve, start);
    await runRenewals({ now: start, merchantIds: [m.merchantId] });
    const pro = await createPlan(m.scope, { name: "Pro", amount: "2500", interval: "month" });
    if (!pro.ok) throw new Error(pro.error.message);
    const at = new Date("2025-03-16T04:00:00Z"); // 16 March 00:00 EDT
    const r = await changePlan(m.scope, subscription.id, { planId: pro.plan.id }, { now: at });
    if (!r.ok) throw new Error(r.error.message);
    expect({ left: r.change.secondsLeft, length: r.change.periodSeconds, proration: r.change.proration, invoice: r.invoice?.amount, status: r.invoice?.status }).toEqual({
      left: 1_382_400,
      length: 2_674_800,
      proration: 517n,
      invoice: 517n,
      status: "paid",
    });
    // Quantity 2 on the same plan, a week later: (5000 - 2500) × 8 days left.
    const q = await previewPlanChange(m.scope, subscription.id, { planId: pro.plan.id, quantity: 2 }, new Date("2025-03-24T04:00:00Z"));
    expect(q.ok && q.preview.proration).toBe(mulDivRound(2500n, BigInt(8 * 86_400), 2_674_800n));
    // Refusals name the field.
    const yearly = await createPlan(m.scope, { name: "Yearly", amount: "15000", interval: "year" });
    if (!yearly.ok) throw new Error(yearly.error.message);
    const bad = await previewPlanChange(m.scope, subscription.id, { planId: yearly.plan.id }, at);
    expect(!bad.ok && { code: bad.error.code, param: bad.error.param, status: bad.error.status }).toEqual({ code: "plan_cycle_mismatch", param: "plan_id", status: 400 });
    const same = await previewPlanChange(m.scope, subscription.id, { planId: pro.plan.id }, at);
    expect(!same.ok && same.error.code).toBe("plan_unchanged");
  });
});

describe("the change_plan API", () => {
  it("preview: true answers the figures and changes nothing; the change is idempotent with Idempotency-Key; errors name the field", async () => {
    const route = await import("~/routes/api.v1.subscriptions.$subscriptionId.change_plan");
    const m = await makeMerchant({ currency: "USD", timeZone: "America/New_York" });
    const start = new Date(Date.now() - 86_400_000);
    const { subscription } = await subscribe(m, { name: "Basic", amount: "1500", interval: "month" }, CARD.approve, start);
    await runRenewals({ now: start, merchantIds: [m.merchantId] });
    const pro = await createPlan(m.scope, { name: "Pro", amount: "2500", interval: "month" });
    if (!pro.ok) throw new Error(pro.error.message);
    const post = async (body: unknown, idem?: string) => {
      const headers = new Headers({ "content-type": "application/json", Authorization: `Bearer ${m.apiKey}` });
      if (idem) headers.set("Idempotency-Key", idem);
      const res = await (route.action as (a: unknown) => Promise<Response>)({ request: new Request(`http://localhost/api/v1/subscriptions/${subscription.id}/change_plan`, { method: "POST", headers, body: JSON.stringify(body) }), params: { subscriptionId: subscription.id }, context: {} });
      return { status: res.status, json: await res.json() };
    };
    const preview = await post({ plan_id: pro.plan.id, preview: true });
    expect(preview.status).toBe(200);
    expect(preview.json).toMatchObject({ object: "plan_change_preview", from_plan_id: subscription.planId, to_plan_id: pro.plan.id, outcome: "charge", currency: "USD" });
    expect(BigInt(preview.json.proration)).toBeGreaterThan(0n);
    expect((await getSubscription(m.scope, subscription.id))!.planId).toBe(subscription.planId);
    const bad = await post({ plan_id: "plan_nope" });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: "plan_not_found", param: "plan_id" });
    const [a, b] = [await post({ plan_id: pro.plan.id }, "chg-1"), await post({ plan_id: pro.plan.id }, "chg-1")];
    expect(a.status).toBe(200);
    expect(b.json).toEqual(a.json);
    expect(a.json).toMatchObject({ plan_id: pro.plan.id, plan_change: { invoice: { kind: "proration", status: "paid" } } });
    const [n] = await rows<{ n: number }>(db(), sql`select count(*)::int as n from invoices where merchant_id = ${m.merchantId} and kind = 'proration'`);
    expect(n!.n).toBe(1);
  });
});
