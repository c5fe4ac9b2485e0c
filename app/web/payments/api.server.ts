/**
 * The payments API's HTTP handling, shared by the app/routes/api.v1.* route modules:
 * authentication by terminal key, bounded JSON bodies, Idempotency-Key, and errors
 * always as { "error": { type, code, message, param } } with a 4xx status.
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
import { normalizePan } from "~/lib/card";
import { failure } from "~/lib/vocabulary";
import { issueRefund, getRefund } from "~/modules/refunds/refunds.server";
import {
  parseCreatePayment,
  parseCreateRefund,
  parseEmpty,
  parseListQuery,
} from "./api-input";
import type { InputProblem } from "~/web/edge/json-input";
import {
  capturePayment,
  createPayment,
  getPayment,
  listPayments,
  refundsOfPayment,
  voidPayment,
} from "~/modules/payments/payments.server";
import { serializePayment, serializeRefund } from "~/modules/payments/serialize";
import { apiUnavailable, isDatabaseUnavailable } from "~/web/edge/unavailable.server";
import { apiError, apiJson, failureBody, methodNotAllowed, readJsonBody } from "~/web/edge/json.server";
import { paymentResponse, refundResponse } from "./api-responses.server";
import { settlePayment } from "~/modules/payments/reconcile-pending.server";

// The shared JSON edge's two the API routes import from here (app/routes/api.v1.*).
export { apiJson, methodNotAllowed } from "~/web/edge/json.server";

function problemResponse(p: InputProblem): Response {
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
    if (r.replayed && r.status === 202 && path === "/api/v1/payments") {
      // The first answer was "pending" (the provider's outcome was not known then, e.g. the
      // database went away mid-request). The retry completes it: the provider is asked
      // (never charged again), and the completed outcome becomes the stored answer.
      const id = (r.body as { id?: unknown } | null)?.id;
      const p = typeof id === "string" ? await getPayment(principal.scope, id) : undefined;
      if (p?.status === "pending") await settlePayment(p, new Date(), Number.MAX_SAFE_INTEGER).catch(() => "pending");
      const now = p ? await getPayment(principal.scope, p.id) : undefined;
      if (now && now.status !== "pending") {
        const completed = paymentResponse(now);
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

function notFound(what: "payment" | "refund"): Response {
  return apiError(404, "invalid_request_error", "resource_missing", `No such ${what}.`, "id");
}

// ---- handlers ---------------------------------------------------------------------

type CreatePaymentParams = Extract<ReturnType<typeof parseCreatePayment>, { ok: true }>["value"];

/** The parameters a payment's Idempotency-Key is fingerprinted by: never the card number (BIN, last 4 and length identify it well enough). */
function paymentParams(v: CreatePaymentParams) {
  return {
    ...v,
    card: v.card
      ? { n: `${v.card.number.slice(0, 6)}…${v.card.number.slice(-4)}/${v.card.number.length}`, m: v.card.expMonth, y: v.card.expYear }
      : undefined,
  };
}

const earlyPayment: EarlyParse<CreatePaymentParams> = (body, now) => {
  const parsed = parseCreatePayment(body, now);
  return parsed.ok ? { value: parsed.value, params: paymentParams(parsed.value), currency: parsed.value.currency } : null;
};

export function apiCreatePayment(request: Request): Promise<Response> {
  return apiPost(request, ["GET", "POST"], async ({ auth, key, body, early, claimed }) => {
    let v: CreatePaymentParams;
    let params: unknown;
    if (early) {
      ({ value: v, params } = early);
    } else {
      const parsed = parseCreatePayment(body, new Date());
      if (!parsed.ok) return problemResponse(parsed.problem);
      v = parsed.value;
      params = paymentParams(v);
    }
    if (v.currency !== auth.principal.currency) {
      // (Never claimed early: the claim requires the merchant's currency.)
      return apiError(400, "invalid_request_error", "currency_mismatch", `currency must be ${auth.principal.currency}, this merchant's currency.`, "currency");
    }
    return idempotentPost(request, auth.principal, key, params, async ({ storeIn }) => {
      const r = await createPayment(
        auth.principal.scope,
        {
          amount: v.amount,
          currency: v.currency,
          card: v.card ? { ...v.card, number: normalizePan(v.card.number) } : undefined,
          token: v.token,
          description: v.description,
          customerReference: v.customerReference,
          capture: v.capture,
        },
        {
          terminalId: auth.principal.terminalId,
          idempotencyKey: key ? `${auth.principal.terminalId}:${key}` : null,
          // Read with the key, in this request: an active merchant and terminal.
          preloaded: {
            merchant: auth.principal.merchant,
            terminal: { id: auth.principal.terminalId, name: auth.principal.terminalName, status: "active" },
          },
          // The usual outcome's answer is stored under the key by the capture's own transaction.
          withCapture: storeIn ? (tx, captured) => storeIn(tx, paymentResponse(captured)) : undefined,
        },
      );
      if (!r.ok) {
        // Refused before anything happened (bad token, card the provider rejects): not stored.
        return { status: r.error.status, body: failureBody(r.error), store: r.error.status >= 500 ? false : r.error.status !== 400 };
      }
      return { ...paymentResponse(r.payment), ...(r.storedWithCapture ? { stored: true } : {}) };
    }, claimed);
  }, earlyPayment);
}

