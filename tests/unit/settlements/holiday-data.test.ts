import { describe, expect, it } from "vitest";
import { HOLIDAYS, HOLIDAYS_COVER_THROUGH, holidayDataDaysLeft } from "~/modules/settlements/holiday-data";
import { iranHolidaysOfJalaliYear, usFederalHolidays } from "~/modules/settlements/holiday-rules";
import { holidayCoverage } from "~/modules/settlements/holidays.server";

/** OPM's published federal holidays (observed dates), 2025-2027: the rules must reproduce them. */
const OPM_2025_2027 = [
  ["2025-01-01", "New Year's Day"], ["2025-01-20", "Martin Luther King Jr. Day"], ["2025-02-17", "Washington's Birthday"],
  ["2025-05-26", "Memorial Day"], ["2025-06-19", "Juneteenth"], ["2025-07-04", "Independence Day"], ["2025-09-01", "Labor Day"],
  ["2025-10-13", "Columbus Day"], ["2025-11-11", "Veterans Day"], ["2025-11-27", "Thanksgiving Day"], ["2025-12-25", "Christmas Day"],
  ["2026-01-01", "New Year's Day"], ["2026-01-19", "Martin Luther King Jr. Day"], ["2026-02-16", "Washington's Birthday"],
  ["2026-05-25", "Memorial Day"], ["2026-06-19", "Juneteenth"], ["2026-07-03", "Independence Day (observed)"], ["2026-09-07", "Labor Day"],
  ["2026-10-12", "Columbus Day"], ["2026-11-11", "Veterans Day"], ["2026-11-26", "Thanksgiving Day"], ["2026-12-25", "Christmas Day"],
  ["2027-01-01", "New Year's Day"], ["2027-01-18", "Martin Luther King Jr. Day"], ["2027-02-15", "Washington's Birthday"],
  ["2027-05-31", "Memorial Day"], ["2027-06-18", "Juneteenth (observed)"], ["2027-07-05", "Independence Day (observed)"],
  ["2027-09-06", "Labor Day"], ["2027-10-11", "Columbus Day"], ["2027-11-11", "Veterans Day"], ["2027-11-25", "Thanksgiving Day"],
  ["2027-12-24", "Christmas Day (observed)"], ["2027-12-31", "New Year's Day (observed)"],
];

describe("US federal holidays by rule", () => {
  it("reproduce OPM's published dates for 2025-2027, observed days included", () => {
    expect([2025, 2026, 2027].flatMap(usFederalHolidays).map((h) => [h.day, h.name])).toEqual(OPM_2025_2027);
  });

  it("move a Saturday holiday to Friday and a Sunday one to Monday", () => {
    // 2032-07-04 is a Sunday; 2032-12-25 a Saturday; 2028-11-11 a Saturday.
    const days = (y: number) => Object.fromEntries(usFederalHolidays(y).map((h) => [h.name, h.day]));
    expect(days(2032)["Independence Day (observed)"]).toBe("2032-07-05");
    expect(days(2032)["Christmas Day (observed)"]).toBe("2032-12-24");
    expect(days(2028)["Veterans Day (observed)"]).toBe("2028-11-10");
    expect(days(2031)["Thanksgiving Day"]).toBe("2031-11-27");
  });
});

