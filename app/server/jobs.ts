/**
 * `npm run jobs`: runs the background jobs once (the payout engine for every merchant,
 * and the reconciliation of unknown payment outcomes), prints what they did, exits.
 *
 *   npm run jobs                                  as of now
 *   npm run jobs -- --simulate --days 3           as of three days from now (simulated clock)
 *   npm run jobs -- --simulate --now 2026-03-21T00:00:00+03:30
 *   npm run jobs -- --merchant mer_demo_coffee    one merchant only
 *   npm run jobs -- --simulate --until 2027-03-21T00:00:00+03:30
 *                                                 every renewal, retry and day up to then, each at its own time
 *
 * Every step is dated by its schedule, not by when the job ran, so simulating day by day
 * or jumping ahead gives the same payouts. The server runs the same jobs every minute.
 *
 * A clock in the future is for test databases only: it sends and pays real payouts with
 * future dates. It is refused unless --simulate says so; even then idempotency keys are
 * pruned by the real clock, never the simulated one.
 */
import "./check-env";
import fs from "node:fs";
import { parseArgs } from "node:util";
import { connect, setDb } from "../../db/client.server";
import { formatJobsReport, runJobsOnce, serverPidFile, simulateUntil } from "./scheduler";
import { env } from "../lib/env.server";

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    now: { type: "string" },
    days: { type: "string" },
    hours: { type: "string" },
    merchant: { type: "string", multiple: true },
    quiet: { type: "boolean", default: false },
    simulate: { type: "boolean", default: false },
    until: { type: "string" },
  },
});

let now = new Date();
if (values.now) {
  now = new Date(values.now);
  if (Number.isNaN(now.getTime())) fail(`--now takes an ISO date and time, like 2026-03-21T00:00:00+03:30 (got "${values.now}")`);
}
for (const [flag, unit] of [
  ["days", 86400_000],
  ["hours", 3600_000],
] as const) {
  const v = values[flag];
  if (v === undefined) continue;
  if (!/^-?\d+(\.\d+)?$/.test(v)) fail(`--${flag} takes a number (got "${v}")`);
  now = new Date(now.getTime() + Number(v) * unit);
}

let until: Date | null = null;
if (values.until) {
  until = new Date(values.until);
  if (Number.isNaN(until.getTime())) fail(`--until takes an ISO date and time, like 2027-03-21T00:00:00+03:30 (got "${values.until}")`);
  if (!values.simulate) fail("--until runs the jobs through simulated days: add --simulate (test databases only).");
  if (until.getTime() < now.getTime()) fail(`--until (${until.toISOString()}) is before the start (${now.toISOString()}).`);
}

// A minute of slack for clocks a little apart; anything later is a simulation.
if (now.getTime() > Date.now() + 60_000 && !values.simulate) {
  fail(
    `--now/--days/--hours put the clock in the future (${now.toISOString()}): that sends and pays this database's payouts\n` +
      "with future dates. It is for test databases only: add --simulate to run it anyway.",
  );
}

if (!env.DATABASE_URL) {
  // The embedded database belongs to one process at a time.
  const pidFile = serverPidFile();
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, "utf8"));
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = pid !== process.pid;
    } catch {
      alive = false;
    }
    if (alive) {
      fail(
        `The server (pid ${pid}) has the embedded database open and already runs these jobs every minute.\n` +
          "Stop it first (Ctrl-C), or run both against PostgreSQL with DATABASE_URL.",
      );
    }
  }
}

const handle = await connect();
setDb(handle);
const started = Date.now();
let code = 0;
try {
  if (until) {
    let steps = 0;
    const reports = await simulateUntil({
      from: now,
      until,
      merchantIds: values.merchant,
      onStep: (r) => {
        steps++;
        const lines = formatJobsReport(r, { quiet: true });
        if (lines.length) console.log(`As of ${r.now.toISOString()}:`);
        for (const line of lines) console.log(`  ${line}`);
      },
    });
    const errors = reports.flatMap((r) => r.errors);
    for (const e of errors) console.error(`ERROR: ${e}`);
    console.log(`Simulated ${now.toISOString()} to ${until.toISOString()} in ${steps} step(s), ${Date.now() - started} ms.`);
    await handle.close();
    process.exit(errors.length ? 1 : 0);
  }
  const report = await runJobsOnce({ now, merchantIds: values.merchant });
  console.log(`Jobs as of ${now.toISOString()}${values.now || values.days || values.hours ? " (simulated clock)" : ""}`);
  for (const line of formatJobsReport(report, { quiet: values.quiet })) console.log(`  ${line}`);
  const created = report.payouts.events.filter((e) => e.kind === "created").length;
  console.log(`Done in ${Date.now() - started} ms: ${created} payout(s) created, ${report.payouts.events.length - created} payout status change(s).`);
  if (report.errors.length) code = 1;
} catch (e) {
  console.error("The jobs failed:", e instanceof Error ? e.stack ?? e.message : e);
  code = 1;
} finally {
  await handle.close();
}
process.exit(code);
