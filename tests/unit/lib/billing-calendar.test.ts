import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  billingPeriod,
  defaultBillingCalendar,
  nextRenewal,
  periodIndexAt,
  periodStart,
  type BillingCalendar,
  type BillingCycle,
} from "~/lib/billing-calendar";
import { isJalaliLeapYear, jalaliMonthLength, jalaliToUtc, toJalali } from "~/lib/dates/jalali";
import { zonedParts, zonedTimeToUtc } from "~/lib/dates/zones";

const NY = "America/New_York";
const TEHRAN = "Asia/Tehran";
const monthly: BillingCycle = { interval: "month", count: 1 };
const yearly: BillingCycle = { interval: "year", count: 1 };
const weekly: BillingCycle = { interval: "week", count: 1 };

const starts = (anchor: Date, cycle: BillingCycle, n: number, tz: string, cal: BillingCalendar) =>
  Array.from({ length: n }, (_, k) => periodStart(anchor, cycle, k, tz, cal));
const jalaliKey = (d: Date, tz: string) => {
  const j = toJalali(d, tz);
  return `${j.year}/${j.month}/${j.day}`;
};
const localKey = (d: Date, tz: string) => {
  const p = zonedParts(d, tz);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
};

describe("default calendar", () => {
  it("is Jalali for IRR merchants and Gregorian for every other currency", () => {
    expect(defaultBillingCalendar("IRR")).toBe("persian");
    expect(defaultBillingCalendar("USD")).toBe("gregory");
    expect(defaultBillingCalendar("EUR")).toBe("gregory");
  });
});

describe("Jalali months (Tehran)", () => {
  const at = (year: number, month: number, day: number, hour = 10) => {
    const g = jalaliToUtc({ year, month, day }, "UTC");
    return zonedTimeToUtc({ year: g.getUTCFullYear(), month: g.getUTCMonth() + 1, day: g.getUTCDate(), hour }, TEHRAN);
  };

  it("31 Shahrivar renews on 30 Mehr, and the 31st comes back in Farvardin (anchored, no drift)", () => {
    const anchor = at(1404, 6, 31);
    expect(anchor.toISOString()).toBe("2025-09-22T06:30:00.000Z");
    expect(starts(anchor, monthly, 9, TEHRAN, "persian").map((d) => jalaliKey(d, TEHRAN))).toEqual([
      "1404/6/31",
      "1404/7/30",
      "1404/8/30",
      "1404/9/30",
      "1404/10/30",
      "1404/11/30",
      "1404/12/29", // 1404 is a common year
      "1405/1/31",
      "1405/2/31",
    ]);
    // 10:00 Tehran every time (Tehran has no daylight saving since 2022).
    for (const d of starts(anchor, monthly, 13, TEHRAN, "persian")) expect(zonedParts(d, TEHRAN).hour).toBe(10);
    expect(periodStart(anchor, monthly, 1, TEHRAN, "persian").toISOString()).toBe("2025-10-22T06:30:00.000Z");
  });

  it("30 Esfand of a leap year renews yearly on 29 Esfand of common years and on 30 Esfand of the next leap year", () => {
    expect(isJalaliLeapYear(1403)).toBe(true);
    expect(isJalaliLeapYear(1404)).toBe(false);
    const anchor = at(1403, 12, 30);
    expect(anchor.toISOString()).toBe("2025-03-20T06:30:00.000Z");
    const years = starts(anchor, yearly, 12, TEHRAN, "persian");
    years.forEach((d, k) => {
      const year = 1403 + k;
      expect(jalaliKey(d, TEHRAN)).toBe(`${year}/12/${isJalaliLeapYear(year) ? 30 : 29}`);
    });
    expect(jalaliKey(years[1]!, TEHRAN)).toBe("1404/12/29");
    expect(years[1]!.toISOString()).toBe("2026-03-20T06:30:00.000Z");
    // Some later year in the twelve is leap again, and gets its 30th back.
    expect(years.some((d) => toJalali(d, TEHRAN).day === 30 && toJalali(d, TEHRAN).year > 1403)).toBe(true);
  });

  it("monthly from 30 Esfand 1403 renews on the 30th of Farvardin, not on the 29th", () => {
    const anchor = at(1403, 12, 30);
    expect(starts(anchor, monthly, 3, TEHRAN, "persian").map((d) => jalaliKey(d, TEHRAN))).toEqual([
      "1403/12/30",
      "1404/1/30",
      "1404/2/30",
    ]);
    expect(jalaliKey(periodStart(anchor, monthly, 12, TEHRAN, "persian"), TEHRAN)).toBe("1404/12/29");
  });

  it("every 3 Jalali months from 31 Khordad: 31 Shahrivar, 30 Azar, 29 Esfand, 31 Khordad", () => {
    const anchor = at(1404, 3, 31);
    expect(starts(anchor, { interval: "month", count: 3 }, 5, TEHRAN, "persian").map((d) => jalaliKey(d, TEHRAN))).toEqual([
      "1404/3/31",
      "1404/6/31",
      "1404/9/30",
      "1404/12/29",
      "1405/3/31",
    ]);
  });

  it("the Jalali day is that of the merchant's zone: 23:30 UTC on 21 Sept 2025 is already 31 Shahrivar in Tehran", () => {
    const anchor = new Date("2025-09-21T21:00:00Z"); // 00:30 Tehran, 31 Shahrivar
    expect(jalaliKey(anchor, TEHRAN)).toBe("1404/6/31");
    const next = periodStart(anchor, monthly, 1, TEHRAN, "persian");
    expect(jalaliKey(next, TEHRAN)).toBe("1404/7/30");
    expect(localKey(next, TEHRAN)).toBe("2025-10-22 00:30");
  });

  it("every anchor day of every month of a leap and a common year lands on min(day, month length)", () => {
    for (const year of [1403, 1404]) {
      for (let month = 1; month <= 12; month++) {
        for (let day = 1; day <= jalaliMonthLength(year, month); day++) {
          const anchor = at(year, month, day, 9);
          for (let k = 1; k <= 14; k++) {
            const d = periodStart(anchor, monthly, k, TEHRAN, "persian");
            const idx = year * 12 + month - 1 + k;
            const ty = Math.floor(idx / 12);
            const tm = (idx % 12) + 1;
            expect(jalaliKey(d, TEHRAN)).toBe(`${ty}/${tm}/${Math.min(day, jalaliMonthLength(ty, tm))}`);
            expect(zonedParts(d, TEHRAN).hour).toBe(9);
          }
        }
      }
    }
  });
});

