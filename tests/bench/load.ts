/**
 * Bulk loader for the benchmark ledger: the demo generator streamed day by day into
 * COPY statements (app/demo/generate.ts + app/demo/copy.ts), so ten million payments
 * never sit in memory. Two worker threads generate and encode the next days
 * (load-generate.ts; merchants are split between them, the large one alone on one) while
 * this thread feeds PostgreSQL's two COPY sessions the previous ones.
 *
 * Row-by-row triggers are what make a bulk load slow (a foreign-key lookup per row,
 * the ledger balance check per statement), so while it COPYs, the load session runs
 * with session_replication_role = replica (triggers off, superuser only) and then
 * proves the same invariants with one set-based query each: every ledger transaction
 * balances, and no row points at a parent that is not there.
 */
import { sql } from "drizzle-orm";
import { openPostgres, rows, type Db } from "~db/client.server";
import * as s from "~db/schema";
import fs from "node:fs";
import os from "node:os";
import { Worker } from "node:worker_threads";
import {
  postgresCopyTarget,
  rebuildDerivedRollups,
  verifyBulkLoad,
  type CopyFormat,
  type CopyTable,
} from "~/demo/copy";
import { HOLIDAYS } from "~/modules/settlements/holiday-data";
import { insertMerchant } from "~/demo/seed";
import type { CopiedMessage, GenerateJob, GenerateMessage, GenerateRequest } from "./load-generate";
import { BENCH_USER, BIG, smallMerchant } from "./merchants";

export interface LoadOptions {
  payments: number;
  days: number;
  smallMerchants: number;
  smallPayments: number;
  seed: number;
  now: Date;
  log: (msg: string) => void;
  /** Keep every index during the load (slower; for comparison). */
  keepIndexes?: boolean;
  /** Keep primary keys (and the foreign keys that need them) and CHECK constraints during the load. */
  keepKeys?: boolean;
  /** COPY input format (default binary). */
  format?: CopyFormat;
  /** Threads that generate and encode (default 2); merchants are split between them. */
  generatorThreads?: number;
}

export interface LoadReport {
  payments: number;
  rows: number;
  /** Generation and COPY, wall clock. */
  loadMs: number;
  /** Rebuilding the secondary indexes and primary keys after the load. */
  indexMs: number;
  /** Set-based verification of what the triggers would have checked. */
  verifyMs: number;
  /** Building the trigger-kept rollups set-based after the load. */
  rollupMs: number;
  analyzeMs: number;
  triggersOff: boolean;
  bytes: number;
  /** Payments and rows per table. */
  tables: Record<string, number>;
  /** Where the load's time went: CPU seconds per stage, COPY wall time per session. */
  split: LoadSplit;
}

export interface LoadSplit {
  /**
   * Per generator thread: its merchants and payments asked for, its seconds (wall) in the generator and
   * in encoding its rows for COPY: its CPU time unless the OS gave the core to others.
   */
  threads: { merchants: number; payments: number; generateSeconds: number; encodeSeconds: number }[];
  /** All of this process's CPU seconds during the load (the above, sockets, GC). */
  processCpu: number;
  /** Per COPY session: the tables it carries, its COPY wall seconds, and the server backend's CPU seconds (null when the server is not on this machine). */
  sessions: { tables: string[]; copySeconds: number; backendCpu: number | null }[];
}

