import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RANGE_PRESETS, granularityForDays, resolveRange, type RangePreset } from "~/lib/dates/ranges";
import { addLocalDays, isValidLocalDateKey, isValidTimeZone, localDateKey, parseLocalDateKey, startOfLocalDay, zonedParts, zonedTimeToUtc } from "~/lib/dates/zones";
import { bucketSeries, bucketStart, type Granularity } from "~/lib/dates/buckets";
import { formatDateTime, formatIsoLocal, utcOffsetString } from "~/lib/dates/format";
import { isJalaliLeapYear, jalaliMonthLength, jalaliMonthNames, jalaliToUtc, toJalali } from "~/lib/dates/jalali";

const NY = "America/New_York";
const TEHRAN = "Asia/Tehran";
const ZONES = [NY, TEHRAN, "UTC", "Europe/London", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Apia", "America/Sao_Paulo"];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const iso = (s: string) => new Date(s);
const at = (d: Date) => d.toISOString();

// 1990..2040: covers the DST rule changes that matter (Tehran dropped DST in 2022, Sao Paulo in 2019).
const instantArb = fc
  .integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) })
  .map((t) => new Date(t));
const zoneArb = fc.constantFrom(...ZONES);

describe("isValidTimeZone", () => {
  it.each([[TEHRAN], [NY], ["UTC"], ["Europe/London"], ["Asia/Kathmandu"]])("accepts %s", (tz) => {
    expect(isValidTimeZone(tz)).toBe(true);
  });

  it.each([["Mars/Olympus_Mons"], [""], ["   "], [undefined], [null], [330], ["+03:30"]])("rejects %j", (tz) => {
    expect(isValidTimeZone(tz)).toBe(false);
  });
});

