import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db, rows } from "~db/client.server";
import * as s from "~db/schema";
import { simulateUntil } from "~/server/scheduler";
import { runRenewals } from "~/modules/subscriptions/renewals.server";
import { cancelSubscription, getSubscription, pauseSubscription, resumeSubscription } from "~/modules/subscriptions/subscriptions.server";
import { useTestDatabase } from "../../support/db";
import { CARD, fastSandbox, ledgerReport, makeMerchant } from "../payments/fixtures";
import { expectEachPaidOnce, invoiceLedger, jalali, local, NY, subscribe, TEHRAN } from "./helpers";
import { publishEvents } from "~/modules/events/events.server";

useTestDatabase({ seed: "none" });
fastSandbox();

describe("a simulated year of renewals", () => {
  it("Jalali monthly from 31 Shahrivar 1404: twelve periods, each invoiced and charged once on its own Jalali day at 10:00 Tehran", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const start = new Date("2025-09-22T06:30:00Z"); // 31 Shahrivar 1404, 10:00 Tehran
    const { subscription } = await subscribe(m, { name: "Coffee box", amount: "1500000", interval: "month" }, CARD.approveIr, start);
    expect(subscription.calendar).toBe("persian");
    await simulateUntil({ from: start, until: new Date("2026-09-21T00:00:00Z"), merchantIds: [m.merchantId] });
    const list = await invoiceLedger(m.merchantId, subscription.id);
    expect(list.map((i) => jalali(i.period_start))).toEqual([
      "1404/6/31", "1404/7/30", "1404/8/30", "1404/9/30", "1404/10/30", "1404/11/30",
      "1404/12/29", "1405/1/31", "1405/2/31", "1405/3/31", "1405/4/31", "1405/5/31",
    ]);
    expectEachPaidOnce(list);
    for (const i of list) {
      expect(local(i.period_start, TEHRAN).slice(11)).toBe("10:00");
      // Charged when the period started (the simulated clock jumps to each renewal).
      expect(i.paid_payment_created!.getTime()).toBe(new Date(i.period_start).getTime());
      expect(i.amount).toBe("1500000");
    }
    const ledger = await ledgerReport(m);
    expect(ledger.problems).toEqual([]);
    expect(ledger.captured).toBe(12n * 1_500_000n);
    expect(ledger.chargedPayments).toBe(12n);
    // Running the jobs again at the end changes nothing.
    await runRenewals({ now: new Date("2026-09-21T00:00:00Z"), merchantIds: [m.merchantId] });
    expect((await invoiceLedger(m.merchantId, subscription.id)).length).toBe(12);
  }, 300_000);

  it("Gregorian monthly in New York from 31 January 09:00: 28 February, 31 March..., always 09:00 local across DST", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const start = new Date("2025-01-31T14:00:00Z"); // 09:00 EST
    const { subscription } = await subscribe(m, { name: "Membership", amount: "1999", interval: "month" }, CARD.approve, start, { quantity: 2 });
    expect(subscription.calendar).toBe("gregory");
    await simulateUntil({ from: start, until: new Date("2026-01-30T00:00:00Z"), merchantIds: [m.merchantId] });
    const list = await invoiceLedger(m.merchantId, subscription.id);
    expect(list.map((i) => local(i.period_start, NY))).toEqual([
      "2025-01-31 09:00", "2025-02-28 09:00", "2025-03-31 09:00", "2025-04-30 09:00", "2025-05-31 09:00", "2025-06-30 09:00",
      "2025-07-31 09:00", "2025-08-31 09:00", "2025-09-30 09:00", "2025-10-31 09:00", "2025-11-30 09:00", "2025-12-31 09:00",
    ]);
    expect(list[2]!.period_start.toISOString()).toBe("2025-03-31T13:00:00.000Z"); // EDT
    expectEachPaidOnce(list);
    expect(list.every((i) => i.amount === "3998")).toBe(true);
    expect((await ledgerReport(m)).problems).toEqual([]);
  }, 300_000);

  it("yearly Jalali from 30 Esfand 1403 (leap): the next renewal is 29 Esfand 1404; a 7-day trial moves the anchor", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const start = new Date("2025-03-20T08:30:00Z"); // 30 Esfand 1403, 12:00 Tehran
    const { subscription } = await subscribe(m, { name: "Yearly", amount: "90000000", interval: "year" }, CARD.approveIr, start);
    await simulateUntil({ from: start, until: new Date("2026-03-21T00:00:00Z"), merchantIds: [m.merchantId] });
    const list = await invoiceLedger(m.merchantId, subscription.id);
    expect(list.map((i) => jalali(i.period_start))).toEqual(["1403/12/30", "1404/12/29"]);
    expectEachPaidOnce(list);

    const trial = await subscribe(m, { name: "Trial", amount: "500000", interval: "week", trialDays: 7 }, CARD.approveIr, start);
    expect(trial.subscription.status).toBe("trialing");
    expect(trial.subscription.anchorAt.toISOString()).toBe("2025-03-27T08:30:00.000Z");
    await runRenewals({ now: new Date("2025-03-27T08:29:59Z"), merchantIds: [m.merchantId] });
    expect(await invoiceLedger(m.merchantId, trial.subscription.id)).toEqual([]);
    await runRenewals({ now: new Date("2025-03-27T08:30:00Z"), merchantIds: [m.merchantId] });
    expectEachPaidOnce(await invoiceLedger(m.merchantId, trial.subscription.id));
    expect((await getSubscription(m.scope, trial.subscription.id))!.status).toBe("active");
  }, 300_000);
});

