/**
 * The Overview: key figures with the previous period beside them, the sales trend,
 * breakdowns, balances and recent refunds. Data: ~/web/overview.server.ts; the range bar,
 * trend table and breakdowns are the files beside this one.
 */
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { RouteErrorBoundary } from "~/components/route-error";
import { BalanceSummary } from "~/components/console/balances";
import { TrendChart, type TrendPoint } from "~/components/console/charts";
import { KpiCard } from "~/components/console/kpi";
import { pageTitle } from "~/components/console/meta";
import { RefundsTable } from "~/components/console/refunds-table";
import type { Granularity } from "~/lib/dates/buckets";
import type { MessageKey } from "~/lib/i18n/en";
import { listFieldError, clauseSeparator, joinClauses } from "~/lib/i18n/messages";
import { useFormat, useT } from "~/lib/i18n/react";
import consoleStyles from "~/styles/console.css";
import type { KpiValue } from "~/modules/reporting/overview/kpis";
import { overviewPage } from "~/web/overview.server";
import { Breakdown } from "./breakdown";
import { countDelta, moneyDelta, rateDelta } from "./deltas";
import { RangeBar } from "./range-bar";
import { SubscriptionFigures } from "./subscriptions";
import { TrendTable } from "./trend";
import { Card, PageHeader } from "~/components/page";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "overview.title");

export const loader = ({ request }: LoaderFunctionArgs) => overviewPage(request);