describe("zonedParts", () => {
  it("handles the Tehran midnight edge: 21:00 UTC is 00:30 the next day", () => {
    expect(zonedParts(iso("2025-06-10T21:00:00Z"), TEHRAN)).toEqual({
      year: 2025,
      month: 6,
      day: 11,
      hour: 0,
      minute: 30,
      second: 0,
      weekday: 3,
    });
    expect(zonedParts(iso("2025-06-10T20:29:59Z"), TEHRAN)).toMatchObject({ day: 10, hour: 23, minute: 59, second: 59 });
    expect(zonedParts(iso("2025-06-10T20:30:00Z"), TEHRAN)).toMatchObject({ day: 11, hour: 0, minute: 0 });
  });

  it("reports midnight as hour 0, never 24", () => {
    expect(zonedParts(iso("2026-03-08T05:00:00Z"), NY)).toMatchObject({ day: 8, hour: 0, weekday: 0 });
  });

  it("gives the time-zone database's fields for every instant, across clock changes and odd offsets", () => {
    // zonedParts reads a remembered offset per quarter hour; this compares it with Intl
    // itself, second by second around transitions and at random instants.
    const intl = (t: number, tz: string) => {
      const f = new Intl.DateTimeFormat("en-US-u-ca-gregory-nu-latn", {
        timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric", weekday: "short",
      });
      const p = Object.fromEntries(f.formatToParts(t).map((x) => [x.type, x.value]));
      const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
      return { year: Number(p.year), month: Number(p.month), day: Number(p.day), hour: Number(p.hour) % 24, minute: Number(p.minute), second: Number(p.second), weekday: days.indexOf(p.weekday!) };
    };
    const zones = [TEHRAN, NY, "Europe/London", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Chatham", "America/St_Johns", "UTC"];
    const around = [
      "2026-03-08T06:59:58.500Z", "2026-11-01T05:59:59.999Z", "2021-03-21T20:29:59Z", "2021-09-21T19:29:59Z", "2026-03-29T00:59:59Z",
      "2026-04-05T14:59:59Z", "2026-10-03T15:59:59Z", "1900-01-01T00:00:00Z", "1945-08-14T23:00:00Z", "2026-12-31T23:59:59Z",
    ].map((s) => new Date(s).getTime());
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (const tz of zones) {
      const instants = [...around.flatMap((t) => Array.from({ length: 9 }, (_, i) => t + (i - 4) * 1000 + (i % 3) * 15 * 60_000)), ...Array.from({ length: 300 }, () => Math.floor(-2e12 + random() * 6e12))];
      for (const t of instants) expect(zonedParts(new Date(t), tz), `${new Date(t).toISOString()} in ${tz}`).toEqual(intl(t, tz));
    }
  });

  it("throws on an invalid date or zone", () => {
    expect(() => zonedParts(new Date(NaN), TEHRAN)).toThrow(RangeError);
    expect(() => zonedParts(iso("2026-03-20T12:00:00Z"), "Nowhere/City")).toThrow(RangeError);
  });
});

describe("zonedTimeToUtc", () => {
  it("converts Tehran wall-clock time (+03:30, no DST)", () => {
    expect(at(zonedTimeToUtc({ year: 2025, month: 6, day: 11 }, TEHRAN))).toBe("2025-06-10T20:30:00.000Z");
    expect(at(zonedTimeToUtc({ year: 2025, month: 1, day: 1, hour: 0, minute: 30 }, TEHRAN))).toBe(
      "2024-12-31T21:00:00.000Z",
    );
    // Tehran still had DST (+04:30) in summer 2021.
    expect(at(zonedTimeToUtc({ year: 2021, month: 6, day: 11 }, TEHRAN))).toBe("2021-06-10T19:30:00.000Z");
  });

  it("handles New York spring-forward (2026-03-08, 02:00 -> 03:00)", () => {
    const t = (hour: number, minute = 0) => at(zonedTimeToUtc({ year: 2026, month: 3, day: 8, hour, minute }, NY));
    expect(t(0)).toBe("2026-03-08T05:00:00.000Z");
    expect(t(1, 59)).toBe("2026-03-08T06:59:00.000Z");
    // 02:30 does not exist; like Temporal's "compatible", it moves forward by the gap to 03:30 EDT.
    expect(t(2, 30)).toBe("2026-03-08T07:30:00.000Z");
    expect(t(2, 0)).toBe("2026-03-08T07:00:00.000Z");
    expect(t(3)).toBe("2026-03-08T07:00:00.000Z");
    expect(t(12)).toBe("2026-03-08T16:00:00.000Z");
  });

  it("handles New York fall-back (2026-11-01, 02:00 -> 01:00)", () => {
    const t = (hour: number, minute = 0) => at(zonedTimeToUtc({ year: 2026, month: 11, day: 1, hour, minute }, NY));
    expect(t(0)).toBe("2026-11-01T04:00:00.000Z");
    // 01:30 happens twice; the earlier (EDT) occurrence is chosen.
    expect(t(1, 30)).toBe("2026-11-01T05:30:00.000Z");
    expect(t(2)).toBe("2026-11-01T07:00:00.000Z");
  });

  it("rejects impossible fields", () => {
    expect(() => zonedTimeToUtc({ year: 2025, month: 2, day: 29 }, TEHRAN)).toThrow(RangeError);
    expect(() => zonedTimeToUtc({ year: 2025, month: 13, day: 1 }, TEHRAN)).toThrow(RangeError);
    expect(() => zonedTimeToUtc({ year: 2025, month: 1, day: 1, hour: 24 }, TEHRAN)).toThrow(RangeError);
    expect(() => zonedTimeToUtc({ year: 2025, month: 1, day: 1.5 }, TEHRAN)).toThrow(RangeError);
    expect(at(zonedTimeToUtc({ year: 2024, month: 2, day: 29 }, "UTC"))).toBe("2024-02-29T00:00:00.000Z");
  });

  it("inverts zonedParts for every instant (property)", () => {
    fc.assert(
      fc.property(instantArb, zoneArb, (date, tz) => {
        const p = zonedParts(date, tz);
        const back = zonedTimeToUtc(p, tz);
        const truncated = date.getTime() - (((date.getTime() % 1000) + 1000) % 1000);
        // Equal, unless the wall time is repeated by a fall-back, then the earlier occurrence.
        expect(back.getTime()).toBeLessThanOrEqual(truncated);
        expect(zonedParts(back, tz)).toEqual(p);
      }),
      { numRuns: 300 },
    );
  });
});

describe("local days", () => {
  it("starts the Tehran day at 20:30 UTC the day before", () => {
    const d = iso("2025-06-10T21:00:00Z");
    expect(at(startOfLocalDay(d, TEHRAN))).toBe("2025-06-10T20:30:00.000Z");
    expect(localDateKey(d, TEHRAN)).toBe("2025-06-11");
    expect(localDateKey(d, "UTC")).toBe("2025-06-10");
    expect(at(addLocalDays(d, 1, TEHRAN))).toBe("2025-06-11T20:30:00.000Z");
    expect(at(addLocalDays(d, -1, TEHRAN))).toBe("2025-06-09T20:30:00.000Z");
    expect(at(addLocalDays(d, 0, TEHRAN))).toBe("2025-06-10T20:30:00.000Z");
  });

  it("has a 23-hour and a 25-hour day in New York", () => {
    const spring = startOfLocalDay(iso("2026-03-08T12:00:00Z"), NY);
    expect(at(spring)).toBe("2026-03-08T05:00:00.000Z");
    expect(addLocalDays(spring, 1, NY).getTime() - spring.getTime()).toBe(23 * HOUR);
    const fall = startOfLocalDay(iso("2026-11-01T12:00:00Z"), NY);
    expect(at(fall)).toBe("2026-11-01T04:00:00.000Z");
    expect(addLocalDays(fall, 1, NY).getTime() - fall.getTime()).toBe(25 * HOUR);
  });

  it("keeps local midnight when adding days across DST", () => {
    const saturdayNoon = iso("2026-03-07T17:00:00Z");
    expect(at(addLocalDays(saturdayNoon, 1, NY))).toBe("2026-03-08T05:00:00.000Z");
    expect(at(addLocalDays(saturdayNoon, 2, NY))).toBe("2026-03-09T04:00:00.000Z");
    expect(at(addLocalDays(iso("2026-11-02T12:00:00Z"), -2, NY))).toBe("2026-10-31T04:00:00.000Z");
    expect(at(addLocalDays(iso("2026-12-31T12:00:00Z"), 1, NY))).toBe("2027-01-01T05:00:00.000Z");
  });

  it("starts a day whose midnight does not exist at its first instant", () => {
    // Until 2022 Tehran's DST began at midnight (2021-03-22 00:00 -> 01:00).
    const start = startOfLocalDay(iso("2021-03-22T12:00:00Z"), TEHRAN);
    expect(formatIsoLocal(start, TEHRAN)).toBe("2021-03-22T01:00:00+04:30");
  });

  it("rejects fractional day counts", () => {
    expect(() => addLocalDays(iso("2026-03-20T12:00:00Z"), 1.5, TEHRAN)).toThrow(RangeError);
  });

  it("keys and starts agree for every instant (property)", () => {
    fc.assert(
      fc.property(instantArb, zoneArb, (date, tz) => {
        const start = startOfLocalDay(date, tz);
        const next = addLocalDays(date, 1, tz);
        expect(start.getTime()).toBeLessThanOrEqual(date.getTime());
        expect(next.getTime()).toBeGreaterThan(date.getTime());
        expect(localDateKey(start, tz)).toBe(localDateKey(date, tz));
        expect(localDateKey(next, tz)).not.toBe(localDateKey(date, tz));
        expect(at(parseLocalDateKey(localDateKey(date, tz), tz))).toBe(at(start));
        expect(at(startOfLocalDay(start, tz))).toBe(at(start));
      }),
      { numRuns: 300 },
    );
  });
});

describe("parseLocalDateKey", () => {
  it("returns the start of the local day", () => {
    expect(at(parseLocalDateKey("2025-06-11", TEHRAN))).toBe("2025-06-10T20:30:00.000Z");
    expect(at(parseLocalDateKey("2026-03-08", NY))).toBe("2026-03-08T05:00:00.000Z");
    expect(at(parseLocalDateKey("2024-02-29", "UTC"))).toBe("2024-02-29T00:00:00.000Z");
  });

  it.each([["2025-02-29"], ["2026-02-30"], ["2026-13-01"], ["2026-00-10"], ["2026-1-05"], ["26-01-05"], ["2026-01-05T00:00"], [""], ["۲۰۲۶-۰۱-۰۵"]])(
    "rejects %j",
    (key) => {
      expect(isValidLocalDateKey(key)).toBe(false);
      expect(() => parseLocalDateKey(key, TEHRAN)).toThrow(RangeError);
    },
  );
});

describe("offsets and ISO output", () => {
  it("formats local ISO time with the offset", () => {
    expect(formatIsoLocal(iso("2025-06-10T21:00:00Z"), TEHRAN)).toBe("2025-06-11T00:30:00+03:30");
    expect(formatIsoLocal(iso("2026-07-01T12:00:00Z"), NY)).toBe("2026-07-01T08:00:00-04:00");
    expect(formatIsoLocal(iso("2026-01-01T12:00:00Z"), NY)).toBe("2026-01-01T07:00:00-05:00");
    expect(formatIsoLocal(iso("2026-01-01T12:00:00.999Z"), "UTC")).toBe("2026-01-01T12:00:00+00:00");
    expect(formatIsoLocal(iso("2026-01-01T12:00:00Z"), "Asia/Kathmandu")).toBe("2026-01-01T17:45:00+05:45");
  });

  it("gives both New York offsets on the fall-back night", () => {
    expect(utcOffsetString(iso("2026-11-01T05:30:00Z"), NY)).toBe("-04:00");
    expect(utcOffsetString(iso("2026-11-01T06:30:00Z"), NY)).toBe("-05:00");
    expect(formatIsoLocal(iso("2026-11-01T05:30:00Z"), NY)).toBe("2026-11-01T01:30:00-04:00");
    expect(formatIsoLocal(iso("2026-11-01T06:30:00Z"), NY)).toBe("2026-11-01T01:30:00-05:00");
  });

  it("keeps the seconds of historical local-mean-time offsets", () => {
    expect(utcOffsetString(iso("1900-01-01T00:00:00Z"), TEHRAN)).toBe("+03:25:44");
  });

  it("produces strings Date can parse back to the same second (property)", () => {
    fc.assert(
      fc.property(instantArb, zoneArb, (date, tz) => {
        const s = formatIsoLocal(date, tz);
        expect(s).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
        expect(Math.floor(new Date(s).getTime() / 1000)).toBe(Math.floor(date.getTime() / 1000));
      }),
      { numRuns: 300 },
    );
  });
});

describe("Jalali calendar", () => {
  it("converts at the Tehran day boundary", () => {
    expect(toJalali(iso("2025-03-20T20:29:59Z"), TEHRAN)).toEqual({ year: 1403, month: 12, day: 30 });
    expect(toJalali(iso("2025-03-20T20:30:00Z"), TEHRAN)).toEqual({ year: 1404, month: 1, day: 1 });
    expect(toJalali(iso("2025-03-20T20:30:00Z"), "UTC")).toEqual({ year: 1403, month: 12, day: 30 });
    expect(toJalali(iso("2024-03-19T20:30:00Z"), TEHRAN)).toEqual({ year: 1403, month: 1, day: 1 });
  });

  it.each<[number, number, number, string]>([
    [1403, 1, 1, "2024-03-19T20:30:00.000Z"],
    [1403, 12, 30, "2025-03-19T20:30:00.000Z"],
    [1404, 1, 1, "2025-03-20T20:30:00.000Z"],
    [1404, 3, 21, "2025-06-10T20:30:00.000Z"],
    [1404, 6, 31, "2025-09-21T20:30:00.000Z"],
    [1404, 7, 1, "2025-09-22T20:30:00.000Z"],
    [1404, 12, 29, "2026-03-19T20:30:00.000Z"],
    [1405, 1, 1, "2026-03-20T20:30:00.000Z"],
    [1399, 12, 30, "2021-03-19T20:30:00.000Z"],
    [1300, 1, 1, "1921-03-20T20:34:16.000Z"],
  ])("%s/%s/%s starts at %s in Tehran", (year, month, day, expected) => {
    expect(at(jalaliToUtc({ year, month, day }, TEHRAN))).toBe(expected);
  });

  it("starts the day in the given zone", () => {
    expect(at(jalaliToUtc({ year: 1404, month: 1, day: 1 }, "UTC"))).toBe("2025-03-21T00:00:00.000Z");
    expect(at(jalaliToUtc({ year: 1404, month: 1, day: 1 }, NY))).toBe("2025-03-21T04:00:00.000Z");
  });

  it("knows the leap years (1403 has 30 Esfand, 1404 does not)", () => {
    expect(isJalaliLeapYear(1399)).toBe(true);
    expect(isJalaliLeapYear(1400)).toBe(false);
    expect(isJalaliLeapYear(1403)).toBe(true);
    expect(isJalaliLeapYear(1404)).toBe(false);
    expect(isJalaliLeapYear(1407)).toBe(false);
    expect(isJalaliLeapYear(1408)).toBe(true);
    expect(jalaliMonthLength(1403, 12)).toBe(30);
    expect(jalaliMonthLength(1404, 12)).toBe(29);
    expect(jalaliMonthLength(1404, 6)).toBe(31);
    expect(jalaliMonthLength(1404, 7)).toBe(30);
  });

  it("agrees with the 33-year arithmetic rule for 1300-1500", () => {
    const rule = (y: number) => (((25 * y + 11) % 33) + 33) % 33 < 8;
    for (let y = 1300; y <= 1500; y++) expect(isJalaliLeapYear(y)).toBe(rule(y));
  });

  it("rejects dates that do not exist", () => {
    expect(() => jalaliToUtc({ year: 1404, month: 12, day: 30 }, TEHRAN)).toThrow(RangeError);
    expect(() => jalaliToUtc({ year: 1404, month: 7, day: 31 }, TEHRAN)).toThrow(RangeError);
    expect(() => jalaliToUtc({ year: 1404, month: 13, day: 1 }, TEHRAN)).toThrow(RangeError);
    expect(() => jalaliToUtc({ year: 1404, month: 1, day: 0 }, TEHRAN)).toThrow(RangeError);
    expect(() => jalaliToUtc({ year: 0, month: 1, day: 1 }, TEHRAN)).toThrow(RangeError);
    expect(() => isJalaliLeapYear(1403.5)).toThrow(RangeError);
  });

  it("has each year end on 29 or 30 Esfand, the day before 1 Farvardin (1300-1500)", () => {
    for (let y = 1300; y <= 1500; y++) {
      const nowruz = jalaliToUtc({ year: y + 1, month: 1, day: 1 }, "UTC");
      const lastDay = jalaliMonthLength(y, 12);
      expect(toJalali(new Date(nowruz.getTime() - 1), "UTC")).toEqual({ year: y, month: 12, day: lastDay });
      expect(at(jalaliToUtc({ year: y, month: 12, day: lastDay }, "UTC"))).toBe(at(new Date(nowruz.getTime() - DAY)));
    }
  });

  it("inverts toJalali for every instant (property)", () => {
    fc.assert(
      fc.property(instantArb, zoneArb, (date, tz) => {
        expect(at(jalaliToUtc(toJalali(date, tz), tz))).toBe(at(startOfLocalDay(date, tz)));
      }),
      { numRuns: 300 },
    );
  });

  it("names the months as Intl does", () => {
    const en: string[] = [];
    const fa: string[] = [];
    for (let month = 1; month <= 12; month++) {
      const d = jalaliToUtc({ year: 1404, month, day: 10 }, "UTC");
      en.push(new Intl.DateTimeFormat("en-US-u-ca-persian", { month: "long", timeZone: "UTC" }).format(d));
      fa.push(new Intl.DateTimeFormat("fa-IR", { month: "long", timeZone: "UTC" }).format(d));
    }
    expect([...jalaliMonthNames.en]).toEqual(en);
    expect([...jalaliMonthNames.fa]).toEqual(fa);
  });
});

describe("bucketStart", () => {
  const wed = iso("2025-06-11T10:00:00Z"); // Wednesday 13:30 in Tehran, 1404/3/21

  it("buckets Tehran hours on the half hour UTC", () => {
    expect(at(bucketStart(wed, "hour", TEHRAN))).toBe("2025-06-11T09:30:00.000Z");
    expect(at(bucketStart(iso("2025-06-10T21:00:00Z"), "hour", TEHRAN))).toBe("2025-06-10T20:30:00.000Z");
  });

  it("buckets days, weeks and months", () => {
    expect(at(bucketStart(wed, "day", TEHRAN))).toBe("2025-06-10T20:30:00.000Z");
    // ISO weeks start on Monday, Iranian weeks on Saturday.
    expect(at(bucketStart(wed, "week", TEHRAN))).toBe("2025-06-08T20:30:00.000Z");
    expect(at(bucketStart(wed, "week", TEHRAN, { calendar: "persian" }))).toBe("2025-06-06T20:30:00.000Z");
    expect(at(bucketStart(wed, "week", TEHRAN, { weekStartsOn: 0 }))).toBe("2025-06-07T20:30:00.000Z");
    expect(at(bucketStart(wed, "week", TEHRAN, { weekStartsOn: 3 }))).toBe("2025-06-10T20:30:00.000Z");
    expect(at(bucketStart(wed, "month", TEHRAN))).toBe("2025-05-31T20:30:00.000Z");
    // 1 Khordad 1404 = 22 May 2025.
    expect(at(bucketStart(wed, "month", TEHRAN, { calendar: "persian" }))).toBe("2025-05-21T20:30:00.000Z");
  });

  it("keeps the two 01:00 hours of a New York fall-back night apart", () => {
    expect(at(bucketStart(iso("2026-11-01T05:45:00Z"), "hour", NY))).toBe("2026-11-01T05:00:00.000Z");
    expect(at(bucketStart(iso("2026-11-01T06:45:00Z"), "hour", NY))).toBe("2026-11-01T06:00:00.000Z");
  });

  it("starts a new hourly bucket at Lord Howe's half-hour DST shifts", () => {
    const tz = "Australia/Lord_Howe";
    // 2026-04-05 02:00 (+11) -> 01:30 (+10:30) at 15:00Z.
    expect(at(bucketStart(iso("2026-04-04T14:45:00Z"), "hour", tz))).toBe("2026-04-04T14:00:00.000Z");
    expect(at(bucketStart(iso("2026-04-04T15:10:00Z"), "hour", tz))).toBe("2026-04-04T15:00:00.000Z");
    expect(at(bucketStart(iso("2026-04-04T15:40:00Z"), "hour", tz))).toBe("2026-04-04T15:30:00.000Z");
    const series = bucketSeries(iso("2026-04-04T13:00:00Z"), iso("2026-04-04T17:00:00Z"), "hour", tz);
    expect(series.map((d) => formatIsoLocal(d, tz))).toEqual([
      "2026-04-05T00:00:00+11:00",
      "2026-04-05T01:00:00+11:00",
      "2026-04-05T01:30:00+10:30",
      "2026-04-05T02:00:00+10:30",
      "2026-04-05T03:00:00+10:30",
    ]);
  });

  it("rejects unknown granularities and week starts", () => {
    expect(() => bucketStart(wed, "year" as Granularity, TEHRAN)).toThrow(RangeError);
    expect(() => bucketStart(wed, "week", TEHRAN, { weekStartsOn: 7 as 0 })).toThrow(RangeError);
  });

  it("contains the instant and is idempotent (property)", () => {
    fc.assert(
      fc.property(
        instantArb,
        zoneArb,
        fc.constantFrom<Granularity>("hour", "day", "week", "month"),
        fc.constantFrom<"gregory" | "persian">("gregory", "persian"),
        (date, tz, granularity, calendar) => {
          const start = bucketStart(date, granularity, tz, { calendar });
          expect(start.getTime()).toBeLessThanOrEqual(date.getTime());
          expect(at(bucketStart(start, granularity, tz, { calendar }))).toBe(at(start));
          const [first, second] = bucketSeries(start, new Date(start.getTime() + 1), granularity, tz, { calendar });
          expect(first && at(first)).toBe(at(start));
          expect(second).toBeUndefined();
          if (granularity === "month" && calendar === "persian") expect(toJalali(start, tz).day).toBe(1);
          if (granularity === "month" && calendar === "gregory") expect(zonedParts(start, tz).day).toBe(1);
          if (granularity === "week" && calendar === "persian") expect(zonedParts(start, tz).weekday).toBe(6);
          if (granularity === "week" && calendar === "gregory") expect(zonedParts(start, tz).weekday).toBe(1);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("bucketSeries", () => {
  it("has 23 and 25 hourly buckets on New York's DST days", () => {
    const spring = bucketSeries(iso("2026-03-08T05:00:00Z"), iso("2026-03-09T04:00:00Z"), "hour", NY);
    expect(spring).toHaveLength(23);
    expect(spring.map((d) => zonedParts(d, NY).hour)).not.toContain(2);
    const fall = bucketSeries(iso("2026-11-01T04:00:00Z"), iso("2026-11-02T05:00:00Z"), "hour", NY);
    expect(fall).toHaveLength(25);
    expect(fall.filter((d) => zonedParts(d, NY).hour === 1)).toHaveLength(2);
  });

  it("lists local days across DST", () => {
    const days = bucketSeries(iso("2026-03-06T05:00:00Z"), iso("2026-03-10T04:00:00Z"), "day", NY);
    expect(days.map((d) => localDateKey(d, NY))).toEqual(["2026-03-06", "2026-03-07", "2026-03-08", "2026-03-09"]);
  });

  it("lists the Jalali months of 1403 including a 30-day Esfand", () => {
    const from = jalaliToUtc({ year: 1403, month: 1, day: 1 }, TEHRAN);
    const to = jalaliToUtc({ year: 1404, month: 1, day: 1 }, TEHRAN);
    const months = bucketSeries(from, to, "month", TEHRAN, { calendar: "persian" });
    expect(months.map((d) => toJalali(d, TEHRAN))).toEqual(
      Array.from({ length: 12 }, (_, i) => ({ year: 1403, month: i + 1, day: 1 })),
    );
    expect((to.getTime() - (months[11]?.getTime() ?? 0)) / DAY).toBe(30);
  });

  it("lists Gregorian months", () => {
    const months = bucketSeries(iso("2025-11-15T00:00:00Z"), iso("2026-02-01T00:00:00Z"), "month", "UTC");
    expect(months.map(at)).toEqual([
      "2025-11-01T00:00:00.000Z",
      "2025-12-01T00:00:00.000Z",
      "2026-01-01T00:00:00.000Z",
    ]);
  });

  it("includes the bucket containing `from`, and is empty for an empty range", () => {
    const weeks = bucketSeries(iso("2025-06-11T00:00:00Z"), iso("2025-06-20T00:00:00Z"), "week", "UTC");
    expect(weeks.map(at)).toEqual(["2025-06-09T00:00:00.000Z", "2025-06-16T00:00:00.000Z"]);
    expect(bucketSeries(iso("2025-06-11T00:00:00Z"), iso("2025-06-11T00:00:00Z"), "day", "UTC")).toEqual([]);
  });

  it("refuses absurd bucket counts", () => {
    expect(() => bucketSeries(iso("2000-01-01T00:00:00Z"), iso("2026-01-01T00:00:00Z"), "hour", "UTC")).toThrow(
      RangeError,
    );
  });

  it("has a slot for every instant in the range, in increasing order (property)", () => {
    fc.assert(
      fc.property(
        instantArb,
        fc.integer({ min: 1, max: 60 * DAY }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        zoneArb,
        fc.constantFrom<Granularity>("hour", "day", "week", "month"),
        fc.constantFrom<"gregory" | "persian">("gregory", "persian"),
        (from, length, position, tz, granularity, calendar) => {
          const to = new Date(from.getTime() + length);
          const series = bucketSeries(from, to, granularity, tz, { calendar });
          for (let i = 1; i < series.length; i++) {
            expect(series[i]!.getTime()).toBeGreaterThan(series[i - 1]!.getTime());
          }
          const t = new Date(from.getTime() + Math.floor(length * position));
          const key = bucketStart(t, granularity, tz, { calendar }).getTime();
          expect(series.map((d) => d.getTime())).toContain(key);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("resolveRange", () => {
  const now = iso("2025-06-11T10:00:00Z"); // Wed 1404/3/21 13:30 in Tehran

  const summary = (preset: RangePreset, tz = TEHRAN, at_ = now, custom?: { from: string; to: string }) => {
    const r = resolveRange(preset, at_, tz, custom);
    return {
      from: at(r.from),
      to: at(r.to),
      previousFrom: at(r.previousFrom),
      previousTo: at(r.previousTo),
      granularity: r.granularity,
      calendar: r.calendar,
    };
  };

  it("today: hourly, yesterday before it", () => {
    expect(summary("today")).toEqual({
      from: "2025-06-10T20:30:00.000Z",
      to: "2025-06-11T20:30:00.000Z",
      previousFrom: "2025-06-09T20:30:00.000Z",
      previousTo: "2025-06-10T20:30:00.000Z",
      granularity: "hour",
      calendar: "gregory",
    });
  });

  it("7d/30d/90d: the last N local days including today", () => {
    expect(summary("7d")).toMatchObject({
      from: "2025-06-04T20:30:00.000Z",
      to: "2025-06-11T20:30:00.000Z",
      previousFrom: "2025-05-28T20:30:00.000Z",
      previousTo: "2025-06-04T20:30:00.000Z",
      granularity: "day",
    });
    expect(summary("30d")).toMatchObject({ from: "2025-05-12T20:30:00.000Z", previousFrom: "2025-04-12T20:30:00.000Z" });
    expect(summary("90d")).toMatchObject({ from: "2025-03-13T20:30:00.000Z", granularity: "day" });
  });

  it("7d across New York's spring-forward counts local days, not 24-hour blocks", () => {
    const r = resolveRange("7d", iso("2026-03-10T16:00:00Z"), NY);
    expect(at(r.from)).toBe("2026-03-04T05:00:00.000Z");
    expect(at(r.to)).toBe("2026-03-11T04:00:00.000Z");
    expect(at(r.previousFrom)).toBe("2026-02-25T05:00:00.000Z");
    expect(bucketSeries(r.from, r.to, r.granularity, NY)).toHaveLength(7);
    expect(bucketSeries(r.previousFrom, r.previousTo, r.granularity, NY)).toHaveLength(7);
  });

  it("12m: the last twelve months, trailing: from 12 June 2024 through today, never days still to come", () => {
    expect(summary("12m")).toEqual({
      from: "2024-06-11T20:30:00.000Z",
      to: "2025-06-11T20:30:00.000Z",
      previousFrom: "2023-06-11T20:30:00.000Z",
      previousTo: "2024-06-11T20:30:00.000Z",
      granularity: "month",
      calendar: "gregory",
    });
  });

  it("12m from a 29 February starts on 1 March a year before", () => {
    const r = resolveRange("12m", iso("2024-02-29T12:00:00Z"), "UTC");
    expect(at(r.from)).toBe("2023-03-01T00:00:00.000Z");
    expect(at(r.to)).toBe("2024-03-01T00:00:00.000Z");
  });

  it("year: this year so far in the reader's calendar, beside last year's same first days", () => {
    // 11 June 2025 in Tehran = 21 Khordad 1404.
    expect(summary("year")).toEqual({
      from: "2024-12-31T20:30:00.000Z",
      to: "2025-06-11T20:30:00.000Z",
      previousFrom: "2023-12-31T20:30:00.000Z",
      // As many days as this year so far (2024 was a leap year: through 10 June).
      previousTo: "2024-06-10T20:30:00.000Z",
      granularity: "week",
      calendar: "gregory",
    });
    const r = resolveRange("year", iso("2025-06-11T12:00:00Z"), TEHRAN, undefined, "persian");
    expect(at(r.from)).toBe("2025-03-20T20:30:00.000Z"); // 1 Farvardin 1404
    expect(at(r.previousFrom)).toBe("2024-03-19T20:30:00.000Z"); // 1 Farvardin 1403
    expect(at(r.previousTo)).toBe("2024-06-10T20:30:00.000Z"); // 84 days in, as this year
    expect(r.calendar).toBe("persian");
  });

  it("last_year: all of last year in the reader's calendar, beside the year before", () => {
    expect(summary("last_year")).toMatchObject({
      from: "2023-12-31T20:30:00.000Z",
      to: "2024-12-31T20:30:00.000Z",
      previousFrom: "2022-12-31T20:30:00.000Z",
      previousTo: "2023-12-31T20:30:00.000Z",
      granularity: "month",
    });
    const r = resolveRange("last_year", iso("2025-06-11T12:00:00Z"), TEHRAN, undefined, "persian");
    expect(at(r.from)).toBe("2024-03-19T20:30:00.000Z"); // 1 Farvardin 1403
    expect(at(r.to)).toBe("2025-03-20T20:30:00.000Z"); // 1 Farvardin 1404
  });

  it("mtd: from the 1st, previous period of the same number of days", () => {
    expect(summary("mtd")).toMatchObject({
      from: "2025-05-31T20:30:00.000Z",
      to: "2025-06-11T20:30:00.000Z",
      previousFrom: "2025-05-20T20:30:00.000Z",
      granularity: "day",
    });
  });

  it("jalali_month: from 1 Khordad 1404 to tomorrow", () => {
    expect(summary("jalali_month")).toEqual({
      from: "2025-05-21T20:30:00.000Z",
      to: "2025-06-11T20:30:00.000Z",
      previousFrom: "2025-04-30T20:30:00.000Z",
      previousTo: "2025-05-21T20:30:00.000Z",
      granularity: "day",
      calendar: "persian",
    });
  });

  it("last_jalali_month: all of Ordibehesht, compared with Farvardin", () => {
    expect(summary("last_jalali_month")).toEqual({
      from: "2025-04-20T20:30:00.000Z",
      to: "2025-05-21T20:30:00.000Z",
      previousFrom: "2025-03-20T20:30:00.000Z",
      previousTo: "2025-04-20T20:30:00.000Z",
      granularity: "day",
      calendar: "persian",
    });
  });

  it("last_jalali_month in Farvardin is the previous year's Esfand (30 days in 1403)", () => {
    const r = resolveRange("last_jalali_month", iso("2025-03-25T10:00:00Z"), TEHRAN);
    expect(toJalali(r.from, TEHRAN)).toEqual({ year: 1403, month: 12, day: 1 });
    expect(toJalali(r.previousFrom, TEHRAN)).toEqual({ year: 1403, month: 11, day: 1 });
    expect((r.to.getTime() - r.from.getTime()) / DAY).toBe(30);
  });

  it("jalali_ytd: from 1 Farvardin, daily early in the year and weekly later", () => {
    expect(summary("jalali_ytd")).toMatchObject({
      from: "2025-03-20T20:30:00.000Z",
      to: "2025-06-11T20:30:00.000Z",
      granularity: "day",
      calendar: "persian",
    });
    const late = resolveRange("jalali_ytd", iso("2026-02-01T10:00:00Z"), TEHRAN);
    expect(at(late.from)).toBe("2025-03-20T20:30:00.000Z");
    expect(late.granularity).toBe("week");
  });

  it("custom: inclusive end date, granularity by length", () => {
    expect(summary("custom", TEHRAN, now, { from: "2025-06-01", to: "2025-06-30" })).toEqual({
      from: "2025-05-31T20:30:00.000Z",
      to: "2025-06-30T20:30:00.000Z",
      previousFrom: "2025-05-01T20:30:00.000Z",
      previousTo: "2025-05-31T20:30:00.000Z",
      granularity: "day",
      calendar: "gregory",
    });
    expect(resolveRange("custom", now, TEHRAN, { from: "2025-06-01", to: "2025-06-01" }).granularity).toBe("hour");
    expect(resolveRange("custom", now, TEHRAN, { from: "2025-01-01", to: "2025-06-30" }).granularity).toBe("week");
    expect(resolveRange("custom", now, TEHRAN, { from: "2023-01-01", to: "2025-06-30" }).granularity).toBe("month");
  });

  it("custom: rejects missing, malformed or reversed dates", () => {
    expect(() => resolveRange("custom", now, TEHRAN)).toThrow(RangeError);
    expect(() => resolveRange("custom", now, TEHRAN, { from: "2025-06-30", to: "2025-06-01" })).toThrow(RangeError);
    expect(() => resolveRange("custom", now, TEHRAN, { from: "2025-02-30", to: "2025-03-01" })).toThrow(RangeError);
    expect(() => resolveRange("yesterday" as RangePreset, now, TEHRAN)).toThrow(RangeError);
  });

  it("chooses granularity by length", () => {
    expect(granularityForDays(1)).toBe("hour");
    expect(granularityForDays(2)).toBe("hour");
    expect(granularityForDays(3)).toBe("day");
    expect(granularityForDays(92)).toBe("day");
    expect(granularityForDays(93)).toBe("week");
    expect(granularityForDays(366)).toBe("week");
    expect(granularityForDays(367)).toBe("month");
  });

  it("gives well-formed, adjacent, day-aligned periods for every preset (property)", () => {
    const presets = RANGE_PRESETS.filter((p) => p !== "custom");
    fc.assert(
      fc.property(instantArb, zoneArb, fc.constantFrom(...presets), (at_, tz, preset) => {
        const r = resolveRange(preset, at_, tz);
        expect(r.from.getTime()).toBeLessThan(r.to.getTime());
        expect(r.previousFrom.getTime()).toBeLessThan(r.previousTo.getTime());
        if (preset === "year") expect(r.previousTo.getTime()).toBeLessThanOrEqual(r.from.getTime());
        else expect(r.previousTo.getTime()).toBe(r.from.getTime());
        for (const edge of [r.from, r.to, r.previousFrom]) {
          expect(startOfLocalDay(edge, tz).getTime()).toBe(edge.getTime());
        }
        if (preset === "last_jalali_month" || preset === "last_year") {
          expect(r.to.getTime()).toBeLessThanOrEqual(at_.getTime());
        } else {
          expect(r.from.getTime()).toBeLessThanOrEqual(at_.getTime());
          expect(r.to.getTime()).toBeGreaterThan(at_.getTime());
          // Every range that includes today ends with it: none counts days still to come.
          expect(localDateKey(new Date(r.to.getTime() - 1), tz)).toBe(localDateKey(at_, tz));
        }
        const series = bucketSeries(r.from, r.to, r.granularity, tz, { calendar: r.calendar });
        expect(series[0]?.getTime()).toBeLessThanOrEqual(r.from.getTime());
        expect(series.length).toBeLessThanOrEqual(100);
      }),
      { numRuns: 200 },
    );
  });
});

describe("formatDateTime", () => {
  const nowruz = iso("2025-03-20T20:30:00Z");

  it("formats in Jalali with Persian digits for fa-IR", () => {
    expect(formatDateTime(nowruz, { locale: "fa-IR", timeZone: TEHRAN, style: "date" })).toBe("۱ فروردین ۱۴۰۴");
    expect(formatDateTime(nowruz, { locale: "fa-IR", timeZone: TEHRAN, style: "date", digits: "latn" })).toBe(
      "1 فروردین 1404",
    );
  });

  it("switches calendars on request", () => {
    expect(formatDateTime(nowruz, { locale: "en-US", timeZone: TEHRAN, calendar: "persian", style: "month" })).toBe(
      "Farvardin 1404 AP",
    );
    expect(formatDateTime(nowruz, { locale: "fa-IR", timeZone: TEHRAN, calendar: "gregory", style: "month" })).toBe(
      "مارس ۲۰۲۵",
    );
    expect(formatDateTime(nowruz, { locale: "en-US", timeZone: TEHRAN, style: "date" })).toBe("Mar 21, 2025");
    expect(formatDateTime(nowruz, { locale: "en-US", timeZone: "UTC", style: "date" })).toBe("Mar 20, 2025");
  });

  it("formats times in the given zone", () => {
    // The space before AM is U+202F in some ICU versions and U+0020 in others.
    expect(formatDateTime(iso("2026-11-01T06:30:00Z"), { locale: "en-US", timeZone: NY, style: "time" })).toMatch(
      /^1:30\sAM$/,
    );
    expect(formatDateTime(nowruz, { locale: "en-US", timeZone: TEHRAN })).toMatch(/^Mar 21, 2025, 12:00\sAM$/);
  });

  it("throws on an invalid date", () => {
    expect(() => formatDateTime(new Date(NaN), { locale: "en-US", timeZone: "UTC" })).toThrow(RangeError);
  });
});
