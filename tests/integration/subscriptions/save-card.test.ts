import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db, rows } from "~db/client.server";
import * as s from "~db/schema";
import * as payLink from "~/routes/pay.$linkId._index";
import { createPaymentLink } from "~/modules/payment-links/links.server";
import { payCheckout } from "~/modules/payment-links/checkout.server";
import { sandboxProcessor } from "~/modules/processors/sandbox-processor.server";
import { mandateText } from "~/modules/subscriptions/customers.server";
import { startSubscription } from "~/modules/subscriptions/renewals.server";
import { createPlan } from "~/modules/subscriptions/subscriptions.server";
import { useTestDatabase } from "../../support/db";
import { card, CARD, fastSandbox, makeMerchant, type TestMerchant } from "../payments/fixtures";
import { invoiceLedger } from "./helpers";
import { call } from "../../support/responses";

useTestDatabase({ seed: "none" });
fastSandbox();

async function link(m: TestMerchant) {
  const r = await createPaymentLink(m.scope, { kind: "terminal", terminalId: m.terminalId }, { amount: 1_500_000n, minAmount: null, maxAmount: null, description: "Coffee box", customerFields: ["name", "phone"], reusable: true, expiresAt: null, redirectUrl: null });
  if (!r.ok) throw new Error(r.error.message);
  return r.link;
}

/** The cardholder fills the details step (ticking the consent or not), then pays with a card (tokenized by the provider). */
async function checkout(m: TestMerchant, linkId: string, number: string, form: Record<string, string>, ip: string) {
  const start = await call(payLink.action, new Request(`http://console.test/pay/${linkId}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-mc-client-ip": ip }, body: new URLSearchParams(form).toString() }), { linkId });
  expect(start.status, await start.clone().text()).toBe(303);
  const checkoutId = start.headers.get("location")!.split("/").pop()!;
  const t = await sandboxProcessor.tokenize(card(number));
  if (!t.ok) throw new Error(t.message);
  const r = await payCheckout(linkId, checkoutId, t.card.token, { ip });
  if (!r.ok || r.kind !== "done") throw new Error(`payment did not finish: ${JSON.stringify(r)}`);
  return { checkoutId, payment: r.payment };
}

describe("saving a card on the hosted page", () => {
  it("the page shows the mandate in its language; ticked, the paid checkout saves the card (token only) with the mandate, time, language and IP, and the payment belongs to the new customer", async () => {
    const m = await makeMerchant({ currency: "IRR", name: "Demo Coffee" });
    const l = await link(m);
    const page = await call(payLink.loader, new Request(`http://console.test/pay/${l.id}`, { headers: { "x-mc-client-ip": "10.20.0.1", cookie: "mc_lang=fa" } }), { linkId: l.id });
    const data = await page.json();
    expect(data.saveCardMandate).toContain("Demo Coffee");

    const { payment } = await checkout(m, l.id, CARD.approve, { name: "Sara Ahmadi", phone: "09121234567", saveCard: "yes" }, "10.20.0.2");
    expect(payment.status).toBe("captured");
    const [pm] = await db().select().from(s.paymentMethods).where(eq(s.paymentMethods.merchantId, m.merchantId));
    expect(pm).toMatchObject({ cardLast4: "4242", cardBrand: "visa", status: "active", mandateIp: "10.20.0.2" });
    expect(pm!.mandateText).toContain("Demo Coffee");
    expect(["fa", "en"]).toContain(pm!.mandateLocale);
    expect(pm!.mandateText).toBe(mandateText("Demo Coffee", pm!.mandateLocale));
    expect(pm!.cardToken).toMatch(/^tok_/);
    const [cust] = await db().select().from(s.customers).where(eq(s.customers.id, pm!.customerId));
    expect(cust).toMatchObject({ name: "Sara Ahmadi", phone: "09121234567", source: "hosted_page" });
    const [paid] = await db().select().from(s.payments).where(and(eq(s.payments.merchantId, m.merchantId), eq(s.payments.id, payment.id)));
    expect(paid!.customerId).toBe(cust!.id);
    // No table of ours holds the card number.
    const [dump] = await rows<{ n: number }>(db(), sql`select count(*)::int as n from payment_methods where card_token like '%4242424242424242%' or mandate_text like '%4242424242424242%'`);
    expect(dump!.n).toBe(0);

    // The saved card renews a subscription as a merchant-initiated charge.
    const plan = await createPlan(m.scope, { name: "Monthly box", amount: "1500000", interval: "month" });
    if (!plan.ok) throw new Error(plan.error.message);
    const sub = await startSubscription(m.scope, { customerId: cust!.id, planId: plan.plan.id, paymentMethodId: pm!.id });
    if (!sub.ok) throw new Error(sub.error.message);
    expect((await invoiceLedger(m.merchantId, sub.subscription.id)).map((i) => i.status)).toEqual(["paid"]);
    const [auth] = await rows<{ channel: string }>(db(), sql`select channel from sandbox_authorizations a join payments p on a.merchant_reference = p.id and a.account_id = p.merchant_id where p.invoice_id is not null and p.merchant_id = ${m.merchantId}`);
    expect(auth!.channel).toBe("recurring");
  });

  it("not ticked, or declined: nothing is saved", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const l = await link(m);
    await checkout(m, l.id, CARD.approve, { name: "Reza Karimi", phone: "09121234568" }, "10.21.0.1");
    const declined = await checkout(m, l.id, CARD.insufficient, { name: "Ali Rezaei", phone: "09121234569", saveCard: "yes" }, "10.21.0.2");
    expect(declined.payment.status).toBe("declined");
    expect(await db().select().from(s.paymentMethods).where(eq(s.paymentMethods.merchantId, m.merchantId))).toEqual([]);
    expect(await db().select().from(s.customers).where(eq(s.customers.merchantId, m.merchantId))).toEqual([]);
  });
});
