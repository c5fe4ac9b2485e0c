/**
 * Group commit on the app side: short transactions of many concurrent callers sent as ONE
 * transaction on one connection (docs/write-path.md, "Sixth round: batching").
 *
 * `batchedTx(d, kind, order, statements)` takes what `pipelinedTx` takes (statements that do
 * not need each other's results, without `commitIf`). A call that finds fewer than
 * `DATABASE_BATCH_IN_FLIGHT` batches of its kind in flight goes at once (a lone call waits for
 * nothing); calls that arrive while they are in flight wait for one to end and then go
 * together, at most `DATABASE_BATCH_MAX` in one transaction: BEGIN, every caller's
 * statements, COMMIT, in one round trip and with one flushed commit shared by all of them.
 * Each caller gets its own statements' results, and only once that COMMIT was answered:
 * nothing is acknowledged before the commit that holds it.
 *
 * One transaction for all of them means one failure aborts all of them. If the batch fails
 * with a statement's error (a refused guard, a duplicate key, a deadlock), its callers'
 * transactions are run again one by one (each its own pipelinedTx, as without batching):
 * the bad one fails with exactly the error it fails with alone, the others commit. If the
 * connection was lost, every caller of the batch gets that error (a COMMIT sent may have
 * been done when its answer was lost, as for a single pipelinedTx: idempotency keys and the
 * inquiry job are for that); none was acknowledged.
 *
 * Items of a batch run in `order` (a sort key: merchant, terminal, card…), so two batches of
 * one kind take the rollup rows' locks in the same order. Only on a pool (a real server):
 * PGlite, a transaction handle or `DATABASE_BATCH_IN_FLIGHT=0` run each call as pipelinedTx.
 */
import type { DbOrTx, Tx } from "./client.server";
import { connectionLost, pipelinedTx } from "./prepared.server";
import { env } from "../app/lib/env.server";

type Statements = (tx: Tx) => Promise<unknown>[];

interface Item {
  order: string;
  statements: Statements;
  resolve(results: unknown[]): void;
  reject(e: unknown): void;
}

/** How batches went, per process (for the bench and tests). */
export const batchStats = { batches: 0, items: 0, fallbacks: 0, largest: 0 };

class Batcher {
  private queue: Item[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly d: DbOrTx,
    private readonly maxInFlight: number,
    private readonly maxBatch: number,
  ) {}

  submit(item: Item) {
    this.queue.push(item);
    // Calls of the same turn (its microtasks) join one batch; nothing waits for a timer.
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        this.pump();
      });
    }
  }

  private pump() {
    while (this.inFlight < this.maxInFlight && this.queue.length) {
      const items = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      void this.run(items).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async run(items: Item[]) {
    batchStats.batches++;
    batchStats.items += items.length;
    if (items.length > batchStats.largest) batchStats.largest = items.length;
    if (items.length === 1) return one(this.d, items[0]!);
    items.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
    const counts: number[] = [];
    let results: unknown[];
    try {
      results = await pipelinedTx(this.d, (tx) =>
        items.flatMap((it) => {
          const sent = it.statements(tx);
          counts.push(sent.length);
          return sent;
        }),
      );
    } catch (e) {
      if (connectionLost(e)) {
        for (const it of items) it.reject(e);
        return;
      }
      // A statement's error: nothing of the batch was written; each caller alone, as without batching.
      batchStats.fallbacks++;
      await Promise.all(items.map((it) => one(this.d, it)));
      return;
    }
    let at = 0;
    items.forEach((it, i) => {
      it.resolve(results.slice(at, at + counts[i]!));
      at += counts[i]!;
    });
  }
}

function one(d: DbOrTx, it: Item): Promise<void> {
  return pipelinedTx(d, it.statements).then(it.resolve, it.reject);
}

const batchers = new WeakMap<object, Map<string, Batcher>>();

function isPool(d: DbOrTx): boolean {
  const client = (d as unknown as { session: { client?: { reserve?: unknown; begin?: unknown } } }).session.client;
  return !!client && typeof client.reserve === "function" && typeof client.begin === "function";
}

/**
 * A pipelined transaction (db/prepared.server.ts) that may share its transaction and commit
 * with other callers' of the same `kind` (see above). `order` sorts it within a batch.
 */
export function batchedTx<R extends unknown[]>(
  d: DbOrTx,
  kind: string,
  order: string,
  statements: (tx: Tx) => { [K in keyof R]: Promise<R[K]> },
): Promise<R> {
  const inFlight = env.DATABASE_BATCH_IN_FLIGHT;
  if (inFlight === 0 || !isPool(d)) return pipelinedTx(d, statements);
  const client = (d as unknown as { session: { client: object } }).session.client;
  let kinds = batchers.get(client);
  if (!kinds) batchers.set(client, (kinds = new Map()));
  let b = kinds.get(kind);
  if (!b) kinds.set(kind, (b = new Batcher(d, inFlight, env.DATABASE_BATCH_MAX)));
  return new Promise<R>((resolve, reject) => {
    b.submit({ order, statements: statements as unknown as Statements, resolve: resolve as (r: unknown[]) => void, reject });
  });
}
