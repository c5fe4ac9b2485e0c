import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import { RouteErrorBoundary } from "~/components/route-error";
import { CsrfInput } from "~/components/csrf";
import { StepUpFields } from "~/components/step-up";
import { Sparkline } from "~/components/console/charts";
import { pageTitle } from "~/components/console/meta";
import { StatusBadge } from "~/components/console/status-badge";
import type { MessageKey } from "~/lib/i18n/en";
import { useFormat, useT } from "~/lib/i18n/react";
import consoleStyles from "~/styles/console.css";
import { errorText, terminalFieldError } from "~/lib/i18n/messages";
import { checkStepUp, notFound, requireAction, requireContext } from "~/web/guard.server";
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

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "terminals.detailTitle");

export async function loader({ request, params }: LoaderFunctionArgs) {
  const ctx = await requireContext(request, "terminals:manage");
  const id = params.terminalId ?? "";
  const terminal = /^[A-Za-z0-9_]{1,100}$/.test(id) ? await getTerminal(listScope(ctx), id) : null;
  if (!terminal) return notFound(ctx, request, { type: "terminal", id });
  // One per rendering of the rotate form: a refreshed (re-sent) form never rotates twice.
  return json({ terminal, rotateKey: newFormKey() }, { headers: { "Cache-Control": "private, no-store" } });
}

const intentSchema = z.enum(["rename", "deactivate", "reactivate", "rotate"]);

type ActionResult =
  | { intent: string; ok: true; key?: string; notice?: MessageKey }
  | { intent: string; ok: false; errors: Record<string, string>; stepUp?: string };

