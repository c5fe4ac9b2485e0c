/**
 * Payments, itemized: one record per payment matching the payments list's filter
 * (every page of it), in the list's sort order.
 */
import { sql } from "drizzle-orm";
import { payments } from "~db/schema";
import { IRANIAN_BANKS } from "~/lib/card";
import { SORT_COLUMNS, paymentFilterSql, paymentListQuerySchema, type PaymentListQuery } from "~/modules/payments/list.server";
import { sqlLiteral } from "../copy.server";
import { sqlColumnsOf, type SqlColumn } from "../definition";
import { listReport, type ListSource } from "./report.server";

/** bankLabel in SQL: an Iranian bank code's English name, a foreign issuer as stored, none when empty. */
const ISSUER_BANK_SQL = `case when coalesce(payments.issuer_bank, '') = '' then null else case payments.issuer_bank ${Object.entries(IRANIAN_BANKS)
  .map(([code, name]) => `when ${sqlLiteral(code)} then ${sqlLiteral(name.en)}`)
  .join(" ")} else payments.issuer_bank end end`;

const p = sqlColumnsOf("payments");
const columns: SqlColumn[] = [
  p.text("id", "Payment id (pay_…)."),
  ...p.instant("created", "When the payment was attempted, in the report's time zone."),
  ...p.instant("captured", "When the payment succeeded (captured), in the report's time zone; empty otherwise."),
  p.text("status", "pending, authorized, captured (succeeded), declined, voided or failed."),
  p.currency(),
  p.total("amount", "Amount charged to the card."),
  p.total("amount_refunded", "Total refunded so far (a positive running total; the refunds report lists each refund)."),
  p.total("fee", "Processing fee kept from a captured payment."),
  p.total("net", "amount - fee for a captured payment (what it added to the balance before refunds); 0 otherwise.", "case when payments.status = 'captured' then payments.amount - payments.fee else 0 end"),
  p.text("description", "Description given with the payment."),
  p.text("customer_reference", "The merchant's reference for the customer or order."),
  p.card("card_brand", "visa, mastercard, amex, discover, unionpay, shetab or unknown."),
  p.funding(),
  p.card("card_bin", "First 6 digits of the card."),
  p.card("card_last4", "Last 4 digits of the card."),
  p.card("issuer_bank", "The card's issuing bank.", ISSUER_BANK_SQL),
  p.terminal("Name of the terminal that took the payment."),
  p.text("terminal_id", "Terminal id."),
  p.text("payment_link", "The payment link (pl_…) the customer paid through; empty for the virtual terminal and the API.", "payments.payment_link_id"),
  p.text("provider_reference", "The payment provider's reference."),
  p.text("decline_code", "Why a declined or failed payment did not go through."),
];

const list: ListSource<PaymentListQuery> = { schema: paymentListQuerySchema, filterSql: paymentFilterSql, sorts: SORT_COLUMNS };

export const paymentsReport = listReport(
  {
    id: "payments",
    title: "Payments (itemized)",
    description: "One row per payment, with the same filters as the Payments list.",
    permissions: ["reports:export"],
    columns,
    defaults: ["id", "created", "created_utc", "status", "currency", "amount", "amount_refunded", "fee", "net", "description", "card_brand", "card_funding", "card_last4", "terminal", "payment_link"],
  },
  list,
  {
    table: sql`${payments}`,
    from: sql`${payments} left join terminals t on t.merchant_id = ${payments.merchantId} and t.id = ${payments.terminalId}`,
    id: sql`${payments.id}`,
    currencySql: "payments.currency",
  },
);
