import { sql } from "drizzle-orm";
import { boolean, check, date, integer, pgTable, primaryKey, smallint, text, time, uniqueIndex } from "drizzle-orm/pg-core";
import { bankAccountKind, merchantStatus } from "./enums";
import { currency, tstz } from "./common";
import { merchantId, id, createdAt, moneyZero, currencyIso, oneOf, merchantPk, merchantIndex, createdByUserId, timestamps, merchantRowTable } from "./columns";

export const processors = pgTable("processors", {
  id: id().primaryKey(),
  name: text("name").notNull(),
  description: text("description").notNull().default(""),
  enabled: boolean("enabled").notNull().default(true),
  createdAt: createdAt(),
});

export const merchants = pgTable(
  "merchants",
  {
    id: id().primaryKey(),
    name: text("name").notNull(),
    legalName: text("legal_name"),
    status: merchantStatus("status").notNull().default("pending"),
    country: text("country").notNull().default("US"),
    timeZone: text("time_zone").notNull(),
    currency: currency().notNull(),
    defaultLocale: text("default_locale").notNull().default("en"),
    contactEmail: text("contact_email"),
    contactPhone: text("contact_phone"),
    businessType: text("business_type"),
    website: text("website"),
    processorId: text("processor_id").references(() => processors.id),
    // Settlement schedule (issue: settlement engine). Cutoff is local wall-clock time.
    settlementCutoff: time("settlement_cutoff").notNull().default("00:00"),
    settlementDelayDays: smallint("settlement_delay_days").notNull().default(1),
    // 0 = Sunday ... 6 = Saturday (JS getDay numbering).
    weekendDays: smallint("weekend_days").array().notNull().default(sql`'{0,6}'::smallint[]`),
    holidayCalendar: text("holiday_calendar").notNull().default("US"),
    minimumPayout: moneyZero("minimum_payout"),
    // Fee plan: basis points of gross plus a fixed fee per captured payment.
    feeBps: integer("fee_bps").notNull().default(0),
    feeFixed: moneyZero("fee_fixed"),
    // Support staff may refund up to this amount per refund; above it needs admin/owner.
    supportRefundLimit: moneyZero("support_refund_limit"),
    require2fa: boolean("require_2fa").notNull().default(false),
    /**
     * The calendar of the merchant's books (fee statements, month-end closes): Jalali or
     * Gregorian months; null until chosen: Jalali for Iranian merchants, else Gregorian.
     */
    statementCalendar: text("statement_calendar"),
    /** Dunning: days after a renewal's first failure on which it is retried, and what the subscription becomes after the last. */
    dunningRetryDays: smallint("dunning_retry_days").array().notNull().default(sql`'{1,3,5,7}'::smallint[]`),
    dunningFinalState: text("dunning_final_state").notNull().default("canceled"),
    activatedAt: tstz("activated_at"),
    ...timestamps(),
  },
  (t) => [
    currencyIso("merchants", t),
    check("merchants_country_iso", sql`${t.country} ~ '^[A-Z]{2}$'`),
    check("merchants_delay_range", sql`${t.settlementDelayDays} between 0 and 30`),
    check("merchants_minimum_payout_nonneg", sql`${t.minimumPayout} >= 0`),
    check("merchants_fee_nonneg", sql`${t.feeBps} >= 0 and ${t.feeFixed} >= 0`),
    check("merchants_support_limit_nonneg", sql`${t.supportRefundLimit} >= 0`),
    oneOf("merchants_dunning_final_state", t.dunningFinalState, ["canceled", "unpaid"]),
    oneOf("merchants_statement_calendar", t.statementCalendar, ["gregorian", "jalali"]),
  ],
);

export const merchantBankAccounts = merchantRowTable(
  "merchant_bank_accounts",
  {
    kind: bankAccountKind("kind").notNull(),
    // Sheba / IBAN (normalized, no spaces) or US account number.
    accountNumber: text("account_number").notNull(),
    routingNumber: text("routing_number"),
    holderName: text("holder_name").notNull(),
    bankCode: text("bank_code"),
    bankName: text("bank_name"),
    currency: currency().notNull(),
    verified: boolean("verified").notNull().default(false),
    active: boolean("active").notNull().default(true),
    createdByUserId: createdByUserId(),
    createdAt: createdAt(),
    deactivatedAt: tstz("deactivated_at"),
  },
  (t) => [
    // One active account per merchant and currency; old ones stay for payouts that used them.
    uniqueIndex("merchant_bank_accounts_one_active")
      .on(t.merchantId, t.currency)
      .where(sql`${t.active}`),
    currencyIso("merchant_bank_accounts", t),
  ],
  () => merchants.id,
);

// Country calendars (global reference data) and a merchant's own edits.
export const holidays = pgTable(
  "holidays",
  {
    calendar: text("calendar").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    name: text("name").notNull(),
    nameFa: text("name_fa"),
  },
  (t) => [primaryKey({ columns: [t.calendar, t.day] })],
);

export const merchantHolidays = pgTable(
  "merchant_holidays",
  {
    merchantId: merchantId().references(() => merchants.id),
    day: date("day", { mode: "string" }).notNull(),
    name: text("name").notNull(),
    // closed: an extra non-business day; open: a country holiday the merchant works through.
    closed: boolean("closed").notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [merchantPk(t, t.day), merchantIndex("merchant_holidays_day", t, t.day)],
);
