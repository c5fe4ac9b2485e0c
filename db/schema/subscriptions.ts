import { sql } from "drizzle-orm";
import { boolean, check, index, integer, smallint, text } from "drizzle-orm/pg-core";
import { currency, money, tstz } from "./common";
import { createdAt, moneyZero, currencyIso, amountPositive, oneOf, merchantIndex, merchantUnique, idempotencyUnique, merchantFk, createdByUserId, idempotencyKey, timestamps, amountAndCurrency, period, cardTail, required, merchantRowTable, keysetIndex } from "./columns";
import { invoiceStatus, subscriptionStatus } from "./enums";
import { merchants } from "./merchants";

/** The cardholder's consent to be charged again: the mandate text they accepted, in which language, when. */
const mandate = () => ({
  mandateText: text("mandate_text").notNull(),
  mandateLocale: text("mandate_locale").notNull(),
  mandateAcceptedAt: tstz("mandate_accepted_at").notNull(),
});

/** A merchant's customer: who pays a subscription, whose cards are saved, whose payments these are. */
export const customers = merchantRowTable(
  "customers",
  {
    name: text("name").notNull(),
    email: text("email"),
    phone: text("phone"),
    /** The merchant's own reference (member number, account id). */
    reference: text("reference"),
    notes: text("notes"),
    /** console | api | hosted_page */
    source: text("source").notNull().default("console"),
    idempotencyKey: idempotencyKey(),
    ...timestamps(),
  },
  (t) => [
    idempotencyUnique("customers", t),
    keysetIndex("customers_created", t),
    merchantIndex("customers_name_lower", t, sql`lower(${t.name}) text_pattern_ops`),
    merchantIndex("customers_email_lower", t, sql`lower(${t.email}) text_pattern_ops`),
    merchantIndex("customers_reference", t, t.reference),
    oneOf("customers_source", t.source, ["console", "api", "hosted_page"]),
  ],
  () => merchants.id,
);

/**
 * A saved card: the provider's token only (never the number), saved with the cardholder's
 * consent (the mandate text they accepted, when and in which language).
 */
export const paymentMethods = merchantRowTable(
  "payment_methods",
  {
    customerId: text("customer_id").notNull(),
    processorId: text("processor_id").notNull().default("sandbox"),
    cardToken: text("card_token").notNull(),
    cardBrand: text("card_brand").notNull(),
    ...required(cardTail()),
    ...mandate(),
    mandateIp: text("mandate_ip"),
    /** active | removed */
    status: text("status").notNull().default("active"),
    removedAt: tstz("removed_at"),
    /** customer | staff */
    removedBy: text("removed_by"),
    createdAt: createdAt(),
  },
  (t) => [
    merchantFk(t, t.customerId, customers),
    merchantIndex("payment_methods_customer", t, t.customerId),
    // One active saved copy of a card per customer (a repeated save is the same card).
    merchantUnique("payment_methods_one_active", t, t.customerId, t.cardToken).where(sql`${t.status} = 'active'`),
    oneOf("payment_methods_status", t.status, ["active", "removed"]),
    check("payment_methods_last4", sql`${t.cardLast4} ~ '^[0-9]{4}$'`),
  ],
);

export const plans = merchantRowTable(
  "plans",
  {
    name: text("name").notNull(),
    ...amountAndCurrency(),
    /** week | month | year */
    interval: text("interval").notNull(),
    intervalCount: smallint("interval_count").notNull().default(1),
    /** persian (Jalali months) | gregory */
    calendar: text("calendar").notNull(),
    trialDays: smallint("trial_days").notNull().default(0),
    active: boolean("active").notNull().default(true),
    idempotencyKey: idempotencyKey(),
    ...timestamps(),
  },
  (t) => [
    idempotencyUnique("plans", t),
    amountPositive("plans", t),
    currencyIso("plans", t),
    oneOf("plans_interval", t.interval, ["week", "month", "year"]),
    check("plans_interval_count", sql`${t.intervalCount} between 1 and 104`),
    oneOf("plans_calendar", t.calendar, ["persian", "gregory"]),
    check("plans_trial_days", sql`${t.trialDays} between 0 and 730`),
  ],
  () => merchants.id,
);

