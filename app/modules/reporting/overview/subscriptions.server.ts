/**
 * The Overview's subscription figures (shown only to merchants who have a plan).
 *
 * Rules, each defined here once:
 * - **MRR** (monthly recurring revenue, now): every subscription that is renewing and being
 *   charged (status active or past_due) counts its plan's amount × quantity, normalized to a
 *   month by monthlyAmountSql (subscriptions.server.ts, the JS twin monthlyAmount): a month 1/N for every N months, a year
 *   1/12 (1/(12·N) for every N years), a week 52/12 (52/(12·N)), each subscription rounded
 *   down to whole minor units. Trials (trialing), paused, scheduled (not started), unpaid
 *   and canceled subscriptions count nothing. Plans of another currency than the merchant's
 *   are left out (a plan is always in the merchant's currency today). IRR is rial, shown
 *   in toman where the reader chose toman.
 * - **Active subscriptions** (now): the same set (active + past_due); past_due is also given
 *   on its own.
 * - In the selected range [from, to) (the merchant's zone, the reader's calendar):
 *   **new**: subscriptions whose start_at falls in it (trials included);
 *   **churned**: subscriptions that ended in it (canceled, ended_at in it; an unpaid one is
 *   not churned until it is canceled);
 *   **failed renewals**: invoices whose first charge attempt failed in it (first_failed_at);
 *   **recovered by retries**: invoices paid in it (paid_at) after a failed attempt, by a
 *   dunning retry or a new card: their count and amount.
 */
import { sql } from "drizzle-orm";
import { replicaDb, rows } from "~db/client.server";
import type { ListScope } from "~/modules/reporting/list-query.server";
import { monthlyAmountSql } from "~/modules/subscriptions/subscriptions.server";

export interface SubscriptionPeriodFigures {
  newCount: number;
  churnedCount: number;
  failedRenewals: number;
  recoveredCount: number;
  recoveredAmount: bigint;
}

export interface SubscriptionFigures {
  mrr: bigint;
  active: number;
  pastDue: number;
  trialing: number;
  current: SubscriptionPeriodFigures;
  previous: SubscriptionPeriodFigures;
}

/** Whether the merchant has any plan (the Overview shows subscription figures only then). */
export async function hasPlans(scope: ListScope): Promise<boolean> {
  const r = await rows<{ x: boolean }>(replicaDb(), sql`select exists (select 1 from plans where merchant_id = ${scope.merchantId}) as x`);
  return r[0]?.x === true;
}

/** MRR and the counts of subscriptions by status, as they are now. */
export async function subscriptionsNow(scope: ListScope): Promise<Pick<SubscriptionFigures, "mrr" | "active" | "pastDue" | "trialing">> {
  const [r] = await rows<{ mrr: string; active: number; past_due: number; trialing: number }>(
    replicaDb(),
    sql`select coalesce(sum(${sql.raw(monthlyAmountSql("s", "p"))}), 0)::text as mrr,
          count(*) filter (where s.status in ('active', 'past_due'))::int as active,
          count(*) filter (where s.status = 'past_due')::int as past_due,
          count(*) filter (where s.status = 'trialing')::int as trialing
        from subscriptions s
        join plans p on p.merchant_id = s.merchant_id and p.id = s.plan_id
        where s.merchant_id = ${scope.merchantId} and s.status in ('active', 'past_due', 'trialing') and p.currency = ${scope.currency}`,
  );
  return { mrr: BigInt(r?.mrr ?? "0"), active: r?.active ?? 0, pastDue: r?.past_due ?? 0, trialing: r?.trialing ?? 0 };
}

/** New, churned, failed and recovered in [from, to). */
export async function subscriptionPeriod(scope: ListScope, from: Date, to: Date): Promise<SubscriptionPeriodFigures> {
  const f = from.toISOString();
  const t = to.toISOString();
  const m = scope.merchantId;
  const [r] = await rows<{ new_count: number; churned: number; failed: number; recovered: number; recovered_amount: string }>(
    replicaDb(),
    sql`select
          (select count(*)::int from subscriptions where merchant_id = ${m} and start_at >= ${f}::timestamptz and start_at < ${t}::timestamptz) as new_count,
          (select count(*)::int from subscriptions where merchant_id = ${m} and status = 'canceled' and ended_at >= ${f}::timestamptz and ended_at < ${t}::timestamptz) as churned,
          (select count(*)::int from invoices where merchant_id = ${m} and first_failed_at >= ${f}::timestamptz and first_failed_at < ${t}::timestamptz) as failed,
          (select count(*)::int from invoices where merchant_id = ${m} and status = 'paid' and first_failed_at is not null
             and paid_at >= ${f}::timestamptz and paid_at < ${t}::timestamptz and currency = ${scope.currency}) as recovered,
          (select coalesce(sum(amount), 0)::text from invoices where merchant_id = ${m} and status = 'paid' and first_failed_at is not null
             and paid_at >= ${f}::timestamptz and paid_at < ${t}::timestamptz and currency = ${scope.currency}) as recovered_amount`,
  );
  return {
    newCount: r?.new_count ?? 0,
    churnedCount: r?.churned ?? 0,
    failedRenewals: r?.failed ?? 0,
    recoveredCount: r?.recovered ?? 0,
    recoveredAmount: BigInt(r?.recovered_amount ?? "0"),
  };
}

/** The Overview's subscription figures for a range and the previous period, or null when the merchant has no plan. */
export async function subscriptionFigures(
  scope: ListScope,
  range: { from: Date; to: Date; previousFrom: Date; previousTo: Date },
): Promise<SubscriptionFigures | null> {
  if (!(await hasPlans(scope))) return null;
  const [now, current, previous] = await Promise.all([
    subscriptionsNow(scope),
    subscriptionPeriod(scope, range.from, range.to),
    subscriptionPeriod(scope, range.previousFrom, range.previousTo),
  ]);
  return { ...now, current, previous };
}
