/** One breakdown of the Overview (terminal, brand, bank, funding): bars and their table. */
import { BarBreakdown } from "~/components/console/charts";
import { num, Table } from "~/components/page";
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
          <Table
            region={`bd-${id}`}
            caption={title}
            hiddenCaption
            className="compact"
            columns={[t("overview.breakdown.name"), num(t("overview.chart.gross")), num(t("overview.breakdown.share")), num(t("overview.breakdown.payments")), num(t("overview.breakdown.declined"))]}
          >
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
          </Table>
        </div>
      )}
    </section>
  );
}
