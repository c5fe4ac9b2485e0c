import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  char,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  time,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { bankAccountKind, merchantStatus } from "./enums";
import { currency, money, tstz } from "./common";

export const processors = pgTable("processors", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  description: text("description").notNull().default(""),
  enabled: boolean("enabled").notNull().default(true),
  createdAt: tstz("created_at").notNull().defaultNow(),
});

export const merchants = pgTable(
  "merchants",
  {
    id: text("id").primaryKey(),
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
    minimumPayout: money("minimum_payout").notNull().default(sql`0`),
    // Fee plan: basis points of gross plus a fixed fee per captured payment.
    feeBps: integer("fee_bps").notNull().default(0),
    feeFixed: money("fee_fixed").notNull().default(sql`0`),
    // Support staff may refund up to this amount per refund; above it needs admin/owner.
    supportRefundLimit: money("support_refund_limit").notNull().default(sql`0`),
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
    createdAt: tstz("created_at").notNull().defaultNow(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    check("merchants_currency_iso", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check("merchants_country_iso", sql`${t.country} ~ '^[A-Z]{2}$'`),
    check("merchants_delay_range", sql`${t.settlementDelayDays} between 0 and 30`),
    check("merchants_minimum_payout_nonneg", sql`${t.minimumPayout} >= 0`),
    check("merchants_fee_nonneg", sql`${t.feeBps} >= 0 and ${t.feeFixed} >= 0`),
    check("merchants_support_limit_nonneg", sql`${t.supportRefundLimit} >= 0`),
    check("merchants_dunning_final_state", sql`${t.dunningFinalState} in ('canceled', 'unpaid')`),
    check("merchants_statement_calendar", sql`${t.statementCalendar} in ('gregorian', 'jalali')`),
  ],
);

export const merchantBankAccounts = pgTable(
  "merchant_bank_accounts",
  {
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    id: text("id").notNull(),
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
    createdByUserId: text("created_by_user_id"),
    createdAt: tstz("created_at").notNull().defaultNow(),
    deactivatedAt: tstz("deactivated_at"),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    // One active account per merchant and currency; old ones stay for payouts that used them.
    uniqueIndex("merchant_bank_accounts_one_active")
      .on(t.merchantId, t.currency)
      .where(sql`${t.active}`),
    check("merchant_bank_accounts_currency_iso", sql`${t.currency} ~ '^[A-Z]{3}$'`),
  ],
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
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    day: date("day", { mode: "string" }).notNull(),
    name: text("name").notNull(),
    // closed: an extra non-business day; open: a country holiday the merchant works through.
    closed: boolean("closed").notNull().default(true),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.day] }), index("merchant_holidays_day").on(t.merchantId, t.day)],
);
