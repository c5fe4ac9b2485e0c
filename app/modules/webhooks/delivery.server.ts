/**
 * Webhook delivery, on the job queue.
 *
 * 1. dispatch_events (one job per merchant at a time, job key dispatch:<merchant>): for
 *    each enabled endpoint, the events after its cursor that it subscribes to become
 *    deliveries, each with a deliver_webhook job, and the cursor moves past them, all in
 *    one transaction (a crash re-dispatches nothing twice and loses nothing). The
 *    workers look for merchants with undispatched events twice a second
 *    (pollDispatch), so the write path pays nothing for it.
 * 2. deliver_webhook: POSTs the signed event, 10 s timeout, redirects not followed,
 *    the connected address checked against SSRF. 2xx = delivered. Otherwise the delivery
 *    is retried with exponential backoff and jitter (WEBHOOK_RETRY_BASE_MS, default 60 s,
 *    doubling, capped at 6 hours) until WEBHOOK_RETRY_WINDOW_MS (3 days) after its first
 *    try; an endpoint that has had no success for that long is disabled and the
 *    merchant's owners and admins are told by e-mail.
 * Every attempt is logged (webhook_attempts: status, duration, response code, first 2 KB).
 * Deliveries of one endpoint share a job queue, so they go out one at a time in
 * sequence order (a replay arrives in order); a retry waits without holding the queue.
 */
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { and, asc, desc, eq, gt, inArray, isNull, ne, sql } from "drizzle-orm";
import { events, webhookAttempts, webhookDeliveries, webhookEndpoints } from "~db/schema";
import { db, rows, type DbOrTx } from "~db/client.server";
import { newId } from "~/lib/ids";
import { enqueueJob } from "~/modules/jobs/queue.server";
import { getEvent, publishAllEvents, publishEvents, serializeEvent, typeMatches, type PublishedEvent } from "~/modules/events/events.server";
import { sendMail } from "~/modules/mail/mailer.server";
import { failure, type Failure } from "~/modules/payments/failure";
import { audit } from "~/modules/audit/audit.server";
import { getEndpoint, signingSecrets, type WebhookEndpoint } from "./endpoints.server";
import type { Actor, Scope } from "~/lib/vocabulary";
import { guardedLookup, isForbiddenAddress, privateAllowed } from "./ssrf";
import { signatureHeader } from "./signing";
import { env } from "~/lib/env.server";

export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;
export type WebhookAttempt = typeof webhookAttempts.$inferSelect;

const TIMEOUT_MS = 10_000;
const BODY_KEEP = 2048;
const DISPATCH_BATCH = 500;

function retryBaseMs(): number {
  return env.WEBHOOK_RETRY_BASE_MS;
}
function retryMaxMs(): number {
  return env.WEBHOOK_RETRY_MAX_MS;
}
export function retryWindowMs(): number {
  return env.WEBHOOK_RETRY_WINDOW_MS;
}

/** Delay before attempt n+1 after n failed attempts: base * 2^(n-1), capped, +-25 % jitter. */
export function backoffMs(attempts: number, random = Math.random): number {
  const raw = Math.min(retryMaxMs(), retryBaseMs() * 2 ** Math.max(0, attempts - 1));
  return Math.round(raw * (0.75 + random() * 0.5));
}

const queueOf = (endpointId: string) => `webhook:${endpointId}`;

// ---- dispatch ----------------------------------------------------------------------

/**
 * Merchants whose enabled endpoints are behind their events: each gets a dispatch job.
 * Publishes (numbers) every merchant's pending events first, unless the caller just did.
 */
export async function pollDispatch(dbx: DbOrTx = db(), publish = true): Promise<number> {
  if (publish) await publishAllEvents(dbx);
  const due = await rows<{ merchant_id: string }>(
    dbx,
    sql`select distinct w.merchant_id from webhook_endpoints w join event_sequences s on s.merchant_id = w.merchant_id
        where w.status = 'enabled' and w.deleted_at is null and w.cursor_seq < s.last_seq`,
  );
  for (const d of due) await enqueueJob(dbx, "dispatch_events", { merchantId: d.merchant_id }, { jobKey: `dispatch:${d.merchant_id}`, jobKeyMode: "preserve_run_at" });
  return due.length;
}

