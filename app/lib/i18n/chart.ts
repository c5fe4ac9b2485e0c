/**
 * Right-to-left for recharts, which knows nothing of `dir`: in a Persian page time
 * runs from right to left, so the X axis is reversed and the value axis moves to the
 * right edge; legends and tooltips align to the reading start.
 *
 *   const cd = chartDirection(dir);
 *   <LineChart margin={cd.margin({ top: 8, start: 0, end: 16, bottom: 0 })}>
 *     <XAxis dataKey="bucket" {...cd.xAxis} />
 *     <YAxis {...cd.yAxis} tickFormatter={...} />
 *     <Tooltip {...cd.tooltip} />
 *     <Legend {...cd.legend} />
 *
 * For horizontal bars (layout="vertical") use `cd.valueXAxis` on the numeric X axis and
 * `cd.yAxis` on the category axis, so bars grow from the start edge.
 * The SVG itself stays `direction: ltr` (app.css): recharts positions tick labels with
 * text-anchor, which an inherited rtl direction would flip to the wrong side.
 */
import type { CSSProperties } from "react";
import type { Dir } from "./locales";

export interface ChartDirection {
  dir: Dir;
  rtl: boolean;
  /** For a time or category X axis: later buckets further from the reading start. */
  xAxis: { reversed: boolean };
  /**
   * Attributes for labels centred under their tick (a time axis): laid out in the reading
   * direction. In the SVG's ltr a Persian date "۵ آذر ۱۴۰۵" came out as "آذر ۱۴۰۵ ۵";
   * centred text is where rtl moves nothing.
   */
  centredTick: { direction?: "rtl" };
  /** For a numeric X axis of horizontal bars: bars grow from the reading start. */
  valueXAxis: { reversed: boolean };
  /** The value (or category) axis sits at the reading start. */
  yAxis: { orientation: "left" | "right" };
  /** A second Y axis, at the reading end. */
  secondaryYAxis: { orientation: "left" | "right" };
  legend: { align: "left" | "right"; wrapperStyle: CSSProperties };
  tooltip: { wrapperStyle: CSSProperties; contentStyle: CSSProperties; labelStyle: CSSProperties; itemStyle: CSSProperties };
  /** Logical margins (start/end) to the physical ones recharts takes. */
  margin(m: { top?: number; bottom?: number; start?: number; end?: number }): {
    top: number;
    right: number;
    bottom: number;
    left: number;
  };
}

export function chartDirection(dir: Dir): ChartDirection {
  const rtl = dir === "rtl";
  const start = rtl ? "right" : "left";
  const end = rtl ? "left" : "right";
  const text: CSSProperties = { direction: dir, textAlign: rtl ? "right" : "left" };
  return {
    dir,
    rtl,
    xAxis: { reversed: rtl },
    centredTick: rtl ? { direction: "rtl" } : {},
    valueXAxis: { reversed: rtl },
    yAxis: { orientation: start },
    secondaryYAxis: { orientation: end },
    legend: { align: start, wrapperStyle: { direction: dir } },
    tooltip: { wrapperStyle: { direction: dir }, contentStyle: text, labelStyle: text, itemStyle: text },
    margin: ({ top = 0, bottom = 0, start: s = 0, end: e = 0 }) => ({
      top,
      bottom,
      left: rtl ? e : s,
      right: rtl ? s : e,
    }),
  };
}
