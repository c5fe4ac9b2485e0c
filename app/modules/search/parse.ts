/**
 * What a person typed in the global search box, understood: Persian and Arabic-Indic
 * digits, amounts in rial or toman ("۱۲۵ هزار تومان", "125k", "1,250,000 ریال", "$12.50"),
 * Jalali and Gregorian dates ("1405/09/15", "۱۵ آذر ۱۴۰۵", "2026-12-06", "Dec 6 2026"),
 * card last 4, trace and reference numbers, Sheba numbers and ids (pay_…, re_…, po_…).
 * Pure: the search itself (search.server.ts) turns the result into scoped queries.
 */
import { isValidLocalDateKey, localDateKey } from "~/lib/dates/zones";
import { jalaliMonthLength, jalaliMonthNames, jalaliToUtc } from "~/lib/dates/jalali";
import { toLatinDigits } from "~/lib/digits";
import { currencyExponent, type CurrencyCode } from "~/lib/money";

export interface SearchQuery {
  /** The text as typed, trimmed. */
  raw: string;
  /** Latin digits, Arabic ي/ك as Persian ی/ک, spaces collapsed. */
  normalized: string;
  /** Ids with a known prefix (pay_, re_, po_, term_, txn_, usr_). */
  ids: string[];
  /** Four digits: a card's last 4. */
  last4: string | null;
  /** Candidate amounts in minor units of the merchant's currency (a bare IRR figure may be rial or toman). */
  amounts: bigint[];
  /** A local day (YYYY-MM-DD, Gregorian) the person named, in either calendar. */
  day: string | null;
  /** Long digit strings: trace numbers, provider references, account numbers. */
  references: string[];
  /** An Iranian Sheba (IR + 24 digits), upper-case without spaces. */
  sheba: string | null;
  /** The words left once the above are taken out (names, e-mails, descriptions). */
  text: string;
}

const ID_PREFIXES = ["pay_", "re_", "po_", "term_", "txn_", "usr_", "mer_", "key_", "cus_", "pl_"];

const MULTIPLIERS: Record<string, bigint> = {
  k: 1_000n,
  هزار: 1_000n,
  m: 1_000_000n,
  mn: 1_000_000n,
  میلیون: 1_000_000n,
  b: 1_000_000_000n,
  bn: 1_000_000_000n,
  میلیارد: 1_000_000_000n,
};
const TOMAN = new Set(["تومان", "تومن", "toman", "tomans", "t"]);
const RIAL = new Set(["ریال", "rial", "rials", "irr"]);

