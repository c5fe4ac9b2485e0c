import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { RouteErrorBoundary } from "~/components/route-error";
import { CsrfInput } from "~/components/csrf";
import { DayInput } from "~/components/day-input";
import { pageTitle } from "~/components/console/meta";
import { EventTypePicker } from "~/components/console/event-types";
import { DeliveryStatus, EndpointState, SecretOnce } from "~/components/console/webhooks";
import type { MessageKey } from "~/lib/i18n/en";
import { useFormat, useT } from "~/lib/i18n/react";
import { isValidLocalDateKey, zonedTimeToUtc } from "~/lib/dates/zones";
import { normalizeDayInput } from "~/lib/day-input";
import { toLatinDigits } from "~/lib/digits";
import consoleStyles from "~/styles/console.css";
import { notFound, requireAction, requireContext } from "~/web/guard.server";
import { consoleActor, valuesOf, webhookFieldError } from "~/web/webhooks/console.server";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { EVENT_TYPES, listEvents } from "~/modules/events/events.server";
import { deleteEndpoint, endpointState, getEndpoint, rotateSecret, updateEndpoint } from "~/modules/webhooks/endpoints.server";
import { attemptsOf, endpointHealth, listDeliveries, replayEvents, resendEvent, retryWindowMs, sendTestEvent } from "~/modules/webhooks/delivery.server";
import { Table } from "~/components/page";
import { newFormKey, oncePerFormKey } from "~/web/form-key.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "webhooks.detail.title");

