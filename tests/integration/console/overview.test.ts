import { sql } from "drizzle-orm";
import { demoSeededAt, useTestDatabase } from "../../support/db";
import { coffee, northwind } from "../../support/demo";
import { rows } from "../../../db/client.server";
import { addLocalDays, localDateKey } from "../../../app/lib/dates/zones";
import { averageTicket } from "../../../app/modules/reporting/overview/kpis";
import { overviewQuerySchema, resolveOverviewRange } from "../../../app/modules/reporting/overview/range.server";
import { salesReport } from "../../../app/modules/reporting/overview/report.server";
import { ListFilterError } from "../../../app/modules/reporting/list-query.server";
import { oracleGrossByDay, oracleTotals } from "./sql-oracle";

const t = useTestDatabase({ seed: "demo" });

function q(params: Record<string, string>) {
  return overviewQuerySchema.parse(new URLSearchParams(params));
}

describe("Overview figures against the raw ledger", () => {
  for (const scope of [coffee, northwind]) {
    it(`${scope.merchantId}: last 30 days and the 30 before match payments and ledger`, async () => {
      const now = demoSeededAt();
      const range = resolveOverviewRange(scope.timeZone, q({ range: "30d" }), now);
      expect(range.days).toBe(30);
      expect(range.toDay).toBe(localDateKey(now, scope.timeZone));
      const report = await salesReport(scope, range);
      const cur = await oracleTotals(t.db, scope.merchantId, scope.timeZone, range.fromDay, range.toDay);
      const prev = await oracleTotals(t.db, scope.merchantId, scope.timeZone, range.previousFromDay, range.previousToDay);
      expect(cur.gross).toBeGreaterThan(0n);
      expect(prev.gross).toBeGreaterThan(0n);

      expect(report.current.totals).toMatchObject({
        gross: cur.gross,
        fees: cur.fees,
        refunds: cur.refunds,
        net: cur.net,
        capturedCount: cur.captured,
        attempts: cur.attempts,
        declines: cur.declines,
      });
      expect(report.previous.totals).toMatchObject({ gross: prev.gross, net: prev.net, capturedCount: prev.captured });

      // KPI cards: values, previous period and the change.
      expect(report.kpis.gross.current).toBe(cur.gross.toString());
      expect(report.kpis.gross.previous).toBe(prev.gross.toString());
      expect(report.kpis.gross.change).toBe((cur.gross - prev.gross).toString());
      expect(report.kpis.gross.changePct).toBeCloseTo((Number(cur.gross - prev.gross) / Number(prev.gross)) * 100, 6);
      expect(report.kpis.net.current).toBe((cur.gross - cur.refunds - cur.fees).toString());
      expect(report.kpis.capturedCount.current).toBe(cur.captured);
      const avg = (cur.gross * 2n + BigInt(cur.captured)) / (2n * BigInt(cur.captured));
      expect(report.kpis.averageTicket.current).toBe(avg.toString());
      expect(report.kpis.refunds.current).toBe(cur.refunds.toString());
      expect(report.kpis.refundRate.current).toBeCloseTo(Number(cur.refunds) / Number(cur.gross), 12);
      expect(report.kpis.declineRate.current).toBeCloseTo(cur.declines / cur.attempts, 12);
      expect(report.kpis.declineRate.previous).toBeCloseTo(prev.declines / prev.attempts, 12);

      // The daily buckets are the local days of the range, each equal to payments captured that local day.
      expect(report.current.buckets).toHaveLength(30);
      const byDay = await oracleGrossByDay(t.db, scope.merchantId, scope.timeZone, range.fromDay, range.toDay);
      for (const b of report.current.buckets) {
        const day = localDateKey(new Date(b.start), scope.timeZone);
        expect(b.gross, day).toBe(byDay.get(day) ?? 0n);
      }
      expect(report.current.buckets.reduce((s, b) => s + b.gross, 0n)).toBe(cur.gross);
      expect(report.previous.buckets).toHaveLength(30);

      // Breakdowns add up to the total, whichever dimension.
      for (const dim of ["terminal", "brand", "bank", "funding"] as const) {
        expect(report.breakdowns[dim].reduce((s, r) => s + r.gross, 0n), dim).toBe(cur.gross);
        expect(report.breakdowns[dim].reduce((s, r) => s + r.attempts, 0), dim).toBe(cur.attempts);
      }
    });
  }

  it("a one-day range covers the merchant's local day, not the UTC day (Tehran, +03:30)", async () => {
    const now = demoSeededAt();
    // Yesterday in Tehran: from 20:30 UTC the day before to 20:30 UTC.
    const day = localDateKey(addLocalDays(now, -1, coffee.timeZone), coffee.timeZone);
    const range = resolveOverviewRange(coffee.timeZone, q({ from: day, to: day }), now);
    expect(range.preset).toBe("custom");
    expect(range.from.toISOString()).toMatch(/T20:30:00\.000Z$/);
    expect(range.granularity).toBe("hour");
    const report = await salesReport(coffee, range);
    const oracle = await oracleTotals(t.db, coffee.merchantId, coffee.timeZone, day, day);
    expect(report.current.totals.gross).toBe(oracle.gross);
    expect(report.current.totals.attempts).toBe(oracle.attempts);
    // 24 local hours, summing to the day (raw hourly rows agree with the rollup's day).
    expect(report.current.buckets).toHaveLength(24);
    expect(report.current.buckets.reduce((s, b) => s + b.gross, 0n)).toBe(oracle.gross);
    expect(report.current.buckets.reduce((s, b) => s + b.attempts, 0)).toBe(oracle.attempts);
    expect(report.current.buckets.reduce((s, b) => s + b.refunds, 0n)).toBe(oracle.refunds);

    // The first local hours (00:00-03:30) are still the previous UTC day. Take a local
    // day with a capture in those hours: the merchant-day figures include it, a UTC-day sum would not.
    const [early] = await rows<{ day: string }>(
      t.db,
      sql`select (created_at at time zone 'Asia/Tehran')::date::text as day from ledger_transactions
          where merchant_id = ${coffee.merchantId} and category = 'charge'
            and (created_at at time zone 'UTC')::date <> (created_at at time zone 'Asia/Tehran')::date
            and created_at < ${range.from.toISOString()}::timestamptz
          order by created_at desc limit 1`,
    );
    expect(early, "the demo data has captures between 00:00 and 03:30 Tehran time").toBeDefined();
    const crossing = resolveOverviewRange(coffee.timeZone, q({ from: early!.day, to: early!.day }), now);
    const crossingReport = await salesReport(coffee, crossing);
    const local = await oracleTotals(t.db, coffee.merchantId, coffee.timeZone, early!.day, early!.day);
    const utc = await oracleTotals(t.db, coffee.merchantId, "UTC", early!.day, early!.day);
    expect(crossingReport.current.totals.gross).toBe(local.gross);
    expect(crossingReport.current.buckets.reduce((s, b) => s + b.gross, 0n)).toBe(local.gross);
    expect(crossingReport.current.buckets[0]!.start).toMatch(/T20:30:00\.000Z$/);
    expect(local.gross).not.toBe(utc.gross);
    // And yesterday's previous period is the day before.
    const prevDay = localDateKey(addLocalDays(now, -2, coffee.timeZone), coffee.timeZone);
    expect(range.previousFromDay).toBe(prevDay);
    expect(range.previousToDay).toBe(prevDay);
    const prevOracle = await oracleTotals(t.db, coffee.merchantId, coffee.timeZone, prevDay, prevDay);
    expect(report.previous.totals.gross).toBe(prevOracle.gross);
    expect(report.kpis.gross.change).toBe((oracle.gross - prevOracle.gross).toString());
  });

  it("today is hourly in the merchant's zone and matches the ledger so far", async () => {
    const now = demoSeededAt();
    const range = resolveOverviewRange(northwind.timeZone, q({ range: "today" }), now);
    expect(range.granularity).toBe("hour");
    const report = await salesReport(northwind, range);
    const today = localDateKey(now, northwind.timeZone);
    const oracle = await oracleTotals(t.db, northwind.merchantId, northwind.timeZone, today, today);
    expect(report.current.totals.gross).toBe(oracle.gross);
    expect(report.current.buckets.reduce((s, b) => s + b.gross, 0n)).toBe(oracle.gross);
    expect(report.current.buckets.length).toBeGreaterThanOrEqual(23);
  });

  it("groups 90 days by week (Saturday weeks for rial merchants) and 12 months by month", async () => {
    const now = demoSeededAt();
    const weekly = resolveOverviewRange(coffee.timeZone, q({ range: "90d", g: "week" }), now);
    const report = await salesReport(coffee, weekly);
    const oracle = await oracleTotals(t.db, coffee.merchantId, coffee.timeZone, weekly.fromDay, weekly.toDay);
    expect(report.current.buckets.reduce((s, b) => s + b.gross, 0n)).toBe(oracle.gross);
    for (const b of report.current.buckets.slice(1)) {
      // Saturday in Tehran.
      expect(new Date(new Date(b.start).getTime() + 12 * 3600_000).getUTCDay()).toBe(6);
    }
    const monthly = resolveOverviewRange(northwind.timeZone, q({ range: "12m" }), now);
    expect(monthly.granularity).toBe("month");
    const m = await salesReport(northwind, monthly);
    // Trailing: from the day after this date a year ago, so the first and the current month are partial
    // (twelve whole months only when that day is the 1st).
    expect(m.current.buckets).toHaveLength(monthly.fromDay.endsWith("-01") ? 12 : 13);
    expect(monthly.toDay).toBe(localDateKey(now, northwind.timeZone));
    const mo = await oracleTotals(t.db, northwind.merchantId, northwind.timeZone, monthly.fromDay, monthly.toDay);
    expect(m.current.totals.gross).toBe(mo.gross);
  });

  it("refuses a range that cannot be drawn, saying which field and why", () => {
    expect(() => resolveOverviewRange("UTC", q({ from: "2025-03-10", to: "2025-03-01" }))).toThrow(ListFilterError);
    expect(() => resolveOverviewRange("UTC", q({ range: "90d", g: "hour" }))).toThrow(/Hourly charts cover at most two days/);
    expect(() => resolveOverviewRange("UTC", q({ from: "2025-03-10" }))).toThrow(/last day/);
  });

  it("rounds the average ticket half up to a whole minor unit", () => {
    expect(averageTicket({ gross: 10n, capturedCount: 4 } as never)).toBe(3n);
    expect(averageTicket({ gross: 9n, capturedCount: 4 } as never)).toBe(2n);
    expect(averageTicket({ gross: 0n, capturedCount: 0 } as never)).toBeNull();
  });
});
