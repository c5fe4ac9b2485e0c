/**
 * batchedTx (db/batch.server.ts): concurrent callers' short transactions sent as one
 * transaction with one commit. On a real server (PGlite is one connection: there each call is
 * its own pipelinedTx, checked too): calls of one turn share a transaction; a batch with one
 * duplicate key or one refused guard commits the others and fails only the bad one, with the
 * error it gets alone; a batch whose backend is ended while it runs acknowledges none of its
 * items and writes none (server restarts under batches: pipelined-restart.test.ts).
 */
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { db, rows } from "../../../db/client.server";
import { batchedTx, batchStats } from "../../../db/batch.server";
import { pipelinedTx, preparedSql } from "../../../db/prepared.server";
import { isDatabaseUnavailable } from "../../../app/web/edge/unavailable.server";
import { useTestDatabase } from "../../support/db";

const t = useTestDatabase({ seed: "none" });

const insert = preparedSql<{ id: number }>(
  () => sql`insert into batch_items (id, note) values (${sql.placeholder("id")}::int, ${sql.placeholder("note")}) returning id`,
);
const log = preparedSql(() => sql`insert into batch_log (id) values (${sql.placeholder("id")}::int)`);
/** Moves an item from 'open' to 'done', and refuses (division by zero) an item that is not open: the capture's guard. */
const close = preparedSql<{ n: number }>(
  () => sql`with upd as (update batch_items set note = 'done' where id = ${sql.placeholder("id")}::int and note = 'open' returning 1)
    select 1 / (select count(*) from upd)::int as n`,
);
const ids = async (table: string) => (await rows<{ id: number }>(db(), sql.raw(`select id from ${table} order by id`))).map((r) => Number(r.id));
const errorOf = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as { cause?: { code?: string; message?: string }; code?: string; message?: string });
const codeOf = (e: { cause?: { code?: string }; code?: string } | null) => e?.cause?.code ?? e?.code;

beforeAll(async () => {
  await db().execute(sql`create table batch_items (id int primary key, note text not null)`);
  await db().execute(sql`create table batch_log (id int not null)`);
});

describe("batched transactions", () => {
  it("send the calls of one turn as one transaction, each caller gets its own results", async () => {
    await db().execute(sql`truncate batch_items, batch_log`);
    const before = { ...batchStats };
    const xids = preparedSql<{ x: string }>(() => sql`select txid_current()::text as x`);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => batchedTx(db(), "t", String(i), (tx) => [insert(tx, { id: i + 1, note: "open" }), xids(tx, {})])),
    );
    expect(results.map(([r]) => r.map((x) => Number(x.id)))).toEqual([[1], [2], [3], [4], [5], [6]]);
    expect(await ids("batch_items")).toEqual([1, 2, 3, 4, 5, 6]);
    const transactions = new Set(results.map(([, x]) => x[0]!.x));
    if (t.realServer) {
      // One transaction (one commit) for all six.
      expect(transactions.size).toBe(1);
      expect(batchStats.batches - before.batches).toBe(1);
      expect(batchStats.largest).toBeGreaterThanOrEqual(6);
    } else {
      expect(transactions.size).toBe(6);
    }
    // A lone call goes at once, alone.
    const [[lone]] = await batchedTx(db(), "t", "x", (tx) => [insert(tx, { id: 7, note: "open" })]);
    expect(Number(lone!.id)).toBe(7);
  });

  it("a duplicate key fails only its own caller, with the error it gets alone; the others commit", async () => {
    await db().execute(sql`truncate batch_items, batch_log`);
    await insert(db(), { id: 3, note: "open" });
    const alone = await errorOf(pipelinedTx(db(), (tx) => [insert(tx, { id: 3, note: "again" }), log(tx, { id: 3 })]));
    expect(codeOf(alone)).toBe("23505");
    const before = batchStats.fallbacks;
    const settled = await Promise.all(
      [1, 2, 3, 4, 5].map((id) => errorOf(batchedTx(db(), "t", String(id), (tx) => [insert(tx, { id, note: id === 3 ? "again" : "open" }), log(tx, { id })]))),
    );
    expect(settled.map(codeOf)).toEqual([undefined, undefined, "23505", undefined, undefined]);
    expect(settled[2]!.message).toBe(alone!.message);
    expect(settled[2]!.cause?.message).toBe(alone!.cause?.message);
    expect(await ids("batch_items")).toEqual([1, 2, 3, 4, 5]);
    // The bad one wrote nothing of its own (its log line neither).
    expect(await ids("batch_log")).toEqual([1, 2, 4, 5]);
    expect((await rows<{ note: string }>(db(), sql`select note from batch_items where id = 3`))[0]!.note).toBe("open");
    if (t.realServer) expect(batchStats.fallbacks).toBe(before + 1);
  });

  it("a refused guard fails only its own caller (22012, as alone); the others are moved", async () => {
    await db().execute(sql`truncate batch_items, batch_log`);
    for (const id of [1, 2, 3, 4]) await insert(db(), { id, note: id === 2 ? "done" : "open" });
    const settled = await Promise.all([1, 2, 3, 4].map((id) => errorOf(batchedTx(db(), "t", String(id), (tx) => [close(tx, { id }), log(tx, { id })]))));
    expect(settled.map(codeOf)).toEqual([undefined, "22012", undefined, undefined]);
    expect(settled[1]!.cause?.message ?? settled[1]!.message).toMatch(/division by zero/);
    expect((await rows<{ note: string }>(db(), sql`select note from batch_items order by id`)).map((r) => r.note)).toEqual(["done", "done", "done", "done"]);
    expect(await ids("batch_log")).toEqual([1, 3, 4]);
  });

  it.runIf(t.realServer)("a batch whose connection is lost acknowledges none of its items and writes none", async () => {
    await db().execute(sql`truncate batch_items, batch_log`);
    const pidOf = preparedSql<{ pid: number }>(() => sql`select pg_backend_pid() as pid`);
    const sleep = preparedSql(() => sql`select pg_sleep(5)`);
    let pid: number | undefined;
    const calls = [1, 2, 3, 4].map((id) =>
      errorOf(
        batchedTx<unknown[]>(db(), "lost", String(id), (tx) => {
          const first = insert(tx, { id, note: "open" });
          if (id === 1) {
            const p = pidOf(tx, {});
            void p.then((r) => (pid = Number(r[0]!.pid)), () => {});
            return [first, p, sleep(tx, {})];
          }
          return [first];
        }),
      ),
    );
    // The batch is in its sleep (every insert done, nothing committed): the connection is cut.
    await vi.waitFor(() => expect(pid).toBeDefined(), { timeout: 5000, interval: 20 });
    await new Promise((r) => setTimeout(r, 200));
    await db().execute(sql`select pg_terminate_backend(${pid!}::int)`);
    const settled = await Promise.all(calls);
    for (const e of settled) {
      expect(e, "no item is acknowledged").not.toBeNull();
      expect(isDatabaseUnavailable(e), String(e)).toBe(true);
    }
    expect(await ids("batch_items")).toEqual([]);
    // The pool serves again.
    const [[again]] = await batchedTx(db(), "lost", "x", (tx) => [insert(tx, { id: 9, note: "open" })]);
    expect(Number(again!.id)).toBe(9);
  });
});
