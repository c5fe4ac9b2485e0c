/**
 * Instants and the wall clock of an IANA zone, with Intl only.
 *
 * An instant is a `Date` (UTC). Days, weeks and months are always those of
 * the merchant's local calendar in an IANA zone, because a merchant in Tehran
 * closes the day at Tehran midnight (20:30 UTC), not at UTC midnight, and a
 * report that mixes the two disagrees with their bank statement.
 *
 * The approach everywhere: read an instant's local wall-clock fields with
 * Intl.DateTimeFormat#formatToParts, do calendar arithmetic on those fields
 * treated as if they were UTC, and convert back with `zonedTimeToUtc`, which
 * resolves DST gaps and overlaps.
 *
 * The other files of lib/dates (jalali, buckets, ranges, format) build on the
 * exported helpers below the public functions (wall-clock arithmetic, offsets).
 */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday ... 6 = Saturday. */
  weekday: Weekday;
}

export interface LocalDateTimeFields {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
}

export const MS_PER_DAY = 86_400_000;
export const MS_PER_HOUR = 3_600_000;

export function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

export function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

export function assertValidDate(date: Date): number {
  const t = date instanceof Date ? date.getTime() : NaN;
  if (Number.isNaN(t)) throw new RangeError("Invalid Date");
  return t;
}

// Formatter construction dominates the cost of these helpers; keep one per zone.
const formatterCache = new Map<string, Intl.DateTimeFormat>();

export function cachedFormatter(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = formatterCache.get(key);
  if (!f) {
    if (formatterCache.size > 500) formatterCache.clear();
    f = make();
    formatterCache.set(key, f);
  }
  return f;
}

function gregorianPartsFormatter(tz: string): Intl.DateTimeFormat {
  return cachedFormatter(`parts|${tz}`, () =>
    new Intl.DateTimeFormat("en-US-u-ca-gregory-nu-latn", {
      timeZone: tz,
      // `hour12: false` renders midnight as "24" on some engines; h23 does not.
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      weekday: "short",
    }),
  );
}

const WEEKDAYS: Record<string, Weekday> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

// Building an Intl.DateTimeFormat costs tens of microseconds and every page checks the
// merchant's zone several times: remember the answer (a bounded set of names).
const timeZoneValidity = new Map<string, boolean>();

export function isValidTimeZone(tz: unknown): tz is string {
  if (typeof tz !== "string" || tz.trim() === "") return false;
  let ok = timeZoneValidity.get(tz);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: tz });
      ok = true;
    } catch {
      ok = false;
    }
    if (timeZoneValidity.size >= 1000) timeZoneValidity.clear();
    timeZoneValidity.set(tz, ok);
  }
  return ok;
}

/**
 * The wall-clock fields of an instant in a zone. The zone's offset is remembered per
 * quarter hour (offsetMsAt), so the fields come from Date arithmetic: one Intl
 * formatToParts per instant was the largest share of a page's date work (every range,
 * cutoff and settlement day asks for a few). Instants within two days of the edge of
 * Date's range ask Intl directly.
 */
export function zonedParts(date: Date, tz: string): ZonedParts {
  const t = assertValidDate(date);
  if (Math.abs(t) > MAX_DATE_MS - 2 * MS_PER_DAY) return intlZonedParts(t, tz);
  const wall = new Date(t + offsetMsAt(t, tz));
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    weekday: wall.getUTCDay() as Weekday,
  };
}

const MAX_DATE_MS = 8.64e15;

/** zonedParts by asking the time-zone database (Intl) for this instant. */
function intlZonedParts(t: number, tz: string): ZonedParts {
  const fields: Record<string, string> = {};
  for (const part of gregorianPartsFormatter(tz).formatToParts(t)) fields[part.type] = part.value;
  const yearOfEra = Number(fields.year);
  const hour = Number(fields.hour);
  return {
    year: fields.era === "BC" || fields.era === "B" ? 1 - yearOfEra : yearOfEra,
    month: Number(fields.month),
    day: Number(fields.day),
    hour: hour === 24 ? 0 : hour,
    minute: Number(fields.minute),
    second: Number(fields.second),
    weekday: WEEKDAYS[fields.weekday ?? ""] ?? 0,
  };
}

/** Wall-clock fields read as if they were UTC. Date.UTC would map years 0-99 to 1900-1999. */
export function wallClockMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

function exactOffsetMsAt(instantMs: number, tz: string): number {
  const p = intlZonedParts(instantMs, tz);
  return wallClockMs(p.year, p.month, p.day, p.hour, p.minute, p.second) - (instantMs - mod(instantMs, 1000));
}

// Every UTC offset change in use falls on a quarter hour, so the offset is remembered
// per quarter hour (when it is the same at both ends of it; otherwise each instant is
// looked up): turning a day into its first instant asks for up to six offsets, each an
// Intl formatToParts, and a page turns dozens of days.
const QUARTER_HOUR_MS = 15 * 60_000;
const offsetCache = new Map<string, Map<number, number | null>>();

