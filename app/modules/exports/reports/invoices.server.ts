/**
 * Invoices, one record per subscription invoice whose period starts in the report's period
 * (all time by default), newest period first. Each invoice is one period of one
 * subscription (UNIQUE); payment_id is the attempt that paid it.
 */
import { z } from "zod";
import { INVOICE_STATUSES } from "~/lib/vocabulary";
import { searchParamsToObject, single } from "~/modules/reporting/list-query.server";
import { sqlColumnsOf, type SqlColumn } from "../definition";
import { periodParams, periodReport } from "./report.server";

export const invoiceExportQuerySchema = z.preprocess(
  searchParamsToObject,
  z.object({
    ...periodParams,
    status: single(z.enum(INVOICE_STATUSES, { message: `Choose a status: ${INVOICE_STATUSES.join(", ")}` })).optional(),
    subscription: single(z.string().max(100)).optional(),
    customer: single(z.string().max(100)).optional(),
  }),
);

const i = sqlColumnsOf("i");
const columns: SqlColumn[] = [
  i.text("id", "Invoice id (in_…)."),
  ...i.instant("period_start", "Start of the period it bills, in the report's time zone (the renewal time).", "i.period_start"),
  i.local("period_end", "End of the period (not included): the next renewal."),
  i.integer("period_number", "Which period of the subscription (1 is the first).", "i.period_index + 1"),
  i.text("status", "draft, open, paid, uncollectible or void."),
  i.text("subscription_id", "The subscription (sub_…)."),
  i.text("customer_id", "The customer (cus_…)."),
  i.text("customer_name", "The customer's name.", "c.name"),
  i.text("plan_name", "The subscription's plan.", "p.name"),
  i.currency(),
  i.total("amount", "What the period costs."),
  i.total("amount_paid", "The amount paid (0 unless paid).", "case when i.status = 'paid' then i.amount else 0 end"),
  i.count("attempts", "Charge attempts made (the first and every dunning retry).", "i.attempt_count"),
  i.local("first_failed", "When its first charge attempt failed (empty if none failed).", "i.first_failed_at"),
  i.local("next_attempt", "When the next retry is due (empty when none is).", "i.next_attempt_at"),
  ...i.instant("paid", "When it was paid."),
  i.text("recovered", "true when it was paid after a failed attempt (a dunning retry or a new card).", "(i.status = 'paid' and i.first_failed_at is not null)"),
  i.text("payment_id", "The payment (attempt) that paid it."),
  i.local("closed", "When it was closed (paid, uncollectible or void).", "i.closed_at"),
  i.local("created", "When the renewal created it, in the report's time zone.", "i.created_at"),
];

export const invoicesReport = periodReport(
  {
    id: "invoices",
    title: "Invoices",
    description: "One row per subscription invoice whose period starts in the period: amount, status, attempts, and the payment that paid it.",
    permissions: ["reports:export", "subscriptions:view"],
    columns,
    defaults: ["id", "period_start", "period_end", "period_number", "status", "subscription_id", "customer_name", "plan_name", "currency", "amount", "amount_paid", "attempts", "first_failed", "paid", "recovered", "payment_id"],
  },
  invoiceExportQuerySchema,
  {
    table: "invoices",
    alias: "i",
    joins: `join subscriptions s on s.merchant_id = i.merchant_id and s.id = i.subscription_id
      join plans p on p.merchant_id = s.merchant_id and p.id = s.plan_id
      join customers c on c.merchant_id = i.merchant_id and c.id = i.customer_id`,
    at: "period_start",
    equals: { status: "i.status", subscription: "i.subscription_id", customer: "i.customer_id" },
    currencySql: "i.currency",
  },
);
