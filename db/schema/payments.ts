import { sql } from "drizzle-orm";
import { bigint, check, date, foreignKey, index, pgTable, primaryKey, smallint, text, uniqueIndex } from "drizzle-orm/pg-core";
import { cardBrand, cardFunding, paymentStatus, refundReason, refundStatus } from "./enums";
import { currency, money, tstz } from "./common";
import { merchants } from "./merchants";
import { terminals } from "./terminals";

// The console never stores a full card number or a CVC: only the provider's token,
// BIN (first 6), last 4, brand, funding, issuer and expiry.
export const payments = pgTable(
  "payments",
  {
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    id: text("id").notNull(),
    terminalId: text("terminal_id").notNull(),
    amount: money("amount").notNull(),
    currency: currency().notNull(),
    status: paymentStatus("status").notNull(),
    amountRefunded: money("amount_refunded").notNull().default(sql`0`),
    fee: money("fee").notNull().default(sql`0`),
    cardToken: text("card_token"),
    cardBrand: cardBrand("card_brand").notNull().default("unknown"),
    cardFunding: cardFunding("card_funding").notNull().default("unknown"),
    cardBin: text("card_bin"),
    cardLast4: text("card_last4"),
    cardExpMonth: smallint("card_exp_month"),
    cardExpYear: smallint("card_exp_year"),
    // Issuing bank: Iranian bank code ("017") or a network label for foreign cards.
    issuerBank: text("issuer_bank").notNull().default(""),
    processorId: text("processor_id").notNull().default("sandbox"),
    providerReference: text("provider_reference"),
    declineCode: text("decline_code"),
    failureMessage: text("failure_message"),
    description: text("description"),
    customerReference: text("customer_reference"),
    // The payment link it was paid through (the hosted payment page), if any.
    paymentLinkId: text("payment_link_id"),
    // The customer it belongs to (virtual terminal, links, API, renewals) and, for a
    // renewal, the invoice whose attempt it is.
    customerId: text("customer_id"),
    invoiceId: text("invoice_id"),
    idempotencyKey: text("idempotency_key"),
    createdByUserId: text("created_by_user_id"),
    createdAt: tstz("created_at").notNull().defaultNow(),
    authorizedAt: tstz("authorized_at"),
    capturedAt: tstz("captured_at"),
    voidedAt: tstz("voided_at"),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    foreignKey({ columns: [t.merchantId, t.terminalId], foreignColumns: [terminals.merchantId, terminals.id] }),
    check("payments_amount_positive", sql`${t.amount} > 0`),
    check("payments_refunded_range", sql`${t.amountRefunded} >= 0 and ${t.amountRefunded} <= ${t.amount}`),
    check("payments_fee_nonneg", sql`${t.fee} >= 0`),
    check("payments_currency_iso", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check("payments_bin_format", sql`${t.cardBin} is null or ${t.cardBin} ~ '^[0-9]{6}$'`),
    check("payments_last4_format", sql`${t.cardLast4} is null or ${t.cardLast4} ~ '^[0-9]{4}$'`),
    uniqueIndex("payments_idempotency").on(t.merchantId, t.idempotencyKey),
    // Keyset pagination order and the hot filters, all led by merchant_id.
    index("payments_created").on(t.merchantId, t.createdAt, t.id),
    index("payments_status_created").on(t.merchantId, t.status, t.createdAt, t.id),
    index("payments_terminal_created").on(t.merchantId, t.terminalId, t.createdAt, t.id),
    index("payments_last4").on(t.merchantId, t.cardLast4, t.createdAt),
    index("payments_provider_ref").on(t.merchantId, t.providerReference),
    index("payments_customer_ref").on(t.merchantId, t.customerReference),
    // The search box: customer reference by prefix in any case, description by words.
    index("payments_customer_ref_lower").on(t.merchantId, sql`lower(${t.customerReference}) text_pattern_ops`),
    index("payments_description_words").using("gin", sql`to_tsvector('simple', coalesce(${t.description}, ''))`),
    index("payments_amount").on(t.merchantId, t.amount),
    index("payments_link").on(t.merchantId, t.paymentLinkId, t.createdAt).where(sql`${t.paymentLinkId} is not null`),
    index("payments_customer").on(t.merchantId, t.customerId, t.createdAt).where(sql`${t.customerId} is not null`),
    index("payments_invoice").on(t.merchantId, t.invoiceId).where(sql`${t.invoiceId} is not null`),
    index("payments_pending").on(t.merchantId, t.createdAt).where(sql`${t.status} = 'pending'`),
    // The virtual terminal's "your recent payments": a member's own charges, newest first.
    index("payments_created_by").on(t.merchantId, t.createdByUserId, t.createdAt).where(sql`${t.createdByUserId} is not null`),
  ],
);

export const refunds = pgTable(
  "refunds",
  {
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    id: text("id").notNull(),
    paymentId: text("payment_id").notNull(),
    amount: money("amount").notNull(),
    currency: currency().notNull(),
    reason: refundReason("reason").notNull().default("requested_by_customer"),
    note: text("note"),
    status: refundStatus("status").notNull(),
    providerReference: text("provider_reference"),
    failureCode: text("failure_code"),
    idempotencyKey: text("idempotency_key"),
    createdByUserId: text("created_by_user_id"),
    createdAt: tstz("created_at").notNull().defaultNow(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    foreignKey({ columns: [t.merchantId, t.paymentId], foreignColumns: [payments.merchantId, payments.id] }),
    check("refunds_amount_positive", sql`${t.amount} > 0`),
    check("refunds_currency_iso", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    uniqueIndex("refunds_idempotency").on(t.merchantId, t.idempotencyKey),
    index("refunds_payment").on(t.merchantId, t.paymentId),
    index("refunds_created").on(t.merchantId, t.createdAt, t.id),
  ],
);

/** payments_daily and payments_monthly after the day or month: the key and the sums. */
const paymentsRollup = () => ({
  status: paymentStatus("status").notNull(),
  terminalId: text("terminal_id").notNull(),
  currency: currency().notNull(),
  paymentCount: bigint("payment_count", { mode: "number" }).notNull().default(0),
  amount: money("amount").notNull().default(sql`0`),
  amountRefunded: money("amount_refunded").notNull().default(sql`0`),
  // See sales_daily in ledger.ts: up to eight rows per key, summed by readers.
  slot: smallint("slot").notNull().default(0),
});

/**
 * Payments per merchant-local day of creation, status and terminal: the payments
 * list's totals for its common filters, kept by a trigger on payments (migration 0003)
 * as payments are made, captured, voided and refunded.
 */
export const paymentsDaily = pgTable(
  "payments_daily",
  {
    merchantId: text("merchant_id").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    ...paymentsRollup(),
  },
  (t) => [primaryKey({ name: "payments_daily_merchant_id_day_status_terminal_id_currency_pk", columns: [t.merchantId, t.day, t.status, t.terminalId, t.currency, t.slot] })],
);

/** payments_daily by merchant-local month (first day): long ranges and "all time" in a few hundred rows. */
export const paymentsMonthly = pgTable(
  "payments_monthly",
  {
    merchantId: text("merchant_id").notNull(),
    month: date("month", { mode: "string" }).notNull(),
    ...paymentsRollup(),
  },
  (t) => [primaryKey({ name: "payments_monthly_merchant_id_month_status_terminal_id_currency_pk", columns: [t.merchantId, t.month, t.status, t.terminalId, t.currency, t.slot] })],
);
