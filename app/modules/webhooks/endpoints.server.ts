/**
 * Webhook endpoints of a merchant: create (the secret is returned once), change,
 * rotate the secret (the old one stays valid, and is signed with too, for 24 hours),
 * delete. Every change is audited. The form and the API call these same functions.
 */
import { and, desc, eq, isNull } from "drizzle-orm";
import { webhookEndpoints } from "~db/schema";
import { db, type DbOrTx } from "~db/client.server";
import { newId } from "~/lib/ids";
import { audit } from "~/modules/audit/audit.server";
import { isKnownEventType, publishEvents } from "~/modules/events/events.server";
import { failure, type Failure } from "~/modules/payments/failure";
import { sql } from "drizzle-orm";
import type { Actor, Scope } from "~/lib/vocabulary";
import { checkHost, privateAllowed } from "./ssrf";
import { newSecret } from "./signing";

export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
export const ROTATION_OVERLAP_MS = 24 * 3600_000;
export const MAX_ENDPOINTS = 16;

/** The reason a person's (or the API's) disabling stores; anything else disabled the endpoint automatically. */
export const DISABLED_BY_PERSON = "Disabled by a person.";

/** What the console shows: on, switched off by someone, or switched off after failing for the retry window. */
export function endpointState(e: Pick<WebhookEndpoint, "status" | "disabledReason">): "enabled" | "disabled" | "auto_disabled" {
  if (e.status === "enabled") return "enabled";
  return e.disabledReason === null || e.disabledReason === DISABLED_BY_PERSON ? "disabled" : "auto_disabled";
}

export interface EndpointInput {
  url?: unknown;
  events?: unknown;
  description?: unknown;
}

type Ok<T> = { ok: true } & T;
type Result<T> = Ok<T> | { ok: false; error: Failure };

/** Checks and normalises url / events / description; `partial` for changes. */
async function parseInput(input: EndpointInput, partial: boolean): Promise<Result<{ url?: string; events?: string[]; description?: string | null }>> {
  const out: { url?: string; events?: string[]; description?: string | null } = {};
  if (input.url !== undefined || !partial) {
    if (typeof input.url !== "string" || input.url.trim() === "") return failure(400, "url_missing", "Give the endpoint's URL, like https://example.com/webhooks.", "url");
    let u: URL;
    try {
      u = new URL(input.url.trim());
    } catch {
      return failure(400, "url_invalid", "The URL is not a valid address: write it in full, like https://example.com/webhooks.", "url");
    }
    if (u.protocol !== "https:" && !(u.protocol === "http:" && privateAllowed())) {
      return failure(400, "url_not_https", "Webhook URLs must start with https:// (events carry payment data).", "url");
    }
    if (u.username || u.password) return failure(400, "url_has_credentials", "Leave user names and passwords out of the URL: verify requests by their signature.", "url");
    if (u.href.length > 2000) return failure(400, "url_too_long", "The URL must be at most 2,000 characters.", "url");
    const refused = await checkHost(u.hostname);
    if (refused) return failure(400, "url_forbidden", refused, "url");
    out.url = u.href;
  }
  if (input.events !== undefined || !partial) {
    const list = Array.isArray(input.events) ? input.events : typeof input.events === "string" ? input.events.split(",") : null;
    const types = (list ?? []).map((x) => (typeof x === "string" ? x.trim() : "")).filter(Boolean);
    if (types.length === 0) return failure(400, "events_missing", 'Choose the event types to send (a list like ["payment.succeeded"], or ["*"] for all).', "events");
    const unknown = types.find((x) => !isKnownEventType(x));
    if (unknown) return failure(400, "events_invalid", `Unknown event type "${unknown.slice(0, 60)}".`, "events");
    out.events = types.includes("*") ? ["*"] : [...new Set(types)].sort();
  }
  if (input.description !== undefined) {
    if (input.description !== null && typeof input.description !== "string") return failure(400, "description_invalid", "The description must be text.", "description");
    const d = (input.description ?? "").trim();
    if (d.length > 200) return failure(400, "description_too_long", "The description must be at most 200 characters.", "description");
    out.description = d || null;
  }
  return { ok: true, ...out };
}

export async function listEndpoints(scope: Scope, dbx: DbOrTx = db()): Promise<WebhookEndpoint[]> {
  return dbx
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.merchantId, scope.merchantId), isNull(webhookEndpoints.deletedAt)))
    .orderBy(desc(webhookEndpoints.createdAt));
}

export async function getEndpoint(scope: Scope, id: string, dbx: DbOrTx = db()): Promise<WebhookEndpoint | undefined> {
  if (typeof id !== "string" || id.length > 100) return undefined;
  const [e] = await dbx
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.merchantId, scope.merchantId), eq(webhookEndpoints.id, id), isNull(webhookEndpoints.deletedAt)));
  return e;
}

