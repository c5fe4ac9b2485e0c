import { sql } from "drizzle-orm";
import { expect } from "vitest";
import { db, rows } from "~db/client.server";
import { sandboxProcessor } from "~/modules/processors/sandbox-processor.server";
import { attachPaymentMethod, createCustomer, mandateText } from "~/modules/subscriptions/customers.server";
import { createPlan, createSubscription, type PlanInput } from "~/modules/subscriptions/subscriptions.server";
import { card, type TestMerchant } from "../payments/fixtures";
import { toJalali } from "~/lib/dates/jalali";
import { zonedParts } from "~/lib/dates/zones";

/** A customer with a card saved under their mandate (as the hosted page does). */
export async function customerWithCard(m: TestMerchant, number: string, now: Date, name = "Sara Ahmadi") {
  const c = await createCustomer(m.scope, { name, email: `${name.split(" ")[0]!.toLowerCase()}@example.com` }, { now });
  if (!c.ok) throw new Error(c.error.message);
  const t = await sandboxProcessor.tokenize(card(number));
  if (!t.ok) throw new Error(t.message);
  const pm = await attachPaymentMethod(m.scope, { customerId: c.customer.id, token: t.card.token, mandate: { text: mandateText("Test", "en"), locale: "en", acceptedAt: now } }, { now });
  if (!pm.ok) throw new Error(pm.error.message);
  return { customer: c.customer, paymentMethod: pm.paymentMethod };
}

export async function subscribe(m: TestMerchant, plan: PlanInput, number: string, now: Date, extra: { quantity?: number; startAt?: Date; trialDays?: number } = {}) {
  const p = await createPlan(m.scope, plan, { now });
  if (!p.ok) throw new Error(p.error.message);
  const { customer, paymentMethod } = await customerWithCard(m, number, now);
  const s = await createSubscription(m.scope, { customerId: customer.id, planId: p.plan.id, paymentMethodId: paymentMethod.id, ...extra }, { now });
  if (!s.ok) throw new Error(s.error.message);
  return { plan: p.plan, customer, paymentMethod, subscription: s.subscription };
}

/** Per invoice: its period, status, and how many captured payments and provider authorizations it has. */
export async function invoiceLedger(merchantId: string, subscriptionId: string) {
  const list = await rows<{ id: string; period_index: number; period_start: Date; status: string; amount: string; payment_id: string | null; captured: number; attempts: number; provider_auths: number; paid_payment_created: Date | null }>(
    db(),
    sql`select i.id, i.period_index, i.period_start, i.status::text as status, i.amount::text as amount, i.payment_id,
          (select count(*)::int from payments p where p.merchant_id = i.merchant_id and p.invoice_id = i.id and p.status = 'captured') as captured,
          (select count(*)::int from payments p where p.merchant_id = i.merchant_id and p.invoice_id = i.id) as attempts,
          (select count(*)::int from sandbox_authorizations a join payments p on a.account_id = p.merchant_id and a.merchant_reference = p.id
             where p.merchant_id = i.merchant_id and p.invoice_id = i.id and a.status in ('captured', 'approved')) as provider_auths,
          (select p.created_at from payments p where p.merchant_id = i.merchant_id and p.id = i.payment_id) as paid_payment_created
        from invoices i where i.merchant_id = ${merchantId} and i.subscription_id = ${subscriptionId} order by i.period_index`,
  );
  return list.map((i) => ({ ...i, period_start: new Date(i.period_start), paid_payment_created: i.paid_payment_created ? new Date(i.paid_payment_created) : null }));
}

export function expectEachPaidOnce(list: Awaited<ReturnType<typeof invoiceLedger>>) {
  for (const i of list) {
    expect({ id: i.id, status: i.status, captured: i.captured, provider: i.provider_auths }).toEqual({ id: i.id, status: "paid", captured: 1, provider: 1 });
  }
}

export const TEHRAN = "Asia/Tehran";
export const NY = "America/New_York";
/** A Tehran instant as its Jalali day, year/month/day. */
export const jalali = (d: Date) => {
  const j = toJalali(d, TEHRAN);
  return `${j.year}/${j.month}/${j.day}`;
};
/** An instant as wall-clock time in `tz`: YYYY-MM-DD HH:MM. */
export const local = (d: Date, tz: string) => {
  const p = zonedParts(d, tz);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
};
