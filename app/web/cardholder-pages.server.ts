/**
 * What the cardholder's pages (hosted payment, subscribe, update card) share on the
 * server: the cardholder's language, where the browser goes after the card was taken, and
 * the card that comes back from the provider's form without JavaScript.
 */
import { redirect } from "@remix-run/node";
import { cardFormErrorOf } from "~/lib/card";
import { makeFormatter } from "~/lib/format";
import type { FieldErrors } from "~/lib/forms";
import type { Translator } from "~/lib/i18n/translate";
import { serverTranslator } from "~/modules/i18n/preferences.server";
import { payPreferences } from "~/web/payment-links/public.server";

/** The cardholder's language for this request (see payPreferences), with its translator and formatter. */
export function cardholderContext(request: Request, merchant: Parameters<typeof payPreferences>[1]) {
  const { prefs, headers } = payPreferences(request, merchant);
  return { prefs, headers, t: serverTranslator(prefs), fmt: makeFormatter({ ...prefs }) };
}

/** The provider's page speaks the cardholder's language and tells the time in the merchant's zone. */
export function authUrl(to: string, prefs: { locale: string; timeZone: string }): string {
  return `${to}${to.includes("?") ? "&" : "?"}lang=${prefs.locale}&tz=${encodeURIComponent(prefs.timeZone)}`;
}

/** Where taking the card got to: the provider wants the cardholder to authenticate, or it is done. */
type Step = { kind: "authenticate"; redirectUrl: string } | { kind: "done" };
type Taken = Step & { ok: true };

/** To the provider's authentication when it asks for one, else to `done` (the page's result). */
export function outcomeRedirect(o: Step, done: string, prefs: { locale: string; timeZone: string }) {
  return redirect(o.kind === "authenticate" ? authUrl(o.redirectUrl, prefs) : done, 303);
}

/** `card_error=<code>` from the provider's form, on the card field it is about (null: none). */
export function returnedCardErrors(t: Translator, url: URL): FieldErrors | null {
  const code = url.searchParams.get("card_error");
  if (!code) return null;
  const e = cardFormErrorOf(code.slice(0, 60));
  return { [e.field]: t(e.key) };
}

/**
 * The card step's page, as the provider's form sends the browser back to it without
 * JavaScript: with `token`, the card is taken now (`take`; null when this page takes none
 * now) and the browser goes on to the result (`done`) or the provider's authentication,
 * or the refusal is said (`refusal`); with `card_error`, it is said on its card field.
 */
export async function returnedCard<T extends Taken | { ok: false }>(
  url: URL,
  c: { t: Translator; prefs: { locale: string; timeZone: string } },
  take: ((token: string) => Promise<T>) | null,
  done: (o: Extract<T, { ok: true }>) => string,
  refusal: (r: Extract<T, { ok: false }>) => FieldErrors,
): Promise<FieldErrors | null> {
  const token = url.searchParams.get("token");
  if (token && take) {
    const r = await take(token.slice(0, 100));
    if (r.ok) throw outcomeRedirect(r, done(r as Extract<T, { ok: true }>), c.prefs);
    return refusal(r as Extract<T, { ok: false }>);
  }
  return returnedCardErrors(c.t, url);
}
