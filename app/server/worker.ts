/**
 * The background workers: graphile-worker (jobs in the same PostgreSQL database,
 * LISTEN/NOTIFY, retries with exponential backoff, job keys, crontab) running the
 * tasks of app/modules/jobs/queue.server.ts.
 *
 * - `npm start` runs them inside the web server (one set per server; SCHEDULER=0 on a
 *   web server leaves them to a separate fleet), `npm run worker` runs them alone.
 * - On the embedded database (PGlite) graphile-worker connects through PGlite's socket
 *   server (db/pglite-socket.server.ts): the same code path as on a real server.
 * - Crash recovery: every worker beats in job_workers; a sweep in every process unlocks
 *   the jobs of workers whose beat stopped (killed, crashed), so another worker runs
 *   them within about a minute instead of graphile-worker's default four hours.
 */
import os from "node:os";
import { sql } from "drizzle-orm";
import type { Runner, Task, TaskList } from "graphile-worker";
import { db, dbHandle, quietJobLogger, rows, type DbHandle } from "../../db/client.server";
import type { TaskName } from "../modules/jobs/queue.server";
import { runPayoutEngine } from "../modules/settlements/engine.server";
import { ensureHolidayCalendars, holidayCoverage } from "../modules/settlements/holidays.server";
import { HOLIDAYS } from "../modules/settlements/holiday-data";
import { reconcilePending } from "../modules/reconciliation/reconcile.server";
import { recoverIdempotencyKeys } from "./jobs/recover-keys";
import { formatJobsReport, type JobsReport } from "./scheduler";
import { env } from "../lib/env.server";

export interface WorkerOptions {
  /** Jobs run at once in this process (default JOBS_CONCURRENCY or 4). */
  concurrency?: number;
  /** How often idle workers look for jobs without a notification (ms). */
  pollInterval?: number;
  /** false: no recurring jobs (tests that enqueue their own). */
  crontab?: boolean;
  /** Liveness: beat every heartbeatMs; a worker silent for deadAfterMs is dead. */
  heartbeatMs?: number;
  deadAfterMs?: number;
  /** How often to look for events not yet dispatched to webhook endpoints (ms). */
  dispatchPollMs?: number;
  /** More tasks (tests). */
  extraTasks?: TaskList;
  log?: (line: string) => void;
  handle?: DbHandle;
}

export interface WorkerHandle {
  runner: Runner;
  /** The ids graphile-worker writes in jobs.locked_by for this process's worker pool. */
  workerIds(): string[];
  stop(): Promise<void>;
}

let holidaysLoaded: Promise<void> | undefined;
function holidays(): Promise<void> {
  holidaysLoaded ??= ensureHolidayCalendars()
    .then(() => {
      for (const calendar of Object.keys(HOLIDAYS)) {
        const c = holidayCoverage(calendar, new Date());
        if (c.runningOut) console.warn(`[jobs] WARNING: the ${calendar} public-holiday calendar ends on ${c.through}; update holiday-data.ts (payout dates after it ignore public holidays)`);
      }
    })
    .catch((e) => {
    holidaysLoaded = undefined;
    throw e;
  });
  return holidaysLoaded;
}

/** A cron job's due time (graphile-worker's payload._cron.ts), else now. */
function cronTime(payload: unknown): Date {
  const ts = (payload as { _cron?: { ts?: string } } | null)?._cron?.ts;
  const d = ts ? new Date(ts) : new Date();
  return Number.isNaN(d.getTime()) ? new Date() : d;
}

