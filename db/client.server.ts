import { AsyncLocalStorage } from "node:async_hooks";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { SQL } from "drizzle-orm";
import * as schema from "./schema";
import { refuseSkippedUpgrade } from "./baseline";
import { env } from "../app/lib/env.server";

export { schema };
export type Schema = typeof schema;
/** Either driver: PGlite (embedded) or postgres.js (a real server). */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle has the same query API as Db. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

export interface DbHandle {
  db: Db;
  driver: "pglite" | "postgres";
  /** Where the data lives: a directory for PGlite, a redacted URL for a server. */
  location: string;
  /** The embedded instance, for PGlite-only operations (dumpDataDir). */
  pglite?: import("@electric-sql/pglite").PGlite;
  /** The connection string (postgres driver), for libraries with their own driver (the job queue). */
  url?: string;
  close(): Promise<void>;
}

// One instance per process, kept on globalThis so dev rebuilds (which re-evaluate
// the server bundle) and the bootstrap script share the same connection. PGlite in
// particular may only be opened once per data directory.
const globalKey = "__merchantConsoleDb" as const;
type GlobalWithDb = typeof globalThis & { [globalKey]?: Promise<DbHandle> };
const g = globalThis as GlobalWithDb;

export function migrationsFolder(): string {
  return env.MIGRATIONS_DIR ?? path.resolve(process.cwd(), "db/migrations");
}

export function pgliteDir(): string {
  return env.PGLITE_DIR ?? path.resolve(process.cwd(), "data/pglite");
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "postgres://…";
  }
}

export async function openPglite(dataDir: string | undefined, opts: { loadDataDir?: Blob } = {}): Promise<DbHandle> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  if (dataDir) fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const client = await PGlite.create(dataDir ? { dataDir, loadDataDir: opts.loadDataDir } : { loadDataDir: opts.loadDataDir });
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    driver: "pglite",
    location: dataDir ?? "memory",
    pglite: client,
    close: () => client.close(),
  };
}

export async function openPostgres(url: string, opts: { max?: number } = {}): Promise<DbHandle> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const client = postgres(url, {
    max: opts.max ?? env.DATABASE_POOL_SIZE,
    onnotice: () => {},
    // Keep bigint columns exact; drizzle maps them to JS bigint itself.
    types: { bigint: postgres.BigInt },
    ...connectionOptions(),
  });
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    driver: "postgres",
    location: redact(url),
    url,
    close: () => client.end({ timeout: 2 }),
  };
}

/**
 * How postgres.js connects, for every pool of ours (app, replica, migrations, tests):
 * - socket: our own TCP socket with TCP_NODELAY, as libpq sets it. With Nagle on, a short
 *   message written behind unacknowledged data (CopyDone after a COPY's last chunk) waited
 *   for the server's delayed ACK (refunds' COPY over a 2.2M load 2.0 -> 0.3 s). This is
 *   the driver's documented `socket` option; it replaced a patch of its connection code.
 * - connect_timeout 5 s (driver default 30): a database that does not answer is reported
 *   as unavailable (503) well within a request's deadline.
 * - backoff at most 0.5 s between reconnection attempts. The driver's default grows as
 *   3^n/100 s up to 20 s with a failure count it never resets, so after one restart the
 *   pool could stay away for 20 s after the database came back; ours comes back within
 *   a second.
 */
export function connectionOptions(): { socket: (o: { host: string[]; port: number[]; path?: string | false }) => import("node:net").Socket; connect_timeout: number; backoff: (n: number) => number } {
  let next = 0;
  return {
    socket: (o) => {
      const i = next++ % Math.max(1, o.host.length);
      const s = o.path ? net.connect(o.path) : net.connect({ host: o.host[i], port: o.port[i] ?? o.port[0] ?? 5432 });
      s.setNoDelay(true);
      return s;
    },
    connect_timeout: env.DATABASE_CONNECT_TIMEOUT,
    backoff: (n) => Math.min(0.05 * 2 ** n, 0.5) * (0.5 + Math.random() / 2),
  };
}

