/**
 * Payouts, one record per payout matching the payouts list's filter (arrival dates,
 * status, amount, id or trace number). The amount is what the bank receives: positive,
 * the figure on the bank statement, and what the payout's reconciliation rows sum to.
 */
import { sql } from "drizzle-orm";
import { payouts } from "~db/schema";
import { SORT_COLUMNS, payoutFilterSql, payoutListQuerySchema, type PayoutListQuery } from "~/modules/settlements/payout-list.server";
import type { ListRangeBounds } from "~/modules/reporting/list-query.server";
import { sqlColumnsOf, type SqlColumn } from "../definition";
import { dayRangeLabel, listReport, type ListSource } from "./report.server";

const p = sqlColumnsOf("payouts");
const columns: SqlColumn[] = [
  p.text("id", "Payout id (po_…)."),
  p.date("expected_arrival_date", "The bank day the money is expected in the account (a calendar date)."),
  ...p.instant("created", "When the payout was created (after the settlement cutoff), in the report's time zone."),
  p.text("status", "pending, in_transit, paid, failed or canceled."),
  p.currency(),
  p.total("amount", "Amount sent to the bank (positive); its reconciliation rows sum to it."),
  p.count("item_count", "Number of balance transactions the payout carries."),
  p.text("bank_name", "Bank the payout was sent to."),
  p.text("bank_account", "The destination account, masked.", "payouts.bank_account_mask"),
  p.text("trace_number", "The bank's trace number, once sent."),
  ...p.instant("sent", "When it was sent to the bank, in the report's time zone."),
  ...p.instant("paid", "When the bank confirmed it, in the report's time zone."),
  ...p.instant("failed", "When it failed or was returned, in the report's time zone."),
  ...p.instant("canceled", "When it was canceled, in the report's time zone."),
  p.text("failure_code", "Why it failed (the money went back to the balance)."),
  p.text("failure_message", "The failure in words."),
];

const list: ListSource<PayoutListQuery> = { schema: payoutListQuerySchema, filterSql: payoutFilterSql, sorts: SORT_COLUMNS };

/** The list's dates are expected arrival dates (calendar days, both included). */
function arrivalAbout(range: ListRangeBounds) {
  const days = dayRangeLabel(range.fromDay, range.toDay);
  return { rangeLabel: days.label, rangeText: `Expected arrival ${days.text}` };
}

export const payoutsReport = listReport(
  {
    id: "payouts",
    title: "Payouts",
    description: "One row per payout, with the same filters as the Payouts list (dates are expected arrival dates).",
    permissions: ["reports:export"],
    columns,
    defaults: ["id", "expected_arrival_date", "created", "created_utc", "status", "currency", "amount", "item_count", "bank_name", "bank_account", "trace_number", "failure_code"],
  },
  list,
  { table: sql`${payouts}`, id: sql`${payouts.id}`, currencySql: "payouts.currency" },
  arrivalAbout,
);
