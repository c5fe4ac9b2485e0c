import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db, rows } from "~db/client.server";
import * as s from "~db/schema";
import * as subscribePage from "~/routes/subscribe.$merchantId.$planId._index";
import * as subscribeCheckoutPage from "~/routes/subscribe.$merchantId.$planId.$checkoutId";
import { sandboxProcessor } from "~/modules/processors/sandbox-processor.server";
import { mandateText } from "~/modules/subscriptions/customers.server";
import { runRenewals } from "~/modules/subscriptions/renewals.server";
import { paySubscribeCheckout, resolveSubscribeCheckout } from "~/modules/subscriptions/subscribe.server";
import { createPlan, type PlanInput } from "~/modules/subscriptions/subscriptions.server";
import { useTestDatabase } from "../../support/db";
import { card, CARD, fastSandbox, ledgerReport, makeMerchant, type TestMerchant } from "../payments/fixtures";
import { invoiceLedger } from "./helpers";
import { publishEvents } from "~/modules/events/events.server";
import { call } from "../../support/responses";

useTestDatabase({ seed: "none" });
fastSandbox();

async function plan(m: TestMerchant, input: PlanInput) {
  const p = await createPlan(m.scope, input);
  if (!p.ok) throw new Error(p.error.message);
  return p.plan;
}

