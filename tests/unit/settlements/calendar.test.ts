import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HOLIDAYS } from "~/modules/settlements/holiday-data";
import {
  addBusinessDays,
  businessDaysBetween,
  cutoffOn,
  cutoffsBetween,
  defaultSchedule,
  expectedArrival,
  isBusinessDay,
  nextCutoff,
  normalizeCutoff,
  payoutTimes,
  previousCutoff,
  settlementDayOf,
  type SettlementCalendar,
} from "~/modules/settlements/calendar";

const days = (calendar: string) => new Set((HOLIDAYS[calendar] ?? []).map((h) => h.day));

const tehran: SettlementCalendar = {
  timeZone: "Asia/Tehran",
  cutoff: "23:30",
  delayDays: 1,
  weekendDays: [5],
  holidays: days("IR"),
};
const newYork: SettlementCalendar = {
  timeZone: "America/New_York",
  cutoff: "00:00",
  delayDays: 1,
  weekendDays: [0, 6],
  holidays: days("US"),
};

describe("business days", () => {
  it("skips the Iranian weekend (Friday) but works Saturday", () => {
    // Thursday 2025-10-16 -> Friday is the weekend -> Saturday 2025-10-18.
    expect(addBusinessDays("2025-10-16", 1, tehran)).toBe("2025-10-18");
    expect(isBusinessDay("2025-10-18", tehran)).toBe(true);
    expect(isBusinessDay("2025-10-17", tehran)).toBe(false);
  });

  it("skips Saturday and Sunday in New York", () => {
    expect(addBusinessDays("2025-10-17", 1, newYork)).toBe("2025-10-20"); // Fri -> Mon
    expect(addBusinessDays("2025-10-17", 2, newYork)).toBe("2025-10-21");
  });

  it("skips public holidays: Thanksgiving and the day after a weekend", () => {
    expect(addBusinessDays("2025-11-26", 1, newYork)).toBe("2025-11-28"); // Thanksgiving 11-27
    // Labor Day Monday 2025-09-01: Friday + 1 business day is Tuesday.
    expect(addBusinessDays("2025-08-29", 1, newYork)).toBe("2025-09-02");
  });

  it("crosses the Gregorian year end (New Year's Day is a US holiday)", () => {
    expect(addBusinessDays("2025-12-31", 1, newYork)).toBe("2026-01-02");
    // Christmas Thursday, then Friday, weekend, Monday 2025-12-29.
    expect(addBusinessDays("2025-12-24", 2, newYork)).toBe("2025-12-29");
  });

  it("crosses the Jalali year end into Nowruz", () => {
    // Thursday 2026-03-19 (28 Esfand 1404); 03-20 is Friday and a holiday; Nowruz 03-21..24.
    expect(addBusinessDays("2026-03-19", 1, tehran)).toBe("2026-03-25");
    // 1403 -> 1404: Nowruz 2025-03-21..24 (03-21 is also a Friday).
    expect(addBusinessDays("2025-03-20", 1, tehran)).toBe("2025-03-25");
  });

  it("T+0 is the day itself on a business day, else the next business day", () => {
    expect(addBusinessDays("2025-10-18", 0, tehran)).toBe("2025-10-18");
    expect(addBusinessDays("2025-10-17", 0, tehran)).toBe("2025-10-18");
  });

  it("a merchant's open day overrides a country holiday, but not the weekend", () => {
    const open = { ...newYork, openDays: new Set(["2025-11-11", "2025-11-29"]) }; // Veterans Day; a Saturday
    expect(isBusinessDay("2025-11-11", newYork)).toBe(false);
    expect(isBusinessDay("2025-11-11", open)).toBe(true);
    expect(isBusinessDay("2025-11-29", open)).toBe(false);
  });

  it("a calendar without business days is an error a person can read", () => {
    expect(() => addBusinessDays("2025-01-01", 1, { ...newYork, weekendDays: [0, 1, 2, 3, 4, 5, 6] })).toThrow(/no business day/);
  });

  it("addBusinessDays lands on a business day exactly n business days later (property)", () => {
    const start = Date.UTC(2025, 0, 1);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 700 }), fc.integer({ min: 0, max: 12 }), fc.boolean(), (offset, n, iran) => {
        const cal = iran ? tehran : newYork;
        const day = new Date(start + offset * 86400_000).toISOString().slice(0, 10);
        const result = addBusinessDays(day, n, cal);
        expect(isBusinessDay(result, cal)).toBe(true);
        if (n > 0) expect(businessDaysBetween(day, result, cal)).toBe(n);
        expect(result >= day).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe("cutoffs", () => {
  it("a payment at 23:29 Tehran time settles that day; at 23:31 the next", () => {
    const at2329 = new Date("2025-10-18T23:29:00+03:30");
    const at2331 = new Date("2025-10-18T23:31:00+03:30");
    const c1 = nextCutoff(at2329, tehran);
    const c2 = nextCutoff(at2331, tehran);
    expect(c1.toISOString()).toBe("2025-10-18T20:00:00.000Z"); // 23:30 +03:30
    expect(c2.toISOString()).toBe("2025-10-19T20:00:00.000Z");
    expect(settlementDayOf(c1, tehran)).toBe("2025-10-18");
    expect(settlementDayOf(c2, tehran)).toBe("2025-10-19");
    expect(expectedArrival(c1, tehran)).toBe("2025-10-19");
    expect(expectedArrival(c2, tehran)).toBe("2025-10-20");
  });

  it("a payment exactly at the cutoff belongs to the next one", () => {
    const exactly = new Date("2025-10-18T20:00:00.000Z");
    expect(nextCutoff(exactly, tehran).toISOString()).toBe("2025-10-19T20:00:00.000Z");
    expect(previousCutoff(exactly, tehran).toISOString()).toBe(exactly.toISOString());
  });

  it("Thursday evening in Tehran arrives Saturday (Friday is the weekend)", () => {
    const thursday = nextCutoff(new Date("2025-10-16T12:00:00+03:30"), tehran);
    expect(expectedArrival(thursday, tehran)).toBe("2025-10-18");
  });

  it("a midnight cutoff closes the previous day", () => {
    const c = cutoffOn("2025-10-21", newYork);
    expect(c.toISOString()).toBe("2025-10-21T04:00:00.000Z");
    expect(settlementDayOf(c, newYork)).toBe("2025-10-20");
    expect(expectedArrival(c, newYork)).toBe("2025-10-21");
  });

  it("follows New York's spring-forward: the day is 23 hours, the cutoff stays at local midnight", () => {
    const before = cutoffOn("2026-03-08", newYork);
    const after = cutoffOn("2026-03-09", newYork);
    expect(before.toISOString()).toBe("2026-03-08T05:00:00.000Z"); // EST
    expect(after.toISOString()).toBe("2026-03-09T04:00:00.000Z"); // EDT
    expect(after.getTime() - before.getTime()).toBe(23 * 3600_000);
    // 23:59 EDT on Sunday 03-08 is 03:59Z on 03-09: still Sunday's settlement.
    const late = new Date("2026-03-09T03:59:00Z");
    expect(nextCutoff(late, newYork).toISOString()).toBe(after.toISOString());
    expect(settlementDayOf(after, newYork)).toBe("2026-03-08");
    expect(cutoffsBetween(before, new Date("2026-03-11T12:00:00Z"), newYork).map((c) => c.toISOString())).toEqual([
      "2026-03-09T04:00:00.000Z",
      "2026-03-10T04:00:00.000Z",
      "2026-03-11T04:00:00.000Z",
    ]);
  });

  it("follows New York's fall-back: the day is 25 hours", () => {
    const before = cutoffOn("2026-11-01", newYork);
    const after = cutoffOn("2026-11-02", newYork);
    expect(before.toISOString()).toBe("2026-11-01T04:00:00.000Z");
    expect(after.toISOString()).toBe("2026-11-02T05:00:00.000Z");
    expect(after.getTime() - before.getTime()).toBe(25 * 3600_000);
    // 00:30 EST on 11-02 belongs to the next day's settlement.
    expect(nextCutoff(new Date("2026-11-02T05:30:00Z"), newYork).toISOString()).toBe("2026-11-03T05:00:00.000Z");
  });

  it("a cutoff inside the DST gap or overlap still happens once a day", () => {
    const gap = { ...newYork, cutoff: "02:30" };
    // 02:30 does not exist on 2026-03-08: it happens at 03:30 EDT, once.
    expect(cutoffOn("2026-03-08", gap).toISOString()).toBe("2026-03-08T07:30:00.000Z");
    const overlap = { ...newYork, cutoff: "01:30" };
    // 01:30 happens twice on 2026-11-01: the first one counts.
    expect(cutoffOn("2026-11-01", overlap).toISOString()).toBe("2026-11-01T05:30:00.000Z");
    const cs = cutoffsBetween(new Date("2026-10-30T12:00:00Z"), new Date("2026-11-03T12:00:00Z"), overlap);
    expect(cs).toHaveLength(4);
    expect(new Set(cs.map((c) => settlementDayOf(c, overlap))).size).toBe(4);
  });

  it("Tehran has no DST: cutoffs are 24 hours apart all year", () => {
    const cs = cutoffsBetween(new Date("2026-03-15T00:00:00Z"), new Date("2026-09-30T00:00:00Z"), tehran);
    for (let i = 1; i < cs.length; i++) expect(cs[i]!.getTime() - cs[i - 1]!.getTime()).toBe(86400_000);
  });
});

describe("payout times", () => {
  it("is sent the next business morning and arrives on the expected date", () => {
    const cutoff = cutoffOn("2025-10-16", tehran); // Thursday 23:30
    const t = payoutTimes(cutoff, tehran);
    expect(t.settlementDay).toBe("2025-10-16");
    expect(t.expectedArrivalDate).toBe("2025-10-18");
    expect(t.sendAt.toISOString()).toBe("2025-10-18T04:30:00.000Z"); // 08:00 +03:30
    expect(t.arriveAt.toISOString()).toBe("2025-10-18T06:30:00.000Z"); // 10:00 +03:30
  });

  it("T+2 in New York: sent the next business day, credited the one after", () => {
    const cal = { ...newYork, delayDays: 2 };
    const cutoff = cutoffOn("2025-10-18", cal); // Saturday 00:00 closes Friday
    const t = payoutTimes(cutoff, cal);
    expect(t.settlementDay).toBe("2025-10-17");
    expect(t.sendAt.toISOString()).toBe("2025-10-20T12:00:00.000Z"); // Monday 08:00 EDT
    expect(t.expectedArrivalDate).toBe("2025-10-21");
  });

  it("never before the cutoff, even at T+0", () => {
    const cal = { ...tehran, delayDays: 0 };
    const cutoff = cutoffOn("2025-10-18", cal);
    const t = payoutTimes(cutoff, cal);
    expect(t.expectedArrivalDate).toBe("2025-10-18");
    expect(t.sendAt.getTime()).toBe(cutoff.getTime());
    expect(t.arriveAt.getTime()).toBe(cutoff.getTime());
  });
});

describe("schedule defaults and input", () => {
  it("IRR merchants close at 23:30 with a Friday weekend; others at midnight", () => {
    expect(defaultSchedule({ currency: "IRR", country: "IR" })).toEqual({ cutoff: "23:30", delayDays: 1, weekendDays: [5], holidayCalendar: "IR" });
    expect(defaultSchedule({ currency: "USD", country: "US" })).toEqual({ cutoff: "00:00", delayDays: 1, weekendDays: [0, 6], holidayCalendar: "US" });
  });

  it("normalises cutoff times and refuses impossible ones", () => {
    expect(normalizeCutoff("23:30:00")).toBe("23:30");
    expect(normalizeCutoff("7:05")).toBe("07:05");
    expect(normalizeCutoff("24:00")).toBeNull();
    expect(normalizeCutoff("12:60")).toBeNull();
    expect(normalizeCutoff("noon")).toBeNull();
  });
});
