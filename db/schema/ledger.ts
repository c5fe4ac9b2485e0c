import { sql } from "drizzle-orm";
import { bigint, check, date, integer, primaryKey, text } from "drizzle-orm/pg-core";
import { cardBrand, cardFunding, ledgerAccount, ledgerCategory, payoutStatus } from "./enums";
import { currency, money, tstz } from "./common";
import { createdAt, updatedAt, moneyZero, currencyIso, amountPositive, merchantPk, merchantIndex, merchantUnique, merchantFk, slot, amountAndCurrency, merchantRowTable, merchantTable, keysetIndex } from "./columns";
import { merchants } from "./merchants";

/** What a balance transaction does to the merchant's balance: gross, fee and net (gross - fee). */
const grossFeeNet = <C>(amount: (name: string) => C) => ({
  gross: amount("gross"),
  fee: amount("fee"),
  net: amount("net"),
});

/**
 * One balanced movement of money, and at the same time the Stripe-style "balance
 * transaction" accountants reconcile: gross, fee and net are its effect on the
 * merchant's balance (net = gross - fee; negative for money going out).
 * Append-only: a trigger refuses UPDATE and DELETE; corrections are new rows.
 */
export const ledgerTransactions = merchantRowTable(
  "ledger_transactions",
  {
    category: ledgerCategory("category").notNull(),
    currency: currency().notNull(),
    ...grossFeeNet((name) => money(name).notNull()),
    // payment | refund | payout | adjustment, and its id.
    sourceType: text("source_type").notNull(),
    sourceId: text("source_id").notNull(),
    // For payout / payout_failure rows: the payout they belong to (known when posted).
    payoutId: text("payout_id"),
    description: text("description"),
    createdAt: createdAt(),
    // When the money becomes available for payout.
    availableOn: tstz("available_on").notNull(),
  },
  (t) => [
    check("ledger_transactions_net", sql`${t.net} = ${t.gross} - ${t.fee}`),
    currencyIso("ledger_transactions", t),
    keysetIndex("ledger_transactions_created", t),
    merchantIndex("ledger_transactions_available", t, t.currency, t.availableOn),
    merchantIndex("ledger_transactions_source", t, t.sourceId),
  ],
  () => merchants.id,
);

/** Postings: signed amounts; per transaction and currency they sum to zero (trigger). */
export const ledgerEntries = merchantTable(
  "ledger_entries",
  {
    transactionId: text("transaction_id").notNull(),
    line: integer("line").notNull(),
    account: ledgerAccount("account").notNull(),
    currency: currency().notNull(),
    amount: money("amount").notNull(),
    availableOn: tstz("available_on").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    merchantPk(t, t.transactionId, t.line),
    merchantFk(t, t.transactionId, ledgerTransactions),
    check("ledger_entries_nonzero", sql`${t.amount} <> 0`),
    currencyIso("ledger_entries", t),
    // Migration 0006 rebuilds it with INCLUDE (amount): balances read it index-only.
    merchantIndex("ledger_entries_account", t, t.account, t.currency, t.availableOn),
  ],
);

export const payouts = merchantRowTable(
  "payouts",
  {
    ...amountAndCurrency(),
    status: payoutStatus("status").notNull().default("pending"),
    // The account is copied at creation: a later bank change never redirects it.
    bankAccountId: text("bank_account_id"),
    bankAccountMask: text("bank_account_mask"),
    bankName: text("bank_name"),
    // The settlement cutoff this payout closes; unique per merchant and currency,
    // which makes the payout engine idempotent under retries and concurrency.
    cutoffAt: tstz("cutoff_at").notNull(),
    expectedArrivalDate: date("expected_arrival_date", { mode: "string" }).notNull(),
    itemCount: integer("item_count").notNull().default(0),
    createdAt: createdAt(),
    sentAt: tstz("sent_at"),
    paidAt: tstz("paid_at"),
    failedAt: tstz("failed_at"),
    canceledAt: tstz("canceled_at"),
    failureCode: text("failure_code"),
    failureMessage: text("failure_message"),
    traceNumber: text("trace_number"),
    updatedAt: updatedAt(),
  },
  (t) => [
    amountPositive("payouts", t),
    currencyIso("payouts", t),
    merchantUnique("payouts_one_per_cutoff", t, t.currency, t.cutoffAt),
    keysetIndex("payouts_created", t),
    merchantIndex("payouts_arrival", t, t.expectedArrivalDate, t.id),
    merchantIndex("payouts_status", t, t.status),
  ],
  () => merchants.id,
);

