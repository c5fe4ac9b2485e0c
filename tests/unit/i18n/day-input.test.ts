import { describe, expect, it } from "vitest";
import { jalaliDayText, normalizeDayInput } from "~/lib/day-input";

describe("days typed into date filters", () => {
  it("keeps ISO days and reads Jalali ones in any digits", () => {
    expect(normalizeDayInput("2025-03-21")).toBe("2025-03-21");
    expect(normalizeDayInput(" 1404/01/01 ")).toBe("2025-03-21");
    expect(normalizeDayInput("۱۴۰۴/۰۱/۰۱")).toBe("2025-03-21");
    expect(normalizeDayInput("١٤٠٤-١-١")).toBe("2025-03-21");
    expect(normalizeDayInput("۱۴۰۴.۹.۴")).toBe("2025-11-25");
  });

  it("knows the Jalali leap years at the end of Esfand", () => {
    // 1403 is a leap year: its 30 Esfand is the day before Nowruz 1404.
    expect(normalizeDayInput("1403/12/30")).toBe("2025-03-20");
    expect(normalizeDayInput("1399/12/30")).toBe("2021-03-20");
    // 1404 is not: there is no 30 Esfand, and the schema refuses what comes back.
    expect(normalizeDayInput("1404/12/30")).toBe("1404/12/30");
    expect(normalizeDayInput("1404/12/29")).toBe("2026-03-20");
  });

  it("reads a Gregorian day written with slashes, and leaves nonsense for the schema to refuse", () => {
    expect(normalizeDayInput("2025/3/21")).toBe("2025-03-21");
    expect(normalizeDayInput("2025/02/30")).toBe("2025/02/30");
    expect(normalizeDayInput("1404/13/01")).toBe("1404/13/01");
    expect(normalizeDayInput("yesterday")).toBe("yesterday");
    expect(normalizeDayInput("")).toBe("");
  });

  it("shows an ISO day as the Jalali day a Persian reader types", () => {
    expect(jalaliDayText("2025-03-21")).toBe("1404/01/01");
    expect(jalaliDayText("2025-03-20")).toBe("1403/12/30");
    expect(jalaliDayText("not a day")).toBe("");
    for (const iso of ["2024-03-19", "2024-03-20", "2025-12-31", "2026-03-20", "2026-03-21"]) {
      expect(normalizeDayInput(jalaliDayText(iso))).toBe(iso);
    }
  });
});

describe("list and Overview date filters", () => {
  it("read a Jalali day typed in Persian digits as its ISO day, and refuse a day that does not exist", async () => {
    const { localDay } = await import("~/modules/reporting/list-query.server");
    expect(localDay.parse("۱۴۰۴/۰۱/۰۱")).toBe("2025-03-21");
    expect(localDay.parse("2025-03-21")).toBe("2025-03-21");
    expect(localDay.safeParse("۱۴۰۴/۱۲/۳۰").success).toBe(false);
  });
});
