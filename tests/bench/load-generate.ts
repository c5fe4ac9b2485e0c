/**
 * The benchmark ledger's generator and COPY encoder, run on worker threads
 * (load-worker.mjs starts one; load.ts is the other side). Merchants are independent
 * streams (each its own seeded generator), so the loader splits them over two threads:
 * the large merchant on one, the 200 small shops on the other.
 *
 * Generating and encoding take one core. On the main thread they also held up the
 * COPY sockets: while a day was being generated nothing was sent, and PostgreSQL's two
 * COPY sessions sat waiting for input a third of the time. Here the worker fills
 * binary COPY chunks in shared memory (SharedArrayBuffers, each sent to the main
 * thread once, then named by number) and hands them over without copying or moving
 * them; the main thread only writes them to the sockets. The worker runs at most two
 * sets of chunks ahead of what PostgreSQL has taken (credits), and reuses a chunk once
 * its COPY is done.
 *
 * Same generator, same order, same bytes as generating on the main thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import { CopyBuffer, type CopyFormat, type CopyTable } from "~/demo/copy";
import { recycleBuffer, shareChunks } from "~/demo/copy-binary";
import { generateMerchantDays } from "~/demo/generate";
import type { MerchantSpec } from "~/demo/merchants";
import { calendarFor } from "~/demo/seed";

/** One merchant's share of the ledger. */
export interface GenerateJob {
  spec: MerchantSpec;
  payments: number;
  refundUserIds: string[];
}

export interface GenerateRequest {
  /** This thread's merchants, generated one after another. */
  merchants: GenerateJob[];
  days: number;
  seed: number;
  /** ISO instant. */
  now: string;
  format: CopyFormat;
  /** Rows per set of chunks handed over. */
  flushRows: number;
  /** Sets the worker may run ahead of the COPY sessions. */
  ahead: number;
}

/** A piece of a shared chunk: the chunk's number (its memory was sent once, in `shared`), offset and length. */
export interface ChunkRef {
  ref: number;
  offset: number;
  length: number;
}

/** Worker to main thread. */
export type GenerateMessage =
  | {
      type: "set";
      /** Per table, its COPY input: pieces of shared chunks, or small buffers (the format's header and trailer) sent as copies. */
      parts: [CopyTable, (ChunkRef | Uint8Array)[]][];
      /** Chunks the main thread has not seen yet, by number. */
      shared: [number, SharedArrayBuffer][];
      rows: number;
      payments: number;
    }
  | { type: "progress"; payments: number }
  | { type: "done"; generateSeconds: number; encodeSeconds: number };

/** Main thread to worker: a set was copied (one more may be generated), its chunks may be reused. */
export interface CopiedMessage {
  type: "copied";
  refs: number[];
}

const port = parentPort!;
const req = workerData as GenerateRequest;

let credits = req.ahead;
let wake: (() => void) | null = null;
port.on("message", (m: CopiedMessage) => {
  if (m.type !== "copied") return;
  for (const ref of m.refs) recycleBuffer(chunkById.get(ref)!);
  credits++;
  wake?.();
  wake = null;
});
const credit = async () => {
  while (credits <= 0) await new Promise<void>((resolve) => (wake = resolve));
  credits--;
};

shareChunks(true);
const chunkIds = new WeakMap<SharedArrayBuffer, number>();
const chunkById = new Map<number, SharedArrayBuffer>();
const buffer = new CopyBuffer({ format: req.format });
let generateMs = 0;
let encodeMs = 0;
let payments = 0;
let setPayments = 0;

async function handOver(): Promise<void> {
  const rows = buffer.rows;
  const parts = buffer.take();
  if (!parts.length) return;
  await credit();
  const shared: [number, SharedArrayBuffer][] = [];
  const refer = (c: Uint8Array): ChunkRef | Uint8Array => {
    const ab = c.buffer;
    if (!(ab instanceof SharedArrayBuffer)) return c;
    let ref = chunkIds.get(ab);
    if (ref === undefined) {
      ref = chunkById.size;
      chunkIds.set(ab, ref);
      chunkById.set(ref, ab);
      shared.push([ref, ab]);
    }
    return { ref, offset: c.byteOffset, length: c.length };
  };
  const message: GenerateMessage = { type: "set", parts: parts.map(([table, chunks]) => [table, chunks.map(refer)]), shared, rows, payments: setPayments };
  // Chunks that are not shared (the CSV format's) move instead of being copied.
  const transfer = new Set<ArrayBuffer>();
  for (const [, chunks] of parts) {
    for (const c of chunks) if (c.byteOffset === 0 && c.buffer instanceof ArrayBuffer && c.buffer.byteLength >= 65_536) transfer.add(c.buffer);
  }
  port.postMessage(message, [...transfer]);
  setPayments = 0;
}

let lastProgress = performance.now();
for (const { spec, payments: count, refundUserIds } of req.merchants) {
  const days = generateMerchantDays(spec, {
    seed: req.seed,
    payments: count,
    days: req.days,
    now: new Date(req.now),
    calendar: calendarFor(spec),
    bankAccountId: `ba_${spec.id.slice(4)}`,
    bankAccountMask: "•••• 9012",
    refundUserIds,
  });
  for (;;) {
    const g0 = performance.now();
    const next = days.next();
    const g1 = performance.now();
    generateMs += g1 - g0;
    if (next.done) break;
    buffer.add(next.value);
    const g2 = performance.now();
    encodeMs += g2 - g1;
    payments += next.value.payments.length;
    setPayments += next.value.payments.length;
    if (buffer.rows >= req.flushRows) await handOver();
    if (g2 - lastProgress > 2000) {
      lastProgress = g2;
      port.postMessage({ type: "progress", payments } satisfies GenerateMessage);
    }
  }
}
await handOver();
port.postMessage({ type: "done", generateSeconds: generateMs / 1000, encodeSeconds: encodeMs / 1000 } satisfies GenerateMessage);