/**
 * Applies the committed drizzle-kit migrations with drizzle's migrator, after refusing a
 * database older than the baseline that replaced migrations 0000-0028 (db/baseline.ts).
 */
export async function migrate(handle: DbHandle): Promise<void> {
  const folder = migrationsFolder();
  if (handle.driver === "pglite") {
    const { migrate: run } = await import("drizzle-orm/pglite/migrator");
    await refuseSkippedUpgrade(folder, async (text) => (await handle.pglite!.query<Record<string, unknown>>(text)).rows);
    await run(handle.db as never, { migrationsFolder: folder });
    // The job queue's own schema (graphile_worker), through PGlite's socket server: one code path.
    const { servePgliteSocket } = await import("./pglite-socket.server");
    const socket = await servePgliteSocket(handle.pglite!);
    try {
      await migrateJobQueue(socket.connectionString);
    } finally {
      await socket.stop();
    }
    return;
  }
  // A single connection for migrations, serialised by an advisory lock so several
  // app servers starting at once do not race each other.
  const url = handle.url ?? "";
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const { migrate: run } = await import("drizzle-orm/postgres-js/migrator");
  const client = postgres(url, { max: 1, onnotice: () => {}, ...connectionOptions() });
  try {
    await client`select pg_advisory_lock(7240501)`;
    await refuseSkippedUpgrade(folder, (text) => client.unsafe(text));
    await run(drizzle(client), { migrationsFolder: folder });
    await migrateJobQueue(url);
    await client`select pg_advisory_unlock(7240501)`;
  } finally {
    await client.end({ timeout: 2 });
  }
}

/**
 * graphile-worker's schema (graphile_worker.*), migrated by graphile-worker itself, with
 * the app's: the domain adds jobs inside its own transactions (app/modules/jobs), so
 * every database the app runs on has the queue's tables from the first start.
 */
async function migrateJobQueue(connectionString: string): Promise<void> {
  const { runMigrations } = await import("graphile-worker");
  await runMigrations({ connectionString, noPreparedStatements: true, logger: await quietJobLogger() });
}

/** graphile-worker's logger keeping warnings and errors only (its info lines say "migrating", "connected"). */
export async function quietJobLogger(): Promise<import("graphile-worker").Logger> {
  const { Logger } = await import("graphile-worker");
  return new Logger(() => (level, message) => {
    if (level === "error" || level === "warning") console.error(`[jobs] ${message}`);
  });
}

export async function migrateUrl(url: string): Promise<void> {
  await migrate({ driver: "postgres", url } as DbHandle);
}

/** Opens the database named by the environment and applies migrations, once per process. */
export function connect(): Promise<DbHandle> {
  if (!g[globalKey]) {
    g[globalKey] = (async () => {
      const url = env.DATABASE_URL;
      if (url) {
        await migrateUrl(url);
        const replicaUrl = env.DATABASE_REPLICA_URL;
        if (replicaUrl) {
          // Reports and exports read here (replicaDb); it is never migrated or written to.
          (globalThis as { __merchantConsoleReplica?: DbHandle }).__merchantConsoleReplica = await openPostgres(replicaUrl, {
            max: env.DATABASE_REPLICA_POOL_SIZE ?? env.DATABASE_POOL_SIZE,
          });
        }
        return openPostgres(url);
      }
      const handle = await openPglite(pgliteDir());
      await migrate(handle);
      return handle;
    })();
    // A failed start must not be cached forever.
    g[globalKey].catch(() => {
      delete g[globalKey];
    });
  }
  return g[globalKey]!;
}

let current: DbHandle | undefined;

/** Installs a handle as the process's database (the server at start-up, tests per file). */
export function setDb(handle: DbHandle | undefined): void {
  current = handle;
  (globalThis as { __merchantConsoleCurrent?: DbHandle }).__merchantConsoleCurrent = handle;
}