const GREGORIAN_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** Latin digits, Persian letters for their Arabic look-alikes, Persian separators as Latin ones. */
export function normalizeSearch(s: string): string {
  return toLatinDigits(s)
    .replace(/ي/g, "ی")
    .replace(/ك/g, "ک")
    .replace(/[\u066B]/g, ".") // Arabic decimal separator
    .replace(/[\u066C\u060C]/g, ",") // Arabic thousands separator, Persian comma
    .replace(/\u200c/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function gregorianDay(y: number, m: number, d: number): string | null {
  const key = `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
  return isValidLocalDateKey(key) ? key : null;
}

function jalaliDay(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1 || d > jalaliMonthLength(y, m)) return null;
  try {
    // Noon UTC of the Jalali day, read back as a UTC day: the same calendar day in any zone.
    return localDateKey(jalaliToUtc({ year: y, month: m, day: d }, "UTC"), "UTC");
  } catch {
    return null;
  }
}

/** A day from year, month, day: years 1300-1499 are Jalali, others Gregorian. */
function dayOf(y: number, m: number, d: number): string | null {
  return y >= 1300 && y < 1500 ? jalaliDay(y, m, d) : gregorianDay(y, m, d);
}

interface Taken {
  rest: string;
}

function take(t: Taken, re: RegExp, on: (m: RegExpMatchArray) => boolean | void): void {
  t.rest = t.rest.replace(re, (...args) => {
    const m = args.slice(0, -2) as unknown as RegExpMatchArray;
    return on(m) === false ? m[0] : " ";
  });
}

/**
 * Parses the search text. `currency` decides what an amount means: for IRR a figure with
 * "تومان"/"toman" is ten times as many rials, a bare figure may be either (both are tried).
 */
export function parseSearch(input: string, currency: CurrencyCode): SearchQuery {
  const normalized = normalizeSearch(input);
  const t: Taken = { rest: ` ${normalized} ` };
  const ids: string[] = [];
  const references: string[] = [];
  const amounts = new Set<bigint>();
  let last4: string | null = null;
  let day: string | null = null;
  let sheba: string | null = null;

  // Ids.
  take(t, /(?<=\s)([a-z]{2,4}_[a-z0-9]{6,40})(?=\s)/gi, (m) => {
    const lower = m[1]!.toLowerCase();
    if (!ID_PREFIXES.some((p) => lower.startsWith(p))) return false;
    // A payment link's id is mixed case (pl_aB3…): it keeps its letters; the others are lower case.
    ids.push(lower.startsWith("pl_") ? `pl_${m[1]!.slice(3)}` : lower);
  });
  // Sheba: IR and 24 digits, spaces allowed.
  take(t, /(?<=\s)IR\s?((?:\d\s?){24})(?=\s)/gi, (m) => {
    sheba = `IR${m[1]!.replace(/\s/g, "")}`;
  });
  // Dates: 1405/09/15, 2026-12-06, 15/09/1405.
  take(t, /(?<=\s)(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})(?=\s)/g, (m) => {
    const d = dayOf(Number(m[1]), Number(m[2]), Number(m[3]));
    if (!d) return false;
    day = d;
  });
  take(t, /(?<=\s)(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})(?=\s)/g, (m) => {
    const d = dayOf(Number(m[3]), Number(m[2]), Number(m[1]));
    if (!d) return false;
    day = d;
  });
  // "15 آذر 1405", "15 Azar 1405".
  const jalaliNames = [...jalaliMonthNames.fa, ...jalaliMonthNames.en.map((n) => n.toLowerCase())];
  take(t, /(?<=\s)(\d{1,2}) ([^\s\d]+) (\d{4})(?=\s)/g, (m) => {
    const name = m[2]!.toLowerCase();
    const j = jalaliNames.indexOf(name);
    if (j >= 0) {
      const d = jalaliDay(Number(m[3]), (j % 12) + 1, Number(m[1]));
      if (!d) return false;
      day = d;
      return;
    }
    const g = GREGORIAN_MONTHS.indexOf(name.slice(0, 3));
    if (g < 0) return false;
    const d = gregorianDay(Number(m[3]), g + 1, Number(m[1]));
    if (!d) return false;
    day = d;
  });
  // "Dec 6 2026", "Dec 6, 2026".
  take(t, /(?<=\s)([a-z]{3,9})\.? (\d{1,2}),? (\d{4})(?=\s)/gi, (m) => {
    const g = GREGORIAN_MONTHS.indexOf(m[1]!.toLowerCase().slice(0, 3));
    if (g < 0) return false;
    const d = gregorianDay(Number(m[3]), g + 1, Number(m[2]));
    if (!d) return false;
    day = d;
  });

  // Amounts: a figure with a multiplier and/or a unit, or a currency sign.
  const exp = BigInt(currencyExponent(currency));
  const minorOf = (major: string): bigint | null => {
    const [whole, frac = ""] = major.split(".");
    if (frac.length > Number(exp)) return null;
    return BigInt(whole!) * 10n ** exp + (frac ? BigInt(frac.padEnd(Number(exp), "0")) : 0n);
  };
  take(
    t,
    /(?<=\s)([$€£]|irr|usd|eur)?\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s?(k|m|mn|b|bn|هزار|میلیون|میلیارد)?\s?(تومان|تومن|toman|tomans|ریال|rial|rials|irr)?(?=\s)/gi,
    (m) => {
      const [, sign, intPart, frac, mult, unit] = m as unknown as (string | undefined)[];
      const digits = intPart!.replace(/,/g, "");
      const plain = !sign && !mult && !unit && !frac && !intPart!.includes(",");
      if (plain) return false; // bare digits: handled below (last 4, references, amounts)
      const multiplier = mult ? MULTIPLIERS[mult.toLowerCase()]! : 1n;
      const u = unit?.toLowerCase();
      let major = minorOf(frac ? `${digits}.${frac}` : digits);
      if (major === null) return false;
      // minorOf gave minor units of `digits.frac` major; scale by the multiplier.
      major *= multiplier;
      if (currency === "IRR") {
        if (u && TOMAN.has(u)) amounts.add(major * 10n);
        else if (u && RIAL.has(u)) amounts.add(major);
        else {
          amounts.add(major);
          amounts.add(major * 10n);
        }
      } else {
        amounts.add(major);
      }
    },
  );
  // Bare digit strings.
  take(t, /(?<=\s)(\d+)(?=\s)/g, (m) => {
    const s = m[1]!;
    if (s.length === 4) last4 = s;
    if (s.length >= 6) references.push(s);
    if (s.length <= 15) {
      const minor = minorOf(s);
      if (minor !== null && minor > 0n) {
        amounts.add(minor);
        if (currency === "IRR") amounts.add(minor * 10n);
      }
    }
  });

  const text = t.rest.replace(/\s+/g, " ").trim();
  return { raw: input.trim(), normalized, ids, last4, amounts: [...amounts], day, references, sheba, text };
}
