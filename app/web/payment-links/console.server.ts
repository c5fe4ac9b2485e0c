/**
 * The console's payment-link form: a zod schema turns the typed text into the domain's input
 * (amounts in the merchant's currency, the last day in the merchant's zone), refusals come
 * back by field in the reader's language through the one form helper, and the link is made
 * by the one domain function the API also calls (which holds the link's rules).
 */
import { z } from "zod";
import { clientOf } from "~/web/request.server";
import { memberActor } from "~/lib/vocabulary";
import { isLedgerDateKey, parseLocalDateKey, addLocalDays } from "~/lib/dates/zones";
import { normalizeDayInput } from "~/lib/day-input";
import { makeFormatter, type Formatter } from "~/lib/format";
import { amountErrorMessage } from "~/lib/i18n/messages";
import { codeMessage, type CodeMessages, type Translator } from "~/lib/i18n/translate";
import { isCurrencyCode, parseAmount } from "~/lib/money";
import type { AppContext } from "~/web/guard.server";
import { parseForm, refuse, textIssue } from "~/web/form.server";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { CUSTOMER_FIELDS, createPaymentLink, LINK_DESCRIPTION_MAX, type CreateLinkInput, type CustomerField, type LinkWithStats, type PaymentLink } from "~/modules/payment-links/links.server";

/** A link as the console's list and the link's own page show it: money as strings of minor units, times as ISO text. */
export function consoleLink(l: LinkWithStats) {
  return {
    id: l.id,
    description: l.description,
    state: l.state,
    amount: l.amount?.toString() ?? null,
    minAmount: l.minAmount?.toString() ?? null,
    maxAmount: l.maxAmount?.toString() ?? null,
    reusable: l.reusable,
    expiresAt: l.expiresAt?.toISOString() ?? null,
    createdAt: l.createdAt.toISOString(),
    paidCount: l.stats.paidCount,
    paidTotal: l.stats.paidTotal.toString(),
  };
}

const text = (max: number) => z.preprocess((v) => (typeof v === "string" ? v.slice(0, max) : ""), z.string());

/** The form as typed; amounts and the day are read in the merchant's currency and zone. */
export function linkFormSchema(merchant: { currency: string; timeZone: string }, t: Translator, fmt: Formatter) {
  const amount = text(60).transform((raw, issue): bigint | null => {
    if (!isCurrencyCode(merchant.currency)) {
      issue.addIssue(textIssue(t("money.error.unsupported_currency", { currency: merchant.currency })));
      return z.NEVER;
    }
    const r = parseAmount(raw, merchant.currency);
    if (r.ok) return r.minor;
    issue.addIssue(textIssue(amountErrorMessage(t, fmt, r)));
    return z.NEVER;
  });
  const common = {
    description: text(LINK_DESCRIPTION_MAX + 10),
    reusable: text(10).transform((v) => v === "yes"),
    fields: z.preprocess((v) => (Array.isArray(v) ? v : []), z.array(z.string())).transform((fs) => fs.filter((f): f is CustomerField => (CUSTOMER_FIELDS as readonly string[]).includes(f))),
    // The link works through the whole of its last day, in the merchant's zone.
    expiresAt: text(30).transform((raw, issue): Date | null => {
      if (raw.trim() === "") return null;
      const day = normalizeDayInput(raw);
      if (isLedgerDateKey(day)) return addLocalDays(parseLocalDateKey(day, merchant.timeZone), 1, merchant.timeZone);
      issue.addIssue({ code: "custom", message: "links.error.expiresFormat" });
      return z.NEVER;
    }),
    redirectUrl: text(600).transform((v) => v.trim() || null),
  };
  return z
    .discriminatedUnion("mode", [z.object({ mode: z.literal("fixed"), amount, ...common }), z.object({ mode: z.literal("range"), minAmount: amount, maxAmount: amount, ...common })])
    .transform(({ fields, ...v }): CreateLinkInput => ({
      amount: v.mode === "fixed" ? v.amount : null,
      minAmount: v.mode === "range" ? v.minAmount : null,
      maxAmount: v.mode === "range" ? v.maxAmount : null,
      description: v.description,
      customerFields: fields,
      reusable: v.reusable,
      expiresAt: v.expiresAt,
      redirectUrl: v.redirectUrl,
    }));
}

/** The submitted form as the schema reads it: one value per field, the ticked customer fields as a list. */
function submitted(form: FormData): Record<string, unknown> {
  return { ...Object.fromEntries(form), mode: form.get("mode") === "range" ? "range" : "fixed", fields: form.getAll("fields") };
}

/** What goes back to the page after a refusal: the text fields, and the ticked fields joined. */
function typed(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ["mode", "amount", "minAmount", "maxAmount", "description", "reusable", "expiresAt", "redirectUrl"]) {
    const v = form.get(k);
    if (typeof v === "string") out[k] = v;
  }
  out.fields = form.getAll("fields").filter((f) => typeof f === "string").join(",");
  return out;
}

/** The new link, or the refusal to answer with (a 4xx `FormFailure`). */
export async function createLinkFromForm(ctx: AppContext, form: FormData, request: Request, now = new Date()): Promise<{ ok: true; link: PaymentLink } | { ok: false; response: Response }> {
  const prefs = resolvePreferences(ctx);
  const t = serverTranslator(prefs);
  const parsed = parseForm(linkFormSchema(ctx.merchant, t, makeFormatter({ ...prefs })), submitted(form), t, "links.error.amount");
  if (!parsed.ok) return { ok: false, response: refuse(parsed.errors, { values: typed(form) }) };
  const r = await createPaymentLink(ctx.scope, memberActor(ctx, clientOf(request)), parsed.data, now);
  if (r.ok) return { ok: true, link: r.link };
  const message = localizedLinkError(t, r.error.code) ?? r.error.message;
  return { ok: false, response: refuse({ [r.error.param ?? "form"]: message }, { status: r.error.status, values: typed(form) }) };
}

const LINK_ERRORS: CodeMessages = {
  description_missing: "links.error.descriptionMissing",
  max_below_min: "links.error.maxBelowMin",
  expires_in_past: "links.error.expiresPast",
  redirect_url_invalid: "links.error.redirectUrl",
  amount_invalid: "links.error.amount",
  amount_missing: "links.error.amount",
  max_amount_missing: "links.error.amount",
};

function localizedLinkError(t: Translator, code: string): string | null {
  if (code === "description_too_long") return t("links.error.descriptionTooLong", { max: LINK_DESCRIPTION_MAX });
  return codeMessage(t, code, LINK_ERRORS);
}
