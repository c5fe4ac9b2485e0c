/**
 * Chart buckets (local hour, day, week, month) in the merchant's zone and the reader's calendar.
 */
import { addLocalDays, assertInt, assertValidDate, lastTransitionIn, localMonthStart, MS_PER_HOUR, mod, startOfLocalDay, zonedParts, type Weekday } from "./zones";
import { addJalaliMonths, jalaliToUtc, toJalali, type CalendarSystem } from "./jalali";

export type Granularity = "hour" | "day" | "week" | "month";

export interface BucketOptions {
  calendar?: CalendarSystem;
  /** Defaults to Saturday (6) for the persian calendar, as in Iran, and Monday (1, ISO) otherwise. */
  weekStartsOn?: Weekday;
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
