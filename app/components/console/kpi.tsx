import type { ReactNode } from "react";
import { useT } from "~/lib/i18n/react";
import { Sparkline } from "./charts";

export interface KpiDelta {
  /** "+12.5%" */
  pct: string;
  /** "+1,234,000 IRR" or "+0.4 pp" */
  abs: string;
  direction: "up" | "down" | "flat";
  /** Whether going up is good (volume) or bad (refunds, declines). */
  upIsGood: boolean;
}

/**
 * One key figure with its change against the previous period. The sparkline is
 * decorative; the change is spelled out (and coloured only as a second cue).
 */
export function KpiCard(props: {
  label: string;
  value: string;
  sub?: ReactNode;
  delta?: KpiDelta | null;
  previous?: string;
  spark?: (number | null)[];
  /** The last value of the sparkline is a period still filling: drawn dotted. */
  sparkSoFar?: boolean;
  /** In place of a change: the previous period began before the first sale ("New: first sale on …"). */
  isNew?: string;
  testId?: string;
}) {
  const t = useT();
  const { delta } = props;
  const tone = !delta || delta.direction === "flat" ? "" : (delta.direction === "up") === delta.upIsGood ? "up" : "down";
  const arrow = !delta ? "" : delta.direction === "up" ? "▲" : delta.direction === "down" ? "▼" : "■";
  return (
    <div className="kpi" data-testid={props.testId}>
      <div className="label">{props.label}</div>
      <div className="value num">{props.value}</div>
      {props.sub ? <div className="muted kpi-sub">{props.sub}</div> : null}
      {delta ? (
        <div className={`delta ${tone}`}>
          <span aria-hidden="true">{arrow} </span>
          {t("kpi.change", { pct: delta.pct, abs: delta.abs })}
        </div>
      ) : null}
      {props.isNew ? (
        <div className="delta kpi-new">
          <span className="badge badge-new">{t("kpi.new")}</span> {props.isNew}
        </div>
      ) : null}
      {props.previous !== undefined ? <div className="muted kpi-prev">{t("kpi.previous", { value: props.previous })}</div> : null}
      {props.spark && props.spark.length > 1 ? <Sparkline values={props.spark} soFarLast={props.sparkSoFar} /> : null}
    </div>
  );
}
