/**
 * Fee statements: one per month of the merchant's books (Jalali or Gregorian), issued by an
 * accountant once the month is over, numbered and never changed. /statements/<id> prints it.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { CsrfInput } from "~/components/csrf";
import { pageTitle } from "~/components/console/meta";
import { RouteErrorBoundary } from "~/components/route-error";
import { useFormat, useT } from "~/lib/i18n/react";
import { statementsAction, statementsPage } from "~/web/accounting/statements.server";
import { PageHeader, Table } from "~/components/page";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "statements.title");

export const loader = ({ request }: LoaderFunctionArgs) => statementsPage(request);
export const action = ({ request }: ActionFunctionArgs) => statementsAction(request);

export default function Statements() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const t = useT();
  const fmt = useFormat();
  return (
    <>
      <PageHeader title={t("statements.title")} intro={t("statements.intro", { zone: fmt.zoneName(data.timeZone) })} />
      {result && !result.ok ? (
        <p className="alert alert-error" role="alert" data-testid="statements-error">
          {result.message}
        </p>
      ) : null}
      <section className="card">
        <Table columns={[t("statements.month"), t("statements.number"), { label: t("statements.fees"), className: "num" }, { label: t("statements.vat"), className: "num" }, { label: t("statements.total"), className: "num" }, <><span className="visually-hidden">{t("statements.actions")}</span></>]}>
          <tbody>
            {data.months.map((m) =>
              m.statements.length > 0 ? (
                m.statements.map((s, i) => (
                  <tr key={s.id}>
                    <td>{i === 0 ? m.label : ""}</td>
                    <td>
                      <Link to={`/statements/${s.id}`} data-testid={`statement-${m.key}`}>
                        {t("statements.numberValue", { number: fmt.number(s.number) })}
                      </Link>
                    </td>
                    <td className="num">{fmt.money(s.feeTotal, s.currency)}</td>
                    <td className="num">{fmt.money(s.vatTotal, s.currency)}</td>
                    <td className="num">{fmt.money(s.total, s.currency)}</td>
                    <td>
                      <Link to={`/statements/${s.id}`} className="btn">
                        {t("statements.open")}
                      </Link>
                    </td>
                  </tr>
                ))
              ) : (
                <tr key={m.key}>
                  <td>{m.label}</td>
                  <td className="muted">{t("statements.notIssued")}</td>
                  <td />
                  <td />
                  <td />
                  <td>
                    <Form method="post">
                      <CsrfInput />
                      <input type="hidden" name="month" value={m.key} />
                      <button type="submit" name="intent" value="issue" className="btn" data-testid={`issue-${m.key}`}>
                        {t("statements.issue")}
                      </button>
                    </Form>
                  </td>
                </tr>
              ),
            )}
            {data.older.map((s) => (
              <tr key={s.id}>
                <td>{s.label}</td>
                <td>
                  <Link to={`/statements/${s.id}`}>{t("statements.numberValue", { number: fmt.number(s.number) })}</Link>
                </td>
                <td className="num">{fmt.money(s.feeTotal, s.currency)}</td>
                <td className="num">{fmt.money(s.vatTotal, s.currency)}</td>
                <td className="num">{fmt.money(s.total, s.currency)}</td>
                <td />
              </tr>
            ))}
          </tbody>
      </Table>
        <p className="hint muted">{t("statements.rule")}</p>
      </section>
      {data.canChooseCalendar ? (
        <Form method="post" className="card form-row">
          <CsrfInput />
          <div className="field">
            <label htmlFor="books-calendar">{t("statements.calendarLabel")}</label>
            <select id="books-calendar" name="calendar" defaultValue={data.calendar}>
              <option value="jalali">{t("statements.calendar.jalali")}</option>
              <option value="gregorian">{t("statements.calendar.gregorian")}</option>
            </select>
          </div>
          <button type="submit" name="intent" value="calendar" className="btn">
            {t("statements.calendar.save")}
          </button>
        </Form>
      ) : null}
    </>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
