/**
 * The one place pages format amounts, numbers and dates for people: built once per
 * request from the merchant (currency, time zone) and the viewer's preferences, so
 * every page agrees. Wraps app/lib/money.ts and app/lib/dates/.
 *
 * Persian readers get fa-IR conventions: Persian digits (or Latin ones if they chose
 * them), Jalali dates, rial or toman with the unit always written, bank names in
 * Persian. Components get a Formatter from `useFormat()` (app/lib/i18n/react.tsx);
 * loaders and actions build one with `makeFormatter`.
 */
import { IRANIAN_BANKS, detectCard } from "~/lib/card";
import { formatDateTime } from "~/lib/dates/format";
import { parseLocalDateKey } from "~/lib/dates/zones";
import { type CalendarSystem } from "~/lib/dates/jalali";
import { type Granularity } from "~/lib/dates/buckets";
import { toLatinDigits, toPersianDigits } from "~/lib/digits";
import { intlLocale, localeCalendar, localeDir, normalizeLocale, type Dir, type Locale } from "~/lib/i18n/locales";
import { translate } from "~/lib/i18n/translate";
import { formatMoney, isCurrencyCode, toMajorDecimalString, type CurrencyCode } from "~/lib/money";

export interface FormatPrefs {
  /** The viewer's language ("en", "fa"...). */
  locale?: string | null;
  timeZone: string;
  currency: string;
  /** IRR only: show rial (stored) or toman. */
  irrDisplay?: string | null;
  digits?: string | null;
  /** Defaults to the language's calendar: Jalali (persian) for fa, Gregorian otherwise. */
  calendar?: CalendarSystem | null;
}

export type MoneyOptions = { signDisplay?: "auto" | "always" | "exceptZero" };
export type DateStyle = "short" | "medium" | "long";

export interface Formatter {
  /** The Intl tag used for everything ("en-US", "fa-IR", "fa-IR-u-nu-latn"). */
  locale: string;
  /** The catalog language ("en", "fa"). */
  lang: Locale;
  dir: Dir;
  calendar: CalendarSystem;
  timeZone: string;
  currency: string;
  /**
   * An amount in minor units (bigint or its decimal string), in the merchant's currency
   * unless another is given: money(p.amount), money(p.amount, p.currency),
   * money(delta, { signDisplay: "always" }). IRR honours the rial/toman choice.
   */
  money(minor: bigint | string, currencyOrOpts?: string | MoneyOptions, opts?: MoneyOptions): string;
  /** Short amount for chart axes ("1.2M", "۱٫۲ میلیون"): never for tables. */
  moneyCompact(major: number): string;
  /** Minor units as a JS number of major units (toman if chosen), for chart geometry only (may round). */
  chartValue(minor: bigint | string): number;
  number(n: number | bigint | string): string;
  /** 0.034 -> "3.4%" ("۳٫۴٪"); null -> "–". */
  percent(ratio: number | null, fractionDigits?: number): string;
  /** A change in percent points (already x100): 12.5 -> "+12.5%". */
  percentChange(pct: number | null): string;
  /** An instant (ISO string or Date) in the merchant's zone and the viewer's calendar. */
  dateTime(instant: string | Date): string;
  date(instant: string | Date, style?: DateStyle): string;
  time(instant: string | Date): string;
  /** The month of an instant: "March 2025", "اسفند ۱۴۰۳". */
  month(instant: string | Date): string;
  /** A local calendar day "YYYY-MM-DD" (already in the merchant's zone). */
  day(key: string): string;
  /** A chart bucket's label: hour, day, week ("Week of ..." / "هفته ...") or month. */
  bucket(start: string | Date, granularity: Granularity): string;
  /** An Iranian bank code ("017"), or its English name, to its name in the viewer's language; other issuers as stored. */
  bankName(code: string | null | undefined): string;
  /** The issuing bank of a card from the digits typed so far, or null while unknown. */
  cardBank(panPrefix: string): string | null;
  /** Digits inside a string (an id, last 4, a code) in the viewer's digits; nothing else changes. */
  digits(s: string): string;
  /**
   * A time zone as the reader names it, for sentences ("times in {zone}"): Persian
   * readers get the city ("تهران"), others the IANA name. Defaults to the merchant's zone.
   */
  zoneName(tz?: string): string;
}