/** Turns a merchant's undispatched events into deliveries (see the file's comment). */
export async function dispatchEvents(merchantId: string): Promise<number> {
  await publishEvents(merchantId);
  let made = 0;
  const endpoints = await db()
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.merchantId, merchantId), eq(webhookEndpoints.status, "enabled"), isNull(webhookEndpoints.deletedAt)));
  for (const { id } of endpoints) {
    for (;;) {
      const n = await db().transaction(async (tx) => {
        const [ep] = await tx
          .select()
          .from(webhookEndpoints)
          .where(and(eq(webhookEndpoints.merchantId, merchantId), eq(webhookEndpoints.id, id)))
          .for("update");
        if (!ep || ep.status !== "enabled" || ep.deletedAt) return -1;
        // Only published (numbered) events: gt() never matches a null seq.
        const batch = (await tx
          .select()
          .from(events)
          .where(and(eq(events.merchantId, merchantId), gt(events.seq, ep.cursorSeq)))
          .orderBy(asc(events.seq))
          .limit(DISPATCH_BATCH)) as PublishedEvent[];
        if (batch.length === 0) return -1;
        const wanted = batch.filter((e) => typeMatches(ep.eventTypes, e.type));
        await createDeliveries(tx, ep, wanted, "event");
        await tx
          .update(webhookEndpoints)
          .set({ cursorSeq: batch[batch.length - 1]!.seq })
          .where(and(eq(webhookEndpoints.merchantId, merchantId), eq(webhookEndpoints.id, id)));
        made += wanted.length;
        return batch.length;
      });
      if (n < DISPATCH_BATCH) break;
    }
  }
  return made;
}

async function createDeliveries(tx: DbOrTx, ep: WebhookEndpoint, list: PublishedEvent[], reason: WebhookDelivery["reason"]): Promise<WebhookDelivery[]> {
  if (list.length === 0) return [];
  const made = await tx
    .insert(webhookDeliveries)
    .values(
      list.map((e) => ({
        merchantId: ep.merchantId,
        id: newId("whd"),
        endpointId: ep.id,
        eventId: e.id,
        eventSeq: e.seq,
        eventType: e.type,
        reason,
      })),
    )
    .returning();
  made.sort((a, b) => (a.eventSeq ?? 0) - (b.eventSeq ?? 0));
  // A resend or replay takes over: the same event's deliveries to this endpoint still waiting
  // for a retry stop here, so a receiver never gets it once from the replay and again from an old retry.
  if (reason === "resend" || reason === "replay") await supersede(tx, ep.merchantId, ep.id, list.map((e) => e.id), made.map((d) => d.id));
  for (const d of made) await enqueueJob(tx, "deliver_webhook", { merchantId: d.merchantId, deliveryId: d.id }, { queueName: queueOf(ep.id), jobKey: `delivery:${d.id}` });
  return made;
}

/** Marks the waiting deliveries (pending or retrying) of these events to this endpoint superseded, except `keep`. */
async function supersede(tx: DbOrTx, merchantId: string, endpointId: string, eventIds: string[], keep: string[]): Promise<number> {
  if (eventIds.length === 0) return 0;
  let n = 0;
  for (let i = 0; i < eventIds.length; i += 1000) {
    const done = await tx
      .update(webhookDeliveries)
      .set({ status: "superseded", nextAttemptAt: null })
      .where(
        and(
          eq(webhookDeliveries.merchantId, merchantId),
          eq(webhookDeliveries.endpointId, endpointId),
          inArray(webhookDeliveries.eventId, eventIds.slice(i, i + 1000)),
          inArray(webhookDeliveries.status, ["pending", "retrying"]),
          keep.length ? sql`${webhookDeliveries.id} not in (${sql.join(keep.map((k) => sql`${k}`), sql`, `)})` : undefined,
        ),
      )
      .returning({ id: webhookDeliveries.id });
    n += done.length;
  }
  return n;
}

// ---- person / API actions ------------------------------------------------------------

type Result<T> = ({ ok: true } & T) | { ok: false; error: Failure };

