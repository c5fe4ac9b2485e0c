/**
 * Payouts, one record per payout matching the payouts list's filter (arrival dates,
 * status, amount, id or trace number). The amount is what the bank receives: positive,
 * the figure on the bank statement, and what the payout's reconciliation rows sum to.
 */
import { sql } from "drizzle-orm";
import { payouts } from "~db/schema";
import { payoutFilterSql, payoutListQuerySchema } from "~/modules/settlements/payout-list.server";
import { resolveListRange, sortOf, strictListQuery, type SortColumns } from "~/modules/reporting/list-query.server";
import { instant, type SqlColumn } from "../definition";
import { dayRangeLabel, listFilters, listScopeOf, sqlRun, type SqlReport, type SqlSource } from "./report.server";

const columns: SqlColumn[] = [
  { key: "id", kind: "text", doc: "Payout id (po_…).", sql: "payouts.id" },
  { key: "expected_arrival_date", kind: "date", doc: "The bank day the money is expected in the account (a calendar date).", sql: "payouts.expected_arrival_date" },
  ...instant("created", "When the payout was created (after the settlement cutoff), in the report's time zone.", "payouts.created_at"),
  { key: "status", kind: "text", doc: "pending, in_transit, paid, failed or canceled.", sql: "payouts.status" },
  { key: "currency", kind: "text", doc: "ISO 4217 code.", sql: "payouts.currency" },
  { key: "amount", total: true, kind: "amount", doc: "Amount sent to the bank (positive); its reconciliation rows sum to it.", sql: "payouts.amount" },
  { key: "item_count", total: true, kind: "integer", doc: "Number of balance transactions the payout carries.", sql: "payouts.item_count" },
  { key: "bank_name", kind: "text", doc: "Bank the payout was sent to.", sql: "payouts.bank_name" },
  { key: "bank_account", kind: "text", doc: "The destination account, masked.", sql: "payouts.bank_account_mask" },
  { key: "trace_number", kind: "text", doc: "The bank's trace number, once sent.", sql: "payouts.trace_number" },
  ...instant("sent", "When it was sent to the bank, in the report's time zone.", "payouts.sent_at"),
  ...instant("paid", "When the bank confirmed it, in the report's time zone.", "payouts.paid_at"),
  ...instant("failed", "When it failed or was returned, in the report's time zone.", "payouts.failed_at"),
  ...instant("canceled", "When it was canceled, in the report's time zone.", "payouts.canceled_at"),
  { key: "failure_code", kind: "text", doc: "Why it failed (the money went back to the balance).", sql: "payouts.failure_code" },
  { key: "failure_message", kind: "text", doc: "The failure in words.", sql: "payouts.failure_message" },
];

const SORTS: SortColumns = {
  arrival: { expr: sql`${payouts.expectedArrivalDate}`, type: "date" },
  created: { expr: sql`${payouts.createdAt}`, type: "timestamptz" },
  amount: { expr: sql`${payouts.amount}`, type: "bigint" },
};

export const payoutsReport: SqlReport = {
  id: "payouts",
  title: "Payouts",
  description: "One row per payout, with the same filters as the Payouts list (dates are expected arrival dates).",
  permissions: ["reports:export"],
  columns,
  defaults: ["id", "expected_arrival_date", "created", "created_utc", "status", "currency", "amount", "item_count", "bank_name", "bank_account", "trace_number", "failure_code"],
  currencySql: "payouts.currency",
  prepare(scope, params, now) {
    const filter = strictListQuery(payoutListQuerySchema, params);
    const where = payoutFilterSql(listScopeOf(scope), filter, now);
    const range = resolveListRange(scope.timeZone, filter, now);
    const days = dayRangeLabel(range.fromDay, range.toDay);
    const source: SqlSource = { from: sql`${payouts}`, where, sort: sortOf(SORTS, filter.sort, sql`${payouts.id}`) };
    return sqlRun({ rangeLabel: days.label, rangeText: `Expected arrival ${days.text}`, filters: listFilters(filter) }, source, sql`${payouts}`, "payouts.currency");
  },
};
