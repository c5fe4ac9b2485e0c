/**
 * The API's HTTP handling, shared by every app/routes/api.v1.* route module and controller
 * (payments, refunds, links, subscriptions, events): authentication by terminal key,
 * bounded JSON bodies, the Idempotency-Key, and errors always as
 * { "error": { type, code, message, param } } with a 4xx status, anything unexpected a 500
 * (or a 503 for a lost database) under `guard`.
 */
import { authenticateApiKey, type ApiPrincipal, type KeyClaim } from "~/modules/terminals/api-auth.server";
import {
  claimValues,
  markClaimed,
  fingerprint,
  KEY_MAX_LENGTH,
  validKey,
  withIdempotency,
  restoreResponse,
  type Attempt,
  type RunResult,
} from "~/modules/idempotency/idempotency.server";
import { failure } from "~/lib/vocabulary";
import type { InputProblem } from "~/web/edge/json-input";
import { apiUnavailable, isDatabaseUnavailable } from "~/web/edge/unavailable.server";
import { apiError, apiJson, methodNotAllowed, readJsonBody } from "~/web/edge/json.server";

// The shared JSON edge's two the API routes import from here (app/routes/api.v1.*).
export { apiJson, methodNotAllowed } from "~/web/edge/json.server";

export function problemResponse(p: InputProblem): Response {
  return apiError(400, "invalid_request_error", p.code, p.message, p.param);
}

export async function authenticate(
  request: Request,
  claim?: Parameters<typeof authenticateApiKey>[2],
  now?: Date,
): Promise<{ ok: true; principal: ApiPrincipal; claimed?: boolean } | { ok: false; response: Response }> {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
  const auth = bearer
    ? await authenticateApiKey(bearer[1]!, now, claim)
    : failure(401, "api_key_missing", "Send your terminal's API key as 'Authorization: Bearer sk_...'.", null, "authentication_error");
  if (auth.ok) return auth;
  const e = auth.error;
  return {
    ok: false,
    response: apiError(e.status, e.type, e.code, e.message, null, {}, e.status === 401 ? { "WWW-Authenticate": 'Bearer realm="api"' } : {}),
  };
}

function keyRefused(message: string): { ok: false; response: Response } {
  return { ok: false, response: apiError(400, "invalid_request_error", "idempotency_key_invalid", message, "Idempotency-Key") };
}

export function idempotencyKeyOf(request: Request): { ok: true; key: string | null } | { ok: false; response: Response } {
  const key = request.headers.get("idempotency-key");
  if (key === null) return { ok: true, key: null };
  if (key.trim() === "") {
    // An empty header is a client bug (an unset variable), never "no key": refused, not ignored.
    return keyRefused("Idempotency-Key is empty: send a unique value for this request (a UUID is typical), or leave the header out.");
  }
  if (!validKey(key)) {
    return keyRefused(`Idempotency-Key must be 1 to ${KEY_MAX_LENGTH} printable characters (a UUID is typical).`);
  }
  return { ok: true, key };
}

/** Runs a POST under the caller's Idempotency-Key (when sent) and renders the response. */
export async function idempotentPost(
  request: Request,
  principal: ApiPrincipal,
  key: string | null,
  params: unknown,
  run: (attempt: Attempt) => Promise<RunResult>,
  /** The key's statement already tried the claim (apiPost's early claim): whether it claimed it. */
  claimed?: boolean,
  /**
   * A replayed answer the endpoint may complete (a payment stored as "pending" whose outcome is
   * known by now): the completed answer, stored under the key in place of the old one, or null.
   */
  completeReplay?: (stored: { status: number; body: unknown }) => Promise<{ status: number; body: unknown } | null>,
): Promise<Response> {
  const path = pathOf(request);
  try {
    if (!key) {
      const r = await run({ resumed: false });
      return apiJson(r.status, r.body);
    }
    const idem = {
      merchantId: principal.merchantId,
      scope: principal.terminalId,
      key,
      method: "POST",
      path,
      fingerprint: fingerprint(params),
    };
    let r = await withIdempotency(idem, run, claimed);
    if (r.replayed && completeReplay) {
      const completed = await completeReplay(r);
      if (completed) {
        await restoreResponse(idem, completed);
        r = { ...completed, replayed: true };
      }
    }
    return apiJson(r.status, r.body, r.replayed ? { "Idempotent-Replayed": "true" } : {});
  } catch (e) {
    return unexpected(e);
  }
}

