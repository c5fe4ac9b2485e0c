/**
 * Cell formatting for CSV exports (pure). Values are written the way spreadsheets read
 * them back without help: amounts as plain decimals ("-12.50", never "1,250.00" or
 * "$12.50"), date-times as "YYYY-MM-DD HH:MM:SS" (Excel, LibreOffice and Numbers all
 * recognise it as a date-time), dates as "YYYY-MM-DD". The column header names the
 * time zone; a `_utc` twin column keeps the exact instant.
 */
import { zonedParts } from "~/lib/dates/zones";
import { isCurrencyCode, toMajorDecimalString } from "~/lib/money";

export type AmountFormat = "major" | "minor";

/** Amount cell: major-unit decimal of the row's currency, or the integer of minor units. */
export function formatAmount(minor: bigint, currency: string, format: AmountFormat): string {
  if (format === "minor" || !isCurrencyCode(currency)) return minor.toString();
  return toMajorDecimalString(minor, currency);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function wallClockString(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

// UTC offsets change at most once in any quarter hour (every tz transition in use
// lands on a quarter hour), so one Intl lookup per quarter hour serves every row in it.
const QUARTER_HOUR_MS = 15 * 60_000;

/**
 * The local wall clock of instants in `tz`, as the milliseconds of that wall-clock time
 * read as if it were UTC, floored to the second. Exports turn a million timestamps;
 * Intl's formatToParts costs microseconds each, so the offset is cached per quarter hour
 * (checked at both ends, so a DST change inside it falls back to an exact lookup).
 */
export function localWallClock(tz: string): (date: Date) => number {
  if (tz === "UTC" || tz === "Etc/UTC") {
    return (date) => {
      const t = date.getTime();
      if (Number.isNaN(t)) throw new RangeError("Invalid Date");
      return Math.floor(t / 1000) * 1000;
    };
  }
  const offsetAt = (ms: number): number => {
    const p = zonedParts(new Date(ms), tz);
    const d = new Date(0);
    d.setUTCFullYear(p.year, p.month - 1, p.day);
    d.setUTCHours(p.hour, p.minute, p.second, 0);
    return d.getTime() - (ms - (((ms % 1000) + 1000) % 1000));
  };
  // Many quarter hours at once: a row's columns jump between instants far apart
  // (created, available on), which would defeat a cache of the last one alone.
  const offsets = new Map<number, number | null>();
  return (date) => {
    const t = date.getTime();
    if (Number.isNaN(t)) throw new RangeError("Invalid Date");
    const secondMs = Math.floor(t / 1000) * 1000;
    const bucket = Math.floor(t / QUARTER_HOUR_MS);
    let cached = offsets.get(bucket);
    if (cached === undefined) {
      const start = bucket * QUARTER_HOUR_MS;
      const a = offsetAt(start);
      const b = offsetAt(start + QUARTER_HOUR_MS - 1000);
      cached = a === b ? a : null;
      if (offsets.size >= 50_000) offsets.clear();
      offsets.set(bucket, cached);
    }
    return secondMs + (cached ?? offsetAt(secondMs));
  };
}

/** A formatter of instants as local wall-clock time in `tz`: "YYYY-MM-DD HH:MM:SS". */
export function localDateTimeFormatter(tz: string): (date: Date) => string {
  const wall = localWallClock(tz);
  return (date) => wallClockString(wall(date));
}

export const utcDateTime = localDateTimeFormatter("UTC");

/** "Asia/Tehran" -> "Asia-Tehran": a time zone as it can appear in a file name. */
export function zoneForFileName(tz: string): string {
  return tz.replace(/[^A-Za-z0-9+_-]+/g, "-");
}

/** A merchant name as a file-name part: letters (any script) and digits, joined by hyphens. */
export function slugForFileName(name: string, fallback: string): string {
  const slug = name
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  return slug || fallback;
}

/** Only ASCII survives the plain `filename=` parameter; the UTF-8 name goes in `filename*`. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7E]+/g, "_").replace(/["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
