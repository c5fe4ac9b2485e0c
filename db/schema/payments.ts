import { sql } from "drizzle-orm";
import { bigint, check, date, index, primaryKey, text } from "drizzle-orm/pg-core";
import { cardBrand, cardFunding, paymentStatus, refundReason, refundStatus } from "./enums";
import { currency, tstz } from "./common";
import { createdAt, updatedAt, moneyZero, currencyIso, amountPositive, merchantIndex, idempotencyUnique, merchantFk, slot, createdByUserId, idempotencyKey, timestamps, amountAndCurrency, cardTail, merchantRowTable, merchantTable, keysetIndex } from "./columns";
import { merchants } from "./merchants";
import { terminals } from "./terminals";

// The console never stores a full card number or a CVC: only the provider's token,
// BIN (first 6), last 4, brand, funding, issuer and expiry.
export const payments = merchantRowTable(
  "payments",
  {
    // No key of its own to merchants: (merchant_id, terminal_id) references the terminal, whose
    // merchant_id references merchants, so the merchant exists and cannot go while the row does.
    // A second key would only add a check and a lock of the merchant's row to every insert (0028).
    terminalId: text("terminal_id").notNull(),
    ...amountAndCurrency(),
    status: paymentStatus("status").notNull(),
    amountRefunded: moneyZero("amount_refunded"),
    fee: moneyZero("fee"),
    cardToken: text("card_token"),
    cardBrand: cardBrand("card_brand").notNull().default("unknown"),
    cardFunding: cardFunding("card_funding").notNull().default("unknown"),
    cardBin: text("card_bin"),
    ...cardTail(),
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
    idempotencyKey: idempotencyKey(),
    createdByUserId: createdByUserId(),
    createdAt: createdAt(),
    authorizedAt: tstz("authorized_at"),
    capturedAt: tstz("captured_at"),
    voidedAt: tstz("voided_at"),
    updatedAt: updatedAt(),
  },
  (t) => [
    merchantFk(t, t.terminalId, terminals),
    amountPositive("payments", t),
    check("payments_refunded_range", sql`${t.amountRefunded} >= 0 and ${t.amountRefunded} <= ${t.amount}`),
    check("payments_fee_nonneg", sql`${t.fee} >= 0`),
    currencyIso("payments", t),
    check("payments_bin_format", sql`${t.cardBin} is null or ${t.cardBin} ~ '^[0-9]{6}$'`),
    check("payments_last4_format", sql`${t.cardLast4} is null or ${t.cardLast4} ~ '^[0-9]{4}$'`),
    idempotencyUnique("payments", t),
    // Keyset pagination order and the hot filters, all led by merchant_id.
    keysetIndex("payments_created", t),
    keysetIndex("payments_status_created", t, t.status),
    keysetIndex("payments_terminal_created", t, t.terminalId),
    merchantIndex("payments_last4", t, t.cardLast4, t.createdAt),
    merchantIndex("payments_provider_ref", t, t.providerReference),
    merchantIndex("payments_customer_ref", t, t.customerReference),
    // The search box: customer reference by prefix in any case, description by words.
    merchantIndex("payments_customer_ref_lower", t, sql`lower(${t.customerReference}) text_pattern_ops`),
    index("payments_description_words").using("gin", sql`to_tsvector('simple', coalesce(${t.description}, ''))`),
    merchantIndex("payments_amount", t, t.amount),
    merchantIndex("payments_link", t, t.paymentLinkId, t.createdAt).where(sql`${t.paymentLinkId} is not null`),
    merchantIndex("payments_customer", t, t.customerId, t.createdAt).where(sql`${t.customerId} is not null`),
    merchantIndex("payments_invoice", t, t.invoiceId).where(sql`${t.invoiceId} is not null`),
    merchantIndex("payments_pending", t, t.createdAt).where(sql`${t.status} = 'pending'`),
    // The virtual terminal's "your recent payments": a member's own charges, newest first.
    merchantIndex("payments_created_by", t, t.createdByUserId, t.createdAt).where(sql`${t.createdByUserId} is not null`),
  ],
);

export const refunds = merchantRowTable(
  "refunds",
  {
    paymentId: text("payment_id").notNull(),
    ...amountAndCurrency(),
    reason: refundReason("reason").notNull().default("requested_by_customer"),
    note: text("note"),
    status: refundStatus("status").notNull(),
    providerReference: text("provider_reference"),
    failureCode: text("failure_code"),
    idempotencyKey: idempotencyKey(),
    createdByUserId: createdByUserId(),
    ...timestamps(),
  },
  (t) => [
    merchantFk(t, t.paymentId, payments),
    amountPositive("refunds", t),
    currencyIso("refunds", t),
    idempotencyUnique("refunds", t),
    merchantIndex("refunds_payment", t, t.paymentId),
    keysetIndex("refunds_created", t),
  ],
  () => merchants.id,
);

/** payments_daily and payments_monthly after the day or month: the key and the sums. */
const paymentsRollup = () => ({
  status: paymentStatus("status").notNull(),
  terminalId: text("terminal_id").notNull(),
  currency: currency().notNull(),
  paymentCount: bigint("payment_count", { mode: "number" }).notNull().default(0),
  amount: moneyZero("amount"),
  amountRefunded: moneyZero("amount_refunded"),
  slot: slot(),
});

/**
 * Payments per merchant-local day of creation, status and terminal: the payments
 * list's totals for its common filters, kept by a trigger on payments (db/migrations/0000_baseline.sql)
 * as payments are made, captured, voided and refunded.
 */
export const paymentsDaily = merchantTable(
  "payments_daily",
  {
    day: date("day", { mode: "string" }).notNull(),
    ...paymentsRollup(),
  },
  (t) => [primaryKey({ name: "payments_daily_merchant_id_day_status_terminal_id_currency_pk", columns: [t.merchantId, t.day, t.status, t.terminalId, t.currency, t.slot] })],
);

/** payments_daily by merchant-local month (first day): long ranges and "all time" in a few hundred rows. */
export const paymentsMonthly = merchantTable(
  "payments_monthly",
  {
    month: date("month", { mode: "string" }).notNull(),
    ...paymentsRollup(),
  },
  (t) => [primaryKey({ name: "payments_monthly_merchant_id_month_status_terminal_id_currency_pk", columns: [t.merchantId, t.month, t.status, t.terminalId, t.currency, t.slot] })],
);
