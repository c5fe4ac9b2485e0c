import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~db/client.server";
import * as s from "~db/schema";
import * as plansRoute from "~/routes/_app.plans";
import * as customersRoute from "~/routes/_app.customers._index";
import * as customerRoute from "~/routes/_app.customers.$customerId";
import * as subsRoute from "~/routes/_app.subscriptions._index";
import * as subRoute from "~/routes/_app.subscriptions.$subscriptionId";
import { sandboxProcessor } from "~/modules/processors/sandbox-processor.server";
import { attachPaymentMethod, mandateText } from "~/modules/subscriptions/customers.server";
import { useTestDatabase } from "../../support/db";
import { createTeam, type Team } from "../../support/fixtures";
import { as, signIn, type SignedIn } from "../../support/auth";
import { settle } from "../../support/responses";
import { card, CARD, fastSandbox } from "../payments/fixtures";

useTestDatabase({ seed: "none" });

let team: Team;
const users = {} as Record<"owner" | "support" | "viewer", SignedIn>;

beforeAll(async () => {
  fastSandbox();
  team = await createTeam("subs");
  await db().update(s.merchants).set({ status: "active", processorId: "sandbox", timeZone: "Asia/Tehran" }).where(eq(s.merchants.id, team.shop.id));
  for (const r of ["owner", "support", "viewer"] as const) users[r] = await signIn(team.members[r].email);
});

type Route = { loader?: (a: never) => unknown; action?: (a: never) => unknown };
async function post(route: Route, user: SignedIn, path: string, form: Record<string, string>, params: Record<string, string> = {}) {
  const res = await settle(route.action!({ request: as(user, path, { form }), params, context: {} } as never));
  const text = res.status === 303 ? "" : await res.text();
  const isJson = (res.headers.get("content-type") ?? "").includes("json");
  return { status: res.status, location: res.headers.get("location"), json: text && isJson ? JSON.parse(text) : null };
}
async function get(route: Route, user: SignedIn, path: string, params: Record<string, string> = {}) {
  const res = await settle(route.loader!({ request: as(user, path), params, context: {} } as never));
  return { status: res.status, json: res.status === 200 ? await res.json() : null };
}

