/**
 * Charts (recharts), drawn in the browser only: they measure the page, and the same
 * numbers are always in a table next to them for the server render, screen readers
 * and people who prefer reading to squinting. Right-to-left aware through chartDirection.
 */
import {
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
  type TooltipProps,
} from "recharts";
import { chartDirection } from "~/lib/i18n/chart";
import { useFormat, useI18n, useT } from "~/lib/i18n/react";
import { ClientOnly } from "./client-only";

export const CHART_COLORS = {
  gross: "#1f4fd1",
  net: "#067647",
  refunds: "#c4320a",
  previous: "#667085",
  bar: "#1f4fd1",
};

export interface TrendPoint {
  label: string;
  /** Major units (chart geometry only). */
  gross: number;
  net: number;
  refunds: number;
  previousGross: number | null;
  /** Exact amounts (minor units) for the tooltip. */
  exact: { gross: string; net: string; refunds: string; previousGross: string | null; previousLabel: string | null };
  /** The period the present falls in: still filling, so drawn dotted and labelled "so far". */
  soFar?: boolean;
  /** A period that has not begun yet (a range ending in the future): no line is drawn there. */
  upcoming?: boolean;
}

/** A period's name, "so far" while it is still filling. */
export function usePointLabel(): (p: TrendPoint) => string {
  const t = useT();
  return (p) => (p.soFar ? t("overview.chart.soFar", { label: p.label }) : p.label);
}

function TrendTooltip({ active, payload }: TooltipProps<number, string>) {
  const fmt = useFormat();
  const t = useT();
  const pointLabel = usePointLabel();
  const point = payload?.[0]?.payload as TrendPoint | undefined;
  if (!active || !point) return null;
  return (
    <div className="chart-tooltip">
      <strong>{pointLabel(point)}</strong>
      <div>
        {t("overview.chart.gross")}: {fmt.money(point.exact.gross)}
      </div>
      <div>
        {t("overview.chart.net")}: {fmt.money(point.exact.net)}
      </div>
      <div>
        {t("overview.chart.refunds")}: {fmt.money(point.exact.refunds)}
      </div>
      {point.exact.previousGross !== null ? (
        <div className="muted">
          {t("overview.chart.previousGross")} ({point.exact.previousLabel}): {fmt.money(point.exact.previousGross)}
        </div>
      ) : null}
    </div>
  );
}

/**
 * Gross and net lines, refunds as bars, the previous period's gross dashed behind them.
 * The period still filling is joined to the last whole one by a dotted segment: a day
 * that is half over is not a fall in sales.
 */
export function TrendChart({ data, height = 300 }: { data: TrendPoint[]; height?: number }) {
  const fmt = useFormat();
  const t = useT();
  const { prefs } = useI18n();
  const cd = chartDirection(prefs.dir);
  const current = data.findIndex((p) => p.soFar);
  const series = data.map((p, i) => {
    const done = !p.soFar && !p.upcoming;
    const dotted = current >= 0 && (i === current || i === current - 1);
    return { ...p, grossDone: done ? p.gross : null, netDone: done ? p.net : null, grossSoFar: dotted ? p.gross : null, netSoFar: dotted ? p.net : null };
  });
  return (
    <div className="chart" style={{ height }} aria-hidden="true">
      <ClientOnly fallback={<div className="chart-placeholder" />}>
        {() => (
          <ResponsiveContainer width="100%" height="100%">
            {/* The end margin leaves room for half of the last period's label, centred on the edge. */}
            <ComposedChart data={series} margin={cd.margin({ top: 8, start: 4, end: 44, bottom: 0 })}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e4e7ec" />
              <XAxis dataKey="label" {...cd.xAxis} tick={{ fontSize: 12, ...cd.centredTick }} minTickGap={24} interval="preserveStartEnd" />
              <YAxis {...cd.yAxis} tick={{ fontSize: 12 }} width={64} tickFormatter={(v: number) => fmt.moneyCompact(v)} />
              <Tooltip content={<TrendTooltip />} {...cd.tooltip} />
              <Legend {...cd.legend} />
              <Bar dataKey="refunds" name={t("overview.chart.refunds")} fill={CHART_COLORS.refunds} barSize={10} isAnimationActive={false} />
              <Line
                dataKey="previousGross"
                name={t("overview.chart.previousGross")}
                stroke={CHART_COLORS.previous}
                strokeDasharray="5 4"
                dot={false}
                strokeWidth={1.5}
                isAnimationActive={false}
              />
              <Line dataKey="grossDone" name={t("overview.chart.gross")} stroke={CHART_COLORS.gross} dot={false} strokeWidth={2.5} isAnimationActive={false} />
              <Line dataKey="netDone" name={t("overview.chart.net")} stroke={CHART_COLORS.net} dot={false} strokeWidth={2} isAnimationActive={false} />
              {current >= 0 ? (
                <Line dataKey="grossSoFar" legendType="none" stroke={CHART_COLORS.gross} strokeDasharray="1 5" strokeLinecap="round" dot={false} strokeWidth={2.5} isAnimationActive={false} />
              ) : null}
              {current >= 0 ? (
                <Line dataKey="netSoFar" legendType="none" stroke={CHART_COLORS.net} strokeDasharray="1 5" strokeLinecap="round" dot={false} strokeWidth={2} isAnimationActive={false} />
              ) : null}
            </ComposedChart>
          </ResponsiveContainer>
        )}
      </ClientOnly>
    </div>
  );
}

