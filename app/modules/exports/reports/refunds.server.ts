/**
 * Refunds, one record per refund matching the refunds list's filter. Amounts are
 * negative: a refund is money going out of the merchant's balance.
 */
import { sql } from "drizzle-orm";
import { refunds } from "~db/schema";
import { SORT_COLUMNS, refundFilterSql, refundListQuerySchema, type RefundListQuery } from "~/modules/refunds/list.server";
import { sqlColumnsOf, type SqlColumn } from "../definition";
import { listReport, type ListSource } from "./report.server";

const r = sqlColumnsOf("refunds");
const p = sqlColumnsOf("p"); // the refunded payment
const columns: SqlColumn[] = [
  r.text("id", "Refund id (re_…)."),
  ...r.instant("created", "When the refund was issued, in the report's time zone."),
  r.text("payment_id", "The refunded payment."),
  r.text("status", "pending, succeeded, failed or canceled."),
  r.text("reason", "requested_by_customer, duplicate, fraudulent or other."),
  r.currency(),
  r.total("amount", "Amount returned to the card, negative (money going out).", "-refunds.amount"),
  p.amount("payment_amount", "Amount of the refunded payment (positive).", "p.amount"),
  ...p.instant("payment_created", "When the refunded payment was made, in the report's time zone.", "p.created_at"),
  p.text("description", "Description of the refunded payment."),
  r.text("note", "Note written when the refund was issued."),
  ...p.paymentBehind({
    reference: "Customer reference of the refunded payment.",
    brand: "Brand of the refunded card.",
    last4: "Last 4 digits of the refunded card.",
    terminal: "Terminal of the refunded payment.",
  }),
  r.text("created_by", "Email of the person who issued the refund (empty for API refunds).", "u.email"),
  r.text("failure_code", "Why a failed refund failed."),
  r.text("provider_reference", "The payment provider's reference for the refund."),
];

const list: ListSource<RefundListQuery> = { schema: refundListQuerySchema, filterSql: refundFilterSql, sorts: SORT_COLUMNS };

export const refundsReport = listReport(
  {
    id: "refunds",
    title: "Refunds",
    description: "One row per refund, with the same filters as the Refunds list. Amounts are negative.",
    permissions: ["reports:export"],
    columns,
    defaults: ["id", "created", "created_utc", "payment_id", "status", "reason", "currency", "amount", "description", "card_brand", "card_funding", "card_last4", "terminal"],
  },
  list,
  {
    table: sql`${refunds}`,
    from: sql`${refunds}
      left join payments p on p.merchant_id = ${refunds.merchantId} and p.id = ${refunds.paymentId}
      left join terminals t on t.merchant_id = p.merchant_id and t.id = p.terminal_id
      left join users u on u.id = ${refunds.createdByUserId}`,
    id: sql`${refunds.id}`,
    currencySql: "refunds.currency",
  },
);
