/**
 * Money is always an integer number of minor units held in a `bigint`.
 *
 * Rial amounts are large (10^9 IRR is an ordinary day for one merchant), so
 * platform-wide sums pass 2^53 and a JS `number` would silently round them.
 * Nothing in this module converts an amount to `number`.
 */
import { toLatinDigits } from "~/lib/digits";

export const CURRENCIES = {
  IRR: { code: "IRR", exponent: 0 },
  USD: { code: "USD", exponent: 2 },
  EUR: { code: "EUR", exponent: 2 },
  GBP: { code: "GBP", exponent: 2 },
  AED: { code: "AED", exponent: 2 },
} as const;

export type CurrencyCode = keyof typeof CURRENCIES;

export function isCurrencyCode(value: unknown): value is CurrencyCode {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(CURRENCIES, value);
}

export function currencyExponent(code: CurrencyCode): number {
  if (!isCurrencyCode(code)) throw new RangeError(`Unsupported currency: ${String(code)}`);
  return CURRENCIES[code].exponent;
}

/** Largest accepted amount, in major units. Far above any real payment, low enough to catch typos and fit Postgres bigint. */
export const MAX_MAJOR_UNITS = 10n ** 15n;

export function maxMinorUnits(currency: CurrencyCode): bigint {
  return MAX_MAJOR_UNITS * 10n ** BigInt(currencyExponent(currency));
}

const MAX_MINOR_ANY_CURRENCY = Object.keys(CURRENCIES).reduce(
  (max, code) => {
    const m = maxMinorUnits(code as CurrencyCode);
    return m > max ? m : max;
  },
  0n,
);

/**
 * Why an amount was refused, for messages in the reader's language: the catalogs have
 * `money.error.<code>` with the same {params} (app/lib/i18n). `reason` stays English.
 */
export type AmountErrorCode =
  | "unsupported_currency"
  | "toman_not_irr"
  | "empty"
  | "not_positive"
  | "exponent"
  | "not_a_number"
  | "two_points"
  | "separator_after_point"
  | "decimal_comma"
  | "grouping"
  | "minor_fraction"
  | "toman_fraction"
  | "no_fraction"
  | "fraction_digits"
  | "too_large";

export type ParseAmountResult =
  | { ok: true; minor: bigint }
  | { ok: false; reason: string; code?: AmountErrorCode; params?: Record<string, string | number> };

export type AmountUnit = "major" | "minor" | "toman";

// Bidi controls come along when users copy amounts out of RTL pages (Intl's fa output contains them).
const BIDI_CONTROLS = /[\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069\uFEFF]/g;
// `,` plus Arabic thousands separator U+066C, Arabic comma U+060C and the spaces Intl and keyboards produce.
const GROUP_SEPARATOR = /[,\u066C\u060C \u00A0\u202F\u2009]/;
const DECIMAL_SEPARATOR = /[.\u066B]/;
const MINUS_SIGNS = /^[-\u2212\u2012\u2013\u2014\uFE63\uFF0D]/;

function fail(reason: string, code: AmountErrorCode, params?: Record<string, string | number>): ParseAmountResult {
  return params ? { ok: false, reason, code, params } : { ok: false, reason, code };
}

function groupingExample(currency: CurrencyCode): string {
  return currencyExponent(currency) === 0 ? "1,250,000" : "1,250.50";
}

/**
 * Parses what a person typed into an amount field.
 *
 * Digit groups must be of three digits after the first one, because a
 * European "12,50" silently read as 1250 would charge a customer a hundred
 * times too much; we would rather refuse it and say why.
 */
