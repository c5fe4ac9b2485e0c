import { memberActor } from "~/lib/vocabulary";
import { clientOf } from "~/web/request.server";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import type { ReactNode } from "react";
import { z } from "zod";
import { RouteErrorBoundary } from "~/components/route-error";
import { CsrfInput } from "~/components/csrf";
import { DayField } from "~/components/day-input";
import { pageTitle } from "~/components/console/meta";
import { DeliveryStatus, EndpointFields, EndpointState, SecretOnce } from "~/components/console/webhooks";
import { CheckField, ErrorSummary, Field, IntentForm, SubmitButton, useFormFailure } from "~/components/form";
import type { MessageKey } from "~/lib/i18n/en";
import { useFormat, useT } from "~/lib/i18n/react";
import { isValidLocalDateKey, zonedTimeToUtc } from "~/lib/dates/zones";
import { normalizeDayInput } from "~/lib/day-input";
import { toLatinDigits } from "~/lib/digits";
import consoleStyles from "~/styles/console.css";
import { requireAction } from "~/web/guard.server";
import { requireFound } from "~/web/detail-loader.server";
import { formRecord, parseForm, refuse, typedValues } from "~/web/form.server";
import { endpointFields, webhookErrors } from "~/web/webhooks/console.server";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { EVENT_TYPES, listEvents } from "~/modules/events/events.server";
import { deleteEndpoint, endpointState, getEndpoint, rotateSecret, updateEndpoint } from "~/modules/webhooks/endpoints.server";
import { attemptsOf, endpointHealth, listDeliveries, replayEvents, resendEvent, retryWindowMs, sendTestEvent } from "~/modules/webhooks/delivery.server";
import { Card, DetailHeader, Table } from "~/components/page";
import { newFormKey, oncePerFormKey } from "~/web/form-key.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "webhooks.detail.title");

const EXCERPT = 160;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { ctx, found: e } = await requireFound(request, "developers:manage", { type: "webhook_endpoint", id: params.endpointId }, (ctx, id) => getEndpoint(ctx.scope, id));
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

// Built when the action runs: the endpoint's fields come from a .server module, which is not
// in the browser's bundle. Messages are catalog keys.
const endpointForm = () => {
  const latin = (max: number) => z.string().max(max).default("").transform((v) => toLatinDigits(v).trim());
  return z.discriminatedUnion("intent", [
    z.object({ intent: z.literal("update"), ...endpointFields }),
    z.object({ intent: z.literal("enable") }),
    z.object({ intent: z.literal("disable") }),
    z.object({ intent: z.literal("rotate") }),
    z.object({ intent: z.literal("test") }),
    z.object({ intent: z.literal("delete"), confirm: z.string().max(10).optional() }),
    z.object({ intent: z.literal("resend"), eventId: z.string().max(100).default("") }),
    z.object({
      intent: z.literal("replay"),
      after: latin(20).refine((v) => v === "" || /^\d{1,15}$/.test(v), "webhooks.error.after_invalid"),
      sinceDay: latin(20),
      sinceTime: latin(8),
    }),
  ]);
};

/** The fields a refusal names, each with its own sentence when the form did not read at all. */
const READ_ERROR: Record<string, MessageKey> = {
  form: "webhooks.error.intent",
  after: "webhooks.error.after_invalid",
  sinceDay: "webhooks.error.sinceDay",
  sinceTime: "webhooks.error.sinceTime",
};

/** The forms whose refusal the page says above everything (their forms are just a button). */
const BUTTONS = ["test", "enable", "disable", "rotate", "resend", ""] as const;

type Done = { intent: string; ok: true; notice: string; secret?: string };

