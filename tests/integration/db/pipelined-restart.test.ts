/**
 * pipelinedTx (db/prepared.server.ts) across database restarts: a throwaway PostgreSQL
 * cluster (tests/support/pg-cluster.ts) restarted four times (fast, then immediate) while
 * twelve lanes run short pipelined transactions on a pool of five connections. Every
 * transaction settles (committed, or refused with a connection error the API answers as
 * 503), none waits on forever, nothing is written half, every acknowledged commit is written (a
 * refused one may have committed just before its answer was lost: that is what the API's
 * idempotency keys and the inquiry job are for), and the pool serves again
 * at once. Before, a reserve waiting for a connection that the restart closed was never
 * settled (porsager/postgres#1195, patched in patches/postgres+3.4.9.patch), and a failed
 * connection handed back to the pool held the next transaction's answers: the browser
 * journey's requests hung past their 15 s deadline.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgres, type DbHandle } from "../../../db/client.server";
import { pipelinedTx, preparedSql } from "../../../db/prepared.server";
import { batchedTx, batchStats } from "../../../db/batch.server";
import { clusterUnavailableReason, startCluster, type PgCluster } from "../../support/pg-cluster";
import { isDatabaseUnavailable } from "../../../app/web/edge/unavailable.server";

const skip = clusterUnavailableReason();

describe.skipIf(!!skip)("pipelined transactions across database restarts", () => {
  let cluster: PgCluster;
  let h: DbHandle;

  beforeAll(async () => {
    cluster = await startCluster();
    h = await openPostgres(cluster.url(), { max: 5 });
    await h.db.execute(sql`create table pairs (lane int, op int, part int, primary key (lane, op, part))`);
  }, 60_000);

  afterAll(async () => {
    await h?.close().catch(() => {});
    cluster?.destroy();
  });

  it("every transaction settles, commits whole or not at all, and the pool serves again", async () => {
    const insert = preparedSql(() => sql`insert into pairs (lane, op, part) values (${sql.placeholder("lane")}, ${sql.placeholder("op")}, ${sql.placeholder("part")})`);
    const committed = new Set<string>();
    // Refused with a lost connection: the server may have committed before the answer was lost
    // (a COMMIT sent with its statements can be done when the restart cuts the answer off).
    const unknown = new Set<string>();
    const stuck: string[] = [];
    let refused = 0;
    let stop = false;
    const lane = async (n: number) => {
      for (let op = 0; !stop; op++) {
        // A transaction still unsettled after 10 s is stuck (a healthy one takes milliseconds).
        const timer = setTimeout(() => stuck.push(`lane ${n} op ${op}`), 10_000);
        try {
          // Both ways: COMMIT sent with the statements, and COMMIT after reading the results.
          // And batched with other lanes' (db/batch.server.ts: one transaction for several callers).
          if (op % 3 === 2) await batchedTx(h.db, "restart", `${n}`, (tx) => [insert(tx, { lane: n, op, part: 1 }), insert(tx, { lane: n, op, part: 2 })]);
          else if (op % 2) await pipelinedTx(h.db, (tx) => [insert(tx, { lane: n, op, part: 1 }), insert(tx, { lane: n, op, part: 2 })]);
          else await pipelinedTx(h.db, (tx) => [insert(tx, { lane: n, op, part: 1 }), insert(tx, { lane: n, op, part: 2 })], () => true);
          committed.add(`${n}:${op}`);
        } catch (e) {
          refused++;
          unknown.add(`${n}:${op}`);
          // A lost database, as the API tells it (503): the driver's code, on the error or on
          // what drizzle wrapped (a statement's error is a DrizzleQueryError with the driver's in `cause`).
          expect(isDatabaseUnavailable(e), `${String(e)} (cause: ${String((e as { cause?: unknown }).cause)})`).toBe(true);
          await new Promise((r) => setTimeout(r, 20));
        } finally {
          clearTimeout(timer);
        }
      }
    };
    const shared = batchStats.items - batchStats.batches;
    const lanes = Array.from({ length: 12 }, (_, n) => lane(n));
    for (const mode of ["fast", "immediate", "fast", "immediate"] as const) {
      await new Promise((r) => setTimeout(r, 1500));
      await cluster.restart(mode);
    }
    await new Promise((r) => setTimeout(r, 1500));
    stop = true;
    const settled = await Promise.race([Promise.all(lanes).then(() => true), new Promise((r) => setTimeout(() => r(false), 15_000))]);

    expect(stuck, "transactions that never settled").toEqual([]);
    expect(settled).toBe(true);
    expect(refused, "the restarts were noticed").toBeGreaterThan(0);
    // Whole or nothing: both parts of every committed transaction, no part of any other.
    const rows = (await h.db.execute(sql`select lane, op, count(*)::int as parts from pairs group by lane, op`)) as unknown as { lane: number; op: number; parts: number }[];
    for (const r of rows) expect(r.parts, `lane ${r.lane} op ${r.op}`).toBe(2);
    const written = new Set(rows.map((r) => `${r.lane}:${r.op}`));
    // Every acknowledged commit is there; anything else there was one whose answer was lost.
    expect([...committed].filter((k) => !written.has(k)), "acknowledged but not written").toEqual([]);
    expect([...written].filter((k) => !committed.has(k) && !unknown.has(k)), "written but never sent").toEqual([]);
    // Batched transactions shared a commit (some batch held more than one lane's).
    expect(batchStats.items - batchStats.batches).toBeGreaterThan(shared);
    // The pool serves at once: five reserves (its whole size) in parallel.
    const again = await Promise.all(Array.from({ length: 5 }, (_, i) => pipelinedTx(h.db, (tx) => [insert(tx, { lane: 99, op: i, part: 1 })])));
    expect(again).toHaveLength(5);
  }, 120_000);
});
