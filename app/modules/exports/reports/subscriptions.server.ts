/**
 * Subscriptions, one record per subscription created in the period (all time by default),
 * with the Subscriptions list's status filter, newest first like the list. The mrr column
 * is the subscription's share of the Overview's MRR (the same SQL, monthlyAmountSql).
 */
import { sql } from "drizzle-orm";
import { z } from "zod";
import { SUBSCRIPTION_STATUSES } from "~/lib/vocabulary";
import { resolveListRange, searchParamsToObject, single, strictListQuery } from "~/modules/reporting/list-query.server";
import { monthlyAmountSql } from "~/modules/subscriptions/subscriptions.server";
import { instant, type SqlColumn } from "../definition";
import { inPeriod, periodAbout, periodParams, sqlRun, type SqlReport, type SqlSource } from "./report.server";

export const subscriptionExportQuerySchema = z.preprocess(
  searchParamsToObject,
  z.object({
    ...periodParams,
    status: single(z.enum(SUBSCRIPTION_STATUSES, { message: `Choose a status: ${SUBSCRIPTION_STATUSES.join(", ")}` })).optional(),
    customer: single(z.string().max(100)).optional(),
  }),
);

const columns: SqlColumn[] = [
  { key: "id", kind: "text", doc: "Subscription id (sub_…).", sql: "s.id" },
  ...instant("created", "When the subscription was created, in the report's time zone.", "s.created_at"),
  { key: "status", kind: "text", doc: "scheduled, trialing, active, past_due, paused, canceled or unpaid.", sql: "s.status" },
  { key: "customer_id", kind: "text", doc: "The customer (cus_…).", sql: "s.customer_id" },
  { key: "customer_name", kind: "text", doc: "The customer's name.", sql: "c.name" },
  { key: "customer_email", kind: "text", doc: "The customer's e-mail.", sql: "c.email" },
  { key: "customer_reference", kind: "text", doc: "The merchant's own reference for the customer.", sql: "c.reference" },
  { key: "plan_id", kind: "text", doc: "The plan (plan_…).", sql: "s.plan_id" },
  { key: "plan_name", kind: "text", doc: "The plan's name.", sql: "p.name" },
  { key: "interval", kind: "text", doc: "week, month or year.", sql: "s.interval" },
  { key: "interval_count", kind: "integer", doc: "Every how many intervals it renews (3 months: a quarter).", sql: "s.interval_count" },
  { key: "calendar", kind: "text", doc: "persian (Jalali months) or gregory.", sql: "s.calendar" },
  { key: "quantity", kind: "integer", doc: "How many of the plan.", sql: "s.quantity" },
  { key: "currency", kind: "text", doc: "ISO 4217 code.", sql: "p.currency" },
  { key: "amount", kind: "amount", doc: "What one period costs: the plan's amount × quantity.", sql: "p.amount * s.quantity" },
  { key: "mrr", kind: "amount", total: true, doc: "Its monthly recurring revenue: the amount normalized to a month (a year ÷ 12, a week × 52 ÷ 12, N months ÷ N); 0 unless active or past_due.", sql: monthlyAmountSql("s", "p") },
  { key: "start", kind: "local", doc: "When it started (or starts), in the report's time zone.", sql: "s.start_at" },
  { key: "trial_end", kind: "local", doc: "When its trial ends (empty without a trial).", sql: "s.trial_end_at" },
  { key: "current_period_start", kind: "local", doc: "Start of the period last invoiced.", sql: "s.current_period_start" },
  { key: "current_period_end", kind: "local", doc: "End of that period (not included): the next renewal.", sql: "s.current_period_end" },
  { key: "next_renewal", kind: "local", doc: "When the next period's invoice is due (empty once it ended).", sql: "s.next_renewal_at" },
  { key: "cancel_at_period_end", kind: "text", doc: "true when it is canceled at the end of the current period.", sql: "s.cancel_at_period_end" },
  { key: "canceled", kind: "local", doc: "When it was canceled (or set to cancel at period end).", sql: "s.canceled_at" },
  { key: "ended", kind: "local", doc: "When it ended (churned).", sql: "s.ended_at" },
  { key: "paused", kind: "local", doc: "When it was paused (empty unless paused).", sql: "s.paused_at" },
  { key: "invoices_paid", kind: "integer", total: true, doc: "How many of its invoices are paid.", sql: "(select count(*) from invoices i where i.merchant_id = s.merchant_id and i.subscription_id = s.id and i.status = 'paid')" },
];

export const subscriptionsReport: SqlReport = {
  id: "subscriptions",
  title: "Subscriptions",
  description: "One row per subscription created in the period, with its customer, plan, status, dates and monthly recurring revenue.",
  permissions: ["reports:export", "subscriptions:view"],
  columns,
  defaults: ["id", "created", "status", "customer_name", "customer_email", "plan_name", "interval", "interval_count", "quantity", "currency", "amount", "mrr", "start", "next_renewal", "ended"],
  currencySql: "p.currency",
  prepare(scope, params, now) {
    const filter = strictListQuery(subscriptionExportQuerySchema, params);
    const period = resolveListRange(scope.timeZone, filter, now);
    const conds = [sql`s.merchant_id = ${scope.merchantId}`, ...inPeriod(sql`s.created_at`, period)];
    if (filter.status) conds.push(sql`s.status = ${filter.status}`);
    if (filter.customer) conds.push(sql`s.customer_id = ${filter.customer}`);
    const where = sql.join(conds, sql` and `);
    const source: SqlSource = {
      from: sql`subscriptions s
        join plans p on p.merchant_id = s.merchant_id and p.id = s.plan_id
        join customers c on c.merchant_id = s.merchant_id and c.id = s.customer_id`,
      where,
      sort: { expr: sql`s.created_at`, type: "timestamptz", desc: true, id: sql`s.id` },
    };
    return sqlRun({ ...periodAbout(period, scope.timeZone), filters: filter }, source, sql`subscriptions s`, "p.currency");
  },
};