/** A small trend line for a KPI card (decorative: the card states the numbers). */
export function Sparkline({ values, color = CHART_COLORS.gross, soFarLast = false }: { values: (number | null)[]; color?: string; soFarLast?: boolean }) {
  const { prefs } = useI18n();
  const cd = chartDirection(prefs.dir);
  // As in the trend: the period still filling hangs from the last whole one by a dotted segment.
  const last = values.length - 1;
  const data = values.map((v, i) => ({ i, v: soFarLast && i === last ? null : v, soFar: soFarLast && i >= last - 1 ? v : null }));
  return (
    <div className="sparkline" aria-hidden="true">
      <ClientOnly fallback={null}>
        {() => (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={data} margin={{ top: 2, right: 2, bottom: 2, left: 2 }}>
              <XAxis dataKey="i" hide {...cd.xAxis} />
              <YAxis hide domain={["auto", "auto"]} />
              <Line dataKey="v" stroke={color} dot={false} strokeWidth={1.75} isAnimationActive={false} connectNulls />
              {soFarLast ? <Line dataKey="soFar" stroke={color} strokeDasharray="1 4" strokeLinecap="round" dot={false} strokeWidth={1.75} isAnimationActive={false} /> : null}
            </LineChart>
          </ResponsiveContainer>
        )}
      </ClientOnly>
    </div>
  );
}

export interface BarDatum {
  label: string;
  value: number;
  exact: string;
}

function BarTooltip({ active, payload }: TooltipProps<number, string>) {
  const fmt = useFormat();
  const d = payload?.[0]?.payload as BarDatum | undefined;
  if (!active || !d) return null;
  return (
    <div className="chart-tooltip">
      <strong>{d.label}</strong>
      <div>{fmt.money(d.exact)}</div>
    </div>
  );
}

/** Horizontal bars, largest first (a breakdown's chart; its table sits beside it). */
export function BarBreakdown({ data }: { data: BarDatum[] }) {
  const fmt = useFormat();
  const { prefs } = useI18n();
  const cd = chartDirection(prefs.dir);
  const height = Math.max(80, data.length * 30 + 24);
  return (
    <div className="chart" style={{ height }} aria-hidden="true">
      <ClientOnly fallback={<div className="chart-placeholder" />}>
        {() => (
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={data} layout="vertical" margin={cd.margin({ top: 0, start: 0, end: 12, bottom: 0 })}>
              <XAxis type="number" {...cd.valueXAxis} tick={{ fontSize: 11 }} tickFormatter={(v: number) => fmt.moneyCompact(v)} />
              <YAxis type="category" dataKey="label" {...cd.yAxis} width={120} tick={{ fontSize: 12 }} interval={0} />
              <Tooltip content={<BarTooltip />} {...cd.tooltip} cursor={{ fill: "#f2f4f7" }} />
              <Bar dataKey="value" fill={CHART_COLORS.bar} barSize={16} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        )}
      </ClientOnly>
    </div>
  );
}
