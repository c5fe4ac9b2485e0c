/**
 * GET /api/v1/events (cursor: ?after=<sequence>, ?type=payment.succeeded or payment.*,
 * repeatable or comma-separated; ?limit up to 100) and GET /api/v1/events/:id.
 * Ascending by sequence number: a client keeps the last `sequence` it processed and
 * asks for `after` it; it never misses an event (sequence numbers are given in commit order).
 */
import { getEvent, isKnownEventType, listEvents, serializeEvent } from "~/modules/events/events.server";
import { apiError, apiJson, authenticate, guard, methodNotAllowed } from "~/web/payments/api.server";

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
