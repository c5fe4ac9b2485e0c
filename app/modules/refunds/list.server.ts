/**
 * The refunds list: URL schema, filter as SQL over the unaliased `refunds` table
 * (shared with the CSV export), one keyset page and the totals of the filter.
 */
import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { db, rows } from "~db/client.server";
import { refunds } from "~db/schema";
import { REFUND_REASONS, REFUND_STATUSES } from "~/lib/labels";
import { amountFilterSql, and, createdOrAmountSorts, inList, keysetPage, listQuerySchema, multi, pageAndTotals, rangeFilterSql, resolveListRange, single, type ListScope, type Page } from "~/modules/reporting/list-query.server";

export const REFUND_SORTS = ["created", "-created", "amount", "-amount"] as const;

export const refundListQuerySchema = listQuerySchema({
  status: multi(z.enum(REFUND_STATUSES, { message: "Unknown refund status" })),
  reason: multi(z.enum(REFUND_REASONS, { message: "Unknown refund reason" })),
  /** User ids of the people who issued the refunds. */
  by: multi(z.string().max(100)),
  sort: single(z.enum(REFUND_SORTS, { message: "Sort by created or amount" })).default("-created"),
});

export type RefundListQuery = z.output<typeof refundListQuerySchema>;

export function refundFilterSql(scope: ListScope, filter: RefundListQuery, now: Date = new Date()): SQL {
  const q = filter.q?.trim();
  return and([
    sql`${refunds.merchantId} = ${scope.merchantId}`,
    ...rangeFilterSql(sql`${refunds.createdAt}`, resolveListRange(scope.timeZone, filter, now)),
    inList(sql`${refunds.status}::text`, filter.status),
    inList(sql`${refunds.reason}::text`, filter.reason),
    inList(sql`${refunds.createdByUserId}`, filter.by),
    ...amountFilterSql(sql`${refunds.amount}`, scope.currency, filter),
    q ? sql`(${refunds.id} = ${q} or ${refunds.paymentId} = ${q} or ${refunds.providerReference} = ${q})` : null,
  ]);
}

export interface RefundListRow {
  id: string;
  createdAt: string;
  amount: string;
  currency: string;
  status: string;
  reason: string;
  note: string | null;
  failureCode: string | null;
  paymentId: string;
  paymentAmount: string | null;
  cardBrand: string | null;
  cardLast4: string | null;
  createdByUserId: string | null;
  createdByName: string | null;
}

export interface RefundTotals {
  count: number;
  amount: bigint;
  succeededCount: number;
  succeededAmount: bigint;
}

/** A refund as the list shows it: each column named as RefundListRow names it. */
const REFUND_SELECT = sql`${refunds.id} as id, to_char(${refunds.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "createdAt",
        ${refunds.amount}::text as amount, ${refunds.currency} as currency, ${refunds.status}::text as status,
        ${refunds.reason}::text as reason, ${refunds.note} as note, ${refunds.failureCode} as "failureCode",
        ${refunds.paymentId} as "paymentId", p.amount::text as "paymentAmount", p.card_brand::text as "cardBrand",
        p.card_last4 as "cardLast4", ${refunds.createdByUserId} as "createdByUserId", u.name as "createdByName"`;

const REFUND_FROM = sql`${refunds}
        left join payments p on p.merchant_id = ${refunds.merchantId} and p.id = ${refunds.paymentId}
        left join users u on u.id = ${refunds.createdByUserId}`;

export const SORT_COLUMNS = createdOrAmountSorts(sql`${refunds.createdAt}`, sql`${refunds.amount}`);

export async function listRefunds(
  scope: ListScope,
  filter: RefundListQuery,
  now: Date = new Date(),
): Promise<{ page: Page<RefundListRow>; totals: RefundTotals }> {
  const { page, totals } = await pageAndTotals(
    db(),
    {
      select: REFUND_SELECT,
      from: REFUND_FROM,
      where: refundFilterSql(scope, filter, now),
      sorts: SORT_COLUMNS,
      id: sql`${refunds.id}`,
      totals: { from: sql`${refunds}`, amount: sql`${refunds.amount}`, status: sql`${refunds.status}`, done: "succeeded" },
    },
    filter,
    (r: RefundListRow) => r,
  );
  return { page, totals: { count: totals.count, amount: totals.amount, succeededCount: totals.doneCount, succeededAmount: totals.doneAmount } };
}

/** Choices for "issued by": the merchant's members whose role may refund (any membership status). */
export async function refundIssuers(scope: ListScope): Promise<{ id: string; name: string }[]> {
  return rows<{ id: string; name: string }>(
    db(),
    sql`select u.id, u.name from memberships m join users u on u.id = m.user_id
        where m.merchant_id = ${scope.merchantId} and m.role in ('owner', 'admin', 'support')
        order by u.name, u.id`,
  );
}

/** The latest refunds (any status), newest first: the Overview's "recent refunds". */
export async function recentRefunds(scope: ListScope, limit = 5): Promise<RefundListRow[]> {
  const page = await keysetPage<RefundListRow>(db(), {
    select: REFUND_SELECT,
    from: REFUND_FROM,
    where: sql`${refunds.merchantId} = ${scope.merchantId}`,
    sort: { expr: sql`${refunds.createdAt}`, type: "timestamptz", desc: true, id: sql`${refunds.id}` },
    limit,
    prepare: true,
  });
  return page.rows;
}
