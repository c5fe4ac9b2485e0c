import { describe, expect, it } from "vitest";
import { latestRunDue, nextRunAfter, parseLocalTime, periodOfRun, ruleProblem, type ScheduleRule } from "~/lib/report-schedule";

const NY = "America/New_York";
const TEHRAN = "Asia/Tehran";
const at = (iso: string) => new Date(iso);

describe("next run of a schedule, in the merchant's zone", () => {
  it("daily at 07:30 in Tehran (UTC+03:30) runs at 04:00 UTC, today if it is still to come, else tomorrow", () => {
    const rule: ScheduleRule = { frequency: "daily", localTime: "07:30", calendar: "jalali", timeZone: TEHRAN };
    expect(nextRunAfter(rule, at("2026-12-06T03:59:00Z")).toISOString()).toBe("2026-12-06T04:00:00.000Z");
    expect(nextRunAfter(rule, at("2026-12-06T04:00:00Z")).toISOString()).toBe("2026-12-07T04:00:00.000Z");
  });

  it("keeps New York's wall clock across daylight saving: 09:00 is 14:00 UTC in winter and 13:00 UTC in summer", () => {
    const rule: ScheduleRule = { frequency: "daily", localTime: "09:00", calendar: "gregorian", timeZone: NY };
    expect(nextRunAfter(rule, at("2026-03-07T15:00:00Z")).toISOString()).toBe("2026-03-08T13:00:00.000Z");
    expect(nextRunAfter(rule, at("2026-03-06T15:00:00Z")).toISOString()).toBe("2026-03-07T14:00:00.000Z");
    expect(nextRunAfter(rule, at("2026-10-31T14:00:00Z")).toISOString()).toBe("2026-11-01T14:00:00.000Z");
  });

  it("runs once on the night the clock skips or repeats its time", () => {
    // 02:30 does not exist on 8 March 2026 in New York: it runs at 03:30 EDT (07:30 UTC), once.
    const skipped: ScheduleRule = { frequency: "daily", localTime: "02:30", calendar: "gregorian", timeZone: NY };
    const first = nextRunAfter(skipped, at("2026-03-07T12:00:00Z"));
    expect(first.toISOString()).toBe("2026-03-08T07:30:00.000Z");
    expect(nextRunAfter(skipped, first).toISOString()).toBe("2026-03-09T06:30:00.000Z");
    // 01:30 happens twice on 1 November 2026: it runs at the first (EDT, 05:30 UTC) only.
    const repeated: ScheduleRule = { frequency: "daily", localTime: "01:30", calendar: "gregorian", timeZone: NY };
    const once = nextRunAfter(repeated, at("2026-10-31T12:00:00Z"));
    expect(once.toISOString()).toBe("2026-11-01T05:30:00.000Z");
    expect(nextRunAfter(repeated, once).toISOString()).toBe("2026-11-02T06:30:00.000Z");
  });

  it("weekly on Saturday (6) at 08:00 Tehran", () => {
    const rule: ScheduleRule = { frequency: "weekly", weekday: 6, localTime: "08:00", calendar: "jalali", timeZone: TEHRAN };
    // 6 December 2026 is a Sunday: the next Saturday is the 12th.
    expect(nextRunAfter(rule, at("2026-12-06T10:00:00Z")).toISOString()).toBe("2026-12-12T04:30:00.000Z");
  });

  it("monthly on day 31 of Jalali months: 31 Shahrivar, then 30 Mehr (Mehr has 30 days)", () => {
    const rule: ScheduleRule = { frequency: "monthly", monthDay: 31, localTime: "06:00", calendar: "jalali", timeZone: TEHRAN };
    // 31 Shahrivar 1405 = 2026-09-22; 30 Mehr 1405 = 2026-10-22.
    const shahrivar = nextRunAfter(rule, at("2026-09-01T00:00:00Z"));
    expect(shahrivar.toISOString()).toBe("2026-09-22T02:30:00.000Z");
    expect(nextRunAfter(rule, shahrivar).toISOString()).toBe("2026-10-22T02:30:00.000Z");
  });

  it("monthly on day 30 in a common Jalali year's Esfand runs on 29 Esfand", () => {
    const rule: ScheduleRule = { frequency: "monthly", monthDay: 30, localTime: "06:00", calendar: "jalali", timeZone: TEHRAN };
    // 1404 is a common year: 29 Esfand 1404 = 2026-03-20.
    expect(nextRunAfter(rule, at("2026-02-25T00:00:00Z")).toISOString()).toBe("2026-03-20T02:30:00.000Z");
  });

  it("monthly on day 31 of Gregorian months runs on 28 February", () => {
    const rule: ScheduleRule = { frequency: "monthly", monthDay: 31, localTime: "09:00", calendar: "gregorian", timeZone: NY };
    expect(nextRunAfter(rule, at("2026-02-01T00:00:00Z")).toISOString()).toBe("2026-02-28T14:00:00.000Z");
    expect(nextRunAfter(rule, at("2026-03-01T00:00:00Z")).toISOString()).toBe("2026-03-31T13:00:00.000Z");
  });
});

