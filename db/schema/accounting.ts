/**
 * The accountant's books: VAT rates (global, kept by the operator), monthly fee
 * statements (numbered, immutable: the database refuses UPDATE and DELETE) and their lines.
 */
import { sql } from "drizzle-orm";
import { bigint, boolean, check, date, index, integer, jsonb, pgTable, primaryKey, smallint, text } from "drizzle-orm/pg-core";
import { bytea, currency, money, tstz } from "./common";
import { merchantId, updatedAt, oneOf, merchantPk, merchantIndex, merchantUnique, merchantFk, timestamps, period, merchantRowTable, merchantTable } from "./columns";
import { merchants } from "./merchants";

/** A month of the merchant's books (its calendar and zone) and the instants it spans. */
const accountingMonth = () => ({
  calendar: text("calendar").notNull(),
  year: smallint("year").notNull(),
  month: smallint("month").notNull(),
  timeZone: text("time_zone").notNull(),
  ...period(),
});

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
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.country, t.effectiveFrom] }),
    check("vat_rates_country_iso", sql`${t.country} ~ '^[A-Z]{2}$'`),
    check("vat_rates_rate_range", sql`${t.rateBps} between 0 and 10000`),
  ],
);

export const feeStatements = merchantRowTable(
  "fee_statements",
  {
    /** 1, 2, 3… per merchant, without gaps: the statement's number. */
    number: integer("number").notNull(),
    ...accountingMonth(),
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
    merchantUnique("fee_statements_number", t, t.number),
    merchantUnique("fee_statements_month", t, t.calendar, t.year, t.month, t.currency),
    oneOf("fee_statements_calendar", t.calendar, ["gregorian", "jalali"]),
    check("fee_statements_month_range", sql`${t.month} between 1 and 12`),
    check("fee_statements_total", sql`${t.total} = ${t.feeTotal} + ${t.vatTotal}`),
  ],
  () => merchants.id,
);

export const feeStatementLines = merchantTable(
  "fee_statement_lines",
  {
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
    merchantPk(t, t.statementId, t.lineNo),
    merchantIndex("fee_statement_lines_txn", t, t.ledgerTransactionId),
  ],
);

/**
 * A month of the merchant's books marked closed by an accountant, with its figures as
 * they were (immutable). Ledger postings dated in a closed month are booked at the start
 * of the next open month instead (trigger book_into_open_month), so its figures never change.
 */
export const monthCloses = pgTable(
  "month_closes",
  {
    merchantId: merchantId().references(() => merchants.id),
    ...accountingMonth(),
    /** The month's figures when it was closed: [{ currency, lines: [{ line, count, amount }], inTransit }]. */
    figures: jsonb("figures").notNull(),
    closedAt: tstz("closed_at").notNull(),
    closedByUserId: text("closed_by_user_id"),
  },
  (t) => [
    merchantPk(t, t.periodStart),
    merchantUnique("month_closes_month", t, t.calendar, t.year, t.month),
    check("month_closes_period", sql`${t.periodEnd} > ${t.periodStart}`),
  ],
);

/**
 * A report sent by e-mail on a schedule: the report with its filters, columns, zone and
 * format, daily/weekly/monthly at a local time, to members of the team. The sweep
 * (scheduled_reports_due, every minute) enqueues one scheduled_report job per schedule and
 * period and moves next_run_at on.
 */
