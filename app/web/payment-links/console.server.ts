/**
 * The console's payment-link form: reads it, says every refusal in the reader's
 * language by field, and calls the one domain function the API also calls.
 */
import { clientOf } from "~/web/request.server";
import { isValidLocalDateKey, parseLocalDateKey, addLocalDays } from "~/lib/dates/zones";
import { normalizeDayInput } from "~/lib/day-input";
import { makeFormatter } from "~/lib/format";
import { amountErrorMessage } from "~/lib/i18n/messages";
import { isCurrencyCode, parseAmount } from "~/lib/money";
import type { AppContext } from "~/web/guard.server";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { CUSTOMER_FIELDS, createPaymentLink, LINK_DESCRIPTION_MAX, type CreateLinkInput, type CustomerField, type PaymentLink } from "~/modules/payment-links/links.server";

export type LinkFormField = "amount" | "minAmount" | "maxAmount" | "description" | "expiresAt" | "redirectUrl" | "form";

export type LinkFormResult =
  | { ok: true; link: PaymentLink }
  | { ok: false; status: number; errors: Partial<Record<LinkFormField, string>>; values: Record<string, string | string[]> };

const str = (form: FormData, name: string, max = 600): string => {
  const v = form.get(name);
  return typeof v === "string" ? v.slice(0, max) : "";
};

export async function createLinkFromForm(ctx: AppContext, form: FormData, request: Request, now = new Date()): Promise<LinkFormResult> {
  const prefs = resolvePreferences(ctx);
  const t = serverTranslator(prefs);
  const fmt = makeFormatter({ ...prefs });
  const currency = ctx.merchant.currency;
  const values = {
    mode: str(form, "mode", 10) === "range" ? "range" : "fixed",
    amount: str(form, "amount", 60),
    minAmount: str(form, "minAmount", 60),
    maxAmount: str(form, "maxAmount", 60),
    description: str(form, "description", LINK_DESCRIPTION_MAX + 10),
    reusable: str(form, "reusable", 10) === "yes" ? "yes" : "no",
    expiresAt: str(form, "expiresAt", 30),
    redirectUrl: str(form, "redirectUrl", 600).trim(),
    fields: form.getAll("fields").filter((f): f is string => typeof f === "string" && (CUSTOMER_FIELDS as readonly string[]).includes(f)),
  };
  const errors: Partial<Record<LinkFormField, string>> = {};
  const money = (field: "amount" | "minAmount" | "maxAmount"): bigint | null => {
    if (!isCurrencyCode(currency)) {
      errors[field] = t("money.error.unsupported_currency", { currency });
      return null;
    }
    const r = parseAmount(values[field], currency);
    if (r.ok) return r.minor;
    errors[field] = amountErrorMessage(t, fmt, r);
    return null;
  };
  const input: CreateLinkInput = {
    amount: values.mode === "fixed" ? money("amount") : null,
    minAmount: values.mode === "range" ? money("minAmount") : null,
    maxAmount: values.mode === "range" ? money("maxAmount") : null,
    description: values.description,
    customerFields: values.fields as CustomerField[],
    reusable: values.reusable === "yes",
    expiresAt: null,
    redirectUrl: values.redirectUrl || null,
  };
  if (values.expiresAt.trim() !== "") {
    const day = normalizeDayInput(values.expiresAt);
    // The link works through the whole of its last day, in the merchant's zone.
    if (isValidLocalDateKey(day)) input.expiresAt = addLocalDays(parseLocalDateKey(day, ctx.merchant.timeZone), 1, ctx.merchant.timeZone);
    else errors.expiresAt = t("links.error.expiresFormat");
  }
  if (Object.keys(errors).length) return { ok: false, status: 400, errors, values };
  const r = await createPaymentLink(ctx.scope, { ctx, client: clientOf(request) }, input, now);
  if (r.ok) return { ok: true, link: r.link };
  const field = (r.error.param ?? "form") as LinkFormField;
  const message = localizedLinkError(t, r.error.code) ?? r.error.message;
  return { ok: false, status: r.error.status, errors: { [field]: message }, values };
}

function localizedLinkError(t: ReturnType<typeof serverTranslator>, code: string): string | null {
  switch (code) {
    case "description_missing":
      return t("links.error.descriptionMissing");
    case "description_too_long":
      return t("links.error.descriptionTooLong", { max: LINK_DESCRIPTION_MAX });
    case "max_below_min":
      return t("links.error.maxBelowMin");
    case "expires_in_past":
      return t("links.error.expiresPast");
    case "redirect_url_invalid":
      return t("links.error.redirectUrl");
    case "amount_invalid":
    case "amount_missing":
    case "max_amount_missing":
      return t("links.error.amount");
    default:
      return null;
  }
}