/** The tasks: each is idempotent (it may run again after a crash before it was marked done). */
export function taskList(log: (line: string) => void): Record<TaskName, Task> & TaskList {
  return {
    payouts: async () => {
      await holidays();
      const report: JobsReport = {
        now: new Date(),
        payouts: await runPayoutEngine({ now: new Date(), incremental: true }),
        reconcile: null,
        errors: [],
      };
      for (const r of report.payouts.runs) if (r.error) report.errors.push(`payouts of ${r.name} (${r.currency}): ${r.error}`);
      for (const line of formatJobsReport(report, { quiet: true })) log(line);
      // One merchant's failure is reported and retried next minute; it does not fail the others.
    },
    reconcile_pending: async () => {
      const keys = await recoverIdempotencyKeys();
      if (keys.rebuilt || keys.released) log(`idempotency keys of stopped requests: ${keys.rebuilt} answered from their payment or refund, ${keys.released} released`);
      const summary = await reconcilePending({ now: new Date() });
      if (Object.entries(summary).some(([k, v]) => k !== "checked" && v > 0)) {
        log(`reconcile pending payments: ${Object.entries(summary).map(([k, v]) => `${k} ${v}`).join(", ")}`);
      }
    },
    dispatch_events: async (payload) => {
      const { dispatchEvents } = await import("../modules/webhooks/delivery.server");
      await dispatchEvents((payload as { merchantId: string }).merchantId);
    },
    deliver_webhook: async (payload) => {
      const { deliverOnce } = await import("../modules/webhooks/delivery.server");
      const p = payload as { merchantId: string; deliveryId: string };
      await deliverOnce(p.merchantId, p.deliveryId);
    },
    subscription_renewals: async () => {
      const { runRenewals } = await import("../modules/subscriptions/renewals.server");
      const { finishPendingCardUpdates } = await import("../modules/subscriptions/card-updates.server");
      // A customer's new card whose payment went through while their tab was closed is saved first.
      await finishPendingCardUpdates(undefined, new Date());
      const r = await runRenewals({ now: new Date() });
      if (r.invoicesCreated || r.attempts || r.canceled) {
        log(`subscriptions: ${r.invoicesCreated} invoice(s) created, ${r.attempts} charge attempt(s): ${r.paid} paid, ${r.failed} failed (${r.uncollectible} uncollectible), ${r.canceled} canceled at period end`);
      }
    },
    send_mail: async (payload) => {
      const { deliverMail } = await import("../modules/mail/mailer.server");
      const outcome = await deliverMail((payload as { mailId: string }).mailId);
      if (outcome === "missing") log(`send_mail: mail ${(payload as { mailId: string }).mailId} is not in the outbox`);
    },
    send_sms: async (payload) => {
      const { deliverSms } = await import("../modules/sms/sms.server");
      const { merchantId, smsId } = payload as { merchantId: string; smsId: string };
      const outcome = await deliverSms(merchantId, smsId);
      if (outcome === "missing") log(`send_sms: text message ${(payload as { smsId: string }).smsId} is not in the outbox`);
    },
    password_reset: async (payload) => {
      const { processResetRequest } = await import("../modules/auth/password-reset.server");
      await processResetRequest(db(), payload as import("../modules/auth/password-reset.server").ResetJobPayload);
    },
    notify_events: async (payload) => {
      const { notifyEvents } = await import("../modules/notifications/notify.server");
      await notifyEvents((payload as { merchantId: string }).merchantId);
    },
    // Cron jobs carry their scheduled time: "now" is the hour they were due, even when run late.
    notifications_hourly: async (payload) => {
      const { checkDeclineRates } = await import("../modules/notifications/notify.server");
      const r = await checkDeclineRates(cronTime(payload));
      if (r.mailed > 0) log(`decline-rate alerts: ${r.mailed} mail(s)`);
    },
    daily_summary: async (payload) => {
      const { sendDailySummaries } = await import("../modules/notifications/notify.server");
      const r = await sendDailySummaries(cronTime(payload));
      if (r.mailed > 0) log(`daily summaries: ${r.mailed} mail(s)`);
    },
    scheduled_report: async (payload, helpers) => {
      const { runScheduledReport, failScheduledRun } = await import("../modules/exports/schedules.server");
      const p = payload as import("../modules/exports/schedules.server").ScheduledRunPayload;
      let outcome;
      try {
        outcome = await runScheduledReport(p);
      } catch (e) {
        // The queue's last attempt: the run ends as failed with the reason, and the owner is told.
        const { attempts, max_attempts } = helpers.job;
        if (attempts < max_attempts) throw e;
        // The root cause (a query's own error, not the statement that carried it).
        let root: unknown = e;
        while (root instanceof Error && root.cause instanceof Error) root = root.cause;
        const why = root instanceof Error ? root.message : String(root);
        outcome = await failScheduledRun(p, { attempts, error: why });
      }
      if (outcome === "failed") log(`scheduled report ${p.scheduleId} for ${p.periodKey}: failed (recorded in its history; the owner was told)`);
    },
    scheduled_reports_due: async () => {
      const { sweepDueSchedules, sweepRunHousekeeping } = await import("../modules/exports/schedules.server");
      const n = await sweepDueSchedules(new Date());
      if (n > 0) log(`scheduled reports: ${n} run(s) queued`);
      const h = await sweepRunHousekeeping(new Date());
      if (h.filesDeleted || h.staleFailed) log(`scheduled reports: ${h.filesDeleted} expired file(s) deleted, ${h.staleFailed} stalled run(s) ended as failed`);
    },
  };
}

/** Recurring jobs; the job key makes a slow run and the next minute's one job, not two. */
export const CRONTAB = [
  "* * * * * payouts ?jobKey=cron:payouts&jobKeyMode=preserve_run_at&max=3",
  "* * * * * reconcile_pending ?jobKey=cron:reconcile_pending&jobKeyMode=preserve_run_at&max=3",
  // The hour just ended: its decline rate per merchant (mails carry a per-hour dedupe key).
  "1 * * * * notifications_hourly ?jobKey=cron:notifications_hourly&jobKeyMode=preserve_run_at&max=5",
  // Hourly, so each merchant's zone reaches 08:00 within the hour; once per local day by dedupe key.
  "7 * * * * daily_summary ?jobKey=cron:daily_summary&jobKeyMode=preserve_run_at&max=5",
  "* * * * * subscription_renewals ?jobKey=cron:subscription_renewals&jobKeyMode=preserve_run_at&max=3",
  "* * * * * scheduled_reports_due ?jobKey=cron:scheduled_reports_due&jobKeyMode=preserve_run_at&max=3",
].join("\n");

