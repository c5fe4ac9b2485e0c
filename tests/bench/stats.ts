/** Timing samples, percentiles and the benchmark's result table. */

export interface Metric {
  name: string;
  ours: number | null;
  baseline: number | null;
  /** How many times better ours is than the baseline (baseline/ours for times, ours/baseline for rates). */
  ratio: number | null;
  unit: string;
  /** Human-readable target, "" when the metric is informational. */
  target: string;
  /** null when there is no target. */
  pass: boolean | null;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank: the smallest value with at least p% of the samples at or below it.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export interface Samples {
  ms: number[];
  p50: number;
  p95: number;
  p99: number;
}

/**
 * Runs `fn` `warmup` times unmeasured, then `n` times one after another, timing each.
 * A slow baseline (a raw aggregate over ten million payments takes tens of seconds)
 * stops early once `budgetMs` is spent, after at least three samples.
 */
export async function sample(fn: (i: number) => Promise<unknown>, n: number, warmup = 3, budgetMs = Infinity): Promise<Samples> {
  for (let i = 0; i < warmup; i++) await fn(i);
  const ms: number[] = [];
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    ms.push(performance.now() - t0);
    if (ms.length >= 3 && performance.now() - started > budgetMs) break;
  }
  return { ms, p50: percentile(ms, 50), p95: percentile(ms, 95), p99: percentile(ms, 99) };
}

const round = (v: number | null, digits = 2) => (v === null || !Number.isFinite(v) ? null : Number(v.toFixed(digits)));

/** A latency metric: lower is better; ratio is how many times faster than the baseline. */
export function latency(name: string, ours: number, baseline: number | null, targetMs: number | null, minRatio: number | null = null): Metric {
  const ratio = baseline === null ? null : baseline / ours;
  const parts: string[] = [];
  if (targetMs !== null) parts.push(`<= ${targetMs} ms`);
  if (minRatio !== null) parts.push(`>= ${minRatio}x`);
  const pass = parts.length === 0 ? null : (targetMs === null || ours <= targetMs) && (minRatio === null || (ratio !== null && ratio >= minRatio));
  return { name, ours: round(ours), baseline: round(baseline), ratio: round(ratio), unit: "ms", target: parts.join(", "), pass };
}

export function rate(name: string, ours: number, baseline: number | null, unit: string, opts: { min?: number; minRatio?: number } = {}): Metric {
  const ratio = baseline === null || baseline === 0 ? null : ours / baseline;
  const parts: string[] = [];
  if (opts.min !== undefined) parts.push(`>= ${opts.min.toLocaleString("en-US")} ${unit}`);
  if (opts.minRatio !== undefined) parts.push(`>= ${Math.round(opts.minRatio * 100)}% of baseline`);
  const pass =
    parts.length === 0 ? null : (opts.min === undefined || ours >= opts.min) && (opts.minRatio === undefined || (ratio !== null && ratio >= opts.minRatio));
  return { name, ours: round(ours, 0), baseline: round(baseline, 0), ratio: round(ratio, 3), unit, target: parts.join(", "), pass };
}

/** A size or amount where lower is better (memory, bytes). */
export function ceiling(name: string, ours: number, baseline: number | null, unit: string, max: number | null): Metric {
  const ratio = baseline === null || ours === 0 ? null : baseline / ours;
  return { name, ours: round(ours, 1), baseline: round(baseline, 1), ratio: round(ratio, 3), unit, target: max === null ? "" : `<= ${max} ${unit}`, pass: max === null ? null : ours <= max };
}

export function info(name: string, ours: number, unit: string, baseline: number | null = null): Metric {
  return { name, ours: round(ours), baseline: round(baseline), ratio: null, unit, target: "", pass: null };
}

function fmt(v: number | null, unit = ""): string {
  if (v === null) return "—";
  const s = Math.abs(v) >= 1000 ? Math.round(v).toLocaleString("en-US") : String(v);
  return unit ? `${s} ${unit}` : s;
}

/** The one table the benchmark prints. */
export function formatTable(metrics: Metric[]): string {
  const head = ["metric", "ours", "baseline", "ratio", "target", "pass"];
  const body = metrics.map((m) => [
    m.name,
    fmt(m.ours, m.unit),
    fmt(m.baseline, m.unit),
    m.ratio === null ? "—" : `${m.ratio}x`,
    m.target || "—",
    m.pass === null ? "" : m.pass ? "PASS" : "FAIL",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 4 || i === 5 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}