export async function action({ request, params }: ActionFunctionArgs) {
  // The replay's day is checked below, beside its field (the edge would answer a page of its own).
  const { ctx, form } = await requireAction(request, "developers:manage", { dates: false });
  const t = serverTranslator(resolvePreferences(ctx));
  const id = params.endpointId ?? "";
  const actor = memberActor(ctx, clientOf(request));
  const raw = formRecord(form, ["events"]);
  const values = typedValues(raw);
  const intent = typeof raw.intent === "string" ? raw.intent : "";
  const parsed = parseForm(endpointForm(), raw, t, (field) => t(READ_ERROR[field] ?? "staff.error.checkForm"));
  if (!parsed.ok) return refuse(parsed.errors, { intent, values });
  const input = parsed.data;
  const refused = (f: Parameters<typeof webhookErrors>[1]) => refuse(webhookErrors(t, f, { url: values.url }), { intent, status: f.status, values });
  const done = (notice: string) => json<Done>({ intent, ok: true, notice });
  // Rotating, testing, resending and replaying are done once per rendered form: the browser's
  // refresh of the answer re-sends the same key and is redirected to the page, which says so.
  const once = async (make: () => Promise<{ res: Response; changed: boolean }>): Promise<Response> => {
    const o = await oncePerFormKey(ctx, form, `/webhooks/${id}#${intent}`, async () => {
      const r = await make();
      return { result: r.res, remember: r.changed ? { intent } : null };
    });
    if (o.kind === "replayed") return redirect(`/webhooks/${encodeURIComponent(id)}?done=alreadyDone`, 303);
    if (o.kind === "in_progress") return refuse(t("common.error.formInProgress"), { intent, status: 409, values });
    return o.result;
  };
  switch (input.intent) {
    case "update": {
      const { intent: _, ...change } = input;
      const r = await updateEndpoint(ctx.scope, id, change, actor);
      return r.ok ? done(t("webhooks.done.updated")) : refused(r.error);
    }
    case "enable":
    case "disable": {
      const r = await updateEndpoint(ctx.scope, id, { enabled: input.intent === "enable" }, actor);
      return r.ok ? done(t(input.intent === "enable" ? "webhooks.done.enabled" : "webhooks.done.disabled")) : refused(r.error);
    }
    case "rotate":
      return once(async () => {
        const r = await rotateSecret(ctx.scope, id, actor);
        if (!r.ok) return { res: refused(r.error), changed: false };
        // Shown once, in this answer only (never stored under the form key).
        return { res: json<Done>({ intent, ok: true, notice: t("webhooks.secretRotated"), secret: r.secret }, { headers: { "Cache-Control": "no-store" } }), changed: true };
      });
    case "test":
      return once(async () => {
        const r = await sendTestEvent(ctx.scope, id, actor);
        return r.ok ? { res: done(t("webhooks.done.test")), changed: true } : { res: refused(r.error), changed: false };
      });
    case "delete": {
      if (input.confirm !== "yes") return refuse({ confirm: t("webhooks.error.confirmDelete") }, { intent });
      const r = await deleteEndpoint(ctx.scope, id, actor);
      return r.ok ? redirect("/webhooks?done=deleted") : refused(r.error);
    }
    case "resend":
      return once(async () => {
        const r = await resendEvent(ctx.scope, id, input.eventId, actor);
        return r.ok ? { res: done(t("webhooks.done.resend")), changed: true } : { res: refused(r.error), changed: false };
      });
    case "replay": {
      const bad = (field: string, key: MessageKey) => refuse({ [field]: t(key) }, { intent, values });
      let from: { after?: number; since?: Date };
      if (input.after !== "") from = { after: Number(input.after) };
      else if (input.sinceDay !== "") {
        const day = normalizeDayInput(input.sinceDay);
        if (!isValidLocalDateKey(day)) return bad("sinceDay", "webhooks.error.sinceDay");
        const m = /^(\d{1,2}):(\d{2})$/.exec(input.sinceTime || "00:00");
        if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return bad("sinceTime", "webhooks.error.sinceTime");
        const [y, mo, d] = day.split("-").map(Number) as [number, number, number];
        const since = zonedTimeToUtc({ year: y, month: mo, day: d, hour: Number(m[1]), minute: Number(m[2]) }, ctx.merchant.timeZone);
        if (since.getTime() > Date.now()) return bad("sinceDay", "webhooks.error.sinceFuture");
        from = { since };
      } else return bad("after", "webhooks.error.after_invalid");
      const start = from;
      return once(async () => {
        const r = await replayEvents(ctx.scope, id, start, actor);
        return r.ok ? { res: done(t("webhooks.done.replay", { count: r.count })), changed: true } : { res: refused(r.error), changed: false };
      });
    }
  }
}

/** A form that is one button: its intent, and the one-time key when a refresh must not do it again. */
function ButtonForm(props: { intent: string; formKey?: string; hidden?: ReactNode; className?: string; disabled?: boolean; label?: string; children: ReactNode }) {
  return (
    <IntentForm intent={props.intent}>
      {props.formKey ? <input type="hidden" name="formKey" value={props.formKey} /> : null}
      {props.hidden}
      <button type="submit" className={props.className ?? "btn"} disabled={props.disabled} aria-label={props.label}>
        {props.children}
      </button>
    </IntentForm>
  );
}

