/**
 * The accountant's books: VAT rates (global, kept by the operator), monthly fee
 * statements (numbered, immutable: the database refuses UPDATE and DELETE) and their lines.
 */
import { sql } from "drizzle-orm";
import { check, date, index, integer, jsonb, pgTable, primaryKey, smallint, text, uniqueIndex } from "drizzle-orm/pg-core";
import { currency, money, tstz } from "./common";
import { merchants } from "./merchants";

/** VAT (value added tax) on our fees, per country, from a date (the country's own calendar day, inclusive). */
export const vatRates = pgTable(
  "vat_rates",
  {
    country: text("country").notNull(),
    /** The first day the rate applies, in the merchant's time zone. */
    effectiveFrom: date("effective_from").notNull(),
    /** Basis points: 1000 = 10 %. */
    rateBps: integer("rate_bps").notNull(),
    note: text("note").notNull().default(""),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.country, t.effectiveFrom] }),
    check("vat_rates_country_iso", sql`${t.country} ~ '^[A-Z]{2}$'`),
    check("vat_rates_rate_range", sql`${t.rateBps} between 0 and 10000`),
  ],
);

export const feeStatements = pgTable(
  "fee_statements",
  {
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    id: text("id").notNull(),
    /** 1, 2, 3… per merchant, without gaps: the statement's number. */
    number: integer("number").notNull(),
    calendar: text("calendar").notNull(),
    year: smallint("year").notNull(),
    month: smallint("month").notNull(),
    timeZone: text("time_zone").notNull(),
    periodStart: tstz("period_start").notNull(),
    periodEnd: tstz("period_end").notNull(),
    currency: currency().notNull(),
    lineCount: integer("line_count").notNull(),
    feeTotal: money("fee_total").notNull(),
    vatTotal: money("vat_total").notNull(),
    total: money("total").notNull(),
    /** Per VAT rate: [{ rateBps, from, to, fees, vat }]. */
    vatBreakdown: jsonb("vat_breakdown").notNull(),
    merchantDetails: jsonb("merchant_details").notNull(),
    providerDetails: jsonb("provider_details").notNull(),
    issuedAt: tstz("issued_at").notNull(),
    issuedByUserId: text("issued_by_user_id"),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    uniqueIndex("fee_statements_number").on(t.merchantId, t.number),
    uniqueIndex("fee_statements_month").on(t.merchantId, t.calendar, t.year, t.month, t.currency),
    check("fee_statements_calendar", sql`${t.calendar} in ('gregorian', 'jalali')`),
    check("fee_statements_month_range", sql`${t.month} between 1 and 12`),
    check("fee_statements_total", sql`${t.total} = ${t.feeTotal} + ${t.vatTotal}`),
  ],
);

export const feeStatementLines = pgTable(
  "fee_statement_lines",
  {
    merchantId: text("merchant_id").notNull(),
    statementId: text("statement_id").notNull(),
    lineNo: integer("line_no").notNull(),
    ledgerTransactionId: text("ledger_transaction_id").notNull(),
    createdAt: tstz("created_at").notNull(),
    category: text("category").notNull(),
    sourceId: text("source_id").notNull(),
    description: text("description"),
    /** The amount the fee was charged on (the gross of the charge). */
    gross: money("gross").notNull(),
    fee: money("fee").notNull(),
    rateBps: integer("rate_bps").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.statementId, t.lineNo] }),
    index("fee_statement_lines_txn").on(t.merchantId, t.ledgerTransactionId),
  ],
);
