import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { DayInput } from "~/components/day-input";
import { RouteErrorBoundary } from "~/components/route-error";
import { BalanceSummary } from "~/components/console/balances";
import { BarBreakdown, TrendChart, usePointLabel, type TrendPoint } from "~/components/console/charts";
import { KpiCard, type KpiDelta } from "~/components/console/kpi";
import { pageTitle } from "~/components/console/meta";
import { StatusBadge } from "~/components/console/status-badge";
import { withParams } from "~/components/console/url";
import type { Granularity } from "~/lib/dates/buckets";
import type { MessageKey } from "~/lib/i18n/en";
import type { Formatter } from "~/lib/format";
import { listFieldError, rangePresetLabel } from "~/lib/i18n/messages";
import { useFormat, useI18n, useT } from "~/lib/i18n/react";
import { OVERVIEW_RANGES } from "~/lib/labels";
import { can, homePath } from "~/lib/permissions";
import consoleStyles from "~/styles/console.css";
import { requireContext } from "~/web/guard.server";
import { resolvePreferences } from "~/modules/i18n/preferences.server";
import { balanceOverview } from "~/modules/payouts/balances.server";
import { terminalOptions } from "~/modules/payments/list.server";
import { ListFilterError, listScope, parseListQuery } from "~/modules/reporting/list-query.server";
import {
  overviewQuerySchema,
  resolveOverviewRange,
  salesReport,
  type BreakdownRow,
  type KpiValue,
  type Totals,
} from "~/modules/reporting/overview.server";
import { recentRefunds } from "~/modules/refunds/list.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "overview.title");

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

function lastStartedBucket(buckets: { start: string }[], now: Date): number | null {
  let found: number | null = null;
  buckets.forEach((b, i) => {
    if (Date.parse(b.start) <= now.getTime()) found = i;
  });
  return found;
}

