/**
 * `npm run bench [-- options]`: builds a large ledger on a dedicated database and
 * measures the console against what the same machine does without its design (raw
 * aggregates, OFFSET pagination, COPY), side by side, in one run.
 *
 *   --payments N        payments of the large merchant (default 2,000,000; 10,000,000 works)
 *   --days N            history length (default 730)
 *   --small-merchants N small merchants beside it (default 200)
 *   --small-payments N  payments each (default 1,000)
 *   --quick             a smoke run in under two minutes (100k payments, short samples)
 *   --iterations N      timed calls per measurement (default 40; --quick 12)
 *   --export-rows N     rows of the reconciliation export (default 1,000,000)
 *   --clients N --seconds N   HTTP load (default 20 clients for 20 s; --quick 5 s)
 *   --warmup N          seconds of the same load before each page's measured seconds (default 5; --quick 2)
 *   --skip a,b          skip sections: load, overview, payments, details, export, xlsx, http, write, bundle
 *   --write-seconds N   seconds of each write-path run and of each pgbench run beside it (default 15; --quick 4)
 *   --database NAME     measure an existing bench database (from --keep) instead of loading one
 *   --keep              keep the database at the end (its name is printed)
 *   --build             rebuild the app before the HTTP section even if the build looks current
 *   --json FILE         also write { metrics: [...] } to FILE
 *
 * BENCH_DATABASE_URL names the server (default postgres://postgres@127.0.0.1:5432/postgres);
 * the benchmark creates its own database there and drops it at the end.
 */
import fs from "node:fs";
import { register } from "node:module";
import os from "node:os";
import { parseArgs } from "node:util";
import { migrateUrl, openPostgres, setDb } from "~db/client.server";
import { benchBundle } from "./bundle";
import { benchExport } from "./export";
import { benchExportXlsx } from "./export-xlsx";
import { benchHttp, ensureBuild } from "./http";
import { loadBenchLedger } from "./load";
import { BENCH_USER } from "./merchants";
import { benchWrite } from "./write";
import { benchDetails, benchOverview, benchPaymentsPage } from "./pages";
import { formatTable, info, rate, type Metric } from "./stats";

register("./css-hook.mjs", import.meta.url);

const { values } = parseArgs({
  options: {
    payments: { type: "string" },
    days: { type: "string" },
    "small-merchants": { type: "string" },
    "small-payments": { type: "string" },
    quick: { type: "boolean", default: false },
    iterations: { type: "string" },
    "export-rows": { type: "string" },
    clients: { type: "string" },
    seconds: { type: "string" },
    warmup: { type: "string" },
    "write-seconds": { type: "string" },
    skip: { type: "string", default: "" },
    database: { type: "string" },
    keep: { type: "boolean", default: false },
    build: { type: "boolean", default: false },
    json: { type: "string" },
    seed: { type: "string", default: "1" },
  },
});

function whole(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw.replace(/[_,]/g, ""));
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} takes a whole number, got ${raw}`);
    process.exit(2);
  }
  return n;
}

const quick = values.quick;
const opts = {
  payments: whole("payments", values.payments, quick ? 100_000 : 2_000_000),
  days: whole("days", values.days, 730),
  // The write section's many-merchants run wants 50 of them, also in a smoke run.
  smallMerchants: whole("small-merchants", values["small-merchants"], quick ? 50 : 200),
  smallPayments: whole("small-payments", values["small-payments"], quick ? 200 : 1000),
  iterations: whole("iterations", values.iterations, quick ? 12 : 40),
  exportRows: whole("export-rows", values["export-rows"], quick ? 100_000 : 1_000_000),
  clients: whole("clients", values.clients, 20),
  seconds: whole("seconds", values.seconds, quick ? 5 : 20),
  warmupSeconds: whole("warmup", values.warmup, quick ? 2 : 5),
  writeSeconds: whole("write-seconds", values["write-seconds"], quick ? 4 : 15),
  seed: whole("seed", values.seed, 1),
};
const skip = new Set(values.skip.split(",").map((s) => s.trim()).filter(Boolean));
const log = (m: string) => console.log(m);
const started = Date.now();

const serverUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const dbName = values.database ?? `bench_${new Date().toISOString().slice(0, 10).replace(/-/g, "")}_${Date.now().toString(36)}_${process.pid}`;
if (!/^[a-z_][a-z0-9_]*$/.test(dbName)) {
  console.error(`--database: ${dbName} is not a plain database name`);
  process.exit(2);
}
const benchUrl = (() => {
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  return u.toString();
})();

const { default: postgres } = await import("postgres");
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
const metrics: Metric[] = [];
let created = false;

async function section(name: string, title: string, fn: () => Promise<Metric[]> | Metric[]) {
  if (skip.has(name)) return;
  log(`\n${title}`);
  const t0 = Date.now();
  try {
    metrics.push(...(await fn()));
  } catch (e) {
    log(`  ! ${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 1;
  }
  log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

