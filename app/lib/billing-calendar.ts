/**
 * Billing periods: when a subscription renews.
 *
 * Every period start is computed from the subscription's **anchor** (its first period's start),
 * never from the previous period, so a short month does not drift the day: a plan anchored on
 * 31 January renews on 28 (29) February and again on 31 March; one anchored on 31 Shahrivar renews
 * on 30 Mehr and again on 31 Farvardin. The wall-clock time of day of the anchor is kept in the
 * merchant's zone, so New York's daylight-saving changes do not move a renewal by an hour (a
 * time the spring-forward night skips is pushed forward by the gap, as zonedTimeToUtc does).
 *
 * Months and years are Jalali months for IRR merchants by default, Gregorian otherwise.
 */
import { jalaliMonthLength, jalaliToUtc, toJalali, type CalendarSystem } from "./dates/jalali";
import { zonedParts, zonedTimeToUtc } from "./dates/zones";

export const BILLING_INTERVALS = ["week", "month", "year"] as const;
export type BillingInterval = (typeof BILLING_INTERVALS)[number];

export interface BillingCycle {
  interval: BillingInterval;
  /** Every `count` weeks / months / years: 3 months is a quarter. */
  count: number;
}

/** Upper bounds for `count`, per interval: a plan renews at least every two years. */
export const MAX_INTERVAL_COUNT: Record<BillingInterval, number> = { week: 104, month: 24, year: 2 };

export type BillingCalendar = CalendarSystem;

/** Jalali months for rial merchants (their customers' calendar), Gregorian for everyone else. */
export function defaultBillingCalendar(currency: string): BillingCalendar {
  return currency === "IRR" ? "persian" : "gregory";
}

function assertCycle(cycle: BillingCycle): void {
  const max = MAX_INTERVAL_COUNT[cycle.interval];
  if (max === undefined) throw new RangeError(`Unknown billing interval: ${String(cycle.interval)}`);
  if (!Number.isInteger(cycle.count) || cycle.count < 1 || cycle.count > max) {
    throw new RangeError(`A ${cycle.interval} interval count must be an integer from 1 to ${max}, got ${String(cycle.count)}`);
  }
}

function daysInGregorianMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function addMonths(year: number, month: number, n: number): { year: number; month: number } {
  const index = year * 12 + (month - 1) + n;
  return { year: Math.floor(index / 12), month: (((index % 12) + 12) % 12) + 1 };
}

/** Months a cycle steps per period (0 for weekly cycles). */
function monthsPerPeriod(cycle: BillingCycle): number {
  return cycle.interval === "year" ? 12 * cycle.count : cycle.interval === "month" ? cycle.count : 0;
}

/**
 * The start of period `index` of a subscription anchored at `anchor` (index 0 is the anchor
 * itself; negative indexes are periods before it). Local date and time in `tz`.
 */
export function periodStart(
  anchor: Date,
  cycle: BillingCycle,
  index: number,
  tz: string,
  calendar: BillingCalendar,
): Date {
  assertCycle(cycle);
  if (!Number.isInteger(index)) throw new RangeError(`A period index must be an integer, got ${String(index)}`);
  const local = zonedParts(anchor, tz);
  const time = { hour: local.hour, minute: local.minute, second: local.second };
  if (cycle.interval === "week") {
    const day = new Date(Date.UTC(2000, 0, 1));
    day.setUTCFullYear(local.year, local.month - 1, local.day + 7 * cycle.count * index);
    return zonedTimeToUtc({ year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate(), ...time }, tz);
  }
  const months = monthsPerPeriod(cycle) * index;
  if (calendar === "persian") {
    const j = toJalali(anchor, tz);
    const target = addMonths(j.year, j.month, months);
    const day = Math.min(j.day, jalaliMonthLength(target.year, target.month));
    // jalaliToUtc in UTC is midnight UTC of the Gregorian date that Jalali date falls on.
    const g = jalaliToUtc({ ...target, day }, "UTC");
    return zonedTimeToUtc({ year: g.getUTCFullYear(), month: g.getUTCMonth() + 1, day: g.getUTCDate(), ...time }, tz);
  }
  const target = addMonths(local.year, local.month, months);
  const day = Math.min(local.day, daysInGregorianMonth(target.year, target.month));
  return zonedTimeToUtc({ ...target, day, ...time }, tz);
}

const APPROX_PERIOD_MS: Record<BillingInterval, number> = {
  week: 7 * 86_400_000,
  month: 30.436875 * 86_400_000,
  year: 365.2425 * 86_400_000,
};

/** The index of the period that contains `instant` (negative before the anchor). */
export function periodIndexAt(
  anchor: Date,
  cycle: BillingCycle,
  instant: Date,
  tz: string,
  calendar: BillingCalendar,
): number {
  assertCycle(cycle);
  const t = instant.getTime();
  if (Number.isNaN(t)) throw new RangeError("Invalid Date");
  let k = Math.floor((t - anchor.getTime()) / (APPROX_PERIOD_MS[cycle.interval] * cycle.count));
  while (periodStart(anchor, cycle, k, tz, calendar).getTime() > t) k--;
  while (periodStart(anchor, cycle, k + 1, tz, calendar).getTime() <= t) k++;
  return k;
}

export interface BillingPeriod {
  index: number;
  start: Date;
  /** Exclusive: the next period's start. */
  end: Date;
}

export function billingPeriod(
  anchor: Date,
  cycle: BillingCycle,
  index: number,
  tz: string,
  calendar: BillingCalendar,
): BillingPeriod {
  return {
    index,
    start: periodStart(anchor, cycle, index, tz, calendar),
    end: periodStart(anchor, cycle, index + 1, tz, calendar),
  };
}

/** The first period start strictly after `after` (the next renewal). */
export function nextRenewal(
  anchor: Date,
  cycle: BillingCycle,
  after: Date,
  tz: string,
  calendar: BillingCalendar,
): BillingPeriod {
  return billingPeriod(anchor, cycle, periodIndexAt(anchor, cycle, after, tz, calendar) + 1, tz, calendar);
}

/** `days` local calendar days after `from`, at the same local wall-clock time (trials, dunning retries). */
export function addDaysKeepingTime(from: Date, days: number, tz: string): Date {
  if (!Number.isInteger(days)) throw new RangeError(`A day count must be an integer, got ${String(days)}`);
  const p = zonedParts(from, tz);
  const d = new Date(Date.UTC(2000, 0, 1));
  d.setUTCFullYear(p.year, p.month - 1, p.day + days);
  return zonedTimeToUtc({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: p.hour, minute: p.minute, second: p.second }, tz);
}