export async function loader({ request }: LoaderFunctionArgs) {
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
  const [report, balances, refunds, terminals] = await Promise.all([
    salesReport(scope, range),
    canPayouts ? balanceOverview(scope) : Promise.resolve(null),
    recentRefunds(scope, 5),
    terminalOptions(scope),
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
      balances,
      refunds: refunds.map((r) => (can(ctx.role, "cards:view") ? r : { ...r, cardLast4: null })),
      canPayments: can(ctx.role, "payments:view"),
      canCards: can(ctx.role, "cards:view"),
      canCharge: can(ctx.role, "terminal:charge"),
    },
    { status: Object.keys(errors).length ? 400 : 200, headers: { "Cache-Control": "private, no-store" } },
  );
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;

function presetLabel(t: ReturnType<typeof useT>, preset: string): string {
  switch (preset) {
    case "today":
      return t("dates.range.today");
    case "7d":
      return t("overview.range.days", { days: 7 });
    case "30d":
      return t("overview.range.days", { days: 30 });
    case "90d":
      return t("overview.range.days", { days: 90 });
    case "12m":
    case "year":
    case "last_year":
    case "mtd":
    case "jalali_month":
    case "last_jalali_month":
    case "jalali_ytd":
      return rangePresetLabel(t, preset);
    default:
      return t("dates.range.custom");
  }
}

// Persian readers close their books by Jalali month: the Gregorian month-to-date gives way to Jalali presets.
// "This year" and "Last year" are in the reader's calendar (Jalali for a Persian reader), so the Jalali year to date is "This year".
const GREGORIAN_PRESETS = OVERVIEW_RANGES.filter((r) => r !== "custom" && !r.includes("jalali"));
const JALALI_PRESETS = OVERVIEW_RANGES.filter((r) => r !== "custom" && r !== "mtd" && r !== "jalali_ytd");

function moneyDelta(fmt: Formatter, k: KpiValue, upIsGood = true): KpiDelta | null {
  if (k.change === null) return null;
  const change = BigInt(k.change as string);
  return {
    pct: fmt.percentChange(k.changePct),
    abs: fmt.money(change, { signDisplay: "exceptZero" }),
    direction: change > 0n ? "up" : change < 0n ? "down" : "flat",
    upIsGood,
  };
}

function countDelta(fmt: Formatter, k: KpiValue): KpiDelta | null {
  if (k.change === null) return null;
  const change = k.change as number;
  return {
    pct: fmt.percentChange(k.changePct),
    abs: `${change > 0 ? "+" : ""}${fmt.number(change)}`,
    direction: change > 0 ? "up" : change < 0 ? "down" : "flat",
    upIsGood: true,
  };
}

function rateDelta(fmt: Formatter, t: ReturnType<typeof useT>, k: KpiValue, upIsGood: boolean): KpiDelta | null {
  if (k.change === null) return null;
  const points = (k.change as number) * 100;
  const rounded = Math.round(points * 10) / 10;
  return {
    pct: fmt.percentChange(k.changePct),
    abs: t("kpi.points", { points: `${rounded > 0 ? "+" : ""}${fmt.number(rounded)}` }),
    direction: rounded > 0 ? "up" : rounded < 0 ? "down" : "flat",
    upIsGood,
  };
}

function RangeBar({ data }: { data: Data }) {
  const t = useT();
  const fmt = useFormat();
  const { prefs } = useI18n();
  const presets = prefs.calendar === "persian" ? JALALI_PRESETS : GREGORIAN_PRESETS;
  // The server's reasons are English and about ISO days; a Persian reader is told in Persian, in Jalali terms.
  const dayError = (field: "from" | "to") => listFieldError(t, fmt, field, data.errors[field]);
  const location = useLocation();
  const { range } = data;
  const hrefFor = (preset: string) => `${location.pathname}${withParams("", { range: preset === "30d" ? null : preset })}`;
  const gHref = (g: Granularity) => `${location.pathname}${withParams(location.search, { g })}`;
  return (
    <div className="range-bar">
      <nav className="seg" aria-label={t("overview.rangeLabel")}>
        {presets.map((r) => (
          <Link key={r} to={hrefFor(r)} aria-current={range.preset === r ? "true" : undefined} preventScrollReset>
            {presetLabel(t, r)}
          </Link>
        ))}
      </nav>
      <details className="menu" open={range.preset === "custom" || !!data.errors.from || !!data.errors.to}>
        <summary>{t("dates.range.custom")}</summary>
        <Form method="get" className="menu-panel" preventScrollReset>
          <div className="field">
            <label htmlFor="ov-from">{t("dates.from")}</label>
            <DayInput id="ov-from" name="from" defaultValue={range.preset === "custom" ? range.fromDay : ""} required invalid={!!data.errors.from} />
            {data.errors.from ? <p className="field-error">{dayError("from")}</p> : null}
          </div>
          <div className="field">
            <label htmlFor="ov-to">{t("dates.to")}</label>
            <DayInput id="ov-to" name="to" defaultValue={range.preset === "custom" ? range.toDay : ""} required invalid={!!data.errors.to} />
            {data.errors.to ? <p className="field-error">{dayError("to")}</p> : null}
          </div>
          <button type="submit" className="btn btn-primary">
            {t("common.apply")}
          </button>
        </Form>
      </details>
      {range.granularities.length > 1 ? (
        <nav className="seg" aria-label={t("overview.groupBy")}>
          {range.granularities.map((g) => (
            <Link key={g} to={gHref(g as Granularity)} aria-current={range.granularity === g ? "true" : undefined} preventScrollReset>
              {t(`overview.granularity.${g}` as MessageKey)}
            </Link>
          ))}
        </nav>
      ) : null}
    </div>
  );
}

/**
 * The chart's numbers as a table, behind "Show data". Its rows (a year of days is 365
 * rows, seven formatted cells each) are rendered when the reader opens it, not with
 * every page: they were 15% of the page's HTML and 6% of its server time, and a closed
 * <details> shows nobody its content (screen readers included). Without JavaScript the
 * charts are not drawn and this table is the trend: opening it shows a link that loads
 * the page with the table rendered by the server (`?table=1`).
 */
function TrendTable({ data, points }: { data: Data; points: TrendPoint[] }) {
  const t = useT();
  const location = useLocation();
  const fromServer = new URLSearchParams(location.search).get("table") === "1";
  const ref = useRef<HTMLDetailsElement>(null);
  const [open, setOpen] = useState(fromServer);
  // Opened before the page finished loading: the toggle event came before React listened.
  useEffect(() => setOpen((o) => o || (ref.current?.open ?? false)), []);
  return (
    <details className="chart-data" id="trend-data" ref={ref} open={fromServer || undefined} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{t("chart.showData")}</summary>
      {open ? (
        <TrendTableBody data={data} points={points} />
      ) : (
        <noscript>
          <a href={`${withParams(location.search, { table: "1" })}#trend-data`}>{t("chart.loadTable")}</a>
        </noscript>
      )}
    </details>
  );
}

function TrendTableBody({ data, points }: { data: Data; points: TrendPoint[] }) {
  const t = useT();
  const fmt = useFormat();
  const pointLabel = usePointLabel();
  return (
    <>
      <div className="table-wrap">
        <table className="table compact">
          <caption>{t("overview.chart.tableCaption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("dates.period")}</th>
              <th scope="col" className="num">
                {t("overview.chart.gross")}
              </th>
              <th scope="col" className="num">
                {t("overview.chart.net")}
              </th>
              <th scope="col" className="num">
                {t("overview.chart.refunds")}
              </th>
              <th scope="col" className="num">
                {t("overview.kpi.payments")}
              </th>
              <th scope="col">{t("dates.previousPeriod")}</th>
              <th scope="col" className="num">
                {t("overview.chart.previousGross")}
              </th>
            </tr>
          </thead>
          <tbody>
            {points.map((p, i) => (
              <tr key={i}>
                <th scope="row">{pointLabel(p)}</th>
                <td className="num">{fmt.money(p.exact.gross)}</td>
                <td className="num">{fmt.money(p.exact.net)}</td>
                <td className="num">{fmt.money(p.exact.refunds)}</td>
                <td className="num">{fmt.number(data.current.buckets[i]?.capturedCount ?? 0)}</td>
                <td>{p.exact.previousLabel ?? "–"}</td>
                <td className="num">{p.exact.previousGross !== null ? fmt.money(p.exact.previousGross) : "–"}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t("overview.total")}</th>
              <td className="num">{fmt.money(data.current.totals.gross)}</td>
              <td className="num">{fmt.money(data.current.totals.net)}</td>
              <td className="num">{fmt.money(data.current.totals.refunds)}</td>
              <td className="num">{fmt.number(data.current.totals.capturedCount)}</td>
              <td />
              <td className="num">{fmt.money(data.previous.totals.gross)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
    </>
  );
}

function Breakdown({ title, rows, label, total, id }: { title: string; rows: Data["breakdowns"]["terminal"]; label: (key: string) => string; total: string; id: string }) {
  const t = useT();
  const fmt = useFormat();
  const grossTotal = BigInt(total);
  const top = rows.slice(0, 8);
  return (
    <section className="card breakdown" aria-labelledby={`bd-${id}`}>
      <h3 id={`bd-${id}`}>{title}</h3>
      {rows.length === 0 ? (
        <p className="muted">{t("chart.noData")}</p>
      ) : (
        <div className="breakdown-body">
          <BarBreakdown data={top.map((r) => ({ label: label(r.key), value: fmt.chartValue(r.gross), exact: r.gross }))} />
          <div className="table-wrap">
            <table className="table compact">
              <caption className="visually-hidden">{title}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("overview.breakdown.name")}</th>
                  <th scope="col" className="num">
                    {t("overview.chart.gross")}
                  </th>
                  <th scope="col" className="num">
                    {t("overview.breakdown.share")}
                  </th>
                  <th scope="col" className="num">
                    {t("overview.breakdown.payments")}
                  </th>
                  <th scope="col" className="num">
                    {t("overview.breakdown.declined")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.key}>
                    <th scope="row">{label(r.key)}</th>
                    <td className="num">{fmt.money(r.gross)}</td>
                    <td className="num">{grossTotal > 0n ? fmt.percent(Number((BigInt(r.gross) * 10000n) / grossTotal) / 10000) : "–"}</td>
                    <td className="num">{fmt.number(r.capturedCount)}</td>
                    <td className="num">{r.attempts ? fmt.percent(r.declines / r.attempts) : "–"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </section>
  );
}

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
  // A hand-edited range or grouping (or one this range cannot chart), in the reader's language.
  const rangeError = (["g", "range"] as const).find((f) => data.errors[f]);

  return (
    <>
      <div className="page-header">
        <div>
          <h1>{t("overview.title")}</h1>
          <p>{t("dates.timesIn", { zone: fmt.zoneName() })}</p>
        </div>
      </div>
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
        <KpiCard
          testId="kpi-gross"
          label={t("overview.kpi.gross")}
          value={fmt.money(kpis.gross.current as string)}
          delta={moneyDelta(fmt, kpis.gross)}
          previous={data.comparable ? prevMoney(kpis.gross) : undefined}
          isNew={newText}
          {...sparkMoney(kpis.gross)}
        />
        <KpiCard
          testId="kpi-net"
          label={t("overview.kpi.net")}
          value={fmt.money(kpis.net.current as string)}
          sub={t("overview.kpi.netHint", { fees: fmt.money(cur.fees) })}
          delta={moneyDelta(fmt, kpis.net)}
          previous={data.comparable ? prevMoney(kpis.net) : undefined}
          isNew={newText}
          {...sparkMoney(kpis.net)}
        />
        <KpiCard
          testId="kpi-payments"
          label={t("overview.kpi.payments")}
          value={fmt.number(kpis.capturedCount.current as number)}
          delta={countDelta(fmt, kpis.capturedCount)}
          previous={data.comparable ? fmt.number((kpis.capturedCount.previous as number | null) ?? 0) : undefined}
          isNew={newText}
          {...sparkNum(kpis.capturedCount)}
        />
        <KpiCard
          testId="kpi-average"
          label={t("overview.kpi.averageTicket")}
          value={kpis.averageTicket.current === null ? "–" : fmt.money(kpis.averageTicket.current as string)}
          delta={moneyDelta(fmt, kpis.averageTicket)}
          previous={data.comparable ? prevMoney(kpis.averageTicket) : undefined}
          isNew={newText}
          {...sparkMoney(kpis.averageTicket)}
        />
        <KpiCard
          testId="kpi-refunds"
          label={t("overview.kpi.refunds")}
          value={fmt.money(kpis.refunds.current as string)}
          sub={t("overview.kpi.refundRate", { rate: fmt.percent(kpis.refundRate.current as number | null), count: cur.refundCount })}
          delta={moneyDelta(fmt, kpis.refunds, false)}
          previous={data.comparable ? `${prevMoney(kpis.refunds)} · ${prevRate(kpis.refundRate)}` : undefined}
          isNew={newText}
          {...sparkMoney(kpis.refunds)}
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

      <section className="card section" aria-labelledby="trend-h">
        <div className="section-header">
          <h2 id="trend-h">{t("overview.chart.title")}</h2>
          <span className="muted">
            {t("overview.chart.hint")}
            {range.inProgress !== null ? ` · ${t("overview.chart.hintSoFar")}` : null}
          </span>
        </div>
        <TrendChart data={points} />
        <TrendTable data={data} points={points} />
      </section>

      <h2 className="section">{t("overview.breakdowns")}</h2>
      <div className="breakdowns">
        <Breakdown id="terminal" title={t("overview.breakdown.terminal")} rows={data.breakdowns.terminal} label={(k) => (data.linkTerminals.includes(k) ? t("links.title") : (data.terminals[k] ?? k))} total={cur.gross} />
        <Breakdown id="brand" title={t("overview.breakdown.brand")} rows={data.breakdowns.brand} label={(k) => t(`cardBrand.${k}` as MessageKey)} total={cur.gross} />
        <Breakdown id="bank" title={t("overview.breakdown.bank")} rows={data.breakdowns.bank} label={(k) => fmt.bankName(k)} total={cur.gross} />
        <Breakdown id="funding" title={t("overview.breakdown.funding")} rows={data.breakdowns.funding} label={(k) => t(`cardFunding.${k}` as MessageKey)} total={cur.gross} />
      </div>

      <div className="grid grid-2 grid-2-wide section">
        {data.balances ? (
          <section className="card" aria-labelledby="balances-h">
            <div className="section-header">
              <h2 id="balances-h">{t("balances.title")}</h2>
              <Link to="/payouts">{t("overview.allPayouts")}</Link>
            </div>
            <BalanceSummary data={data.balances} />
          </section>
        ) : null}
        <section className="card" aria-labelledby="recent-refunds-h">
          <div className="section-header">
            <h2 id="recent-refunds-h">{t("overview.recentRefunds")}</h2>
            {data.canPayments ? <Link to="/refunds">{t("overview.allRefunds")}</Link> : null}
          </div>
          {data.refunds.length === 0 ? (
            <p className="muted">{t("refunds.empty")}</p>
          ) : (
            <div className="table-wrap">
              <table className="table compact">
                <caption className="visually-hidden">{t("overview.recentRefunds")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("common.date")}</th>
                    <th scope="col" className="num">
                      {t("common.amount")}
                    </th>
                    <th scope="col">{t("common.status")}</th>
                    <th scope="col">{t("refunds.col.payment")}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.refunds.map((r) => (
                    <tr key={r.id}>
                      <td>{fmt.dateTime(r.createdAt)}</td>
                      <td className="num">{fmt.money(r.amount, r.currency)}</td>
                      <td>
                        <StatusBadge kind="refundStatus" status={r.status} />
                      </td>
                      <td>
                        {data.canPayments ? (
                          <Link to={`/payments/${r.paymentId}`} className="nowrap">{r.cardLast4 ? t("card.masked", { last4: fmt.digits(r.cardLast4) }) : <span className="mono">{r.paymentId}</span>}</Link>
                        ) : (
                          <span className="mono">{r.paymentId}</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