describe("cancel, pause and resume", () => {
  it("cancel at period end bills no further period; cancel now stops at once", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const start = new Date("2025-05-10T15:00:00Z");
    const a = await subscribe(m, { name: "A", amount: "1000", interval: "month" }, CARD.approve, start);
    await runRenewals({ now: start, merchantIds: [m.merchantId] });
    const c = await cancelSubscription(m.scope, a.subscription.id, { atPeriodEnd: true, now: new Date("2025-05-20T00:00:00Z") });
    expect(c.ok && c.subscription.status).toBe("active");
    await simulateUntil({ from: new Date("2025-05-20T00:00:00Z"), until: new Date("2025-08-01T00:00:00Z"), merchantIds: [m.merchantId] });
    const after = (await getSubscription(m.scope, a.subscription.id))!;
    expect(after.status).toBe("canceled");
    expect(after.endedAt!.toISOString()).toBe("2025-06-10T15:00:00.000Z");
    expect((await invoiceLedger(m.merchantId, a.subscription.id)).length).toBe(1);
    const again = await cancelSubscription(m.scope, a.subscription.id, { atPeriodEnd: false });
    expect(again.ok ? null : again.error.code).toBe("subscription_canceled");
  });

  it("pause skips the periods it covers; resume bills from the next period start on the same anchor day", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const start = new Date("2025-01-15T15:00:00Z");
    const a = await subscribe(m, { name: "P", amount: "1000", interval: "month" }, CARD.approve, start);
    await runRenewals({ now: start, merchantIds: [m.merchantId] });
    expect((await pauseSubscription(m.scope, a.subscription.id, { now: new Date("2025-02-01T00:00:00Z") })).ok).toBe(true);
    await simulateUntil({ from: new Date("2025-02-01T00:00:00Z"), until: new Date("2025-04-20T00:00:00Z"), merchantIds: [m.merchantId] });
    expect((await invoiceLedger(m.merchantId, a.subscription.id)).length).toBe(1);
    const r = await resumeSubscription(m.scope, a.subscription.id, { now: new Date("2025-04-20T00:00:00Z") });
    expect(r.ok && r.subscription.nextRenewalAt!.toISOString()).toBe("2025-05-15T14:00:00.000Z"); // 10:00 EDT, as the anchor's 10:00 EST
    await simulateUntil({ from: new Date("2025-04-20T00:00:00Z"), until: new Date("2025-05-16T00:00:00Z"), merchantIds: [m.merchantId] });
    const list = await invoiceLedger(m.merchantId, a.subscription.id);
    expect(list.map((i) => i.period_start.toISOString())).toEqual(["2025-01-15T15:00:00.000Z", "2025-05-15T14:00:00.000Z"]);
    expectEachPaidOnce(list);
  });
});

describe("events", () => {
  it("every step is an event: subscription.created, invoice.created, payment.succeeded, invoice.paid", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const start = new Date("2025-06-01T06:30:00Z");
    const a = await subscribe(m, { name: "E", amount: "100000", interval: "month" }, CARD.approveIr, start);
    await runRenewals({ now: start, merchantIds: [m.merchantId] });
    await publishEvents(m.merchantId); // the publisher numbers them (readers see numbered events)
    const types = (await db().select({ type: s.events.type }).from(s.events).where(sql`merchant_id = ${m.merchantId}`).orderBy(s.events.seq)).map((e) => e.type);
    expect(types).toEqual([
      "plan.created", "customer.created", "payment_method.attached", "subscription.created",
      // The first charge also creates the merchant's "Payment links" terminal it runs on.
      "invoice.created", "terminal.created", "payment.created", "payment.succeeded", "invoice.paid",
    ]);
    const [paid] = await rows<{ data: { subscription_id: string; status: string } }>(db(), sql`select data from events where merchant_id = ${m.merchantId} and type = 'invoice.paid'`);
    expect(paid!.data).toMatchObject({ subscription_id: a.subscription.id, status: "paid" });
  });
});
