/**
 * The Overview's range: the query it reads (range preset, custom days, grouping) and the
 * range resolved in the merchant's zone and the reader's calendar, with the previous
 * period it compares against. Pure apart from the list-filter vocabulary it shares.
 */
import { z } from "zod";
import { localDateKey, parseLocalDateKey } from "~/lib/dates/zones";
import { type Granularity } from "~/lib/dates/buckets";
import { resolveRange } from "~/lib/dates/ranges";
import { type CalendarSystem } from "~/lib/dates/jalali";
import { OVERVIEW_RANGES, type OverviewRange } from "~/lib/labels";
import { ListFilterError, localDay, searchParamsToObject, single } from "~/modules/reporting/list-query.server";

export { OVERVIEW_RANGES, type OverviewRange };
export const GRANULARITIES = ["hour", "day", "week", "month"] as const;

export const overviewQuerySchema = z.preprocess(
  searchParamsToObject,
  z.object({
    range: single(z.enum(OVERVIEW_RANGES, { message: "Choose one of the listed ranges" })).default("30d"),
    from: single(localDay).optional(),
    to: single(localDay).optional(),
    g: single(z.enum(GRANULARITIES, { message: "Group by hour, day, week or month" })).optional(),
  }),
);
export type OverviewQuery = z.output<typeof overviewQuerySchema>;

/** Longest custom range: five years of monthly buckets is still a readable chart. */
const MAX_CUSTOM_DAYS = 5 * 366;

/** The groupings that make sense for a range of `days` local days. */
export function allowedGranularities(days: number): Granularity[] {
  const out: Granularity[] = [];
  if (days <= 2) out.push("hour");
  if (days <= 400) out.push("day");
  if (days >= 14) out.push("week");
  if (days >= 60) out.push("month");
  return out;
}

export interface ResolvedOverviewRange {
  preset: OverviewRange;
  /** Jalali for a Persian reader (and the Jalali presets): weeks from Saturday, Jalali months. */
  calendar: CalendarSystem;
  from: Date;
  to: Date;
  previousFrom: Date;
  previousTo: Date;
  /** Inclusive local days. */
  fromDay: string;
  toDay: string;
  previousFromDay: string;
  previousToDay: string;
  days: number;
  granularity: Granularity;
  granularities: Granularity[];
}

function dayCount(fromDay: string, toDay: string): number {
  const a = Date.UTC(Number(fromDay.slice(0, 4)), Number(fromDay.slice(5, 7)) - 1, Number(fromDay.slice(8, 10)));
  const b = Date.UTC(Number(toDay.slice(0, 4)), Number(toDay.slice(5, 7)) - 1, Number(toDay.slice(8, 10)));
  return Math.round((b - a) / 86400_000) + 1;
}

/**
 * The Overview's range in the merchant's zone (throws ListFilterError for an unusable
 * custom range). `calendar` is the reader's: a Persian reader's weeks and months are Jalali.
 */
export function resolveOverviewRange(
  tz: string,
  q: OverviewQuery,
  now: Date = new Date(),
  opts: { calendar?: CalendarSystem } = {},
): ResolvedOverviewRange {
  const preset: OverviewRange = q.from || q.to ? "custom" : q.range;
  let r;
  if (preset === "custom") {
    if (!q.from) throw new ListFilterError("from", "Pick the first day of the custom range.");
    if (!q.to) throw new ListFilterError("to", "Pick the last day of the custom range.");
    if (parseLocalDateKey(q.to, tz).getTime() < parseLocalDateKey(q.from, tz).getTime()) {
      throw new ListFilterError("to", "The range ends before it starts: pick a last day on or after the first.");
    }
    if (dayCount(q.from, q.to) > MAX_CUSTOM_DAYS) {
      throw new ListFilterError("from", "Choose a range of at most five years.");
    }
    r = resolveRange("custom", now, tz, { from: q.from, to: q.to });
  } else {
    r = resolveRange(preset, now, tz, undefined, opts.calendar ?? "gregory");
  }
  const fromDay = localDateKey(r.from, tz);
  const toDay = localDateKey(new Date(r.to.getTime() - 1), tz);
  const days = dayCount(fromDay, toDay);
  const granularities = allowedGranularities(days);
  let granularity: Granularity = granularities.includes(r.granularity) ? r.granularity : granularities[0]!;
  if (q.g) {
    if (!granularities.includes(q.g)) {
      throw new ListFilterError(
        "g",
        q.g === "hour" ? "Hourly charts cover at most two days: pick Today or a shorter custom range." : `Grouping by ${q.g} does not fit this range: choose ${granularities.join(" or ")}.`,
      );
    }
    granularity = q.g;
  }
  return {
    preset,
    calendar: opts.calendar === "persian" || r.calendar === "persian" ? "persian" : "gregory",
    from: r.from,
    to: r.to,
    previousFrom: r.previousFrom,
    previousTo: r.previousTo,
    fromDay,
    toDay,
    previousFromDay: localDateKey(r.previousFrom, tz),
    previousToDay: localDateKey(new Date(r.previousTo.getTime() - 1), tz),
    days,
    granularity,
    granularities,
  };
}
