/**
 * `npm run worker`: the job queue's workers without the web server, for a separate
 * worker fleet (run the web servers with SCHEDULER=0). Any number may run at once
 * against one PostgreSQL database: each job runs once. On the embedded database
 * (no DATABASE_URL) only one process may open it: stop the server first.
 */
import "./check-env";
import { connect, setDb } from "../../db/client.server";
import { startWorker } from "./worker";
import { env } from "../lib/env.server";

const handle = await connect();
setDb(handle);
const w = await startWorker({ handle });
console.log(`Job workers running on ${handle.driver === "pglite" ? `the embedded database at ${handle.location}` : handle.location} (concurrency ${env.JOBS_CONCURRENCY}). Ctrl-C to stop.`);
let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: finishing the jobs in hand…`);
  setTimeout(() => process.exit(0), 10_000).unref();
  await w.stop();
  await handle.close();
  process.exit(0);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