export async function loadBenchLedger(url: string, opts: LoadOptions): Promise<LoadReport> {
  const handle = await openPostgres(url, { max: 1 });
  // Two load sessions COPY at the same time (one per core).
  const second = await openPostgres(url, { max: 1 });
  const db = handle.db;
  type Client = Parameters<typeof postgresCopyTarget>[0] & { unsafe(q: string): Promise<unknown> };
  const clientA = (db as unknown as { $client: Client }).$client;
  const clientB = (second.db as unknown as { $client: Client }).$client;
  try {
    await setup(db, opts);
    let triggersOff = true;
    for (const c of [clientA, clientB]) {
      try {
        await c.unsafe("SET session_replication_role = replica");
      } catch {
        triggersOff = false;
      }
      await c.unsafe("SET synchronous_commit = off");
    }
    if (!triggersOff) opts.log("  (not a superuser: loading with every trigger on, which is slower)");

    // What pg_restore does: data first, then indexes and keys. Secondary indexes and
    // primary keys (with the foreign keys that need them) are built once at the end, by
    // a sort, instead of row by row; re-adding a key proves its uniqueness, re-adding a
    // foreign key proves every reference (PostgreSQL validates it set-based). CHECK
    // constraints go too and are re-added after the load, one validating scan per table:
    // all of that is timed apart from the load ("indexes") and counted in the
    // all-inclusive figure.
    const indexes = opts.keepIndexes ? [] : await dropSecondaryIndexes(db);
    if (indexes.length) opts.log(`  dropped ${indexes.length} secondary indexes for the load; they are rebuilt after it`);
    const keys: DroppedKeys = opts.keepKeys || !triggersOff ? { keys: [], foreignKeys: [], checks: [], checkCount: 0 } : await dropKeys(db);
    if (keys.keys.length) {
      opts.log(
        `  dropped ${keys.keys.length} primary keys, the ${keys.foreignKeys.length} foreign keys that need them and ${keys.checkCount} CHECK constraints for the load; ` +
          `they are re-added (and so validated) after it`,
      );
    }

    const targets = [postgresCopyTarget(clientA), postgresCopyTarget(clientB)];
    const pids = await Promise.all([clientA, clientB].map(backendPid));
    const cpu0 = pids.map(backendCpu);
    const sessionTables = [new Set<string>(), new Set<string>()];
    const copySeconds = [0, 0];
    const format: CopyFormat = opts.format ?? "binary";
    let bytes = 0;
    const copyMs: Record<string, number> = {};
    // Largest first; with row triggers off (no foreign key checks) the two sessions take
    // the next table as they get free, which keeps them equally busy. With triggers on,
    // each session keeps its parents before their children.
    const sizeOrder: CopyTable[] = ["ledger_entries", "payments", "ledger_transactions", "payout_items", "sales_daily", "refunds", "payouts"];
    const sideA = new Set<CopyTable>(["payments", "refunds", "sales_daily"]);
    const session = async (i: number, queue: [CopyTable, Uint8Array[]][]) => {
      for (let part = queue.shift(); part; part = queue.shift()) {
        const [table, chunks] = part;
        const t0 = performance.now();
        await targets[i]!.copy(table, chunks, format);
        const ms = performance.now() - t0;
        copyMs[table] = (copyMs[table] ?? 0) + ms;
        copySeconds[i]! += ms / 1000;
        sessionTables[i]!.add(table);
      }
    };
    /** One set of chunks, all tables, on the two sessions; sets go in order (parents before children). */
    const copySet = async (parts: [CopyTable, Uint8Array[]][]) => {
      for (const [, chunks] of parts) for (const c of chunks) bytes += c.length;
      if (triggersOff) {
        const queue = [...parts].sort((x, y) => sizeOrder.indexOf(x[0]) - sizeOrder.indexOf(y[0]));
        await Promise.all([session(0, queue), session(1, queue)]);
      } else {
        await Promise.all([session(0, parts.filter(([t]) => sideA.has(t))), session(1, parts.filter(([t]) => !sideA.has(t)))]);
      }
    };

    // The generator runs on worker threads (load-generate.ts): this thread only feeds the sockets.
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    let payments = 0;
    let rowsTotal = 0;
    let lastLog = started;
    const shares = splitMerchants(
      [
        { spec: BIG, payments: opts.payments, refundUserIds: [BENCH_USER.id] },
        ...Array.from({ length: opts.smallMerchants }, (_, i) => ({ spec: smallMerchant(i + 1), payments: opts.smallPayments, refundUserIds: [] })),
      ],
      opts.generatorThreads ?? 2,
    );
    const generated: (Extract<GenerateMessage, { type: "done" }> | null)[] = shares.map(() => null);
    const progress = shares.map(() => 0);
    /** Each generator thread's chunks (shared memory), by number. */
    const sharedChunks = shares.map(() => new Map<number, SharedArrayBuffer>());
    const workers = shares.map(
      (merchants) =>
        new Worker(new URL("./load-worker.mjs", import.meta.url), {
          workerData: {
            merchants,
            days: opts.days,
            seed: opts.seed,
            now: opts.now.toISOString(),
            format,
            flushRows: 400_000,
            ahead: 2,
          } satisfies GenerateRequest,
          // A young generation of 3 x 64 MB semi-spaces, as --max-semi-space-size=64 gives the main
          // thread: the generator's millions of short-lived rows die young instead of being promoted.
          resourceLimits: { maxYoungGenerationSizeMb: 192 },
        }),
    );
    try {
      await new Promise<void>((resolve, reject) => {
        // Sets are copied one at a time, in the order they arrive: each thread's own sets stay
        // in order (parents before children); two threads never share a merchant.
        let copying = Promise.resolve();
        workers.forEach((worker, w) => {
          worker.on("error", reject);
          worker.on("exit", (code) => {
            if (!generated[w]) reject(new Error(`generator thread ${w + 1} stopped (exit code ${code}) before it was done`));
          });
          worker.on("message", (m: GenerateMessage) => {
            if (m.type === "set") {
              rowsTotal += m.rows;
              payments += m.payments;
              for (const [ref, sab] of m.shared) sharedChunks[w]!.set(ref, sab);
              const refs = new Set<number>();
              const parts = m.parts.map(([table, pieces]): [CopyTable, Uint8Array[]] => [
                table,
                pieces.map((p) => {
                  if (p instanceof Uint8Array) return p;
                  refs.add(p.ref);
                  return Buffer.from(sharedChunks[w]!.get(p.ref)!, p.offset, p.length);
                }),
              ]);
              copying = copying.then(async () => {
                await copySet(parts);
                worker.postMessage({ type: "copied", refs: [...refs] } satisfies CopiedMessage);
              });
              copying.catch(reject);
            } else if (m.type === "progress") {
              progress[w] = m.payments;
              const now = performance.now();
              if (now - lastLog > 10_000) {
                lastLog = now;
                const sum = progress.reduce((a, b) => a + b, 0);
                opts.log(`  ${sum.toLocaleString("en-US")} payments generated, ${Math.round(sum / ((now - started) / 1000)).toLocaleString("en-US")}/s`);
              }
            } else if (m.type === "done") {
              generated[w] = m;
              if (generated.every(Boolean)) copying.then(resolve, reject);
            }
          });
        });
      });
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
    const loadMs = performance.now() - started;
    const cpuUsed = process.cpuUsage(cpuStart);
    const cpu1 = pids.map(backendCpu);
    const split: LoadSplit = {
      threads: shares.map((share, w) => ({
        merchants: share.length,
        payments: share.reduce((a, j) => a + j.payments, 0),
        generateSeconds: generated[w]!.generateSeconds,
        encodeSeconds: generated[w]!.encodeSeconds,
      })),
      processCpu: (cpuUsed.user + cpuUsed.system) / 1e6,
      sessions: [0, 1].map((i) => ({
        tables: COPY_TABLES.filter((t) => sessionTables[i]!.has(t)),
        copySeconds: copySeconds[i]!,
        backendCpu: cpu0[i] !== null && cpu1[i] !== null ? cpu1[i]! - cpu0[i]! : null,
      })),
    };
    opts.log(`  COPY time by table (s): ${Object.entries(copyMs).map(([t, ms]) => `${t} ${(ms / 1000).toFixed(1)}`).join(", ")}`);
    logSplit(split, payments, loadMs, opts.log);
    for (const c of [clientA, clientB]) await c.unsafe("SET session_replication_role = origin");

    const i0 = performance.now();
    await rebuildIndexes([clientA, clientB], [...keys.keys, ...keys.checks, ...indexes]);
    const indexMs = performance.now() - i0;
    if (indexes.length || keys.keys.length) {
      opts.log(
        `  rebuilt ${keys.keys.length} primary keys and ${indexes.length} indexes, re-added and validated ${keys.checkCount} CHECK constraints in ${(indexMs / 1000).toFixed(1)} s`,
      );
    }

    const v0 = performance.now();
    // Re-adding a foreign key is PostgreSQL's own set-based proof of every reference
    // (the same anti-join verifyBulkLoad runs); those checks are not run twice.
    const proven = await readdForeignKeys([clientA, clientB], keys.foreignKeys, opts.log);
    await verifyBulkLoad(db, opts.log, { skip: proven });
    const verifyMs = performance.now() - v0;

    // The triggers that keep the derived rollups were off with the others.
    const r0 = performance.now();
    await rebuildDerivedRollups(db);
    const rollupMs = performance.now() - r0;
    opts.log(`  derived rollups built set-based in ${(rollupMs / 1000).toFixed(1)} s`);

    const a0 = performance.now();
    // Autovacuum would get there; the benchmark should not measure its timing. VACUUM
    // also sets the visibility map that index-only scans rely on.
    await clientA.unsafe("VACUUM (ANALYZE)");
    const analyzeMs = performance.now() - a0;

    const counts = await rows<{ t: string; n: string }>(
      db,
      sql`select relname as t, n_live_tup::text as n from pg_stat_user_tables
          where relname in ('payments','refunds','payouts','ledger_transactions','ledger_entries','payout_items','sales_daily')`,
    );
    return {
      payments,
      rows: rowsTotal,
      loadMs,
      indexMs,
      verifyMs,
      rollupMs,
      analyzeMs,
      triggersOff,
      bytes,
      tables: Object.fromEntries(counts.map((c) => [c.t, Number(c.n)])),
      split,
    };
  } finally {
    await handle.close();
    await second.close();
  }
}

/** How the load's time split, in seconds and in CPU microseconds per payment. */
function logSplit(s: LoadSplit, payments: number, loadMs: number, log: (m: string) => void) {
  const us = (sec: number) => `${((sec * 1e6) / Math.max(payments, 1)).toFixed(1)} µs/payment`;
  s.threads.forEach((t, i) => {
    const per = (sec: number) => `${((sec * 1e6) / Math.max(t.payments, 1)).toFixed(1)} µs/payment`;
    log(
      `  generator thread ${i + 1} (${t.merchants.toLocaleString("en-US")} merchant${t.merchants === 1 ? "" : "s"}, ${t.payments.toLocaleString("en-US")} payments): ` +
        `in the generator ${t.generateSeconds.toFixed(1)} s (${per(t.generateSeconds)}), in encoding ${t.encodeSeconds.toFixed(1)} s (${per(t.encodeSeconds)}) ` +
        `(wall time: includes any time the OS gave the core to others)`,
    );
  });
  log(`  this process's CPU in all (generator threads, GC threads, sockets) ${s.processCpu.toFixed(1)} s (${us(s.processCpu)})`);
  s.sessions.forEach((x, i) =>
    log(
      `  COPY session ${i + 1} (${x.tables.join(", ")}): busy ${x.copySeconds.toFixed(1)} s of ${(loadMs / 1000).toFixed(1)}` +
        (x.backendCpu === null ? "" : `, server backend CPU ${x.backendCpu.toFixed(1)} s (${us(x.backendCpu)})`),
    ),
  );
  const cores = os.cpus().length;
  const backends = s.sessions.every((x) => x.backendCpu !== null) ? s.sessions.reduce((a, x) => a + x.backendCpu!, 0) : null;
  if (backends !== null) {
    const total = s.processCpu + backends;
    log(
      `  CPU in all: ${total.toFixed(1)} s (${us(total)}) over ${(loadMs / 1000).toFixed(1)} s of wall clock = ${(total / (loadMs / 1000)).toFixed(2)} cores busy; ` +
        `${cores} idle cores would allow at most ${Math.round(payments / (total / cores)).toLocaleString("en-US")} payments/s for this work`,
    );
  }
}

const COPY_TABLES: CopyTable[] = ["payments", "refunds", "payouts", "ledger_transactions", "ledger_entries", "payout_items", "sales_daily"];
const LOADED_TABLES: string[] = COPY_TABLES;

type Unsafe = { unsafe(q: string): Promise<unknown> };

/**
 * Merchants over `threads` generator threads, largest first onto the least loaded, each
 * thread's list in the original order. Fewer threads when there are fewer merchants.
 */
export function splitMerchants(jobs: GenerateJob[], threads: number): GenerateJob[][] {
  const n = Math.max(1, Math.min(threads, jobs.length));
  const load = new Array<number>(n).fill(0);
  const owner = new Map<GenerateJob, number>();
  for (const job of [...jobs].sort((a, b) => b.payments - a.payments)) {
    const w = load.indexOf(Math.min(...load));
    owner.set(job, w);
    load[w]! += job.payments;
  }
  return Array.from({ length: n }, (_, w) => jobs.filter((j) => owner.get(j) === w)).filter((share) => share.length > 0);
}

async function backendPid(c: Unsafe): Promise<number> {
  const r = (await c.unsafe("select pg_backend_pid() as pid")) as { pid: number }[];
  return Number(r[0]!.pid);
}

const CLOCK_TICKS = 100; // USER_HZ on Linux
/** CPU seconds a server backend has used, when the server runs on this machine (null otherwise). */
function backendCpu(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    if (!/\((postgres|postmaster)\)/.test(stat)) return null;
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
  } catch {
    return null;
  }
}