export function parseAmount(
  input: string,
  currency: CurrencyCode,
  opts: { unit?: AmountUnit } = {},
): ParseAmountResult {
  if (!isCurrencyCode(currency)) return fail(`Unsupported currency: ${String(currency)}`, "unsupported_currency", { currency: String(currency) });
  const unit = opts.unit ?? "major";
  if (unit === "toman" && currency !== "IRR") return fail("Toman can only be used with IRR amounts", "toman_not_irr");
  if (typeof input !== "string") return fail("Enter an amount", "empty");

  const s = toLatinDigits(input).replace(BIDI_CONTROLS, "").trim();
  if (s === "") return fail("Enter an amount", "empty");
  if (MINUS_SIGNS.test(s)) return fail("Enter an amount greater than zero", "not_positive");

  const compact = s.replace(new RegExp(GROUP_SEPARATOR.source, "g"), "");
  if (/^(?=[.\u066B]?[0-9])[0-9]*[.\u066B]?[0-9]*[eE][+-]?[0-9]+$/.test(compact)) {
    return fail("Enter the amount as plain digits, without an exponent like 1e5", "exponent");
  }
  if (!/^[0-9,\u066C\u060C \u00A0\u202F\u2009.\u066B]+$/.test(s) || !/[0-9]/.test(s)) {
    return fail(`Enter a number, like ${groupingExample(currency)}`, "not_a_number", {
      example: groupingExample(currency),
      currency,
    });
  }

  const pieces = s.split(DECIMAL_SEPARATOR);
  if (pieces.length > 2) return fail("Use only one decimal point", "two_points");
  const intRaw = pieces[0] ?? "";
  const fraction = pieces[1] ?? "";
  if (GROUP_SEPARATOR.test(fraction)) return fail("Put thousands separators only before the decimal point", "separator_after_point");

  let intDigits = intRaw;
  if (GROUP_SEPARATOR.test(intRaw)) {
    const groups = intRaw.split(GROUP_SEPARATOR);
    const [first, ...rest] = groups;
    // "12,50" is a European decimal comma, not a thousands separator.
    if (pieces.length === 1 && groups.length === 2 && /^[0-9]{1,2}$/.test(rest[0] ?? "") && /,|\u060C/.test(intRaw)) {
      return fail("Use a point (.) for decimals, not a comma", "decimal_comma");
    }
    if (!first || !/^[0-9]{1,3}$/.test(first) || rest.some((g) => !/^[0-9]{3}$/.test(g))) {
      return fail(
        `Check the thousands separators: digits are grouped in threes, like ${groupingExample(currency)}`,
        "grouping",
        { example: groupingExample(currency), currency },
      );
    }
    intDigits = groups.join("");
  }

  const allowedFraction = unit === "minor" ? 0 : unit === "toman" ? 1 : currencyExponent(currency);
  if (fraction.length > allowedFraction) {
    if (unit === "minor") return fail("Minor units are whole numbers, with no decimal places", "minor_fraction");
    if (unit === "toman") return fail("Toman amounts have at most 1 decimal place", "toman_fraction", { count: 1 });
    return allowedFraction === 0
      ? fail(`${currency} amounts have no decimal places`, "no_fraction", { currency })
      : fail(
          `${currency} amounts have at most ${allowedFraction} decimal place${allowedFraction === 1 ? "" : "s"}`,
          "fraction_digits",
          { currency, count: allowedFraction },
        );
  }

  const significant = intDigits.replace(/^0+/, "");
  const maxMinor = maxMinorUnits(currency);
  const tooLarge = fail(
    `Enter an amount no greater than ${MAX_MAJOR_UNITS.toLocaleString("en-US")} ${currency}`,
    "too_large",
    // 10^15 is exact as a number; the message formats it in the reader's digits.
    { max: Number(MAX_MAJOR_UNITS), currency },
  );
  // Bound the work before building a bigint from a pasted megabyte of digits.
  if (significant.length > 25) return tooLarge;

  // With toman's one fraction digit, "12.5" toman scales to 125, which is exactly the rial amount.
  const minor =
    BigInt(intDigits === "" ? "0" : intDigits) * 10n ** BigInt(allowedFraction) +
    BigInt(fraction === "" ? "0" : fraction.padEnd(allowedFraction, "0"));

  if (minor === 0n) return fail("Enter an amount greater than zero", "not_positive");
  if (minor > maxMinor) return tooLarge;
  return { ok: true, minor };
}

/**
 * Reads an amount in minor units from API input (JSON body or query string).
 * Only positive whole numbers are accepted; floats such as 10.5 or 1e21 and
 * numbers beyond 2^53 (already rounded by JSON.parse) are refused rather than
 * guessed at. Pass the currency to also enforce its maximum.
 */
export function parseMinorUnits(value: unknown, currency?: CurrencyCode): bigint | null {
  let minor: bigint;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value <= 0) return null;
    minor = BigInt(value);
  } else if (typeof value === "string") {
    if (!/^[0-9]{1,30}$/.test(value)) return null;
    minor = BigInt(value);
  } else {
    return null;
  }
  if (minor <= 0n) return null;
  const max = currency !== undefined && isCurrencyCode(currency) ? maxMinorUnits(currency) : MAX_MINOR_ANY_CURRENCY;
  return minor > max ? null : minor;
}

function absBig(v: bigint): bigint {
  return v < 0n ? -v : v;
}

/** Exact decimal string with a `.` and no grouping: what CSV and spreadsheets read as a number. */
export function toMajorDecimalString(minor: bigint, currency: CurrencyCode): string {
  const exponent = currencyExponent(currency);
  const sign = minor < 0n ? "-" : "";
  const digits = absBig(minor).toString();
  if (exponent === 0) return sign + digits;
  const padded = digits.padStart(exponent + 1, "0");
  return `${sign}${padded.slice(0, -exponent)}.${padded.slice(-exponent)}`;
}

