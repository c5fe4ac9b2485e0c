/**
 * The in-process scheduler: while the server runs, the background jobs run every
 * minute (payout engine, reconciliation of unknown payment outcomes). Each job is
 * idempotent and safe to run concurrently, so several app servers may all run it.
 * `npm run jobs` runs the same jobs once from the command line.
 */
import fs from "node:fs";
import path from "node:path";
import { dbHandle, pgliteDir } from "../../db/client.server";
import { formatMoney, isCurrencyCode } from "../lib/money";
import { runPayoutEngine, type PayoutEngineReport, type PayoutEvent } from "../modules/settlements/engine.server";
import { ensureHolidayCalendars } from "../modules/settlements/holidays.server";
import { reconcilePending } from "./jobs/reconcile-pending";
import { recoverAbandonedKeys } from "../modules/idempotency/idempotency.server";
import { rebuildApiResponse } from "../modules/payments/api.server";

/** Idempotency keys left in progress by a killed process or a lost database: rebuilt or released (real clock, never a simulated one). */
export function recoverIdempotencyKeys(): Promise<{ rebuilt: number; released: number }> {
  return recoverAbandonedKeys(rebuildApiResponse, new Date());
}

export interface JobsReport {
  now: Date;
  payouts: PayoutEngineReport;
  reconcile: Record<string, number> | null;
  errors: string[];
}

let holidaysLoaded: Promise<void> | undefined;


/** Runs every background job once, as of `now` (a simulated clock in tests and `npm run jobs --now`). */
export async function runJobsOnce(opts: { now: Date; merchantIds?: string[]; incremental?: boolean }): Promise<JobsReport> {
  const errors: string[] = [];
  holidaysLoaded ??= ensureHolidayCalendars().catch((e) => {
    holidaysLoaded = undefined;
    throw e;
  });
  await holidaysLoaded;
  let reconcile: JobsReport["reconcile"] = null;
  let keys: { rebuilt: number; released: number } | null = null;
  try {
    keys = await recoverIdempotencyKeys();
  } catch (e) {
    errors.push(`recover idempotency keys: ${e instanceof Error ? e.message : String(e)}`);
  }
  {
    try {
      reconcile = { ...(await reconcilePending({ now: opts.now })), ...(keys && (keys.rebuilt || keys.released) ? { keysRebuilt: keys.rebuilt, keysReleased: keys.released } : {}) };
    } catch (e) {
      errors.push(`reconcile pending payments: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const payouts = await runPayoutEngine({ now: opts.now, merchantIds: opts.merchantIds, incremental: opts.incremental });
  for (const r of payouts.runs) if (r.error) errors.push(`payouts of ${r.name} (${r.currency}): ${r.error}`);
  return { now: opts.now, payouts, reconcile, errors };
}

function money(amount: bigint, currency: string): string {
  return isCurrencyCode(currency) ? formatMoney(amount, currency) : `${amount} ${currency}`;
}

function describeEvent(e: PayoutEvent): string {
  const amount = money(e.amount, e.currency);
  switch (e.kind) {
    case "created":
      return `created ${e.payoutId} for ${amount} (${e.itemCount} balance transaction${e.itemCount === 1 ? "" : "s"}, cutoff ${e.at.toISOString()}, expected ${e.expectedArrivalDate})`;
    case "sent":
      return `sent ${e.payoutId} (${amount}) to the bank at ${e.at.toISOString()}`;
    case "paid":
      return `paid ${e.payoutId} (${amount}) at ${e.at.toISOString()}`;
    case "failed":
      return `FAILED ${e.payoutId} (${amount}): ${e.failureCode}${e.wasPaid ? " (returned after it was paid)" : ""}; the money is back in the balance for the next payout`;
  }
}

/** Human-readable lines; `quiet` leaves out merchants with nothing to say. */
export function formatJobsReport(r: JobsReport, opts: { quiet?: boolean } = {}): string[] {
  const lines: string[] = [];
  for (const run of r.payouts.runs) {
    if (run.events.length === 0 && !run.held && !run.error) {
      if (!opts.quiet) lines.push(`${run.name} (${run.currency}): nothing to do`);
      continue;
    }
    lines.push(`${run.name} (${run.currency}):`);
    for (const e of run.events) lines.push(`  ${describeEvent(e)}`);
    if (run.held) lines.push(`  on hold: ${run.held}`);
    if (run.error) lines.push(`  ERROR: ${run.error}`);
  }
  if (r.reconcile && (!opts.quiet || Object.entries(r.reconcile).some(([k, v]) => k !== "checked" && v > 0))) {
    lines.push(`reconcile pending payments: ${Object.entries(r.reconcile).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  }
  for (const e of r.errors) if (!lines.some((l) => l.includes(e))) lines.push(`ERROR: ${e}`);
  return lines;
}

/** Marks this process as the embedded database's owner, so `npm run jobs` does not open it twice. */
export function serverPidFile(): string {
  return path.join(path.dirname(pgliteDir()), "server.pid");
}

export function startScheduler(
  opts: { intervalMs?: number; log?: (line: string) => void; /** false: do not mark the embedded database as taken (tests). */ pidFile?: false } = {},
): () => void {
  const intervalMs = opts.intervalMs ?? 60_000;
  const log = opts.log ?? ((line: string) => console.log(`[jobs] ${line}`));
  let running = false;
  let stopped = false;
  let pidFile: string | null = null;
  try {
    if (opts.pidFile !== false && dbHandle().driver === "pglite") {
      pidFile = serverPidFile();
      fs.writeFileSync(pidFile, String(process.pid));
    }
  } catch {
    pidFile = null;
  }
  const tick = async () => {
    if (running || stopped) return; // a slow run is never overlapped by the next tick
    running = true;
    try {
      const report = await runJobsOnce({ now: new Date(), incremental: true });
      for (const line of formatJobsReport(report, { quiet: true })) log(line);
    } catch (e) {
      console.error("[jobs] run failed:", e instanceof Error ? e.message : e);
    } finally {
      running = false;
    }
  };
  const first = setTimeout(() => void tick(), Math.min(5_000, intervalMs));
  const timer = setInterval(() => void tick(), intervalMs);
  first.unref();
  timer.unref();
  return () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(timer);
    if (pidFile) {
      try {
        if (fs.readFileSync(pidFile, "utf8") === String(process.pid)) fs.rmSync(pidFile);
      } catch {
        // already gone
      }
    }
  };
}
