/**
 * Migrations 0000-0028 were squashed into db/migrations/0000_baseline.sql (issue 23): a new
 * database runs the baseline; one that applied 0000-0028 already holds everything it makes.
 * drizzle's migrator applies each migration whose journal time is later than the last one a
 * database recorded, and the baseline carries 0028's time, so a database at 0028 (or later)
 * goes on with what follows it. A database that stopped in between would get the baseline on
 * top of the tables it has: it is refused before anything runs, and told where to upgrade.
 */
import fs from "node:fs";
import path from "node:path";

/** The last release with migrations 0000-0028 as files: it takes any older database to 0028. */
export const UPGRADE_THROUGH = "17ef569";

/** The baseline's journal time (meta/_journal.json), or null when the folder has no baseline. */
export function baselineMillis(migrationsFolder: string): number | null {
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, "meta/_journal.json"), "utf8")) as {
    entries: { tag: string; when: number }[];
  };
  const first = journal.entries[0];
  return first && first.tag.endsWith("_baseline") ? first.when : null;
}

/**
 * Why a database may not be migrated, or null when it may: `lastApplied` is the newest
 * created_at in drizzle.__drizzle_migrations (null for a new database).
 */
export function upgradeRefusal(lastApplied: number | null, baseline: number | null): string | null {
  if (lastApplied === null || baseline === null || lastApplied >= baseline) return null;
  return (
    `The database stopped at a migration older than 0028 (recorded ${new Date(lastApplied).toISOString()}), ` +
    `and this version starts from a baseline of 0000-0028: upgrade through release ${UPGRADE_THROUGH} first ` +
    `(it applies the migrations up to 0028), then start this version.`
  );
}

/** The statements that read `lastApplied`, in order: the second only when the first says the table exists. */
export const LAST_APPLIED_SQL = [
  "select to_regclass('drizzle.__drizzle_migrations') is not null as present",
  "select max(created_at)::text as last from drizzle.__drizzle_migrations",
] as const;

/** Reads the newest applied migration's time through `query` (rows of the statement given) and refuses an older database. */
export async function refuseSkippedUpgrade(
  migrationsFolder: string,
  query: (text: string) => Promise<Record<string, unknown>[]>,
): Promise<void> {
  const [present] = await query(LAST_APPLIED_SQL[0]);
  const last = present?.present ? (await query(LAST_APPLIED_SQL[1]))[0]?.last : null;
  const refusal = upgradeRefusal(last == null ? null : Number(last), baselineMillis(migrationsFolder));
  if (refusal) throw new Error(refusal);
}
