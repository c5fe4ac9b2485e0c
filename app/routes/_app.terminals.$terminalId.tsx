import { memberActor } from "~/lib/vocabulary";
import { clauseSeparator } from "~/lib/i18n/messages";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import { CheckField, ErrorSummary, IntentForm, SubmitButton, useFormFailure } from "~/components/form";
import { TerminalFields } from "~/components/terminal-fields";
import { RouteErrorBoundary } from "~/components/route-error";
import { StepUpFields } from "~/components/step-up";
import { Sparkline } from "~/components/console/charts";
import { pageTitle } from "~/components/console/meta";
import { StatusBadge } from "~/components/console/status-badge";
import type { MessageKey } from "~/lib/i18n/en";
import { useFormat, useT } from "~/lib/i18n/react";
import consoleStyles from "~/styles/console.css";
import { errorText, terminalFieldError } from "~/lib/i18n/messages";
import { FORM_ERROR } from "~/lib/forms";
import { parseForm, refuse } from "~/web/form.server";
import { checkStepUp, requireAction } from "~/web/guard.server";
import { requireFound } from "~/web/detail-loader.server";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { listScope } from "~/modules/reporting/list-query.server";
import {
  deactivateTerminal,
  getTerminal,
  reactivateTerminal,
  renameTerminal,
  rotateTerminalKey,
  terminalFieldsSchema,
} from "~/modules/terminals/terminals.server";
import { clientOf } from "~/web/request.server";
import { newFormKey, oncePerFormKey } from "~/web/form-key.server";
import { Card, DetailHeader } from "~/components/page";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "terminals.detailTitle");

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { found: terminal } = await requireFound(request, "terminals:manage", { type: "terminal", id: params.terminalId }, (ctx, id) => getTerminal(listScope(ctx), id));
  // One per rendering of the rotate form: a refreshed (re-sent) form never rotates twice.
  return json({ terminal, rotateKey: newFormKey() }, { headers: { "Cache-Control": "private, no-store" } });
}

// Built when the action runs: its parts come from a .server module, which is not in the browser's bundle
// (built at module level, the page's script would throw on load).
const terminalForm = () => z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("rename") }).merge(terminalFieldsSchema),
  z.object({ intent: z.literal("deactivate"), confirm: z.literal("yes", { message: "terminals.error.confirm" }) }),
  z.object({ intent: z.literal("reactivate") }),
  z.object({ intent: z.literal("rotate") }),
]);

type Rotated = { intent: "rotate"; ok: true; key: string };

export async function action({ request, params }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, "terminals:manage");
  const t = serverTranslator(resolvePreferences(ctx));
  const id = params.terminalId ?? "";
  const intent = String(form.get("intent") ?? "");
  const parsed = parseForm(terminalForm(), form, t, (field, english) =>
    field === FORM_ERROR ? t("terminals.error.intent") : terminalFieldError(t, field, english)
  );
  if (!parsed.ok) return refuse(parsed.errors, { intent, values: form });
  const input = parsed.data;
  const opts = { client: clientOf(request) };
  const refused = (r: { field?: string; status: number } & Parameters<typeof errorText>[1]) =>
    refuse({ [r.field ?? FORM_ERROR]: errorText(t, r) }, { intent, status: r.status, values: form });
  switch (input.intent) {
    case "rename": {
      const r = await renameTerminal(ctx.scope, memberActor(ctx), id, { name: input.name, location: input.location }, opts);
      return r.ok ? redirect(`/terminals/${id}?done=renamed`) : refused(r);
    }
    case "deactivate": {
      const r = await deactivateTerminal(ctx.scope, memberActor(ctx), id, opts);
      return r.ok ? redirect(`/terminals/${id}?done=deactivated`) : refused({ ...r, field: undefined });
    }
    case "reactivate": {
      const r = await reactivateTerminal(ctx.scope, memberActor(ctx), id, opts);
      return r.ok ? redirect(`/terminals/${id}?done=${r.needsKey ? "reactivatedNeedsKey" : "reactivated"}`) : refused({ ...r, field: undefined });
    }
    case "rotate": {
      const problem = await checkStepUp(ctx, form, request);
      if (problem) return refuse({}, { intent, stepUp: problem });
      const once = await oncePerFormKey(ctx, form, `/terminals/${id}#rotate`, async () => {
        const x = await rotateTerminalKey(ctx.scope, memberActor(ctx), id, opts);
        return { result: x, remember: x.ok ? { terminalId: id } : null };
      });
      if (once.kind === "replayed") return redirect(`/terminals/${encodeURIComponent(id)}?done=alreadyRotated`, 303);
      if (once.kind === "in_progress") return refuse(t("common.error.formInProgress"), { intent, status: 409 });
      const r = once.result;
      if (!r.ok) return refused({ ...r, field: undefined });
      // Shown once, in this response only: never stored, never redirected through a URL.
      return json<Rotated>({ intent: "rotate", ok: true, key: r.key }, { headers: { "Cache-Control": "no-store" } });
    }
  }
}

const DONE: Record<string, MessageKey> = {
  renamed: "terminals.done.renamed",
  deactivated: "terminals.done.deactivated",
  reactivated: "terminals.done.reactivated",
  reactivatedNeedsKey: "terminals.done.reactivatedNeedsKey",
  alreadyRotated: "terminals.done.alreadyRotated",
};

function NewKey({ value }: { value: string }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  return (
    <div className="key-once" role="status">
      <strong>{t("terminals.key.title")}</strong>
      <p>{t("terminals.key.once")}</p>
      <code data-testid="new-api-key">{value}</code>
      <button
        type="button"
        className="btn"
        onClick={() => {
          void navigator.clipboard?.writeText(value).then(() => setCopied(true));
        }}
      >
        {copied ? t("common.copied") : t("common.copy")}
      </button>
    </div>
  );
}