describe("Iranian holidays", () => {
  it("put the solar holidays on their Jalali dates in every year through 1410", () => {
    const y1410 = iranHolidaysOfJalaliYear(1410);
    const day = (name: string) => y1410.filter((h) => h.name.split("; ").includes(name)).map((h) => h.day);
    expect(day("Nowruz")).toEqual(["2031-03-21", "2031-03-22", "2031-03-23", "2031-03-24"]);
    expect(day("Islamic Revolution Day")).toEqual(["2032-02-11"]);
    expect(day("Oil Nationalization Day")).toEqual(["2032-03-19"]);
    for (const h of y1410.filter((x) => !x.projected)) expect(h.projected).toBeUndefined();
  });

  it("project every lunar holiday once a year, the day after the astronomical calendar", () => {
    for (let year = 1406; year <= 1410; year++) {
      const list = iranHolidaysOfJalaliYear(year);
      const names = list.flatMap((h) => h.name.split("; "));
      // A Jalali year is ~11 days longer than a Hijri one: a lunar holiday can fall twice in it, never zero times.
      for (const n of ["Ashura", "Arbaeen", "Birth of the Prophet", "Martyrdom of Imam Ali", "Eid al-Fitr", "Eid al-Adha", "Martyrdom of Imam Reza"]) {
        expect(names.filter((x) => x === n).length, `${n} in ${year}`).toBeGreaterThanOrEqual(1);
        expect(names.filter((x) => x === n).length, `${n} in ${year}`).toBeLessThanOrEqual(2);
      }
      expect(list.filter((h) => h.projected).every((h) => /Tasua|Ashura|Arbaeen|Imam|Prophet|Fatima|Mab'ath|Eid/.test(h.name))).toBe(true);
    }
    // Ashura 1453 AH is projected for 2031-05-02 (ICU's astronomical 1 Muharram 1453 is 2031-04-22).
    expect(iranHolidaysOfJalaliYear(1410).find((h) => h.name === "Ashura")?.day).toBe("2031-05-02");
  });

  it("agree with the published 1404 and 1405 calendars within one day for the lunar holidays", () => {
    const official = HOLIDAYS.IR!.filter((h) => !h.projected && h.day <= "2027-03-20");
    for (const year of [1404, 1405]) {
      for (const p of iranHolidaysOfJalaliYear(year).filter((h) => h.projected && !/Imam Ali$|Fitr/.test(h.name))) {
        const near = official.filter((o) => Math.abs(Date.parse(o.day) - Date.parse(p.day)) <= 86_400_000 && o.name.includes(p.name.split("; ")[0]!));
        expect(near.map((o) => o.name), `${p.day} ${p.name}`).not.toEqual([]);
      }
    }
  });

  it("fill what the published 1405 list lacks: 21 Ramadan and Eid al-Fitr 1448, marked projected", () => {
    const march2027 = HOLIDAYS.IR!.filter((h) => h.day >= "2027-02-25" && h.day <= "2027-03-15");
    expect(march2027.map((h) => [h.day, h.name, h.projected])).toEqual([
      ["2027-02-28", "Martyrdom of Imam Ali", true],
      ["2027-03-10", "Eid al-Fitr", true],
      ["2027-03-11", "Eid al-Fitr holiday", true],
    ]);
  });

  it("has no day twice in a calendar", () => {
    for (const [calendar, list] of Object.entries(HOLIDAYS)) expect(new Set(list.map((h) => h.day)).size, calendar).toBe(list.length);
  });
});

describe("coverage of the bundled calendars", () => {
  it("reaches through Jalali 1410 and Gregorian 2032", () => {
    expect(HOLIDAYS_COVER_THROUGH).toEqual({ IR: "2032-03-19", US: "2032-12-31" });
  });

  it("warns when less than a year is left, and says so for an unknown calendar", () => {
    expect(holidayCoverage("IR", new Date("2031-03-19T12:00:00Z"))).toEqual({ calendar: "IR", through: "2032-03-19", daysLeft: 366, runningOut: false });
    expect(holidayCoverage("IR", new Date("2031-03-21T00:00:00Z"))).toMatchObject({ daysLeft: 364, runningOut: true });
    expect(holidayCoverage("IR", new Date("2032-04-01T00:00:00Z"))).toMatchObject({ daysLeft: -13, runningOut: true });
    expect(holidayCoverage("XX", new Date("2031-03-21T00:00:00Z"))).toEqual({ calendar: "XX", through: null, daysLeft: null, runningOut: false });
  });

  // Deliberately on the real clock: this test starts failing when the data needs its next year.
  it("has at least a year of data left today (add the next year's calendar when this fails)", () => {
    for (const calendar of Object.keys(HOLIDAYS)) {
      expect(holidayDataDaysLeft(calendar, new Date()), `${calendar} ends ${HOLIDAYS_COVER_THROUGH[calendar]}`).toBeGreaterThanOrEqual(365);
    }
  });
});
