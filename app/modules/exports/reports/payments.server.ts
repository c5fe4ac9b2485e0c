/**
 * Payments, itemized: one record per payment matching the payments list's filter
 * (every page of it), in the list's sort order.
 */
import { sql } from "drizzle-orm";
import { payments } from "~db/schema";
import { IRANIAN_BANKS } from "~/lib/card";
import { paymentFilterSql, paymentListQuerySchema } from "~/modules/payments/list.server";
import { resolveListRange, sortOf, strictListQuery, type SortColumns } from "~/modules/reporting/list-query.server";
import { sqlLiteral } from "../copy.server";
import { cardDetail, instant, type SqlColumn } from "../definition";
import { listFilters, listScopeOf, periodAbout, sqlRun, type SqlReport, type SqlSource } from "./report.server";

/** bankLabel in SQL: an Iranian bank code's English name, a foreign issuer as stored, none when empty. */
const ISSUER_BANK_SQL = `case when coalesce(payments.issuer_bank, '') = '' then null else case payments.issuer_bank ${Object.entries(IRANIAN_BANKS)
  .map(([code, name]) => `when ${sqlLiteral(code)} then ${sqlLiteral(name.en)}`)
  .join(" ")} else payments.issuer_bank end end`;

const columns: SqlColumn[] = [
  { key: "id", kind: "text", doc: "Payment id (pay_…).", sql: "payments.id" },
  ...instant("created", "When the payment was attempted, in the report's time zone.", "payments.created_at"),
  ...instant("captured", "When the payment succeeded (captured), in the report's time zone; empty otherwise.", "payments.captured_at"),
  { key: "status", kind: "text", doc: "pending, authorized, captured (succeeded), declined, voided or failed.", sql: "payments.status" },
  { key: "currency", kind: "text", doc: "ISO 4217 code.", sql: "payments.currency" },
  { key: "amount", kind: "amount", total: true, doc: "Amount charged to the card.", sql: "payments.amount" },
  { key: "amount_refunded", kind: "amount", total: true, doc: "Total refunded so far (a positive running total; the refunds report lists each refund).", sql: "payments.amount_refunded" },
  { key: "fee", kind: "amount", total: true, doc: "Processing fee kept from a captured payment.", sql: "payments.fee" },
  { key: "net", kind: "amount", total: true, doc: "amount - fee for a captured payment (what it added to the balance before refunds); 0 otherwise.", sql: "case when payments.status = 'captured' then payments.amount - payments.fee else 0 end" },
  { key: "description", kind: "text", doc: "Description given with the payment.", sql: "payments.description" },
  { key: "customer_reference", kind: "text", doc: "The merchant's reference for the customer or order.", sql: "payments.customer_reference" },
  cardDetail("card_brand", "visa, mastercard, amex, discover, unionpay, shetab or unknown.", "payments.card_brand"),
  cardDetail("card_funding", "credit, debit, prepaid or unknown.", "payments.card_funding"),
  cardDetail("card_bin", "First 6 digits of the card.", "payments.card_bin"),
  cardDetail("card_last4", "Last 4 digits of the card.", "payments.card_last4"),
  cardDetail("issuer_bank", "The card's issuing bank.", ISSUER_BANK_SQL),
  { key: "terminal", kind: "text", doc: "Name of the terminal that took the payment.", sql: "coalesce(t.name, payments.terminal_id)" },
  { key: "terminal_id", kind: "text", doc: "Terminal id.", sql: "payments.terminal_id" },
  { key: "payment_link", kind: "text", doc: "The payment link (pl_…) the customer paid through; empty for the virtual terminal and the API.", sql: "payments.payment_link_id" },
  { key: "provider_reference", kind: "text", doc: "The payment provider's reference.", sql: "payments.provider_reference" },
  { key: "decline_code", kind: "text", doc: "Why a declined or failed payment did not go through.", sql: "payments.decline_code" },
];

const SORTS: SortColumns = {
  created: { expr: sql`${payments.createdAt}`, type: "timestamptz" },
  amount: { expr: sql`${payments.amount}`, type: "bigint" },
};

export const paymentsReport: SqlReport = {
  id: "payments",
  title: "Payments (itemized)",
  description: "One row per payment, with the same filters as the Payments list.",
  permissions: ["reports:export"],
  columns,
  defaults: ["id", "created", "created_utc", "status", "currency", "amount", "amount_refunded", "fee", "net", "description", "card_brand", "card_funding", "card_last4", "terminal", "payment_link"],
  currencySql: "payments.currency",
  prepare(scope, params, now) {
    const filter = strictListQuery(paymentListQuerySchema, params);
    const source: SqlSource = {
      from: sql`${payments} left join terminals t on t.merchant_id = ${payments.merchantId} and t.id = ${payments.terminalId}`,
      where: paymentFilterSql(listScopeOf(scope), filter, now),
      sort: sortOf(SORTS, filter.sort, sql`${payments.id}`),
    };
    const about = { ...periodAbout(resolveListRange(scope.timeZone, filter, now), scope.timeZone), filters: listFilters(filter) };
    return sqlRun(about, source, sql`${payments}`, "payments.currency");
  },
};