interface DroppedKeys {
  /** ALTER TABLE ... ADD CONSTRAINT statements that re-create the primary keys. */
  keys: string[];
  /** The foreign keys that referenced them: table, name, definition. */
  foreignKeys: { table: string; name: string; def: string }[];
  /** One ALTER TABLE per table re-adding its CHECK constraints (one scan validates them all). */
  checks: string[];
  checkCount: number;
}

/**
 * Drops the primary keys of the loaded tables, the foreign keys that need them (a key
 * cannot go while a foreign key points at it) and their CHECK constraints (evaluated
 * row by row they are half of the server's COPY time: three regular expressions per
 * payment); returns how to put them back.
 */
async function dropKeys(db: Db): Promise<DroppedKeys> {
  const keys = await rows<{ table: string; name: string; def: string }>(
    db,
    sql`select c.conrelid::regclass::text as table, c.conname as name, pg_get_constraintdef(c.oid) as def
        from pg_constraint c join pg_class t on t.oid = c.conrelid
        where c.contype in ('p', 'u') and t.relname in ${LOADED_TABLES} and t.relnamespace = 'public'::regnamespace`,
  );
  const foreignKeys = await rows<{ table: string; name: string; def: string }>(
    db,
    sql`select f.conrelid::regclass::text as table, f.conname as name, pg_get_constraintdef(f.oid) as def
        from pg_constraint f join pg_constraint k on k.conindid = f.conindid and k.contype in ('p', 'u')
        join pg_class t on t.oid = k.conrelid
        where f.contype = 'f' and t.relname in ${LOADED_TABLES} and t.relnamespace = 'public'::regnamespace`,
  );
  const checks = await rows<{ table: string; name: string; def: string }>(
    db,
    sql`select c.conrelid::regclass::text as table, c.conname as name, pg_get_constraintdef(c.oid) as def
        from pg_constraint c join pg_class t on t.oid = c.conrelid
        where c.contype = 'c' and c.convalidated and t.relname in ${LOADED_TABLES} and t.relnamespace = 'public'::regnamespace
        order by c.conrelid, c.conname`,
  );
  for (const f of foreignKeys) await db.execute(sql.raw(`ALTER TABLE ${f.table} DROP CONSTRAINT ${quoteIdent(f.name)}`));
  for (const k of [...keys, ...checks]) await db.execute(sql.raw(`ALTER TABLE ${k.table} DROP CONSTRAINT ${quoteIdent(k.name)}`));
  const byTable = new Map<string, string[]>();
  for (const c of checks) byTable.set(c.table, [...(byTable.get(c.table) ?? []), `ADD CONSTRAINT ${quoteIdent(c.name)} ${c.def}`]);
  return {
    keys: keys.map((k) => `ALTER TABLE ${k.table} ADD CONSTRAINT ${quoteIdent(k.name)} ${k.def}`),
    foreignKeys,
    checks: [...byTable].map(([table, adds]) => `ALTER TABLE ${table} ${adds.join(", ")}`),
    checkCount: checks.length,
  };
}

