/**
 * Bulk loader for the benchmark ledger: the demo generator streamed day by day into
 * COPY statements (db/seed/generate.ts + db/seed/copy.ts), so ten million payments
 * never sit in memory. JavaScript generates the next days while PostgreSQL ingests
 * the previous chunk.
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
import { CopyBuffer, postgresCopyTarget, rebuildDerivedRollups, verifyBulkLoad, type CopyTable, type CopyTarget } from "~db/seed/copy";
import { generateMerchantDays } from "~db/seed/generate";
import { HOLIDAYS } from "~db/seed/holidays";
import type { MerchantSpec } from "~db/seed/merchants";
import { calendarFor, insertMerchant } from "~db/seed/seed";
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
}

export interface LoadReport {
  payments: number;
  rows: number;
  /** Generation and COPY, wall clock. */
  loadMs: number;
  /** Rebuilding the secondary indexes after the load. */
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
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function loadBenchLedger(url: string, opts: LoadOptions): Promise<LoadReport> {
  const handle = await openPostgres(url, { max: 1 });
  // Two load sessions: payments-side and ledger-side tables COPY at the same time.
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

    // Secondary indexes are built once at the end (a sort) instead of row by row.
    const indexes = opts.keepIndexes ? [] : await dropSecondaryIndexes(db);
    if (indexes.length) opts.log(`  dropped ${indexes.length} secondary indexes for the load; they are rebuilt after it`);

    const targets = { a: postgresCopyTarget(clientA), b: postgresCopyTarget(clientB) };
    const sideA = new Set<CopyTable>(["payments", "refunds", "sales_daily"]);
    const buffer = new CopyBuffer();
    let inflight: Promise<unknown> = Promise.resolve();
    let bytes = 0;
    const copyMs: Record<string, number> = {};
    const run = async (target: CopyTarget, parts: [CopyTable, Buffer[]][]) => {
      for (const [table, chunks] of parts) {
        const t0 = performance.now();
        await target.copy(table, chunks);
        copyMs[table] = (copyMs[table] ?? 0) + performance.now() - t0;
      }
    };
    const flush = async () => {
      const parts = buffer.take();
      await inflight; // one chunk in flight: PostgreSQL ingests it while we generate the next
      for (const [, chunks] of parts) for (const c of chunks) bytes += c.length;
      inflight = Promise.all([
        run(targets.a, parts.filter(([t]) => sideA.has(t))),
        run(targets.b, parts.filter(([t]) => !sideA.has(t))),
      ]);
      inflight.catch(() => {}); // surfaced by the next await
    };

    const started = performance.now();
    let payments = 0;
    let rowsTotal = 0;
    let lastLog = started;
    const merchants: [MerchantSpec, number][] = [[BIG, opts.payments]];
    for (let i = 1; i <= opts.smallMerchants; i++) merchants.push([smallMerchant(i), opts.smallPayments]);
    for (const [spec, count] of merchants) {
      const bank = { bankAccountId: `ba_${spec.id.slice(4)}`, bankAccountMask: "•••• 9012" };
      for (const batch of generateMerchantDays(spec, {
        seed: opts.seed,
        payments: count,
        days: opts.days,
        now: opts.now,
        calendar: calendarFor(spec),
        ...bank,
        refundUserIds: spec.id === BIG.id ? [BENCH_USER.id] : [],
      })) {
        buffer.add(batch);
        payments += batch.payments.length;
        if (buffer.rows >= 400_000) {
          rowsTotal += buffer.rows;
          await flush();
        }
        if (batch.payments.length > 200) await tick(); // let the sockets drain
        const now = performance.now();
        if (now - lastLog > 10_000) {
          lastLog = now;
          opts.log(`  ${payments.toLocaleString("en-US")} payments, ${Math.round(payments / ((now - started) / 1000)).toLocaleString("en-US")}/s`);
        }
      }
    }
    rowsTotal += buffer.rows;
    await flush();
    await inflight;
    const loadMs = performance.now() - started;
    opts.log(`  COPY time by table (s): ${Object.entries(copyMs).map(([t, ms]) => `${t} ${(ms / 1000).toFixed(1)}`).join(", ")}`);
    for (const c of [clientA, clientB]) await c.unsafe("SET session_replication_role = origin");

    const i0 = performance.now();
    await rebuildIndexes([clientA, clientB], indexes);
    const indexMs = performance.now() - i0;
    if (indexes.length) opts.log(`  rebuilt ${indexes.length} indexes in ${(indexMs / 1000).toFixed(1)} s`);

    const v0 = performance.now();
    await verifyBulkLoad(db, opts.log);
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
    };
  } finally {
    await handle.close();
    await second.close();
  }
}

const LOADED_TABLES = ["payments", "refunds", "payouts", "ledger_transactions", "ledger_entries", "payout_items", "sales_daily"];

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