describe("Gregorian months", () => {
  it("31 January renews on the last day of February and on 31 March again", () => {
    const anchor = new Date("2025-01-31T15:00:00Z");
    expect(starts(anchor, monthly, 5, "UTC", "gregory").map((d) => d.toISOString().slice(0, 10))).toEqual([
      "2025-01-31",
      "2025-02-28",
      "2025-03-31",
      "2025-04-30",
      "2025-05-31",
    ]);
    expect(periodStart(new Date("2024-01-31T15:00:00Z"), monthly, 1, "UTC", "gregory").toISOString()).toBe(
      "2024-02-29T15:00:00.000Z",
    );
  });

  it("29 February renews yearly on 28 February and on 29 February in the next leap year", () => {
    const anchor = new Date("2024-02-29T12:00:00Z");
    expect(starts(anchor, yearly, 5, "UTC", "gregory").map((d) => d.toISOString().slice(0, 10))).toEqual([
      "2024-02-29",
      "2025-02-28",
      "2026-02-28",
      "2027-02-28",
      "2028-02-29",
    ]);
  });

  it("N months: every 3 months from 31 January is 30 April, 31 July, 31 October, 31 January", () => {
    const anchor = new Date("2025-01-31T00:00:00Z");
    expect(
      starts(anchor, { interval: "month", count: 3 }, 5, "UTC", "gregory").map((d) => d.toISOString().slice(0, 10)),
    ).toEqual(["2025-01-31", "2025-04-30", "2025-07-31", "2025-10-31", "2026-01-31"]);
  });

  it("a USD merchant in Tehran still bills Gregorian months, on Tehran's local day", () => {
    const anchor = new Date("2025-01-30T21:00:00Z"); // 00:30 on 31 Jan in Tehran
    expect(localKey(periodStart(anchor, monthly, 1, TEHRAN, "gregory"), TEHRAN)).toBe("2025-02-28 00:30");
  });
});

