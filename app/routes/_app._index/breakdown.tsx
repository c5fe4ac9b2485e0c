/** One breakdown of the Overview (terminal, brand, bank, funding): bars and their table. */
import { BarBreakdown } from "~/components/console/charts";
import { useFormat, useT } from "~/lib/i18n/react";
import type { OverviewData } from "~/web/overview.server";

export function Breakdown({ title, rows, label, total, id }: { title: string; rows: OverviewData["breakdowns"]["terminal"]; label: (key: string) => string; total: string; id: string }) {
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
          {/* A long breakdown scrolls in its box: focusable, so a keyboard can scroll it too. */}
          <div className="table-wrap" tabIndex={0} role="region" aria-labelledby={`bd-${id}`}>
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
