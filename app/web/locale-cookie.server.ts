/**
 * The language of public pages (before sign-in), remembered in a cookie. Signed-in
 * pages take the person's saved preferences instead (app/modules/i18n/preferences.server.ts).
 */
import { isLocale, localeFromTag, type Locale } from "~/lib/i18n/locales";
import { anonymousPreferences, type Preferences } from "~/lib/i18n/preferences";
import { LOCALE_COOKIE, readCookie, setCookie } from "~/web/cookies.server";
import { secureCookies } from "~/web/session-cookie.server";

export { LOCALE_COOKIE };

/** The language this browser last used (the mc_lang cookie), if it names one. */
export function cookieLocale(request: Request): Locale | null {
  return localeFromTag(readCookie(request, LOCALE_COOKIE));
}

/**
 * The language of public pages (sign-in, invitation): `?lang=fa` if given, else the
 * language this browser last used in the console, else English. No Accept-Language
 * guess: English is the default locale, and a shared office computer should not
 * surprise the next person.
 */
export function publicLocale(request: Request): Locale {
  const fromQuery = localeFromTag(new URL(request.url).searchParams.get("lang"));
  return fromQuery ?? cookieLocale(request) ?? "en";
}

export function publicPreferences(request: Request): Preferences {
  return anonymousPreferences(publicLocale(request));
}

/** Remembers the language for the next visit's sign-in page (nothing personal: only "en" or "fa"). */
export function localeCookie(request: Request, locale: Locale): string {
  return setCookie(LOCALE_COOKIE, isLocale(locale) ? locale : "en", { maxAgeSeconds: 31_536_000, secure: secureCookies(request) });
}
