/**
 * The payments API's answers as they are stored under an Idempotency-Key: a payment's
 * (201, 202 pending, 402 declined or failed), a refund's, and their rebuilding from what a
 * request that died left behind (the jobs' key recovery, app/server/jobs/recover-keys.ts).
 */
import type { AbandonedKey, RunResult, StoredResponse } from "~/modules/idempotency/idempotency.server";
import { findByIdempotencyKey, getPayment, type Payment } from "~/modules/payments/payments.server";
import { findRefundByIdempotencyKey, type Refund } from "~/modules/refunds/refunds.server";
import { serializePayment, serializeRefund } from "~/modules/payments/serialize";
import { errorBody } from "~/web/edge/json.server";

export function paymentResponse(p: Payment, status?: number): RunResult {
  const body = serializePayment(p);
  if (p.status === "declined" || p.status === "failed") {
    return {
      status: 402,
      body: {
        ...errorBody(
          "card_error",
          p.status === "declined" ? "card_declined" : "processing_error",
          body.decline_message ?? "The card was declined.",
          "card",
          { decline_code: p.declineCode, payment_id: p.id },
        ),
        payment: body,
      },
    };
  }
  return { status: status ?? (p.status === "pending" ? 202 : 201), body };
}

export function refundResponse(r: Refund): StoredResponse {
  return { status: r.status === "pending" ? 202 : 201, body: serializeRefund(r) };
}

/**
 * The stored response of an API key whose request died, rebuilt from what it left: the
 * payment or refund carrying the key, or for capture/void the payment once it shows the
 * transition. null: nothing happened, the key is released (recoverAbandonedKeys).
 */
export async function rebuildApiResponse(row: AbandonedKey): Promise<StoredResponse | null> {
  if (!row.scope.startsWith("term_")) return null;
  const scope = { merchantId: row.merchantId };
  const rowKey = `${row.scope}:${row.key}`;
  if (row.path === "/api/v1/payments") {
    const p = await findByIdempotencyKey(scope, rowKey);
    return p ? paymentResponse(p) : null;
  }
  const m = /^\/api\/v1\/payments\/([^/]+)\/(refunds|capture|void)$/.exec(row.path);
  if (!m) return null;
  if (m[2] === "refunds") {
    const r = await findRefundByIdempotencyKey(scope, rowKey);
    return r ? refundResponse(r) : null;
  }
  const p = await getPayment(scope, decodeURIComponent(m[1]!));
  if (!p) return null;
  const done = m[2] === "capture" ? p.status === "captured" : p.status === "voided";
  return done ? { status: 200, body: serializePayment(p) } : null;
}