/** Which balance transactions a payout carries. Each is paid out at most once. */
export const payoutItems = merchantTable(
  "payout_items",
  {
    ledgerTransactionId: text("ledger_transaction_id").notNull(),
    payoutId: text("payout_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    merchantPk(t, t.ledgerTransactionId),
    merchantFk(t, t.ledgerTransactionId, ledgerTransactions),
    merchantFk(t, t.payoutId, payouts),
    merchantIndex("payout_items_payout", t, t.payoutId, t.ledgerTransactionId),
  ],
);

/** What sales_daily and sales_monthly are broken down by, after the day or month. */
const salesDimensions = () => ({
  terminalId: text("terminal_id").notNull(),
  cardBrand: cardBrand("card_brand").notNull(),
  issuerBank: text("issuer_bank").notNull(),
  cardFunding: cardFunding("card_funding").notNull(),
  currency: currency().notNull(),
});

/** The figures every sales rollup sums (sales_daily, sales_daily_totals, sales_monthly). */
const rollupMeasures = () => ({
  attemptCount: bigint("attempt_count", { mode: "number" }).notNull().default(0),
  capturedCount: bigint("captured_count", { mode: "number" }).notNull().default(0),
  capturedAmount: moneyZero("captured_amount"),
  declinedCount: bigint("declined_count", { mode: "number" }).notNull().default(0),
  feeAmount: moneyZero("fee_amount"),
  refundCount: bigint("refund_count", { mode: "number" }).notNull().default(0),
  refundedAmount: moneyZero("refunded_amount"),
});

/**
 * Sales rollup at the merchant's local-day grain, kept by triggers on payments and
 * refunds in the same transaction as the row it summarises (db/migrations/0000_baseline.sql; the rules
 * are those of app/modules/ledger/rollup.ts, which the demo generator applies itself).
 * Dashboards read this, not payments.
 */
export const salesDaily = merchantTable(
  "sales_daily",
  {
    day: date("day", { mode: "string" }).notNull(),
    ...salesDimensions(),
    ...rollupMeasures(),
    slot: slot(),
  },
  (t) => [
    primaryKey({
      name: "sales_daily_merchant_id_day_terminal_id_card_brand_issuer_bank_card_funding_currency_pk",
      columns: [t.merchantId, t.day, t.terminalId, t.cardBrand, t.issuerBank, t.cardFunding, t.currency, t.slot],
    }),
  ],
);




/*
 * Derived rollups, kept by triggers in the same transaction as the rows they
 * summarise (db/migrations/0000_baseline.sql), so every writer keeps them without knowing about them.
 * Each picks the grain its readers need, so a dense merchant costs a handful of rows
 * per query whatever its volume (see README, "Scaling out").
 */

/** sales_daily without its dimensions: one row per merchant-local day (KPIs and trends). */
export const salesDailyTotals = merchantTable(
  "sales_daily_totals",
  {
    day: date("day", { mode: "string" }).notNull(),
    currency: currency().notNull(),
    ...rollupMeasures(),
    slot: slot(),
  },
  (t) => [primaryKey({ name: "sales_daily_totals_merchant_id_currency_day_pk", columns: [t.merchantId, t.currency, t.day, t.slot] })],
);

/** sales_daily by local month: breakdowns and choices over long ranges. */
export const salesMonthly = merchantTable(
  "sales_monthly",
  {
    // First day of the merchant-local month.
    month: date("month", { mode: "string" }).notNull(),
    ...salesDimensions(),
    ...rollupMeasures(),
    slot: slot(),
  },
  (t) => [
    primaryKey({
      name: "sales_monthly_merchant_id_month_terminal_id_card_brand_issuer_bank_card_funding_currency_pk",
      columns: [t.merchantId, t.month, t.terminalId, t.cardBrand, t.issuerBank, t.cardFunding, t.currency, t.slot],
    }),
    merchantIndex("sales_monthly_bank", t, t.issuerBank),
  ],
);

/**
 * Postings summed per account and UTC day of available_on: balances read a few hundred
 * rows plus the postings of the current day, instead of every posting ever made.
 */
export const ledgerBalancesDaily = merchantTable(
  "ledger_balances_daily",
  {
    currency: currency().notNull(),
    account: ledgerAccount("account").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    amount: moneyZero("amount"),
    slot: slot(),
  },
  // Migrations 0009 and 0010 build the key with INCLUDE (amount): balances read it index-only.
  (t) => [primaryKey({ name: "ledger_balances_daily_merchant_id_currency_account_day_pk", columns: [t.merchantId, t.currency, t.account, t.day, t.slot] })],
);

/** What each payout carries, per reporting category (the payout page's summary). */
export const payoutItemTotals = merchantTable(
  "payout_item_totals",
  {
    payoutId: text("payout_id").notNull(),
    category: ledgerCategory("category").notNull(),
    itemCount: bigint("item_count", { mode: "number" }).notNull().default(0),
    ...grossFeeNet(moneyZero),
  },
  (t) => [merchantPk(t, t.payoutId, t.category)],
);
