/**
 * A worker process for the job-queue tests: the app's workers plus a `test_slow` task
 * that records its start, then takes a long time (the test kills this process then).
 */
import { sql } from "drizzle-orm";
import { openPostgres, setDb } from "../../db/client.server";
import { startWorker } from "../../app/server/worker";

const handle = await openPostgres(process.env.DATABASE_URL!, { max: 4 });
setDb(handle);
await startWorker({
  handle,
  crontab: false,
  pollInterval: 100,
  heartbeatMs: 200,
  extraTasks: {
    test_slow: async (payload, helpers) => {
      const p = payload as { n: number };
      await handle.db.execute(sql`insert into test_job_runs (n, worker, phase) values (${p.n}, ${helpers.job.locked_by ?? "?"}, 'started')`);
      await new Promise((r) => setTimeout(r, 60_000));
    },
  },
});
console.log("worker ready");
