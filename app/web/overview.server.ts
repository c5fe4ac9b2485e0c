/**
 * The Overview's web edge: reads the range from the URL (a bad one is named, and the
 * default range shown instead), checks the reader may see the Overview (support staff
 * land on their own home), calls the reporting domain and shapes its figures as JSON
 * (bigints as decimal strings).
 */
import { json, redirect } from "@remix-run/node";
import type { SerializeFrom } from "@remix-run/node";
import { can, homePath } from "~/lib/permissions";
import { requireContext } from "~/web/guard.server";
import { resolvePreferences } from "~/modules/i18n/preferences.server";
import { balanceOverview } from "~/modules/settlements/balances.server";
import { terminalOptions } from "~/modules/payments/list.server";
import { ListFilterError, listScope, parseListQuery } from "~/modules/reporting/list-query.server";
import { overviewQuerySchema, resolveOverviewRange } from "~/modules/reporting/overview/range.server";
import { salesReport } from "~/modules/reporting/overview/report.server";
import { subscriptionFigures, type SubscriptionPeriodFigures } from "~/modules/reporting/overview/subscriptions.server";
import type { BreakdownRow } from "~/modules/reporting/overview/breakdowns.server";
import type { Totals } from "~/modules/reporting/overview/figures.server";
import { recentRefunds } from "~/modules/refunds/list.server";

function totalsJson(t: Totals) {
  return {
    gross: t.gross.toString(),
    fees: t.fees.toString(),
    refunds: t.refunds.toString(),
    net: t.net.toString(),
    capturedCount: t.capturedCount,
    attempts: t.attempts,
    declines: t.declines,
    refundCount: t.refundCount,
  };
}

function breakdownJson(rows: BreakdownRow[]) {
  return rows.map((r) => ({
    key: r.key,
    gross: r.gross.toString(),
    capturedCount: r.capturedCount,
    attempts: r.attempts,
    declines: r.declines,
    refunds: r.refunds.toString(),
  }));
}

function subscriptionPeriodJson(p: SubscriptionPeriodFigures) {
  return { newCount: p.newCount, churnedCount: p.churnedCount, failedRenewals: p.failedRenewals, recoveredCount: p.recoveredCount, recoveredAmount: p.recoveredAmount.toString() };
}

function lastStartedBucket(buckets: { start: string }[], now: Date): number | null {
  let found: number | null = null;
  buckets.forEach((b, i) => {
    if (Date.parse(b.start) <= now.getTime()) found = i;
  });
  return found;
}

/** The Overview page's data: the reader's range, figures, breakdowns, balances and recent refunds. */
export async function overviewPage(request: Request) {
  const signedIn = await requireContext(request);
  // Support staff land here after signing in; their day starts on the payments list.
  if (!can(signedIn.role, "overview:view")) throw redirect(homePath(signedIn.role));
  // The permission is checked just above: resolving the session again would cost four more queries.
  const ctx = signedIn;
  const scope = listScope(ctx);
  const { query, errors } = parseListQuery(overviewQuerySchema, new URL(request.url).searchParams);
  const now = new Date();
  // A Persian reader's weeks start on Saturday and their months are Jalali.
  const { calendar } = resolvePreferences(ctx);
  let range;
  try {
    range = resolveOverviewRange(ctx.merchant.timeZone, query, now, { calendar });
  } catch (e) {
    if (!(e instanceof ListFilterError)) throw e;
    errors[e.field] = e.message;
    range = resolveOverviewRange(ctx.merchant.timeZone, { range: "30d" }, now, { calendar });
  }
  const canPayouts = can(ctx.role, "payouts:view");
  const [report, balances, refunds, terminals, subs] = await Promise.all([
    salesReport(scope, range),
    canPayouts ? balanceOverview(scope) : Promise.resolve(null),
    recentRefunds(scope, 5),
    terminalOptions(scope),
    can(ctx.role, "subscriptions:view") ? subscriptionFigures(scope, range) : Promise.resolve(null),
  ]);
  return json(
    {
      query,
      errors,
      range: {
        preset: range.preset,
        calendar: range.calendar,
        fromDay: range.fromDay,
        toDay: range.toDay,
        previousFromDay: range.previousFromDay,
        previousToDay: range.previousToDay,
        days: range.days,
        granularity: range.granularity,
        granularities: range.granularities,
        // The bucket the present falls in (still filling), when the range has not ended:
        // decided here so that the server's render and the browser's agree.
        inProgress: now < range.to ? lastStartedBucket(report.current.buckets, now) : null,
      },
      // Per bucket only what the chart and its table show (the page's data travels twice: as
      // JSON and again inside the HTML; the KPI cards read the totals).
      current: {
        totals: totalsJson(report.current.totals),
        buckets: report.current.buckets.map((b) => ({
          start: b.start,
          gross: b.gross.toString(),
          net: b.net.toString(),
          refunds: b.refunds.toString(),
          capturedCount: b.capturedCount,
        })),
      },
      previous: {
        totals: totalsJson(report.previous.totals),
        buckets: report.previous.buckets.map((b) => ({ start: b.start, gross: b.gross.toString() })),
      },
      kpis: report.kpis,
      comparable: report.comparable,
      firstDay: report.firstDay,
      breakdowns: {
        terminal: breakdownJson(report.breakdowns.terminal),
        brand: breakdownJson(report.breakdowns.brand),
        bank: breakdownJson(report.breakdowns.bank),
        funding: breakdownJson(report.breakdowns.funding),
      },
      terminals: Object.fromEntries(terminals.map((x) => [x.id, x.name])),
      /** Payment links are one terminal of their own, named in the reader's language. */
      linkTerminals: terminals.filter((x) => x.kind === "link").map((x) => x.id),
      // Only for merchants with a plan: MRR and active now, the rest over the range and the previous period.
      subscriptions: subs
        ? {
            mrr: subs.mrr.toString(),
            active: subs.active,
            pastDue: subs.pastDue,
            trialing: subs.trialing,
            current: subscriptionPeriodJson(subs.current),
            previous: subscriptionPeriodJson(subs.previous),
          }
        : null,
      balances,
      refunds: refunds.map((r) => (can(ctx.role, "cards:view") ? r : { ...r, cardLast4: null })),
      canPayments: can(ctx.role, "payments:view"),
      canCards: can(ctx.role, "cards:view"),
      canCharge: can(ctx.role, "terminal:charge"),
    },
    { status: Object.keys(errors).length ? 400 : 200, headers: { "Cache-Control": "private, no-store" } },
  );
}

export type OverviewData = SerializeFrom<typeof overviewPage>;
