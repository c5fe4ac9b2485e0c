import fs from "node:fs";
import { afterAll, beforeAll, describe, inject, it } from "vitest";
import { openPglite, openPostgres, setDb, type Db, type DbHandle } from "../../db/client.server";

export interface TestDatabase {
  readonly db: Db;
  readonly handle: DbHandle;
  /** True on a real PostgreSQL server (TEST_DATABASE_URL), false on PGlite. */
  readonly realServer: boolean;
  /** A connection string for this file's database (real server only): for a second pool. */
  readonly url: string | null;
}

let fileCounter = 0;

/**
 * Tests that need a real PostgreSQL server (races: PGlite is one connection, locks never
 * block there; COPY; query plans) are skipped on PGlite, and this says so out loud: a
 * warning naming what did not run and why, and a skipped test in the report.
 */
export function noticeRealServerOnly(realServer: boolean, what: string, why = "PGlite is a single connection, locks never block"): void {
  if (realServer) return;
  console.warn(`SKIPPED: ${what}: set TEST_DATABASE_URL to a PostgreSQL server to run it (${why}).`);
  describe(`${what} [needs a real PostgreSQL server]`, () => {
    it.skip(`skipped on PGlite: ${what} (set TEST_DATABASE_URL)`, () => {});
  });
}

/** The instant the demo data of `seed: "demo"` was seeded: the "now" a test of that data hands the domain. */
export function demoSeededAt(): Date {
  return new Date(inject("demoSeededAt"));
}

/**
 * A fresh, migrated database for this test file, installed as the process's db().
 * `seed: "demo"` starts from the demo merchants with a smaller deterministic ledger
 * (TEST_SEED in global-setup.ts: 1,500 + 600 payments over 120 days, seeded once per run).
 * Call at the top level of a test file.
 */
export function useTestDatabase(opts: { seed?: "none" | "demo" } = {}): TestDatabase {
  const info = inject("testDb");
  let handle: DbHandle | undefined;
  let dbName: string | null = null;
  let url: string | null = null;
  let admin: { unsafe(q: string): Promise<unknown>; end(o?: { timeout?: number }): Promise<void> } | undefined;

  beforeAll(async () => {
    if (info.kind === "postgres") {
      const { default: postgres } = await import("postgres");
      admin = postgres(info.url, { max: 1, onnotice: () => {} });
      dbName = `${info.runId}_${process.pid}_${++fileCounter}_${Math.random().toString(36).slice(2, 8)}`;
      await admin.unsafe(`CREATE DATABASE ${dbName} TEMPLATE ${opts.seed === "demo" ? info.seededTemplate : info.template}`);
      const u = new URL(info.url);
      u.pathname = `/${dbName}`;
      url = u.toString();
      handle = await openPostgres(url, { max: 20 });
    } else {
      const blob = new Blob([fs.readFileSync(opts.seed === "demo" ? info.seededFile : info.file)]);
      handle = await openPglite(undefined, { loadDataDir: blob });
    }
    setDb(handle);
  });

  afterAll(async () => {
    setDb(undefined);
    await handle?.close();
    if (admin && dbName) {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end({ timeout: 2 });
    }
  });

  return {
    get db() {
      if (!handle) throw new Error("test database not ready: use it inside tests or hooks");
      return handle.db;
    },
    get handle() {
      if (!handle) throw new Error("test database not ready");
      return handle;
    },
    realServer: info.kind === "postgres",
    get url() {
      return url;
    },
  };
}
