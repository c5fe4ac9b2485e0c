import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db, rows } from "~db/client.server";
import * as s from "~db/schema";
import { simulateUntil } from "~/server/scheduler";
import { runRenewals, updateSubscriptionCard } from "~/modules/subscriptions/renewals.server";
import { attachPaymentMethod, mandateText, removePaymentMethod } from "~/modules/subscriptions/customers.server";
import { getSubscription } from "~/modules/subscriptions/subscriptions.server";
import { sandboxProcessor } from "~/modules/processors/sandbox-processor.server";
import { useTestDatabase } from "../../support/db";
import { CARD, card, fastSandbox, ledgerReport, makeMerchant } from "../payments/fixtures";
import { invoiceLedger, subscribe } from "./helpers";
import { publishEvents } from "~/modules/events/events.server";

useTestDatabase({ seed: "none" });
fastSandbox();

const RENEWALS_FAIL = "4000000000003410"; // approved with the cardholder present, renewals: insufficient funds
const REVOKED = "4000000000003436";

async function attempts(merchantId: string, invoiceId: string) {
  const list = await rows<{ created_at: string; status: string; decline_code: string | null; idempotency_key: string }>(
    db(),
    sql`select created_at, status::text as status, decline_code, idempotency_key from payments where merchant_id = ${merchantId} and invoice_id = ${invoiceId} order by created_at`,
  );
  return list.map((p) => ({ ...p, at: new Date(p.created_at).toISOString() }));
}

