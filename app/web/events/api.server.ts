/**
 * GET /api/v1/events (cursor: ?after=<sequence>, ?type=payment.succeeded or payment.*,
 * repeatable or comma-separated; ?limit up to 100) and GET /api/v1/events/:id.
 * Ascending by sequence number: a client keeps the last `sequence` it processed and
 * asks for `after` it; it never misses an event (sequence numbers are given in commit order).
 */
import type { Actor } from "~/lib/vocabulary";
import { getEvent, isKnownEventType, listEvents, serializeEvent } from "~/modules/events/events.server";
import type { Failure } from "~/modules/payments/failure";
import { createEndpoint, deleteEndpoint, getEndpoint, listEndpoints, serializeEndpoint, updateEndpoint } from "~/modules/webhooks/endpoints.server";
import { replayEvents } from "~/modules/webhooks/delivery.server";
import { apiError, apiJson, methodNotAllowed, readJsonBody } from "~/web/edge/json.server";
import { authenticate, guard } from "~/web/edge/api.server";

function bad(code: string, message: string, param: string): Response {
  return apiError(400, "invalid_request_error", code, message, param);
}

export function apiListEvents(request: Request): Promise<Response> {
  return guard(async () => {
    if (request.method !== "GET" && request.method !== "HEAD") return methodNotAllowed(["GET"]);
    const auth = await authenticate(request);
    if (!auth.ok) return auth.response;
    const q = new URL(request.url).searchParams;
    let after: number | undefined;
    const rawAfter = q.get("after");
    if (rawAfter !== null && rawAfter !== "") {
      if (!/^\d{1,15}$/.test(rawAfter)) return bad("after_invalid", "after must be an event sequence number (a whole number, 0 for the first event).", "after");
      after = Number(rawAfter);
    }
    const types = q.getAll("type").flatMap((t) => t.split(",")).map((t) => t.trim()).filter(Boolean);
    const unknown = types.find((t) => !isKnownEventType(t));
    if (unknown) return bad("type_invalid", `Unknown event type "${unknown.slice(0, 60)}": use a type such as payment.succeeded, a group such as payment.*, or leave it out.`, "type");
    let limit = 50;
    const rawLimit = q.get("limit");
    if (rawLimit !== null && rawLimit !== "") {
      if (!/^\d{1,3}$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > 100) return bad("limit_invalid", "limit must be a whole number from 1 to 100.", "limit");
      limit = Number(rawLimit);
    }
    const r = await listEvents(auth.principal.scope, { after: after ?? 0, types, limit, order: "asc" });
    const data = r.events.map(serializeEvent);
    return apiJson(200, {
      object: "list",
      data,
      has_more: r.hasMore,
      next_after: data.length ? data[data.length - 1]!.sequence : (after ?? 0),
    });
  });
}

export function apiGetEvent(request: Request, id: string | undefined): Promise<Response> {
  return guard(async () => {
    if (request.method !== "GET" && request.method !== "HEAD") return methodNotAllowed(["GET"]);
    const auth = await authenticate(request);
    if (!auth.ok) return auth.response;
    const e = id ? await getEvent(auth.principal.scope, id) : undefined;
    if (!e) return apiError(404, "invalid_request_error", "resource_missing", "No such event.", "id");
    return apiJson(200, serializeEvent(e));
  });
}

// ---- webhook endpoints --------------------------------------------------------------


function failureResponse(f: Failure): Response {
  return apiError(f.status, f.type, f.code, f.message, f.param);
}

async function objectBody(request: Request): Promise<{ ok: true; body: Record<string, unknown> } | { ok: false; response: Response }> {
  const b = await readJsonBody(request);
  if (!b.ok) return b;
  if (b.body === undefined) return { ok: true, body: {} };
  if (typeof b.body !== "object" || b.body === null || Array.isArray(b.body)) {
    return { ok: false, response: apiError(400, "invalid_request_error", "body_invalid", "The body must be a JSON object.", "body") };
  }
  return { ok: true, body: b.body as Record<string, unknown> };
}

