/** How a key figure changed against the previous period, as the KPI card shows it. */
import type { KpiDelta } from "~/components/console/kpi";
import type { Formatter } from "~/lib/format";
import type { Translator } from "~/lib/i18n/translate";
import type { KpiValue } from "~/modules/reporting/overview/kpis";

export function moneyDelta(fmt: Formatter, k: KpiValue, upIsGood = true): KpiDelta | null {
  if (k.change === null) return null;
  const change = BigInt(k.change as string);
  return {
    pct: fmt.percentChange(k.changePct),
    abs: fmt.money(change, { signDisplay: "exceptZero" }),
    direction: change > 0n ? "up" : change < 0n ? "down" : "flat",
    upIsGood,
  };
}

export function countDelta(fmt: Formatter, k: KpiValue): KpiDelta | null {
  if (k.change === null) return null;
  const change = k.change as number;
  return {
    pct: fmt.percentChange(k.changePct),
    abs: `${change > 0 ? "+" : ""}${fmt.number(change)}`,
    direction: change > 0 ? "up" : change < 0 ? "down" : "flat",
    upIsGood: true,
  };
}

export function rateDelta(fmt: Formatter, t: Translator, k: KpiValue, upIsGood: boolean): KpiDelta | null {
  if (k.change === null) return null;
  const points = (k.change as number) * 100;
  const rounded = Math.round(points * 10) / 10;
  return {
    pct: fmt.percentChange(k.changePct),
    abs: t("kpi.points", { points: `${rounded > 0 ? "+" : ""}${fmt.number(rounded)}` }),
    direction: rounded > 0 ? "up" : rounded < 0 ? "down" : "flat",
    upIsGood,
  };
}
