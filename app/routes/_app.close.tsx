/**
 * Month-end close: a month's opening balance, activity by category, payouts sent and in
 * transit, and closing balance; an accountant marks it closed, and it never changes.
 */
import { clauseSeparator } from "~/lib/i18n/messages";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { CsrfInput } from "~/components/csrf";
import { pageTitle } from "~/components/console/meta";
import { RouteErrorBoundary } from "~/components/route-error";
import type { MessageKey } from "~/lib/i18n/en";
import { useFormat, useT } from "~/lib/i18n/react";
import { closeAction, closePage } from "~/web/accounting/close.server";
import { num, PageHeader, Table } from "~/components/page";

const LINE_KEYS: Record<string, MessageKey> = {
  charges: "close.line.charges",
  refunds: "close.line.refunds",
  refund_failures: "close.line.refund_failures",
  fees: "close.line.fees",
  adjustments: "close.line.adjustments",
  payouts: "close.line.payouts",
  payout_failures: "close.line.payout_failures",
};

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "close.title");

export const loader = ({ request }: LoaderFunctionArgs) => closePage(request);
export const action = ({ request }: ActionFunctionArgs) => closeAction(request);

export default function MonthClose() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const t = useT();
  const fmt = useFormat();
  return (
    <>
      <PageHeader title={t("close.title")} intro={t("close.intro", { zone: fmt.zoneName(data.timeZone) })} />
      <nav className="card form-row" aria-label={t("close.months")}>
        {data.months.map((m) => (
          <Link key={m.key} to={`?month=${m.key}`} className={m.key === data.month.key ? "btn btn-primary" : "btn"} aria-current={m.key === data.month.key ? "page" : undefined}>
            {m.label}
            {m.closed ? `${clauseSeparator(t)}${t("close.closedShort")}` : ""}
          </Link>
        ))}
      </nav>
      {result && !result.ok ? (
        <p className="alert alert-error" role="alert">
          {result.message}
        </p>
      ) : null}
      <section className="card" data-testid="close-figures">
        <h2>{data.month.label}</h2>
        {data.closed ? (
          <p className="muted" data-testid="close-status">
            {t("close.closedAt", { at: fmt.dateTime(data.closed.at) })}
          </p>
        ) : (
          <Form method="post" className="form-row">
            <CsrfInput />
            <input type="hidden" name="month" value={data.month.key} />
            <p className="muted">{t("close.open")}</p>
            <button type="submit" className="btn btn-primary" data-testid="close-month">
              {t("close.close")}
            </button>
          </Form>
        )}
        {data.figures.map((c) => (
          <Table caption={c.currency} key={c.currency} columns={[t("close.lineHeader"), num(t("close.count")), num(t("close.amount"))]}>
            <tbody>
              {c.lines.map((l) => (
                <tr key={l.line} className={l.line.endsWith("_balance") ? "row-strong" : undefined}>
                  <th scope="row">{l.line.endsWith("_balance") ? <strong>{t(l.line === "opening_balance" ? "close.opening" : "close.closing")}</strong> : LINE_KEYS[l.line] ? t(LINE_KEYS[l.line]!) : l.description}</th>
                  <td className="num">{l.count === null ? "" : fmt.number(l.count)}</td>
                  <td className="num">{fmt.money(l.amount, c.currency)}</td>
                </tr>
              ))}
              <tr>
                <th scope="row">{t("close.inTransit")}</th>
                <td />
                <td className="num">{fmt.money(c.inTransit, c.currency)}</td>
              </tr>
            </tbody>
          </Table>
        ))}
        <p className="hint muted">{t("close.rule")}</p>
      </section>
    </>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
