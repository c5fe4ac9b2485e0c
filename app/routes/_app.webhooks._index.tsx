import { memberActor } from "~/lib/vocabulary";
import { clientOf } from "~/web/request.server";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, SubmitButton, useFormFailure } from "~/components/form";
import { Card, PageHeader, Table } from "~/components/page";
import { RouteErrorBoundary } from "~/components/route-error";
import { CsrfInput } from "~/components/csrf";
import { pageTitle } from "~/components/console/meta";
import { EndpointFields, EndpointState, SecretOnce } from "~/components/console/webhooks";
import { useFormat, useT } from "~/lib/i18n/react";
import consoleStyles from "~/styles/console.css";
import { requireAction, requireContext } from "~/web/guard.server";
import { newFormKey, oncePerFormKey } from "~/web/form-key.server";
import { formRecord, parseForm, refuse, typedValues } from "~/web/form.server";
import { endpointFields, webhookErrors } from "~/web/webhooks/console.server";
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

type Created = { ok: true; created: { id: string; url: string; secret: string } };

export async function action({ request }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, "developers:manage");
  const t = serverTranslator(resolvePreferences(ctx));
  const raw = formRecord(form, ["events"]);
  const values = typedValues(raw);
  const parsed = parseForm(z.object(endpointFields), raw, t, "staff.error.checkForm");
  if (!parsed.ok) return refuse(parsed.errors, { values });
  const input = parsed.data;
  const once = await oncePerFormKey(ctx, form, "/webhooks#create", async () => {
    const r = await createEndpoint(ctx.scope, input, memberActor(ctx, clientOf(request)));
    return { result: r, remember: r.ok ? { endpointId: r.endpoint.id } : null };
  });
  if (once.kind === "replayed") return redirect(`/webhooks/${encodeURIComponent(once.stored.endpointId ?? "")}?done=alreadyAdded`, 303);
  if (once.kind === "in_progress") return refuse(t("common.error.formInProgress"), { status: 409, values });
  const r = once.result;
  if (!r.ok) return refuse(webhookErrors(t, r.error, input), { status: r.error.status, values });
  // The secret is in this answer only: never stored in the clear elsewhere, never in a URL.
  return json<Created>({ ok: true, created: { id: r.endpoint.id, url: r.endpoint.url, secret: r.secret } }, { headers: { "Cache-Control": "no-store" } });
}

export default function WebhooksPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const created = result && "created" in result ? result.created : null;
  const form = useFormFailure();
  const navigation = useNavigation();
  const [search] = useSearchParams();
  const t = useT();
  const fmt = useFormat();
  const saving = navigation.state === "submitting";
  // A new form after a success: keyed so its fields start empty again.
  const formKey = created ? created.id : "new";
  return (
    <>
      <PageHeader title={t("webhooks.title")} intro={t("webhooks.intro")}>
        <Link className="btn" to="/events">
          {t("nav.events")}
        </Link>
      </PageHeader>

      {search.get("done") === "deleted" ? <p className="success-box">{t("webhooks.done.deleted")}</p> : null}
      {created ? (
        <SecretOnce title={t("webhooks.done.created", { url: created.url })} hint={t("webhooks.secretOnce")} secret={created.secret}>
          <Link to={`/webhooks/${created.id}`}>{t("webhooks.openEndpoint")}</Link>
        </SecretOnce>
      ) : null}

      <Table
        caption={t("webhooks.title")}
        hiddenCaption
        columns={[t("webhooks.col.url"), t("webhooks.col.events"), t("common.status"), t("webhooks.col.successRate"), t("webhooks.col.lastDelivery")]}
        empty={data.endpoints.length === 0 ? t("webhooks.empty") : null}
      >
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
      </Table>

      <Card headingId="new-endpoint-h" title={t("webhooks.new")} className="section">
        <p className="muted">{t("webhooks.newHint", { days: data.windowDays, max: data.max })}</p>
        <Form method="post" key={formKey} noValidate>
          <CsrfInput />
          <input type="hidden" name="formKey" value={data.submitKey} />
          <ErrorSummary form={form} />
          <EndpointFields form={form} idPrefix="wh-" types={data.types} />
          <SubmitButton busy={saving} busyLabel={t("common.saving")}>{t("webhooks.add")}</SubmitButton>
        </Form>
      </Card>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