/** Re-adds (and so validates) the dropped foreign keys; returns the verifyBulkLoad checks they prove. */
async function readdForeignKeys(clients: Unsafe[], fks: DroppedKeys["foreignKeys"], log: (m: string) => void): Promise<string[]> {
  const queue = [...fks];
  await Promise.all(
    clients.map(async (c) => {
      for (let f = queue.shift(); f; f = queue.shift()) {
        const t0 = performance.now();
        await c.unsafe(`ALTER TABLE ${f.table} ADD CONSTRAINT ${quoteIdent(f.name)} ${f.def}`);
        log(`  verified: ${f.table} ${f.def} (foreign key re-added and validated, ${Math.round(performance.now() - t0)} ms)`);
      }
    }),
  );
  return fks.map((f) => `${f.table} ${f.def}`);
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Drops the indexes of the loaded tables that back no constraint; returns their definitions. */
async function dropSecondaryIndexes(db: Db): Promise<string[]> {
  const found = await rows<{ name: string; def: string }>(
    db,
    sql`select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
        from pg_index i join pg_class t on t.oid = i.indrelid
        where t.relname in ${LOADED_TABLES} and t.relnamespace = 'public'::regnamespace
          and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`,
  );
  for (const f of found) await db.execute(sql.raw(`DROP INDEX ${f.name}`));
  return found.map((f) => f.def);
}

/** Rebuilds indexes, spread over the given sessions (one build per core). */
async function rebuildIndexes(clients: { unsafe(q: string): Promise<unknown> }[], defs: string[]) {
  const queue = [...defs];
  await Promise.all(
    clients.map(async (c) => {
      await c.unsafe("SET maintenance_work_mem = '256MB'");
      for (let def = queue.shift(); def; def = queue.shift()) await c.unsafe(def);
    }),
  );
}

async function setup(db: Db, opts: LoadOptions) {
  const holidayRows = Object.entries(HOLIDAYS).flatMap(([calendar, days]) =>
    days.map((h) => ({ calendar, day: h.day, name: h.name, nameFa: h.nameFa ?? null })),
  );
  await db.insert(s.holidays).values(holidayRows).onConflictDoNothing();
  const activatedAt = new Date(opts.now.getTime() - (opts.days + 30) * 86400_000);
  await insertMerchant(db, BIG, { activatedAt, apiKeys: false });
  await createBenchUser(db);
  for (let i = 1; i <= opts.smallMerchants; i++) await insertMerchant(db, smallMerchant(i), { activatedAt, apiKeys: false });
}

/** The bench user: owner of the big merchant, for the HTTP measurements. */
export async function createBenchUser(db: Db): Promise<void> {
  const argon2 = await import("argon2");
  const passwordHash = await argon2.hash(BENCH_USER.password, { type: argon2.argon2id, memoryCost: 1024, timeCost: 1, parallelism: 1 });
  const now = new Date();
  await db
    .insert(s.users)
    .values({ id: BENCH_USER.id, email: BENCH_USER.email, name: BENCH_USER.name, passwordHash, createdAt: now, updatedAt: now, passwordChangedAt: now })
    .onConflictDoNothing();
  await db
    .insert(s.memberships)
    .values({ merchantId: BIG.id, userId: BENCH_USER.id, role: "owner", status: "active", createdAt: now, updatedAt: now })
    .onConflictDoNothing();
}
