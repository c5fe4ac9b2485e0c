/**
 * The console's customer, plan and subscription forms: read the form, call the one domain
 * function the API also calls, and say a refusal in the reader's language by field.
 */
import { addLocalDays, isValidLocalDateKey, parseLocalDateKey } from "~/lib/dates/zones";
import { normalizeDayInput } from "~/lib/day-input";
import { makeFormatter } from "~/lib/format";
import { en, type MessageKey } from "~/lib/i18n/en";
import { amountErrorMessage } from "~/lib/i18n/messages";
import { isCurrencyCode, parseAmount } from "~/lib/money";
import type { Failure } from "~/lib/vocabulary";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { createCustomer, removePaymentMethod } from "~/modules/subscriptions/customers.server";
import { retryInvoiceNow, startSubscription } from "~/modules/subscriptions/renewals.server";
import { cancelSubscription, createPlan, pauseSubscription, resumeSubscription } from "~/modules/subscriptions/subscriptions.server";
import { changePlan, previewPlanChange } from "~/modules/subscriptions/plan-changes.server";
import { newId } from "~/lib/ids";
import type { AppContext } from "~/web/guard.server";
import { clientOf } from "~/web/request.server";

export type FormResult<T> = ({ ok: true } & T) | { ok: false; status: number; errors: Record<string, string>; values: Record<string, string> };

const LIMITS: Record<string, { min: number; max: number }> = {
  trial_days_invalid: { min: 0, max: 730 },
  phone_invalid: { min: 7, max: 15 },
  quantity_invalid: { min: 1, max: 10_000 },
};

function str(form: FormData, name: string, max = 600): string {
  const v = form.get(name);
  return typeof v === "string" ? v.slice(0, max) : "";
}

function translatorOf(ctx: AppContext) {
  const prefs = resolvePreferences(ctx);
  return { t: serverTranslator(prefs), fmt: makeFormatter({ ...prefs }) };
}

/** A domain refusal in the reader's words (its English sentence when the catalog has none). */
export function failureText(ctx: AppContext, error: Pick<Failure, "code" | "message">): string {
  const { t } = translatorOf(ctx);
  const key = `subs.error.${error.code}`;
  return key in en ? t(key as MessageKey, LIMITS[error.code] ?? {}) : error.message;
}

function refused(ctx: AppContext, error: Failure, values: Record<string, string>) {
  const field = (error.param ?? "form").replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  return { ok: false as const, status: error.status, errors: { [field]: failureText(ctx, error) }, values };
}

export async function createCustomerFromForm(ctx: AppContext, form: FormData) {
  const values = { name: str(form, "name", 210), email: str(form, "email", 260), phone: str(form, "phone", 40), reference: str(form, "reference", 210), notes: str(form, "notes", 2010) };
  const r = await createCustomer(ctx.scope, values, { source: "console" });
  if (!r.ok) return refused(ctx, r.error, values);
  return { ok: true as const, customer: r.customer };
}

export async function createPlanFromForm(ctx: AppContext, form: FormData, request: Request) {
  const { t, fmt } = translatorOf(ctx);
  const values = { name: str(form, "name", 210), amount: str(form, "amount", 60), interval: str(form, "interval", 10), intervalCount: str(form, "intervalCount", 10), calendar: str(form, "calendar", 10), trialDays: str(form, "trialDays", 10) };
  const currency = ctx.merchant.currency;
  if (!isCurrencyCode(currency)) return { ok: false as const, status: 400, errors: { amount: t("money.error.unsupported_currency", { currency }) }, values };
  const amount = parseAmount(values.amount, currency);
  if (!amount.ok) return { ok: false as const, status: 400, errors: { amount: amountErrorMessage(t, fmt, amount) }, values };
  const r = await createPlan(
    ctx.scope,
    { name: values.name, amount: amount.minor, interval: values.interval, intervalCount: values.intervalCount, calendar: values.calendar, trialDays: values.trialDays },
    { actor: ctx, client: clientOf(request) },
  );
  if (!r.ok) return refused(ctx, r.error, values);
  return { ok: true as const, plan: r.plan };
}

