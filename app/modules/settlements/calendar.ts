/**
 * Business-day arithmetic for settlement: cutoffs in the merchant's time zone,
 * weekends, holidays. Pure (no database), so the payout engine, the demo generator
 * and the tests share one definition of "T+n business days".
 */
import { localDateKey, zonedTimeToUtc } from "~/lib/dates";

export interface SettlementCalendar {
  timeZone: string;
  /** Local wall-clock cutoff, "HH:MM" or "HH:MM:SS". "00:00" closes the previous day. */
  cutoff: string;
  /** Payout arrives this many business days after the settlement day. */
  delayDays: number;
  /** 0 = Sunday ... 6 = Saturday. */
  weekendDays: readonly number[];
  /** Extra non-business days, YYYY-MM-DD. */
  holidays: ReadonlySet<string>;
  /** Country holidays the merchant works through, YYYY-MM-DD. */
  openDays?: ReadonlySet<string>;
}

function parseCutoff(cutoff: string): { hour: number; minute: number; second: number } {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(cutoff);
  if (!m) throw new Error(`bad cutoff time: ${cutoff}`);
  return { hour: Number(m[1]), minute: Number(m[2]), second: Number(m[3] ?? 0) };
}

function dayParts(day: string): { year: number; month: number; day: number } {
  const [y, m, d] = day.split("-").map(Number);
  return { year: y!, month: m!, day: d! };
}

/** Adds calendar days to a YYYY-MM-DD key (no time zone involved). */
export function addDays(day: string, n: number): string {
  const { year, month, day: d } = dayParts(day);
  const t = new Date(Date.UTC(year, month - 1, d + n));
  return t.toISOString().slice(0, 10);
}

export function weekdayOf(day: string): number {
  const { year, month, day: d } = dayParts(day);
  return new Date(Date.UTC(year, month - 1, d)).getUTCDay();
}

export function isBusinessDay(day: string, cal: SettlementCalendar): boolean {
  if (cal.openDays?.has(day)) return !cal.weekendDays.includes(weekdayOf(day));
  if (cal.holidays.has(day)) return false;
  return !cal.weekendDays.includes(weekdayOf(day));
}

/** The n-th business day after `day` (n = 0: `day` itself if a business day, else the next one). */
export function addBusinessDays(day: string, n: number, cal: SettlementCalendar): string {
  let d = day;
  if (n === 0) {
    while (!isBusinessDay(d, cal)) d = addDays(d, 1);
    return d;
  }
  let left = n;
  // Bounded: a calendar with no business day in a year is a configuration error.
  for (let guard = 0; guard < 800; guard++) {
    d = addDays(d, 1);
    if (isBusinessDay(d, cal) && --left === 0) return d;
  }
  throw new Error("no business day found within two years: check weekend days and holidays");
}

/** The cutoff instant that falls on local date `day`. */
export function cutoffOn(day: string, cal: SettlementCalendar): Date {
  const { hour, minute, second } = parseCutoff(cal.cutoff);
  return zonedTimeToUtc({ ...dayParts(day), hour, minute, second }, cal.timeZone);
}

/** The first cutoff strictly after `instant`: when money captured then becomes available. */
export function nextCutoff(instant: Date, cal: SettlementCalendar): Date {
  const today = localDateKey(instant, cal.timeZone);
  for (let i = 0; i < 3; i++) {
    const c = cutoffOn(addDays(today, i), cal);
    if (c.getTime() > instant.getTime()) return c;
  }
  throw new Error("unreachable: no cutoff within three days");
}

/** The last cutoff at or before `instant`. */
export function previousCutoff(instant: Date, cal: SettlementCalendar): Date {
  const today = localDateKey(instant, cal.timeZone);
  for (let i = 0; i < 3; i++) {
    const c = cutoffOn(addDays(today, -i), cal);
    if (c.getTime() <= instant.getTime()) return c;
  }
  throw new Error("unreachable: no cutoff within three days");
}

/** Every cutoff in (from, to]. */
export function cutoffsBetween(from: Date, to: Date, cal: SettlementCalendar): Date[] {
  const out: Date[] = [];
  let c = nextCutoff(from, cal);
  while (c.getTime() <= to.getTime()) {
    out.push(c);
    c = nextCutoff(c, cal);
  }
  return out;
}

/** The local day a cutoff closes: 23:30 closes that day, 00:00 closes the day before. */
export function settlementDayOf(cutoff: Date, cal: SettlementCalendar): string {
  return localDateKey(new Date(cutoff.getTime() - 1000), cal.timeZone);
}

/** Expected arrival (local date) of a payout created at `cutoff`. */
export function expectedArrival(cutoff: Date, cal: SettlementCalendar): string {
  return addBusinessDays(settlementDayOf(cutoff, cal), Math.max(cal.delayDays, 0), cal);
}

/** Start of the local day `day` as an instant (for "paid on" timestamps). */
export function startOfDay(day: string, cal: SettlementCalendar): Date {
  return zonedTimeToUtc({ ...dayParts(day), hour: 0, minute: 0, second: 0 }, cal.timeZone);
}