const EXCERPT = 160;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const ctx = await requireContext(request, "developers:manage");
  const id = params.endpointId ?? "";
  const e = /^[A-Za-z0-9_]{1,100}$/.test(id) ? await getEndpoint(ctx.scope, id) : undefined;
  if (!e) return notFound(ctx, request, { type: "webhook_endpoint", id });
  const show = new URL(request.url).searchParams.get("show") === "unsuccessful" ? "unsuccessful" : "all";
  const [health, deliveries, last] = await Promise.all([
    endpointHealth(ctx.scope),
    listDeliveries(ctx.scope, { endpointId: e.id, limit: 50, status: show === "unsuccessful" ? "unsuccessful" : undefined }),
    listEvents(ctx.scope, { limit: 1, order: "desc" }),
  ]);
  const attempts = await attemptsOf(
    ctx.scope,
    deliveries.map((d) => d.id),
  );
  const h = health.get(e.id);
  const now = Date.now();
  return json(
    {
      types: [...EVENT_TYPES],
      /** One-time key for the forms a refresh must not repeat (rotate, test, resend, replay). */
      submitKey: newFormKey(),
      windowDays: Math.round(retryWindowMs() / 86400_000),
      lastSeq: last.events[0]?.seq ?? 0,
      show,
      endpoint: {
        id: e.id,
        url: e.url,
        description: e.description,
        events: e.eventTypes,
        state: endpointState(e),
        createdAt: e.createdAt.toISOString(),
        previousSecretExpiresAt: e.previousSecretExpiresAt && e.previousSecretExpiresAt.getTime() > now ? e.previousSecretExpiresAt.toISOString() : null,
        failingSince: e.failingSince?.toISOString() ?? null,
        attempts: h?.attempts ?? 0,
        succeeded: h?.succeeded ?? 0,
      },
      deliveries: deliveries.map((d) => ({
        id: d.id,
        eventId: d.eventId,
        eventSeq: d.eventSeq,
        eventType: d.eventType,
        reason: d.reason,
        status: d.status,
        attempts: d.attempts,
        responseStatus: d.responseStatus,
        durationMs: d.durationMs,
        error: d.error,
        excerpt: d.responseBody ? d.responseBody.slice(0, EXCERPT) : null,
        lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
        nextAttemptAt: d.status === "retrying" ? (d.nextAttemptAt?.toISOString() ?? null) : null,
        createdAt: d.createdAt.toISOString(),
        tries: attempts
          .filter((a) => a.deliveryId === d.id)
          .map((a) => ({ attempt: a.attempt, at: a.at.toISOString(), status: a.responseStatus, durationMs: a.durationMs, error: a.error, body: a.responseBody })),
      })),
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

const intentSchema = z.enum(["update", "enable", "disable", "rotate", "test", "delete", "resend", "replay"]);

type Errors = Partial<Record<string, string>>;
type ActionResult =
  | { intent: string; ok: false; errors: Errors; values?: { url: string; description: string; events: string[] }; replay?: { after: string; day: string; time: string } }
  | { intent: string; ok: true; notice: string; secret?: string };

export async function action({ request, params }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, "developers:manage");
  const t = serverTranslator(resolvePreferences(ctx));
  const id = params.endpointId ?? "";
  const actor = consoleActor(ctx, request);
  const intent = intentSchema.safeParse(form.get("intent"));
  if (!intent.success) return json<ActionResult>({ intent: "", ok: false, errors: { form: t("webhooks.error.intent") } }, { status: 400 });
  const refused = (i: string, f: Parameters<typeof webhookFieldError>[1], extra: Partial<ActionResult> = {}) => {
    const e = webhookFieldError(t, f, { url: String(form.get("url") ?? "") });
    return json<ActionResult>({ intent: i, ok: false, errors: { [e.field]: e.message }, ...extra } as ActionResult, { status: f.status });
  };
  const done = (i: string, notice: string) => json<ActionResult>({ intent: i, ok: true, notice });
  // Rotating, testing, resending and replaying are done once per rendered form: the browser's
  // refresh of the answer re-sends the same key and is redirected to the page, which says so.
  const once = async (i: string, make: () => Promise<{ res: Response; changed: boolean }>): Promise<Response> => {
    const o = await oncePerFormKey(ctx, form, `/webhooks/${id}#${i}`, async () => {
      const r = await make();
      return { result: r.res, remember: r.changed ? { intent: i } : null };
    });
    if (o.kind === "replayed") return redirect(`/webhooks/${encodeURIComponent(id)}?done=alreadyDone`, 303);
    if (o.kind === "in_progress") return json<ActionResult>({ intent: i, ok: false, errors: { form: t("common.error.formInProgress") } }, { status: 409 });
    return o.result;
  };
  switch (intent.data) {
    case "update": {
      const values = valuesOf(form);
      const r = await updateEndpoint(ctx.scope, id, { url: values.url, events: values.events, description: values.description }, actor);
      return r.ok ? done("update", t("webhooks.done.updated")) : refused("update", r.error, { values });
    }
    case "enable":
    case "disable": {
      const r = await updateEndpoint(ctx.scope, id, { enabled: intent.data === "enable" }, actor);
      return r.ok ? done(intent.data, t(intent.data === "enable" ? "webhooks.done.enabled" : "webhooks.done.disabled")) : refused(intent.data, r.error);
    }
    case "rotate":
      return once("rotate", async () => {
        const r = await rotateSecret(ctx.scope, id, actor);
        if (!r.ok) return { res: refused("rotate", r.error), changed: false };
        // Shown once, in this answer only (never stored under the form key).
        return { res: json<ActionResult>({ intent: "rotate", ok: true, notice: t("webhooks.secretRotated"), secret: r.secret }, { headers: { "Cache-Control": "no-store" } }), changed: true };
      });
    case "test":
      return once("test", async () => {
        const r = await sendTestEvent(ctx.scope, id, actor);
        return r.ok ? { res: done("test", t("webhooks.done.test")), changed: true } : { res: refused("test", r.error), changed: false };
      });
    case "delete": {
      if (form.get("confirm") !== "yes") return json<ActionResult>({ intent: "delete", ok: false, errors: { confirm: t("webhooks.error.confirmDelete") } }, { status: 400 });
      const r = await deleteEndpoint(ctx.scope, id, actor);
      return r.ok ? redirect("/webhooks?done=deleted") : refused("delete", r.error);
    }
    case "resend":
      return once("resend", async () => {
        const r = await resendEvent(ctx.scope, id, String(form.get("eventId") ?? ""), actor);
        return r.ok ? { res: done("resend", t("webhooks.done.resend")), changed: true } : { res: refused("resend", r.error), changed: false };
      });
    case "replay": {
      const after = toLatinDigits(String(form.get("after") ?? "")).trim();
      const dayRaw = String(form.get("sinceDay") ?? "").trim();
      const time = toLatinDigits(String(form.get("sinceTime") ?? "")).trim();
      const replay = { after, day: dayRaw.slice(0, 20), time: time.slice(0, 8) };
      const bad = (field: string, key: MessageKey) => json<ActionResult>({ intent: "replay", ok: false, errors: { [field]: t(key) }, replay }, { status: 400 });
      let from: { after?: number; since?: Date };
      if (after !== "") {
        if (!/^\d{1,15}$/.test(after)) return bad("after", "webhooks.error.after_invalid");
        from = { after: Number(after) };
      } else if (dayRaw !== "") {
        const day = normalizeDayInput(toLatinDigits(dayRaw));
        if (!isValidLocalDateKey(day)) return bad("sinceDay", "webhooks.error.sinceDay");
        const m = /^(\d{1,2}):(\d{2})$/.exec(time || "00:00");
        if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return bad("sinceTime", "webhooks.error.sinceTime");
        const [y, mo, d] = day.split("-").map(Number) as [number, number, number];
        const since = zonedTimeToUtc({ year: y, month: mo, day: d, hour: Number(m[1]), minute: Number(m[2]) }, ctx.merchant.timeZone);
        if (since.getTime() > Date.now()) return bad("sinceDay", "webhooks.error.sinceFuture");
        from = { since };
      } else {
        return bad("after", "webhooks.error.after_invalid");
      }
      const start = from;
      return once("replay", async () => {
        const r = await replayEvents(ctx.scope, id, start, actor);
        return r.ok ? { res: done("replay", t("webhooks.done.replay", { count: r.count })), changed: true } : { res: refused("replay", r.error, { replay }), changed: false };
      });
    }
  }
}

export default function WebhookEndpointPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const navigation = useNavigation();
  const [search] = useSearchParams();
  const t = useT();
  const fmt = useFormat();
  const e = data.endpoint;
  const busy = (intent: string) => navigation.state === "submitting" && navigation.formData?.get("intent") === intent;
  const errorsFor = (intent: string): Errors => (result && !result.ok && result.intent === intent ? result.errors : {});
  const upd = errorsFor("update");
  const rep = errorsFor("replay");
  const del = errorsFor("delete");
  const updValues = result && !result.ok && result.intent === "update" && result.values ? result.values : { url: e.url, description: e.description ?? "", events: e.events };
  const repValues = result && !result.ok && result.intent === "replay" && result.replay ? result.replay : { after: "", day: "", time: "" };
  const formError = result && !result.ok ? (result.errors.form ?? (["resend", "test", "rotate", "enable", "disable"].includes(result.intent) ? Object.values(result.errors)[0] : undefined)) : undefined;
  const toggle = new URLSearchParams(search);
  if (data.show === "unsuccessful") toggle.delete("show");
  else toggle.set("show", "unsuccessful");

  return (
    <>
      <p>
        <Link to="/webhooks">{t("webhooks.back")}</Link>
      </p>
      <div className="page-header">
        <div>
          <h1 className="mono" dir="ltr" style={{ overflowWrap: "anywhere", fontSize: "1.25rem" }}>
            {e.url}
          </h1>
          <p>
            <EndpointState state={e.state} /> <bdi className="mono">{e.id}</bdi> · {t("common.created")} {fmt.dateTime(e.createdAt)}
          </p>
          {e.description ? <p>{e.description}</p> : null}
        </div>
      </div>

      {!result && search.get("done") === "alreadyAdded" ? (
        <p className="notice" role="status" data-testid="already-added">
          {t("webhooks.done.alreadyAdded")}
        </p>
      ) : null}
      {!result && search.get("done") === "alreadyDone" ? (
        <p className="notice" role="status" data-testid="already-done">
          {t("webhooks.done.alreadyDone")}
        </p>
      ) : null}
      {result?.ok ? (
        result.secret ? (
          <SecretOnce title={result.notice} hint={t("webhooks.secretOnce")} secret={result.secret} />
        ) : (
          <p className="success-box" role="status">
            {result.notice}
          </p>
        )
      ) : null}
      {formError ? (
        <p className="error-box" role="alert">
          {formError}
        </p>
      ) : null}
      {e.state === "auto_disabled" ? (
        <p className="error-box">{t("webhooks.autoDisabled", { days: data.windowDays })}</p>
      ) : e.failingSince && e.state === "enabled" ? (
        <p className="notice">{t("webhooks.failingSince", { time: fmt.dateTime(e.failingSince), days: data.windowDays })}</p>
      ) : null}

      <div className="grid grid-2">
        <section className="card" aria-labelledby="health-h">
          <h2 id="health-h">{t("webhooks.col.successRate")}</h2>
          {e.attempts === 0 ? (
            <p className="muted">{t("webhooks.noAttempts")}</p>
          ) : (
            <>
              <p className="kpi-value num">{fmt.percent(e.succeeded / e.attempts, 0)}</p>
              <p className="muted">{t("webhooks.rateOf", { count: e.attempts, days: 7 })}</p>
            </>
          )}
          <div className="form-row">
            <Form method="post">
              <CsrfInput />
              <input type="hidden" name="intent" value="test" />
              <input type="hidden" name="formKey" value={data.submitKey} />
              <button type="submit" className="btn" disabled={busy("test")}>
                {t("webhooks.action.test")}
              </button>
            </Form>
            <Form method="post">
              <CsrfInput />
              <input type="hidden" name="intent" value={e.state === "enabled" ? "disable" : "enable"} />
              <button type="submit" className={e.state === "enabled" ? "btn" : "btn btn-primary"} disabled={busy("enable") || busy("disable")}>
                {e.state === "enabled" ? t("webhooks.action.disable") : t("webhooks.action.enable")}
              </button>
            </Form>
          </div>
        </section>

        <section className="card" aria-labelledby="secret-h">
          <h2 id="secret-h">{t("webhooks.secret.title")}</h2>
          <p className="muted">{t("webhooks.secret.hint")}</p>
          {e.previousSecretExpiresAt ? <p className="notice">{t("webhooks.secret.overlap", { time: fmt.dateTime(e.previousSecretExpiresAt) })}</p> : null}
          <Form method="post">
            <CsrfInput />
            <input type="hidden" name="intent" value="rotate" />
              <input type="hidden" name="formKey" value={data.submitKey} />
            <button type="submit" className="btn" disabled={busy("rotate")}>
              {t("webhooks.action.rotate")}
            </button>
          </Form>
        </section>
      </div>

      <section className="card section" aria-labelledby="deliveries-h">
        <div className="section-header">
          <h2 id="deliveries-h">{t("webhooks.detail.deliveries")}</h2>
          <Link to={`?${toggle}`} replace>
            {data.show === "unsuccessful" ? t("webhooks.showAll") : t("webhooks.showUnsuccessful")}
          </Link>
        </div>
        {data.deliveries.length === 0 ? (
          <p className="muted">{t("webhooks.detail.noDeliveries")}</p>
        ) : (
          <Table columns={[t("webhooks.col.event"), t("common.status"), t("webhooks.col.code"), t("webhooks.col.duration"), t("webhooks.col.when"), t("webhooks.detail.response"), <><span className="visually-hidden">{t("webhooks.action.resend")}</span></>]}>
            <tbody>
              {data.deliveries.map((d) => (
                <tr key={d.id} data-delivery={d.id}>
                  <td>
                    {d.reason === "test" ? (
                      <bdi className="mono" dir="ltr">
                        {d.eventType}
                      </bdi>
                    ) : (
                      <Link to={`/events/${d.eventId}`}>
                        <bdi className="mono" dir="ltr">
                          {d.eventType}
                        </bdi>
                      </Link>
                    )}
                    <div className="muted">
                      {d.eventSeq !== null ? `${t("events.col.seq")} ${fmt.number(d.eventSeq)}` : null}
                      {d.reason !== "event" ? ` · ${t(`webhooks.reason.${d.reason}` as MessageKey)}` : null}
                    </div>
                  </td>
                  <td>
                    <DeliveryStatus status={d.status} />
                    <div className="muted">{t("webhooks.attemptsCount", { count: d.attempts })}</div>
                  </td>
                  <td dir="ltr" className="num">
                    {d.responseStatus !== null ? fmt.digits(String(d.responseStatus)) : d.attempts > 0 ? t("webhooks.noResponse") : "—"}
                  </td>
                  <td className="num nowrap">{d.durationMs !== null ? t("webhooks.detail.duration", { ms: d.durationMs }) : "—"}</td>
                  <td className="nowrap">
                    {d.lastAttemptAt ? fmt.dateTime(d.lastAttemptAt) : fmt.dateTime(d.createdAt)}
                    {d.nextAttemptAt ? <div className="muted">{t("webhooks.detail.nextTry", { time: fmt.dateTime(d.nextAttemptAt) })}</div> : null}
                  </td>
                  <td className="webhook-response">
                    {d.error && d.responseStatus === null ? (
                      <bdi className="mono" dir="ltr">
                        {d.error}
                      </bdi>
                    ) : d.excerpt ? (
                      <code dir="ltr">{d.excerpt}</code>
                    ) : (
                      <span className="muted">—</span>
                    )}
                    {d.tries.length > 0 ? (
                      <details>
                        <summary>{t("webhooks.detail.attemptLog", { count: d.tries.length })}</summary>
                        <ol className="attempt-log">
                          {d.tries.map((a) => (
                            <li key={a.attempt}>
                              <span className="nowrap">{fmt.dateTime(a.at)}</span> · <span dir="ltr">{a.status ?? "—"}</span> · {t("webhooks.detail.duration", { ms: a.durationMs })}
                              {a.error ? (
                                <div>
                                  <bdi className="mono" dir="ltr">
                                    {a.error}
                                  </bdi>
                                </div>
                              ) : null}
                              {a.body ? <pre dir="ltr">{a.body}</pre> : null}
                            </li>
                          ))}
                        </ol>
                      </details>
                    ) : null}
                  </td>
                  <td>
                    {d.reason !== "test" ? (
                      <Form method="post">
                        <CsrfInput />
                        <input type="hidden" name="intent" value="resend" />
              <input type="hidden" name="formKey" value={data.submitKey} />
                        <input type="hidden" name="eventId" value={d.eventId} />
                        <button type="submit" className="btn" aria-label={t("webhooks.resendLabel", { type: d.eventType, seq: d.eventSeq ?? 0 })}>
                          {t("webhooks.action.resend")}
                        </button>
                      </Form>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
        </Table>
        )}
      </section>

      <section className="card section" aria-labelledby="replay-h">
        <h2 id="replay-h">{t("webhooks.replay.title")}</h2>
        <p className="muted">{t("webhooks.replay.help")}</p>
        <p className="muted">{t("webhooks.replay.last", { seq: data.lastSeq })}</p>
        <Form method="post" key={result?.ok && result.intent === "replay" ? "sent" : "replay"}>
          <CsrfInput />
          <input type="hidden" name="intent" value="replay" />
              <input type="hidden" name="formKey" value={data.submitKey} />
          <div className="form-row">
            <div className="field">
              <label htmlFor="rp-after">{t("webhooks.replay.after")}</label>
              <input
                id="rp-after"
                name="after"
                inputMode="numeric"
                dir="ltr"
                size={10}
                defaultValue={repValues.after}
                aria-invalid={rep.after ? true : undefined}
                aria-describedby={rep.after ? "rp-after-error" : undefined}
              />
              {rep.after ? (
                <p className="field-error" id="rp-after-error">
                  {rep.after}
                </p>
              ) : null}
            </div>
            <div className="field">
              <label htmlFor="rp-day">{t("webhooks.replay.since")}</label>
              <DayInput id="rp-day" name="sinceDay" defaultValue={repValues.day} invalid={!!rep.sinceDay} describedBy={rep.sinceDay ? "rp-day-error" : undefined} />
              {rep.sinceDay ? (
                <p className="field-error" id="rp-day-error">
                  {rep.sinceDay}
                </p>
              ) : null}
            </div>
            <div className="field">
              <label htmlFor="rp-time">{t("webhooks.replay.sinceTime")}</label>
              <input id="rp-time" name="sinceTime" type="time" dir="ltr" defaultValue={repValues.time} aria-invalid={rep.sinceTime ? true : undefined} />
              {rep.sinceTime ? <p className="field-error">{rep.sinceTime}</p> : null}
            </div>
          </div>
          <p className="hint">{t("webhooks.replay.zone", { zone: fmt.zoneName() })}</p>
          <button type="submit" className="btn btn-primary" disabled={busy("replay")}>
            {t("webhooks.replay.submit")}
          </button>
        </Form>
      </section>

      <section className="card section" aria-labelledby="edit-h">
        <h2 id="edit-h">{t("webhooks.edit")}</h2>
        <Form method="post" noValidate key={result?.ok && result.intent === "update" ? "saved" : "edit"}>
          <CsrfInput />
          <input type="hidden" name="intent" value="update" />
          <div className="field">
            <label htmlFor="ed-url">{t("webhooks.field.url")}</label>
            <input
              id="ed-url"
              name="url"
              type="url"
              dir="ltr"
              defaultValue={updValues.url}
              maxLength={2000}
              aria-invalid={upd.url ? true : undefined}
              aria-describedby={upd.url ? "ed-url-error" : undefined}
            />
            {upd.url ? (
              <p className="field-error" id="ed-url-error">
                {upd.url}
              </p>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="ed-description">{t("webhooks.field.description")}</label>
            <input id="ed-description" name="description" maxLength={200} defaultValue={updValues.description} />
            {upd.description ? <p className="field-error">{upd.description}</p> : null}
          </div>
          <EventTypePicker id="ed-events" types={data.types} selected={updValues.events} error={upd.events} />
          <button type="submit" className="btn btn-primary" disabled={busy("update")}>
            {busy("update") ? t("common.saving") : t("common.save")}
          </button>
        </Form>
      </section>

      <section className="card section" aria-labelledby="delete-h">
        <h2 id="delete-h">{t("webhooks.action.delete")}</h2>
        <Form method="post">
          <CsrfInput />
          <input type="hidden" name="intent" value="delete" />
          <p>{t("webhooks.deleteHint")}</p>
          <label className="check">
            <input type="checkbox" name="confirm" value="yes" aria-invalid={del.confirm ? true : undefined} /> {t("webhooks.deleteConfirm")}
          </label>
          {del.confirm ? <p className="field-error">{del.confirm}</p> : null}
          <button type="submit" className="btn btn-danger" disabled={busy("delete")}>
            {t("webhooks.action.delete")}
          </button>
        </Form>
      </section>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