export async function subscribeFromForm(ctx: AppContext, customerId: string, form: FormData, request: Request, now = new Date()) {
  const values = { planId: str(form, "planId", 100), paymentMethodId: str(form, "paymentMethodId", 100), quantity: str(form, "quantity", 10), startAt: str(form, "startAt", 30) };
  let startAt: Date | undefined;
  if (values.startAt.trim()) {
    const day = normalizeDayInput(values.startAt);
    if (!isValidLocalDateKey(day)) return refused(ctx, { status: 400, type: "invalid_request_error", code: "start_at_invalid", message: "", param: "start_at" }, values);
    const tz = ctx.merchant.timeZone;
    const start = parseLocalDateKey(day, tz);
    // Today: now; a later day: that day's first instant in the merchant's zone.
    if (addLocalDays(start, 1, tz).getTime() <= now.getTime()) {
      return refused(ctx, { status: 400, type: "invalid_request_error", code: "start_at_in_past", message: "", param: "start_at" }, values);
    }
    startAt = start.getTime() > now.getTime() ? start : now;
  }
  const r = await startSubscription(
    ctx.scope,
    { customerId, planId: values.planId, paymentMethodId: values.paymentMethodId || null, quantity: values.quantity, startAt },
    { actor: ctx, client: clientOf(request), now },
  );
  if (!r.ok) return refused(ctx, r.error, values);
  return { ok: true as const, subscription: r.subscription };
}

export async function removeCardFromForm(ctx: AppContext, form: FormData, request: Request) {
  const r = await removePaymentMethod(ctx.scope, str(form, "paymentMethodId", 100), { staff: ctx, client: clientOf(request) });
  if (!r.ok) return refused(ctx, r.error, {});
  return { ok: true as const };
}

export async function subscriptionActionFromForm(ctx: AppContext, subscriptionId: string, form: FormData, request: Request) {
  const intent = str(form, "intent", 40);
  const by = { actor: ctx, client: clientOf(request) };
  const r =
    intent === "cancel_now"
      ? await cancelSubscription(ctx.scope, subscriptionId, { atPeriodEnd: false, ...by })
      : intent === "cancel_at_period_end"
        ? await cancelSubscription(ctx.scope, subscriptionId, { atPeriodEnd: true, ...by })
        : intent === "pause"
          ? await pauseSubscription(ctx.scope, subscriptionId, by)
          : intent === "resume"
            ? await resumeSubscription(ctx.scope, subscriptionId, by)
            : intent === "retry"
              ? await retry(ctx, str(form, "invoiceId", 100), request)
              : { ok: false as const, error: { status: 400, type: "invalid_request_error" as const, code: "intent_invalid", message: "Unknown action.", param: null } };
  if (!r.ok) return refused(ctx, r.error, {});
  return { ok: true as const };
}

async function retry(ctx: AppContext, invoiceId: string, request: Request) {
  const r = await retryInvoiceNow(ctx.scope, invoiceId, new Date(), { actor: ctx, client: clientOf(request) });
  if (!r.ok) return { ok: false as const, error: { status: 409, type: "invalid_request_error" as const, code: r.code, message: r.message, param: null } };
  return { ok: true as const };
}

/** The console's plan change, step one: the proration figures (nothing changes). */
export async function previewPlanChangeFromForm(ctx: AppContext, subscriptionId: string, form: FormData) {
  const values = { planId: str(form, "planId", 100), quantity: str(form, "quantity", 10) };
  const r = await previewPlanChange(ctx.scope, subscriptionId, { planId: values.planId, quantity: values.quantity || undefined });
  if (!r.ok) return refused(ctx, r.error, values);
  const p = r.preview;
  return {
    ok: true as const,
    preview: {
      toPlanId: p.toPlan.id,
      toPlanName: p.toPlan.name,
      fromPlanName: p.fromPlan.name,
      fromQuantity: p.fromQuantity,
      toQuantity: p.toQuantity,
      oldTotal: p.oldTotal.toString(),
      newTotal: p.newTotal.toString(),
      secondsLeft: p.secondsLeft,
      periodSeconds: p.periodSeconds,
      periodEnd: p.periodEnd?.toISOString() ?? null,
      proration: p.proration.toString(),
      outcome: p.outcome,
      // One id per preview: confirming twice (double click, refresh) changes the plan once.
      changeKey: `console:${newId("spc")}`,
    },
  };
}

/** Step two: the change, as previewed (recomputed at this instant under the subscription's lock). */
export async function changePlanFromForm(ctx: AppContext, subscriptionId: string, form: FormData, request: Request) {
  const values = { planId: str(form, "planId", 100), quantity: str(form, "quantity", 10) };
  const key = str(form, "changeKey", 100);
  const r = await changePlan(ctx.scope, subscriptionId, { planId: values.planId, quantity: values.quantity || undefined }, { idempotencyKey: key || null, actor: ctx, client: clientOf(request) });
  if (!r.ok) return refused(ctx, r.error, values);
  return { ok: true as const };
}