describe("the console's subscription pages", () => {
  it("owner makes a Jalali plan, support adds a customer and subscribes them; the first period is charged at once", async () => {
    const refused = await post(plansRoute, users.support, "/plans", { name: "Coffee box", amount: "1500000" });
    expect(refused.status).toBe(403);
    const bad = await post(plansRoute, users.owner, "/plans", { name: "", amount: "1500000", interval: "month" });
    expect(bad.status).toBe(400);
    expect(bad.json.errors.name).toBe("Give a name.");
    const ok = await post(plansRoute, users.owner, "/plans", { name: "Coffee box", amount: "1500000", interval: "month", intervalCount: "1", trialDays: "0" });
    expect(ok.status).toBe(303);
    const plans = await get(plansRoute, users.viewer, "/plans");
    expect(plans.json.plans).toMatchObject([{ name: "Coffee box", amount: "1500000", calendar: "persian", interval: "month" }]);
    expect(plans.json.canManage).toBe(false);

    const badPhone = await post(customersRoute, users.support, "/customers", { name: "Sara", phone: "12" });
    expect(badPhone.json.errors.phone).toBe("The phone number must be 7 to 15 digits, optionally starting with +.");
    const created = await post(customersRoute, users.support, "/customers", { name: "Sara Ahmadi", email: "Sara@Example.com", phone: "0912 345 6789" });
    expect(created.status).toBe(303);
    const customerId = created.location!.split("/").pop()!;
    const found = await get(customersRoute, users.viewer, "/customers?q=ahmadi");
    expect(found.json.customers.map((c: { id: string }) => c.id)).toEqual([customerId]);
    expect((await get(customersRoute, users.viewer, "/customers?q=nobody")).json.customers).toEqual([]);

    const t = await sandboxProcessor.tokenize(card(CARD.approveIr));
    if (!t.ok) throw new Error(t.message);
    const pm = await attachPaymentMethod({ merchantId: team.shop.id }, { customerId, token: t.card.token, mandate: { text: mandateText("subs Coffee", "fa"), locale: "fa", acceptedAt: new Date() } });
    if (!pm.ok) throw new Error(pm.error.message);
    const page = await get(customerRoute, users.support, `/customers/${customerId}`, { customerId });
    expect(page.json.cards).toMatchObject([{ last4: "0006", status: "active", mandateLocale: "fa" }]);

    expect((await post(customerRoute, users.viewer, `/customers/${customerId}`, { planId: plans.json.plans[0].id }, { customerId })).status).toBe(403);
    const past = await post(customerRoute, users.support, `/customers/${customerId}`, { planId: plans.json.plans[0].id, paymentMethodId: pm.paymentMethod.id, startAt: "2020-01-01" }, { customerId });
    expect(past.json.errors.startAt).toBe("A subscription starts today or later, not in the past.");
    const sub = await post(customerRoute, users.support, `/customers/${customerId}`, { planId: plans.json.plans[0].id, paymentMethodId: pm.paymentMethod.id, quantity: "2" }, { customerId });
    expect(sub.status).toBe(303);
    const subscriptionId = sub.location!.split("/").pop()!;
    const detail = await get(subRoute, users.viewer, `/subscriptions/${subscriptionId}`, { subscriptionId });
    expect(detail.json.subscription.status).toBe("active");
    expect(detail.json.invoices).toMatchObject([{ n: 1, status: "paid", amount: "3000000", attempts: [{ status: "captured" }] }]);
    const list = await get(subsRoute, users.viewer, "/subscriptions?status=active");
    expect(list.json.subscriptions.map((x: { id: string }) => x.id)).toEqual([subscriptionId]);
    expect(list.json.stats.mrr).toBe("3000000");

    // The plan's public subscribe page is on the Plans page.
    expect(plans.json.plans[0].subscribePath).toBe(`/subscribe/${team.shop.id}/${plans.json.plans[0].id}`);

    // Plan change: a preview first (support may; the viewer may not), then the confirmed change, once.
    expect((await post(plansRoute, users.owner, "/plans", { name: "Big box", amount: "3000000", interval: "month", intervalCount: "1", trialDays: "0" })).status).toBe(303);
    const big = (await get(plansRoute, users.viewer, "/plans")).json.plans.find((p: { name: string }) => p.name === "Big box");
    expect((await post(subRoute, users.viewer, `/subscriptions/${subscriptionId}`, { intent: "preview_change", planId: big.id }, { subscriptionId })).status).toBe(403);
    const mismatch = await post(subRoute, users.support, `/subscriptions/${subscriptionId}`, { intent: "preview_change", planId: plans.json.plans[0].id }, { subscriptionId });
    expect(mismatch.json.errors.planId).toBe("This is the subscription's plan and quantity already.");
    const preview = await post(subRoute, users.support, `/subscriptions/${subscriptionId}`, { intent: "preview_change", planId: big.id }, { subscriptionId });
    expect(preview.status).toBe(200);
    expect(preview.json.preview).toMatchObject({ toPlanName: "Big box", fromQuantity: 2, toQuantity: 2, oldTotal: "3000000", newTotal: "6000000", outcome: "charge" });
    expect((await get(subRoute, users.viewer, `/subscriptions/${subscriptionId}`, { subscriptionId })).json.plan.name).toBe("Coffee box");
    const confirm = { intent: "change_plan", planId: big.id, quantity: "2", changeKey: preview.json.preview.changeKey };
    expect((await post(subRoute, users.support, `/subscriptions/${subscriptionId}`, confirm, { subscriptionId })).status).toBe(303);
    expect((await post(subRoute, users.support, `/subscriptions/${subscriptionId}`, confirm, { subscriptionId })).status).toBe(303);
    const changed = (await get(subRoute, users.viewer, `/subscriptions/${subscriptionId}`, { subscriptionId })).json;
    expect(changed.plan.name).toBe("Big box");
    const proration = await db().select().from(s.invoices).where(eq(s.invoices.kind, "proration"));
    expect(proration.map((i) => i.status)).toEqual(["paid"]);
    const audits = await db().select({ action: s.auditEvents.action }).from(s.auditEvents).where(eq(s.auditEvents.action, "subscription.change_plan"));
    expect(audits).toHaveLength(1);

    // Support pauses and resumes; the viewer cannot; cancel at period end keeps it active until then.
    expect((await post(subRoute, users.viewer, `/subscriptions/${subscriptionId}`, { intent: "pause" }, { subscriptionId })).status).toBe(403);
    expect((await post(subRoute, users.support, `/subscriptions/${subscriptionId}`, { intent: "pause" }, { subscriptionId })).status).toBe(303);
    expect((await get(subRoute, users.viewer, `/subscriptions/${subscriptionId}`, { subscriptionId })).json.subscription.status).toBe("paused");
    expect((await post(subRoute, users.support, `/subscriptions/${subscriptionId}`, { intent: "resume" }, { subscriptionId })).status).toBe(303);
    expect((await post(subRoute, users.support, `/subscriptions/${subscriptionId}`, { intent: "cancel_at_period_end" }, { subscriptionId })).status).toBe(303);
    const after = (await get(subRoute, users.viewer, `/subscriptions/${subscriptionId}`, { subscriptionId })).json.subscription;
    expect([after.status, after.cancelAtPeriodEnd]).toEqual(["active", true]);
    const retry = await post(subRoute, users.support, `/subscriptions/${subscriptionId}`, { intent: "retry", invoiceId: detail.json.invoices[0].id }, { subscriptionId });
    expect(retry.json.errors.form).toBe("Only an open invoice waiting for its next try can be retried now.");
  });
});
