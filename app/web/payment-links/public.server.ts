/**
 * The cardholder's pages (no console sign-in): their language, the sentences for
 * refusals, and the receipt messages sent by e-mail or SMS.
 */
import { makeFormatter } from "~/lib/format";
import { localeFromTag } from "~/lib/i18n/locales";
import { resolvePreferencesFrom, type Preferences } from "~/lib/i18n/preferences";
import type { Translator } from "~/lib/i18n/translate";
import { serverTranslator } from "~/modules/i18n/preferences.server";
import { cookieLocale, localeCookie } from "~/web/locale-cookie.server";
import { sendMail } from "~/modules/mail/mailer.server";
import { publicOrigin } from "~/web/request.server";
import { sendSms } from "~/modules/sms/sms.server";
import { type CheckoutRefusal, type PublicMerchant, type PublicReceipt } from "~/modules/payment-links/checkout.server";
import { normalizePhone } from "~/modules/cardholder/public.server";
import { declineText } from "~/modules/processors/test-cards";
import { sendCountedReceipt } from "~/modules/payment-links/receipt-sends.server";
import { clientOf } from "~/web/request.server";
import type { MessageKey } from "~/lib/i18n/en";
import { isMessageKey } from "~/lib/i18n/translate";
import { sharedRefusalText } from "~/web/cardholder-refusals.server";

/**
 * The cardholder's language: ?lang (the page's switch), else what this browser chose
 * before, else Persian for a rial merchant and the merchant's own language otherwise.
 */
export function payPreferences(request: Request, merchant: Pick<PublicMerchant, "currency" | "timeZone" | "defaultLocale">): { prefs: Preferences; headers: Headers } {
  const asked = localeFromTag(new URL(request.url).searchParams.get("lang"));
  const locale = asked ?? cookieLocale(request) ?? (merchant.currency === "IRR" ? "fa" : localeFromTag(merchant.defaultLocale) ?? "en");
  const prefs = resolvePreferencesFrom({ user: { locale }, merchant: { currency: merchant.currency, timeZone: merchant.timeZone, defaultLocale: merchant.defaultLocale } });
  const headers = new Headers({ "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" });
  if (asked) headers.append("Set-Cookie", localeCookie(request, asked));
  return { prefs, headers };
}

/** A refusal from the checkout module, in the cardholder's language. */
export function refusalText(t: Translator, fmt: ReturnType<typeof makeFormatter>, r: CheckoutRefusal): string {
  switch (r.code) {
    case "amount_missing":
      return t("pay.error.amountMissing");
    case "amount_out_of_range":
      return t("pay.error.amountRange", { min: fmt.money(String(r.params?.min ?? "0")), max: fmt.money(String(r.params?.max ?? "0")) });
    case "note_too_long":
      return t("pay.error.note", { max: 500 });
    case "ip_blocked":
      return t("pay.error.blocked", { until: fmt.time(String(r.params?.until ?? new Date().toISOString())) });
    case "link_busy":
      return t("pay.error.tooMany");
    case "link_in_use":
      return t("pay.error.inUse");
    default:
      if (r.code.startsWith("link_")) return t("pay.closed.generic");
      return sharedRefusalText(t, r.code) ?? t("pay.error.generic");
  }
}

export function declineReason(t: Translator, code: string | null): string {
  if (!code) return t("pay.result.declinedGeneric");
  const key = `decline.${code}`;
  return isMessageKey(key) ? t(key as MessageKey) : declineText(code) ?? t("pay.result.declinedGeneric");
}

/** Sends the receipt by e-mail (the outbox) or SMS (the SMS provider), in the cardholder's language. */
export async function sendReceipt(
  request: Request,
  prefs: Preferences,
  receipt: PublicReceipt,
  merchantId: string,
  receiptPath: string,
  channel: "email" | "sms",
  toRaw: string,
): Promise<{ ok: true } | { ok: false; status: number; field: "to"; message: string }> {
  const t = serverTranslator(prefs);
  const fmt = makeFormatter({ ...prefs });
  const url = `${publicOrigin(request)}${receiptPath}`;
  const body = t("pay.receipt.message", {
    merchant: receipt.merchantName,
    amount: fmt.money(receipt.amount, receipt.currency),
    card: receipt.maskedCard ? fmt.digits(receipt.maskedCard) : "",
    trace: fmt.digits(receipt.traceNumber),
    when: fmt.dateTime(receipt.createdAt),
    url,
  });
  let to: string;
  if (channel === "email") {
    to = toRaw.trim();
    if (!/^[^\s@]{1,64}@[^\s@]{1,185}\.[^\s@]{2,}$/.test(to)) return { ok: false, status: 400, field: "to", message: t("pay.error.email") };
  } else {
    to = normalizePhone(toRaw);
    if (!/^\+?[0-9]{8,15}$/.test(to)) return { ok: false, status: 400, field: "to", message: t("pay.error.phone") };
  }
  const r = await sendCountedReceipt({ merchantId }, receipt.paymentId, channel, to, clientOf(request), async (tx) => {
    if (channel === "email") await sendMail(tx, { to, locale: prefs.locale === "fa" ? "fa" : "en", kind: "receipt", subject: t("pay.receipt.subject", { merchant: receipt.merchantName }), body });
    else await sendSms(tx, { merchantId, to, body, locale: prefs.locale === "fa" ? "fa" : "en", kind: "receipt" });
  });
  if (!r.ok) {
    const message = r.code === "receipt_limit_payment" ? t("pay.send.limitPayment", { max: r.limit }) : t("pay.send.limitRecipient");
    return { ok: false, status: 429, field: "to", message };
  }
  return { ok: true };
}
