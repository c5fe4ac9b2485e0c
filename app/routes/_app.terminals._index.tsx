import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { ErrorSummary, RadioFieldset, SubmitButton, useFormFailure } from "~/components/form";
import { TerminalFields } from "~/components/terminal-fields";
import { RouteErrorBoundary } from "~/components/route-error";
import { CsrfInput } from "~/components/csrf";
import { Sparkline } from "~/components/console/charts";
import { pageTitle } from "~/components/console/meta";
import { StatusBadge } from "~/components/console/status-badge";
import type { MessageKey } from "~/lib/i18n/en";
import { useFormat, useT } from "~/lib/i18n/react";
import consoleStyles from "~/styles/console.css";
import { errorText, terminalFieldError } from "~/lib/i18n/messages";
import { parseForm, refuse } from "~/web/form.server";
import { requireAction, requireContext } from "~/web/guard.server";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { listScope } from "~/modules/reporting/list-query.server";
import { memberActor } from "~/lib/vocabulary";
import { createTerminal, createTerminalSchema, listTerminals } from "~/modules/terminals/terminals.server";
import { clientOf } from "~/web/request.server";
import { Card, num, PageHeader, RowHead, Table } from "~/components/page";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "terminals.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request, "terminals:manage");
  const terminals = await listTerminals(listScope(ctx));
  return json({ terminals }, { headers: { "Cache-Control": "private, no-store" } });
}

export async function action({ request }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, "terminals:manage");
  const t = serverTranslator(resolvePreferences(ctx));
  const parsed = parseForm(createTerminalSchema, form, t, (field, english) => terminalFieldError(t, field, english));
  if (!parsed.ok) return refuse(parsed.errors, { values: form });
  const result = await createTerminal(ctx.scope, memberActor(ctx), parsed.data, { client: clientOf(request) });
  if (!result.ok) return refuse({ [result.field ?? "name"]: errorText(t, result) }, { status: result.status, values: form });
  return redirect(`/terminals/${result.id}?created=1`);
}

export default function TerminalsPage() {
  const { terminals } = useLoaderData<typeof loader>();
  const form = useFormFailure();
  const navigation = useNavigation();
  const t = useT();
  const fmt = useFormat();
  const creating = navigation.state === "submitting" && navigation.formMethod?.toLowerCase() === "post";
  return (
    <>
      <PageHeader title={t("terminals.title")} intro={t("terminals.subtitle")} />

      <Table
        caption={t("terminals.caption", { zone: fmt.zoneName() })}
        className="nowrap-table"
        columns={[t("terminals.col.name"), t("common.status"), t("terminals.col.kind"), t("terminals.col.lastUsed"), num(t("terminals.col.today")), t("terminals.col.trend"), t("terminals.col.apiKey")]}
        empty={terminals.length === 0 ? t("terminals.empty") : null}
      >
        <tbody>
          {terminals.map((x) => (
            <tr key={x.id}>
              <RowHead to={`/terminals/${x.id}`} name={x.name} note={x.location} />
              <td>
                <StatusBadge kind="terminalStatus" status={x.status} />
              </td>
              <td>{t(`terminals.kindShort.${x.kind}` as MessageKey)}</td>
              <td>{x.lastUsedAt ? fmt.dateTime(x.lastUsedAt) : t("terminals.neverUsed")}</td>
              <td className="num">
                {fmt.money(x.todayGross)}
                <div className="muted">{t("overview.successfulPayments", { count: x.todayCount })}</div>
              </td>
              <td className="terminal-spark">
                <Sparkline values={x.spark.map((d) => fmt.chartValue(d.gross))} />
                <span className="visually-hidden">
                  {t("terminals.trendText", { days: x.spark.length, amount: fmt.money(x.spark.reduce((s, d) => s + BigInt(d.gross), 0n)) })}
                </span>
              </td>
              <td>
                {x.kind !== "api" ? (
                  <span className="muted">{t("terminals.noKeyNeeded")}</span>
                ) : x.hasActiveKey && x.apiKeyPrefix ? (
                  <span className="mono">
                    {x.apiKeyPrefix}…{x.apiKeyLast4}
                  </span>
                ) : (
                  <span className="muted">{t("terminals.noKey")}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </Table>

      <Card headingId="new-terminal-h" title={t("terminals.new")} className="section">
        <Form method="post" className="terminal-form">
          <CsrfInput />
          <ErrorSummary form={form} />
          <div className="form-row">
            <TerminalFields form={form} idPrefix="t" />
          </div>
          <RadioFieldset
            legend={t("terminals.col.kind")}
            name="kind"
            error={form.errors.kind}
            errorId="t-kind-error"
            className="check"
            checked={form.values.kind ?? "api"}
            options={(["api", "virtual"] as const).map((k) => ({ value: k, label: t(`terminalKind.${k}` as MessageKey) }))}
          />
          <SubmitButton busy={creating} busyLabel={t("common.saving")}>{t("terminals.create")}</SubmitButton>
        </Form>
      </Card>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