export interface FormatMoneyOptions {
  locale?: string;
  /** IRR only: show rial (stored) or toman (rial / 10, how people speak). */
  display?: "rial" | "toman";
  /** `native` keeps the locale's digits (Persian for `fa`); `latn` forces 0-9. */
  digits?: "native" | "latn";
  signDisplay?: "auto" | "always" | "exceptZero";
}

const formatterCache = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  // The options used here are a handful of scalars: a plain key (JSON.stringify per amount showed in profiles).
  const o = options;
  const key = `${locale}|${o.style}|${o.currency}|${o.currencyDisplay}|${o.minimumFractionDigits}|${o.maximumFractionDigits}|${o.signDisplay}`;
  let nf = formatterCache.get(key);
  if (!nf) {
    // Building a NumberFormat costs far more than formatting with it; tables format thousands of cells.
    if (formatterCache.size > 500) formatterCache.clear();
    nf = new Intl.NumberFormat(locale, options);
    formatterCache.set(key, nf);
  }
  return nf;
}

const resolvedLocales = new Map<string, { tag: string; isPersian: boolean }>();

function resolveLocale(locale: string, digits: "native" | "latn"): { tag: string; isPersian: boolean } {
  // Intl.Locale is built per call otherwise, and a page formats hundreds of amounts.
  const key = `${locale}|${digits}`;
  let r = resolvedLocales.get(key);
  if (!r) {
    const base = new Intl.Locale(locale);
    const tag = digits === "latn" ? new Intl.Locale(locale, { numberingSystem: "latn" }).toString() : base.toString();
    r = { tag, isPersian: base.language === "fa" };
    if (resolvedLocales.size > 100) resolvedLocales.clear();
    resolvedLocales.set(key, r);
  }
  return r;
}

// Intl.NumberFormat#format takes a decimal *string* exactly (ES2023, Node 20,
// current browsers), so amounts beyond 2^53 keep every digit. Passing a Number
// would round them.
function formatDecimal(decimal: string, nf: Intl.NumberFormat): string {
  return nf.format(decimal as unknown as number);
}

/**
 * Formats an amount for people. IRR gets its unit spelled out (IRR / ریال,
 * toman / تومان) because the bare number is ambiguous between rial and toman,
 * a factor of ten that Iranian users get wrong in both directions.
 */
export function formatMoney(minor: bigint, currency: CurrencyCode, opts: FormatMoneyOptions = {}): string {
  const exponent = currencyExponent(currency);
  const { tag, isPersian } = resolveLocale(opts.locale ?? "en-US", opts.digits ?? "native");
  const signDisplay = opts.signDisplay ?? "auto";

  if (currency === "IRR") {
    if (opts.display === "toman") {
      const abs = absBig(minor);
      const remainder = abs % 10n;
      const decimal = `${minor < 0n ? "-" : ""}${abs / 10n}${remainder === 0n ? "" : `.${remainder}`}`;
      const fractionDigits = remainder === 0n ? 0 : 1;
      const nf = numberFormat(tag, {
        style: "decimal",
        minimumFractionDigits: fractionDigits,
        maximumFractionDigits: fractionDigits,
        signDisplay,
      });
      return `${formatDecimal(decimal, nf)}\u00A0${isPersian ? "تومان" : "toman"}`;
    }
    if (isPersian) {
      // Intl's fa currency pattern puts ریال before the number; Persian text puts the unit after it.
      const nf = numberFormat(tag, { style: "decimal", maximumFractionDigits: 0, signDisplay });
      return `${formatDecimal(minor.toString(), nf)}\u00A0ریال`;
    }
  }

  const nf = numberFormat(tag, {
    style: "currency",
    currency,
    // The code, not a symbol: IRR has no widely known symbol, and "﷼" is unreadable to most users.
    currencyDisplay: currency === "IRR" ? "code" : "symbol",
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
    signDisplay,
  });
  return formatDecimal(toMajorDecimalString(minor, currency), nf);
}

export function sumMinor(values: readonly bigint[]): bigint {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}

/**
 * Change from `previous` to `current` in percent (25 means +25 %), or null
 * when there is no baseline. The denominator is |previous| so that a move from
 * a negative net towards zero reads as an improvement, not a decline.
 */
export function percentChange(current: bigint, previous: bigint): number | null {
  if (previous === 0n) return null;
  return (Number(current - previous) / Number(absBig(previous))) * 100;
}
