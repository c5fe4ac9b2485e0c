/**
 * The refund form on the payment page (its action; the form is
 * app/components/refund-form.tsx). Signed in, same origin, CSRF token, the
 * refunds:create permission, a recent step-up (password or code within five
 * minutes), the role's per-refund limit, and the form's own idempotency key so a
 * double click or a re-sent POST never refunds twice.
 */
import crypto from "node:crypto";
import { json, redirect, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { parseAmount, isCurrencyCode } from "~/lib/money";
import { makeFormatter } from "~/lib/format";
import type { MessageKey } from "~/lib/i18n/en";
import { amountErrorMessage } from "~/lib/i18n/messages";
import { checkStepUp, notFound, requireAction, type AppContext } from "~/web/guard.server";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { fingerprint, validKey, withIdempotency } from "~/modules/idempotency/idempotency.server";
import { getPayment, refundableOf, type Payment } from "~/modules/payments/payments.server";
import { issueRefund, NOTE_MAX, REFUND_REASONS, refundCapOf, type RefundFailure } from "~/modules/refunds/refunds.server";
import { clientOf } from "~/web/request.server";

export type RefundFormField = "amount" | "reason" | "note" | "form";

export interface RefundFormResult {
  ok: false;
  errors: Partial<Record<RefundFormField, string>>;
  stepUp?: string;
  values: { amount: string; reason: string; note: string };
}

/** A fresh key for one rendering of the form (pass it to <RefundForm formKey>). */
export function newRefundFormKey(): string {
  return crypto.randomUUID();
}

const formSchema = z.object({
  amount: z.string().max(60).optional().default(""),
  // No default: an empty POST must not become "refund everything".
  reason: z.string().max(40).optional().default(""),
  note: z.string().max(NOTE_MAX * 4).optional().default(""),
  key: z.string().max(255).optional().default(""),
});

function toolsFor(ctx: AppContext) {
  const prefs = resolvePreferences(ctx);
  const t = serverTranslator(prefs);
  const fmt = makeFormatter(prefs);
  return { t, fmt };
}

function errorFor(
  e: RefundFailure,
  p: Payment,
  asked: bigint | null,
  tools: ReturnType<typeof toolsFor>,
): Partial<Record<RefundFormField, string>> {
  const { t, fmt } = tools;
  const money = (v: bigint) => fmt.money(v, p.currency);
  switch (e.code) {
    case "amount_exceeds_refundable":
      return {
        amount: t("refundForm.error.exceeds", {
          amount: money(asked ?? 0n),
          refundable: money(e.refundable ?? refundableOf(p)),
        }),
      };
    case "payment_fully_refunded":
      return { form: t("refundForm.error.fullyRefunded") };
    case "payment_not_captured":
      return { form: t("refundForm.error.notCaptured", { status: t(`paymentStatus.${p.status}` as MessageKey) }) };
    case "amount_invalid":
      return { amount: t("money.error.not_positive") };
    case "amount_exceeds_limit":
      return { amount: t("refundForm.error.limit", { limit: money(BigInt(String(e.details?.limit ?? "0"))), amount: money(asked ?? 0n) }) };
    default:
      return { form: t("refundForm.error.generic", { message: e.message }) };
  }
}

export async function refundFormAction({ request, params }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, "refunds:create");
  const id = params.paymentId ?? "";
  const payment = /^[A-Za-z0-9_]{1,100}$/.test(id) ? await getPayment(ctx.scope, id) : undefined;
  if (!payment) return notFound(ctx, request, { type: "payment", id });
  const tools = toolsFor(ctx);
  const { t, fmt } = tools;

  const raw = formSchema.safeParse({
    amount: form.get("amount") ?? undefined,
    reason: form.get("reason") ?? undefined,
    note: form.get("note") ?? undefined,
    key: form.get("key") ?? undefined,
  });
  const values = {
    amount: typeof form.get("amount") === "string" ? String(form.get("amount")).slice(0, 60) : "",
    reason: typeof form.get("reason") === "string" ? String(form.get("reason")).slice(0, 40) : "",
    note: typeof form.get("note") === "string" ? String(form.get("note")).slice(0, NOTE_MAX) : "",
  };
  const fail = (status: number, errors: RefundFormResult["errors"], stepUp?: string) =>
    json<RefundFormResult>({ ok: false, errors, values, ...(stepUp ? { stepUp } : {}) }, { status });
  if (!raw.success) return fail(400, { form: t("refundForm.error.generic", { message: raw.error.issues[0]?.message ?? "" }) });
  const v = raw.data;

  const errors: RefundFormResult["errors"] = {};
  let amount: bigint | null = null;
  if (v.amount.trim() !== "") {
    if (!isCurrencyCode(payment.currency)) return fail(400, { form: t("money.error.unsupported_currency", { currency: payment.currency }) });
    const parsed = parseAmount(v.amount, payment.currency);
    if (parsed.ok) amount = parsed.minor;
    else errors.amount = amountErrorMessage(t, fmt, parsed);
  }
  const reason = (REFUND_REASONS as readonly string[]).includes(v.reason) ? (v.reason as (typeof REFUND_REASONS)[number]) : null;
  if (!reason) errors.reason = t("refundForm.error.reason");
  if (v.note.length > NOTE_MAX) errors.note = t("refundForm.error.noteLong", { max: NOTE_MAX });
  if (Object.keys(errors).length) return fail(400, errors);

  // The role's cap is applied by issueRefund to the member (refundCapOf, in the refund's row
  // lock); its refusal comes back as amount_exceeds_limit and is shown by the amount field.
  const wanted = amount ?? refundableOf(payment);

  // Step-up guards the large refunds: above the merchant's support limit (only owners and
  // admins, who have no cap, can go there) the password or a code must be confirmed within 5 minutes.
  if (refundCapOf(ctx) === null && wanted > ctx.merchant.supportRefundLimit) {
    const stepUp = await checkStepUp(ctx, form, request);
    if (stepUp) return fail(403, {}, stepUp.message);
  }

  const run = async () => {
    const r = await issueRefund(ctx.scope, {
      paymentId: payment.id,
      amount,
      reason: reason!,
      note: v.note.trim() || null,
      // The member: the domain applies their role's cap and audits the attempt.
      actor: { kind: "member", member: ctx, client: clientOf(request) },
      idempotencyKey: v.key && validKey(v.key) ? `user:${ctx.user.id}:${v.key}` : null,
      // Read above, in this request: the refund is tried without locking and reading it again.
      known: payment,
    });
    if (r.ok) return { status: 303, body: { refundId: r.refund.id, refundStatus: r.refund.status } };
    return { status: r.error.status, body: { error: r.error.code, errors: errorFor(r.error, payment, amount ?? wanted, tools) }, store: false };
  };

  const outcome =
    v.key && validKey(v.key)
      ? await withIdempotency(
          {
            merchantId: ctx.scope.merchantId,
            scope: `user:${ctx.user.id}`,
            key: v.key,
            method: "POST",
            path: `/payments/${payment.id}#refund`,
            fingerprint: fingerprint({ payment: payment.id, amount, reason, note: v.note.trim() }),
          },
          run,
        )
      : { ...(await run()), replayed: false };

  if (outcome.status === 303) {
    const b = outcome.body as { refundId: string; refundStatus: string };
    return redirect(`/payments/${payment.id}?refund=${encodeURIComponent(b.refundId)}&refundStatus=${encodeURIComponent(b.refundStatus)}#refunds`, 303);
  }
  const body = outcome.body as { error?: { code?: string }; errors?: RefundFormResult["errors"] };
  if (body.error && typeof body.error === "object" && body.error.code === "idempotency_key_reused") {
    return fail(409, { form: t("refundForm.error.reused") });
  }
  if (body.error && typeof body.error === "object" && body.error.code === "idempotency_key_in_use") {
    return fail(409, { form: t("refundForm.error.inProgress") });
  }
  return fail(outcome.status, body.errors ?? { form: t("refundForm.error.generic", { message: "" }) });
}