export async function action({ request, params }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, "terminals:manage");
  const t = serverTranslator(resolvePreferences(ctx));
  const id = params.terminalId ?? "";
  const intent = intentSchema.safeParse(form.get("intent"));
  if (!intent.success) {
    return json<ActionResult>({ intent: "", ok: false, errors: { form: t("terminals.error.intent") } }, { status: 400 });
  }
  const opts = { client: clientOf(request) };
  switch (intent.data) {
    case "rename": {
      const parsed = terminalFieldsSchema.safeParse({ name: form.get("name") ?? "", location: form.get("location") ?? undefined });
      if (!parsed.success) {
        const errors: Record<string, string> = {};
        for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= terminalFieldError(t, String(issue.path[0]), issue.message);
        return json<ActionResult>({ intent: "rename", ok: false, errors }, { status: 400 });
      }
      const r = await renameTerminal(ctx.scope, ctx, id, parsed.data, opts);
      if (!r.ok) return json<ActionResult>({ intent: "rename", ok: false, errors: { [r.field ?? "form"]: errorText(t, r) } }, { status: r.status });
      return redirect(`/terminals/${id}?done=renamed`);
    }
    case "deactivate": {
      if (form.get("confirm") !== "yes") {
        return json<ActionResult>(
          { intent: "deactivate", ok: false, errors: { confirm: t("terminals.error.confirm") } },
          { status: 400 },
        );
      }
      const r = await deactivateTerminal(ctx.scope, ctx, id, opts);
      if (!r.ok) return json<ActionResult>({ intent: "deactivate", ok: false, errors: { form: errorText(t, r) } }, { status: r.status });
      return redirect(`/terminals/${id}?done=deactivated`);
    }
    case "reactivate": {
      const r = await reactivateTerminal(ctx.scope, ctx, id, opts);
      if (!r.ok) return json<ActionResult>({ intent: "reactivate", ok: false, errors: { form: errorText(t, r) } }, { status: r.status });
      return redirect(`/terminals/${id}?done=${r.needsKey ? "reactivatedNeedsKey" : "reactivated"}`);
    }
    case "rotate": {
      const problem = await checkStepUp(ctx, form, request);
      if (problem) return json<ActionResult>({ intent: "rotate", ok: false, errors: {}, stepUp: problem.message }, { status: 403 });
      const once = await oncePerFormKey(ctx, form, `/terminals/${id}#rotate`, async () => {
        const x = await rotateTerminalKey(ctx.scope, ctx, id, opts);
        return { result: x, remember: x.ok ? { terminalId: id } : null };
      });
      if (once.kind === "replayed") return redirect(`/terminals/${encodeURIComponent(id)}?done=alreadyRotated`, 303);
      if (once.kind === "in_progress") return json<ActionResult>({ intent: "rotate", ok: false, errors: { form: t("common.error.formInProgress") } }, { status: 409 });
      const r = once.result;
      if (!r.ok) return json<ActionResult>({ intent: "rotate", ok: false, errors: { form: errorText(t, r) } }, { status: r.status });
      // Shown once, in this response only: never stored, never redirected through a URL.
      return json<ActionResult>({ intent: "rotate", ok: true, key: r.key }, { headers: { "Cache-Control": "no-store" } });
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
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const navigation = useNavigation();
  const [search] = useSearchParams();
  const t = useT();
  const fmt = useFormat();
  const busy = (intent: string) => navigation.state === "submitting" && navigation.formData?.get("intent") === intent;
  const errorsFor = (intent: string): Record<string, string> => (result && !result.ok && result.intent === intent ? result.errors : {});
  const done = search.get("done");
  const rename = errorsFor("rename");
  const deactivate = errorsFor("deactivate");
  const rotateResult = result?.intent === "rotate" ? result : undefined;

  return (
    <>
      <p>
        <Link to="/terminals">{t("terminals.back")}</Link>
      </p>
      <div className="page-header">
        <div>
          <h1>{x.name}</h1>
          <p>
            <StatusBadge kind="terminalStatus" status={x.status} /> {t(`terminalKind.${x.kind}` as MessageKey)} <span className="mono">{x.id}</span>
          </p>
        </div>
        <Link className="btn" to={`/payments?terminal=${encodeURIComponent(x.id)}`}>
          {t("terminals.viewPayments")}
        </Link>
      </div>

      {search.get("created") ? <p className="success-box">{t(x.kind === "api" ? "terminals.done.createdApi" : "terminals.done.created")}</p> : null}
      {done && DONE[done] ? <p className="success-box">{t(DONE[done]!)}</p> : null}
      {result && !result.ok && result.errors.form ? (
        <p className="error-box" role="alert">
          {result.errors.form}
        </p>
      ) : null}

      <div className="grid grid-2">
        <section className="card" aria-labelledby="today-h">
          <h2 id="today-h">{t("terminals.col.today")}</h2>
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
        </section>

        <section className="card" aria-labelledby="rename-h">
          <h2 id="rename-h">{t("terminals.rename")}</h2>
          <Form method="post">
            <CsrfInput />
            <input type="hidden" name="intent" value="rename" />
            <div className="field">
              <label htmlFor="r-name">{t("terminals.col.name")}</label>
              <input id="r-name" name="name" required maxLength={80} defaultValue={x.name} aria-invalid={rename.name ? true : undefined} aria-describedby={rename.name ? "r-name-error" : undefined} />
              {rename.name ? (
                <p className="field-error" id="r-name-error">
                  {rename.name}
                </p>
              ) : null}
            </div>
            <div className="field">
              <label htmlFor="r-location">
                {t("terminals.location")} <span className="muted">({t("common.optional")})</span>
              </label>
              <input id="r-location" name="location" maxLength={120} defaultValue={x.location ?? ""} />
              {rename.location ? <p className="field-error">{rename.location}</p> : null}
            </div>
            <button type="submit" className="btn btn-primary" disabled={busy("rename")}>
              {busy("rename") ? t("common.saving") : t("common.save")}
            </button>
          </Form>
        </section>
      </div>

      {x.kind === "api" ? (
        <section className="card section" aria-labelledby="key-h">
          <h2 id="key-h">{t("terminals.col.apiKey")}</h2>
          {rotateResult?.ok && rotateResult.key ? <NewKey value={rotateResult.key} /> : null}
          <p>
            {x.hasActiveKey && x.apiKeyPrefix ? (
              <>
                {t("terminals.key.current")}{" "}
                <span className="mono">
                  {x.apiKeyPrefix}…{x.apiKeyLast4}
                </span>
                {x.apiKeyCreatedAt ? <span className="muted"> · {t("terminals.key.issued", { date: fmt.dateTime(x.apiKeyCreatedAt) })}</span> : null}
              </>
            ) : (
              t("terminals.noKey")
            )}
          </p>
          {x.status === "active" ? (
            <Form method="post">
              <CsrfInput />
              <input type="hidden" name="intent" value="rotate" />
              <input type="hidden" name="formKey" value={rotateKey} />
              <p className="muted">{x.hasActiveKey ? t("terminals.key.rotateHint") : t("terminals.key.issueHint")}</p>
              <StepUpFields error={rotateResult && !rotateResult.ok ? rotateResult.stepUp : null} />
              <button type="submit" className="btn btn-primary" disabled={busy("rotate")}>
                {x.hasActiveKey ? t("terminals.key.rotate") : t("terminals.key.issue")}
              </button>
            </Form>
          ) : (
            <p className="muted">{t("terminals.key.inactive")}</p>
          )}
        </section>
      ) : null}

      <section className="card section" aria-labelledby="status-h">
        <h2 id="status-h">{x.status === "active" ? t("terminals.deactivate") : t("terminals.reactivate")}</h2>
        {x.status === "active" ? (
          <Form method="post">
            <CsrfInput />
            <input type="hidden" name="intent" value="deactivate" />
            <p>{t("terminals.deactivateHint")}</p>
            <label className="check">
              <input type="checkbox" name="confirm" value="yes" aria-invalid={deactivate.confirm ? true : undefined} /> {t("terminals.deactivateConfirm")}
            </label>
            {deactivate.confirm ? <p className="field-error">{deactivate.confirm}</p> : null}
            <button type="submit" className="btn btn-danger" disabled={busy("deactivate")}>
              {t("terminals.deactivate")}
            </button>
          </Form>
        ) : (
          <Form method="post">
            <CsrfInput />
            <input type="hidden" name="intent" value="reactivate" />
            <p>{x.kind === "api" ? t("terminals.reactivateHintApi") : t("terminals.reactivateHint")}</p>
            <button type="submit" className="btn btn-primary" disabled={busy("reactivate")}>
              {t("terminals.reactivate")}
            </button>
          </Form>
        )}
      </section>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
