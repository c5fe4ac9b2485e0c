/**
 * Payouts, one record per payout matching the payouts list's filter (arrival dates,
 * status, amount, id or trace number). The amount is what the bank receives: positive,
 * the figure on the bank statement, and what the payout's reconciliation rows sum to.
 */
import { sql } from "drizzle-orm";
import { replicaDb, rows } from "~db/client.server";
import { payouts } from "~db/schema";
import { payoutFilterSql, payoutListQuerySchema } from "~/modules/payouts/list.server";
import { parseSort, resolveListRange, strictListQuery } from "~/modules/reporting/list-query.server";
import type { ColumnSpec } from "../definition";
import { asDate, dayRangeLabel, keysetBatches, type Report } from "./report.server";

export interface PayoutExportRow {
  id: string;
  created_at: Date | string;
  amount: string;
  currency: string;
  status: string;
  expected_arrival_date: string;
  sent_at: Date | string | null;
  paid_at: Date | string | null;
  failed_at: Date | string | null;
  canceled_at: Date | string | null;
  bank_account_mask: string | null;
  bank_name: string | null;
  item_count: number | string;
  failure_code: string | null;
  failure_message: string | null;
  trace_number: string | null;
}

const columns: ColumnSpec<PayoutExportRow>[] = [
  { key: "id", kind: "text", doc: "Payout id (po_…).", value: (r) => r.id },
  { key: "expected_arrival_date", kind: "date", doc: "The bank day the money is expected in the account (a calendar date).", value: (r) => r.expected_arrival_date },
  { key: "created", kind: "local", doc: "When the payout was created (after the settlement cutoff), in the report's time zone.", value: (r) => asDate(r.created_at) },
  { key: "created_utc", kind: "utc", doc: "The same instant in UTC.", value: (r) => asDate(r.created_at) },
  { key: "status", kind: "text", doc: "pending, in_transit, paid, failed or canceled.", value: (r) => r.status },
  { key: "currency", kind: "text", doc: "ISO 4217 code.", value: (r) => r.currency },
  { key: "amount", kind: "amount", doc: "Amount sent to the bank (positive); its reconciliation rows sum to it.", value: (r) => r.amount },
  { key: "item_count", kind: "integer", doc: "Number of balance transactions the payout carries.", value: (r) => Number(r.item_count) },
  { key: "bank_name", kind: "text", doc: "Bank the payout was sent to.", value: (r) => r.bank_name },
  { key: "bank_account", kind: "text", doc: "The destination account, masked.", value: (r) => r.bank_account_mask },
  { key: "trace_number", kind: "text", doc: "The bank's trace number, once sent.", value: (r) => r.trace_number },
  { key: "sent", kind: "local", doc: "When it was sent to the bank, in the report's time zone.", value: (r) => asDate(r.sent_at) },
  { key: "sent_utc", kind: "utc", doc: "The same instant in UTC.", value: (r) => asDate(r.sent_at) },
  { key: "paid", kind: "local", doc: "When the bank confirmed it, in the report's time zone.", value: (r) => asDate(r.paid_at) },
  { key: "paid_utc", kind: "utc", doc: "The same instant in UTC.", value: (r) => asDate(r.paid_at) },
  { key: "failed", kind: "local", doc: "When it failed or was returned, in the report's time zone.", value: (r) => asDate(r.failed_at) },
  { key: "failed_utc", kind: "utc", doc: "The same instant in UTC.", value: (r) => asDate(r.failed_at) },
  { key: "canceled", kind: "local", doc: "When it was canceled, in the report's time zone.", value: (r) => asDate(r.canceled_at) },
  { key: "canceled_utc", kind: "utc", doc: "The same instant in UTC.", value: (r) => asDate(r.canceled_at) },
  { key: "failure_code", kind: "text", doc: "Why it failed (the money went back to the balance).", value: (r) => r.failure_code },
  { key: "failure_message", kind: "text", doc: "The failure in words.", value: (r) => r.failure_message },
];

const SORTS = {
  arrival: { expr: sql`${payouts.expectedArrivalDate}`, type: "date" },
  created: { expr: sql`${payouts.createdAt}`, type: "timestamptz" },
  amount: { expr: sql`${payouts.amount}`, type: "bigint" },
} as const;

export const PAYOUT_EXPORT_SELECT = sql`${payouts.id} as id, ${payouts.createdAt} as created_at, ${payouts.amount}::text as amount,
  ${payouts.currency} as currency, ${payouts.status}::text as status, ${payouts.expectedArrivalDate}::text as expected_arrival_date,
  ${payouts.sentAt} as sent_at, ${payouts.paidAt} as paid_at, ${payouts.failedAt} as failed_at, ${payouts.canceledAt} as canceled_at,
  ${payouts.bankAccountMask} as bank_account_mask, ${payouts.bankName} as bank_name, ${payouts.itemCount} as item_count,
  ${payouts.failureCode} as failure_code, ${payouts.failureMessage} as failure_message, ${payouts.traceNumber} as trace_number`;

export const payoutsReport: Report<PayoutExportRow> = {
  id: "payouts",
  title: "Payouts",
  description: "One row per payout, with the same filters as the Payouts list (dates are expected arrival dates).",
  permissions: ["reports:export"],
  columns,
  defaults: ["id", "expected_arrival_date", "created", "created_utc", "status", "currency", "amount", "item_count", "bank_name", "bank_account", "trace_number", "failure_code"],
  currencyOf: (r) => r.currency,
  prepare(scope, params, now) {
    const filter = strictListQuery(payoutListQuerySchema, params);
    const listScope = { merchantId: scope.merchantId, timeZone: scope.timeZone, currency: scope.currency };
    const where = payoutFilterSql(listScope, filter, now);
    const range = resolveListRange(scope.timeZone, filter, now);
    const days = dayRangeLabel(range.fromDay, range.toDay);
    const { field, desc } = parseSort<keyof typeof SORTS>(filter.sort);
    const { cursor: _cursor, limit: _limit, ...filters } = filter;
    return {
      rangeLabel: days.label,
      rangeText: `Expected arrival ${days.text}`,
      filters,
      async count() {
        const [r] = await rows<{ n: string }>(replicaDb(), sql`select count(*)::text as n from ${payouts} where ${where}`);
        return Number(r?.n ?? 0);
      },
      batches(size) {
        return keysetBatches<PayoutExportRow>(
          replicaDb(),
          { select: PAYOUT_EXPORT_SELECT, from: sql`${payouts}`, where, sort: { ...SORTS[field], desc, id: sql`${payouts.id}` } },
          size,
        );
      },
    };
  },
};