/** The API key's terminal acts for the merchant: audited as the terminal. */
function actorOf(principal: { terminalId: string }): Actor {
  return { kind: "terminal", terminalId: principal.terminalId };
}

/** GET (list) and POST (create) /api/v1/webhook_endpoints */
export function apiWebhookEndpoints(request: Request): Promise<Response> {
  return guard(async () => {
    const auth = await authenticate(request);
    if (!auth.ok) return auth.response;
    const scope = auth.principal.scope;
    if (request.method === "GET" || request.method === "HEAD") {
      const list = await listEndpoints(scope);
      return apiJson(200, { object: "list", data: list.map((e) => serializeEndpoint(e)), has_more: false });
    }
    if (request.method !== "POST") return methodNotAllowed(["GET", "POST"]);
    const b = await objectBody(request);
    if (!b.ok) return b.response;
    const r = await createEndpoint(scope, { url: b.body.url, events: b.body.events, description: b.body.description }, actorOf(auth.principal));
    if (!r.ok) return failureResponse(r.error);
    return apiJson(201, serializeEndpoint(r.endpoint, r.secret));
  });
}

/** GET, POST (change), DELETE /api/v1/webhook_endpoints/:id */
export function apiWebhookEndpoint(request: Request, id: string | undefined): Promise<Response> {
  return guard(async () => {
    const auth = await authenticate(request);
    if (!auth.ok) return auth.response;
    const scope = auth.principal.scope;
    const missing = () => apiError(404, "invalid_request_error", "resource_missing", "No such webhook endpoint.", "id");
    if (request.method === "GET" || request.method === "HEAD") {
      const e = id ? await getEndpoint(scope, id) : undefined;
      return e ? apiJson(200, serializeEndpoint(e)) : missing();
    }
    if (request.method === "DELETE") {
      const r = await deleteEndpoint(scope, id ?? "", actorOf(auth.principal));
      if (!r.ok) return failureResponse(r.error);
      return apiJson(200, { id: r.endpoint.id, object: "webhook_endpoint", deleted: true });
    }
    if (request.method !== "POST") return methodNotAllowed(["GET", "POST", "DELETE"]);
    const b = await objectBody(request);
    if (!b.ok) return b.response;
    const unknownKey = Object.keys(b.body).find((k) => !["url", "events", "description", "enabled"].includes(k));
    if (unknownKey) return apiError(400, "invalid_request_error", "parameter_unknown", `Unknown parameter "${unknownKey.slice(0, 40)}": an endpoint has url, events, description and enabled.`, unknownKey.slice(0, 40));
    const r = await updateEndpoint(scope, id ?? "", b.body, actorOf(auth.principal));
    if (!r.ok) return failureResponse(r.error);
    return apiJson(200, serializeEndpoint(r.endpoint));
  });
}

/** POST /api/v1/webhook_endpoints/:id/replay { "after": <sequence> } */
export function apiReplayWebhook(request: Request, id: string | undefined): Promise<Response> {
  return guard(async () => {
    if (request.method !== "POST") return methodNotAllowed(["POST"]);
    const auth = await authenticate(request);
    if (!auth.ok) return auth.response;
    const b = await objectBody(request);
    if (!b.ok) return b.response;
    const after = b.body.after;
    if (typeof after !== "number" || !Number.isSafeInteger(after) || after < 0) {
      return apiError(400, "invalid_request_error", "after_invalid", "after must be an event sequence number (0 to replay every event).", "after");
    }
    const r = await replayEvents(auth.principal.scope, id ?? "", { after }, actorOf(auth.principal));
    if (!r.ok) return failureResponse(r.error);
    return apiJson(202, { object: "replay", endpoint_id: id, after: r.after, deliveries: r.count });
  });
}