function unexpected(e: unknown): Response {
  if (isDatabaseUnavailable(e)) {
    console.error("api: database unavailable:", e instanceof Error ? e.message.split("\n")[0] : e);
    return apiUnavailable();
  }
  console.error("api: unexpected error", e instanceof Error ? e.message : e);
  return apiError(500, "api_error", "internal_error", "Something went wrong on our side; nothing was charged twice. Retry with the same Idempotency-Key.");
}

export async function guard(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof Response) return e;
    return unexpected(e);
  }
}

const pathOf = (request: Request) => new URL(request.url).pathname.replace(/\/+$/, "");

/**
 * An endpoint's parse of its body before the key is looked up, so the Idempotency-Key can
 * be claimed by the key's own statement: the parameters (fingerprinted as idempotentPost
 * does) and the currency the merchant must have; null when the body is refused (the usual
 * order of answers follows then).
 */
export type EarlyParse<E> = (body: unknown, now: Date) => { value: E; params: unknown; currency: string } | null;

/**
 * A JSON POST endpoint: the method, the terminal's key, the Idempotency-Key (unless the
 * endpoint takes none) and the bounded JSON body, each refused with its own 4xx, before
 * `run`; anything it throws is the API's 500/503 answer (guard).
 *
 * With `early` and a valid Idempotency-Key, the body is read and parsed first and the key
 * is claimed by the API key's statement (one round trip for both); `run` gets `early` (the
 * parse) and `claimed` (pass it to idempotentPost). A refusal is still answered in the
 * usual order (the API key's, then the body's), and nothing is claimed for a refused request.
 */
export function apiPost<E = never>(
  request: Request,
  allow: string[] | { allow: string[]; idempotencyKey: false },
  run: (input: { auth: { principal: ApiPrincipal }; key: string | null; body: unknown; early?: { value: E; params: unknown; now: Date }; claimed?: boolean }) => Promise<Response>,
  early?: EarlyParse<E>,
): Promise<Response> {
  const keyed = Array.isArray(allow);
  return guard(async () => {
    if (request.method !== "POST") return methodNotAllowed(keyed ? allow : allow.allow);
    let read: Awaited<ReturnType<typeof readJsonBody>> | undefined;
    if (early && keyed) {
      const header = idempotencyKeyOf(request);
      if (header.ok && header.key) {
        read = await readJsonBody(request);
        const now = new Date();
        const parsed = read.ok ? early(read.body, now) : null;
        if (read.ok && parsed) {
          const key = header.key;
          const values = claimValues({ merchantId: "", scope: "", key, method: "POST", path: pathOf(request), fingerprint: fingerprint(parsed.params) }, now);
          const auth = await authenticate(
            request,
            {
              values: { ...values, currency: parsed.currency } satisfies KeyClaim,
              onClaimed: (who) => markClaimed({ merchantId: who.merchantId, scope: who.terminalId, key }),
            },
            now,
          );
          if (!auth.ok) return auth.response;
          return run({ auth, key, body: read.body, early: { value: parsed.value, params: parsed.params, now }, claimed: auth.claimed });
        }
      }
    }
    const auth = await authenticate(request);
    if (!auth.ok) return auth.response;
    const key = keyed ? idempotencyKeyOf(request) : { ok: true as const, key: null };
    if (!key.ok) return key.response;
    const body = read ?? (await readJsonBody(request));
    if (!body.ok) return body.response;
    return run({ auth, key: key.key, body: body.body });
  });
}

/** A read endpoint (GET or HEAD): the method and the terminal's key before `run`, under guard. */
export function apiGet(request: Request, allow: string[], run: (auth: { principal: ApiPrincipal }) => Promise<Response>): Promise<Response> {
  return guard(async () => {
    if (request.method !== "GET" && request.method !== "HEAD") return methodNotAllowed(allow);
    const auth = await authenticate(request);
    if (!auth.ok) return auth.response;
    return run(auth);
  });
}
