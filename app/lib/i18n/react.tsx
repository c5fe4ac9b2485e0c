/**
 * The React side of i18n: one provider (mounted by app/root.tsx from the deepest
 * route that returns `prefs`), and hooks every component uses instead of literals
 * and ad-hoc Intl calls:
 *
 *   const t = useT();          t("nav.overview"), t("overview.successfulPayments", { count })
 *   const fmt = useFormat();   fmt.money(p.amount), fmt.date(p.createdAt), fmt.bankName(p.issuerBank)
 *   const { prefs } = useI18n(); prefs.dir, prefs.locale, prefs.calendar
 */
import { createContext, useContext, useMemo, type ReactNode } from "react";
import { makeFormatter, type Formatter } from "~/lib/format";
import { anonymousPreferences, preferencesTag, type Preferences } from "./preferences";
import { catalogFailed, hasCatalog, loadCatalog, translator, type Translator } from "./translate";

export interface I18nValue {
  prefs: Preferences;
  /** Intl tag with the digit preference ("fa-IR-u-nu-latn"). */
  tag: string;
  t: Translator;
  fmt: Formatter;
}

function build(prefs: Preferences): I18nValue {
  const tag = preferencesTag(prefs);
  return {
    prefs,
    tag,
    t: translator(tag),
    // Preferences carry every formatting choice (language, digits, rial/toman, calendar, zone, currency).
    fmt: makeFormatter(prefs),
  };
}

// Outside any provider (a test rendering one component, the root error page before
// any loader ran) the console is English: the default locale, never a crash.
const I18nContext = createContext<I18nValue>(build(anonymousPreferences()));

export function I18nProvider({ prefs, children }: { prefs: Preferences; children: ReactNode }) {
  const { locale, dir, digits, irrDisplay, calendar, timeZone, currency } = prefs;
  // The browser has only the reader's catalog. A navigation into another language (the
  // reader switched, or signed in as someone who reads Persian) waits for that catalog:
  // the navigation is a React transition, so the old page stays until the new one can
  // render in its own language. (Throwing the promise is React 18's Suspense protocol.)
  if (typeof document !== "undefined" && !hasCatalog(locale) && !catalogFailed(locale)) throw loadCatalog(locale).catch(() => undefined);
  const value = useMemo(
    () => build({ locale, dir, digits, irrDisplay, calendar, timeZone, currency }),
    [locale, dir, digits, irrDisplay, calendar, timeZone, currency],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18nValue {
  return useContext(I18nContext);
}

/** `t(key, params?)`: the message in the viewer's language, numbers in their digits. */
export function useT(): Translator {
  return useContext(I18nContext).t;
}

/** Formatters bound to the viewer (locale, digits, rial/toman, calendar) and the merchant (zone, currency). */
export function useFormat(): Formatter {
  return useContext(I18nContext).fmt;
}
