/**
 * The console's own pool (db/client.server.ts, onPool; the server runs every console page
 * view on it): when API writes hold every connection of the main pool in their
 * transactions, the Overview's reads are still served at once from the console's pool,
 * and they read what the main pool committed the moment it committed. Without it they
 * wait for a connection of the main pool. Needs a real server (PGlite has no pool).
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, onPool, openPostgres, rows, setDb, type DbHandle } from "../../../db/client.server";
import { recentRefunds } from "../../../app/modules/refunds/list.server";
import { salesReport } from "../../../app/modules/reporting/overview/report.server";
import { resolveOverviewRange } from "../../../app/modules/reporting/overview/range.server";
import { demoSeededAt, useTestDatabase } from "../../support/db";

const t = useTestDatabase({ seed: "demo" });
const SCOPE = { merchantId: "mer_demo_coffee", timeZone: "Asia/Tehran", currency: "IRR" };

/** The Overview's figures and its latest refunds, as its loader reads them. */
async function overviewReads() {
  const range = resolveOverviewRange(SCOPE.timeZone, { range: "30d" }, demoSeededAt());
  const [report, refunds] = await Promise.all([salesReport(SCOPE, range), recentRefunds(SCOPE, 5)]);
  return { attempts: report.current.totals.attempts, refunds: refunds.length };
}

/** What `p` settled to within `ms`, or "waiting". */
function within<T>(p: Promise<T>, ms: number): Promise<T | "waiting"> {
  return Promise.race([p, new Promise<"waiting">((r) => setTimeout(() => r("waiting"), ms))]);
}

describe.skipIf(!t.realServer)("the console's own pool", () => {
  let main: DbHandle;
  let consolePool: DbHandle;

  beforeAll(async () => {
    main = await openPostgres(t.url!, { max: 2 });
    consolePool = await openPostgres(t.url!, { max: 1 });
    setDb(main);
  });

  afterAll(async () => {
    setDb(t.handle);
    await main?.close();
    await consolePool?.close();
  });

  it("serves the Overview's reads while writes hold every connection of the main pool, and reads its commits", async () => {
    const idle = await onPool(consolePool, overviewReads);
    expect(idle.refunds).toBe(5);

    // Two writers in transactions hold both connections of the main pool until released.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let holding = 0;
    const writer = () =>
      db().transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        holding++;
        await released;
      });
    const writers = [writer(), writer()];
    while (holding < 2) await new Promise((r) => setTimeout(r, 10));

    // On the console's pool the reads are answered while the main pool has nothing free
    // (the report's cache is per pool: the first read on the main pool computes it there).
    expect(await within(onPool(consolePool, overviewReads), 5_000)).toEqual(idle);
    // The same reads on the main pool wait for a connection.
    const queued = overviewReads();
    expect(await within(queued, 300)).toBe("waiting");
    release();
    await Promise.all(writers);
    expect(await queued).toEqual(idle);

    // What the main pool committed is read by the console's pool at once (one primary).
    await db().execute(sql`create table pool_probe (n int)`);
    await db().execute(sql`insert into pool_probe values (7)`);
    expect(await onPool(consolePool, () => rows<{ n: number }>(db(), sql`select n from pool_probe`))).toEqual([{ n: 7 }]);
  });

  it("db() answers from the pool of the lane it runs in, and from the process's database outside it", async () => {
    expect(db()).toBe(main.db);
    await onPool(consolePool, async () => {
      expect(db()).toBe(consolePool.db);
      await new Promise((r) => setTimeout(r, 1));
      // Across awaits and timers of the same request.
      expect(db()).toBe(consolePool.db);
    });
    expect(db()).toBe(main.db);
    expect(onPool(undefined, () => db())).toBe(main.db);
  });
});
