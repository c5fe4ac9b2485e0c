/**
 * When a scheduled report runs, and which period each run reports: pure calendar math in
 * the schedule's time zone (DST-safe: the wall-clock time is kept; a time the spring-forward
 * night skips runs at the first instant after the gap, a time repeated in autumn runs once,
 * at its first occurrence) and calendar (Jalali months for Persian readers).
 *
 * - daily at HH:MM: every local day; reports the day before.
 * - weekly on a weekday at HH:MM: reports the seven days before the run's day.
 * - monthly on day N at HH:MM: on day N of every month of the calendar (the month's last day
 *   when it is shorter: 31 -> 30 Mehr, 29 Esfand, 28 February); reports the previous whole
 *   month of that calendar.
 *
 * A run's period key names the period reported ("2026-12-05", "2026-11-29..2026-12-05",
 * "2026-11", "j1405-08"): a schedule sends once per key, whatever happens to its clock.
 */
import { nextRenewal, type BillingCycle } from "./billing-calendar";
import { jalaliToUtc, toJalali } from "./dates/jalali";
import { zonedParts, zonedTimeToUtc, type Weekday } from "./dates/zones";
import type { Localized } from "./i18n/messages";

export const SCHEDULE_FREQUENCIES = ["daily", "weekly", "monthly"] as const;
export type ScheduleFrequency = (typeof SCHEDULE_FREQUENCIES)[number];
export const SCHEDULE_CALENDARS = ["gregorian", "jalali"] as const;
export type ScheduleCalendar = (typeof SCHEDULE_CALENDARS)[number];

export interface ScheduleRule {
  frequency: ScheduleFrequency;
  /** "HH:MM", 24 h, in timeZone. */
  localTime: string;
  /** weekly: 0 = Sunday ... 6 = Saturday. */
  weekday?: Weekday | null;
  /** monthly: 1-31 (a shorter month runs on its last day). */
  monthDay?: number | null;
  calendar: ScheduleCalendar;
  timeZone: string;
}

/** What a schedule form shows and sends back: the schedule being edited, else the Reports page's choices, else defaults. */
export interface ScheduleFormValues<Report extends string = string> {
  id: string | null;
  name: string;
  report: Report;
  format: "csv" | "xlsx";
  filters: string;
  columns: string[];
  timeZone: string;
  amounts: "major" | "minor";
  excel: boolean;
  jalali: boolean;
  frequency: string;
  weekday: number;
  monthDay: number;
  localTime: string;
  calendar: string;
  recipientUserIds: string[];
}

export interface SchedulePeriod {
  key: string;
  /** First local day reported, YYYY-MM-DD (Gregorian), included. */
  start: string;
  /** The local day after the last one reported, YYYY-MM-DD, excluded. */
  end: string;
}

/** "09:30" -> { hour: 9, minute: 30 }; null when it is not a time of day. */
export function parseLocalTime(value: string): { hour: number; minute: number } | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value.trim());
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : null;
}

/** What is wrong with a rule, as { field, message }; null when it can run. */
export function ruleProblem(rule: ScheduleRule): ScheduleRefusal | null {
  if (!SCHEDULE_FREQUENCIES.includes(rule.frequency)) return { field: "frequency", message: "Choose daily, weekly or monthly.", i18n: { key: "schedules.error.frequency" } };
  if (!parseLocalTime(rule.localTime)) {
    return { field: "time", message: "Enter the time of day as HH:MM, 24-hour (for example 07:30).", i18n: { key: "schedules.error.time", params: { example: "07:30" } } };
  }
  if (!SCHEDULE_CALENDARS.includes(rule.calendar)) return { field: "calendar", message: "Choose Gregorian or Jalali months.", i18n: { key: "schedules.error.calendar" } };
  if (rule.frequency === "weekly" && !(Number.isInteger(rule.weekday) && rule.weekday! >= 0 && rule.weekday! <= 6)) {
    return { field: "weekday", message: "Choose the day of the week it is sent.", i18n: { key: "schedules.error.weekday" } };
  }
  if (rule.frequency === "monthly" && !(Number.isInteger(rule.monthDay) && rule.monthDay! >= 1 && rule.monthDay! <= 31)) {
    return {
      field: "month_day",
      message: "Choose the day of the month it is sent, 1 to 31 (a shorter month sends on its last day).",
      i18n: { key: "schedules.error.monthDay", params: { min: 1, max: 31 } },
    };
  }
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: rule.timeZone });
  } catch {
    return TIME_ZONE_REFUSAL;
  }
  return null;
}

/**
 * A refused schedule field: the English sentence (logs, the audit trail, the API) and the same
 * reason as a catalog key, which the page says in the reader's language.
 */
export interface ScheduleRefusal {
  field: string;
  message: string;
  /** Absent for the export's own reasons (a column, a filter: app/modules/exports), worded by field. */
  i18n?: Localized;
}

export const TIME_ZONE_REFUSAL: ScheduleRefusal = {
  field: "tz",
  message: "Use an IANA time zone such as Asia/Tehran or America/New_York.",
  i18n: { key: "schedules.error.tz", params: { example: "Asia/Tehran", other: "America/New_York" } },
};

interface Day {
  year: number;
  month: number;
  day: number;
}