export async function startWorker(opts: WorkerOptions = {}): Promise<WorkerHandle> {
  const { run } = await import("graphile-worker");
  const handle = opts.handle ?? dbHandle();
  const log = opts.log ?? ((line: string) => console.log(`[jobs] ${line}`));
  let connectionString: string;
  let stopSocket: (() => Promise<void>) | undefined;
  if (handle.driver === "postgres") {
    connectionString = handle.url ?? env.DATABASE_URL!;
  } else {
    const { servePgliteSocket } = await import("../../db/pglite-socket.server");
    const socket = await servePgliteSocket(handle.pglite!);
    connectionString = socket.connectionString;
    stopSocket = socket.stop;
  }
  const concurrency = opts.concurrency ?? env.JOBS_CONCURRENCY;
  const heartbeatMs = opts.heartbeatMs ?? 10_000;
  const deadAfterMs = opts.deadAfterMs ?? 60_000;
  const ids = new Set<string>();
  const { EventEmitter } = await import("node:events");
  const events = new EventEmitter();
  // graphile-worker locks a job with its worker POOL's id (jobs.locked_by): that is what beats.
  events.on("pool:create", ({ workerPool }: { workerPool: { id: string } }) => {
    ids.add(workerPool.id);
    void beat([workerPool.id]);
  });

  const dbx = handle.db;
  async function beat(list: string[]) {
    try {
      for (const id of list) {
        await dbx.execute(sql`insert into job_workers (worker_id, host, pid) values (${id}, ${os.hostname()}, ${process.pid})
          on conflict (worker_id) do update set heartbeat_at = now()`);
      }
    } catch (e) {
      console.error("[jobs] heartbeat failed:", e instanceof Error ? e.message : e);
    }
  }
  async function sweep() {
    try {
      const dead = await rows<{ worker_id: string }>(
        dbx,
        sql`delete from job_workers where heartbeat_at < now() - make_interval(secs => ${deadAfterMs / 1000}) returning worker_id`,
      );
      if (dead.length > 0) {
        const list = dead.map((d) => d.worker_id);
        await dbx.execute(sql`select graphile_worker.force_unlock_workers(string_to_array(${list.join(",")}, ','))`);
        log(`unlocked the jobs of ${list.length} stopped worker(s): ${list.join(", ")}`);
      }
    } catch (e) {
      console.error("[jobs] sweep failed:", e instanceof Error ? e.message : e);
    }
  }

  const runner = await run({
    connectionString,
    concurrency,
    // PGlite is one session: named prepared statements would collide between connections.
    noPreparedStatements: handle.driver === "pglite",
    // On PGlite a socket client does not hear NOTIFY while idle: poll more often (cheap, in-process).
    pollInterval: opts.pollInterval ?? (handle.driver === "pglite" ? 500 : 2000),
    maxPoolSize: Math.max(4, concurrency + 2),
    noHandleSignals: true,
    logger: await quietJobLogger(),
    events: events as never,
    taskList: { ...taskList(log), ...(opts.extraTasks ?? {}) },
    crontab: opts.crontab === false ? "" : CRONTAB,
  });
  const timer = setInterval(() => {
    void beat([...ids]).then(sweep);
  }, heartbeatMs);
  timer.unref();
  void sweep();
  // Webhook dispatch and notifications: merchants with events their endpoints (or their
  // people's mail) have not had yet get a dispatch / notify job.
  const { pollDispatch } = await import("../modules/webhooks/delivery.server");
  const { pollNotifications } = await import("../modules/notifications/notify.server");
  const { publishAllEvents } = await import("../modules/events/events.server");
  let polling = false;
  const dispatchTimer = setInterval(() => {
    if (polling) return;
    polling = true;
    // Events are numbered (published) first, once for both polls.
    publishAllEvents(dbx)
      .then(() => Promise.all([pollDispatch(dbx, false), pollNotifications(dbx, false)]))
      .catch((e) => console.error("[jobs] webhook dispatch poll failed:", e instanceof Error ? e.message : e))
      .finally(() => (polling = false));
  }, opts.dispatchPollMs ?? env.WEBHOOK_DISPATCH_POLL_MS);
  dispatchTimer.unref();

  let stopped = false;
  return {
    runner,
    workerIds: () => [...ids],
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      clearInterval(dispatchTimer);
      while (polling) await new Promise((r) => setTimeout(r, 20));
      const mine = [...ids];
      await runner.stop();
      if (mine.length > 0) {
        await dbx.execute(sql`delete from job_workers where worker_id = any(string_to_array(${mine.join(",")}, ','))`).catch(() => {});
      }
      await stopSocket?.();
    },
  };
}
