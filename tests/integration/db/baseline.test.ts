/**
 * Migrations 0000-0028 are one baseline (db/migrations/0000_baseline.sql, db/baseline.ts): a new
 * database runs it, one that applied 0000-0028 goes on past it, one that stopped in between is
 * refused before anything runs. "Applied up to" is what drizzle's migrator reads: the newest
 * created_at in drizzle.__drizzle_migrations. (On PGlite here; the real server's path calls the
 * same check inside its advisory lock.)
 */
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { migrate, migrationsFolder, openPglite, rows, type DbHandle } from "../../../db/client.server";
import { baselineMillis } from "../../../db/baseline";
import { useTestDatabase } from "../../support/db";

const t = useTestDatabase();
const baseline = baselineMillis(migrationsFolder());
/** A whole migrate() of an embedded database (the job queue's schema too) on a loaded machine. */
const MIGRATE_TIMEOUT = 180_000;
let handle: DbHandle | undefined;

afterEach(async () => {
  await handle?.close();
  handle = undefined;
});

/** A database whose last applied migration was recorded at `createdAt`, with nothing else in it. */
async function stoppedAt(createdAt: number): Promise<DbHandle> {
  handle = await openPglite(undefined);
  await handle.pglite!.exec(`create schema drizzle;
    create table drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint);
    insert into drizzle.__drizzle_migrations (hash, created_at) values ('earlier', ${createdAt});`);
  return handle;
}

async function one<T>(h: DbHandle, query: string): Promise<T> {
  return (await h.pglite!.query<{ v: T }>(query)).rows[0]!.v;
}

describe("the migrations baseline", () => {
  it("is the journal's first migration, at the time of 0028", () => {
    expect(baseline).toBe(1796593345972);
  });

  it("made this file's new database: one migration recorded, at 0028's time, and the seed rows", async () => {
    const one = async (query: ReturnType<typeof sql>) => Object.values((await rows(t.db, query))[0]!)[0];
    expect(await one(sql`select array_agg(created_at::text) from drizzle.__drizzle_migrations`)).toEqual(["1796593345972"]);
    expect(await one(sql`select array_agg(id) from processors`)).toEqual(["sandbox"]);
    expect(await one(sql`select count(*)::int from vat_rates`)).toBe(3);
    expect(await one(sql`select count(*)::int from pg_trigger where tgname = 'ledger_entries_derive'`)).toBe(1);
  });

  it("takes a database that applied 0000-0028 as migrated and runs nothing", async () => {
    const h = await stoppedAt(baseline!);
    await migrate(h);
    expect(await one(h, "select count(*)::int as v from drizzle.__drizzle_migrations")).toBe(1);
    expect(await one(h, "select to_regclass('public.payments')::text as v")).toBeNull();
  }, MIGRATE_TIMEOUT);

  it("refuses a database that stopped before 0028, and leaves it as it was", async () => {
    const h = await stoppedAt(baseline! - 1);
    await expect(migrate(h)).rejects.toThrow(
      "The database stopped at a migration older than 0028 (recorded 2026-12-06T21:42:25.971Z), and this version starts " +
        "from a baseline of 0000-0028: upgrade through release 17ef569 first (it applies the migrations up to 0028), then start this version.",
    );
    expect(await one(h, "select count(*)::int as v from drizzle.__drizzle_migrations")).toBe(1);
    expect(await one(h, "select to_regclass('public.payments')::text as v")).toBeNull();
  }, MIGRATE_TIMEOUT);
});
