/**
 * The languages the console speaks and what each implies for layout and Intl.
 * Pure: the server resolves preferences with it and the browser formats with it.
 */
import type { CalendarSystem } from "~/lib/dates/jalali";

export const LOCALES = ["en", "fa"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

export type Dir = "ltr" | "rtl";
export type DigitsPreference = "native" | "latn";
export type IrrDisplay = "rial" | "toman";
export const DIGITS_PREFERENCES: readonly DigitsPreference[] = ["native", "latn"];
export const IRR_DISPLAYS: readonly IrrDisplay[] = ["rial", "toman"];

/**
 * Each language's name in itself: a switcher must be readable by the person who
 * needs it, so "فارسی" is never translated to "Persian" (and not kept in a catalog).
 */
export const LOCALE_AUTONYMS: Record<Locale, string> = { en: "English", fa: "فارسی" };

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/** "fa", "fa-IR", "FA_ir", "fa-IR-u-nu-latn" -> "fa"; anything unknown -> null. */
export function localeFromTag(tag: string | null | undefined): Locale | null {
  if (!tag) return null;
  const language = tag.trim().toLowerCase().split(/[-_]/)[0] ?? "";
  return isLocale(language) ? language : null;
}

export function normalizeLocale(tag: string | null | undefined, fallback: Locale = DEFAULT_LOCALE): Locale {
  return localeFromTag(tag) ?? fallback;
}

const RTL_LOCALES: ReadonlySet<Locale> = new Set<Locale>(["fa"]);

export function localeDir(locale: Locale): Dir {
  return RTL_LOCALES.has(locale) ? "rtl" : "ltr";
}

/** Persian dates are Jalali; every other language the console speaks uses the Gregorian calendar. */
export function localeCalendar(locale: Locale): CalendarSystem {
  return locale === "fa" ? "persian" : "gregory";
}

// The region picks conventions Intl would otherwise guess: fa alone would also fit
// Afghanistan (where the months have other names and the digits differ in places).
const INTL_BASE: Record<Locale, string> = { en: "en-US", fa: "fa-IR" };

/**
 * The BCP 47 tag every Intl call of the console uses: "fa-IR", or "fa-IR-u-nu-latn"
 * for a Persian reader who asked for Latin digits. English digits are Latin already.
 */
export function intlLocale(locale: Locale, digits: DigitsPreference = "native"): string {
  const base = INTL_BASE[locale];
  return digits === "latn" && locale !== "en" ? `${base}-u-nu-latn` : base;
}
