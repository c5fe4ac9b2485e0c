/**
 * A viewer's reading preferences, resolved once per request on the server and handed
 * to the browser in the layout's loader data. Pure: the server module feeds it the
 * user and merchant rows; tests feed it plain objects.
 */
import { isValidTimeZone } from "~/lib/dates/zones";
import { type CalendarSystem } from "~/lib/dates/jalali";
import {
  DEFAULT_LOCALE,
  intlLocale,
  localeCalendar,
  localeDir,
  localeFromTag,
  type DigitsPreference,
  type Dir,
  type IrrDisplay,
  type Locale,
} from "./locales";

export interface Preferences {
  locale: Locale;
  dir: Dir;
  digits: DigitsPreference;
  irrDisplay: IrrDisplay;
  calendar: CalendarSystem;
  /** The merchant's IANA zone: every day, week and month of a report is the merchant's. */
  timeZone: string;
  /** The merchant's currency, the default of `useFormat().money`. */
  currency: string;
}

export interface PreferenceSources {
  user?: { locale?: string | null; digits?: string | null; irrDisplay?: string | null } | null;
  merchant?: { defaultLocale?: string | null; timeZone?: string | null; currency?: string | null } | null;
}

/** An IRR merchant without a usable zone is in Iran; anyone else falls back to UTC. */
export function defaultTimeZone(currency: string | null | undefined): string {
  return currency === "IRR" ? "Asia/Tehran" : "UTC";
}

/**
 * The user's language, else the merchant's default, else English; digits and the
 * rial/toman choice are the user's own (Persian digits and rial unless they chose
 * otherwise, since rial is what is stored, settled and printed on bank statements).
 */
export function resolvePreferencesFrom({ user, merchant }: PreferenceSources): Preferences {
  const locale = localeFromTag(user?.locale) ?? localeFromTag(merchant?.defaultLocale) ?? DEFAULT_LOCALE;
  const currency = merchant?.currency || "USD";
  const tz = merchant?.timeZone;
  return {
    locale,
    dir: localeDir(locale),
    digits: user?.digits === "latn" ? "latn" : "native",
    irrDisplay: user?.irrDisplay === "toman" ? "toman" : "rial",
    calendar: localeCalendar(locale),
    timeZone: tz && isValidTimeZone(tz) ? tz : defaultTimeZone(currency),
    currency,
  };
}

/** Before sign-in: English (or the language a cookie remembers), UTC. */
export function anonymousPreferences(locale: Locale = DEFAULT_LOCALE): Preferences {
  return resolvePreferencesFrom({ user: { locale } });
}

/** The Intl tag for these preferences ("fa-IR", "fa-IR-u-nu-latn", "en-US"). */
export function preferencesTag(p: Pick<Preferences, "locale" | "digits">): string {
  return intlLocale(p.locale, p.digits);
}
