import { memberActor } from "~/lib/vocabulary";
import { clientOf } from "~/web/request.server";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { CsrfInput } from "~/components/csrf";
import { pageTitle } from "~/components/console/meta";
import { DeliveryStatus } from "~/components/console/webhooks";
import { RouteErrorBoundary } from "~/components/route-error";
import { useFormat, useT } from "~/lib/i18n/react";
import { requireAction } from "~/web/guard.server";
import { requireFound } from "~/web/detail-loader.server";
import { getEvent, serializeEvent } from "~/modules/events/events.server";
import { listDeliveries, resendEvent } from "~/modules/webhooks/delivery.server";
import { listEndpoints } from "~/modules/webhooks/endpoints.server";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { Card, DetailHeader, Table } from "~/components/page";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "events.title");

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { ctx, found: e } = await requireFound(request, "developers:manage", { type: "event", id: params.eventId }, (ctx, id) => getEvent(ctx.scope, id));
  const deliveries = await listDeliveries(ctx.scope, { eventId: e.id, limit: 50 });
  const endpoints = (await listEndpoints(ctx.scope)).map((x) => ({ id: x.id, url: x.url }));
  return json(
    {
      event: JSON.stringify(serializeEvent(e), null, 2),
      id: e.id,
      type: e.type,
      seq: e.seq,
      createdAt: e.createdAt.toISOString(),
      endpoints,
      deliveries: deliveries.map((d) => ({
        id: d.id,
        url: d.url,
        endpointId: d.endpointId,
        status: d.status,
        attempts: d.attempts,
        responseStatus: d.responseStatus,
        lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
        error: d.error,
      })),
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, "developers:manage");
  const t = serverTranslator(resolvePreferences(ctx));
  const endpointId = String(form.get("endpointId") ?? "");
  const r = await resendEvent(ctx.scope, endpointId, params.eventId ?? "", memberActor(ctx, clientOf(request)));
  if (!r.ok) return json({ ok: false, message: t("webhooks.error.unknown", { message: r.error.message }) }, { status: r.error.status });
  return json({ ok: true, message: t("events.detail.resent") });
}

export default function EventPage() {
  const data = useLoaderData<typeof loader>();
  const done = useActionData<typeof action>();
  const t = useT();
  const fmt = useFormat();
  return (
    <>
      <DetailHeader
        back={{ to: "/events", label: t("events.title") }}
        title={data.type}
        heading={{ dir: "ltr", className: "mono", style: { overflowWrap: "anywhere" } }}
        intro={
          <>
            <bdi className="mono">{data.id}</bdi> · {t("events.col.seq")} {fmt.number(data.seq)} · {fmt.dateTime(data.createdAt)}
          </>
        }
      />
      {done ? (
        <p className={done.ok ? "notice" : "field-error"} role="status">
          {done.message}
        </p>
      ) : null}
      <Card headingId="ev-json" title={t("events.detail.json")} className="section">
        <pre dir="ltr" style={{ overflowX: "auto", maxHeight: 480, fontSize: "0.8rem" }}>
          {data.event}
        </pre>
      </Card>
      <Card headingId="ev-del" title={t("events.detail.deliveries")} className="section">
        {data.deliveries.length === 0 ? <p className="muted">{t("events.detail.noDeliveries")}</p> : null}
        {data.deliveries.length > 0 ? (
          <Table columns={[t("webhooks.col.url"), t("common.status"), t("webhooks.detail.attempts"), t("webhooks.detail.response")]}>
            <tbody>
              {data.deliveries.map((d) => (
                <tr key={d.id}>
                  <td>
                    <Link to={`/webhooks/${d.endpointId}`}>
                      <bdi className="mono" style={{ overflowWrap: "anywhere" }}>
                        {d.url}
                      </bdi>
                    </Link>
                  </td>
                  <td>
                    <DeliveryStatus status={d.status} />
                  </td>
                  <td className="num">{fmt.number(d.attempts)}</td>
                  <td dir="ltr">{d.responseStatus ?? d.error ?? "—"}</td>
                </tr>
              ))}
            </tbody>
        </Table>
        ) : null}
        {data.endpoints.length > 0 ? (
          <Form method="post" className="form-row" style={{ marginBlockStart: "1rem" }}>
            <CsrfInput />
            <div className="field">
              <label htmlFor="resend-to">{t("events.detail.resendTo")}</label>
              <select id="resend-to" name="endpointId" dir="ltr">
                {data.endpoints.map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.url}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="btn">
              {t("events.detail.resend")}
            </button>
          </Form>
        ) : null}
      </Card>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