/** Gregorian calendar arithmetic on a day, independent of any zone. */
function plusDays(d: Day, n: number): Day {
  const t = new Date(0);
  t.setUTCFullYear(d.year, d.month - 1, d.day + n);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

function dayKey(d: Day): string {
  return `${String(d.year).padStart(4, "0")}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;
}

/** The Jalali date of a Gregorian day (the zone does not matter for a whole day). */
function jalaliOf(d: Day): { year: number; month: number; day: number } {
  const t = new Date(0);
  t.setUTCFullYear(d.year, d.month - 1, d.day);
  t.setUTCHours(12);
  return toJalali(t, "UTC");
}

/** The Gregorian day of a Jalali date. */
function gregorianOfJalali(j: { year: number; month: number; day: number }): Day {
  const t = jalaliToUtc(j, "UTC");
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

function addMonths(year: number, month: number, n: number): { year: number; month: number } {
  const index = year * 12 + (month - 1) + n;
  return { year: Math.floor(index / 12), month: (((index % 12) + 12) % 12) + 1 };
}

/**
 * The schedule as an anchored cycle of the billing calendar (app/lib/billing-calendar.ts):
 * weekly from a day of that weekday, monthly from day N of a month that has 31 days (so day
 * 31 is clamped to each shorter month's last day, as renewals are). The anchors are in July
 * 2001 and Tir 1400: no zone changes its clock then, so the anchor keeps the wall-clock time.
 */
function anchorOf(rule: ScheduleRule): { anchor: Date; cycle: BillingCycle } {
  const t = parseLocalTime(rule.localTime);
  if (!t) throw new RangeError(`A schedule's time is HH:MM, got ${JSON.stringify(rule.localTime)}`);
  if (rule.frequency === "weekly") {
    // 1 July 2001 was a Sunday.
    return { anchor: zonedTimeToUtc({ year: 2001, month: 7, day: 1 + (rule.weekday ?? 0), ...t }, rule.timeZone), cycle: { interval: "week", count: 1 } };
  }
  const day = rule.monthDay ?? 1;
  if (rule.calendar === "jalali") {
    const g = jalaliToUtc({ year: 1400, month: 4, day }, "UTC");
    return { anchor: zonedTimeToUtc({ year: g.getUTCFullYear(), month: g.getUTCMonth() + 1, day: g.getUTCDate(), ...t }, rule.timeZone), cycle: { interval: "month", count: 1 } };
  }
  return { anchor: zonedTimeToUtc({ year: 2001, month: 7, day, ...t }, rule.timeZone), cycle: { interval: "month", count: 1 } };
}

/** The first run strictly after `after`. */
export function nextRunAfter(rule: ScheduleRule, after: Date): Date {
  if (rule.frequency === "daily") {
    const t = parseLocalTime(rule.localTime);
    if (!t) throw new RangeError(`A schedule's time is HH:MM, got ${JSON.stringify(rule.localTime)}`);
    const p = zonedParts(after, rule.timeZone);
    // From the day before: a time pushed over midnight by a gap would belong to it.
    for (let i = -1; i < 3; i++) {
      const d = plusDays({ year: p.year, month: p.month, day: p.day }, i);
      const at = zonedTimeToUtc({ ...d, ...t }, rule.timeZone);
      if (at.getTime() > after.getTime()) return at;
    }
    throw new RangeError("No daily run within three days");
  }
  const { anchor, cycle } = anchorOf(rule);
  return nextRenewal(anchor, cycle, after, rule.timeZone, rule.calendar === "jalali" ? "persian" : "gregory").start;
}

/** The latest run at or before `now`, not before `since`; null when none is due. */
export function latestRunDue(rule: ScheduleRule, since: Date, now: Date): Date | null {
  if (since.getTime() > now.getTime()) return null;
  let due = since;
  for (;;) {
    const next = nextRunAfter(rule, due);
    if (next.getTime() > now.getTime()) return due;
    due = next;
  }
}

/** The period the run at `runAt` reports: the day, the seven days or the month before its local day. */
export function periodOfRun(rule: ScheduleRule, runAt: Date): SchedulePeriod {
  const p = zonedParts(runAt, rule.timeZone);
  const today: Day = { year: p.year, month: p.month, day: p.day };
  switch (rule.frequency) {
    case "daily": {
      const start = dayKey(plusDays(today, -1));
      return { key: start, start, end: dayKey(today) };
    }
    case "weekly": {
      const start = dayKey(plusDays(today, -7));
      return { key: `${start}..${dayKey(plusDays(today, -1))}`, start, end: dayKey(today) };
    }
    case "monthly": {
      if (rule.calendar === "jalali") {
        const j = jalaliOf(today);
        const prev = addMonths(j.year, j.month, -1);
        return {
          key: `j${prev.year}-${String(prev.month).padStart(2, "0")}`,
          start: dayKey(gregorianOfJalali({ ...prev, day: 1 })),
          end: dayKey(gregorianOfJalali({ year: j.year, month: j.month, day: 1 })),
        };
      }
      const prev = addMonths(today.year, today.month, -1);
      return {
        key: `${prev.year}-${String(prev.month).padStart(2, "0")}`,
        start: dayKey({ ...prev, day: 1 }),
        end: dayKey({ year: today.year, month: today.month, day: 1 }),
      };
    }
  }
}
