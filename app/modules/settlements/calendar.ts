/**
 * Business-day arithmetic for settlement: cutoffs in the merchant's time zone,
 * weekends, holidays. Pure (no database), so the payout engine, the demo generator
 * and the tests share one definition of "T+n business days".
 */
import { localDateKey, zonedTimeToUtc } from "~/lib/dates/zones";

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


/* ---------------------------- schedule defaults ---------------------------- */

/** Local hours of a payout's bank steps: sent in the morning batch, credited mid-morning. */
export const SEND_HOUR = 8;
export const ARRIVAL_HOUR = 10;

export interface ScheduleDefaults {
  cutoff: string;
  delayDays: number;
  weekendDays: number[];
  holidayCalendar: string;
}

/**
 * What a new merchant starts with. Iranian gateways batch settlements late in the
 * evening (23:30) and the Iranian weekend is Friday; elsewhere the day closes at
 * midnight and the weekend is Saturday and Sunday. T+1 everywhere.
 */
export function defaultSchedule(input: { currency: string; country: string }): ScheduleDefaults {
  const iran = input.currency === "IRR" || input.country === "IR";
  return {
    cutoff: input.currency === "IRR" ? "23:30" : "00:00",
    delayDays: 1,
    weekendDays: iran ? [5] : [0, 6],
    holidayCalendar: input.country,
  };
}

/** "HH:MM" (or "H:MM", "HH:MM:SS" as PostgreSQL prints a time) normalised to "HH:MM", or null. */
export function normalizeCutoff(input: string): string | null {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(input.trim());
  if (!m) return null;
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  if (hour > 23 || minute > 59 || (m[3] !== undefined && Number(m[3]) !== 0)) return null;
  return `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
}

/** The instant the local clock shows `hour:minute` on local date `day`. */
export function atLocalTime(day: string, hour: number, minute: number, cal: Pick<SettlementCalendar, "timeZone">): Date {
  return zonedTimeToUtc({ ...dayParts(day), hour, minute, second: 0 }, cal.timeZone);
}

export interface PayoutTimes {
  /** The local day whose money the payout carries. */
  settlementDay: string;
  /** Local date the money is expected in the merchant's account. */
  expectedArrivalDate: string;
  /** When the payout goes to the bank: the first business morning after the settlement day. */
  sendAt: Date;
  /** When the bank is expected to credit it: the arrival date, mid-morning. */
  arriveAt: Date;
}

/**
 * When each step of a payout closing `cutoff` happens. Never before the cutoff
 * itself: with a delay of 0 days the payout is sent and credited at once.
 */
export function payoutTimes(cutoff: Date, cal: SettlementCalendar): PayoutTimes {
  const settlementDay = settlementDayOf(cutoff, cal);
  const expectedArrivalDate = expectedArrival(cutoff, cal);
  const sendDay = addBusinessDays(settlementDay, 1, cal);
  const scheduledSend = atLocalTime(sendDay < expectedArrivalDate ? sendDay : expectedArrivalDate, SEND_HOUR, 0, cal);
  const sendAt = scheduledSend.getTime() > cutoff.getTime() ? scheduledSend : cutoff;
  const scheduledArrival = atLocalTime(expectedArrivalDate, ARRIVAL_HOUR, 0, cal);
  const arriveAt = scheduledArrival.getTime() > sendAt.getTime() ? scheduledArrival : sendAt;
  return { settlementDay, expectedArrivalDate, sendAt, arriveAt };
}

/** Business days strictly after `from` up to and including `to` (0 when to <= from). */
export function businessDaysBetween(from: string, to: string, cal: SettlementCalendar): number {
  let n = 0;
  for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (isBusinessDay(d, cal)) n++;
  return n;
}
