/**
 * Refunds, one record per refund matching the refunds list's filter. Amounts are
 * negative: a refund is money going out of the merchant's balance.
 */
import { sql } from "drizzle-orm";
import { refunds } from "~db/schema";
import { refundFilterSql, refundListQuerySchema } from "~/modules/refunds/list.server";
import { resolveListRange, sortOf, strictListQuery, type SortColumns } from "~/modules/reporting/list-query.server";
import { cardDetail, instant, type SqlColumn } from "../definition";
import { listFilters, listScopeOf, periodAbout, sqlRun, type SqlReport, type SqlSource } from "./report.server";

const columns: SqlColumn[] = [
  { key: "id", kind: "text", doc: "Refund id (re_…).", sql: "refunds.id" },
  ...instant("created", "When the refund was issued, in the report's time zone.", "refunds.created_at"),
  { key: "payment_id", kind: "text", doc: "The refunded payment.", sql: "refunds.payment_id" },
  { key: "status", kind: "text", doc: "pending, succeeded, failed or canceled.", sql: "refunds.status" },
  { key: "reason", kind: "text", doc: "requested_by_customer, duplicate, fraudulent or other.", sql: "refunds.reason" },
  { key: "currency", kind: "text", doc: "ISO 4217 code.", sql: "refunds.currency" },
  { key: "amount", kind: "amount", total: true, doc: "Amount returned to the card, negative (money going out).", sql: "-refunds.amount" },
  { key: "payment_amount", kind: "amount", doc: "Amount of the refunded payment (positive).", sql: "p.amount" },
  ...instant("payment_created", "When the refunded payment was made, in the report's time zone.", "p.created_at"),
  { key: "description", kind: "text", doc: "Description of the refunded payment.", sql: "p.description" },
  { key: "note", kind: "text", doc: "Note written when the refund was issued.", sql: "refunds.note" },
  { key: "customer_reference", kind: "text", doc: "Customer reference of the refunded payment.", sql: "p.customer_reference" },
  cardDetail("card_brand", "Brand of the refunded card.", "p.card_brand"),
  cardDetail("card_funding", "credit, debit, prepaid or unknown.", "p.card_funding"),
  cardDetail("card_last4", "Last 4 digits of the refunded card.", "p.card_last4"),
  { key: "terminal", kind: "text", doc: "Terminal of the refunded payment.", sql: "coalesce(t.name, p.terminal_id)" },
  { key: "created_by", kind: "text", doc: "Email of the person who issued the refund (empty for API refunds).", sql: "u.email" },
  { key: "failure_code", kind: "text", doc: "Why a failed refund failed.", sql: "refunds.failure_code" },
  { key: "provider_reference", kind: "text", doc: "The payment provider's reference for the refund.", sql: "refunds.provider_reference" },
];

const SORTS: SortColumns = {
  created: { expr: sql`${refunds.createdAt}`, type: "timestamptz" },
  amount: { expr: sql`${refunds.amount}`, type: "bigint" },
};

export const refundsReport: SqlReport = {
  id: "refunds",
  title: "Refunds",
  description: "One row per refund, with the same filters as the Refunds list. Amounts are negative.",
  permissions: ["reports:export"],
  columns,
  defaults: ["id", "created", "created_utc", "payment_id", "status", "reason", "currency", "amount", "description", "card_brand", "card_funding", "card_last4", "terminal"],
  currencySql: "refunds.currency",
  prepare(scope, params, now) {
    const filter = strictListQuery(refundListQuerySchema, params);
    const source: SqlSource = {
      from: sql`${refunds}
        left join payments p on p.merchant_id = ${refunds.merchantId} and p.id = ${refunds.paymentId}
        left join terminals t on t.merchant_id = p.merchant_id and t.id = p.terminal_id
        left join users u on u.id = ${refunds.createdByUserId}`,
      where: refundFilterSql(listScopeOf(scope), filter, now),
      sort: sortOf(SORTS, filter.sort, sql`${refunds.id}`),
    };
    const about = { ...periodAbout(resolveListRange(scope.timeZone, filter, now), scope.timeZone), filters: listFilters(filter) };
    return sqlRun(about, source, sql`${refunds}`, "refunds.currency");
  },
};
