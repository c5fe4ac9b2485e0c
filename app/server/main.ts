/**
 * The production (and dev) server: opens the database (PGlite under ./data unless
 * DATABASE_URL is set), applies migrations, seeds the demo merchants on the first
 * start, then serves the Remix build with compression and long-lived caching of
 * hashed assets. Shuts down cleanly on SIGINT/SIGTERM.
 */
import "./check-env";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import compression from "compression";
import express from "express";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import { spawn } from "node:child_process";
import cluster from "node:cluster";
import os from "node:os";
import { inArray } from "drizzle-orm";
import { connect, migrate, onPool, openPglite, openPostgres, pgliteDir, setDb, type Db, type DbHandle } from "../../db/client.server";
import { Admission } from "./admission";
import { users } from "../../db/schema";
import { demoNow, isSeeded, seedDemo } from "../demo/seed";
import { USERS, DEMO_PASSWORD } from "../demo/merchants";
import { responseBackpressure } from "./backpressure";
import { requestScope } from "../web/request-scope.server";
import { isDatabaseUnavailable, unavailableResponse } from "../web/edge/unavailable.server";

import { createApiRequest, createRemixRequest, sendRemixResponse, sendTextResponse } from "./remix-adapter";
import { apiRoutes } from "./api-routes";
import { checkPath, checkQuery, PAGES_WITH_DATE_SCHEMAS } from "../web/edge/input-guard";
import { badInputResponse } from "../web/edge/bad-input.server";
import { childEnv, env } from "../lib/env.server";

// What loaders see as `context`: the CSP nonce, and for CSV exports a way to wait
// until the client has taken what was sent (Remix's adapter ignores backpressure).
function loadContext(res: express.Response) {
  return {
    cspNonce: res.locals.cspNonce as string | undefined,
    exportBackpressure: () => responseBackpressure(res),
    /** Set by entry.server's handleError when a loader or action lost the database. */
    databaseUnavailable: false,
  };
}

const mode = env.NODE_ENV === "development" ? "development" : "production";
/** GETs that stream a file (routes reports.$report, statements.$statementId.$file): not on the console's pool. */
const FILE_DOWNLOADS = /^\/(reports\/[^/]+|statements\/[^/]+\/[^/]+)\/?$/;
const port = env.PORT;
const host = env.HOST;
const buildPath = path.resolve(process.cwd(), "build/index.js");

const startedAt = Date.now();
if (!fs.existsSync(buildPath)) {
  console.error(`No build at ${buildPath}: run "npm run build" first (npm start does it for you).`);
  process.exit(1);
}

/**
 * First start on an empty database: generate the demo ledger. On PGlite this runs in
 * a child process, because WebAssembly memory never shrinks: seeding in the server
 * process would leave it holding the bulk load's peak for its whole life.
 */
