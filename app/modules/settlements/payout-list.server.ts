/**
 * The payouts list (read side; the settlement engine in app/modules/settlements
 * creates and advances payouts). URL schema, filter as SQL over the unaliased
 * `payouts` table (shared with the CSV export), one keyset page and the totals.
 *
 * Dates filter the expected arrival date: that is the day an accountant finds the
 * money on the bank statement, already a local calendar day of the merchant.
 */
import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { db } from "~db/client.server";
import { payouts } from "~db/schema";
import { PAYOUT_STATUSES } from "~/lib/labels";
import { amountFilterSql, and, createdOrAmountSorts, inList, listQuerySchema, multi, pageAndTotals, rangeFilterSql, resolveListRange, single, type ListScope, type Page } from "~/modules/reporting/list-query.server";

export const PAYOUT_SORTS = ["arrival", "-arrival", "created", "-created", "amount", "-amount"] as const;

export const payoutListQuerySchema = listQuerySchema({
  status: multi(z.enum(PAYOUT_STATUSES, { message: "Unknown payout status" })),
  sort: single(z.enum(PAYOUT_SORTS, { message: "Sort by arrival, created or amount" })).default("-arrival"),
});

export type PayoutListQuery = z.output<typeof payoutListQuerySchema>;

export function payoutFilterSql(scope: ListScope, filter: PayoutListQuery, now: Date = new Date()): SQL {
  const q = filter.q?.trim();
  return and([
    sql`${payouts.merchantId} = ${scope.merchantId}`,
    ...rangeFilterSql(sql`${payouts.expectedArrivalDate}`, resolveListRange(scope.timeZone, filter, now), "date"),
    inList(sql`${payouts.status}::text`, filter.status),
    ...amountFilterSql(sql`${payouts.amount}`, scope.currency, filter),
    q ? sql`(${payouts.id} = ${q} or ${payouts.traceNumber} = ${q})` : null,
  ]);
}

export interface PayoutListRow {
  id: string;
  createdAt: string;
  amount: string;
  currency: string;
  status: string;
  expectedArrivalDate: string;
  sentAt: string | null;
  paidAt: string | null;
  failedAt: string | null;
  canceledAt: string | null;
  bankAccountMask: string | null;
  bankName: string | null;
  itemCount: number;
  failureCode: string | null;
  failureMessage: string | null;
  traceNumber: string | null;
}

export interface PayoutTotals {
  count: number;
  amount: bigint;
  paidCount: number;
  paidAmount: bigint;
}

export const SORT_COLUMNS = {
  arrival: { expr: sql`${payouts.expectedArrivalDate}`, type: "date" as const },
  ...createdOrAmountSorts(sql`${payouts.createdAt}`, sql`${payouts.amount}`),
};

const iso = (col: SQL) => sql`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export const PAYOUT_ROW_SELECT = sql`${payouts.id} as id, ${iso(sql`${payouts.createdAt}`)} as created_at,
  ${payouts.amount}::text as amount, ${payouts.currency} as currency, ${payouts.status}::text as status,
  ${payouts.expectedArrivalDate}::text as expected_arrival_date, ${iso(sql`${payouts.sentAt}`)} as sent_at,
  ${iso(sql`${payouts.paidAt}`)} as paid_at, ${iso(sql`${payouts.failedAt}`)} as failed_at,
  ${iso(sql`${payouts.canceledAt}`)} as canceled_at, ${payouts.bankAccountMask} as bank_account_mask,
  ${payouts.bankName} as bank_name, ${payouts.itemCount} as item_count, ${payouts.failureCode} as failure_code,
  ${payouts.failureMessage} as failure_message, ${payouts.traceNumber} as trace_number`;

export interface PayoutRowRaw {
  id: string;
  created_at: string;
  amount: string;
  currency: string;
  status: string;
  expected_arrival_date: string;
  sent_at: string | null;
  paid_at: string | null;
  failed_at: string | null;
  canceled_at: string | null;
  bank_account_mask: string | null;
  bank_name: string | null;
  item_count: number | string;
  failure_code: string | null;
  failure_message: string | null;
  trace_number: string | null;
}

export function toPayoutRow(r: PayoutRowRaw): PayoutListRow {
  return {
    id: r.id,
    createdAt: r.created_at,
    amount: r.amount,
    currency: r.currency,
    status: r.status,
    expectedArrivalDate: r.expected_arrival_date,
    sentAt: r.sent_at,
    paidAt: r.paid_at,
    failedAt: r.failed_at,
    canceledAt: r.canceled_at,
    bankAccountMask: r.bank_account_mask,
    bankName: r.bank_name,
    itemCount: Number(r.item_count),
    failureCode: r.failure_code,
    failureMessage: r.failure_message,
    traceNumber: r.trace_number,
  };
}

export async function listPayouts(
  scope: ListScope,
  filter: PayoutListQuery,
  now: Date = new Date(),
): Promise<{ page: Page<PayoutListRow>; totals: PayoutTotals }> {
  const { page, totals } = await pageAndTotals(
    db(),
    {
      select: PAYOUT_ROW_SELECT,
      from: sql`${payouts}`,
      where: payoutFilterSql(scope, filter, now),
      sorts: SORT_COLUMNS,
      id: sql`${payouts.id}`,
      totals: { from: sql`${payouts}`, amount: sql`${payouts.amount}`, status: sql`${payouts.status}`, done: "paid" },
    },
    filter,
    toPayoutRow,
  );
  return { page, totals: { count: totals.count, amount: totals.amount, paidCount: totals.doneCount, paidAmount: totals.doneAmount } };
}
