/**
 * The Overview's subscription figures (merchants with a plan): MRR and active subscriptions
 * now; new, churned, failed renewals and revenue recovered by retries in the range, each
 * with the previous period beside it. Rules: ~/modules/reporting/overview/subscriptions.server.ts.
 */
import { Link } from "@remix-run/react";
import { KpiCard, type KpiDelta } from "~/components/console/kpi";
import { useFormat, useT } from "~/lib/i18n/react";
import type { OverviewData } from "~/web/overview.server";

function change(fmt: ReturnType<typeof useFormat>, cur: number, prev: number, upIsGood: boolean): KpiDelta {
  const d = cur - prev;
  return {
    pct: fmt.percentChange(prev === 0 ? null : (d / prev) * 100),
    abs: `${d > 0 ? "+" : ""}${fmt.number(d)}`,
    direction: d > 0 ? "up" : d < 0 ? "down" : "flat",
    upIsGood,
  };
}

export function SubscriptionFigures({ data }: { data: OverviewData }) {
  const t = useT();
  const fmt = useFormat();
  const s = data.subscriptions;
  if (!s) return null;
  const cur = s.current;
  const prev = s.previous;
  const comparable = data.comparable;
  // A count of the period: its value, and its change against the previous one (up is good or bad).
  const count = (key: "newCount" | "churnedCount" | "failedRenewals", upIsGood: boolean) => ({
    value: fmt.number(cur[key]),
    delta: comparable ? change(fmt, cur[key], prev[key], upIsGood) : null,
    previous: comparable ? fmt.number(prev[key]) : undefined,
  });
  return (
    <section className="section" aria-labelledby="subs-figures-h" data-testid="overview-subscriptions">
      <div className="section-header">
        <h2 id="subs-figures-h">{t("overview.subs.title")}</h2>
        <Link to="/subscriptions">{t("overview.subs.all")}</Link>
      </div>
      <div className="kpi-grid console-kpis">
        <KpiCard testId="kpi-mrr" label={t("overview.subs.mrr")} value={fmt.money(s.mrr)} sub={t("overview.subs.mrrHint")} />
        <KpiCard
          testId="kpi-subs-active"
          label={t("overview.subs.active")}
          value={fmt.number(s.active)}
          sub={t("overview.subs.activeHint", { pastDue: s.pastDue, trialing: s.trialing })}
        />
        <KpiCard testId="kpi-subs-new" label={t("overview.subs.new")} {...count("newCount", true)} />
        <KpiCard testId="kpi-subs-churned" label={t("overview.subs.churned")} {...count("churnedCount", false)} />
        <KpiCard testId="kpi-subs-failed" label={t("overview.subs.failed")} sub={t("overview.subs.failedHint")} {...count("failedRenewals", false)} />
        <KpiCard
          testId="kpi-subs-recovered"
          label={t("overview.subs.recovered")}
          value={fmt.money(cur.recoveredAmount)}
          sub={t("overview.subs.recoveredHint", { count: cur.recoveredCount })}
          previous={comparable ? fmt.money(prev.recoveredAmount) : undefined}
        />
      </div>
    </section>
  );
}