export function apiListPayments(request: Request): Promise<Response> {
  return apiGet(request, ["GET", "POST"], async (auth) => {
    const q = parseListQuery(new URL(request.url).searchParams);
    if (!q.ok) return problemResponse(q.problem);
    const r = await listPayments(auth.principal.scope, q.value);
    if (!r.ok) return apiJson(r.error.status, failureBody(r.error));
    return apiJson(200, {
      object: "list",
      data: r.payments.map((p) => serializePayment(p)),
      has_more: r.nextCursor !== null,
      next_cursor: r.nextCursor,
    });
  });
}

export function apiGetPayment(request: Request, id: string | undefined): Promise<Response> {
  return apiGet(request, ["GET"], async (auth) => {
    const p = id ? await getPayment(auth.principal.scope, id) : undefined;
    if (!p) return notFound("payment");
    return apiJson(200, serializePayment(p, await refundsOfPayment(auth.principal.scope, p.id)));
  });
}

export function apiPaymentTransition(request: Request, id: string | undefined, op: "capture" | "void"): Promise<Response> {
  return apiPost(request, ["POST"], async ({ auth, key, body }) => {
    const parsed = parseEmpty(body);
    if (!parsed.ok) return problemResponse(parsed.problem);
    const existing = id ? await getPayment(auth.principal.scope, id) : undefined;
    if (!existing) return notFound("payment");
    return idempotentPost(request, auth.principal, key, { id: existing.id, op }, async ({ resumed }) => {
      if (resumed) {
        // An earlier request with this key died after it may have done the work: a payment
        // now captured (voided) is that request's answer, not "already captured".
        const now = await getPayment(auth.principal.scope, existing.id);
        if (now && now.status === (op === "capture" ? "captured" : "voided")) return { status: 200, body: serializePayment(now) };
      }
      const r = op === "capture" ? await capturePayment(auth.principal.scope, existing.id) : await voidPayment(auth.principal.scope, existing.id);
      if (!r.ok) return { status: r.error.status, body: failureBody(r.error), store: r.error.status < 500 };
      return { status: 200, body: serializePayment(r.payment) };
    });
  });
}

export function apiCreateRefund(request: Request, paymentId: string | undefined): Promise<Response> {
  return apiPost(request, ["GET", "POST"], async ({ auth, key, body }) => {
    const payment = paymentId ? await getPayment(auth.principal.scope, paymentId) : undefined;
    if (!payment) return notFound("payment");
    const parsed = parseCreateRefund(body, payment.currency);
    if (!parsed.ok) return problemResponse(parsed.problem);
    const v = parsed.value;
    return idempotentPost(request, auth.principal, key, { payment: payment.id, ...v }, async ({ storeIn }) => {
      const r = await issueRefund(auth.principal.scope, {
        paymentId: payment.id,
        amount: v.amount,
        reason: v.reason,
        note: v.note,
        // Not capped, and no audit row: the refund.created event in its transaction records it (issueRefund).
        actor: { kind: "terminal", terminalId: auth.principal.terminalId },
        idempotencyKey: key ? `${auth.principal.terminalId}:${key}` : null,
        // Read above, in this request: the refund is tried without locking and reading it again.
        known: payment,
        // The usual outcome's answer is stored under the key by the success's own transaction.
        withSuccess: storeIn ? (tx, succeeded) => storeIn(tx, refundResponse(succeeded)) : undefined,
      });
      if (!r.ok) return { status: r.error.status, body: failureBody(r.error) };
      return { ...refundResponse(r.refund), ...(r.storedWithSuccess ? { stored: true } : {}) };
    });
  });
}

export function apiListRefunds(request: Request, paymentId: string | undefined): Promise<Response> {
  return apiGet(request, ["GET", "POST"], async (auth) => {
    const payment = paymentId ? await getPayment(auth.principal.scope, paymentId) : undefined;
    if (!payment) return notFound("payment");
    const rows = await refundsOfPayment(auth.principal.scope, payment.id);
    return apiJson(200, { object: "list", data: rows.map(serializeRefund), has_more: false, next_cursor: null });
  });
}

export function apiGetRefund(request: Request, id: string | undefined): Promise<Response> {
  return apiGet(request, ["GET"], async (auth) => {
    const r = id ? await getRefund(auth.principal.scope, id) : undefined;
    if (!r) return notFound("refund");
    return apiJson(200, serializeRefund(r));
  });
}

export function apiNotFound(request: Request): Promise<Response> {
  return guard(async () =>
    apiError(404, "invalid_request_error", "route_not_found", `No API endpoint ${request.method} ${new URL(request.url).pathname}. See /api/v1/openapi.json.`),
  );
}