describe("dunning", () => {
  it("a failing renewal is retried 1, 3, 5 and 7 days after the first failure (same local time), then uncollectible and the subscription canceled", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const start = new Date("2025-10-01T06:30:00Z"); // 10:00 Tehran
    const { subscription } = await subscribe(m, { name: "Box", amount: "2000000", interval: "month" }, RENEWALS_FAIL, start);
    await simulateUntil({ from: start, until: new Date("2025-10-20T00:00:00Z"), merchantIds: [m.merchantId] });
    const [inv] = await invoiceLedger(m.merchantId, subscription.id);
    expect(inv!.status).toBe("uncollectible");
    const tries = await attempts(m.merchantId, inv!.id);
    expect(tries.map((t) => t.at)).toEqual([
      "2025-10-01T06:30:00.000Z",
      "2025-10-02T06:30:00.000Z",
      "2025-10-04T06:30:00.000Z",
      "2025-10-06T06:30:00.000Z",
      "2025-10-08T06:30:00.000Z",
    ]);
    expect(tries.every((t) => t.status === "declined" && t.decline_code === "insufficient_funds")).toBe(true);
    expect(tries.map((t) => t.idempotency_key)).toEqual([1, 2, 3, 4, 5].map((n) => `invoice:${inv!.id}:${n}`));
    const after = (await getSubscription(m.scope, subscription.id))!;
    expect(after.status).toBe("canceled");
    expect(after.nextRenewalAt).toBeNull();
    await publishEvents(m.merchantId); // the publisher numbers them (readers see numbered events)
    const types = (await db().select({ type: s.events.type }).from(s.events).where(sql`merchant_id = ${m.merchantId} and (type like 'invoice.%' or type like 'subscription.%')`).orderBy(s.events.seq)).map((e) => e.type);
    expect(types).toEqual([
      "subscription.created", "invoice.created",
      // Each failure that will be retried tells the customer (e-mail/SMS with the update-card link).
      "invoice.payment_failed", "subscription.past_due", "invoice.dunning_notice_sent",
      "invoice.payment_failed", "invoice.dunning_notice_sent",
      "invoice.payment_failed", "invoice.dunning_notice_sent",
      "invoice.payment_failed", "invoice.dunning_notice_sent",
      "invoice.payment_failed", "invoice.uncollectible", "subscription.canceled",
    ]);
    expect((await ledgerReport(m)).captured).toBe(0n);
  });

  it("the merchant's own schedule and final state: retries after 2 and 4 days, then unpaid (no more renewals)", async () => {
    const m = await makeMerchant({ currency: "USD" });
    await db().update(s.merchants).set({ dunningRetryDays: [4, 2], dunningFinalState: "unpaid" }).where(sql`id = ${m.merchantId}`);
    const start = new Date("2025-03-05T14:00:00Z"); // 09:00 EST; the retries cross the DST change on 9 March
    const { subscription } = await subscribe(m, { name: "M", amount: "1500", interval: "month" }, REVOKED, start);
    await simulateUntil({ from: start, until: new Date("2025-05-01T00:00:00Z"), merchantIds: [m.merchantId] });
    const list = await invoiceLedger(m.merchantId, subscription.id);
    expect(list.map((i) => i.status)).toEqual(["uncollectible"]);
    const tries = await attempts(m.merchantId, list[0]!.id);
    expect(tries.map((t) => t.at)).toEqual(["2025-03-05T14:00:00.000Z", "2025-03-07T14:00:00.000Z", "2025-03-09T13:00:00.000Z"]);
    expect(tries[0]!.decline_code).toBe("revoked_authorization");
    expect((await getSubscription(m.scope, subscription.id))!.status).toBe("unpaid");
  });

  it("updating the card through the link pays the open invoice at once and the subscription is active again", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const start = new Date("2025-11-01T06:30:00Z");
    const { subscription, customer } = await subscribe(m, { name: "Box", amount: "2000000", interval: "month" }, RENEWALS_FAIL, start);
    await simulateUntil({ from: start, until: new Date("2025-11-03T00:00:00Z"), merchantIds: [m.merchantId] });
    expect((await getSubscription(m.scope, subscription.id))!.status).toBe("past_due");
    const t = await sandboxProcessor.tokenize(card(CARD.approveIr));
    if (!t.ok) throw new Error(t.message);
    const at = new Date("2025-11-03T08:00:00Z");
    const pm = await attachPaymentMethod(m.scope, { customerId: customer.id, token: t.card.token, mandate: { text: mandateText("Test", "fa"), locale: "fa", acceptedAt: at } }, { now: at });
    if (!pm.ok) throw new Error(pm.error.message);
    const r = await updateSubscriptionCard(m.scope, subscription.id, pm.paymentMethod.id, at);
    expect(r.ok).toBe(true);
    const [inv] = await invoiceLedger(m.merchantId, subscription.id);
    expect(inv!.status).toBe("paid");
    expect(inv!.captured).toBe(1);
    expect(inv!.attempts).toBe(3); // two declined, then the new card
    expect((await getSubscription(m.scope, subscription.id))!.status).toBe("active");
    // Nothing more is charged for that period later.
    await simulateUntil({ from: at, until: new Date("2025-11-20T00:00:00Z"), merchantIds: [m.merchantId] });
    expect((await invoiceLedger(m.merchantId, subscription.id))[0]!.attempts).toBe(3);
  });

  it("a removed card (by the customer, audited) is never charged: the renewal fails without calling the provider", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const start = new Date("2025-06-01T13:00:00Z");
    const { subscription, paymentMethod } = await subscribe(m, { name: "R", amount: "1500", interval: "week" }, CARD.approve, start);
    await runRenewals({ now: start, merchantIds: [m.merchantId] });
    const removed = await removePaymentMethod(m.scope, paymentMethod.id, { customer: true }, new Date("2025-06-02T00:00:00Z"));
    expect(removed.ok && removed.paymentMethod.status).toBe("removed");
    await runRenewals({ now: new Date("2025-06-08T13:00:00Z"), merchantIds: [m.merchantId] });
    const list = await invoiceLedger(m.merchantId, subscription.id);
    expect(list.map((i) => [i.status, i.attempts])).toEqual([["paid", 1], ["open", 0]]);
    const [audit] = await rows<{ action: string; details: { removedBy: string } }>(db(), sql`select action, details from audit_events where merchant_id = ${m.merchantId} and action = 'payment_method.remove'`);
    expect(audit!.details.removedBy).toBe("customer");
    expect((await getSubscription(m.scope, subscription.id))!.status).toBe("past_due");
  });
});