/** Resend one event to one endpoint (a new delivery, whatever the earlier ones did). */
export async function resendEvent(scope: Scope, endpointId: string, eventId: string, actor: Actor): Promise<Result<{ delivery: WebhookDelivery }>> {
  const ep = await getEndpoint(scope, endpointId);
  if (!ep) return failure(404, "resource_missing", "No such webhook endpoint.", "id");
  if (typeof eventId !== "string" || eventId.length > 100) return failure(404, "resource_missing", "No such event.", "event");
  const e = await getEvent(scope, eventId);
  if (!e) return failure(404, "resource_missing", "No such event.", "event");
  const d = await db().transaction(async (tx) => {
    const [made] = await createDeliveries(tx, ep, [e], "resend");
    await audit(tx, { merchantId: scope.merchantId, actor, client: actor.client, action: "webhook.resend", outcome: "success", targetType: "webhook_endpoint", targetId: ep.id, details: { event: e.id, type: e.type, sequence: e.seq } });
    return made!;
  });
  return { ok: true, delivery: d };
}

/** Replay every event the endpoint subscribes to after a sequence number (or since a time), in order. */
export async function replayEvents(scope: Scope, endpointId: string, from: { after?: number; since?: Date }, actor: Actor): Promise<Result<{ count: number; after: number }>> {
  const ep = await getEndpoint(scope, endpointId);
  if (!ep) return failure(404, "resource_missing", "No such webhook endpoint.", "id");
  await publishEvents(scope.merchantId);
  let after = from.after;
  if (after === undefined && from.since) {
    const [r] = await rows<{ seq: string | number | null }>(db(), sql`select max(seq) as seq from events where merchant_id = ${scope.merchantId} and created_at < ${from.since.toISOString()}::timestamptz`);
    after = Number(r?.seq ?? 0);
  }
  if (after === undefined || !Number.isSafeInteger(after) || after < 0) return failure(400, "after_invalid", "after must be an event sequence number (0 for all events).", "after");
  const upTo = ep.cursorSeq; // later events reach it through dispatch anyway
  const list = (await db()
    .select()
    .from(events)
    .where(and(eq(events.merchantId, scope.merchantId), gt(events.seq, after), sql`${events.seq} <= ${upTo}`))
    .orderBy(asc(events.seq))
    .limit(10_000)) as PublishedEvent[];
  const wanted = list.filter((e) => typeMatches(ep.eventTypes, e.type));
  if (wanted.length === 10_000) return failure(400, "replay_too_large", "More than 10,000 events: replay a later point first, or page through the events API.", "after");
  await db().transaction(async (tx) => {
    await createDeliveries(tx, ep, wanted, "replay");
    await audit(tx, { merchantId: scope.merchantId, actor, client: actor.client, action: "webhook.replay", outcome: "success", targetType: "webhook_endpoint", targetId: ep.id, details: { after, since: from.since?.toISOString(), deliveries: wanted.length } });
  });
  return { ok: true, count: wanted.length, after };
}

/** A webhook.test event (not in the outbox: it is nobody's state change). */
export async function sendTestEvent(scope: Scope, endpointId: string, actor: Actor): Promise<Result<{ delivery: WebhookDelivery }>> {
  const ep = await getEndpoint(scope, endpointId);
  if (!ep) return failure(404, "resource_missing", "No such webhook endpoint.", "id");
  const d = await db().transaction(async (tx) => {
    const [row] = await tx
      .insert(webhookDeliveries)
      .values({ merchantId: ep.merchantId, id: newId("whd"), endpointId: ep.id, eventId: newId("evt"), eventSeq: null, eventType: "webhook.test", reason: "test" })
      .returning();
    await enqueueJob(tx, "deliver_webhook", { merchantId: ep.merchantId, deliveryId: row!.id }, { queueName: queueOf(ep.id), jobKey: `delivery:${row!.id}` });
    await audit(tx, { merchantId: scope.merchantId, actor, client: actor.client, action: "webhook.test", outcome: "success", targetType: "webhook_endpoint", targetId: ep.id });
    return row!;
  });
  return { ok: true, delivery: d };
}

