/**
 * The language of public pages (before sign-in), remembered in a cookie. Signed-in
 * pages take the person's saved preferences instead (app/modules/i18n/preferences.server.ts).
 */
import { isLocale, localeFromTag, type Locale } from "~/lib/i18n/locales";
import { anonymousPreferences, type Preferences } from "~/lib/i18n/preferences";
import { secureCookies } from "~/web/session-cookie.server";

export const LOCALE_COOKIE = "mc_lang";

function cookieValue(request: Request, name: string): string | null {
  const header = request.headers.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const [k, ...rest] = part.split("=");
    if (k?.trim() === name) return decodeURIComponent(rest.join("=").trim());
  }
  return null;
}

/**
 * The language of public pages (sign-in, invitation): `?lang=fa` if given, else the
 * language this browser last used in the console, else English. No Accept-Language
 * guess: English is the default locale, and a shared office computer should not
 * surprise the next person.
 */
export function publicLocale(request: Request): Locale {
  const fromQuery = localeFromTag(new URL(request.url).searchParams.get("lang"));
  return fromQuery ?? localeFromTag(cookieValue(request, LOCALE_COOKIE)) ?? "en";
}

export function publicPreferences(request: Request): Preferences {
  return anonymousPreferences(publicLocale(request));
}

/** Remembers the language for the next visit's sign-in page (nothing personal: only "en" or "fa"). */
export function localeCookie(request: Request, locale: Locale): string {
  const parts = [`${LOCALE_COOKIE}=${isLocale(locale) ? locale : "en"}`, "Path=/", "SameSite=Lax", "Max-Age=31536000", "HttpOnly"];
  if (secureCookies(request)) parts.push("Secure");
  return parts.join("; ");
}