export const reportSchedules = merchantRowTable(
  "report_schedules",
  {
    ownerUserId: text("owner_user_id").notNull(),
    name: text("name").notNull(),
    report: text("report").notNull(),
    format: text("format").notNull(),
    /** The report's own filters beyond its period, as a query string (status=captured&...). */
    filters: text("filters").notNull().default(""),
    columns: text("columns").array().notNull(),
    timeZone: text("time_zone").notNull(),
    amounts: text("amounts").notNull().default("major"),
    excel: boolean("excel").notNull().default(false),
    jalali: boolean("jalali").notNull().default(false),
    frequency: text("frequency").notNull(),
    weekday: smallint("weekday"),
    monthDay: smallint("month_day"),
    /** HH:MM in time_zone. */
    localTime: text("local_time").notNull(),
    calendar: text("calendar").notNull(),
    /** Members (user ids) it is sent to; each must still be allowed to export at every run. */
    recipientUserIds: text("recipient_user_ids").array().notNull(),
    /** The console's public origin, for links in the mail (PUBLIC_URL wins when set). */
    origin: text("origin").notNull(),
    paused: boolean("paused").notNull().default(false),
    nextRunAt: tstz("next_run_at"),
    ...timestamps(),
  },
  (t) => [
    index("report_schedules_due").on(t.nextRunAt).where(sql`not ${t.paused}`),
    oneOf("report_schedules_format", t.format, ["csv", "xlsx"]),
    oneOf("report_schedules_frequency", t.frequency, ["daily", "weekly", "monthly"]),
    oneOf("report_schedules_calendar", t.calendar, ["gregorian", "jalali"]),
    check("report_schedules_time", sql`${t.localTime} ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'`),
  ],
  () => merchants.id,
);

/** One run of a schedule per period reported (the unique key makes it once, whatever runs it). */
export const reportScheduleRuns = merchantRowTable(
  "report_schedule_runs",
  {
    scheduleId: text("schedule_id").notNull(),
    periodKey: text("period_key").notNull(),
    periodStart: text("period_start").notNull(),
    periodEnd: text("period_end").notNull(),
    scheduledFor: tstz("scheduled_for").notNull(),
    /** running | sent | failed | skipped */
    status: text("status").notNull().default("running"),
    rows: integer("rows"),
    bytes: bigint("bytes", { mode: "number" }),
    fileName: text("file_name"),
    /** The report endpoint's query this run used (the link re-runs it). */
    params: text("params"),
    format: text("format").notNull(),
    report: text("report").notNull(),
    /** attachment | link */
    delivery: text("delivery"),
    sentTo: text("sent_to").array().notNull().default(sql`'{}'::text[]`),
    /** The members (user ids) it was sent to: only they may open a large file's link. */
    sentToUserIds: text("sent_to_user_ids").array().notNull().default(sql`'{}'::text[]`),
    /**
     * [{ userId, email, reason, reasonI18n }]: recipients left out at this run and why (`reason`
     * in English; `reasonI18n`, a catalog key and its parameters, is missing from older rows).
     */
    leftOut: jsonb("left_out").notNull().default(sql`'[]'::jsonb`),
    /** Why the run failed, in English (logs; the only wording of older rows). */
    failure: text("failure"),
    /** The same as a catalog key and its parameters ({ key, params }): the history says it in the reader's language. */
    failureI18n: jsonb("failure_i18n"),
    /** SHA-256 of the download link's token (delivery = link); the link expires at linkExpiresAt. */
    linkTokenHash: text("link_token_hash"),
    linkExpiresAt: tstz("link_expires_at"),
    startedAt: tstz("started_at").notNull().defaultNow(),
    finishedAt: tstz("finished_at"),
  },
  (t) => [
    merchantUnique("report_schedule_runs_period", t, t.scheduleId, t.periodKey),
    merchantFk(t, t.scheduleId, reportSchedules).onDelete("cascade"),
    oneOf("report_schedule_runs_status", t.status, ["running", "sent", "failed", "skipped"]),
  ],
);

/**
 * The file of a run too large to attach (delivery = link), stored once when the run is made
 * and served as is behind the mail's link, in parts of about 1 MB (written and read one at a
 * time: memory stays flat whatever the file's size). Deleted with its run, and by the
 * minute's sweep once the link has expired.
 */
export const reportRunFiles = merchantTable(
  "report_run_files",
  {
    runId: text("run_id").notNull(),
    part: integer("part").notNull(),
    content: bytea("content").notNull(),
  },
  (t) => [
    merchantPk(t, t.runId, t.part),
    merchantFk(t, t.runId, reportScheduleRuns).onDelete("cascade"),
  ],
);
