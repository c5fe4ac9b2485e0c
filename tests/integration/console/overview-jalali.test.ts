import { demoSeededAt, useTestDatabase } from "../../support/db";
import { coffee, northwind } from "../../support/demo";
import { jalaliToUtc, toJalali } from "../../../app/lib/dates/jalali";
import { localDateKey, zonedParts } from "../../../app/lib/dates/zones";
import { overviewQuerySchema, resolveOverviewRange } from "../../../app/modules/reporting/overview/range.server";
import { salesReport } from "../../../app/modules/reporting/overview/report.server";
import { oracleGrossByDay } from "./sql-oracle";

/**
 * The Overview as a Persian reader asks for it: Jalali presets, weeks from Saturday
 * and Jalali months, checked against the ledger day by day.
 */
const t = useTestDatabase({ seed: "demo" });

function q(params: Record<string, string>) {
  return overviewQuerySchema.parse(new URLSearchParams(params));
}

describe("Overview in the Jalali calendar", () => {
  // Pinned instants: an ordinary day, the last day of Esfand, Nowruz (1 Farvardin), the day after.
  it.each(["2026-12-06T10:00:00Z", "2026-03-20T12:00:00Z", "2026-03-20T21:00:00Z", "2026-03-21T21:00:00Z"])(
    "this Jalali month starts on its first day, and last Jalali month is a whole one (at %s)",
    async (at) => {
      const now = new Date(at);
      const j = toJalali(now, coffee.timeZone);
      const month = resolveOverviewRange(coffee.timeZone, q({ range: "jalali_month" }), now, { calendar: "persian" });
      expect(month.fromDay).toBe(localDateKey(jalaliToUtc({ year: j.year, month: j.month, day: 1 }, coffee.timeZone), coffee.timeZone));
      expect(month.toDay).toBe(localDateKey(now, coffee.timeZone));
      const last = resolveOverviewRange(coffee.timeZone, q({ range: "last_jalali_month" }), now, { calendar: "persian" });
      expect(toJalali(new Date(`${last.fromDay}T12:00:00Z`), "UTC").day).toBe(1);
      expect(toJalali(new Date(`${last.toDay}T12:00:00Z`), "UTC").day).toBeGreaterThanOrEqual(29);
      const ytd = resolveOverviewRange(coffee.timeZone, q({ range: "jalali_ytd" }), now, { calendar: "persian" });
      expect(toJalali(new Date(`${ytd.fromDay}T12:00:00Z`), "UTC")).toMatchObject({ year: j.year, month: 1, day: 1 });
    },
  );

  it("groups weeks from Saturday for a Persian reader, whatever the merchant's currency", async () => {
    for (const scope of [coffee, northwind]) {
      const range = resolveOverviewRange(scope.timeZone, q({ range: "90d", g: "week" }), demoSeededAt(), { calendar: "persian" });
      const report = await salesReport(scope, range);
      for (const b of report.current.buckets.slice(1)) expect(zonedParts(new Date(b.start), scope.timeZone).weekday).toBe(6);
      const byDay = await oracleGrossByDay(t.db, scope.merchantId, scope.timeZone, range.fromDay, range.toDay);
      const sum = report.current.buckets.reduce((a, b) => a + b.gross, 0n);
      expect(sum).toBe([...byDay.values()].reduce((a, b) => a + b, 0n));
    }
  });

  it("groups months by Jalali month, each bucket holding exactly its days", async () => {
    const range = resolveOverviewRange(coffee.timeZone, q({ range: "12m", g: "month" }), demoSeededAt(), { calendar: "persian" });
    expect(range.calendar).toBe("persian");
    const report = await salesReport(coffee, range);
    const byDay = await oracleGrossByDay(t.db, coffee.merchantId, coffee.timeZone, range.fromDay, range.toDay);
    const starts = report.current.buckets.map((b) => toJalali(new Date(b.start), coffee.timeZone));
    for (const s of starts.slice(1)) expect(s.day).toBe(1);
    // Every day's gross lands in the bucket of its Jalali month.
    const expected = new Map<string, bigint>();
    for (const [day, gross] of byDay) {
      const j = toJalali(new Date(`${day}T12:00:00Z`), "UTC");
      const key = `${j.year}-${j.month}`;
      expected.set(key, (expected.get(key) ?? 0n) + gross);
    }
    for (const [i, b] of report.current.buckets.entries()) {
      const s = starts[i]!;
      expect(b.gross, `${s.year}/${s.month}`).toBe(expected.get(`${s.year}-${s.month}`) ?? 0n);
    }
    expect(report.current.buckets.reduce((a, b) => a + b.gross, 0n)).toBe(report.current.totals.gross);
  });

  it("an English reader keeps Gregorian months", async () => {
    const range = resolveOverviewRange(coffee.timeZone, q({ range: "12m", g: "month" }), demoSeededAt());
    expect(range.calendar).toBe("gregory");
    const report = await salesReport(coffee, range);
    for (const b of report.current.buckets) expect(zonedParts(new Date(b.start), coffee.timeZone).day).toBe(1);
  });
});
