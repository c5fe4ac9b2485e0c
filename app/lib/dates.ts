/**
 * Time zone and calendar arithmetic with Intl only.
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
 */

export type Granularity = "hour" | "day" | "week" | "month";
export type CalendarSystem = "gregory" | "persian";
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

export interface JalaliDate {
  year: number;
  month: number;
  day: number;
}

const MS_PER_DAY = 86_400_000;
const MS_PER_HOUR = 3_600_000;

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function assertValidDate(date: Date): number {
  const t = date instanceof Date ? date.getTime() : NaN;
  if (Number.isNaN(t)) throw new RangeError("Invalid Date");
  return t;
}

// Formatter construction dominates the cost of these helpers; keep one per zone.
const formatterCache = new Map<string, Intl.DateTimeFormat>();

function cachedFormatter(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
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

function persianPartsFormatter(tz: string): Intl.DateTimeFormat {
  return cachedFormatter(`persian|${tz}`, () =>
    new Intl.DateTimeFormat("en-US-u-ca-persian-nu-latn", {
      timeZone: tz,
      year: "numeric",
      month: "numeric",
      day: "numeric",
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
function wallClockMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
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

function offsetMsAt(instantMs: number, tz: string): number {
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
function wallClockToInstant(wallMs: number, tz: string): number {
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
function lastTransitionIn(fromMs: number, toMs: number, tz: string): number {
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

function assertInt(name: string, value: number, min: number, max: number): void {
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

function formatYear(year: number): string {
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

/* ----------------------------- Jalali calendar ----------------------------- */

export const jalaliMonthNames = {
  fa: ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"],
  en: [
    "Farvardin",
    "Ordibehesht",
    "Khordad",
    "Tir",
    "Mordad",
    "Shahrivar",
    "Mehr",
    "Aban",
    "Azar",
    "Dey",
    "Bahman",
    "Esfand",
  ],
} as const;

export function toJalali(date: Date, tz: string): JalaliDate {
  const t = assertValidDate(date);
  const fields: Record<string, string> = {};
  for (const part of persianPartsFormatter(tz).formatToParts(t)) fields[part.type] = part.value;
  return { year: Number(fields.year), month: Number(fields.month), day: Number(fields.day) };
}

// 1 Farvardin 1404 fell on 2025-03-21: day 20168 since 1970-01-01. Only a starting guess.
const NOWRUZ_1404_EPOCH_DAY = 20_168;
const MEAN_JALALI_YEAR_DAYS = 365.24219;
const nowruzCache = new Map<number, number>();

function jalaliOfEpochDay(epochDay: number): JalaliDate {
  return toJalali(new Date(epochDay * MS_PER_DAY + 12 * MS_PER_HOUR), "UTC");
}

function daysBeforeJalaliMonth(month: number): number {
  return month <= 7 ? (month - 1) * 31 : 186 + (month - 7) * 30;
}

/**
 * Epoch day (UTC calendar day number) of 1 Farvardin `year`, found by asking
 * Intl rather than re-implementing the leap rule, so we agree with every date
 * Intl renders. The guess from the mean year length is off by a day or two at
 * most; the exact day-of-year then lands on Nowruz.
 */
function nowruzEpochDay(year: number): number {
  const cached = nowruzCache.get(year);
  if (cached !== undefined) return cached;
  let guess = NOWRUZ_1404_EPOCH_DAY + Math.round((year - 1404) * MEAN_JALALI_YEAR_DAYS);
  for (let attempt = 0; attempt < 400; attempt++) {
    const j = jalaliOfEpochDay(guess);
    if (j.year === year) {
      const result = guess - (daysBeforeJalaliMonth(j.month) + j.day - 1);
      nowruzCache.set(year, result);
      return result;
    }
    guess += j.year < year ? 1 : -(daysBeforeJalaliMonth(j.month) + j.day);
  }
  throw new RangeError(`Could not locate Jalali year ${year}`);
}

const MIN_JALALI_YEAR = 1;
const MAX_JALALI_YEAR = 9000;

export function isJalaliLeapYear(year: number): boolean {
  assertInt("Jalali year", year, MIN_JALALI_YEAR, MAX_JALALI_YEAR);
  return nowruzEpochDay(year + 1) - nowruzEpochDay(year) === 366;
}

export function jalaliMonthLength(year: number, month: number): number {
  assertInt("Jalali month", month, 1, 12);
  if (month <= 6) return 31;
  if (month <= 11) return 30;
  return isJalaliLeapYear(year) ? 30 : 29;
}

/** Start of the local day (in `tz`) of a Jalali date. Throws RangeError for dates that do not exist, such as 30 Esfand of a common year. */
export function jalaliToUtc(jalali: JalaliDate, tz: string): Date {
  const { year, month, day } = jalali;
  assertInt("Jalali year", year, MIN_JALALI_YEAR, MAX_JALALI_YEAR);
  assertInt("Jalali month", month, 1, 12);
  assertInt("Jalali day", day, 1, jalaliMonthLength(year, month));
  const epochDay = nowruzEpochDay(year) + daysBeforeJalaliMonth(month) + day - 1;
  const g = new Date(epochDay * MS_PER_DAY);
  return new Date(
    wallClockToInstant(wallClockMs(g.getUTCFullYear(), g.getUTCMonth() + 1, g.getUTCDate()), tz),
  );
}

function addJalaliMonths(j: { year: number; month: number }, n: number): { year: number; month: number } {
  const index = j.year * 12 + (j.month - 1) + n;
  return { year: Math.floor(index / 12), month: mod(index, 12) + 1 };
}

/* --------------------------------- Buckets --------------------------------- */

export interface BucketOptions {
  calendar?: CalendarSystem;
  /** Defaults to Saturday (6) for the persian calendar, as in Iran, and Monday (1, ISO) otherwise. */
  weekStartsOn?: Weekday;
}

function localMonthStart(year: number, month: number, tz: string): Date {
  const index = year * 12 + (month - 1);
  return new Date(wallClockToInstant(wallClockMs(Math.floor(index / 12), mod(index, 12) + 1, 1), tz));
}

/** Start instant of the bucket (local hour/day/week/month) that contains `date`. */
export function bucketStart(date: Date, granularity: Granularity, tz: string, opts: BucketOptions = {}): Date {
  const calendar = opts.calendar ?? "gregory";
  switch (granularity) {
    case "hour": {
      // Subtracting the local minutes keeps the second 01:00 of a fall-back night
      // distinct from the first, which rebuilding "01:00 local" could not.
      const t = assertValidDate(date);
      const p = zonedParts(date, tz);
      const hourStart = t - mod(t, 1000) - (p.minute * 60 + p.second) * 1000;
      // A half-hour DST shift (Australia/Lord_Howe) can fall inside a local hour;
      // the transition then opens a new bucket, so that buckets never overlap.
      return new Date(Math.max(hourStart, lastTransitionIn(hourStart, t, tz)));
    }
    case "day":
      return startOfLocalDay(date, tz);
    case "week": {
      const weekStartsOn = opts.weekStartsOn ?? (calendar === "persian" ? 6 : 1);
      assertInt("weekStartsOn", weekStartsOn, 0, 6);
      const p = zonedParts(date, tz);
      return addLocalDays(date, -mod(p.weekday - weekStartsOn, 7), tz);
    }
    case "month": {
      if (calendar === "persian") {
        const j = toJalali(date, tz);
        return jalaliToUtc({ year: j.year, month: j.month, day: 1 }, tz);
      }
      const p = zonedParts(date, tz);
      return localMonthStart(p.year, p.month, tz);
    }
    default:
      throw new RangeError(`Unknown granularity: ${String(granularity)}`);
  }
}

function nextBucketStart(start: Date, granularity: Granularity, tz: string, opts: BucketOptions): Date {
  switch (granularity) {
    case "hour": {
      const next = bucketStart(new Date(start.getTime() + MS_PER_HOUR), "hour", tz, opts);
      return next.getTime() > start.getTime() ? next : new Date(start.getTime() + MS_PER_HOUR);
    }
    case "day":
      return addLocalDays(start, 1, tz);
    case "week":
      return addLocalDays(start, 7, tz);
    case "month": {
      if (opts.calendar === "persian") {
        const next = addJalaliMonths(toJalali(start, tz), 1);
        return jalaliToUtc({ ...next, day: 1 }, tz);
      }
      const p = zonedParts(start, tz);
      return localMonthStart(p.year, p.month + 1, tz);
    }
    default:
      throw new RangeError(`Unknown granularity: ${String(granularity)}`);
  }
}

/** Guards the server against a chart request such as hourly buckets over a decade. */
export const MAX_BUCKETS = 20_000;

/**
 * Bucket starts covering [from, to). The first one is the bucket that
 * contains `from`, which may start before `from` (a 30-day range in weekly
 * buckets starts mid-week): this way `bucketStart(t)` of every instant t in
 * [from, to) is in the series, so grouped query rows always find their slot.
 */
export function bucketSeries(
  from: Date,
  to: Date,
  granularity: Granularity,
  tz: string,
  opts: BucketOptions = {},
): Date[] {
  const end = assertValidDate(to);
  assertValidDate(from);
  const series: Date[] = [];
  let cursor = bucketStart(from, granularity, tz, opts);
  while (cursor.getTime() < end) {
    if (series.length >= MAX_BUCKETS) throw new RangeError(`More than ${MAX_BUCKETS} ${granularity} buckets requested`);
    series.push(cursor);
    cursor = nextBucketStart(cursor, granularity, tz, opts);
  }
  return series;
}

/* --------------------------------- Ranges ---------------------------------- */

export type RangePreset =
  | "today"
  | "7d"
  | "30d"
  | "90d"
  | "12m"
  | "mtd"
  | "jalali_month"
  | "last_jalali_month"
  | "jalali_ytd"
  | "year"
  | "last_year"
  | "custom";

export const RANGE_PRESETS: readonly RangePreset[] = [
  "today",
  "7d",
  "30d",
  "90d",
  "12m",
  "mtd",
  "jalali_month",
  "last_jalali_month",
  "jalali_ytd",
  "year",
  "last_year",
  "custom",
];

export interface ResolvedRange {
  from: Date;
  /** Exclusive. */
  to: Date;
  previousFrom: Date;
  /** Exclusive; equal to `from`, except for "year" (last year's same first days). */
  previousTo: Date;
  granularity: Granularity;
  /** Calendar the buckets should use (pass it on to bucketSeries). */
  calendar: CalendarSystem;
}

function localDayCount(from: Date, to: Date, tz: string): number {
  const a = zonedParts(from, tz);
  const b = zonedParts(to, tz);
  return Math.round(
    (wallClockMs(b.year, b.month, b.day) - wallClockMs(a.year, a.month, a.day)) / MS_PER_DAY,
  );
}

/** Keeps charts between a handful and ~100 points. */
export function granularityForDays(days: number): Granularity {
  if (days <= 2) return "hour";
  if (days <= 92) return "day";
  if (days <= 366) return "week";
  return "month";
}

/**
 * Resolves a range preset in the merchant's zone. Ranges are whole local days
 * and end at the start of tomorrow, so today's partial data is included and
 * bucket edges line up. The previous period has the same length and ends where
 * this one starts: the same number of local days, or for last_jalali_month the
 * month before.
 * - 12m: the last twelve months, trailing: from the day after this date a year ago
 *   through today (never days still to come); before it, the twelve months before.
 * - year / last_year: this year so far / all of last year in the reader's `calendar`
 *   (Jalali for a Persian reader). This year is compared with last year's same first
 *   days; last year with the year before.
 * For 'custom', `to` is the last day included, as date pickers show it.
 */
export function resolveRange(
  preset: RangePreset,
  now: Date,
  tz: string,
  custom?: { from: string; to: string },
  calendar: CalendarSystem = "gregory",
): ResolvedRange {
  assertValidDate(now);
  const tomorrow = addLocalDays(now, 1, tz);

  const sameLengthBefore = (from: Date, to: Date, granularity: Granularity, calendar: CalendarSystem) => {
    const days = localDayCount(from, to, tz);
    return { from, to, previousFrom: addLocalDays(from, -days, tz), previousTo: from, granularity, calendar };
  };
  const lastDays = (days: number) =>
    sameLengthBefore(addLocalDays(now, 1 - days, tz), tomorrow, "day", "gregory");

  switch (preset) {
    case "today":
      return sameLengthBefore(startOfLocalDay(now, tz), tomorrow, "hour", "gregory");
    case "7d":
      return lastDays(7);
    case "30d":
      return lastDays(30);
    case "90d":
      return lastDays(90);
    case "12m": {
      const p = zonedParts(now, tz);
      // The day after today's date a year (two years) ago; from a 29 February, the day after the 28th.
      const dayAfterSameDate = (year: number) => {
        const lastOfMonth = addLocalDays(localMonthStart(year, p.month + 1, tz), -1, tz);
        const same = addLocalDays(localMonthStart(year, p.month, tz), p.day - 1, tz);
        return addLocalDays(same.getTime() < lastOfMonth.getTime() ? same : lastOfMonth, 1, tz);
      };
      const from = dayAfterSameDate(p.year - 1);
      const previousFrom = dayAfterSameDate(p.year - 2);
      return { from, to: tomorrow, previousFrom, previousTo: from, granularity: "month", calendar: "gregory" };
    }
    case "year":
    case "last_year": {
      const yearStart = (offset: number): Date => {
        if (calendar === "persian") {
          const j = toJalali(now, tz);
          return jalaliToUtc({ year: j.year + offset, month: 1, day: 1 }, tz);
        }
        return localMonthStart(zonedParts(now, tz).year + offset, 1, tz);
      };
      if (preset === "year") {
        const from = yearStart(0);
        const days = localDayCount(from, tomorrow, tz);
        const previousFrom = yearStart(-1);
        // Last year's same first days (its 29 Esfand or 31 December at most).
        const previousTo = new Date(Math.min(addLocalDays(previousFrom, days, tz).getTime(), from.getTime()));
        return { from, to: tomorrow, previousFrom, previousTo, granularity: granularityForDays(days), calendar };
      }
      return { from: yearStart(-1), to: yearStart(0), previousFrom: yearStart(-2), previousTo: yearStart(-1), granularity: "month", calendar };
    }
    case "mtd": {
      const p = zonedParts(now, tz);
      return sameLengthBefore(localMonthStart(p.year, p.month, tz), tomorrow, "day", "gregory");
    }
    case "jalali_month": {
      const j = toJalali(now, tz);
      return sameLengthBefore(jalaliToUtc({ year: j.year, month: j.month, day: 1 }, tz), tomorrow, "day", "persian");
    }
    case "last_jalali_month": {
      const j = toJalali(now, tz);
      const last = addJalaliMonths(j, -1);
      const beforeLast = addJalaliMonths(j, -2);
      return {
        from: jalaliToUtc({ ...last, day: 1 }, tz),
        to: jalaliToUtc({ year: j.year, month: j.month, day: 1 }, tz),
        previousFrom: jalaliToUtc({ ...beforeLast, day: 1 }, tz),
        previousTo: jalaliToUtc({ ...last, day: 1 }, tz),
        granularity: "day",
        calendar: "persian",
      };
    }
    case "jalali_ytd": {
      const j = toJalali(now, tz);
      const from = jalaliToUtc({ year: j.year, month: 1, day: 1 }, tz);
      return sameLengthBefore(from, tomorrow, granularityForDays(localDayCount(from, tomorrow, tz)), "persian");
    }
    case "custom": {
      if (!custom) throw new RangeError("A custom range needs from and to dates");
      const from = parseLocalDateKey(custom.from, tz);
      const lastDay = parseLocalDateKey(custom.to, tz);
      if (lastDay.getTime() < from.getTime()) throw new RangeError("The range ends before it starts");
      const to = addLocalDays(lastDay, 1, tz);
      return sameLengthBefore(from, to, granularityForDays(localDayCount(from, to, tz)), "gregory");
    }
    default:
      throw new RangeError(`Unknown range preset: ${String(preset)}`);
  }
}

/* ------------------------------- Formatting -------------------------------- */

export interface FormatDateTimeOptions {
  locale: string;
  timeZone: string;
  /** Defaults to the locale's calendar: persian for fa, gregory for en. */
  calendar?: CalendarSystem;
  /** `native` keeps the locale's digits (Persian for fa); `latn` forces 0-9. */
  digits?: "native" | "latn";
  style?: "date" | "datetime" | "time" | "month";
}

const STYLE_OPTIONS: Record<NonNullable<FormatDateTimeOptions["style"]>, Intl.DateTimeFormatOptions> = {
  date: { dateStyle: "medium" },
  datetime: { dateStyle: "medium", timeStyle: "short" },
  time: { timeStyle: "short" },
  month: { year: "numeric", month: "long" },
};

export function formatDateTime(date: Date, opts: FormatDateTimeOptions): string {
  const t = assertValidDate(date);
  const style = opts.style ?? "datetime";
  const key = `fmt|${opts.locale}|${opts.timeZone}|${opts.calendar ?? ""}|${opts.digits ?? ""}|${style}`;
  const f = cachedFormatter(key, () => {
    const options: Intl.DateTimeFormatOptions = { ...STYLE_OPTIONS[style], timeZone: opts.timeZone };
    if (opts.calendar) options.calendar = opts.calendar;
    if (opts.digits === "latn") options.numberingSystem = "latn";
    return new Intl.DateTimeFormat(opts.locale, options);
  });
  return f.format(t);
}

/** '+03:30', '-04:00', '+00:00'. Historical local-mean-time offsets keep their seconds ('+03:25:44') so the value stays exact. */
export function utcOffsetString(date: Date, tz: string): string {
  const t = assertValidDate(date);
  const totalSeconds = Math.round(offsetMsAt(t, tz) / 1000);
  const sign = totalSeconds < 0 ? "-" : "+";
  const abs = Math.abs(totalSeconds);
  const hours = Math.floor(abs / 3600);
  const minutes = Math.floor((abs % 3600) / 60);
  const seconds = abs % 60;
  return `${sign}${pad(hours)}:${pad(minutes)}${seconds ? `:${pad(seconds)}` : ""}`;
}

/**
 * ISO 8601 local time with its offset, e.g. '2025-03-21T00:30:00+03:30'.
 * Exports use it so a spreadsheet shows the merchant's wall-clock time while
 * the value still identifies the exact instant.
 */
export function formatIsoLocal(date: Date, tz: string): string {
  const p = zonedParts(date, tz);
  return `${formatYear(p.year)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${utcOffsetString(date, tz)}`;
}
