import { sql } from "drizzle-orm";
import { boolean, check, foreignKey, index, integer, pgTable, primaryKey, smallint, text, uniqueIndex } from "drizzle-orm/pg-core";
import { currency, money, tstz } from "./common";
import { invoiceStatus, subscriptionStatus } from "./enums";
import { merchants } from "./merchants";

/** A merchant's customer: who pays a subscription, whose cards are saved, whose payments these are. */
export const customers = pgTable(
  "customers",
  {
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    id: text("id").notNull(),
    name: text("name").notNull(),
    email: text("email"),
    phone: text("phone"),
    /** The merchant's own reference (member number, account id). */
    reference: text("reference"),
    notes: text("notes"),
    /** console | api | hosted_page */
    source: text("source").notNull().default("console"),
    idempotencyKey: text("idempotency_key"),
    createdAt: tstz("created_at").notNull().defaultNow(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    uniqueIndex("customers_idempotency").on(t.merchantId, t.idempotencyKey),
    index("customers_created").on(t.merchantId, t.createdAt, t.id),
    index("customers_name_lower").on(t.merchantId, sql`lower(${t.name}) text_pattern_ops`),
    index("customers_email_lower").on(t.merchantId, sql`lower(${t.email}) text_pattern_ops`),
    index("customers_reference").on(t.merchantId, t.reference),
    check("customers_source", sql`${t.source} in ('console', 'api', 'hosted_page')`),
  ],
);

/**
 * A saved card: the provider's token only (never the number), saved with the cardholder's
 * consent (the mandate text they accepted, when and in which language).
 */
export const paymentMethods = pgTable(
  "payment_methods",
  {
    merchantId: text("merchant_id").notNull(),
    id: text("id").notNull(),
    customerId: text("customer_id").notNull(),
    processorId: text("processor_id").notNull().default("sandbox"),
    cardToken: text("card_token").notNull(),
    cardBrand: text("card_brand").notNull(),
    cardLast4: text("card_last4").notNull(),
    cardExpMonth: smallint("card_exp_month").notNull(),
    cardExpYear: smallint("card_exp_year").notNull(),
    mandateText: text("mandate_text").notNull(),
    mandateLocale: text("mandate_locale").notNull(),
    mandateAcceptedAt: tstz("mandate_accepted_at").notNull(),
    mandateIp: text("mandate_ip"),
    /** active | removed */
    status: text("status").notNull().default("active"),
    removedAt: tstz("removed_at"),
    /** customer | staff */
    removedBy: text("removed_by"),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    foreignKey({ columns: [t.merchantId, t.customerId], foreignColumns: [customers.merchantId, customers.id] }),
    index("payment_methods_customer").on(t.merchantId, t.customerId),
    // One active saved copy of a card per customer (a repeated save is the same card).
    uniqueIndex("payment_methods_one_active").on(t.merchantId, t.customerId, t.cardToken).where(sql`${t.status} = 'active'`),
    check("payment_methods_status", sql`${t.status} in ('active', 'removed')`),
    check("payment_methods_last4", sql`${t.cardLast4} ~ '^[0-9]{4}$'`),
  ],
);

export const plans = pgTable(
  "plans",
  {
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    id: text("id").notNull(),
    name: text("name").notNull(),
    amount: money("amount").notNull(),
    currency: currency().notNull(),
    /** week | month | year */
    interval: text("interval").notNull(),
    intervalCount: smallint("interval_count").notNull().default(1),
    /** persian (Jalali months) | gregory */
    calendar: text("calendar").notNull(),
    trialDays: smallint("trial_days").notNull().default(0),
    active: boolean("active").notNull().default(true),
    idempotencyKey: text("idempotency_key"),
    createdAt: tstz("created_at").notNull().defaultNow(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    uniqueIndex("plans_idempotency").on(t.merchantId, t.idempotencyKey),
    check("plans_amount_positive", sql`${t.amount} > 0`),
    check("plans_currency_iso", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check("plans_interval", sql`${t.interval} in ('week', 'month', 'year')`),
    check("plans_interval_count", sql`${t.intervalCount} between 1 and 104`),
    check("plans_calendar", sql`${t.calendar} in ('persian', 'gregory')`),
    check("plans_trial_days", sql`${t.trialDays} between 0 and 730`),
  ],
);

export const subscriptions = pgTable(
  "subscriptions",
  {
    merchantId: text("merchant_id").notNull(),
    id: text("id").notNull(),
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
    creditBalance: money("credit_balance").notNull().default(sql`0`),
    idempotencyKey: text("idempotency_key"),
    createdAt: tstz("created_at").notNull().defaultNow(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    foreignKey({ columns: [t.merchantId, t.customerId], foreignColumns: [customers.merchantId, customers.id] }),
    foreignKey({ columns: [t.merchantId, t.planId], foreignColumns: [plans.merchantId, plans.id] }),
    foreignKey({ columns: [t.merchantId, t.paymentMethodId], foreignColumns: [paymentMethods.merchantId, paymentMethods.id] }),
    uniqueIndex("subscriptions_idempotency").on(t.merchantId, t.idempotencyKey),
    index("subscriptions_customer").on(t.merchantId, t.customerId),
    index("subscriptions_status_created").on(t.merchantId, t.status, t.createdAt),
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
export const invoices = pgTable(
  "invoices",
  {
    merchantId: text("merchant_id").notNull(),
    id: text("id").notNull(),
    subscriptionId: text("subscription_id").notNull(),
    customerId: text("customer_id").notNull(),
    periodIndex: integer("period_index").notNull(),
    periodStart: tstz("period_start").notNull(),
    periodEnd: tstz("period_end").notNull(),
    status: invoiceStatus("status").notNull(),
    /** period: one per billing period; proration: a plan change's charge for the rest of a period. */
    kind: text("kind").notNull().default("period"),
    /** What is charged: the plan's amount × quantity (or the proration), less credit_applied. */
    amount: money("amount").notNull(),
    /** Proration credit taken off this invoice (amount is what is left to charge). */
    creditApplied: money("credit_applied").notNull().default(sql`0`),
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
    createdAt: tstz("created_at").notNull().defaultNow(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    foreignKey({ columns: [t.merchantId, t.subscriptionId], foreignColumns: [subscriptions.merchantId, subscriptions.id] }),
    uniqueIndex("invoices_one_per_period").on(t.merchantId, t.subscriptionId, t.periodStart),
    index("invoices_subscription").on(t.merchantId, t.subscriptionId, t.periodIndex),
    index("invoices_created").on(t.merchantId, t.createdAt),
    index("invoices_attempt_due").on(t.nextAttemptAt).where(sql`${t.status} = 'open' and ${t.nextAttemptAt} is not null`),
    index("invoices_in_flight").on(t.merchantId).where(sql`${t.status} = 'open' and ${t.nextAttemptAt} is null`),
    check("invoices_amount_positive", sql`${t.amount} > 0 or (${t.amount} = 0 and ${t.creditApplied} > 0)`),
    check("invoices_credit_applied", sql`${t.creditApplied} >= 0`),
    check("invoices_kind", sql`${t.kind} in ('period', 'proration')`),
    check("invoices_paid_has_payment", sql`${t.status} <> 'paid' or ${t.paymentId} is not null or ${t.amount} = 0`),
  ],
);

/**
 * A cardholder subscribing on the hosted subscribe page (/subscribe/:merchant/:plan): who
 * they are, the mandate they accepted, and at most one payment (its idempotency key is
 * subscribe:<id>) and one subscription (idempotency key subscribe:<id>).
 */
export const subscribeCheckouts = pgTable(
  "subscribe_checkouts",
  {
    merchantId: text("merchant_id").notNull(),
    id: text("id").notNull(),
    planId: text("plan_id").notNull(),
    customerName: text("customer_name").notNull(),
    customerEmail: text("customer_email"),
    customerPhone: text("customer_phone"),
    mandateText: text("mandate_text").notNull(),
    mandateLocale: text("mandate_locale").notNull(),
    mandateAcceptedAt: tstz("mandate_accepted_at").notNull(),
    clientIp: text("client_ip"),
    locale: text("locale").notNull(),
    /** open | paying | completed | declined */
    status: text("status").notNull().default("open"),
    paymentId: text("payment_id"),
    customerId: text("customer_id"),
    subscriptionId: text("subscription_id"),
    expiresAt: tstz("expires_at").notNull(),
    createdAt: tstz("created_at").notNull().defaultNow(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    foreignKey({ columns: [t.merchantId, t.planId], foreignColumns: [plans.merchantId, plans.id] }),
    index("subscribe_checkouts_ip").on(t.merchantId, t.clientIp, t.createdAt),
    check("subscribe_checkouts_status", sql`${t.status} in ('open', 'paying', 'completed', 'declined')`),
  ],
);

/**
 * A customer's new card from the dunning link (/card/...): the attempt it paid the open
 * invoice with (one per submitted form: its id is the form's), and the card saved under
 * the mandate they accepted once the payment went through.
 */
export const cardUpdates = pgTable(
  "card_updates",
  {
    merchantId: text("merchant_id").notNull(),
    id: text("id").notNull(),
    subscriptionId: text("subscription_id").notNull(),
    invoiceId: text("invoice_id"),
    paymentId: text("payment_id"),
    paymentMethodId: text("payment_method_id"),
    mandateText: text("mandate_text").notNull(),
    mandateLocale: text("mandate_locale").notNull(),
    mandateAcceptedAt: tstz("mandate_accepted_at").notNull(),
    clientIp: text("client_ip"),
    /** paying | completed | declined */
    status: text("status").notNull().default("paying"),
    createdAt: tstz("created_at").notNull().defaultNow(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    foreignKey({ columns: [t.merchantId, t.subscriptionId], foreignColumns: [subscriptions.merchantId, subscriptions.id] }),
    index("card_updates_subscription").on(t.merchantId, t.subscriptionId, t.createdAt),
    check("card_updates_status", sql`${t.status} in ('paying', 'completed', 'declined')`),
  ],
);

/**
 * A plan change in the middle of a period and its proration: what the rest of the period
 * costs on the new plan less what it was paid on the old (seconds left / seconds in the
 * period, rounded half away from zero to minor units). A charge is an invoice of kind
 * proration; a credit goes to subscriptions.credit_balance.
 */
export const subscriptionPlanChanges = pgTable(
  "subscription_plan_changes",
  {
    merchantId: text("merchant_id").notNull(),
    id: text("id").notNull(),
    subscriptionId: text("subscription_id").notNull(),
    fromPlanId: text("from_plan_id").notNull(),
    toPlanId: text("to_plan_id").notNull(),
    fromQuantity: integer("from_quantity").notNull(),
    toQuantity: integer("to_quantity").notNull(),
    periodStart: tstz("period_start").notNull(),
    periodEnd: tstz("period_end").notNull(),
    changedAt: tstz("changed_at").notNull(),
    secondsLeft: integer("seconds_left").notNull(),
    periodSeconds: integer("period_seconds").notNull(),
    /** Positive: charged now (invoice_id); negative: credited to the next invoices; minor units. */
    proration: money("proration").notNull(),
    currency: currency().notNull(),
    invoiceId: text("invoice_id"),
    idempotencyKey: text("idempotency_key"),
    createdByUserId: text("created_by_user_id"),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    foreignKey({ columns: [t.merchantId, t.subscriptionId], foreignColumns: [subscriptions.merchantId, subscriptions.id] }),
    uniqueIndex("subscription_plan_changes_idempotency").on(t.merchantId, t.idempotencyKey),
    index("subscription_plan_changes_subscription").on(t.merchantId, t.subscriptionId, t.changedAt),
  ],
);
