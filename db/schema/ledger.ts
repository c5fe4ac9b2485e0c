import { sql } from "drizzle-orm";
import { bigint, check, date, foreignKey, index, integer, pgTable, primaryKey, smallint, text, uniqueIndex } from "drizzle-orm/pg-core";
import { cardBrand, cardFunding, ledgerAccount, ledgerCategory, payoutStatus } from "./enums";
import { currency, money, tstz } from "./common";
import { merchants } from "./merchants";

/**
 * One balanced movement of money, and at the same time the Stripe-style "balance
 * transaction" accountants reconcile: gross, fee and net are its effect on the
 * merchant's balance (net = gross - fee; negative for money going out).
 * Append-only: a trigger refuses UPDATE and DELETE; corrections are new rows.
 */
export const ledgerTransactions = pgTable(
  "ledger_transactions",
  {
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    id: text("id").notNull(),
    category: ledgerCategory("category").notNull(),
    currency: currency().notNull(),
    gross: money("gross").notNull(),
    fee: money("fee").notNull(),
    net: money("net").notNull(),
    // payment | refund | payout | adjustment, and its id.
    sourceType: text("source_type").notNull(),
    sourceId: text("source_id").notNull(),
    // For payout / payout_failure rows: the payout they belong to (known when posted).
    payoutId: text("payout_id"),
    description: text("description"),
    createdAt: tstz("created_at").notNull().defaultNow(),
    // When the money becomes available for payout.
    availableOn: tstz("available_on").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    check("ledger_transactions_net", sql`${t.net} = ${t.gross} - ${t.fee}`),
    check("ledger_transactions_currency_iso", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    index("ledger_transactions_created").on(t.merchantId, t.createdAt, t.id),
    index("ledger_transactions_available").on(t.merchantId, t.currency, t.availableOn),
    index("ledger_transactions_source").on(t.merchantId, t.sourceId),
  ],
);

/** Postings: signed amounts; per transaction and currency they sum to zero (trigger). */
export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    merchantId: text("merchant_id").notNull(),
    transactionId: text("transaction_id").notNull(),
    line: integer("line").notNull(),
    account: ledgerAccount("account").notNull(),
    currency: currency().notNull(),
    amount: money("amount").notNull(),
    availableOn: tstz("available_on").notNull(),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.transactionId, t.line] }),
    foreignKey({
      columns: [t.merchantId, t.transactionId],
      foreignColumns: [ledgerTransactions.merchantId, ledgerTransactions.id],
    }),
    check("ledger_entries_nonzero", sql`${t.amount} <> 0`),
    check("ledger_entries_currency_iso", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    // Migration 0006 rebuilds it with INCLUDE (amount): balances read it index-only.
    index("ledger_entries_account").on(t.merchantId, t.account, t.currency, t.availableOn),
  ],
);

export const payouts = pgTable(
  "payouts",
  {
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    id: text("id").notNull(),
    amount: money("amount").notNull(),
    currency: currency().notNull(),
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
    createdAt: tstz("created_at").notNull().defaultNow(),
    sentAt: tstz("sent_at"),
    paidAt: tstz("paid_at"),
    failedAt: tstz("failed_at"),
    canceledAt: tstz("canceled_at"),
    failureCode: text("failure_code"),
    failureMessage: text("failure_message"),
    traceNumber: text("trace_number"),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    check("payouts_amount_positive", sql`${t.amount} > 0`),
    check("payouts_currency_iso", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    uniqueIndex("payouts_one_per_cutoff").on(t.merchantId, t.currency, t.cutoffAt),
    index("payouts_created").on(t.merchantId, t.createdAt, t.id),
    index("payouts_arrival").on(t.merchantId, t.expectedArrivalDate, t.id),
    index("payouts_status").on(t.merchantId, t.status),
  ],
);

/** Which balance transactions a payout carries. Each is paid out at most once. */
export const payoutItems = pgTable(
  "payout_items",
  {
    merchantId: text("merchant_id").notNull(),
    ledgerTransactionId: text("ledger_transaction_id").notNull(),
    payoutId: text("payout_id").notNull(),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.ledgerTransactionId] }),
    foreignKey({
      columns: [t.merchantId, t.ledgerTransactionId],
      foreignColumns: [ledgerTransactions.merchantId, ledgerTransactions.id],
    }),
    foreignKey({ columns: [t.merchantId, t.payoutId], foreignColumns: [payouts.merchantId, payouts.id] }),
    index("payout_items_payout").on(t.merchantId, t.payoutId, t.ledgerTransactionId),
  ],
);

