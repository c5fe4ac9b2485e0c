/**
 * Subscribing on the hosted page (/subscribe/:merchant/:plan): the cardholder gives their
 * name, e-mail and/or phone and accepts the mandate ("save this card for future payments
 * to <merchant>"); the card goes from their browser to the provider (this server sees only
 * the token); the first period is paid (or, with a trial, the card is checked by an
 * authorization that is released at once) with the provider's authentication exactly as on
 * the hosted payment page; then, once, the customer, their saved card, the subscription and
 * its first invoice (paid by that payment) are written in one transaction.
 *
 * Exactly once: the payment's idempotency key is subscribe:<checkout> (a double submit, a
 * refresh or a retry finds the same payment), and the subscription is written under the
 * checkout's row lock only while the checkout has none.
 */
import { failure, type Failure, type Result } from "~/lib/vocabulary";
import { and, eq, sql } from "drizzle-orm";
import { customers, invoices, merchants, payments, plans, subscribeCheckouts, subscriptions } from "~db/schema";
import { db, rows as sqlRows, type Tx } from "~db/client.server";
import { billingPeriod, type BillingCalendar } from "~/lib/billing-calendar";
import { newId } from "~/lib/ids";
import { recordEvent } from "~/modules/events/events.server";
import { activeBlock, normalizePhone, type PublicMerchant } from "~/modules/cardholder/public.server";
import { outcomeOf } from "~/modules/payments/inquiry-outcome";
import { linkTerminal } from "~/modules/terminals/link-terminal.server";
import { applyAuthorizationOutcome, createPayment, getPayment, voidPayment, type Payment } from "~/modules/payments/payments.server";
import { processorFor } from "~/modules/processors/sandbox-processor.server";
import { mandateText, saveCardOfPayment } from "./customers.server";
import { cycleOf, subscriptionTerms } from "./subscriptions.server";
import { serializeCustomer, serializeInvoice, serializeSubscription, type Plan, type Subscription } from "./serialize";
import { env } from "~/lib/env.server";

export type SubscribeCheckout = typeof subscribeCheckouts.$inferSelect;

export const subscribeConfig = {
  /** How long the card step stays usable after the details step. */
  checkoutTtlMs: 30 * 60_000,
  /** Subscribe checkouts one address may start on one plan in an hour. */
  perIpPerPlanPerHour: env.SUBSCRIBE_PER_IP_PER_PLAN_PER_HOUR,
};

export type SubscribeField = "name" | "email" | "phone" | "consent" | "form";

/** A refusal of the subscribe page, on the field it is about (its `param`). */
function refuse(status: number, code: string, field: SubscribeField, message: string): { ok: false; error: Failure } {
  return failure(status, code, message, field);
}

export interface PublicPlan {
  plan: Plan;
  merchant: PublicMerchant;
}

/** A plan by its public address (no sign-in): the plan and whose it is; null if either does not exist. */
export async function resolvePublicPlan(merchantId: string, planId: string): Promise<PublicPlan | null> {
  if (!/^mer_[A-Za-z0-9_]{1,60}$/.test(merchantId) || !/^plan_[A-Za-z0-9_]{1,60}$/.test(planId)) return null;
  const [m] = await db().select().from(merchants).where(eq(merchants.id, merchantId));
  if (!m) return null;
  const [plan] = await db().select().from(plans).where(and(eq(plans.merchantId, merchantId), eq(plans.id, planId)));
  if (!plan) return null;
  return { plan, merchant: { id: m.id, name: m.name, currency: m.currency, timeZone: m.timeZone, defaultLocale: m.defaultLocale, active: m.status === "active" } };
}

/** Why a plan takes no subscribers now, or null. */
export function planClosedReason(pp: PublicPlan): "inactive" | "merchant_inactive" | null {
  if (!pp.merchant.active) return "merchant_inactive";
  return pp.plan.active ? null : "inactive";
}

/** The public address of a plan's subscribe page. */
export function subscribePath(merchantId: string, planId: string): string {
  return `/subscribe/${encodeURIComponent(merchantId)}/${encodeURIComponent(planId)}`;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,185}\.[^\s@]{2,}$/;
const PHONE = /^\+?[0-9]{8,15}$/;
const HOUR = 3_600_000;

export interface SubscribeInput {
  name?: string;
  email?: string;
  phone?: string;
  /** The cardholder ticked the mandate shown in `locale`. */
  consent: boolean;
  locale: string;
}