export const subscriptions = merchantRowTable(
  "subscriptions",
  {
    customerId: text("customer_id").notNull(),
    planId: text("plan_id").notNull(),
    paymentMethodId: text("payment_method_id"),
    status: subscriptionStatus("status").notNull(),
    quantity: integer("quantity").notNull().default(1),
    /** Period 0 starts here (after the trial); every period start is computed from it (app/lib/billing-calendar). */
    anchorAt: tstz("anchor_at").notNull(),
    /** The billing calendar, time zone and cycle, fixed when it starts. */
    calendar: text("calendar").notNull(),
    timeZone: text("time_zone").notNull(),
    interval: text("interval").notNull(),
    intervalCount: smallint("interval_count").notNull(),
    startAt: tstz("start_at").notNull(),
    trialEndAt: tstz("trial_end_at"),
    currentPeriodIndex: integer("current_period_index"),
    currentPeriodStart: tstz("current_period_start"),
    currentPeriodEnd: tstz("current_period_end"),
    /** When the next period's invoice is due (null once it ended). */
    nextRenewalAt: tstz("next_renewal_at"),
    cancelAtPeriodEnd: boolean("cancel_at_period_end").notNull().default(false),
    canceledAt: tstz("canceled_at"),
    endedAt: tstz("ended_at"),
    pausedAt: tstz("paused_at"),
    /** Proration credit (minor units) from a plan change, taken off the next invoices. */
    creditBalance: moneyZero("credit_balance"),
    idempotencyKey: idempotencyKey(),
    ...timestamps(),
  },
  (t) => [
    merchantFk(t, t.customerId, customers),
    merchantFk(t, t.planId, plans),
    merchantFk(t, t.paymentMethodId, paymentMethods),
    idempotencyUnique("subscriptions", t),
    merchantIndex("subscriptions_customer", t, t.customerId),
    merchantIndex("subscriptions_status_created", t, t.status, t.createdAt),
    // The renewal job's scan (all merchants): what is due.
    index("subscriptions_due").on(t.nextRenewalAt).where(sql`${t.nextRenewalAt} is not null`),
    check("subscriptions_quantity", sql`${t.quantity} between 1 and 10000`),
    check("subscriptions_credit_balance", sql`${t.creditBalance} >= 0`),
  ],
);

/**
 * One invoice per subscription and period (the UNIQUE constraint): a renewal that runs
 * twice, or two workers at once, cannot bill a period twice. Each charge attempt is a
 * payment with invoice_id set and the idempotency key invoice:<id>:<attempt>.
 */
export const invoices = merchantRowTable(
  "invoices",
  {
    subscriptionId: text("subscription_id").notNull(),
    customerId: text("customer_id").notNull(),
    periodIndex: integer("period_index").notNull(),
    ...period(),
    status: invoiceStatus("status").notNull(),
    /** period: one per billing period; proration: a plan change's charge for the rest of a period. */
    kind: text("kind").notNull().default("period"),
    /** What is charged: the plan's amount × quantity (or the proration), less credit_applied. */
    amount: money("amount").notNull(),
    /** Proration credit taken off this invoice (amount is what is left to charge). */
    creditApplied: moneyZero("credit_applied"),
    currency: currency().notNull(),
    attemptCount: smallint("attempt_count").notNull().default(0),
    /** Of attempt_count, the ones the customer made on the update-card page (they do not use up a dunning retry). */
    customerAttempts: smallint("customer_attempts").notNull().default(0),
    /** When the next charge attempt is due; null while one is in flight or when it is closed. */
    nextAttemptAt: tstz("next_attempt_at"),
    firstFailedAt: tstz("first_failed_at"),
    /** The attempt that paid it. */
    paymentId: text("payment_id"),
    paidAt: tstz("paid_at"),
    closedAt: tstz("closed_at"),
    ...timestamps(),
  },
  (t) => [
    merchantFk(t, t.subscriptionId, subscriptions),
    merchantUnique("invoices_one_per_period", t, t.subscriptionId, t.periodStart),
    merchantIndex("invoices_subscription", t, t.subscriptionId, t.periodIndex),
    merchantIndex("invoices_created", t, t.createdAt),
    index("invoices_attempt_due").on(t.nextAttemptAt).where(sql`${t.status} = 'open' and ${t.nextAttemptAt} is not null`),
    merchantIndex("invoices_in_flight", t).where(sql`${t.status} = 'open' and ${t.nextAttemptAt} is null`),
    check("invoices_amount_positive", sql`${t.amount} > 0 or (${t.amount} = 0 and ${t.creditApplied} > 0)`),
    check("invoices_credit_applied", sql`${t.creditApplied} >= 0`),
    oneOf("invoices_kind", t.kind, ["period", "proration"]),
    check("invoices_paid_has_payment", sql`${t.status} <> 'paid' or ${t.paymentId} is not null or ${t.amount} = 0`),
  ],
);

