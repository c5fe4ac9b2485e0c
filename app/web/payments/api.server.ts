/**
 * The payments API's controllers (payments and their refunds), behind the API's shared HTTP
 * handling (app/web/edge/api.server.ts).
 */
import { normalizePan } from "~/lib/card";
import { issueRefund, getRefund } from "~/modules/refunds/refunds.server";
import {
  parseCreatePayment,
  parseCreateRefund,
  parseEmpty,
  parseListQuery,
} from "./api-input";
import {
  capturePayment,
  createPayment,
  getPayment,
  listPayments,
  refundsOfPayment,
  voidPayment,
} from "~/modules/payments/payments.server";
import { serializePayment, serializeRefund } from "~/modules/payments/serialize";
import { apiError, apiJson, failureBody } from "~/web/edge/json.server";
import { apiGet, apiPost, guard, idempotentPost, problemResponse, type EarlyParse } from "~/web/edge/api.server";
import { paymentResponse, refundResponse } from "./api-responses.server";
import { settlePayment } from "~/modules/payments/reconcile-pending.server";
import type { Scope } from "~/lib/vocabulary";

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
    }, claimed, (stored) => completePendingAnswer(auth.principal.scope, stored));
  }, earlyPayment);
}

/**
 * A retry whose stored answer was "pending" (the provider's outcome was not known then, e.g.
 * the database went away mid-request) completes it: the provider is asked (never charged
 * again), and the completed outcome becomes the stored answer.
 */
async function completePendingAnswer(scope: Scope, stored: { status: number; body: unknown }): Promise<{ status: number; body: unknown } | null> {
  if (stored.status !== 202) return null;
  const id = (stored.body as { id?: unknown } | null)?.id;
  const p = typeof id === "string" ? await getPayment(scope, id) : undefined;
  if (p?.status === "pending") await settlePayment(p, new Date(), Number.MAX_SAFE_INTEGER).catch(() => "pending");
  const now = p ? await getPayment(scope, p.id) : undefined;
  return now && now.status !== "pending" ? paymentResponse(now) : null;
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