describe("New York daylight saving does not move a renewal", () => {
  it("monthly at 09:00 local stays at 09:00 through March and November changes", () => {
    const anchor = new Date("2025-01-15T14:00:00Z"); // 09:00 EST
    const all = starts(anchor, monthly, 13, NY, "gregory");
    for (const d of all) expect(localKey(d, NY).slice(11)).toBe("09:00");
    expect(all[2]!.toISOString()).toBe("2025-03-15T13:00:00.000Z"); // EDT
    expect(all[10]!.toISOString()).toBe("2025-11-15T14:00:00.000Z"); // EST again
  });

  it("weekly at 09:00 across the spring-forward and fall-back Sundays", () => {
    const anchor = new Date("2025-03-02T14:00:00Z"); // Sunday 09:00 EST
    const w = starts(anchor, weekly, 2, NY, "gregory");
    expect(w[1]!.toISOString()).toBe("2025-03-09T13:00:00.000Z"); // DST starts that night; still 09:00
    const fall = new Date("2025-10-26T13:00:00Z"); // Sunday 09:00 EDT
    expect(periodStart(fall, weekly, 1, NY, "gregory").toISOString()).toBe("2025-11-02T14:00:00.000Z");
  });

  it("a time the spring-forward night skips is pushed forward by the gap that day only", () => {
    const anchor = new Date("2025-02-09T07:30:00Z"); // Sunday 02:30 EST
    const w = starts(anchor, weekly, 6, NY, "gregory").map((d) => localKey(d, NY));
    expect(w).toEqual([
      "2025-02-09 02:30",
      "2025-02-16 02:30",
      "2025-02-23 02:30",
      "2025-03-02 02:30",
      "2025-03-09 03:30", // 02:30 does not exist that night
      "2025-03-16 02:30", // and the next week is back on the anchor's time
    ]);
  });

  it("a time the fall-back night repeats is its first occurrence", () => {
    const anchor = new Date("2025-10-05T05:30:00Z"); // 01:30 EDT
    expect(periodStart(anchor, { interval: "week", count: 4 }, 1, NY, "gregory").toISOString()).toBe(
      "2025-11-02T05:30:00.000Z", // 01:30 EDT, the earlier of the two
    );
  });
});

describe("periodIndexAt / nextRenewal", () => {
  it("finds the period containing an instant, with the end exclusive", () => {
    const anchor = new Date("2025-01-31T15:00:00Z");
    const feb = periodStart(anchor, monthly, 1, "UTC", "gregory");
    expect(periodIndexAt(anchor, monthly, feb, "UTC", "gregory")).toBe(1);
    expect(periodIndexAt(anchor, monthly, new Date(feb.getTime() - 1), "UTC", "gregory")).toBe(0);
    expect(periodIndexAt(anchor, monthly, new Date(anchor.getTime() - 1), "UTC", "gregory")).toBe(-1);
    expect(nextRenewal(anchor, monthly, anchor, "UTC", "gregory")).toEqual({
      index: 1,
      start: new Date("2025-02-28T15:00:00Z"),
      end: new Date("2025-03-31T15:00:00Z"),
    });
    expect(billingPeriod(anchor, monthly, 0, "UTC", "gregory").end).toEqual(feb);
  });

  it("refuses a count outside the interval's bounds and a fractional index", () => {
    const a = new Date("2025-01-01T00:00:00Z");
    expect(() => periodStart(a, { interval: "month", count: 0 }, 1, "UTC", "gregory")).toThrow(/from 1 to 24/);
    expect(() => periodStart(a, { interval: "year", count: 3 }, 1, "UTC", "gregory")).toThrow(/from 1 to 2/);
    expect(() => periodStart(a, monthly, 1.5, "UTC", "gregory")).toThrow(/integer/);
  });

  it("properties: starts strictly increase, keep the anchor's day or the month's last, and index back to themselves", () => {
    const zones = [NY, TEHRAN, "UTC", "Europe/London", "Australia/Sydney"];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2015, 0, 1), max: Date.UTC(2035, 0, 1) }),
        fc.constantFrom(...zones),
        fc.constantFrom<BillingCalendar>("gregory", "persian"),
        fc.constantFrom<BillingCycle>(monthly, yearly, weekly, { interval: "month", count: 3 }, { interval: "week", count: 2 }),
        fc.integer({ min: -3, max: 40 }),
        (t, tz, cal, cycle, k) => {
          const anchor = new Date(Math.floor(t / 1000) * 1000);
          const a = periodStart(anchor, cycle, k, tz, cal);
          const b = periodStart(anchor, cycle, k + 1, tz, cal);
          expect(b.getTime()).toBeGreaterThan(a.getTime());
          expect(periodIndexAt(anchor, cycle, a, tz, cal)).toBe(k);
          expect(periodIndexAt(anchor, cycle, new Date(b.getTime() - 1), tz, cal)).toBe(k);
          if (cycle.interval !== "week" && cal === "persian") {
            const ja = toJalali(anchor, tz);
            const jk = toJalali(a, tz);
            expect(jk.day).toBe(Math.min(ja.day, jalaliMonthLength(jk.year, jk.month)));
          }
          if (cycle.interval !== "week" && cal === "gregory") {
            const pa = zonedParts(anchor, tz);
            const pk = zonedParts(a, tz);
            const last = new Date(Date.UTC(pk.year, pk.month, 0)).getUTCDate();
            expect(pk.day).toBe(Math.min(pa.day, last));
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
