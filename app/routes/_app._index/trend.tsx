/** The sales trend's table alternative (the chart itself is ~/components/console/charts). */
import { useLocation } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { usePointLabel, type TrendPoint } from "~/components/console/charts";
import { withParams } from "~/components/console/url";
import { useFormat, useT } from "~/lib/i18n/react";
import type { OverviewData } from "~/web/overview.server";
import { Table } from "~/components/page";

/**
 * The chart's numbers as a table, behind "Show data". Its rows (a year of days is 365
 * rows, seven formatted cells each) are rendered when the reader opens it, not with
 * every page: they were 15% of the page's HTML and 6% of its server time, and a closed
 * <details> shows nobody its content (screen readers included). Without JavaScript the
 * charts are not drawn and this table is the trend: opening it shows a link that loads
 * the page with the table rendered by the server (`?table=1`).
 */
export function TrendTable({ data, points }: { data: OverviewData; points: TrendPoint[] }) {
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

function TrendTableBody({ data, points }: { data: OverviewData; points: TrendPoint[] }) {
  const t = useT();
  const fmt = useFormat();
  const pointLabel = usePointLabel();
  return (
    <>
      <Table className="compact" caption={t("overview.chart.tableCaption")} columns={[t("dates.period"), { label: t("overview.chart.gross"), className: "num" }, { label: t("overview.chart.net"), className: "num" }, { label: t("overview.chart.refunds"), className: "num" }, { label: t("overview.kpi.payments"), className: "num" }, t("dates.previousPeriod"), { label: t("overview.chart.previousGross"), className: "num" }]}>
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
    </Table>
    </>
  );
}
