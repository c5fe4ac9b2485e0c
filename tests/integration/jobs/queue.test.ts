import { spawn } from "node:child_process";
import path from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Task } from "graphile-worker";
import { openPostgres, rows } from "~db/client.server";
import { enqueueJob } from "~/modules/jobs/queue.server";
import { startWorker } from "~/server/worker";
import { useTestDatabase } from "../../support/db";
import { until as poll } from "../../support/wait";

const t = useTestDatabase({ seed: "none" });
const root = path.resolve(__dirname, "../../..");

/** Polls every 100 ms. */
const until = (check: () => Promise<boolean>, ms: number) => poll(check, ms, 100);

async function runsTable() {
  await t.db.execute(sql`create table if not exists test_job_runs (n int not null, worker text not null, phase text not null, at timestamptz not null default clock_timestamp())`);
  await t.db.execute(sql`truncate test_job_runs`);
}

const recordTask =
  (dbx: () => typeof t.db): Task =>
  async (payload, helpers) => {
    const p = payload as { n: number };
    await dbx().execute(sql`insert into test_job_runs (n, worker, phase) values (${p.n}, ${helpers.job.locked_by ?? "?"}, 'done')`);
  };

describe("the job queue (graphile-worker)", () => {
  it("a job added in a transaction that rolls back never runs; one that commits runs once", async () => {
    await runsTable();
    await t.db
      .transaction(async (tx) => {
        await enqueueJob(tx, "payouts", {}, { jobKey: "rolled-back" });
        throw new Error("the change failed");
      })
      .catch(() => {});
    const [waiting] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from graphile_worker.jobs where key = 'rolled-back'`);
    expect(waiting!.n).toBe(0);
    // Job keys: the same key twice while waiting is one job.
    await enqueueJob(t.db, "payouts", {}, { jobKey: "k1", runAt: new Date(Date.now() + 3600_000) });
    await enqueueJob(t.db, "payouts", {}, { jobKey: "k1", runAt: new Date(Date.now() + 3600_000) });
    const [keyed] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from graphile_worker.jobs where key = 'k1'`);
    expect(keyed!.n).toBe(1);
    await t.db.execute(sql`select graphile_worker.remove_job('k1')`);
  });

  it.skipIf(!t.realServer)("two workers, 300 jobs: each job is done exactly once", async () => {
    await runsTable();
    const second = await openPostgres(t.url!, { max: 6 });
    const a = await startWorker({ handle: t.handle, crontab: false, concurrency: 4, pollInterval: 50, extraTasks: { test_record: recordTask(() => t.db) } });
    const b = await startWorker({ handle: second, crontab: false, concurrency: 4, pollInterval: 50, extraTasks: { test_record: recordTask(() => second.db) } });
    try {
      await t.db.execute(
        sql`select graphile_worker.add_job('test_record', json_build_object('n', g)) from generate_series(1, 300) g`,
      );
      const done = await until(async () => {
        const [r] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from test_job_runs`);
        return r!.n >= 300;
      }, 30_000);
      expect(done).toBe(true);
      await new Promise((r) => setTimeout(r, 300)); // a double run would show up now
      const [stats] = await rows<{ total: number; distinct_n: number }>(
        t.db,
        sql`select count(*)::int as total, count(distinct n)::int as distinct_n from test_job_runs`,
      );
      expect(stats!.total).toBe(300);
      expect(stats!.distinct_n).toBe(300);
      const byWorker = await rows<{ worker: string; n: number }>(t.db, sql`select worker, count(*)::int as n from test_job_runs group by worker`);
      const aIds = new Set(a.workerIds());
      const bIds = new Set(b.workerIds());
      expect(byWorker.some((w) => aIds.has(w.worker))).toBe(true);
      expect(byWorker.some((w) => bIds.has(w.worker))).toBe(true);
    } finally {
      await a.stop();
      await b.stop();
      await second.close();
    }
  }, 60_000);

  it.skipIf(!t.realServer)("a worker killed mid-job: its job is unlocked and done by another worker", async () => {
    await runsTable();
    const child = spawn(process.execPath, ["--import", "tsx", "tests/support/worker-child.ts"], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: t.url! },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    try {
      expect(await until(async () => out.includes("worker ready"), 30_000), out).toBe(true);
      await t.db.execute(sql`select graphile_worker.add_job('test_slow', json_build_object('n', 7))`);
      const started = await until(async () => {
        const [r] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from test_job_runs where phase = 'started'`);
        return r!.n === 1;
      }, 15_000);
      expect(started, out).toBe(true);
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
      const [locked] = await rows<{ locked_by: string | null }>(t.db, sql`select locked_by from graphile_worker.jobs where task_identifier = 'test_slow'`);
      expect(locked!.locked_by).not.toBeNull();
      // A live worker whose sweep finds the dead one after 1 s of silence.
      const w = await startWorker({
        handle: t.handle,
        crontab: false,
        pollInterval: 100,
        heartbeatMs: 200,
        deadAfterMs: 1000,
        log: () => {},
        extraTasks: { test_slow: recordTask(() => t.db) },
      });
      try {
        const done = await until(async () => {
          const [r] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from test_job_runs where phase = 'done' and n = 7`);
          return r!.n === 1;
        }, 20_000);
        expect(done).toBe(true);
        const [left] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'test_slow'`);
        expect(left!.n).toBe(0);
      } finally {
        await w.stop();
      }
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 90_000);
});
