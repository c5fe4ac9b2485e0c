/**
 * The API's shapes of customers, saved payment methods, plans, subscriptions and invoices
 * (events carry the same). Money as decimal strings of minor units, times ISO 8601 UTC.
 */
import type { customers, invoices, paymentMethods, plans, subscriptions } from "~db/schema";
import { isoOrNull } from "~/lib/dates/format";

export type Customer = typeof customers.$inferSelect;
export type PaymentMethod = typeof paymentMethods.$inferSelect;
export type Plan = typeof plans.$inferSelect;
export type Subscription = typeof subscriptions.$inferSelect;
export type Invoice = typeof invoices.$inferSelect;

export function serializeCustomer(c: Customer) {
  return {
    id: c.id,
    object: "customer" as const,
    name: c.name,
    email: c.email,
    phone: c.phone,
    reference: c.reference,
    notes: c.notes,
    source: c.source,
    created_at: isoOrNull(c.createdAt),
    updated_at: isoOrNull(c.updatedAt),
  };
}

export function serializePaymentMethod(m: PaymentMethod) {
  return {
    id: m.id,
    object: "payment_method" as const,
    customer_id: m.customerId,
    status: m.status,
    card: { brand: m.cardBrand, last4: m.cardLast4, exp_month: m.cardExpMonth, exp_year: m.cardExpYear },
    mandate: { text: m.mandateText, locale: m.mandateLocale, accepted_at: isoOrNull(m.mandateAcceptedAt) },
    removed_at: isoOrNull(m.removedAt),
    removed_by: m.removedBy,
    created_at: isoOrNull(m.createdAt),
  };
}

export function serializePlan(p: Plan) {
  return {
    id: p.id,
    object: "plan" as const,
    name: p.name,
    amount: p.amount.toString(),
    currency: p.currency,
    interval: p.interval,
    interval_count: p.intervalCount,
    calendar: p.calendar,
    trial_days: p.trialDays,
    active: p.active,
    created_at: isoOrNull(p.createdAt),
  };
}

export function serializeSubscription(s: Subscription) {
  return {
    id: s.id,
    object: "subscription" as const,
    customer_id: s.customerId,
    plan_id: s.planId,
    payment_method_id: s.paymentMethodId,
    status: s.status,
    quantity: s.quantity,
    calendar: s.calendar,
    time_zone: s.timeZone,
    interval: s.interval,
    interval_count: s.intervalCount,
    start_at: isoOrNull(s.startAt),
    trial_end_at: isoOrNull(s.trialEndAt),
    current_period_start: isoOrNull(s.currentPeriodStart),
    current_period_end: isoOrNull(s.currentPeriodEnd),
    next_renewal_at: isoOrNull(s.nextRenewalAt),
    cancel_at_period_end: s.cancelAtPeriodEnd,
    canceled_at: isoOrNull(s.canceledAt),
    ended_at: isoOrNull(s.endedAt),
    paused_at: isoOrNull(s.pausedAt),
    credit_balance: s.creditBalance.toString(),
    created_at: isoOrNull(s.createdAt),
  };
}

export function serializeInvoice(i: Invoice) {
  return {
    id: i.id,
    object: "invoice" as const,
    subscription_id: i.subscriptionId,
    customer_id: i.customerId,
    status: i.status,
    kind: i.kind,
    amount: i.amount.toString(),
    credit_applied: i.creditApplied.toString(),
    currency: i.currency,
    period_start: isoOrNull(i.periodStart),
    period_end: isoOrNull(i.periodEnd),
    attempt_count: i.attemptCount,
    next_attempt_at: isoOrNull(i.nextAttemptAt),
    payment_id: i.paymentId,
    paid_at: isoOrNull(i.paidAt),
    created_at: isoOrNull(i.createdAt),
  };
}