export async function listDeliveries(
  scope: Scope,
  filter: { endpointId?: string; eventId?: string; limit?: number; status?: WebhookDelivery["status"] | "unsuccessful" },
): Promise<(WebhookDelivery & { url: string | null })[]> {
  const conds = [eq(webhookDeliveries.merchantId, scope.merchantId)];
  if (filter.endpointId) conds.push(eq(webhookDeliveries.endpointId, filter.endpointId));
  if (filter.eventId) conds.push(eq(webhookDeliveries.eventId, filter.eventId));
  if (filter.status === "unsuccessful") conds.push(inArray(webhookDeliveries.status, ["retrying", "failed"]));
  else if (filter.status) conds.push(eq(webhookDeliveries.status, filter.status));
  const found = await db()
    .select({ d: webhookDeliveries, url: webhookEndpoints.url })
    .from(webhookDeliveries)
    .leftJoin(webhookEndpoints, and(eq(webhookEndpoints.merchantId, webhookDeliveries.merchantId), eq(webhookEndpoints.id, webhookDeliveries.endpointId)))
    .where(and(...conds))
    .orderBy(desc(webhookDeliveries.createdAt), sql`${webhookDeliveries.eventSeq} desc nulls first`, desc(webhookDeliveries.id))
    .limit(Math.min(filter.limit ?? 50, 200));
  return found.map((r) => ({ ...r.d, url: r.url }));
}

export const HEALTH_WINDOW_MS = 7 * 86400_000;

export interface EndpointHealth {
  /** HTTP attempts in the window, and how many of them got a 2xx. */
  attempts: number;
  succeeded: number;
  lastAttemptAt: Date | null;
  lastStatus: number | null;
  /** Deliveries still waiting for a retry. */
  retrying: number;
}

/** Each endpoint's recent record: attempts of the last 7 days (one query for all endpoints). */
export async function endpointHealth(scope: Scope, now = new Date()): Promise<Map<string, EndpointHealth>> {
  const since = new Date(now.getTime() - HEALTH_WINDOW_MS).toISOString();
  const found = await rows<{ endpoint_id: string; attempts: number; succeeded: number; last_at: string | Date | null; last_status: number | null; retrying: number }>(
    db(),
    sql`select w.id as endpoint_id,
          coalesce(a.attempts, 0)::int as attempts, coalesce(a.succeeded, 0)::int as succeeded,
          a.last_at, a.last_status,
          (select count(*)::int from webhook_deliveries d where d.merchant_id = w.merchant_id and d.endpoint_id = w.id and d.status = 'retrying') as retrying
        from webhook_endpoints w
        left join lateral (
          select count(*) as attempts, count(*) filter (where response_status between 200 and 299) as succeeded,
                 max(at) as last_at,
                 (array_agg(response_status order by at desc))[1] as last_status
          from webhook_attempts x where x.merchant_id = w.merchant_id and x.endpoint_id = w.id and x.at >= ${since}::timestamptz
        ) a on true
        where w.merchant_id = ${scope.merchantId} and w.deleted_at is null`,
  );
  return new Map(
    found.map((r) => [
      r.endpoint_id,
      { attempts: Number(r.attempts), succeeded: Number(r.succeeded), lastAttemptAt: r.last_at ? new Date(r.last_at) : null, lastStatus: r.last_status === null ? null : Number(r.last_status), retrying: Number(r.retrying) },
    ]),
  );
}

export async function attemptsOf(scope: Scope, deliveryIds: string[]): Promise<WebhookAttempt[]> {
  if (deliveryIds.length === 0) return [];
  return db()
    .select()
    .from(webhookAttempts)
    .where(and(eq(webhookAttempts.merchantId, scope.merchantId), inArray(webhookAttempts.deliveryId, deliveryIds)))
    .orderBy(desc(webhookAttempts.at));
}

// ---- the HTTP attempt -----------------------------------------------------------------

interface AttemptResult {
  status: number | null;
  body: string | null;
  durationMs: number;
  error: string | null;
}