/** Step one: who subscribes and their consent to the mandate. */
export async function startSubscribeCheckout(
  merchantId: string,
  planId: string,
  input: SubscribeInput,
  ctx: { ip: string | null; now?: Date },
): Promise<Result<{ checkout: SubscribeCheckout }>> {
  const now = ctx.now ?? new Date();
  const pp = await resolvePublicPlan(merchantId, planId);
  if (!pp) return refuse(404, "plan_not_found", "form", "This subscription page does not exist.");
  if (planClosedReason(pp)) return refuse(410, "plan_inactive", "form", "This plan takes no new subscribers.");
  const blocked = await activeBlock(merchantId, ctx.ip, now);
  if (blocked) return refuse(429, "ip_blocked", "form", "Too many declined cards from this connection.");
  const [recent] = await sqlRows<{ n: number }>(
    db(),
    sql`select count(*)::int as n from subscribe_checkouts where merchant_id = ${merchantId} and plan_id = ${planId}
          and client_ip is not distinct from ${ctx.ip} and created_at >= ${new Date(now.getTime() - HOUR).toISOString()}::timestamptz`,
  );
  if ((recent?.n ?? 0) >= subscribeConfig.perIpPerPlanPerHour) return refuse(429, "too_many_attempts", "form", "Too many attempts from this connection; try again in an hour.");
  const name = (input.name ?? "").trim();
  const email = (input.email ?? "").trim().toLowerCase();
  const phone = normalizePhone(input.phone ?? "");
  if (name.length < 2 || name.length > 100) return refuse(400, "name_invalid", "name", "Enter your name (2 to 100 characters).");
  if (email && (!EMAIL.test(email) || email.length > 254)) return refuse(400, "email_invalid", "email", "Enter an e-mail address, like name@example.com.");
  if (phone && !PHONE.test(phone)) return refuse(400, "phone_invalid", "phone", "Enter a mobile number, like 09121234567.");
  if (!email && !phone) return refuse(400, "contact_required", "email", "Enter an e-mail address or a mobile number, so you can be told about your payments.");
  if (!input.consent) return refuse(400, "consent_required", "consent", "A subscription is charged on your saved card: tick the box to agree.");
  const locale = input.locale === "en" ? "en" : "fa";
  const [row] = await db()
    .insert(subscribeCheckouts)
    .values({
      merchantId,
      id: newId("chk", now),
      planId,
      customerName: name,
      customerEmail: email || null,
      customerPhone: phone || null,
      mandateText: mandateText(pp.merchant.name, locale),
      mandateLocale: locale,
      mandateAcceptedAt: now,
      clientIp: ctx.ip,
      locale,
      expiresAt: new Date(now.getTime() + subscribeConfig.checkoutTtlMs),
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return { ok: true, checkout: row! };
}

export async function getSubscribeCheckout(merchantId: string, planId: string, checkoutId: string): Promise<{ pp: PublicPlan; checkout: SubscribeCheckout } | null> {
  if (!/^chk_[a-z0-9]{1,40}$/.test(checkoutId)) return null;
  const pp = await resolvePublicPlan(merchantId, planId);
  if (!pp) return null;
  const [c] = await db()
    .select()
    .from(subscribeCheckouts)
    .where(and(eq(subscribeCheckouts.merchantId, merchantId), eq(subscribeCheckouts.id, checkoutId), eq(subscribeCheckouts.planId, planId)));
  return c ? { pp, checkout: c } : null;
}

/** A trial starts with a card check (an authorization released at once); otherwise the first period is paid. */
export function firstCharge(plan: Plan): { amount: bigint; capture: boolean } {
  return { amount: plan.amount, capture: plan.trialDays === 0 };
}

export type SubscribeOutcome = Result<{ kind: "authenticate"; redirectUrl: string } | { kind: "done"; payment: Payment }>;

/** Step two: the card token from the provider; one payment per checkout (idempotency key subscribe:<id>). */
export async function paySubscribeCheckout(merchantId: string, planId: string, checkoutId: string, token: string, ctx: { ip: string | null; now?: Date }): Promise<SubscribeOutcome> {
  const now = ctx.now ?? new Date();
  const found = await getSubscribeCheckout(merchantId, planId, checkoutId);
  if (!found) return refuse(404, "checkout_not_found", "form", "This page has expired; start again.");
  const { pp, checkout } = found;
  const scope = { merchantId };
  if (checkout.paymentId) {
    const p = await getPayment(scope, checkout.paymentId);
    if (p && p.status !== "pending") {
      await finishSubscribe(merchantId, checkoutId, now);
      return { ok: true, kind: "done", payment: p };
    }
  } else {
    if (planClosedReason(pp)) return refuse(410, "plan_inactive", "form", "This plan takes no new subscribers.");
    if (checkout.expiresAt.getTime() <= now.getTime()) return refuse(410, "checkout_expired", "form", "This page has expired; start again.");
    const blocked = await activeBlock(merchantId, ctx.ip, now);
    if (blocked) return refuse(429, "ip_blocked", "form", "Too many declined cards from this connection.");
  }
  if (typeof token !== "string" || !/^tok_[A-Za-z0-9]{1,64}$/.test(token)) return refuse(400, "token_invalid", "form", "The card could not be read; enter it again.");
  const terminal = await linkTerminal(db(), merchantId, now);
  const first = firstCharge(pp.plan);
  const r = await createPayment(
    scope,
    {
      amount: first.amount,
      currency: pp.plan.currency,
      token,
      description: pp.plan.name,
      customerReference: checkout.customerName,
      capture: first.capture,
      channel: "ecommerce",
      authentication: { returnUrl: `${subscribePath(merchantId, planId)}/${checkoutId}`, merchantName: pp.merchant.name, locale: checkout.locale },
    },
    { terminalId: terminal.id, idempotencyKey: `subscribe:${checkoutId}`, now },
  );
  if (!r.ok) return refuse(r.error.status, r.error.code, "form", r.error.message);
  await db()
    .update(subscribeCheckouts)
    .set({ paymentId: r.payment.id, status: "paying", updatedAt: now })
    .where(and(eq(subscribeCheckouts.merchantId, merchantId), eq(subscribeCheckouts.id, checkoutId), sql`${subscribeCheckouts.paymentId} is null`));
  if (r.nextAction) return { ok: true, kind: "authenticate", redirectUrl: r.nextAction.redirectUrl };
  await finishSubscribe(merchantId, checkoutId, now);
  return { ok: true, kind: "done", payment: (await getPayment(scope, r.payment.id)) ?? r.payment };
}

/**
 * The cardholder is back from the provider's page (or reloads the result): the payment's
 * outcome is asked of the provider if still unknown, then the subscription is made once.
 */
export async function resolveSubscribeCheckout(merchantId: string, planId: string, checkoutId: string, now = new Date()) {
  const found = await getSubscribeCheckout(merchantId, planId, checkoutId);
  if (!found) return null;
  const scope = { merchantId };
  let payment: Payment | null = found.checkout.paymentId ? ((await getPayment(scope, found.checkout.paymentId)) ?? null) : null;
  if (payment?.status === "pending") {
    try {
      const outcome = outcomeOf(await processorFor(payment.processorId).inquire({ account: merchantId, reference: payment.id }));
      if (outcome) payment = (await applyAuthorizationOutcome(scope, payment.id, outcome, now)) ?? payment;
    } catch {
      // The provider did not answer: still pending; the page says so.
    }
  }
  if (payment && payment.status !== "pending") await finishSubscribe(merchantId, checkoutId, now);
  const [checkout] = await db().select().from(subscribeCheckouts).where(and(eq(subscribeCheckouts.merchantId, merchantId), eq(subscribeCheckouts.id, checkoutId)));
  if (payment) payment = (await getPayment(scope, payment.id)) ?? payment;
  const [subscription] = checkout?.subscriptionId
    ? await db().select().from(subscriptions).where(and(eq(subscriptions.merchantId, merchantId), eq(subscriptions.id, checkout.subscriptionId)))
    : [];
  return { pp: found.pp, checkout: checkout ?? found.checkout, payment, subscription: subscription ?? null };
}

/**
 * Once the payment is final: declined, the checkout says so (the cardholder may try another
 * card: a new checkout); paid (or the trial's card check approved, then released), the
 * customer, card, subscription and first invoice are written, once.
 */
export async function finishSubscribe(merchantId: string, checkoutId: string, now: Date): Promise<Subscription | null> {
  const scope = { merchantId };
  const [c0] = await db().select().from(subscribeCheckouts).where(and(eq(subscribeCheckouts.merchantId, merchantId), eq(subscribeCheckouts.id, checkoutId)));
  if (!c0?.paymentId || c0.subscriptionId) return null;
  let p = await getPayment(scope, c0.paymentId);
  if (!p || p.status === "pending") return null;
  const [plan] = await db().select().from(plans).where(and(eq(plans.merchantId, merchantId), eq(plans.id, c0.planId)));
  const trial = plan!.trialDays > 0;
  if (trial && p.status === "authorized") {
    // The trial's card check: the hold is released; the card is saved below.
    const v = await voidPayment(scope, p.id);
    if (v.ok) p = v.payment;
  }
  // (A declined check is never voided: a voided check was approved.)
  const approved = trial ? ["authorized", "voided", "captured"].includes(p.status) : p.status === "captured";
  if (!approved) {
    await db()
      .update(subscribeCheckouts)
      .set({ status: "declined", updatedAt: now })
      .where(and(eq(subscribeCheckouts.merchantId, merchantId), eq(subscribeCheckouts.id, checkoutId), eq(subscribeCheckouts.status, "paying")));
    return null;
  }
  const payment = p;
  return db().transaction(async (tx) => {
    const [c] = await tx
      .select()
      .from(subscribeCheckouts)
      .where(and(eq(subscribeCheckouts.merchantId, merchantId), eq(subscribeCheckouts.id, checkoutId)))
      .for("update");
    if (!c || c.subscriptionId) return null;
    const [merchant] = await tx.select().from(merchants).where(eq(merchants.id, merchantId));
    const [customer] = await tx
      .insert(customers)
      .values({ merchantId, id: newId("cus", now), name: c.customerName, email: c.customerEmail, phone: c.customerPhone, source: "hosted_page", idempotencyKey: `subscribe:${c.id}`, createdAt: now, updatedAt: now })
      .returning();
    await recordEvent(tx, merchantId, "customer.created", serializeCustomer(customer!), now);
    const { paymentMethod } = await saveCardOfPayment(tx, merchantId, customer!.id, payment, { text: c.mandateText, locale: c.mandateLocale, acceptedAt: c.mandateAcceptedAt, ip: c.clientIp }, now);
    const sub = await writeSubscription(tx, plan!, merchant!, customer!.id, paymentMethod.id, payment, c.id, now);
    await tx
      .update(payments)
      .set({ customerId: customer!.id })
      .where(and(eq(payments.merchantId, merchantId), eq(payments.id, payment.id)));
    await tx
      .update(subscribeCheckouts)
      .set({ status: "completed", customerId: customer!.id, subscriptionId: sub.id, updatedAt: now })
      .where(and(eq(subscribeCheckouts.merchantId, merchantId), eq(subscribeCheckouts.id, c.id)));
    return sub;
  });
}

/** The subscription (started now, on the plan's calendar in the merchant's zone) and, without a trial, its first invoice paid by the payment. */
async function writeSubscription(tx: Tx, plan: Plan, merchant: typeof merchants.$inferSelect, customerId: string, paymentMethodId: string, payment: Payment, checkoutId: string, now: Date): Promise<Subscription> {
  const terms = subscriptionTerms(plan, payment.createdAt, plan.trialDays, merchant.timeZone);
  const { trialEndAt, anchorAt } = terms;
  const period = billingPeriod(anchorAt, cycleOf(plan), 0, terms.timeZone, plan.calendar as BillingCalendar);
  const [row] = await tx
    .insert(subscriptions)
    .values({
      merchantId: merchant.id,
      id: newId("sub", now),
      customerId,
      paymentMethodId,
      status: trialEndAt ? "trialing" : "active",
      quantity: 1,
      ...terms,
      ...(trialEndAt ? { nextRenewalAt: anchorAt } : { currentPeriodIndex: 0, currentPeriodStart: period.start, currentPeriodEnd: period.end, nextRenewalAt: period.end }),
      idempotencyKey: `subscribe:${checkoutId}`,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  await recordEvent(tx, merchant.id, "subscription.created", serializeSubscription(row!), now);
  if (!trialEndAt) {
    const [inv] = await tx
      .insert(invoices)
      .values({
        merchantId: merchant.id,
        id: newId("in", period.start),
        subscriptionId: row!.id,
        customerId,
        periodIndex: 0,
        periodStart: period.start,
        periodEnd: period.end,
        status: "paid",
        amount: payment.amount,
        currency: payment.currency,
        attemptCount: 1,
        paymentId: payment.id,
        paidAt: payment.capturedAt ?? now,
        closedAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await tx
      .update(payments)
      .set({ invoiceId: inv!.id })
      .where(and(eq(payments.merchantId, merchant.id), eq(payments.id, payment.id)));
    await recordEvent(tx, merchant.id, "invoice.created", serializeInvoice(inv!), now);
    await recordEvent(tx, merchant.id, "invoice.paid", serializeInvoice(inv!), now);
  }
  return row!;
}