export default function TerminalPage() {
  const { terminal: x, rotateKey } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const rotated = result && "key" in result ? (result as Rotated) : null;
  const renameForm = useFormFailure("rename");
  const deactivateForm = useFormFailure("deactivate");
  const rotateForm = useFormFailure("rotate");
  const pageForm = useFormFailure(["reactivate", "deactivate", "rotate", ""]);
  const navigation = useNavigation();
  const [search] = useSearchParams();
  const t = useT();
  const fmt = useFormat();
  const busy = (intent: string) => navigation.state === "submitting" && navigation.formData?.get("intent") === intent;
  const done = search.get("done");

  return (
    <>
      <DetailHeader
        back={{ to: "/terminals", label: t("terminals.back") }}
        title={x.name}
        intro={
          <>
            <StatusBadge kind="terminalStatus" status={x.status} /> {t(`terminalKind.${x.kind}` as MessageKey)} <span className="mono">{x.id}</span>
          </>
        }
      >
        <Link className="btn" to={`/payments?terminal=${encodeURIComponent(x.id)}`}>
          {t("terminals.viewPayments")}
        </Link>
      </DetailHeader>

      {search.get("created") ? <p className="success-box">{t(x.kind === "api" ? "terminals.done.createdApi" : "terminals.done.created")}</p> : null}
      {done && DONE[done] ? <p className="success-box">{t(DONE[done]!)}</p> : null}
      <ErrorSummary form={pageForm} />

      <div className="grid grid-2">
        <Card headingId="today-h" title={t("terminals.col.today")}>
          <p className="kpi-value num">{fmt.money(x.todayGross)}</p>
          <p className="muted">{t("overview.successfulPayments", { count: x.todayCount })}</p>
          <Sparkline values={x.spark.map((d) => fmt.chartValue(d.gross))} />
          <details className="chart-data">
            <summary>{t("chart.showData")}</summary>
            <table className="table compact">
              <caption className="visually-hidden">{t("terminals.col.trend")}</caption>
              <tbody>
                {x.spark.map((d) => (
                  <tr key={d.day}>
                    <th scope="row">{fmt.day(d.day)}</th>
                    <td className="num">{fmt.money(d.gross)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
          <dl className="dl section">
            <dt>{t("terminals.col.lastUsed")}</dt>
            <dd>{x.lastUsedAt ? fmt.dateTime(x.lastUsedAt) : t("terminals.neverUsed")}</dd>
            <dt>{t("common.created")}</dt>
            <dd>{fmt.dateTime(x.createdAt)}</dd>
            {x.deactivatedAt ? (
              <>
                <dt>{t("terminals.deactivatedAt")}</dt>
                <dd>{fmt.dateTime(x.deactivatedAt)}</dd>
              </>
            ) : null}
          </dl>
        </Card>

        <Card headingId="rename-h" title={t("terminals.rename")}>
          <IntentForm intent="rename" form={renameForm}>
            <TerminalFields form={renameForm} idPrefix="r" name={x.name} location={x.location ?? ""} />
            <SubmitButton busy={busy("rename")} busyLabel={t("common.saving")}>{t("common.save")}</SubmitButton>
          </IntentForm>
        </Card>
      </div>

      {x.kind === "api" ? (
        <Card headingId="key-h" title={t("terminals.col.apiKey")} className="section">
          {rotated ? <NewKey value={rotated.key} /> : null}
          <p>
            {x.hasActiveKey && x.apiKeyPrefix ? (
              <>
                {t("terminals.key.current")}{" "}
                <span className="mono">
                  {x.apiKeyPrefix}…{x.apiKeyLast4}
                </span>
                {x.apiKeyCreatedAt ? <span className="muted">{clauseSeparator(t)}{t("terminals.key.issued", { date: fmt.dateTime(x.apiKeyCreatedAt) })}</span> : null}
              </>
            ) : (
              t("terminals.noKey")
            )}
          </p>
          {x.status === "active" ? (
            <IntentForm intent="rotate">
              <input type="hidden" name="formKey" value={rotateKey} />
              <p className="muted">{x.hasActiveKey ? t("terminals.key.rotateHint") : t("terminals.key.issueHint")}</p>
              <StepUpFields error={rotateForm.errors.stepUp} />
              <SubmitButton busy={busy("rotate")}>{x.hasActiveKey ? t("terminals.key.rotate") : t("terminals.key.issue")}</SubmitButton>
            </IntentForm>
          ) : (
            <p className="muted">{t("terminals.key.inactive")}</p>
          )}
        </Card>
      ) : null}

      <Card headingId="status-h" title={x.status === "active" ? t("terminals.deactivate") : t("terminals.reactivate")} className="section">
        {x.status === "active" ? (
          <IntentForm intent="deactivate">
            <p>{t("terminals.deactivateHint")}</p>
            <CheckField form={deactivateForm} name="confirm" label={t("terminals.deactivateConfirm")} />
            <button type="submit" className="btn btn-danger" disabled={busy("deactivate")}>
              {t("terminals.deactivate")}
            </button>
          </IntentForm>
        ) : (
          <IntentForm intent="reactivate">
            <p>{x.kind === "api" ? t("terminals.reactivateHintApi") : t("terminals.reactivateHint")}</p>
            <SubmitButton busy={busy("reactivate")}>{t("terminals.reactivate")}</SubmitButton>
          </IntentForm>
        )}
      </Card>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
