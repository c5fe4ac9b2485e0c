/**
 * /api/v1/payment_links and /api/v1/payments/:id/verify: the merchant's server creates,
 * lists, reads and deactivates links, and confirms a payment the cardholder's redirect
 * announced (as Iranian gateways' "verify" step). Terminal-key authentication,
 * Idempotency-Key on POSTs and the API's error shape, as every /api/v1 endpoint.
 */
import { clientOf } from "~/web/request.server";
import { publicOrigin } from "~/web/request.server";
import { apiError, apiJson, failureBody } from "~/web/edge/json.server";
import { apiGet, apiPost, idempotentPost } from "~/web/edge/api.server";
import { parseMinorUnits } from "~/lib/money";
import { getPayment } from "~/modules/payments/payments.server";
import { serializePayment } from "~/modules/payments/serialize";
import { zodProblem } from "~/web/edge/json-input";
import { traceNumber } from "~/modules/payments/receipts.server";
import {
  apiLinkSchema,
  createPaymentLink,
  deactivatePaymentLink,
  getPaymentLink,
  listPaymentLinks,
  serializeLink,
} from "~/modules/payment-links/links.server";

const FIELD_PARAMS: Record<string, string> = {
  amount: "amount",
  minAmount: "min_amount",
  maxAmount: "max_amount",
  description: "description",
  expiresAt: "expires_at",
  redirectUrl: "redirect_url",
};

function bad(param: string, message: string, code = "parameter_invalid"): Response {
  return apiError(400, "invalid_request_error", code, message, param);
}

function amountParam(v: unknown, param: string): { ok: true; value: bigint | null } | { ok: false; response: Response } {
  if (v === undefined || v === null) return { ok: true, value: null };
  const n = parseMinorUnits(v);
  if (n === null) return { ok: false, response: bad(param, `${param} must be a positive whole number of minor units (a string or an integer).`) };
  return { ok: true, value: n };
}

export function apiCreateLink(request: Request): Promise<Response> {
  return apiPost(request, ["GET", "POST"], async ({ auth, key, body }) => {
    const parsed = apiLinkSchema.safeParse(body ?? {});
    if (!parsed.success) {
      const p = zodProblem(parsed.error);
      return bad(p.param, p.message, p.code);
    }
    const v = parsed.data;
    const amount = amountParam(v.amount, "amount");
    if (!amount.ok) return amount.response;
    const min = amountParam(v.min_amount, "min_amount");
    if (!min.ok) return min.response;
    const max = amountParam(v.max_amount, "max_amount");
    if (!max.ok) return max.response;
    let expiresAt: Date | null = null;
    if (v.expires_at) {
      expiresAt = new Date(v.expires_at);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(v.expires_at) || Number.isNaN(expiresAt.getTime())) {
        return bad("expires_at", "expires_at must be an ISO 8601 instant, like 2026-12-31T20:30:00Z.");
      }
    }
    const origin = publicOrigin(request);
    return idempotentPost(request, auth.principal, key, v, async () => {
      const r = await createPaymentLink(
        auth.principal.scope,
        { kind: "terminal", terminalId: auth.principal.terminalId, client: clientOf(request) },
        {
          amount: amount.value,
          minAmount: min.value,
          maxAmount: max.value,
          description: v.description,
          customerFields: v.customer_fields ?? [],
          reusable: v.reusable ?? false,
          expiresAt,
          redirectUrl: v.redirect_url ?? null,
        },
      );
      if (!r.ok) {
        const param = FIELD_PARAMS[r.error.param ?? ""] ?? r.error.param;
        return { status: r.error.status, body: failureBody({ ...r.error, param }), store: false };
      }
      const link = await getPaymentLink(auth.principal.scope, r.link.id);
      return { status: 201, body: serializeLink(link!, origin) };
    });
  });
}

export function apiListLinks(request: Request): Promise<Response> {
  return apiGet(request, ["GET", "POST"], async (auth) => {
    const limitRaw = new URL(request.url).searchParams.get("limit");
    const limit = limitRaw === null ? 100 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) return bad("limit", "limit must be a whole number from 1 to 500.");
    const list = await listPaymentLinks(auth.principal.scope, { limit });
    const origin = publicOrigin(request);
    return apiJson(200, { object: "list", data: list.map((l) => serializeLink(l, origin)), has_more: false });
  });
}

export function apiGetLink(request: Request, id: string | undefined): Promise<Response> {
  return apiGet(request, ["GET"], async (auth) => {
    const link = id ? await getPaymentLink(auth.principal.scope, id) : null;
    if (!link) return apiError(404, "invalid_request_error", "resource_missing", "No such payment link.", "id");
    return apiJson(200, serializeLink(link, publicOrigin(request)));
  });
}

export function apiDeactivateLink(request: Request, id: string | undefined): Promise<Response> {
  return apiPost(request, ["POST"], async ({ auth, key, body }) => {
    if (body !== undefined && (typeof body !== "object" || body === null || Object.keys(body).length > 0)) {
      return bad("body", "This endpoint takes no parameters: send an empty body or {}.");
    }
    const origin = publicOrigin(request);
    return idempotentPost(request, auth.principal, key, { id, op: "deactivate" }, async () => {
      const r = await deactivatePaymentLink(auth.principal.scope, { kind: "terminal", terminalId: auth.principal.terminalId, client: clientOf(request) }, id ?? "");
      if (!r.ok) return { status: r.error.status, body: failureBody(r.error), store: false };
      return { status: 200, body: serializeLink(r.link, origin) };
    });
  });
}

/**
 * POST /api/v1/payments/:id/verify { amount? }: the merchant's server confirms what the
 * redirect said. verified is true only for a payment whose money moved (captured); an
 * amount that differs from the payment's is refused, so a tampered redirect cannot pass.
 */
export function apiVerifyPayment(request: Request, id: string | undefined): Promise<Response> {
  return apiPost(request, { allow: ["POST"], idempotencyKey: false }, async ({ auth, body }) => {
    const given = (body ?? {}) as Record<string, unknown>;
    if (typeof given !== "object" || Array.isArray(given)) return bad("body", "Send a JSON object, like {\"amount\": \"1250000\"}.");
    const extra = Object.keys(given).filter((k) => k !== "amount");
    if (extra.length) return bad(extra[0]!, `Unknown parameter ${extra[0]}: verify takes only amount.`, "parameter_unknown");
    const p = id ? await getPayment(auth.principal.scope, id) : undefined;
    if (!p) return apiError(404, "invalid_request_error", "resource_missing", "No such payment.", "id");
    if (given.amount !== undefined) {
      const amount = parseMinorUnits(given.amount);
      if (amount === null) return bad("amount", "amount must be a positive whole number of minor units.");
      if (amount !== p.amount) {
        return apiError(409, "invalid_request_error", "amount_mismatch", `The payment is for ${p.amount} minor units, not ${amount}.`, "amount", {
          payment_amount: p.amount.toString(),
        });
      }
    }
    return apiJson(200, {
      object: "verification",
      verified: p.status === "captured",
      payment_id: p.id,
      status: p.status,
      amount: p.amount.toString(),
      currency: p.currency,
      payment_link_id: p.paymentLinkId,
      reference: p.providerReference,
      trace_number: traceNumber(p.id),
      payment: serializePayment(p),
    });
  });
}