// The zones the console's merchants and reports use most, by their city's Persian name.
const FA_ZONE_CITIES: Readonly<Record<string, string>> = {
  "Asia/Tehran": "تهران",
  "Asia/Dubai": "دبی",
  "Asia/Istanbul": "استانبول",
  "Europe/Istanbul": "استانبول",
  "Asia/Kabul": "کابل",
  "Asia/Baku": "باکو",
  "Asia/Yerevan": "ایروان",
  "Asia/Tokyo": "توکیو",
  "Europe/London": "لندن",
  "Europe/Berlin": "برلین",
  "Europe/Paris": "پاریس",
  "America/New_York": "نیویورک",
  "America/Chicago": "شیکاگو",
  "America/Los_Angeles": "لس‌آنجلس",
  "America/Toronto": "تورنتو",
  UTC: "UTC (گرینویچ)",
  "Etc/UTC": "UTC (گرینویچ)",
};

function toDate(v: string | Date): Date {
  return v instanceof Date ? v : new Date(v);
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

function dateFormat(tag: string, timeZone: string, calendar: CalendarSystem, style: DateStyle): Intl.DateTimeFormat {
  const key = `${tag}|${timeZone}|${calendar}|${style}`;
  let f = dateFormats.get(key);
  if (!f) {
    if (dateFormats.size > 200) dateFormats.clear();
    f = new Intl.DateTimeFormat(tag, { dateStyle: style, timeZone, calendar });
    dateFormats.set(key, f);
  }
  return f;
}

const formatters = new Map<string, Formatter>();

/**
 * The formatter for these preferences. Memoised: it is immutable, and building its
 * Intl objects cost more than a page's formatting (every request renders with one).
 */
const BANKS_BY_ENGLISH_NAME = new Map(Object.values(IRANIAN_BANKS).map((b) => [b.en.toLowerCase(), b]));

export function makeFormatter(prefs: FormatPrefs): Formatter {
  const key = JSON.stringify([prefs.locale, prefs.digits, prefs.calendar, prefs.timeZone, prefs.currency, prefs.irrDisplay]);
  let f = formatters.get(key);
  if (!f) {
    f = buildFormatter(prefs);
    if (formatters.size > 200) formatters.clear();
    formatters.set(key, f);
  }
  return f;
}

function buildFormatter(prefs: FormatPrefs): Formatter {
  const lang = normalizeLocale(prefs.locale);
  const digitsPref = prefs.digits === "latn" ? "latn" : "native";
  const locale = intlLocale(lang, digitsPref);
  const calendar: CalendarSystem = prefs.calendar ?? localeCalendar(lang);
  const tz = prefs.timeZone;
  const currency = prefs.currency;
  const display = prefs.irrDisplay === "toman" ? "toman" : "rial";
  const persianDigits = lang === "fa" && digitsPref === "native";
  const numberFmt = new Intl.NumberFormat(locale, { maximumFractionDigits: 20 });
  const compactFmt = new Intl.NumberFormat(locale, { notation: "compact", maximumFractionDigits: 1 });
  const pctFmts = new Map<number, Intl.NumberFormat>();
  const pctFmt = (d: number) => {
    let nf = pctFmts.get(d);
    if (!nf) {
      nf = new Intl.NumberFormat(locale, { style: "percent", minimumFractionDigits: d, maximumFractionDigits: d });
      pctFmts.set(d, nf);
    }
    return nf;
  };
  const changeFmt = new Intl.NumberFormat(locale, {
    style: "percent",
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
    signDisplay: "exceptZero",
  });

  const money: Formatter["money"] = (minor, currencyOrOpts, maybeOpts) => {
    const code = typeof currencyOrOpts === "string" ? currencyOrOpts : currency;
    const opts = typeof currencyOrOpts === "object" ? currencyOrOpts : maybeOpts;
    const v = typeof minor === "bigint" ? minor : BigInt(minor);
    if (!isCurrencyCode(code)) return `${numberFmt.format(v.toString() as unknown as number)} ${code}`;
    return formatMoney(v, code, { locale, display, digits: digitsPref, signDisplay: opts?.signDisplay });
  };
  const chartValue: Formatter["chartValue"] = (minor) => {
    const v = typeof minor === "bigint" ? minor : BigInt(minor);
    if (!isCurrencyCode(currency)) return Number(v);
    const major = Number(toMajorDecimalString(v, currency as CurrencyCode));
    return currency === "IRR" && display === "toman" ? major / 10 : major;
  };
  const dt = (style: "date" | "datetime" | "time" | "month") => (instant: string | Date) =>
    formatDateTime(toDate(instant), { locale, timeZone: tz, style, calendar, digits: digitsPref });
  const date: Formatter["date"] = (instant, style = "medium") =>
    style === "medium" ? dt("date")(instant) : dateFormat(locale, tz, calendar, style).format(toDate(instant));
  // CLDR's Persian pattern puts the year first ("۱۴۰۳ اسفند"); Iranians write the
  // month first, as on every statement and calendar ("اسفند ۱۴۰۳").
  const monthFmt = new Intl.DateTimeFormat(locale, { year: "numeric", month: "long", timeZone: tz, calendar });
  const month: Formatter["month"] = (instant) => {
    if (lang !== "fa") return dt("month")(instant);
    const parts = monthFmt.formatToParts(toDate(instant));
    const m = parts.find((p) => p.type === "month")?.value;
    const y = parts.find((p) => p.type === "year")?.value;
    return m && y ? `${m} ${y}` : monthFmt.format(toDate(instant));
  };
  const bankName: Formatter["bankName"] = (code) => {
    if (!code) return translate(locale, "common.unknown");
    // A code ("017"), or an Iranian bank's English name as older rows store it ("Melli Bank").
    const bank = IRANIAN_BANKS[code] ?? BANKS_BY_ENGLISH_NAME.get(code.trim().toLowerCase());
    return bank ? bank[lang === "fa" ? "fa" : "en"] : code;
  };

  const f: Formatter = {
    locale,
    lang,
    dir: localeDir(lang),
    calendar,
    timeZone: tz,
    currency,
    money,
    moneyCompact: (major) => compactFmt.format(major),
    chartValue,
    number: (n) => numberFmt.format(typeof n === "number" ? n : (n.toString() as unknown as number)),
    percent: (ratio, d = 1) => (ratio === null || !Number.isFinite(ratio) ? "–" : pctFmt(d).format(ratio)),
    percentChange: (pct) => (pct === null || !Number.isFinite(pct) ? "–" : changeFmt.format(pct / 100)),
    dateTime: dt("datetime"),
    date,
    time: dt("time"),
    month,
    day: (key) => {
      try {
        return date(parseLocalDateKey(key, tz));
      } catch {
        return key;
      }
    },
    bucket: (start, granularity) => {
      const d = toDate(start);
      switch (granularity) {
        case "hour":
          return dt("time")(d);
        case "day":
          return date(d);
        case "week":
          return translate(locale, "dates.weekOf", { date: date(d) });
        case "month":
          return month(d);
      }
    },
    bankName,
    cardBank: (panPrefix) => {
      const code = detectCard(panPrefix).bankCode;
      return code ? bankName(code) : null;
    },
    digits: (s) => (persianDigits ? toPersianDigits(s) : toLatinDigits(s)),
    zoneName: (zone = tz) => (lang === "fa" ? (FA_ZONE_CITIES[zone] ?? zone) : zone),
  };
  return f;
}
