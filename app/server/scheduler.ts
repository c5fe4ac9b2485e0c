/**
 * The background jobs run once, as of a given time: `npm run jobs` (a simulated clock
 * for trying settlement days by hand) and tests. In a running server the same work is
 * done by the job queue's recurring tasks (app/server/worker.ts, graphile-worker).
 */
import path from "node:path";
import { pgliteDir } from "../../db/client.server";
import { formatMoney, isCurrencyCode } from "../lib/money";
import { runPayoutEngine, type PayoutEngineReport, type PayoutEvent } from "../modules/settlements/engine.server";
import { ensureHolidayCalendars } from "../modules/settlements/holidays.server";
import { reconcilePending } from "../modules/reconciliation/reconcile.server";
import { recoverIdempotencyKeys } from "./jobs/recover-keys";
import { nextDueAt, runRenewals, type RenewalSummary } from "../modules/subscriptions/renewals.server";
import { finishPendingCardUpdates } from "../modules/subscriptions/card-updates.server";

export interface JobsReport {
  now: Date;
  payouts: PayoutEngineReport;
  reconcile: Record<string, number> | null;
  /** Subscription renewals, charges and dunning retries (null: they failed, see errors). */
  renewals?: RenewalSummary | null;
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
  let renewals: RenewalSummary | null = null;
  try {
    await finishPendingCardUpdates(opts.merchantIds, opts.now);
    renewals = await runRenewals({ now: opts.now, merchantIds: opts.merchantIds });
  } catch (e) {
    errors.push(`subscription renewals: ${e instanceof Error ? e.message : String(e)}`);
  }
  const payouts = await runPayoutEngine({ now: opts.now, merchantIds: opts.merchantIds, incremental: opts.incremental });
  for (const r of payouts.runs) if (r.error) errors.push(`payouts of ${r.name} (${r.currency}): ${r.error}`);
  return { now: opts.now, payouts, reconcile, renewals, errors };
}

/**
 * A simulated stretch of time (`npm run jobs -- --simulate --until ...`): the jobs run at
 * every instant a renewal or retry falls due (so each is charged on its own local day and
 * time) and at least once a day (payouts), from `from` to `until`.
 */
export async function simulateUntil(opts: { from: Date; until: Date; merchantIds?: string[]; onStep?: (r: JobsReport) => void }): Promise<JobsReport[]> {
  const reports: JobsReport[] = [];
  let t = opts.from;
  for (let guard = 0; guard < 100_000; guard++) {
    const r = await runJobsOnce({ now: t, merchantIds: opts.merchantIds });
    reports.push(r);
    opts.onStep?.(r);
    if (t.getTime() >= opts.until.getTime()) break;
    const due = await nextDueAt(t, opts.merchantIds);
    const day = t.getTime() + 86_400_000;
    t = new Date(Math.min(due ? due.getTime() : day, day, opts.until.getTime()));
  }
  return reports;
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
  const rn = r.renewals;
  if (rn && (rn.invoicesCreated || rn.attempts || rn.canceled || !opts.quiet)) {
    lines.push(`subscriptions: ${rn.invoicesCreated} invoice(s) created, ${rn.attempts} charge attempt(s): ${rn.paid} paid, ${rn.failed} failed (${rn.uncollectible} uncollectible), ${rn.canceled} canceled at period end`);
  }
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