/**
 * The console's own pool (a bulkhead). The server runs every console page view (GET and
 * HEAD through Remix) inside `onPool(consolePool, …)`, so db() there answers from a small
 * pool of its own (DATABASE_CONSOLE_POOL_SIZE): a flash sale's API payments, which hold
 * the main pool's connections in their transactions, cannot queue the owner's Overview
 * behind them. Everything else (the API, form actions, jobs, scripts, tests) uses the
 * process's database as before. Both pools are the same primary: a commit is seen by the
 * next read of either.
 *
 * On globalThis: the server and the Remix build load this file as two modules.
 */
const laneKey = Symbol.for("merchant-console.db-lane");
const laneStore: AsyncLocalStorage<DbHandle> = ((globalThis as unknown as Record<symbol, AsyncLocalStorage<DbHandle> | undefined>)[laneKey] ??=
  new AsyncLocalStorage<DbHandle>());

/** Runs `fn` with db() (and replicaDb() when there is no replica) answering from `handle`; without one, as is. */
export function onPool<T>(handle: DbHandle | undefined, fn: () => T): T {
  return handle ? laneStore.run(handle, fn) : fn();
}

/** The process's database. Call after connect()/setDb(). */
export function db(): Db {
  return dbHandle().db;
}

/**
 * Where reports and exports read: the read replica named by DATABASE_REPLICA_URL when
 * one is set (a streaming replica, seconds behind at most), else the primary. Only for
 * reads that may lag a little; anything a person acts on next (a refund, a payout)
 * reads the primary through db().
 */
export function replicaDb(): Db {
  return (globalThis as { __merchantConsoleReplica?: DbHandle }).__merchantConsoleReplica?.db ?? db();
}

/**
 * The postgres.js client behind replicaDb(), for what drizzle does not do (COPY ... TO
 * STDOUT of an export); null on PGlite.
 */
export function replicaSqlClient(): import("postgres").Sql | null {
  const handle = (globalThis as { __merchantConsoleReplica?: DbHandle }).__merchantConsoleReplica ?? dbHandle();
  return handle.driver === "postgres" ? (handle.db as unknown as { $client: import("postgres").Sql }).$client : null;
}

export function dbHandle(): DbHandle {
  const handle = laneStore.getStore() ?? current ?? (globalThis as { __merchantConsoleCurrent?: DbHandle }).__merchantConsoleCurrent;
  if (!handle) throw new Error("Database not initialised: call connect() at start-up");
  return handle;
}

interface RawSession {
  dialect: { sqlToQuery(q: SQL): { sql: string; params: unknown[] } };
  session: { prepareQuery(q: { sql: string; params: unknown[] }, fields: undefined, name: string | undefined, arrayMode: boolean): { execute(): Promise<unknown> } };
}

/**
 * Raw SQL returning rows on either driver (postgres.js returns an array, PGlite {rows}).
 *
 * `prepare: true` sends it as a named prepared statement on postgres.js: each connection
 * parses it once, and after five runs PostgreSQL may keep one generic plan for it instead
 * of planning every run (planning was most of the database time of the Overview's small
 * lookups). Only for statements whose best plan does not depend on the values: lookups
 * by key and "the latest N of a merchant". Never for list filters or date ranges, whose
 * plan must fit the values (a small range and a whole year read differently).
 */
export async function rows<T = Record<string, unknown>>(dbx: DbOrTx, query: SQL, opts: { prepare?: boolean } = {}): Promise<T[]> {
  let result: unknown;
  if (opts.prepare) {
    const raw = dbx as unknown as RawSession;
    // Drizzle's own path for execute(), with a statement name: postgres.js then prepares it.
    result = await raw.session.prepareQuery(raw.dialect.sqlToQuery(query), undefined, "", false).execute();
  } else {
    result = await dbx.execute(query);
  }
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