/**
 * A cardholder subscribing on the hosted subscribe page (/subscribe/:merchant/:plan): who
 * they are, the mandate they accepted, and at most one payment (its idempotency key is
 * subscribe:<id>) and one subscription (idempotency key subscribe:<id>).
 */
export const subscribeCheckouts = merchantRowTable(
  "subscribe_checkouts",
  {
    planId: text("plan_id").notNull(),
    customerName: text("customer_name").notNull(),
    customerEmail: text("customer_email"),
    customerPhone: text("customer_phone"),
    ...mandate(),
    clientIp: text("client_ip"),
    locale: text("locale").notNull(),
    /** open | paying | completed | declined */
    status: text("status").notNull().default("open"),
    paymentId: text("payment_id"),
    customerId: text("customer_id"),
    subscriptionId: text("subscription_id"),
    expiresAt: tstz("expires_at").notNull(),
    ...timestamps(),
  },
  (t) => [
    merchantFk(t, t.planId, plans),
    merchantIndex("subscribe_checkouts_ip", t, t.clientIp, t.createdAt),
    oneOf("subscribe_checkouts_status", t.status, ["open", "paying", "completed", "declined"]),
  ],
);

/**
 * A customer's new card from the dunning link (/card/...): the attempt it paid the open
 * invoice with (one per submitted form: its id is the form's), and the card saved under
 * the mandate they accepted once the payment went through.
 */
export const cardUpdates = merchantRowTable(
  "card_updates",
  {
    subscriptionId: text("subscription_id").notNull(),
    invoiceId: text("invoice_id"),
    paymentId: text("payment_id"),
    paymentMethodId: text("payment_method_id"),
    ...mandate(),
    clientIp: text("client_ip"),
    /** paying | completed | declined */
    status: text("status").notNull().default("paying"),
    ...timestamps(),
  },
  (t) => [
    merchantFk(t, t.subscriptionId, subscriptions),
    merchantIndex("card_updates_subscription", t, t.subscriptionId, t.createdAt),
    oneOf("card_updates_status", t.status, ["paying", "completed", "declined"]),
  ],
);

/**
 * A plan change in the middle of a period and its proration: what the rest of the period
 * costs on the new plan less what it was paid on the old (seconds left / seconds in the
 * period, rounded half away from zero to minor units). A charge is an invoice of kind
 * proration; a credit goes to subscriptions.credit_balance.
 */
export const subscriptionPlanChanges = merchantRowTable(
  "subscription_plan_changes",
  {
    subscriptionId: text("subscription_id").notNull(),
    fromPlanId: text("from_plan_id").notNull(),
    toPlanId: text("to_plan_id").notNull(),
    fromQuantity: integer("from_quantity").notNull(),
    toQuantity: integer("to_quantity").notNull(),
    ...period(),
    changedAt: tstz("changed_at").notNull(),
    secondsLeft: integer("seconds_left").notNull(),
    periodSeconds: integer("period_seconds").notNull(),
    /** Positive: charged now (invoice_id); negative: credited to the next invoices; minor units. */
    proration: money("proration").notNull(),
    currency: currency().notNull(),
    invoiceId: text("invoice_id"),
    idempotencyKey: idempotencyKey(),
    createdByUserId: createdByUserId(),
    createdAt: createdAt(),
  },
  (t) => [
    merchantFk(t, t.subscriptionId, subscriptions),
    idempotencyUnique("subscription_plan_changes", t),
    merchantIndex("subscription_plan_changes_subscription", t, t.subscriptionId, t.changedAt),
  ],
);
