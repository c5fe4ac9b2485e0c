import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { RouteErrorBoundary } from "~/components/route-error";
import { CsrfInput } from "~/components/csrf";
import { pageTitle } from "~/components/console/meta";
import { EventTypePicker } from "~/components/console/event-types";
import { EndpointState, SecretOnce } from "~/components/console/webhooks";
import { useFormat, useT } from "~/lib/i18n/react";
import consoleStyles from "~/styles/console.css";
import { requireAction, requireContext } from "~/web/guard.server";
import { newFormKey, oncePerFormKey } from "~/web/form-key.server";
import { consoleActor, valuesOf, webhookFieldError } from "~/web/webhooks/console.server";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { EVENT_TYPES } from "~/modules/events/events.server";
import { createEndpoint, endpointState, listEndpoints, MAX_ENDPOINTS } from "~/modules/webhooks/endpoints.server";
import { endpointHealth, retryWindowMs } from "~/modules/webhooks/delivery.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "webhooks.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request, "developers:manage");
  const [endpoints, health] = await Promise.all([listEndpoints(ctx.scope), endpointHealth(ctx.scope)]);
  return json(
    {
      types: [...EVENT_TYPES],
      // One per rendering: a refreshed (re-sent) form never adds a second endpoint.
      submitKey: newFormKey(),
      max: MAX_ENDPOINTS,
      windowDays: Math.round(retryWindowMs() / 86400_000),
      endpoints: endpoints.map((e) => {
        const h = health.get(e.id);
        return {
          id: e.id,
          url: e.url,
          description: e.description,
          events: e.eventTypes,
          state: endpointState(e),
          attempts: h?.attempts ?? 0,
          succeeded: h?.succeeded ?? 0,
          retrying: h?.retrying ?? 0,
          lastAttemptAt: h?.lastAttemptAt?.toISOString() ?? null,
          lastStatus: h?.lastStatus ?? null,
        };
      }),
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

type ActionResult =
  | { ok: false; errors: Partial<Record<string, string>>; values: { url: string; description: string; events: string[] } }
  | { ok: true; created: { id: string; url: string; secret: string } };

export async function action({ request }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, "developers:manage");
  const t = serverTranslator(resolvePreferences(ctx));
  const values = valuesOf(form);
  const once = await oncePerFormKey(ctx, form, "/webhooks#create", async () => {
    const r = await createEndpoint(ctx.scope, { url: values.url, events: values.events, description: values.description }, consoleActor(ctx, request));
    return { result: r, remember: r.ok ? { endpointId: r.endpoint.id } : null };
  });
  if (once.kind === "replayed") return redirect(`/webhooks/${encodeURIComponent(once.stored.endpointId ?? "")}?done=alreadyAdded`, 303);
  if (once.kind === "in_progress") return json<ActionResult>({ ok: false, errors: { form: t("common.error.formInProgress") }, values }, { status: 409 });
  const r = once.result;
  if (!r.ok) {
    const e = webhookFieldError(t, r.error, values);
    return json<ActionResult>({ ok: false, errors: { [e.field]: e.message }, values }, { status: r.error.status });
  }
  // The secret is in this answer only: never stored in the clear elsewhere, never in a URL.
  return json<ActionResult>({ ok: true, created: { id: r.endpoint.id, url: r.endpoint.url, secret: r.secret } }, { headers: { "Cache-Control": "no-store" } });
}

export default function WebhooksPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const navigation = useNavigation();
  const [search] = useSearchParams();
  const t = useT();
  const fmt = useFormat();
  const errors = result && !result.ok ? result.errors : {};
  const values = result && !result.ok ? result.values : { url: "", description: "", events: [] as string[] };
  const saving = navigation.state === "submitting";
  // A new form after a success: keyed so its fields start empty again.
  const formKey = result?.ok ? result.created.id : "new";
  return (
    <>
      <div className="page-header">
        <div>
          <h1>{t("webhooks.title")}</h1>
          <p>{t("webhooks.intro")}</p>
        </div>
        <Link className="btn" to="/events">
          {t("nav.events")}
        </Link>
      </div>

      {search.get("done") === "deleted" ? <p className="success-box">{t("webhooks.done.deleted")}</p> : null}
      {result?.ok ? (
        <SecretOnce title={t("webhooks.done.created", { url: result.created.url })} hint={t("webhooks.secretOnce")} secret={result.created.secret}>
          <Link to={`/webhooks/${result.created.id}`}>{t("webhooks.openEndpoint")}</Link>
        </SecretOnce>
      ) : null}
      {errors.form ? (
        <p className="error-box" role="alert">
          {errors.form}
        </p>
      ) : null}

      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">{t("webhooks.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("webhooks.col.url")}</th>
              <th scope="col">{t("webhooks.col.events")}</th>
              <th scope="col">{t("common.status")}</th>
              <th scope="col">{t("webhooks.col.successRate")}</th>
              <th scope="col">{t("webhooks.col.lastDelivery")}</th>
            </tr>
          </thead>
          <tbody>
            {data.endpoints.map((e) => (
              <tr key={e.id}>
                <th scope="row">
                  <Link to={`/webhooks/${e.id}`} className="row-link">
                    <bdi className="mono" dir="ltr" style={{ overflowWrap: "anywhere" }}>
                      {e.url}
                    </bdi>
                  </Link>
                  {e.description ? <div className="muted">{e.description}</div> : null}
                </th>
                <td>
                  {e.events.includes("*") ? (
                    t("webhooks.field.allEvents")
                  ) : (
                    <bdi className="mono" dir="ltr">
                      {e.events.join(", ")}
                    </bdi>
                  )}
                </td>
                <td>
                  <EndpointState state={e.state} />
                </td>
                <td>
                  {e.attempts === 0 ? (
                    <span className="muted">{t("webhooks.noAttempts")}</span>
                  ) : (
                    <>
                      {fmt.percent(e.succeeded / e.attempts, 0)}
                      <div className="muted">{t("webhooks.rateOf", { count: e.attempts, days: 7 })}</div>
                    </>
                  )}
                  {e.retrying > 0 ? <div className="muted">{t("webhooks.retryingCount", { count: e.retrying })}</div> : null}
                </td>
                <td className="nowrap">
                  {e.lastAttemptAt ? (
                    <>
                      {fmt.dateTime(e.lastAttemptAt)}
                      <div className="muted" dir="ltr">
                        {e.lastStatus === null ? t("webhooks.noResponse") : fmt.digits(String(e.lastStatus))}
                      </div>
                    </>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {data.endpoints.length === 0 ? <div className="empty-state">{t("webhooks.empty")}</div> : null}
      </div>

      <section className="card section" aria-labelledby="new-endpoint-h">
        <h2 id="new-endpoint-h">{t("webhooks.new")}</h2>
        <p className="muted">{t("webhooks.newHint", { days: data.windowDays, max: data.max })}</p>
        <Form method="post" key={formKey} noValidate>
          <CsrfInput />
          <input type="hidden" name="formKey" value={data.submitKey} />
          <div className="field">
            <label htmlFor="wh-url">{t("webhooks.field.url")}</label>
            <input
              id="wh-url"
              name="url"
              type="url"
              dir="ltr"
              inputMode="url"
              autoComplete="off"
              placeholder={t("webhooks.field.urlPlaceholder")}
              defaultValue={values.url}
              maxLength={2000}
              aria-invalid={errors.url ? true : undefined}
              aria-describedby={errors.url ? "wh-url-hint wh-url-error" : "wh-url-hint"}
            />
            <p className="hint" id="wh-url-hint">
              {t("webhooks.field.urlHint")}
            </p>
            {errors.url ? (
              <p className="field-error" id="wh-url-error">
                {errors.url}
              </p>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="wh-description">{t("webhooks.field.description")}</label>
            <input id="wh-description" name="description" maxLength={200} defaultValue={values.description} aria-invalid={errors.description ? true : undefined} />
            {errors.description ? <p className="field-error">{errors.description}</p> : null}
          </div>
          <EventTypePicker id="wh-events" types={data.types} selected={values.events} error={errors.events} />
          <button type="submit" className="btn btn-primary" disabled={saving}>
            {saving ? t("common.saving") : t("webhooks.add")}
          </button>
        </Form>
      </section>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