async function seedIfEmpty(): Promise<void> {
  if (!env.SEED_ON_START) return;
  const seedEnv = { SEED: String(env.SEED), SEED_PAYMENTS: String(env.SEED_PAYMENTS) };
  if (!env.DATABASE_URL) {
    const probe = await openPglite(pgliteDir());
    await migrate(probe);
    const seeded = await isSeeded(probe.db);
    await probe.close();
    if (seeded) return;
    console.log("First start on an empty database: generating the demo ledger (about a minute)…");
    const t0 = Date.now();
    const child = spawn(
      process.execPath,
      // A larger young generation: the generator makes millions of short-lived rows (GC was a quarter of its time).
      ["--max-semi-space-size=64", "--import", "tsx", path.resolve(process.cwd(), "app/demo/cli.ts"), "--seed", seedEnv.SEED, "--payments", seedEnv.SEED_PAYMENTS],
      { stdio: "inherit", env: childEnv() },
    );
    const code: number = await new Promise((resolve) => child.once("exit", (c) => resolve(c ?? 1)));
    if (code !== 0) throw new Error(`seeding the demo data failed (exit code ${code})`);
    console.log(`Demo data ready in ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
    return;
  }
  const h = await connect();
  if (await isSeeded(h.db)) return;
  console.log("First start on an empty database: generating the demo ledger (about a minute)…");
  const payments = Number(seedEnv.SEED_PAYMENTS);
  const summary = await seedDemo(h.db, {
    seed: Number(seedEnv.SEED),
    coffeePayments: payments,
    northwindPayments: Math.round((payments * 15) / 40),
    days: 365,
    now: demoNow(),
    log: (m) => console.log(`  ${m}`),
  });
  console.log(`Demo data ready in ${(summary.ms / 1000).toFixed(1)} s.`);
}

/**
 * Server processes. Node renders a page on one core; on PostgreSQL the server forks one
 * worker per core (WEB_CONCURRENCY to choose) sharing the port, each with its own pool of
 * DATABASE_POOL_SIZE connections. PGlite is one process's database: always one process.
 */
function serverProcesses(): number {
  if (mode === "development" || !env.DATABASE_URL) {
    if ((env.WEB_CONCURRENCY ?? 1) > 1 && !env.DATABASE_URL) {
      console.warn("WEB_CONCURRENCY is ignored on the embedded database (PGlite is one process's database): set DATABASE_URL to use several processes.");
    }
    return 1;
  }
  return env.WEB_CONCURRENCY ?? Math.max(1, Math.min(os.availableParallelism(), 16));
}

/**
 * The demo users this database has: the banner lists only logins that work here (a
 * server started on a database of real users, or a benchmark's, has none of them).
 */
async function demoUsersPresent(database: Db): Promise<typeof USERS> {
  const found = await database
    .select({ email: users.email })
    .from(users)
    .where(inArray(users.email, USERS.map((u) => u.email)));
  const present = new Set(found.map((r) => r.email));
  return USERS.filter((u) => present.has(u.email));
}

function banner(url: string, readyMs: number, processes: number, demoUsers: typeof USERS): string {
  const logins = demoUsers.map((u) => `    ${u.email.padEnd(28)} ${u.memberships.map((m) => `${m.role} @ ${m.merchantId === "mer_demo_coffee" ? "Demo Coffee Roasters" : "Northwind Books"}`).join(", ")}`);
  return [
    "",
    `Merchant Console is running at ${url}  (ready in ${(readyMs / 1000).toFixed(1)} s${processes > 1 ? `, ${processes} server processes` : ""})`,
    "",
    ...(logins.length > 0
      ? [`  Demo logins (password for all: ${DEMO_PASSWORD}):`, ...logins]
      : ["  This database has none of the demo users (they are created on an empty database): sign in with an account of its own."]),
    "",
    "  Press Ctrl-C to stop.",
    "",
  ].join("\n");
}

const processes = cluster.isPrimary ? serverProcesses() : env.WEB_CONCURRENCY ?? 1;
const publicUrl = `http://${host === "0.0.0.0" ? "localhost" : host}:${port}`;

if (cluster.isPrimary && processes > 1) {
  // The primary migrates and seeds once, then only supervises: the workers serve.
  await seedIfEmpty();
  const h = await connect();
  console.log(`Database: ${h.location}`);
  const demoUsers = await demoUsersPresent(h.db);
  await h.close();
  let stopping = false;
  let listening = 0;
  const crashes: number[] = [];
  const fork = (index: number) => {
    const worker = cluster.fork({ WORKER_INDEX: String(index), WEB_CONCURRENCY: String(processes), SEED_ON_START: "0" });
    worker.on("listening", () => {
      if (++listening === processes) console.log(banner(publicUrl, Date.now() - startedAt, processes, demoUsers));
    });
    worker.on("exit", (code, signal) => {
      if (stopping) return;
      const now = Date.now();
      crashes.push(now);
      while (crashes.length && crashes[0]! < now - 60_000) crashes.shift();
      if (crashes.length > 5) {
        console.error(`Server process ${index} keeps exiting (code ${code ?? signal}): stopping.`);
        process.exit(1);
      }
      console.error(`Server process ${index} exited (${code ?? signal}): starting another.`);
      fork(index);
    });
  };
  for (let i = 0; i < processes; i++) fork(i);
  const stopAll = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: shutting down…`);
    setTimeout(() => process.exit(0), 3000).unref();
    const alive = Object.values(cluster.workers ?? {}).filter((w) => w && !w.isDead());
    let left = alive.length;
    if (left === 0) process.exit(0);
    for (const w of alive) {
      w!.once("exit", () => --left === 0 && process.exit(0));
      w!.process.kill("SIGTERM");
    }
  };
  process.on("SIGINT", () => stopAll("SIGINT"));
  process.on("SIGTERM", () => stopAll("SIGTERM"));
} else {
  await serve();
}

/**
 * A lost database connection must never end the process: its errors reach requests as
 * 503s, and one that escapes every handler (a driver callback, a timer) is logged here.
 * Any other uncaught exception still ends the process (its state is unknown), and the
 * primary starts another.
 */
function surviveDatabaseLoss(): void {
  process.on("unhandledRejection", (reason) => {
    console.error(isDatabaseUnavailable(reason) ? "database unavailable (unhandled):" : "unhandled rejection:", reason instanceof Error ? reason.message : reason);
  });
  process.on("uncaughtException", (error) => {
    if (isDatabaseUnavailable(error)) {
      console.error("database unavailable (uncaught):", error.message);
      return;
    }
    console.error(error);
    process.exit(1);
  });
}

async function serve(): Promise<void> {
  surviveDatabaseLoss();
  const worker = !cluster.isPrimary;
  if (!worker) await seedIfEmpty();
  const handle = await connect();
  setDb(handle);
  // The console's page views read on a small pool of their own (db/client.server.ts, onPool):
  // a flood of API writes holds the main pool's connections, never these. File downloads
  // (exports, statements), which hold a connection for as long as the file streams, stay
  // on the main pool: three of them would otherwise fill the console's.
  const consolePool: DbHandle | undefined =
    handle.driver === "postgres" && env.DATABASE_CONSOLE_POOL_SIZE > 0 ? await openPostgres(handle.url!, { max: env.DATABASE_CONSOLE_POOL_SIZE }) : undefined;
  if (!worker) console.log(`Database: ${handle.driver === "pglite" ? `embedded PostgreSQL (PGlite) at ${handle.location}` : handle.location}`);

  async function loadBuild(): Promise<ServerBuild> {
    const stamp = fs.statSync(buildPath).mtimeMs;
    return (await import(`${pathToFileURL(buildPath).href}?t=${stamp}`)) as ServerBuild;
  }

  let build = await loadBuild();
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", env.TRUST_PROXY ? 1 : false);
  // The API's routes straight to their route modules, without Remix's matching and data
  // strategy (app/server/api-routes.ts); everything else, and any API URL it is not sure
  // of, to Remix. API_VIA_REMIX=1 sends the API through Remix too (to compare the two).
  // The API's requests skip compression here: it compresses its answers of 1 KB or more itself.
  const compress = compression();
  const api =
    mode === "development" || env.API_VIA_REMIX
      ? null
      : apiRoutes(build, {
          createRequest: createApiRequest,
          loadContext,
          send: sendRemixResponse,
          sendText: sendTextResponse,
          compress,
          unavailable: unavailableResponse,
          scoped: (fn) => requestScope().run(new Map(), fn),
          admission: new Admission(env.API_MAX_IN_FLIGHT),
        });
  app.use(api ? (req, res, next) => (api.takes(req) ? next() : compress(req, res, next)) : compress);
  /** An answer written here, before or after the API's handler: through compression as any other. */
  const compressed = (req: express.Request, res: express.Response, write: () => void) => (api?.takes(req) ? compress(req, res, write) : write());

  // Optional middleware from other modules (security headers) is loaded if present.
  const securityPath = path.resolve(process.cwd(), "app/server/security-headers.ts");
  if (fs.existsSync(securityPath)) {
    const mod = (await import(pathToFileURL(securityPath).href)) as { securityHeaders?: () => express.RequestHandler };
    if (mod.securityHeaders) app.use(mod.securityHeaders());
  }

  // Every path segment and query parameter checked once, before any route sees it
  // (app/web/edge/input-guard.ts): a NUL, a broken character, an impossible date or an
  // over-long value is a 400 naming the parameter, never a 500 from deep inside.
  app.use((req, res, next) => {
    const at = req.originalUrl.indexOf("?");
    const pathname = at < 0 ? req.originalUrl : req.originalUrl.slice(0, at);
    // A list page names a bad date beside its filter itself (its schema checks dates).
    const dates = !((req.method === "GET" || req.method === "HEAD") && PAGES_WITH_DATE_SCHEMAS.has(pathname.replace(/(?<=.)\/+$/, "")));
    const problem = checkPath(pathname) ?? checkQuery(at < 0 ? "" : req.originalUrl.slice(at), { dates });
    if (!problem) return next();
    console.warn(`${req.method} ${req.path.slice(0, 200)}: refused input: ${problem.message}`);
    let request: Request;
    try {
      request = new Request(`http://localhost${req.originalUrl}`, { method: req.method === "HEAD" ? "HEAD" : "GET", headers: { cookie: String(req.headers.cookie ?? "") } });
    } catch {
      request = new Request("http://localhost/", { headers: { cookie: String(req.headers.cookie ?? "") } });
    }
    const refusal = badInputResponse(request, problem);
    compressed(req, res, () => void sendRemixResponse(res, refusal).catch(() => res.destroy()));
  });

  // Fingerprinted assets never change: cache them for a year. Everything else briefly.
  app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
  // The rest of public/ (favicon, fonts) is files with an extension: page URLs skip the
  // file-system lookup (a stat per page view otherwise).
  const publicFiles = express.static("public", { maxAge: "1h", index: false });
  app.use((req, res, next) => (/\.[^/]*$/.test(req.path) ? publicFiles(req, res, next) : next()));

  // The Remix handler for a build, with one request store per GET shared by all its loaders
  // (app/server/request-scope.ts).
  // Remix's express adapter, with one change: a request whose loader or action lost the
  // database answers 503 (page, data or API envelope) instead of Remix's 500.
  const remixHandler = (b: ServerBuild): express.RequestHandler => {
    const handleRequest = createRequestHandler(b, mode);
    const handler: express.RequestHandler = async (req, res, next) => {
      try {
        const request = createRemixRequest(req, res);
        const context = loadContext(res);
        let response = await handleRequest(request, context);
        if (context.databaseUnavailable && response.status >= 500) response = unavailableResponse(request, context.cspNonce);
        await sendRemixResponse(res, response);
      } catch (error) {
        next(error);
      }
    };
    return (req, res, next) =>
      req.method === "GET" || req.method === "HEAD"
        ? requestScope().run(new Map(), () => onPool(FILE_DOWNLOADS.test(req.path) ? undefined : consolePool, () => handler(req, res, next)))
        : handler(req, res, next);
  };
  if (mode === "development") {
    const { broadcastDevReady } = await import("@remix-run/node");
    app.all("*", async (req, res, next) => {
      try {
        build = await loadBuild();
        return remixHandler(build)(req, res, next);
      } catch (error) {
        next(error);
      }
    });
    await broadcastDevReady(build);
  } else {
    if (api) app.use(api.handler);
    app.all("*", remixHandler(build));
  }
  // Last resort for an error no route answered: 503 when the database is away, else 500;
  // a response already under way is cut off (an incomplete body, never a truncated file
  // that looks whole).
  app.use((error: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const unavailable = isDatabaseUnavailable(error);
    console.error(`${req.method} ${req.path}: ${unavailable ? "database unavailable" : "unexpected error"}:`, error instanceof Error ? error.message : error);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    compressed(req, res, () => {
      if (unavailable) {
        const r = unavailableResponse(createRemixRequest(req, res), res.locals.cspNonce as string | undefined);
        void sendRemixResponse(res, r).catch(() => res.destroy());
        return;
      }
      res.status(500).type("text/plain").send("Something went wrong on our side. Try again in a moment.");
    });
  });

  // The job queue's workers (app/server/worker.ts): in this process unless SCHEDULER=0
  // (a separate `npm run worker` fleet); one set per server (the first forked process).
  let stopWorkers: (() => Promise<void>) | undefined;
  let pidFile: string | null = null;
  const workersHere = !worker || env.WORKER_INDEX === 0;
  if (env.SCHEDULER && workersHere) {
    const { startWorker } = await import("./worker");
    const w = await startWorker({ handle });
    stopWorkers = w.stop;
    if (handle.driver === "pglite") {
      // `npm run jobs` checks this: the embedded database belongs to one process.
      const { serverPidFile } = await import("./scheduler");
      pidFile = serverPidFile();
      fs.writeFileSync(pidFile, String(process.pid));
    }
  }

  // Keys a killed process left in progress: recovered now rather than at the first tick.
  if (workersHere) {
    import("./jobs/recover-keys")
      .then((m) => m.recoverIdempotencyKeys())
      .then((r) => (r.rebuilt || r.released) && console.log(`[jobs] idempotency keys left by a stopped process: ${r.rebuilt} answered from their payment or refund, ${r.released} released`))
      .catch((e) => console.error("[jobs] idempotency key recovery failed:", e instanceof Error ? e.message : e));
  }
  const demoUsers = worker ? [] : await demoUsersPresent(handle.db);
  const server = app.listen(port, host, () => {
    if (!worker) console.log(banner(publicUrl, Date.now() - startedAt, 1, demoUsers));
  });

  let stopping = false;
  async function shutdown(signal: string) {
    if (stopping) return;
    stopping = true;
    if (!worker) console.log(`\n${signal}: shutting down…`);
    // Hard stop after 2.5 s whatever happens: the promise of Ctrl-C is "promptly".
    setTimeout(() => process.exit(0), 2500).unref();
    server.close();
    server.closeAllConnections();
    try {
      await stopWorkers?.();
      if (pidFile && fs.readFileSync(pidFile, "utf8") === String(process.pid)) fs.rmSync(pidFile);
    } catch {
      // Stopping the workers is best effort on the way out: their jobs are unlocked by the next sweep.
    }
    try {
      await consolePool?.close();
      await handle.close();
    } catch {
      // Closing twice or mid-query is not worth a non-zero exit on shutdown.
    }
    process.exit(0);
  }
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}