export default function WebhookEndpointPage() {
  const data = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const result = answer && "notice" in answer ? answer : null;
  const buttons = useFormFailure(BUTTONS);
  const replayForm = useFormFailure("replay");
  const updateForm = useFormFailure("update");
  const deleteForm = useFormFailure("delete");
  const navigation = useNavigation();
  const [search] = useSearchParams();
  const t = useT();
  const fmt = useFormat();
  const e = data.endpoint;
  const busy = (intent: string) => navigation.state === "submitting" && navigation.formData?.get("intent") === intent;
  const toggle = new URLSearchParams(search);
  if (data.show === "unsuccessful") toggle.delete("show");
  else toggle.set("show", "unsuccessful");

  return (
    <>
      <DetailHeader
        back={{ to: "/webhooks", label: t("webhooks.back") }}
        title={e.url}
        heading={{ className: "mono", dir: "ltr", style: { overflowWrap: "anywhere", fontSize: "1.25rem" } }}
        intro={
          <>
            <EndpointState state={e.state} /> <bdi className="mono">{e.id}</bdi> · {t("common.created")} {fmt.dateTime(e.createdAt)}
          </>
        }
      />
      {e.description ? <p>{e.description}</p> : null}

      {!answer && search.get("done") === "alreadyAdded" ? (
        <p className="notice" role="status" data-testid="already-added">
          {t("webhooks.done.alreadyAdded")}
        </p>
      ) : null}
      {!answer && search.get("done") === "alreadyDone" ? (
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
      {/* A button's refusal (the endpoint gone, a test that could not be sent), whichever field it names. */}
      <ErrorSummary form={buttons} fields={["url", "events", "description", "after", "eventId"]} />
      {e.state === "auto_disabled" ? (
        <p className="error-box">{t("webhooks.autoDisabled", { days: data.windowDays })}</p>
      ) : e.failingSince && e.state === "enabled" ? (
        <p className="notice">{t("webhooks.failingSince", { time: fmt.dateTime(e.failingSince), days: data.windowDays })}</p>
      ) : null}

      <div className="grid grid-2">
        <Card headingId="health-h" title={t("webhooks.col.successRate")}>
          {e.attempts === 0 ? (
            <p className="muted">{t("webhooks.noAttempts")}</p>
          ) : (
            <>
              <p className="kpi-value num">{fmt.percent(e.succeeded / e.attempts, 0)}</p>
              <p className="muted">{t("webhooks.rateOf", { count: e.attempts, days: 7 })}</p>
            </>
          )}
          <div className="form-row">
            <ButtonForm intent="test" formKey={data.submitKey} disabled={busy("test")}>
              {t("webhooks.action.test")}
            </ButtonForm>
            <ButtonForm intent={e.state === "enabled" ? "disable" : "enable"} className={e.state === "enabled" ? "btn" : "btn btn-primary"} disabled={busy("enable") || busy("disable")}>
              {e.state === "enabled" ? t("webhooks.action.disable") : t("webhooks.action.enable")}
            </ButtonForm>
          </div>
        </Card>

        <Card headingId="secret-h" title={t("webhooks.secret.title")}>
          <p className="muted">{t("webhooks.secret.hint")}</p>
          {e.previousSecretExpiresAt ? <p className="notice">{t("webhooks.secret.overlap", { time: fmt.dateTime(e.previousSecretExpiresAt) })}</p> : null}
          <ButtonForm intent="rotate" formKey={data.submitKey} disabled={busy("rotate")}>
            {t("webhooks.action.rotate")}
          </ButtonForm>
        </Card>
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
                      <ButtonForm
                        intent="resend"
                        formKey={data.submitKey}
                        hidden={<input type="hidden" name="eventId" value={d.eventId} />}
                        label={t("webhooks.resendLabel", { type: d.eventType, seq: d.eventSeq ?? 0 })}
                      >
                        {t("webhooks.action.resend")}
                      </ButtonForm>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
        </Table>
        )}
      </section>

      <Card headingId="replay-h" title={t("webhooks.replay.title")} className="section">
        <p className="muted">{t("webhooks.replay.help")}</p>
        <p className="muted">{t("webhooks.replay.last", { seq: data.lastSeq })}</p>
        <Form method="post" key={result?.ok && result.intent === "replay" ? "sent" : "replay"}>
          <CsrfInput />
          <input type="hidden" name="intent" value="replay" />
          <input type="hidden" name="formKey" value={data.submitKey} />
          <ErrorSummary form={replayForm} />
          <div className="form-row">
            <Field form={replayForm} id="rp-after" name="after" label={t("webhooks.replay.after")} inputMode="numeric" dir="ltr" size={10} />
            <DayField form={replayForm} id="rp-day" name="sinceDay" label={t("webhooks.replay.since")} />
            <Field form={replayForm} id="rp-time" name="sinceTime" label={t("webhooks.replay.sinceTime")} type="time" dir="ltr" />
          </div>
          <p className="hint">{t("webhooks.replay.zone", { zone: fmt.zoneName() })}</p>
          <SubmitButton busy={busy("replay")}>{t("webhooks.replay.submit")}</SubmitButton>
        </Form>
      </Card>

      <Card headingId="edit-h" title={t("webhooks.edit")} className="section">
        <Form method="post" noValidate key={result?.ok && result.intent === "update" ? "saved" : "edit"}>
          <CsrfInput />
          <input type="hidden" name="intent" value="update" />
          <ErrorSummary form={updateForm} />
          <EndpointFields form={updateForm} idPrefix="ed-" types={data.types} saved={e} />
          <SubmitButton busy={busy("update")} busyLabel={t("common.saving")}>{t("common.save")}</SubmitButton>
        </Form>
      </Card>

      <Card headingId="delete-h" title={t("webhooks.action.delete")} className="section">
        <Form method="post">
          <CsrfInput />
          <input type="hidden" name="intent" value="delete" />
          <p>{t("webhooks.deleteHint")}</p>
          <ErrorSummary form={deleteForm} />
          <CheckField form={deleteForm} name="confirm" label={t("webhooks.deleteConfirm")} />
          <button type="submit" className="btn btn-danger" disabled={busy("delete")}>
            {t("webhooks.action.delete")}
          </button>
        </Form>
      </Card>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
