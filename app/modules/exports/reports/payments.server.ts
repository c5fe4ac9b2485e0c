/**
 * Payments, itemized: one record per payment matching the payments list's filter
 * (every page of it), in the list's sort order.
 */
import { sql } from "drizzle-orm";
import { replicaDb, rows } from "~db/client.server";
import { payments } from "~db/schema";
import { IRANIAN_BANKS } from "~/lib/card";
import { bankLabel } from "~/lib/labels";
import { paymentFilterSql, paymentListQuerySchema } from "~/modules/payments/list.server";
import { parseSort, resolveListRange, strictListQuery } from "~/modules/reporting/list-query.server";
import { sqlLiteral } from "../copy.server";
import type { ColumnSpec } from "../definition";
import { asDate, keysetBatches, periodLabel, periodText, type Report } from "./report.server";

export interface PaymentExportRow {
  id: string;
  created_at: Date | string;
  captured_at: Date | string | null;
  status: string;
  amount: string;
  amount_refunded: string;
  fee: string;
  currency: string;
  card_brand: string;
  card_funding: string;
  card_bin: string | null;
  card_last4: string | null;
  issuer_bank: string;
  terminal_id: string;
  terminal_name: string | null;
  description: string | null;
  customer_reference: string | null;
  provider_reference: string | null;
  decline_code: string | null;
}

/** bankLabel in SQL: an Iranian bank code's English name, a foreign issuer as stored, none when empty. */
const ISSUER_BANK_SQL = `case when coalesce(payments.issuer_bank, '') = '' then null else case payments.issuer_bank ${Object.entries(IRANIAN_BANKS)
  .map(([code, name]) => `when ${sqlLiteral(code)} then ${sqlLiteral(name.en)}`)
  .join(" ")} else payments.issuer_bank end end`;

const columns: ColumnSpec<PaymentExportRow>[] = [
  { key: "id", kind: "text", doc: "Payment id (pay_…).", value: (r) => r.id, sql: "payments.id" },
  { key: "created", kind: "local", doc: "When the payment was attempted, in the report's time zone.", value: (r) => asDate(r.created_at), sql: "payments.created_at" },
  { key: "created_utc", kind: "utc", doc: "The same instant in UTC.", value: (r) => asDate(r.created_at), sql: "payments.created_at" },
  { key: "captured", kind: "local", doc: "When the payment succeeded (captured), in the report's time zone; empty otherwise.", value: (r) => asDate(r.captured_at), sql: "payments.captured_at" },
  { key: "captured_utc", kind: "utc", doc: "The same instant in UTC.", value: (r) => asDate(r.captured_at), sql: "payments.captured_at" },
  { key: "status", kind: "text", doc: "pending, authorized, captured (succeeded), declined, voided or failed.", value: (r) => r.status, sql: "payments.status" },
  { key: "currency", kind: "text", doc: "ISO 4217 code.", value: (r) => r.currency, sql: "payments.currency" },
  { key: "amount", kind: "amount", doc: "Amount charged to the card.", value: (r) => r.amount, sql: "payments.amount" },
  { key: "amount_refunded", kind: "amount", doc: "Total refunded so far (a positive running total; the refunds report lists each refund).", value: (r) => r.amount_refunded, sql: "payments.amount_refunded" },
  { key: "fee", kind: "amount", doc: "Processing fee kept from a captured payment.", value: (r) => r.fee, sql: "payments.fee" },
  { key: "net", kind: "amount", doc: "amount - fee for a captured payment (what it added to the balance before refunds); 0 otherwise.", value: (r) => (r.status === "captured" ? BigInt(r.amount) - BigInt(r.fee) : 0n), sql: "case when payments.status = 'captured' then payments.amount - payments.fee else 0 end" },
  { key: "description", kind: "text", doc: "Description given with the payment.", value: (r) => r.description, sql: "payments.description" },
  { key: "customer_reference", kind: "text", doc: "The merchant's reference for the customer or order.", value: (r) => r.customer_reference, sql: "payments.customer_reference" },
  { key: "card_brand", kind: "text", doc: "visa, mastercard, amex, discover, unionpay, shetab or unknown.", permission: "cards:view", value: (r) => r.card_brand, sql: "payments.card_brand" },
  { key: "card_funding", kind: "text", doc: "credit, debit, prepaid or unknown.", permission: "cards:view", value: (r) => r.card_funding, sql: "payments.card_funding" },
  { key: "card_bin", kind: "text", doc: "First 6 digits of the card.", permission: "cards:view", value: (r) => r.card_bin, sql: "payments.card_bin" },
  { key: "card_last4", kind: "text", doc: "Last 4 digits of the card.", permission: "cards:view", value: (r) => r.card_last4, sql: "payments.card_last4" },
  { key: "issuer_bank", kind: "text", doc: "The card's issuing bank.", permission: "cards:view", value: (r) => (r.issuer_bank ? bankLabel(r.issuer_bank) : null), sql: ISSUER_BANK_SQL },
  { key: "terminal", kind: "text", doc: "Name of the terminal that took the payment.", value: (r) => r.terminal_name ?? r.terminal_id, sql: "coalesce(t.name, payments.terminal_id)" },
  { key: "terminal_id", kind: "text", doc: "Terminal id.", value: (r) => r.terminal_id, sql: "payments.terminal_id" },
  { key: "provider_reference", kind: "text", doc: "The payment provider's reference.", value: (r) => r.provider_reference, sql: "payments.provider_reference" },
  { key: "decline_code", kind: "text", doc: "Why a declined or failed payment did not go through.", value: (r) => r.decline_code, sql: "payments.decline_code" },
];