export function offsetMsAt(instantMs: number, tz: string): number {
  let byBucket = offsetCache.get(tz);
  if (!byBucket) {
    if (offsetCache.size >= 100) offsetCache.clear();
    byBucket = new Map();
    offsetCache.set(tz, byBucket);
  }
  const bucket = Math.floor(instantMs / QUARTER_HOUR_MS);
  let offset = byBucket.get(bucket);
  if (offset === undefined) {
    const start = bucket * QUARTER_HOUR_MS;
    const a = exactOffsetMsAt(start, tz);
    offset = a === exactOffsetMsAt(start + QUARTER_HOUR_MS - 1000, tz) ? a : null;
    if (byBucket.size >= 20_000) byBucket.clear();
    byBucket.set(bucket, offset);
  }
  return offset ?? exactOffsetMsAt(instantMs, tz);
}

/**
 * The instant at which the wall clock in `tz` shows `wallMs`. Follows
 * Temporal's "compatible" disambiguation: a time repeated by a backward
 * transition resolves to its earlier occurrence, and a time skipped by a
 * forward transition is pushed forward by the length of the gap (02:30 on a
 * spring-forward night becomes 03:30), so a local midnight that does not
 * exist resolves to the first instant of that day.
 */
export function wallClockToInstant(wallMs: number, tz: string): number {
  const offsetBefore = offsetMsAt(wallMs - MS_PER_DAY, tz);
  const candidates = new Set([offsetBefore, offsetMsAt(wallMs, tz), offsetMsAt(wallMs + MS_PER_DAY, tz)]);
  let earliest: number | undefined;
  for (const offset of candidates) {
    const instant = wallMs - offset;
    if (offsetMsAt(instant, tz) === offset && (earliest === undefined || instant < earliest)) earliest = instant;
  }
  return earliest ?? wallMs - offsetBefore;
}

/** The first instant in (from, to] whose UTC offset equals that of `to`, or -Infinity if the offset never changes. */
export function lastTransitionIn(fromMs: number, toMs: number, tz: string): number {
  const target = offsetMsAt(toMs, tz);
  if (offsetMsAt(fromMs, tz) === target) return -Infinity;
  let lo = fromMs;
  let hi = toMs;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetMsAt(mid, tz) === target) hi = mid;
    else lo = mid;
  }
  return hi;
}

function daysInGregorianMonth(year: number, month: number): number {
  return new Date(wallClockMs(year, month + 1, 0)).getUTCDate();
}

export function assertInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

export function zonedTimeToUtc(fields: LocalDateTimeFields, tz: string): Date {
  const { year, month, day, hour = 0, minute = 0, second = 0 } = fields;
  assertInt("year", year, -271_820, 275_759);
  assertInt("month", month, 1, 12);
  assertInt("day", day, 1, daysInGregorianMonth(year, month));
  assertInt("hour", hour, 0, 23);
  assertInt("minute", minute, 0, 59);
  assertInt("second", second, 0, 59);
  return new Date(wallClockToInstant(wallClockMs(year, month, day, hour, minute, second), tz));
}

export function startOfLocalDay(date: Date, tz: string): Date {
  const p = zonedParts(date, tz);
  return new Date(wallClockToInstant(wallClockMs(p.year, p.month, p.day), tz));
}

/** Start of the local day `n` days after the local day containing `date` (n may be negative). */
export function addLocalDays(date: Date, n: number, tz: string): Date {
  if (!Number.isInteger(n)) throw new RangeError(`Day count must be an integer, got ${String(n)}`);
  const p = zonedParts(date, tz);
  return new Date(wallClockToInstant(wallClockMs(p.year, p.month, p.day + n), tz));
}

export function formatYear(year: number): string {
  return year < 0 ? `-${pad(-year, 6)}` : year > 9999 ? `+${pad(year, 6)}` : pad(year, 4);
}

export function localDateKey(date: Date, tz: string): string {
  const p = zonedParts(date, tz);
  return `${formatYear(p.year)}-${pad(p.month)}-${pad(p.day)}`;
}

export function isValidLocalDateKey(key: unknown): key is string {
  if (typeof key !== "string") return false;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInGregorianMonth(year, month);
}

/** The years a ledger date may have (filters, reports, API ranges): outside them a date is a typo or an attack. */
export const LEDGER_YEAR_MIN = 1970;
export const LEDGER_YEAR_MAX = 2100;

/** 'YYYY-MM-DD' of a real day between LEDGER_YEAR_MIN-01-01 and LEDGER_YEAR_MAX-12-31. */
export function isLedgerDateKey(key: unknown): key is string {
  if (!isValidLocalDateKey(key)) return false;
  const year = Number(key.slice(0, 4));
  return year >= LEDGER_YEAR_MIN && year <= LEDGER_YEAR_MAX;
}

/** Start of the local day named by 'YYYY-MM-DD'. Throws RangeError for anything else, including 2026-02-30. */
export function parseLocalDateKey(key: string, tz: string): Date {
  if (!isValidLocalDateKey(key)) throw new RangeError(`Expected a date as YYYY-MM-DD, got ${JSON.stringify(key)}`);
  const [year, month, day] = key.split("-").map(Number) as [number, number, number];
  return zonedTimeToUtc({ year, month, day }, tz);
}

/** Start of the local (Gregorian) month; `month` may run past 12 or below 1. */
export function localMonthStart(year: number, month: number, tz: string): Date {
  const index = year * 12 + (month - 1);
  return new Date(wallClockToInstant(wallClockMs(Math.floor(index / 12), mod(index, 12) + 1, 1), tz));
}
