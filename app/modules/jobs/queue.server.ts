/**
 * The job queue's enqueue API for the domain: graphile-worker's jobs live in the same
 * PostgreSQL database, so a job is added INSIDE the caller's own transaction (pass the
 * transaction as `dbx`): it exists if and only if the change that asked for it commits.
 *
 *   await db().transaction(async (tx) => {
 *     ...the change...
 *     await enqueueJob(tx, "send_mail", { mailId }, { jobKey: `mail:${mailId}` });
 *   });
 *
 * - `jobKey` de-duplicates: while a job with that key waits, adding it again replaces
 *   its payload and run time (mode "replace") or keeps the first run time
 *   ("preserve_run_at"); once it has run, the key is free again.
 * - A task that throws is retried with exponential backoff (graphile-worker: about
 *   exp(min(attempts, 10)) seconds) up to `maxAttempts` (default 25).
 * - Tasks must be idempotent: a job may run again after a crash between its work and
 *   its completion. Two workers never run the same job at once (row lock + locked_at).
 *
 * The worker side (task list, crontab, start/stop) is app/server/worker.ts.
 */
import { sql } from "drizzle-orm";
import { rows, type DbOrTx } from "~db/client.server";

/** Every task the workers know (app/server/worker.ts maps each to its function). */
export const TASKS = [
  "payouts",
  "reconcile_pending",
  "dispatch_events",
  "deliver_webhook",
  "send_mail",
  "send_sms",
  "password_reset",
  "notify_events",
  "notifications_hourly",
  "daily_summary",
  "scheduled_report",
  "subscription_renewals",
  "scheduled_reports_due",
] as const;
export type TaskName = (typeof TASKS)[number];

export interface EnqueueOptions {
  jobKey?: string;
  jobKeyMode?: "replace" | "preserve_run_at" | "unsafe_dedupe";
  runAt?: Date;
  maxAttempts?: number;
  /** Jobs of one queue run one at a time, in order. */
  queueName?: string;
  priority?: number;
}

/** Adds a job in the caller's transaction; returns the job's id. */
export async function enqueueJob(dbx: DbOrTx, task: TaskName, payload: Record<string, unknown>, opts: EnqueueOptions = {}): Promise<string> {
  const [row] = await rows<{ id: string }>(
    dbx,
    sql`select (graphile_worker.add_job(
      identifier => ${task}::text,
      payload => ${JSON.stringify(payload)}::json,
      queue_name => ${opts.queueName ?? null}::text,
      run_at => ${opts.runAt ? opts.runAt.toISOString() : null}::timestamptz,
      max_attempts => ${opts.maxAttempts ?? null}::int,
      job_key => ${opts.jobKey ?? null}::text,
      priority => ${opts.priority ?? null}::int,
      job_key_mode => ${opts.jobKeyMode ?? null}::text
    )).id::text as id`,
  );
  return row!.id;
}