const SORTS = {
  created: { expr: sql`${payments.createdAt}`, type: "timestamptz" },
  amount: { expr: sql`${payments.amount}`, type: "bigint" },
} as const;

export const paymentsReport: Report<PaymentExportRow> = {
  id: "payments",
  title: "Payments (itemized)",
  description: "One row per payment, with the same filters as the Payments list.",
  permissions: ["reports:export"],
  columns,
  defaults: ["id", "created", "created_utc", "status", "currency", "amount", "amount_refunded", "fee", "net", "description", "card_brand", "card_funding", "card_last4", "terminal"],
  currencyOf: (r) => r.currency,
  currencySql: "payments.currency",
  prepare(scope, params, now) {
    const filter = strictListQuery(paymentListQuerySchema, params);
    const listScope = { merchantId: scope.merchantId, timeZone: scope.timeZone, currency: scope.currency };
    const where = paymentFilterSql(listScope, filter, now);
    const period = resolveListRange(scope.timeZone, filter, now);
    const { field, desc } = parseSort<keyof typeof SORTS>(filter.sort);
    const { cursor: _cursor, limit: _limit, cols: _cols, ...filters } = filter;
    return {
      rangeLabel: periodLabel(period, scope.timeZone),
      rangeText: periodText(period, scope.timeZone),
      filters,
      async count() {
        const [r] = await rows<{ n: string }>(replicaDb(), sql`select count(*)::text as n from ${payments} where ${where}`);
        return Number(r?.n ?? 0);
      },
      /** Every matching payment in one statement, in the keyset walk's order (the sort, then the id). */
      copySelect(values) {
        const dir = desc ? sql`desc` : sql`asc`;
        return sql`select ${sql.raw(values.join(", "))}
          from ${payments} left join terminals t on t.merchant_id = ${payments.merchantId} and t.id = ${payments.terminalId}
          where ${where}
          order by ${SORTS[field].expr} ${dir}, ${payments.id} ${dir}`;
      },
      batches(size) {
        return keysetBatches<PaymentExportRow>(
          replicaDb(),
          {
            select: sql`${payments.id} as id, ${payments.createdAt} as created_at, ${payments.capturedAt} as captured_at,
              ${payments.status}::text as status, ${payments.amount}::text as amount, ${payments.amountRefunded}::text as amount_refunded,
              ${payments.fee}::text as fee, ${payments.currency} as currency, ${payments.cardBrand}::text as card_brand,
              ${payments.cardFunding}::text as card_funding, ${payments.cardBin} as card_bin, ${payments.cardLast4} as card_last4,
              ${payments.issuerBank} as issuer_bank, ${payments.terminalId} as terminal_id, t.name as terminal_name,
              ${payments.description} as description, ${payments.customerReference} as customer_reference,
              ${payments.providerReference} as provider_reference, ${payments.declineCode} as decline_code`,
            from: sql`${payments} left join terminals t on t.merchant_id = ${payments.merchantId} and t.id = ${payments.terminalId}`,
            where,
            sort: { ...SORTS[field], desc, id: sql`${payments.id}` },
          },
          size,
        );
      },
    };
  },
};