export default function OverviewPage() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const fmt = useFormat();
  const { kpis, range } = data;
  const g = range.granularity as Granularity;
  const points: TrendPoint[] = data.current.buckets.map((b, i) => {
    const prev = data.previous.buckets[i];
    return {
      label: fmt.bucket(b.start, g),
      gross: fmt.chartValue(b.gross),
      net: fmt.chartValue(b.net),
      refunds: fmt.chartValue(b.refunds),
      previousGross: prev ? fmt.chartValue(prev.gross) : null,
      exact: {
        gross: b.gross,
        net: b.net,
        refunds: b.refunds,
        previousGross: prev ? prev.gross : null,
        previousLabel: prev ? fmt.bucket(prev.start, g) : null,
      },
      soFar: i === range.inProgress,
      upcoming: range.inProgress !== null && i > range.inProgress,
    };
  });
  // Up to the period still filling (later ones have not begun), which the card draws dotted.
  const sparkEnd = range.inProgress === null ? undefined : range.inProgress + 1;
  const sparkSoFar = range.inProgress !== null;
  const sparkMoney = (k: KpiValue) => ({ spark: k.spark.slice(0, sparkEnd).map((v) => (v === null ? null : fmt.chartValue(v as string))), sparkSoFar });
  const sparkNum = (k: KpiValue) => ({ spark: k.spark.slice(0, sparkEnd).map((v) => (v === null ? null : Number(v))), sparkSoFar });
  const cur = data.current.totals;
  const empty = cur.attempts === 0 && cur.gross === "0" && cur.refunds === "0";
  const periodText = !data.comparable
    ? t("overview.periodAlone", { from: fmt.day(range.fromDay), to: fmt.day(range.toDay) })
    : t("overview.period", {
    from: fmt.day(range.fromDay),
    to: fmt.day(range.toDay),
    prevFrom: fmt.day(range.previousFromDay),
    prevTo: fmt.day(range.previousToDay),
  });
  const prevMoney = (k: KpiValue) => (k.previous === null ? "–" : fmt.money(k.previous as string));
  const prevRate = (k: KpiValue) => fmt.percent(k.previous as number | null);
  // No change against a period that began before the merchant's first sale: "New" instead.
  const newText = data.comparable ? undefined : data.firstDay ? t("kpi.newSince", { day: fmt.day(data.firstDay) }) : t("kpi.noHistory");
  // An amount's card: its value ("–" for no average yet), change, previous period and sparkline.
  const moneyKpi = (k: KpiValue, upIsGood = true) => ({
    value: k.current === null ? "–" : fmt.money(k.current as string),
    delta: moneyDelta(fmt, k, upIsGood),
    previous: data.comparable ? prevMoney(k) : undefined,
    isNew: newText,
    ...sparkMoney(k),
  });
  // A hand-edited range or grouping (or one this range cannot chart), in the reader's language.
  const rangeError = (["g", "range"] as const).find((f) => data.errors[f]);

  return (
    <>
      <PageHeader title={t("overview.title")} intro={t("dates.timesIn", { zone: fmt.zoneName() })} />
      <RangeBar data={data} />
      {rangeError ? (
        <p className="error-box" role="alert">
          {listFieldError(t, fmt, rangeError, data.errors[rangeError])}
        </p>
      ) : null}
      <p className="muted" data-testid="overview-period">
        {periodText}
      </p>

      <section className="kpi-grid console-kpis" aria-label={t("overview.keyFigures")}>
        <KpiCard testId="kpi-gross" label={t("overview.kpi.gross")} {...moneyKpi(kpis.gross)} />
        <KpiCard testId="kpi-net" label={t("overview.kpi.net")} sub={t("overview.kpi.netHint", { fees: fmt.money(cur.fees) })} {...moneyKpi(kpis.net)} />
        <KpiCard
          testId="kpi-payments"
          label={t("overview.kpi.payments")}
          value={fmt.number(kpis.capturedCount.current as number)}
          delta={countDelta(fmt, kpis.capturedCount)}
          previous={data.comparable ? fmt.number((kpis.capturedCount.previous as number | null) ?? 0) : undefined}
          isNew={newText}
          {...sparkNum(kpis.capturedCount)}
        />
        <KpiCard testId="kpi-average" label={t("overview.kpi.averageTicket")} {...moneyKpi(kpis.averageTicket)} />
        <KpiCard
          testId="kpi-refunds"
          label={t("overview.kpi.refunds")}
          sub={t("overview.kpi.refundRate", { rate: fmt.percent(kpis.refundRate.current as number | null), count: cur.refundCount })}
          {...moneyKpi(kpis.refunds, false)}
          previous={data.comparable ? joinClauses(t, [prevMoney(kpis.refunds), prevRate(kpis.refundRate)]) : undefined}
        />
        <KpiCard
          testId="kpi-declines"
          label={t("overview.kpi.declineRate")}
          value={fmt.percent(kpis.declineRate.current as number | null)}
          sub={t("overview.kpi.declinesOf", { declines: cur.declines, attempts: cur.attempts })}
          delta={rateDelta(fmt, t, kpis.declineRate, false)}
          previous={data.comparable ? prevRate(kpis.declineRate) : undefined}
          isNew={newText}
          {...sparkNum(kpis.declineRate)}
        />
      </section>

      <SubscriptionFigures data={data} />

      {empty ? (
        <section className="card empty-state">
          <p>{t("overview.empty")}</p>
          <p className="inline-actions" style={{ justifyContent: "center" }}>
            {data.canCharge ? (
              <Link to="/terminal" className="btn btn-primary">
                {t("payments.takePayment")}
              </Link>
            ) : null}
            <Link to="?range=90d" className="btn">
              {t("overview.tryLonger")}
            </Link>
          </p>
        </section>
      ) : null}

      <Card
        headingId="trend-h"
        title={t("overview.chart.title")}
        className="section"
        aside={
          <span className="muted">
            {t("overview.chart.hint")}
            {range.inProgress !== null ? `${clauseSeparator(t)}${t("overview.chart.hintSoFar")}` : null}
          </span>
        }
      >
        <TrendChart data={points} />
        <TrendTable data={data} points={points} />
      </Card>

      <h2 className="section">{t("overview.breakdowns")}</h2>
      <div className="breakdowns">
        <Breakdown id="terminal" title={t("overview.breakdown.terminal")} rows={data.breakdowns.terminal} label={(k) => (data.linkTerminals.includes(k) ? t("links.title") : (data.terminals[k] ?? k))} total={cur.gross} />
        <Breakdown id="brand" title={t("overview.breakdown.brand")} rows={data.breakdowns.brand} label={(k) => t(`cardBrand.${k}` as MessageKey)} total={cur.gross} />
        <Breakdown id="bank" title={t("overview.breakdown.bank")} rows={data.breakdowns.bank} label={(k) => fmt.bankName(k)} total={cur.gross} />
        <Breakdown id="funding" title={t("overview.breakdown.funding")} rows={data.breakdowns.funding} label={(k) => t(`cardFunding.${k}` as MessageKey)} total={cur.gross} />
      </div>

      <div className="grid grid-2 grid-2-wide section">
        {data.balances ? (
          <Card headingId="balances-h" title={t("balances.title")} aside={<Link to="/payouts">{t("overview.allPayouts")}</Link>}>
            <BalanceSummary data={data.balances} />
          </Card>
        ) : null}
        <Card headingId="recent-refunds-h" title={t("overview.recentRefunds")} aside={data.canPayments ? <Link to="/refunds">{t("overview.allRefunds")}</Link> : null}>
          {data.refunds.length === 0 ? (
            <p className="muted">{t("refunds.empty")}</p>
          ) : (
            <RefundsTable
              caption={t("overview.recentRefunds")}
              refunds={data.refunds}
              currency={(r) => r.currency}
              more={{
                columns: [t("refunds.col.payment")],
                cells: (r) => (
                  <td>
                    {data.canPayments ? (
                      <Link to={`/payments/${r.paymentId}`} className="nowrap">{r.cardLast4 ? t("card.masked", { last4: fmt.digits(r.cardLast4) }) : <span className="mono truncate id-short" title={r.paymentId}>{r.paymentId}</span>}</Link>
                    ) : (
                      <span className="mono truncate id-short" title={r.paymentId}>{r.paymentId}</span>
                    )}
                  </td>
                ),
              }}
            />
          )}
        </Card>
      </div>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
