/**
 * The Jalali (Solar Hijri) calendar, read from Intl's Persian calendar so that every
 * date agrees with what Intl renders (its SQL twin is jalali_date_text in
 * db/migrations/0000_baseline.sql, tested on every day of 1300-1500).
 */
import { cachedFormatter, MS_PER_DAY, MS_PER_HOUR, assertInt, assertValidDate, mod, wallClockMs, wallClockToInstant } from "./zones";

/** The calendars a reader may choose. */
export type CalendarSystem = "gregory" | "persian";

export interface JalaliDate {
  year: number;
  month: number;
  day: number;
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

export function addJalaliMonths(j: { year: number; month: number }, n: number): { year: number; month: number } {
  const index = j.year * 12 + (j.month - 1) + n;
  return { year: Math.floor(index / 12), month: mod(index, 12) + 1 };
}
