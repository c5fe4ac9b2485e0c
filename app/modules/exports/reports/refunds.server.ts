/**
 * Refunds, one record per refund matching the refunds list's filter. Amounts are
 * negative: a refund is money going out of the merchant's balance.
 */
import { sql } from "drizzle-orm";
import { replicaDb, rows } from "~db/client.server";
import { refunds } from "~db/schema";
import { refundFilterSql, refundListQuerySchema } from "~/modules/refunds/list.server";
import { parseSort, resolveListRange, strictListQuery } from "~/modules/reporting/list-query.server";
import type { ColumnSpec } from "../definition";
import { asDate, keysetBatches, periodLabel, periodText, type Report } from "./report.server";

export interface RefundExportRow {
  id: string;
  created_at: Date | string;
  amount: string;
  currency: string;
  status: string;
  reason: string;
  note: string | null;
  failure_code: string | null;
  provider_reference: string | null;
  payment_id: string;
  payment_amount: string | null;
  payment_created_at: Date | string | null;
  description: string | null;
  customer_reference: string | null;
  card_brand: string | null;
  card_funding: string | null;
  card_last4: string | null;
  terminal_id: string | null;
  terminal_name: string | null;
  created_by: string | null;
}

const columns: ColumnSpec<RefundExportRow>[] = [
  { key: "id", kind: "text", doc: "Refund id (re_…).", value: (r) => r.id },
  { key: "created", kind: "local", doc: "When the refund was issued, in the report's time zone.", value: (r) => asDate(r.created_at) },
  { key: "created_utc", kind: "utc", doc: "The same instant in UTC.", value: (r) => asDate(r.created_at) },
  { key: "payment_id", kind: "text", doc: "The refunded payment.", value: (r) => r.payment_id },
  { key: "status", kind: "text", doc: "pending, succeeded, failed or canceled.", value: (r) => r.status },
  { key: "reason", kind: "text", doc: "requested_by_customer, duplicate, fraudulent or other.", value: (r) => r.reason },
  { key: "currency", kind: "text", doc: "ISO 4217 code.", value: (r) => r.currency },
  { key: "amount", kind: "amount", doc: "Amount returned to the card, negative (money going out).", value: (r) => -BigInt(r.amount) },
  { key: "payment_amount", kind: "amount", doc: "Amount of the refunded payment (positive).", value: (r) => r.payment_amount },
  { key: "payment_created", kind: "local", doc: "When the refunded payment was made, in the report's time zone.", value: (r) => asDate(r.payment_created_at) },
  { key: "payment_created_utc", kind: "utc", doc: "The same instant in UTC.", value: (r) => asDate(r.payment_created_at) },
  { key: "description", kind: "text", doc: "Description of the refunded payment.", value: (r) => r.description },
  { key: "note", kind: "text", doc: "Note written when the refund was issued.", value: (r) => r.note },
  { key: "customer_reference", kind: "text", doc: "Customer reference of the refunded payment.", value: (r) => r.customer_reference },
  { key: "card_brand", kind: "text", doc: "Brand of the refunded card.", permission: "cards:view", value: (r) => r.card_brand },
  { key: "card_funding", kind: "text", doc: "credit, debit, prepaid or unknown.", permission: "cards:view", value: (r) => r.card_funding },
  { key: "card_last4", kind: "text", doc: "Last 4 digits of the refunded card.", permission: "cards:view", value: (r) => r.card_last4 },
  { key: "terminal", kind: "text", doc: "Terminal of the refunded payment.", value: (r) => r.terminal_name ?? r.terminal_id },
  { key: "created_by", kind: "text", doc: "Email of the person who issued the refund (empty for API refunds).", value: (r) => r.created_by },
  { key: "failure_code", kind: "text", doc: "Why a failed refund failed.", value: (r) => r.failure_code },
  { key: "provider_reference", kind: "text", doc: "The payment provider's reference for the refund.", value: (r) => r.provider_reference },
];

const SORTS = {
  created: { expr: sql`${refunds.createdAt}`, type: "timestamptz" },
  amount: { expr: sql`${refunds.amount}`, type: "bigint" },
} as const;

export const refundsReport: Report<RefundExportRow> = {
  id: "refunds",
  title: "Refunds",
  description: "One row per refund, with the same filters as the Refunds list. Amounts are negative.",
  permissions: ["reports:export"],
  columns,
  defaults: ["id", "created", "created_utc", "payment_id", "status", "reason", "currency", "amount", "description", "card_brand", "card_funding", "card_last4", "terminal"],
  currencyOf: (r) => r.currency,
  prepare(scope, params, now) {
    const filter = strictListQuery(refundListQuerySchema, params);
    const listScope = { merchantId: scope.merchantId, timeZone: scope.timeZone, currency: scope.currency };
    const where = refundFilterSql(listScope, filter, now);
    const period = resolveListRange(scope.timeZone, filter, now);
    const { field, desc } = parseSort<keyof typeof SORTS>(filter.sort);
    const { cursor: _cursor, limit: _limit, ...filters } = filter;
    return {
      rangeLabel: periodLabel(period, scope.timeZone),
      rangeText: periodText(period, scope.timeZone),
      filters,
      async count() {
        const [r] = await rows<{ n: string }>(replicaDb(), sql`select count(*)::text as n from ${refunds} where ${where}`);
        return Number(r?.n ?? 0);
      },
      batches(size) {
        return keysetBatches<RefundExportRow>(
          replicaDb(),
          {
            select: sql`${refunds.id} as id, ${refunds.createdAt} as created_at, ${refunds.amount}::text as amount,
              ${refunds.currency} as currency, ${refunds.status}::text as status, ${refunds.reason}::text as reason,
              ${refunds.note} as note, ${refunds.failureCode} as failure_code, ${refunds.providerReference} as provider_reference,
              ${refunds.paymentId} as payment_id, p.amount::text as payment_amount, p.created_at as payment_created_at,
              p.description as description, p.customer_reference as customer_reference, p.card_brand::text as card_brand,
              p.card_funding::text as card_funding, p.card_last4 as card_last4, p.terminal_id as terminal_id,
              t.name as terminal_name, u.email as created_by`,
            from: sql`${refunds}
              left join payments p on p.merchant_id = ${refunds.merchantId} and p.id = ${refunds.paymentId}
              left join terminals t on t.merchant_id = p.merchant_id and t.id = p.terminal_id
              left join users u on u.id = ${refunds.createdByUserId}`,
            where,
            sort: { ...SORTS[field], desc, id: sql`${refunds.id}` },
          },
          size,
        );
      },
    };
  },
};