/**
 * Which of a rollup key's rows a transaction adds into: rollup_slot() in the database,
 * the backend's process id modulo 8 (migration 0010). One merchant's concurrent payments
 * would otherwise all queue on one row per rollup until each commits; with slots they
 * spread over up to eight rows, and every reader sums the slots of a key (the bulk
 * loader and the rebuilds write slot 0).
 */
const slot = () => smallint("slot").notNull().default(0);

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
  capturedAmount: money("captured_amount").notNull().default(sql`0`),
  declinedCount: bigint("declined_count", { mode: "number" }).notNull().default(0),
  feeAmount: money("fee_amount").notNull().default(sql`0`),
  refundCount: bigint("refund_count", { mode: "number" }).notNull().default(0),
  refundedAmount: money("refunded_amount").notNull().default(sql`0`),
});

/**
 * Sales rollup at the merchant's local-day grain, kept by triggers on payments and
 * refunds in the same transaction as the row it summarises (migration 0010; the rules
 * are those of app/modules/ledger/rollup.ts, which the demo generator applies itself).
 * Dashboards read this, not payments.
 */
export const salesDaily = pgTable(
  "sales_daily",
  {
    merchantId: text("merchant_id").notNull(),
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
 * summarise (migration 0003), so every writer keeps them without knowing about them.
 * Each picks the grain its readers need, so a dense merchant costs a handful of rows
 * per query whatever its volume (see README, "Scaling out").
 */

/** sales_daily without its dimensions: one row per merchant-local day (KPIs and trends). */
export const salesDailyTotals = pgTable(
  "sales_daily_totals",
  {
    merchantId: text("merchant_id").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    currency: currency().notNull(),
    ...rollupMeasures(),
    slot: slot(),
  },
  (t) => [primaryKey({ name: "sales_daily_totals_merchant_id_currency_day_pk", columns: [t.merchantId, t.currency, t.day, t.slot] })],
);

/** sales_daily by local month: breakdowns and choices over long ranges. */
export const salesMonthly = pgTable(
  "sales_monthly",
  {
    merchantId: text("merchant_id").notNull(),
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
    index("sales_monthly_bank").on(t.merchantId, t.issuerBank),
  ],
);

/**
 * Postings summed per account and UTC day of available_on: balances read a few hundred
 * rows plus the postings of the current day, instead of every posting ever made.
 */
export const ledgerBalancesDaily = pgTable(
  "ledger_balances_daily",
  {
    merchantId: text("merchant_id").notNull(),
    currency: currency().notNull(),
    account: ledgerAccount("account").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    amount: money("amount").notNull().default(sql`0`),
    slot: slot(),
  },
  // Migrations 0009 and 0010 build the key with INCLUDE (amount): balances read it index-only.
  (t) => [primaryKey({ name: "ledger_balances_daily_merchant_id_currency_account_day_pk", columns: [t.merchantId, t.currency, t.account, t.day, t.slot] })],
);

/** What each payout carries, per reporting category (the payout page's summary). */
export const payoutItemTotals = pgTable(
  "payout_item_totals",
  {
    merchantId: text("merchant_id").notNull(),
    payoutId: text("payout_id").notNull(),
    category: ledgerCategory("category").notNull(),
    itemCount: bigint("item_count", { mode: "number" }).notNull().default(0),
    gross: money("gross").notNull().default(sql`0`),
    fee: money("fee").notNull().default(sql`0`),
    net: money("net").notNull().default(sql`0`),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.payoutId, t.category] })],
);
