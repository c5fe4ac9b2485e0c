/**
 * Report ranges: presets resolved in the merchant's zone (whole local days), with the
 * previous period each compares against.
 */
import { addLocalDays, assertValidDate, localMonthStart, MS_PER_DAY, parseLocalDateKey, startOfLocalDay, wallClockMs, zonedParts } from "./zones";
import { addJalaliMonths, jalaliToUtc, toJalali, type CalendarSystem } from "./jalali";
import type { Granularity } from "./buckets";

/** The report range presets: the Overview's picker and the lists' filters take these. */
export const RANGE_PRESETS = [
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
] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

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