/** One POST; never follows a redirect; refuses forbidden addresses at connect time. */
export function post(url: string, body: string, headers: Record<string, string>, timeoutMs = TIMEOUT_MS): Promise<AttemptResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return resolve({ status: null, body: null, durationMs: 0, error: "invalid URL" });
    }
    const host = u.hostname.replace(/^\[|\]$/g, "");
    if (!privateAllowed() && net.isIP(host) !== 0 && isForbiddenAddress(host)) {
      return resolve({ status: null, body: null, durationMs: 0, error: `refused: ${host} is a private or reserved address` });
    }
    if (u.protocol !== "https:" && !(u.protocol === "http:" && privateAllowed())) {
      return resolve({ status: null, body: null, durationMs: 0, error: "refused: only https:// URLs receive webhooks" });
    }
    const mod = u.protocol === "https:" ? https : http;
    let done = false;
    const finish = (r: Omit<AttemptResult, "durationMs">) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ...r, durationMs: Date.now() - started });
    };
    const req = mod.request(
      u,
      { method: "POST", headers: { ...headers, "Content-Length": String(Buffer.byteLength(body)) }, lookup: guardedLookup, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on("data", (c: Buffer) => {
          if (kept < BODY_KEEP) {
            chunks.push(c);
            kept += c.length;
          }
        });
        res.on("end", () => finish({ status: res.statusCode ?? null, body: Buffer.concat(chunks).subarray(0, BODY_KEEP).toString("utf8"), error: null }));
        res.on("error", (e) => finish({ status: res.statusCode ?? null, body: null, error: e.message }));
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    req.on("error", (e) => finish({ status: null, body: null, error: e.message }));
    req.end(body);
  });
}

/** The body a delivery sends. */
async function payloadOf(d: WebhookDelivery): Promise<string | null> {
  if (d.reason === "test") {
    return JSON.stringify({
      id: d.eventId,
      object: "event",
      sequence: null,
      type: "webhook.test",
      created_at: d.createdAt.toISOString(),
      data: { object: { id: d.endpointId, object: "webhook_endpoint", message: "A test event from Merchant Console: your endpoint received it." } },
    });
  }
  // A delivery is only ever made of a published event (dispatch, replay, resend), so it has its number.
  const [e] = await db().select().from(events).where(and(eq(events.merchantId, d.merchantId), eq(events.id, d.eventId)));
  return e && e.seq !== null ? JSON.stringify(serializeEvent(e as PublishedEvent)) : null;
}

