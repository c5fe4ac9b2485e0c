/**
 * Invoices, one record per subscription invoice whose period starts in the report's period
 * (all time by default), newest period first. Each invoice is one period of one
 * subscription (UNIQUE); payment_id is the attempt that paid it.
 */
import { sql } from "drizzle-orm";
import { z } from "zod";
import { INVOICE_STATUSES } from "~/lib/vocabulary";
import { resolveListRange, searchParamsToObject, single, strictListQuery } from "~/modules/reporting/list-query.server";
import { instant, type SqlColumn } from "../definition";
import { inPeriod, periodAbout, periodParams, sqlRun, type SqlReport, type SqlSource } from "./report.server";

export const invoiceExportQuerySchema = z.preprocess(
  searchParamsToObject,
  z.object({
    ...periodParams,
    status: single(z.enum(INVOICE_STATUSES, { message: `Choose a status: ${INVOICE_STATUSES.join(", ")}` })).optional(),
    subscription: single(z.string().max(100)).optional(),
    customer: single(z.string().max(100)).optional(),
  }),
);

const columns: SqlColumn[] = [
  { key: "id", kind: "text", doc: "Invoice id (in_…).", sql: "i.id" },
  ...instant("period_start", "Start of the period it bills, in the report's time zone (the renewal time).", "i.period_start"),
  { key: "period_end", kind: "local", doc: "End of the period (not included): the next renewal.", sql: "i.period_end" },
  { key: "period_number", kind: "integer", doc: "Which period of the subscription (1 is the first).", sql: "i.period_index + 1" },
  { key: "status", kind: "text", doc: "draft, open, paid, uncollectible or void.", sql: "i.status" },
  { key: "subscription_id", kind: "text", doc: "The subscription (sub_…).", sql: "i.subscription_id" },
  { key: "customer_id", kind: "text", doc: "The customer (cus_…).", sql: "i.customer_id" },
  { key: "customer_name", kind: "text", doc: "The customer's name.", sql: "c.name" },
  { key: "plan_name", kind: "text", doc: "The subscription's plan.", sql: "p.name" },
  { key: "currency", kind: "text", doc: "ISO 4217 code.", sql: "i.currency" },
  { key: "amount", kind: "amount", total: true, doc: "What the period costs.", sql: "i.amount" },
  { key: "amount_paid", kind: "amount", total: true, doc: "The amount paid (0 unless paid).", sql: "case when i.status = 'paid' then i.amount else 0 end" },
  { key: "attempts", kind: "integer", total: true, doc: "Charge attempts made (the first and every dunning retry).", sql: "i.attempt_count" },
  { key: "first_failed", kind: "local", doc: "When its first charge attempt failed (empty if none failed).", sql: "i.first_failed_at" },
  { key: "next_attempt", kind: "local", doc: "When the next retry is due (empty when none is).", sql: "i.next_attempt_at" },
  ...instant("paid", "When it was paid.", "i.paid_at"),
  { key: "recovered", kind: "text", doc: "true when it was paid after a failed attempt (a dunning retry or a new card).", sql: "(i.status = 'paid' and i.first_failed_at is not null)" },
  { key: "payment_id", kind: "text", doc: "The payment (attempt) that paid it.", sql: "i.payment_id" },
  { key: "closed", kind: "local", doc: "When it was closed (paid, uncollectible or void).", sql: "i.closed_at" },
  { key: "created", kind: "local", doc: "When the renewal created it, in the report's time zone.", sql: "i.created_at" },
];

export const invoicesReport: SqlReport = {
  id: "invoices",
  title: "Invoices",
  description: "One row per subscription invoice whose period starts in the period: amount, status, attempts, and the payment that paid it.",
  permissions: ["reports:export", "subscriptions:view"],
  columns,
  defaults: ["id", "period_start", "period_end", "period_number", "status", "subscription_id", "customer_name", "plan_name", "currency", "amount", "amount_paid", "attempts", "first_failed", "paid", "recovered", "payment_id"],
  currencySql: "i.currency",
  prepare(scope, params, now) {
    const filter = strictListQuery(invoiceExportQuerySchema, params);
    const period = resolveListRange(scope.timeZone, filter, now);
    const conds = [sql`i.merchant_id = ${scope.merchantId}`, ...inPeriod(sql`i.period_start`, period)];
    if (filter.status) conds.push(sql`i.status = ${filter.status}`);
    if (filter.subscription) conds.push(sql`i.subscription_id = ${filter.subscription}`);
    if (filter.customer) conds.push(sql`i.customer_id = ${filter.customer}`);
    const where = sql.join(conds, sql` and `);
    const source: SqlSource = {
      from: sql`invoices i
        join subscriptions s on s.merchant_id = i.merchant_id and s.id = i.subscription_id
        join plans p on p.merchant_id = s.merchant_id and p.id = s.plan_id
        join customers c on c.merchant_id = i.merchant_id and c.id = i.customer_id`,
      where,
      sort: { expr: sql`i.period_start`, type: "timestamptz", desc: true, id: sql`i.id` },
    };
    return sqlRun({ ...periodAbout(period, scope.timeZone), filters: filter }, source, sql`invoices i`, "i.currency");
  },
};
