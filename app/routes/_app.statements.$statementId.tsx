/**
 * A fee statement as a printable document (the browser's Print or Save as PDF gives a
 * clean page: the console's navigation is hidden in print), with its lines as CSV/XLSX.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { pageTitle } from "~/components/console/meta";
import { RouteErrorBoundary } from "~/components/route-error";
import { useFormat, useT } from "~/lib/i18n/react";
import { statementPage } from "~/web/accounting/statements.server";
import { Table } from "~/components/page";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "statements.document");

export const loader = ({ request, params }: LoaderFunctionArgs) => statementPage(request, params.statementId ?? "");

const PRINT_CSS = `
@media print {
  .sidebar, .topbar, .skip-link, .no-print, .pending-bar { display: none !important; }
  .shell, main { display: block !important; margin: 0 !important; padding: 0 !important; }
  .statement { box-shadow: none !important; border: 0 !important; }
  .statement table { page-break-inside: auto; }
  .statement tr { page-break-inside: avoid; }
  @page { size: A4; margin: 14mm; }
}
.statement-parties { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: 1rem; }
.statement-totals { margin-inline-start: auto; max-width: 24rem; }
`;

export default function StatementDocument() {
  const { statement: s, lines } = useLoaderData<typeof loader>();
  const t = useT();
  const fmt = useFormat();
  const rate = (bps: number) => `${fmt.number(bps / 100)}%`;
  return (
    <>
      <style dangerouslySetInnerHTML={{ __html: PRINT_CSS }} />
      <div className="page-header no-print">
        <div>
          <h1>{t("statements.documentTitle", { number: fmt.number(s.number) })}</h1>
          <p>{s.monthLabel}</p>
        </div>
        <div className="header-actions">
          <a className="btn" href={`/statements/${s.id}/lines.csv`} download data-testid="statement-csv">
            {t("statements.linesCsv")}
          </a>
          <a className="btn" href={`/statements/${s.id}/lines.xlsx`} download data-testid="statement-xlsx">
            {t("statements.linesXlsx")}
          </a>
        </div>
      </div>
      <article className="card statement" data-testid="statement">
        <h2>{t("statements.documentTitle", { number: fmt.number(s.number) })}</h2>
        <p>
          {t("statements.period", { month: s.monthLabel, from: fmt.dateTime(s.periodStart), to: fmt.dateTime(s.periodEnd), zone: s.timeZone })}
        </p>
        <div className="statement-parties">
          <section>
            <h3>{t("statements.issuer")}</h3>
            <p>
              {s.provider.name}
              <br />
              {s.provider.address}
              <br />
              {t("statements.taxId")}: <span dir="ltr">{s.provider.taxId}</span>
              <br />
              <span dir="ltr">{s.provider.email}</span>
            </p>
          </section>
          <section>
            <h3>{t("statements.customer")}</h3>
            <p>
              {s.merchant.legalName}
              {s.merchant.legalName !== s.merchant.name ? ` (${s.merchant.name})` : ""}
              <br />
              {t("statements.merchantId")}: <span dir="ltr">{s.merchant.id}</span> · {s.merchant.country}
              {s.merchant.email ? (
                <>
                  <br />
                  <span dir="ltr">{s.merchant.email}</span>
                </>
              ) : null}
            </p>
          </section>
        </div>
        <table className="table statement-totals" data-testid="statement-totals">
          <tbody>
            <tr>
              <th scope="row">{t("statements.fees")}</th>
              <td className="num">{fmt.money(s.feeTotal, s.currency)}</td>
            </tr>
            {s.vatBreakdown.map((g) => (
              <tr key={g.rateBps}>
                <th scope="row">{t("statements.vatAt", { rate: rate(g.rateBps), fees: fmt.money(g.fees, s.currency) })}</th>
                <td className="num">{fmt.money(g.vat, s.currency)}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">{t("statements.total")}</th>
              <td className="num">
                <strong>{fmt.money(s.total, s.currency)}</strong>
              </td>
            </tr>
          </tbody>
        </table>
        <p className="hint muted">{t("statements.rule")}</p>
        <h3>{t("statements.lines", { count: fmt.number(s.lineCount) })}</h3>
        <Table columns={[<>#</>, t("statements.when"), t("statements.source"), t("statements.description"), { label: t("statements.gross"), className: "num" }, { label: t("statements.fee"), className: "num" }, { label: t("statements.vatRate"), className: "num" }]}>
          <tbody>
            {lines.map((l) => (
              <tr key={l.lineNo}>
                <td className="num">{fmt.number(l.lineNo)}</td>
                <td>{fmt.dateTime(l.createdAt)}</td>
                <td className="mono" dir="ltr">{l.sourceId}</td>
                <td>{l.description ?? ""}</td>
                <td className="num">{fmt.money(l.gross, s.currency)}</td>
                <td className="num">{fmt.money(l.fee, s.currency)}</td>
                <td className="num">{rate(l.rateBps)}</td>
              </tr>
            ))}
          </tbody>
      </Table>
        <p className="hint muted">{t("statements.issuedAt", { at: fmt.dateTime(s.issuedAt) })}</p>
      </article>
    </>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