/** The deliver_webhook task: one attempt, then done, retry scheduled, or given up. Idempotent. */
export async function deliverOnce(merchantId: string, deliveryId: string, now = () => new Date()): Promise<WebhookDelivery | undefined> {
  const [d] = await db()
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.merchantId, merchantId), eq(webhookDeliveries.id, deliveryId)));
  if (!d || d.status === "succeeded" || d.status === "failed" || d.status === "superseded") return d;
  const [ep] = await db().select().from(webhookEndpoints).where(and(eq(webhookEndpoints.merchantId, merchantId), eq(webhookEndpoints.id, d.endpointId)));
  if (!ep || ep.deletedAt || (ep.status !== "enabled" && d.reason === "event")) {
    const [x] = await db()
      .update(webhookDeliveries)
      .set({ status: "failed", error: ep?.deletedAt ? "The endpoint was deleted." : "The endpoint is disabled." })
      .where(and(eq(webhookDeliveries.merchantId, merchantId), eq(webhookDeliveries.id, deliveryId)))
      .returning();
    return x;
  }
  const body = await payloadOf(d);
  if (body === null) return d;
  // Claim this attempt: a second run of the same delivery (a job re-run after a crash racing
  // a late one) finds the count moved and leaves it, so one attempt is one POST.
  const claimed = await db()
    .update(webhookDeliveries)
    .set({ attempts: d.attempts + 1 })
    .where(and(eq(webhookDeliveries.merchantId, merchantId), eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.attempts, d.attempts)))
    .returning({ id: webhookDeliveries.id });
  if (claimed.length === 0) return d;
  const at = now();
  const ts = Math.floor(at.getTime() / 1000);
  const r = await post(ep.url, body, {
    "Content-Type": "application/json",
    "User-Agent": "MerchantConsole-Webhooks/1.0",
    "Webhook-Id": d.id,
    "Webhook-Signature": signatureHeader(signingSecrets(ep, at), ts, body),
  });
  const ok = r.status !== null && r.status >= 200 && r.status < 300;
  const attempt = d.attempts + 1;
  const error = ok ? null : (r.error ?? `HTTP ${r.status}`);
  const firstAt = d.attempts === 0 ? at : d.createdAt;
  const giveUp = !ok && at.getTime() + backoffMs(attempt) - firstAt.getTime() > retryWindowMs();
  return db().transaction(async (tx) => {
    await tx.insert(webhookAttempts).values({
      merchantId,
      deliveryId,
      attempt,
      endpointId: ep.id,
      at,
      url: ep.url,
      responseStatus: r.status,
      responseBody: r.body,
      durationMs: r.durationMs,
      error,
    });
    const next = ok || giveUp ? null : new Date(at.getTime() + backoffMs(attempt));
    const [updated] = await tx
      .update(webhookDeliveries)
      .set({
        status: ok ? "succeeded" : giveUp ? "failed" : "retrying",
        attempts: attempt,
        lastAttemptAt: at,
        nextAttemptAt: next,
        responseStatus: r.status,
        responseBody: r.body,
        durationMs: r.durationMs,
        error,
      })
      // A delivery superseded while this attempt was on the wire keeps that state (and gets no retry).
      .where(and(eq(webhookDeliveries.merchantId, merchantId), eq(webhookDeliveries.id, deliveryId), ne(webhookDeliveries.status, "superseded")))
      .returning();
    if (!updated) return d;
    // Delivered: any other copy of this event to this endpoint still waiting (an older retry) is not sent again.
    if (ok && d.reason !== "test") await supersede(tx, merchantId, ep.id, [d.eventId], [d.id]);
    if (next) await enqueueJob(tx, "deliver_webhook", { merchantId, deliveryId }, { queueName: queueOf(ep.id), runAt: next, jobKey: `delivery:${deliveryId}` });
    if (ok) {
      if (ep.failingSince) await tx.update(webhookEndpoints).set({ failingSince: null }).where(and(eq(webhookEndpoints.merchantId, merchantId), eq(webhookEndpoints.id, ep.id)));
    } else if (d.reason === "event" || d.reason === "replay") {
      const since = ep.failingSince ?? at;
      if (!ep.failingSince) await tx.update(webhookEndpoints).set({ failingSince: at }).where(and(eq(webhookEndpoints.merchantId, merchantId), eq(webhookEndpoints.id, ep.id)));
      if (giveUp && at.getTime() - since.getTime() >= retryWindowMs() - 1000 && ep.status === "enabled") await disableEndpoint(tx, ep, at);
    }
    return updated;
  });
}

/** Failing for the whole retry window: off, and the owners and admins are told. */
async function disableEndpoint(tx: DbOrTx, ep: WebhookEndpoint, at: Date): Promise<void> {
  const days = Math.round(retryWindowMs() / 86400_000);
  await tx
    .update(webhookEndpoints)
    .set({ status: "disabled", disabledReason: `Every delivery failed for ${days} days.`, updatedAt: at })
    .where(and(eq(webhookEndpoints.merchantId, ep.merchantId), eq(webhookEndpoints.id, ep.id)));
  // The owners and admins who have this notification on, each in their own language.
  const { webhookDisabledMail } = await import("~/modules/notifications/messages");
  const { merchantInfo, recipientsOf } = await import("~/modules/notifications/recipients.server");
  const merchant = await merchantInfo(tx, ep.merchantId);
  if (!merchant) return;
  for (const p of await recipientsOf(tx, merchant, "webhook_disabled")) {
    const locale = p.prefs.locale === "fa" ? "fa" : "en";
    await sendMail(tx, {
      ...webhookDisabledMail(locale, { to: p.email, url: ep.url, days }),
      locale,
      kind: "webhook.disabled",
      dedupeKey: `webhook-disabled:${ep.merchantId}:${ep.id}:${at.toISOString()}:${p.userId}`,
    });
  }
}
