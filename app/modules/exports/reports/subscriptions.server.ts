/**
 * Subscriptions, one record per subscription created in the period (all time by default),
 * with the Subscriptions list's status filter, newest first like the list. The mrr column
 * is the subscription's share of the Overview's MRR (the same SQL, monthlyAmountSql).
 */
import { z } from "zod";
import { SUBSCRIPTION_STATUSES } from "~/lib/vocabulary";
import { searchParamsToObject, single } from "~/modules/reporting/list-query.server";
import { monthlyAmountSql } from "~/modules/subscriptions/subscriptions.server";
import { sqlColumnsOf, type SqlColumn } from "../definition";
import { periodParams, periodReport } from "./report.server";

export const subscriptionExportQuerySchema = z.preprocess(
  searchParamsToObject,
  z.object({
    ...periodParams,
    status: single(z.enum(SUBSCRIPTION_STATUSES, { message: `Choose a status: ${SUBSCRIPTION_STATUSES.join(", ")}` })).optional(),
    customer: single(z.string().max(100)).optional(),
  }),
);

const s = sqlColumnsOf("s");
const columns: SqlColumn[] = [
  s.text("id", "Subscription id (sub_…)."),
  ...s.instant("created", "When the subscription was created, in the report's time zone."),
  s.text("status", "scheduled, trialing, active, past_due, paused, canceled or unpaid."),
  s.text("customer_id", "The customer (cus_…)."),
  s.text("customer_name", "The customer's name.", "c.name"),
  s.text("customer_email", "The customer's e-mail.", "c.email"),
  s.text("customer_reference", "The merchant's own reference for the customer.", "c.reference"),
  s.text("plan_id", "The plan (plan_…)."),
  s.text("plan_name", "The plan's name.", "p.name"),
  s.text("interval", "week, month or year."),
  s.integer("interval_count", "Every how many intervals it renews (3 months: a quarter)."),
  s.text("calendar", "persian (Jalali months) or gregory."),
  s.integer("quantity", "How many of the plan."),
  sqlColumnsOf("p").currency(),
  s.amount("amount", "What one period costs: the plan's amount × quantity.", "p.amount * s.quantity"),
  s.total("mrr", "Its monthly recurring revenue: the amount normalized to a month (a year ÷ 12, a week × 52 ÷ 12, N months ÷ N); 0 unless active or past_due.", monthlyAmountSql("s", "p")),
  s.local("start", "When it started (or starts), in the report's time zone.", "s.start_at"),
  s.local("trial_end", "When its trial ends (empty without a trial).", "s.trial_end_at"),
  s.local("current_period_start", "Start of the period last invoiced."),
  s.local("current_period_end", "End of that period (not included): the next renewal."),
  s.local("next_renewal", "When the next period's invoice is due (empty once it ended).", "s.next_renewal_at"),
  s.text("cancel_at_period_end", "true when it is canceled at the end of the current period."),
  s.local("canceled", "When it was canceled (or set to cancel at period end).", "s.canceled_at"),
  s.local("ended", "When it ended (churned).", "s.ended_at"),
  s.local("paused", "When it was paused (empty unless paused).", "s.paused_at"),
  s.count("invoices_paid", "How many of its invoices are paid.", "(select count(*) from invoices i where i.merchant_id = s.merchant_id and i.subscription_id = s.id and i.status = 'paid')"),
];

export const subscriptionsReport = periodReport(
  {
    id: "subscriptions",
    title: "Subscriptions",
    description: "One row per subscription created in the period, with its customer, plan, status, dates and monthly recurring revenue.",
    permissions: ["reports:export", "subscriptions:view"],
    columns,
    defaults: ["id", "created", "status", "customer_name", "customer_email", "plan_name", "interval", "interval_count", "quantity", "currency", "amount", "mrr", "start", "next_renewal", "ended"],
  },
  subscriptionExportQuerySchema,
  {
    table: "subscriptions",
    alias: "s",
    joins: `join plans p on p.merchant_id = s.merchant_id and p.id = s.plan_id
      join customers c on c.merchant_id = s.merchant_id and c.id = s.customer_id`,
    at: "created_at",
    equals: { status: "s.status", customer: "s.customer_id" },
    currencySql: "p.currency",
  },
);
