/**
 * The Overview's key figures and their change against the previous period. Pure.
 */
import { percentChange } from "~/lib/money";
import type { Totals } from "./figures.server";

export interface KpiValue {
  /** Money as a decimal string of minor units, counts as numbers, rates as ratios (0..1). */
  current: string | number | null;
  previous: string | number | null;
  /** current - previous (same unit; rates in ratio points). */
  change: string | number | null;
  /** Relative change in percent, null without a baseline. */
  changePct: number | null;
  /** One value per bucket, for the sparkline (money as major-unit-free decimal strings). */
  spark: (string | number | null)[];
}

export interface OverviewKpis {
  gross: KpiValue;
  net: KpiValue;
  capturedCount: KpiValue;
  averageTicket: KpiValue;
  refunds: KpiValue;
  refundRate: KpiValue;
  declineRate: KpiValue;
}

function ratio(n: bigint | number, d: bigint | number): number | null {
  const dn = Number(d);
  if (dn === 0) return null;
  return Number(n) / dn;
}

/** Average ticket, rounded half up to a whole minor unit. */
export function averageTicket(t: Totals): bigint | null {
  if (t.capturedCount === 0) return null;
  const n = BigInt(t.capturedCount);
  return (t.gross * 2n + n) / (2n * n);
}

function moneyKpi(cur: bigint | null, prev: bigint | null, spark: (bigint | null)[]): KpiValue {
  return {
    current: cur === null ? null : cur.toString(),
    previous: prev === null ? null : prev.toString(),
    change: cur === null || prev === null ? null : (cur - prev).toString(),
    changePct: cur === null || prev === null ? null : percentChange(cur, prev),
    spark: spark.map((v) => (v === null ? null : v.toString())),
  };
}

function numberKpi(cur: number | null, prev: number | null, spark: (number | null)[]): KpiValue {
  return {
    current: cur,
    previous: prev,
    change: cur === null || prev === null ? null : cur - prev,
    changePct: cur === null || prev === null || prev === 0 ? null : ((cur - prev) / Math.abs(prev)) * 100,
    spark,
  };
}

/**
 * The key figures with their change against the previous period. Without a `comparable`
 * previous period (it began before the merchant's first sale) there is no change at all:
 * "+1,870%" against a year the merchant did not yet trade is noise, the page says "new".
 */
export function overviewKpis(current: Totals, previous: Totals, buckets: Totals[], comparable = true): OverviewKpis {
  if (!comparable) {
    const kpis = overviewKpis(current, previous, buckets);
    for (const k of Object.values(kpis)) {
      k.change = null;
      k.changePct = null;
    }
    return kpis;
  }
  return {
    gross: moneyKpi(current.gross, previous.gross, buckets.map((b) => b.gross)),
    net: moneyKpi(current.net, previous.net, buckets.map((b) => b.net)),
    capturedCount: numberKpi(current.capturedCount, previous.capturedCount, buckets.map((b) => b.capturedCount)),
    averageTicket: moneyKpi(averageTicket(current), averageTicket(previous), buckets.map(averageTicket)),
    refunds: moneyKpi(current.refunds, previous.refunds, buckets.map((b) => b.refunds)),
    refundRate: numberKpi(ratio(current.refunds, current.gross), ratio(previous.refunds, previous.gross), buckets.map((b) => ratio(b.refunds, b.gross))),
    declineRate: numberKpi(ratio(current.declines, current.attempts), ratio(previous.declines, previous.attempts), buckets.map((b) => ratio(b.declines, b.attempts))),
  };
}
