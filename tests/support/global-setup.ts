import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { migrate, migrateUrl, openPglite, openPostgres, type Db } from "../../db/client.server";

/** The smaller deterministic demo dataset every `seed: "demo"` test file starts from. */
export const TEST_SEED = { seed: 1, coffeePayments: 1500, northwindPayments: 600, days: 120, passwordHashCost: "fast" as const };

/**
 * The demo ledger ends at the instant it is seeded; the files that read it get that instant
 * (`demoSeededAt()` in tests/support/db.ts) as the "now" they hand the domain, instead of
 * reading the clock again minutes later (a whole run takes longer than a payout window).
 */
async function seed(db: Db, now: Date) {
  const { seedDemo } = await import("../../app/demo/seed");
  await seedDemo(db, { ...TEST_SEED, now });
}

/**
 * Once per run: prepare a migrated database every test file clones.
 * - PGlite (default): migrate an in-memory instance and dump its data directory to a
 *   tarball; each file loads it (much faster than migrating again).
 * - TEST_DATABASE_URL: migrate a template database `mct_<run>_tpl`; each file creates
 *   `CREATE DATABASE ... TEMPLATE` from it. Everything of this run is dropped at the end,
 *   since the server is shared with other runs.
 */
export default async function setup(project: TestProject) {
  const url = process.env.TEST_DATABASE_URL;
  const runId = `mct_${Date.now().toString(36)}_${process.pid}`;
  const seededAt = new Date();
  project.provide("demoSeededAt", seededAt.toISOString());
  if (url) {
    const { default: postgres } = await import("postgres");
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    const template = `${runId}_tpl`;
    await admin.unsafe(`CREATE DATABASE ${template}`);
    const u = new URL(url);
    u.pathname = `/${template}`;
    await migrateUrl(u.toString());
    // A second template with the demo data, cloned by files that ask for it.
    const seeded = `${runId}_tpl_demo`;
    await admin.unsafe(`CREATE DATABASE ${seeded} TEMPLATE ${template}`);
    u.pathname = `/${seeded}`;
    const h = await openPostgres(u.toString(), { max: 2 });
    await seed(h.db, seededAt);
    await h.close();
    project.provide("testDb", { kind: "postgres", url, template, seededTemplate: seeded, runId });
    return async () => {
      const dbs = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${runId + "%"}`;
      for (const { datname } of dbs) {
        await admin.unsafe(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      }
      await admin.end({ timeout: 2 });
    };
  }
  const handle = await openPglite(undefined);
  await migrate(handle);
  const dump = await handle.pglite!.dumpDataDir("none");
  const file = path.join(os.tmpdir(), `${runId}_pglite.tar`);
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await seed(handle.db, seededAt);
  const seededDump = await handle.pglite!.dumpDataDir("none");
  const seededFile = path.join(os.tmpdir(), `${runId}_pglite_demo.tar`);
  fs.writeFileSync(seededFile, Buffer.from(await seededDump.arrayBuffer()));
  await handle.close();
  project.provide("testDb", { kind: "pglite", file, seededFile, runId });
  return () => {
    fs.rmSync(file, { force: true });
    fs.rmSync(seededFile, { force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    /** When the demo data was seeded (ISO 8601): its ledger ends there. */
    demoSeededAt: string;
    testDb:
      | { kind: "postgres"; url: string; template: string; seededTemplate: string; runId: string }
      | { kind: "pglite"; file: string; seededFile: string; runId: string };
  }
}
