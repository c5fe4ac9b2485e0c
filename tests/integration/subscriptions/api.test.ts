import { describe, expect, it } from "vitest";
import * as customersRoute from "~/routes/api.v1.customers";
import * as customerRoute from "~/routes/api.v1.customers.$customerId";
import * as methodsRoute from "~/routes/api.v1.customers.$customerId.payment_methods";
import * as detachRoute from "~/routes/api.v1.payment_methods.$paymentMethodId.detach";
import * as plansRoute from "~/routes/api.v1.plans";
import * as subsRoute from "~/routes/api.v1.subscriptions";
import * as cancelRoute from "~/routes/api.v1.subscriptions.$subscriptionId.cancel";
import * as invoicesRoute from "~/routes/api.v1.invoices";
import * as invoiceRoute from "~/routes/api.v1.invoices.$invoiceId";
import { sandboxProcessor } from "~/modules/processors/sandbox-processor.server";
import { useTestDatabase } from "../../support/db";
import { card, CARD, fastSandbox, makeMerchant } from "../payments/fixtures";

useTestDatabase({ seed: "none" });
fastSandbox();

type Mod = { loader?: unknown; action?: unknown };
async function call(mod: Mod, method: string, path: string, opts: { key?: string; body?: unknown; idem?: string; params?: Record<string, string> } = {}) {
  const headers = new Headers({ "content-type": "application/json" });
  if (opts.key) headers.set("Authorization", `Bearer ${opts.key}`);
  if (opts.idem) headers.set("Idempotency-Key", opts.idem);
  const request = new Request(`http://localhost/api/v1${path}`, { method, headers, body: method === "GET" ? undefined : JSON.stringify(opts.body ?? {}) });
  const fn = (method === "GET" ? mod.loader : mod.action) as (a: unknown) => Promise<Response>;
  const res = await fn({ request, params: opts.params ?? {}, context: {} });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

describe("the subscriptions API", () => {
  it("customer, saved card with mandate, plan, subscription (first period charged), invoices; idempotent POSTs; errors name the field", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const key = m.apiKey;
    expect((await call(customersRoute, "POST", "/customers", { body: { name: "A" } })).status).toBe(401);
    const badEmail = await call(customersRoute, "POST", "/customers", { key, body: { name: "Ann Lee", email: "nope" } });
    expect(badEmail.status).toBe(400);
    expect(badEmail.json.error).toMatchObject({ code: "email_invalid", param: "email" });
    const c1 = await call(customersRoute, "POST", "/customers", { key, idem: "cus-1", body: { name: "Ann Lee", email: "ann@example.com" } });
    const c2 = await call(customersRoute, "POST", "/customers", { key, idem: "cus-1", body: { name: "Ann Lee", email: "ann@example.com" } });
    expect(c1.status).toBe(201);
    expect(c2.json.id).toBe(c1.json.id);
    expect((await call(customersRoute, "GET", "/customers?q=ann", { key })).json.data.map((c: { id: string }) => c.id)).toEqual([c1.json.id]);
    const customerId = c1.json.id;

    const t = await sandboxProcessor.tokenize(card(CARD.approve));
    if (!t.ok) throw new Error(t.message);
    const noMandate = await call(methodsRoute, "POST", `/customers/${customerId}/payment_methods`, { key, body: { token: t.card.token }, params: { customerId } });
    expect(noMandate.json.error).toMatchObject({ code: "mandate_required", param: "mandate" });
    const pm = await call(methodsRoute, "POST", `/customers/${customerId}/payment_methods`, {
      key,
      body: { token: t.card.token, mandate: { text: "Save this card for future payments to Shop.", locale: "en", accepted_at: "2026-01-01T10:00:00Z" } },
      params: { customerId },
    });
    expect(pm.status).toBe(201);
    expect(pm.json).toMatchObject({ object: "payment_method", card: { last4: "4242" }, mandate: { locale: "en", accepted_at: "2026-01-01T10:00:00.000Z" } });
    expect(JSON.stringify(pm.json)).not.toContain("4242424242424242");

    const badPlan = await call(plansRoute, "POST", "/plans", { key, body: { name: "Gold", amount: "1000", interval: "fortnight" } });
    expect(badPlan.json.error).toMatchObject({ code: "interval_invalid", param: "interval" });
    const plan = await call(plansRoute, "POST", "/plans", { key, idem: "plan-1", body: { name: "Gold", amount: "1000", interval: "month", interval_count: 1 } });
    expect(plan.json).toMatchObject({ object: "plan", calendar: "gregory", amount: "1000" });

    const sub = await call(subsRoute, "POST", "/subscriptions", { key, idem: "sub-1", body: { customer_id: customerId, plan_id: plan.json.id, payment_method_id: pm.json.id, quantity: 3 } });
    expect(sub.status).toBe(201);
    expect(sub.json).toMatchObject({ object: "subscription", status: "active", quantity: 3 });
    const again = await call(subsRoute, "POST", "/subscriptions", { key, idem: "sub-1", body: { customer_id: customerId, plan_id: plan.json.id, payment_method_id: pm.json.id, quantity: 3 } });
    expect(again.json.id).toBe(sub.json.id);
    const invoices = await call(invoicesRoute, "GET", `/invoices?subscription_id=${sub.json.id}`, { key });
    expect(invoices.json.data).toMatchObject([{ status: "paid", amount: "3000", subscription_id: sub.json.id }]);
    const inv = await call(invoiceRoute, "GET", `/invoices/${invoices.json.data[0].id}`, { key, params: { invoiceId: invoices.json.data[0].id } });
    expect(inv.json.attempts).toMatchObject([{ status: "captured", amount: "3000", invoice_id: inv.json.id, customer_id: customerId }]);

    const other = await makeMerchant({ currency: "USD" });
    expect((await call(customerRoute, "GET", `/customers/${customerId}`, { key: other.apiKey, params: { customerId } })).status).toBe(404);

    const canceled = await call(cancelRoute, "POST", `/subscriptions/${sub.json.id}/cancel`, { key, body: { at_period_end: true }, params: { subscriptionId: sub.json.id } });
    expect(canceled.json).toMatchObject({ status: "active", cancel_at_period_end: true });
    const detached = await call(detachRoute, "POST", `/payment_methods/${pm.json.id}/detach`, { key, params: { paymentMethodId: pm.json.id } });
    expect(detached.json).toMatchObject({ status: "removed", removed_by: "customer" });
  });
});