export async function createEndpoint(scope: Scope, input: EndpointInput, actor: Actor, now = new Date()): Promise<Result<{ endpoint: WebhookEndpoint; secret: string }>> {
  const parsed = await parseInput(input, false);
  if (!parsed.ok) return parsed;
  const existing = await listEndpoints(scope);
  if (existing.length >= MAX_ENDPOINTS) return failure(409, "too_many_endpoints", `A merchant may have at most ${MAX_ENDPOINTS} webhook endpoints: delete one first.`, "url");
  const secret = newSecret();
  // Events committed before this call are numbered first, so "from now" leaves them out.
  await publishEvents(scope.merchantId);
  return db().transaction(async (tx) => {
    // New endpoints start from now: they receive events from the next one on (Replay sends older ones).
    const [seq] = await tx.execute(sqlLastSeq(scope.merchantId)).then(rowsOf);
    const [endpoint] = await tx
      .insert(webhookEndpoints)
      .values({
        merchantId: scope.merchantId,
        id: newId("we", now),
        url: parsed.url!,
        eventTypes: parsed.events!,
        description: parsed.description ?? null,
        secret,
        cursorSeq: Number((seq as { last_seq?: number | string } | undefined)?.last_seq ?? 0),
        createdByUserId: actor.kind === "member" ? actor.member.user.id : null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await audit(tx, { merchantId: scope.merchantId, actor, client: actor.client, action: "webhook.create", outcome: "success", targetType: "webhook_endpoint", targetId: endpoint!.id, details: { url: endpoint!.url, events: endpoint!.eventTypes } });
    return { ok: true as const, endpoint: endpoint!, secret };
  });
}

function sqlLastSeq(merchantId: string) {
  return sql`select last_seq from event_sequences where merchant_id = ${merchantId}`;
}
function rowsOf(r: unknown): unknown[] {
  return Array.isArray(r) ? r : ((r as { rows?: unknown[] }).rows ?? []);
}

export async function updateEndpoint(
  scope: Scope,
  id: string,
  input: EndpointInput & { enabled?: unknown },
  actor: Actor,
  now = new Date(),
): Promise<Result<{ endpoint: WebhookEndpoint }>> {
  const current = await getEndpoint(scope, id);
  if (!current) return failure(404, "resource_missing", "No such webhook endpoint.", "id");
  const parsed = await parseInput(input, true);
  if (!parsed.ok) return parsed;
  const set: Partial<typeof webhookEndpoints.$inferInsert> = { updatedAt: now };
  if (parsed.url !== undefined) set.url = parsed.url;
  if (parsed.events !== undefined) set.eventTypes = parsed.events;
  if (parsed.description !== undefined) set.description = parsed.description;
  if (input.enabled !== undefined) {
    if (typeof input.enabled !== "boolean") return failure(400, "enabled_invalid", "enabled must be true or false.", "enabled");
    set.status = input.enabled ? "enabled" : "disabled";
    set.disabledReason = input.enabled ? null : DISABLED_BY_PERSON;
    if (input.enabled) set.failingSince = null;
  }
  return db().transaction(async (tx) => {
    const [endpoint] = await tx
      .update(webhookEndpoints)
      .set(set)
      .where(and(eq(webhookEndpoints.merchantId, scope.merchantId), eq(webhookEndpoints.id, id)))
      .returning();
    await audit(tx, { merchantId: scope.merchantId, actor, client: actor.client, action: "webhook.update", outcome: "success", targetType: "webhook_endpoint", targetId: id, details: { url: set.url, events: set.eventTypes, status: set.status } });
    return { ok: true as const, endpoint: endpoint! };
  });
}

export async function rotateSecret(scope: Scope, id: string, actor: Actor, now = new Date()): Promise<Result<{ endpoint: WebhookEndpoint; secret: string }>> {
  const current = await getEndpoint(scope, id);
  if (!current) return failure(404, "resource_missing", "No such webhook endpoint.", "id");
  const secret = newSecret();
  return db().transaction(async (tx) => {
    const [endpoint] = await tx
      .update(webhookEndpoints)
      .set({ secret, previousSecret: current.secret, previousSecretExpiresAt: new Date(now.getTime() + ROTATION_OVERLAP_MS), updatedAt: now })
      .where(and(eq(webhookEndpoints.merchantId, scope.merchantId), eq(webhookEndpoints.id, id)))
      .returning();
    await audit(tx, { merchantId: scope.merchantId, actor, client: actor.client, action: "webhook.rotate_secret", outcome: "success", targetType: "webhook_endpoint", targetId: id });
    return { ok: true as const, endpoint: endpoint!, secret };
  });
}

export async function deleteEndpoint(scope: Scope, id: string, actor: Actor, now = new Date()): Promise<Result<{ endpoint: WebhookEndpoint }>> {
  const current = await getEndpoint(scope, id);
  if (!current) return failure(404, "resource_missing", "No such webhook endpoint.", "id");
  return db().transaction(async (tx) => {
    const [endpoint] = await tx
      .update(webhookEndpoints)
      .set({ deletedAt: now, status: "disabled", disabledReason: "Deleted.", updatedAt: now })
      .where(and(eq(webhookEndpoints.merchantId, scope.merchantId), eq(webhookEndpoints.id, id)))
      .returning();
    await audit(tx, { merchantId: scope.merchantId, actor, client: actor.client, action: "webhook.delete", outcome: "success", targetType: "webhook_endpoint", targetId: id, details: { url: current.url } });
    return { ok: true as const, endpoint: endpoint! };
  });
}

/** The secrets a delivery is signed with now: the current one, and the previous during its overlap. */
export function signingSecrets(e: WebhookEndpoint, now = new Date()): string[] {
  return e.previousSecret && e.previousSecretExpiresAt && e.previousSecretExpiresAt.getTime() > now.getTime() ? [e.secret, e.previousSecret] : [e.secret];
}

export function serializeEndpoint(e: WebhookEndpoint, secret?: string) {
  return {
    id: e.id,
    object: "webhook_endpoint" as const,
    url: e.url,
    events: e.eventTypes,
    description: e.description,
    status: e.status,
    disabled_reason: e.disabledReason,
    ...(secret ? { secret } : {}),
    previous_secret_expires_at: e.previousSecretExpiresAt && e.previousSecretExpiresAt.getTime() > Date.now() ? e.previousSecretExpiresAt.toISOString() : null,
    created_at: e.createdAt.toISOString(),
  };
}
