/**
 * The benchmark ledger's generator and COPY encoder, run on worker threads
 * (load-worker.mjs starts one; load.ts is the other side). Merchants are independent
 * streams (each its own seeded generator), so the loader splits them over two threads:
 * the large merchant on one, the 200 small shops on the other.
 *
 * Generating and encoding take one core. On the main thread they also held up the
 * COPY sockets: while a day was being generated nothing was sent, and PostgreSQL's two
 * COPY sessions sat waiting for input a third of the time. Here the worker fills
 * binary COPY chunks and hands them over without copying (transferred ArrayBuffers);
 * the main thread only writes them to the sockets. The worker runs at most two sets of
 * chunks ahead of what PostgreSQL has taken (credits), and gets the chunks' memory back
 * to reuse once their COPY is done.
 *
 * Same generator, same order, same bytes as generating on the main thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import { CopyBuffer, recycleChunks, type CopyFormat, type CopyTable } from "~db/seed/copy";
import { generateMerchantDays } from "~db/seed/generate";
import type { MerchantSpec } from "~db/seed/merchants";
import { calendarFor } from "~db/seed/seed";

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

/** Worker to main thread. */
export type GenerateMessage =
  | { type: "set"; parts: [CopyTable, Uint8Array[]][]; rows: number; payments: number }
  | { type: "progress"; payments: number }
  | { type: "done"; generateSeconds: number; encodeSeconds: number };

/** Main thread to worker: a set was copied (one more may be generated), here is its memory back. */
export interface CopiedMessage {
  type: "copied";
  chunks: Uint8Array[];
}

const port = parentPort!;
const req = workerData as GenerateRequest;

let credits = req.ahead;
let wake: (() => void) | null = null;
port.on("message", (m: CopiedMessage) => {
  if (m.type !== "copied") return;
  recycleChunks(m.chunks);
  credits++;
  wake?.();
  wake = null;
});
const credit = async () => {
  while (credits <= 0) await new Promise<void>((resolve) => (wake = resolve));
  credits--;
};

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
  // Only buffers that are whole chunks move (the shared header bytes are copied).
  const transfer = new Set<ArrayBuffer>();
  for (const [, chunks] of parts) {
    for (const c of chunks) {
      if (c.byteOffset === 0 && c.buffer instanceof ArrayBuffer && c.buffer.byteLength >= 65_536) transfer.add(c.buffer);
    }
  }
  port.postMessage({ type: "set", parts, rows, payments: setPayments } satisfies GenerateMessage, [...transfer]);
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