try {
  const [server] = await admin<{ version: string; cores: string }[]>`select version() as version, current_setting('max_worker_processes') as cores`;
  log(`Benchmark on ${server!.version.split(",")[0]}, ${os.cpus().length} CPU cores, Node ${process.version}`);
  log(
    `Ledger: ${opts.payments.toLocaleString("en-US")} payments for one merchant over ${opts.days} days + ${opts.smallMerchants} small merchants x ${opts.smallPayments.toLocaleString("en-US")}` +
      (quick ? "  (--quick: a smoke run; the targets are stated for 2M payments)" : ""),
  );

  // Both measure the build: make sure it is the current code's (also when the bundle section is skipped).
  if (!skip.has("http") || !skip.has("bundle") || !skip.has("write")) ensureBuild(log, values.build);
  await section("bundle", "JavaScript per route (Remix build manifest)", () => benchBundle(log));

  if (values.database) {
    log(`\nUsing the existing database ${dbName} (no load)`);
  } else {
    await admin.unsafe(`CREATE DATABASE ${dbName}`);
    created = true;
    log(`\nDatabase ${dbName} created on ${new URL(serverUrl).host}`);
    await migrateUrl(benchUrl);
    await section("load", "Generating the ledger (streamed day by day, COPY)", async () => {
      const r = await loadBenchLedger(benchUrl, {
        payments: opts.payments,
        days: opts.days,
        smallMerchants: opts.smallMerchants,
        smallPayments: opts.smallPayments,
        seed: opts.seed,
        now: new Date(),
        log,
      });
      const perSec = r.payments / (r.loadMs / 1000);
      log(
        `  ${r.payments.toLocaleString("en-US")} payments, ${r.rows.toLocaleString("en-US")} rows, ${(r.bytes / 1e9).toFixed(2)} GB of COPY input (binary) in ${(r.loadMs / 1000).toFixed(1)} s: ${Math.round(perSec).toLocaleString("en-US")} payments/s`,
      );
      log(
        `  then indexes ${(r.indexMs / 1000).toFixed(1)} s, set-based verification ${(r.verifyMs / 1000).toFixed(1)} s${r.triggersOff ? " (row triggers were off during COPY)" : ""}, derived rollups ${(r.rollupMs / 1000).toFixed(1)} s, VACUUM ANALYZE ${(r.analyzeMs / 1000).toFixed(1)} s`,
      );
      log(`  rows: ${Object.entries(r.tables).map(([t, n]) => `${t} ${n.toLocaleString("en-US")}`).join(", ")}`);
      const total = r.loadMs + r.indexMs + r.verifyMs + r.rollupMs;
      return [
        // The target is set at scale (2M payments): a smoke run's 100k is mostly start-up (threads, COPY sessions).
        opts.payments >= 2_000_000
          ? rate("generation: payments/s (generate + COPY)", perSec, null, "payments/s", { min: 100_000 })
          : info("generation: payments/s (generate + COPY; target at 2M payments)", perSec, "payments/s"),
        info("generation incl. indexes, verification, rollups", r.payments / (total / 1000), "payments/s"),
      ];
    });
  }

  const handle = await openPostgres(benchUrl, { max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
  setDb(handle);
  try {
    const { signIn } = await import("../support/auth");
    const session = await signIn(BENCH_USER.email, BENCH_USER.password);
    const pageOpts = { cookie: session.cookie, iterations: opts.iterations, log };
    const overview = await import("~/routes/_app._index/route");
    const paymentsPage = await import("~/routes/_app.payments._index");
    const paymentDetail = await import("~/routes/_app.payments.$paymentId");
    const payoutDetail = await import("~/routes/_app.payouts.$payoutId");
    type L = Parameters<typeof benchOverview>[0];
    await section("overview", "Overview loader vs raw aggregates over payments", () => benchOverview(overview.loader as L, pageOpts));
    await section("payments", "Payments page loader (keyset) vs OFFSET pagination", () => benchPaymentsPage(paymentsPage.loader as L, pageOpts));
    await section("details", "Payment and payout detail loaders vs one primary-key fetch", () =>
      benchDetails(paymentDetail.loader as L, payoutDetail.loader as L, pageOpts),
    );
    await section("export", "Payout reconciliation export vs COPY TO STDOUT", () => benchExport(benchUrl, session.cookie, opts.exportRows, log));
    await section("xlsx", "Payout reconciliation as an Excel workbook vs the same CSV", () => benchExportXlsx(benchUrl, session.cookie, opts.exportRows, log));
  } finally {
    await handle.close();
    setDb(undefined);
  }

  await section("http", `HTTP: the built server under ${opts.clients} concurrent signed-in clients`, () =>
    benchHttp(benchUrl, { clients: opts.clients, seconds: opts.seconds, warmupSeconds: opts.warmupSeconds, log }),
  );

  // Last: it writes (payments, refunds) into the ledger the sections above measured.
  await section("write", "Write path: API payments, refunds and the virtual terminal form vs pgbench TPC-B on the same server", () =>
    benchWrite(serverUrl, benchUrl, { seconds: opts.writeSeconds, warmupSeconds: opts.warmupSeconds, merchants: 50, log }),
  );
} finally {
  if (created && !values.keep) {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    log(`\nDatabase ${dbName} dropped.`);
  } else if (created) {
    log(`\nDatabase ${dbName} kept: measure it again with --database ${dbName}; drop it with: psql ${serverUrl} -c 'DROP DATABASE ${dbName}'`);
  }
  await admin.end({ timeout: 2 });
}

log(`\n${formatTable(metrics)}`);
const withTarget = metrics.filter((m) => m.pass !== null);
log(`\n${withTarget.filter((m) => m.pass).length} of ${withTarget.length} targets met; ${((Date.now() - started) / 1000).toFixed(0)} s in all.`);
if (values.json) {
  fs.writeFileSync(values.json, JSON.stringify({ metrics }, null, 2) + "\n");
  log(`Metrics written to ${values.json}`);
}
process.exit(process.exitCode ?? 0);