const form = (url: string, body: Record<string, string>, ip: string, cookie = "mc_lang=fa") =>
  new Request(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-mc-client-ip": ip, cookie }, body: new URLSearchParams(body).toString() });

/** The details step through the page's action: the checkout's id from its redirect. */
async function details(m: TestMerchant, planId: string, body: Record<string, string>, ip: string, cookie?: string) {
  const url = `http://console.test/subscribe/${m.merchantId}/${planId}`;
  const r = await call(subscribePage.action, form(url, body, ip, cookie), { merchantId: m.merchantId, planId });
  return r;
}

async function token(number: string) {
  const t = await sandboxProcessor.tokenize(card(number));
  if (!t.ok) throw new Error(t.message);
  return t.card.token;
}

async function counts(merchantId: string) {
  const [r] = await rows<{ subs: number; pays: number; custs: number; pms: number }>(
    db(),
    sql`select (select count(*)::int from subscriptions where merchant_id = ${merchantId}) as subs,
               (select count(*)::int from payments where merchant_id = ${merchantId}) as pays,
               (select count(*)::int from customers where merchant_id = ${merchantId}) as custs,
               (select count(*)::int from payment_methods where merchant_id = ${merchantId}) as pms`,
  );
  return r!;
}

describe("subscribing on the hosted page", () => {
  it("details and consent, then the card: one customer, saved card (mandate with time, language, IP), subscription, first invoice paid by the payment; a double submit changes nothing; the next period renews once", async () => {
    const m = await makeMerchant({ currency: "IRR", name: "Demo Coffee" });
    const p = await plan(m, { name: "Coffee box", amount: "1500000", interval: "month" });
    const page = await call(subscribePage.loader, new Request(`http://console.test/subscribe/${m.merchantId}/${p.id}`, { headers: { cookie: "mc_lang=fa" } }), { merchantId: m.merchantId, planId: p.id });
    expect(page.status).toBe(200);
    const data = await page.json();
    expect(data.mandate).toBe(mandateText("Demo Coffee", "fa"));
    expect(data.plan).toMatchObject({ name: "Coffee box", amount: "1500000", interval: "month" });

    // Refusals name the field and keep what was typed.
    const noConsent = await details(m, p.id, { name: "Sara Ahmadi", phone: "09121234567" }, "10.30.0.1");
    expect(noConsent.status).toBe(400);
    expect(await noConsent.json()).toEqual({
      ok: false,
      errors: { consent: "اشتراک از کارت ذخیره‌شده شما برداشت می‌شود: برای موافقت، گزینه را علامت بزنید." },
      values: { name: "Sara Ahmadi", phone: "09121234567" },
    });
    const noContact = await details(m, p.id, { name: "Sara Ahmadi", consent: "yes" }, "10.30.0.1");
    expect(noContact.status).toBe(400);
    expect(await noContact.json()).toEqual({
      ok: false,
      errors: { email: "نشانی ایمیل یا شماره موبایل را وارد کنید تا از پرداخت‌هایتان باخبر شوید." },
      values: { name: "Sara Ahmadi", consent: "yes" },
    });

    const started = await details(m, p.id, { name: "Sara Ahmadi", phone: "۰۹۱۲۱۲۳۴۵۶۷", email: "Sara@Example.com", consent: "yes" }, "10.30.0.2");
    expect(started.status).toBe(303);
    const location = started.headers.get("location")!;
    expect(location).toMatch(new RegExp(`^/subscribe/${m.merchantId}/${p.id}/chk_`));
    const checkoutId = location.split("/").pop()!;
    expect(await counts(m.merchantId)).toEqual({ subs: 0, pays: 0, custs: 0, pms: 0 });

    const tok = await token(CARD.approve);
    const r = await paySubscribeCheckout(m.merchantId, p.id, checkoutId, tok, { ip: "10.30.0.2" });
    expect(r.ok && r.kind).toBe("done");
    // Double submit, a second card token, and a refresh of the result: the same payment, the same subscription.
    const [again, other] = await Promise.all([
      paySubscribeCheckout(m.merchantId, p.id, checkoutId, tok, { ip: "10.30.0.2" }),
      paySubscribeCheckout(m.merchantId, p.id, checkoutId, await token(CARD.approve), { ip: "10.30.0.2" }),
    ]);
    expect(again.ok && again.kind === "done" && again.payment.id).toBe(r.ok && r.kind === "done" && r.payment.id);
    expect(other.ok && other.kind === "done" && other.payment.id).toBe(r.ok && r.kind === "done" && r.payment.id);
    const res = await call(subscribeCheckoutPage.loader, new Request(`http://console.test${location}`, { headers: { cookie: "mc_lang=fa" } }), { merchantId: m.merchantId, planId: p.id, checkoutId });
    const view = await res.json();
    expect(view.state).toBe("subscribed");
    expect(view.receipt).toMatchObject({ amount: "1500000", currency: "IRR", maskedCard: expect.stringContaining("4242") });
    expect(await counts(m.merchantId)).toEqual({ subs: 1, pays: 1, custs: 1, pms: 1 });

    const [cust] = await db().select().from(s.customers).where(eq(s.customers.merchantId, m.merchantId));
    expect(cust).toMatchObject({ name: "Sara Ahmadi", email: "sara@example.com", phone: "09121234567", source: "hosted_page" });
    const [pm] = await db().select().from(s.paymentMethods).where(eq(s.paymentMethods.merchantId, m.merchantId));
    expect(pm).toMatchObject({ customerId: cust!.id, cardLast4: "4242", mandateLocale: "fa", mandateText: mandateText("Demo Coffee", "fa"), mandateIp: "10.30.0.2", status: "active" });
    const [sub] = await db().select().from(s.subscriptions).where(eq(s.subscriptions.merchantId, m.merchantId));
    expect(sub).toMatchObject({ customerId: cust!.id, planId: p.id, paymentMethodId: pm!.id, status: "active", currentPeriodIndex: 0, calendar: "persian" });
    const [payment] = await db().select().from(s.payments).where(eq(s.payments.merchantId, m.merchantId));
    expect(payment).toMatchObject({ status: "captured", amount: 1_500_000n, customerId: cust!.id });
    const list = await invoiceLedger(m.merchantId, sub!.id);
    expect(list.map((i) => ({ status: i.status, amount: i.amount, payment: i.payment_id, captured: i.captured }))).toEqual([{ status: "paid", amount: "1500000", payment: payment!.id, captured: 1 }]);
    expect(payment!.invoiceId).toBe(list[0]!.id);
    expect(sub!.nextRenewalAt!.getTime()).toBe(sub!.currentPeriodEnd!.getTime());
    await publishEvents(m.merchantId); // the publisher numbers them (readers see numbered events)
    const types = (await db().select({ type: s.events.type }).from(s.events).where(and(eq(s.events.merchantId, m.merchantId))).orderBy(s.events.seq)).map((e) => e.type);
    expect(types.filter((t) => !t.startsWith("payment.") && !t.startsWith("terminal."))).toEqual(["plan.created", "customer.created", "payment_method.attached", "subscription.created", "invoice.created", "invoice.paid"]);

    // The job does not charge the paid first period again; the second period is charged once, on its day.
    await runRenewals({ now: new Date(), merchantIds: [m.merchantId] });
    expect((await invoiceLedger(m.merchantId, sub!.id)).length).toBe(1);
    await runRenewals({ now: sub!.currentPeriodEnd!, merchantIds: [m.merchantId] });
    const after = await invoiceLedger(m.merchantId, sub!.id);
    expect(after.map((i) => [i.status, i.captured])).toEqual([["paid", 1], ["paid", 1]]);
    expect((await ledgerReport(m)).captured).toBe(3_000_000n);
  });

  it("a plan with a trial: the card is checked (authorized and released), the subscription is trialing and its first charge is at the trial's end", async () => {
    const m = await makeMerchant({ currency: "USD", timeZone: "America/New_York" });
    const p = await plan(m, { name: "Membership", amount: "1500", interval: "month", trialDays: 14 });
    const started = await details(m, p.id, { name: "Ann Lee", email: "ann@example.com", consent: "yes" }, "10.31.0.1", "mc_lang=en");
    const checkoutId = started.headers.get("location")!.split("/").pop()!;
    const r = await paySubscribeCheckout(m.merchantId, p.id, checkoutId, await token(CARD.approve), { ip: "10.31.0.1" });
    expect(r.ok).toBe(true);
    const found = (await resolveSubscribeCheckout(m.merchantId, p.id, checkoutId))!;
    expect(found.payment!.status).toBe("voided");
    expect(found.subscription).toMatchObject({ status: "trialing" });
    const trialEnd = found.subscription!.trialEndAt!;
    expect(Math.round((trialEnd.getTime() - found.payment!.createdAt.getTime()) / 86_400_000)).toBe(14);
    expect(await invoiceLedger(m.merchantId, found.subscription!.id)).toEqual([]);
    expect((await ledgerReport(m)).captured).toBe(0n);
    await runRenewals({ now: trialEnd, merchantIds: [m.merchantId] });
    expect((await invoiceLedger(m.merchantId, found.subscription!.id)).map((i) => [i.status, i.amount, i.captured])).toEqual([["paid", "1500", 1]]);
  });

  it("a declined card makes no customer, card or subscription; the page says declined and offers to start again", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const p = await plan(m, { name: "Box", amount: "900000", interval: "month" });
    const started = await details(m, p.id, { name: "Ali Rezaei", phone: "09121234569", consent: "yes" }, "10.32.0.1");
    const location = started.headers.get("location")!;
    const checkoutId = location.split("/").pop()!;
    // The card step's refusal is the one form shape, above the card; the token is not sent back.
    const unknown = await call(subscribeCheckoutPage.action, form(`http://console.test${location}`, { intent: "pay", token: "tok_nosuchtoken" }, "10.32.0.1"), { merchantId: m.merchantId, planId: p.id, checkoutId });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ ok: false, intent: "pay", errors: { form: "اطلاعات کارت خوانده نشد. دوباره وارد کنید." } });
    const r = await paySubscribeCheckout(m.merchantId, p.id, checkoutId, await token(CARD.insufficient), { ip: "10.32.0.1" });
    expect(r.ok && r.kind === "done" && r.payment.status).toBe("declined");
    expect(await counts(m.merchantId)).toMatchObject({ subs: 0, custs: 0, pms: 0 });
    const view = await (await call(subscribeCheckoutPage.loader, new Request(`http://console.test${location}`), { merchantId: m.merchantId, planId: p.id, checkoutId })).json();
    expect(view.state).toBe("declined");
  });

  it("an inactive plan's page says it takes no subscribers (410) and takes nothing", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const p = await plan(m, { name: "Old box", amount: "900000", interval: "month" });
    await db().update(s.plans).set({ active: false }).where(and(eq(s.plans.merchantId, m.merchantId), eq(s.plans.id, p.id)));
    const page = await call(subscribePage.loader, new Request(`http://console.test/subscribe/${m.merchantId}/${p.id}`), { merchantId: m.merchantId, planId: p.id });
    expect(page.status).toBe(410);
    const r = await details(m, p.id, { name: "Ali Rezaei", phone: "09121234569", consent: "yes" }, "10.33.0.1");
    expect(r.status).toBe(410);
    const missing = await call(subscribePage.loader, new Request(`http://console.test/subscribe/${m.merchantId}/plan_nope`), { merchantId: m.merchantId, planId: "plan_nope" });
    expect(missing.status).toBe(404);
  });
});