describe("the period a run reports", () => {
  it("daily: the day before; weekly: the seven days before", () => {
    const daily: ScheduleRule = { frequency: "daily", localTime: "07:30", calendar: "gregorian", timeZone: TEHRAN };
    // 00:30 UTC on the 6th is already 04:00 on the 6th in Tehran.
    expect(periodOfRun(daily, at("2026-12-06T00:30:00Z"))).toEqual({ key: "2026-12-05", start: "2026-12-05", end: "2026-12-06" });
    const weekly: ScheduleRule = { frequency: "weekly", weekday: 0, localTime: "07:30", calendar: "gregorian", timeZone: NY };
    expect(periodOfRun(weekly, at("2026-12-06T12:30:00Z"))).toEqual({ key: "2026-11-29..2026-12-05", start: "2026-11-29", end: "2026-12-06" });
  });

  it("monthly: the previous whole month of the schedule's calendar", () => {
    const jalali: ScheduleRule = { frequency: "monthly", monthDay: 1, localTime: "06:00", calendar: "jalali", timeZone: TEHRAN };
    // 1 Mehr 1405 (2026-09-23) reports Shahrivar 1405: 2026-08-23 .. 2026-09-22.
    expect(periodOfRun(jalali, at("2026-09-23T02:30:00Z"))).toEqual({ key: "j1405-06", start: "2026-08-23", end: "2026-09-23" });
    // 1 Farvardin 1405 reports Esfand 1404 (29 days).
    expect(periodOfRun(jalali, at("2026-03-21T02:30:00Z"))).toEqual({ key: "j1404-12", start: "2026-02-20", end: "2026-03-21" });
    const gregorian: ScheduleRule = { frequency: "monthly", monthDay: 3, localTime: "09:00", calendar: "gregorian", timeZone: NY };
    expect(periodOfRun(gregorian, at("2027-01-03T14:00:00Z"))).toEqual({ key: "2026-12", start: "2026-12-01", end: "2027-01-01" });
  });
});

describe("due runs after a stop", () => {
  it("a server off for three days runs the latest missed run only, and none before its time", () => {
    const rule: ScheduleRule = { frequency: "daily", localTime: "09:00", calendar: "gregorian", timeZone: NY };
    const since = at("2026-12-01T14:00:00Z");
    expect(latestRunDue(rule, since, at("2026-12-04T15:00:00Z"))?.toISOString()).toBe("2026-12-04T14:00:00.000Z");
    expect(latestRunDue(rule, since, at("2026-12-01T13:59:00Z"))).toBeNull();
  });
});

describe("rules a person may save", () => {
  it("names the field and what to do", () => {
    expect(parseLocalTime("7:30")).toBeNull();
    expect(parseLocalTime("24:00")).toBeNull();
    expect(parseLocalTime("07:30")).toEqual({ hour: 7, minute: 30 });
    expect(ruleProblem({ frequency: "daily", localTime: "7pm", calendar: "gregorian", timeZone: NY })).toEqual({
      field: "time",
      message: "Enter the time of day as HH:MM, 24-hour (for example 07:30).",
      i18n: { key: "schedules.error.time", params: { example: "07:30" } },
    });
    expect(ruleProblem({ frequency: "weekly", localTime: "07:00", calendar: "gregorian", timeZone: NY })?.field).toBe("weekday");
    expect(ruleProblem({ frequency: "monthly", monthDay: 32, localTime: "07:00", calendar: "gregorian", timeZone: NY })?.field).toBe("month_day");
    expect(ruleProblem({ frequency: "daily", localTime: "07:00", calendar: "gregorian", timeZone: "Mars/Olympus" })?.field).toBe("tz");
    expect(ruleProblem({ frequency: "monthly", monthDay: 31, localTime: "07:00", calendar: "jalali", timeZone: TEHRAN })).toBeNull();
  });
});
