/**
 * What the cardholder's card pages (hosted payment, subscribe, update card) share on the
 * server: where the browser goes after the card was taken, and what the provider said
 * about a card that came back from its form without JavaScript.
 */
import { redirect } from "@remix-run/node";
import { cardFormErrorOf } from "~/lib/card";
import type { FieldErrors } from "~/lib/forms";
import type { Translator } from "~/lib/i18n/translate";

/** The provider's page speaks the cardholder's language and tells the time in the merchant's zone. */
export function authUrl(to: string, prefs: { locale: string; timeZone: string }): string {
  return `${to}${to.includes("?") ? "&" : "?"}lang=${prefs.locale}&tz=${encodeURIComponent(prefs.timeZone)}`;
}

/** To the provider's authentication when it asks for one, else to `done` (the page's result). */
export function outcomeRedirect(o: { kind: "authenticate"; redirectUrl: string } | { kind: "done" }, done: string, prefs: { locale: string; timeZone: string }) {
  return redirect(o.kind === "authenticate" ? authUrl(o.redirectUrl, prefs) : done, 303);
}

/** `card_error=<code>` from the provider's form, on the card field it is about (null: none). */
export function returnedCardErrors(t: Translator, url: URL): FieldErrors | null {
  const code = url.searchParams.get("card_error");
  if (!code) return null;
  const e = cardFormErrorOf(code.slice(0, 60));
  return { [e.field]: t(e.key) };
}
