/**
 * COPY ... FROM (FORMAT binary) encoding of the generated rows: PostgreSQL's binary
 * copy format (the "PGCOPY" signature, then per row a 16-bit field count and per field
 * a 32-bit length, -1 for NULL, followed by the type's send/recv representation; a
 * 16-bit -1 ends the stream). The server skips parsing text: about half of its COPY
 * time for these tables, and encoding is cheaper here too (no number or date
 * formatting). Same rows and values as the CSV encoder in copy.ts; a test loads both
 * and compares the tables.
 *
 * Representations used (network byte order): bigint int8; integer int4; smallint
 * int2; timestamptz int8 microseconds since 2000-01-01 UTC; date int4 days since
 * 2000-01-01; text, char(n) and enum labels as UTF-8 bytes.
 */
import type { PaymentRow, PayoutItemRow, PayoutRow, RefundRow } from "./generate";
import type { LedgerTransactionDraft } from "~/modules/ledger/postings";
import type { RollupDelta } from "~/modules/ledger/rollup";

const PG_EPOCH_MS = 946_684_800_000; // 2000-01-01T00:00:00Z
const PG_EPOCH_DAY = PG_EPOCH_MS / 86_400_000;
const TWO_32 = 4_294_967_296;
const CHUNK = 4 << 20;

/** "PGCOPY\n\377\r\n\0", flags 0, header extension length 0. */
export const PGCOPY_HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
/** The file trailer: a field count of -1. */
export const PGCOPY_TRAILER = Buffer.from([0xff, 0xff]);

/**
 * Chunks come from a small pool and go back to it once their COPY is done
 * (`recycleChunks`, used by the benchmark's loader; `clearChunkPool` when done):
 * allocating gigabytes of fresh buffers in a long load makes V8 run a full garbage
 * collection every few dozen megabytes (external memory pressure).
 *
 * With `shareChunks(true)` (the benchmark's generator threads) chunks are
 * SharedArrayBuffers: another thread can read them by reference, so they never move
 * between threads. Moving (transferring) an ArrayBuffer detaches it, and the first
 * detached buffer of a thread makes V8 check for detachment on every typed-array access
 * of that thread from then on; every transfer also counts its bytes as new external
 * memory on the receiving side.
 */
const pool: ArrayBufferLike[] = [];
const POOL_MAX = 64;
let shared = false;

/** Allocate new chunks as SharedArrayBuffers (see above). */
export function shareChunks(on: boolean): void {
  shared = on;
}

/** Chunks allocated (not taken from the pool) and reused in this thread. */
export const chunkStats = { allocated: 0, reused: 0 };

function chunk(need: number): Buffer {
  if (need <= CHUNK) {
    const ab = pool.pop();
    if (ab) {
      chunkStats.reused++;
      return Buffer.from(ab);
    }
  }
  chunkStats.allocated++;
  const size = Math.max(CHUNK, need);
  return shared ? Buffer.from(new SharedArrayBuffer(size)) : Buffer.allocUnsafeSlow(size);
}

/** Empties the pool (a long-lived process done with bulk loads should not keep it). */
export function clearChunkPool(): void {
  pool.length = 0;
}

/** Hands chunks back to the pool once nothing reads them any more (their COPY has finished). */
export function recycleChunks(chunks: Uint8Array[]): void {
  for (const c of chunks) recycleBuffer(c.buffer, c.byteOffset);
}

/** Hands one chunk's memory back to the pool (when it is a whole chunk). */
export function recycleBuffer(ab: ArrayBufferLike, byteOffset = 0): void {
  const whole = ab instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && ab instanceof SharedArrayBuffer);
  if (whole && ab.byteLength === CHUNK && byteOffset === 0 && pool.length < POOL_MAX && !pool.includes(ab)) pool.push(ab);
}

/** Buffer's UTF-8 writer without `write`'s argument parsing (a third of its cost per call). */
type Utf8Writer = { utf8Write(s: string, offset: number): number };
const utf8Write: (buf: Buffer, s: string, offset: number) => number =
  typeof (Buffer.prototype as unknown as Partial<Utf8Writer>).utf8Write === "function"
    ? (buf, s, offset) => (buf as unknown as Utf8Writer).utf8Write(s, offset)
    : (buf, s, offset) => buf.write(s, offset, "utf8");

const dateDays = new Map<string, number>();
/** 'YYYY-MM-DD' as days since 2000-01-01. */
function daysOf(s: string): number {
  let d = dateDays.get(s);
  if (d === undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) throw new Error(`binary COPY: not a date: ${s}`);
    d = Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10))) / 86_400_000 - PG_EPOCH_DAY;
    if (dateDays.size > 10_000) dateDays.clear();
    dateDays.set(s, d);
  }
  return d;
}

/**
 * Binary COPY rows in large off-heap chunks (one table's stream). The header goes in
 * front of the first row of each stream and the trailer after the last (`take`).
 */
export class BinarySink {
  private chunks: Buffer[] = [];
  private buf: Buffer = Buffer.allocUnsafe(0);
  private dv = new DataView(this.buf.buffer, 0, 0);
  private pos = 0;
  private cap = 0;
  /** Bytes of rows buffered (header and trailer not counted). */
  bytes = 0;
  private started = false;

  private grow(need: number): void {
    if (this.pos > 0) this.chunks.push(this.buf.subarray(0, this.pos));
    this.bytes += this.pos;
    this.buf = chunk(need);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    this.pos = 0;
    this.cap = this.buf.length;
  }

  /** Starts a row of `fields` fields. */
  row(fields: number): void {
    if (!this.started) {
      this.started = true;
      this.chunks.push(PGCOPY_HEADER);
    }
    if (this.pos + 2 > this.cap) this.grow(2);
    this.dv.setInt16(this.pos, fields);
    this.pos += 2;
  }

  nul(): void {
    if (this.pos + 4 > this.cap) this.grow(4);
    this.dv.setInt32(this.pos, -1);
    this.pos += 4;
  }

  i2(v: number | null): void {
    if (v === null) return this.nul();
    if (this.pos + 6 > this.cap) this.grow(6);
    const dv = this.dv;
    dv.setInt32(this.pos, 2);
    dv.setInt16(this.pos + 4, v);
    this.pos += 6;
  }

  i4(v: number): void {
    if (this.pos + 8 > this.cap) this.grow(8);
    const dv = this.dv;
    dv.setInt32(this.pos, 4);
    dv.setInt32(this.pos + 4, v);
    this.pos += 8;
  }

  /** An int8 from a safe integer number. */
  i8n(v: number): void {
    if (this.pos + 12 > this.cap) this.grow(12);
    const dv = this.dv;
    const hi = Math.floor(v / TWO_32);
    dv.setInt32(this.pos, 8);
    dv.setInt32(this.pos + 4, hi);
    dv.setUint32(this.pos + 8, v - hi * TWO_32);
    this.pos += 12;
  }

  i8(v: bigint): void {
    if (this.pos + 12 > this.cap) this.grow(12);
    const dv = this.dv;
    dv.setInt32(this.pos, 8);
    dv.setBigInt64(this.pos + 4, v);
    this.pos += 12;
  }

  /** timestamptz from epoch milliseconds. */
  tsMs(ms: number): void {
    this.i8n((ms - PG_EPOCH_MS) * 1000);
  }

  ts(v: Date | null): void {
    if (v === null) return this.nul();
    this.i8n((v.getTime() - PG_EPOCH_MS) * 1000);
  }

  date(s: string): void {
    this.i4(daysOf(s));
  }

  /** Where the last `str` put its bytes: valid until `take`. */
  lastBuf: Buffer = this.buf;
  lastAt = 0;
  lastLen = 0;

  /**
   * text, char(n) or an enum label: UTF-8 bytes. ASCII is copied by hand (a call into
   * Buffer's native encoder costs more than copying the 20-odd characters of an id);
   * anything else goes through the encoder.
   */
  str(s: string | null): void {
    if (s === null) return this.nul();
    const len = s.length;
    if (this.pos + 4 + len * 3 > this.cap) this.grow(4 + len * 3);
    const at = this.pos;
    const buf = this.buf;
    let p = at + 4;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        p = at + 4 + utf8Write(buf, s, at + 4);
        break;
      }
      buf[p++] = c;
    }
    this.dv.setInt32(at, p - at - 4);
    this.pos = p;
    this.lastBuf = buf;
    this.lastAt = at + 4;
    this.lastLen = p - at - 4;
  }

  /** A text field whose UTF-8 bytes were already written (`lastBuf/lastAt/lastLen` of a `str`): copied, not encoded again. */
  copied(src: Buffer, from: number, n: number): void {
    if (this.pos + 4 + n > this.cap) this.grow(4 + n);
    const at = this.pos;
    const buf = this.buf;
    this.dv.setInt32(at, n);
    for (let i = 0; i < n; i++) buf[at + 4 + i] = src[from + i]!;
    this.pos = at + 4 + n;
  }

  /** The buffered stream (header, rows, trailer), or nothing when no row was written. */
  take(): Buffer[] {
    lastPayout = null;
    if (this.pos > 0) this.chunks.push(this.buf.subarray(0, this.pos));
    const out = this.chunks;
    if (this.started) out.push(PGCOPY_TRAILER);
    this.chunks = [];
    this.buf = Buffer.allocUnsafe(0);
    this.dv = new DataView(this.buf.buffer, 0, 0);
    this.pos = 0;
    this.cap = 0;
    this.bytes = 0;
    this.started = false;
    return out;
  }

  /** Bytes written so far, the current chunk included. */
  get size(): number {
    return this.bytes + this.pos;
  }
}

// One encoder per table, in COPY_COLUMNS order (copy.ts).

export function paymentBin(o: BinarySink, p: PaymentRow): void {
  o.row(27);
  o.str(p.merchantId);
  o.str(p.id);
  o.str(p.terminalId);
  o.i8(p.amount);
  o.str(p.currency);
  o.str(p.status);
  o.i8(p.amountRefunded);
  o.i8(p.fee);
  o.str(p.cardToken);
  o.str(p.cardBrand);
  o.str(p.cardFunding);
  o.str(p.cardBin);
  o.str(p.cardLast4);
  o.i2(p.cardExpMonth);
  o.i2(p.cardExpYear);
  o.str(p.issuerBank);
  o.str(p.processorId);
  o.str(p.providerReference);
  o.str(p.declineCode);
  o.str(p.failureMessage);
  o.str(p.description);
  o.str(p.customerReference);
  o.ts(p.createdAt);
  o.ts(p.authorizedAt);
  o.ts(p.capturedAt);
  o.ts(p.voidedAt);
  o.ts(p.updatedAt);
}

export function refundBin(o: BinarySink, r: RefundRow): void {
  o.row(13);
  o.str(r.merchantId);
  o.str(r.id);
  o.str(r.paymentId);
  o.i8(r.amount);
  o.str(r.currency);
  o.str(r.reason);
  o.str(r.note);
  o.str(r.status);
  o.str(r.providerReference);
  o.str(r.failureCode);
  o.str(r.createdByUserId);
  o.ts(r.createdAt);
  o.ts(r.updatedAt);
}

export function payoutBin(o: BinarySink, p: PayoutRow): void {
  o.row(19);
  o.str(p.merchantId);
  o.str(p.id);
  o.i8(p.amount);
  o.str(p.currency);
  o.str(p.status);
  o.str(p.bankAccountId);
  o.str(p.bankAccountMask);
  o.str(p.bankName);
  o.ts(p.cutoffAt);
  o.date(p.expectedArrivalDate);
  o.i4(p.itemCount);
  o.ts(p.createdAt);
  o.ts(p.sentAt);
  o.ts(p.paidAt);
  o.ts(p.failedAt);
  o.str(p.failureCode);
  o.str(p.failureMessage);
  o.str(p.traceNumber);
  o.ts(p.updatedAt);
}

/** A ledger transaction and its postings (only the merchant balance waits for available_on); its id is encoded once. */
export function ledgerTransactionBin(o: BinarySink, entries: BinarySink, x: LedgerTransactionDraft): void {
  o.row(13);
  o.str(x.merchantId);
  o.str(x.id);
  const idBuf = o.lastBuf;
  const idAt = o.lastAt;
  const idLen = o.lastLen;
  o.str(x.category);
  o.str(x.currency);
  o.i8(x.gross);
  o.i8(x.fee);
  o.i8(x.net);
  o.str(x.sourceType);
  o.str(x.sourceId);
  o.str(x.payoutId);
  o.str(x.description);
  o.ts(x.createdAt);
  o.ts(x.availableOn);

  const created = x.createdAt.getTime();
  const available = x.availableOn.getTime();
  for (let i = 0; i < x.postings.length; i++) {
    const p = x.postings[i]!;
    entries.row(8);
    entries.str(x.merchantId);
    entries.copied(idBuf, idAt, idLen);
    entries.i4(i + 1);
    entries.str(p.account);
    entries.str(x.currency);
    entries.i8(p.amount);
    entries.tsMs(p.account === "merchant_balance" ? available : created);
    entries.tsMs(created);
  }
}

// A payout's items come one after another: its id is encoded once for all of them.
let lastPayout: { id: string; buf: Buffer; at: number; len: number } | null = null;

export function payoutItemBin(o: BinarySink, i: PayoutItemRow): void {
  o.row(4);
  o.str(i.merchantId);
  o.str(i.ledgerTransactionId);
  if (lastPayout !== null && lastPayout.id === i.payoutId) {
    o.copied(lastPayout.buf, lastPayout.at, lastPayout.len);
  } else {
    o.str(i.payoutId);
    lastPayout = { id: i.payoutId, buf: o.lastBuf, at: o.lastAt, len: o.lastLen };
  }
  o.ts(i.createdAt);
}

export function salesDailyBin(o: BinarySink, r: RollupDelta): void {
  o.row(14);
  o.str(r.merchantId);
  o.date(r.day);
  o.str(r.terminalId);
  o.str(r.cardBrand);
  o.str(r.issuerBank);
  o.str(r.cardFunding);
  o.str(r.currency);
  o.i8n(r.attemptCount);
  o.i8n(r.capturedCount);
  o.i8(r.capturedAmount);
  o.i8n(r.declinedCount);
  o.i8(r.feeAmount);
  o.i8n(r.refundCount);
  o.i8(r.refundedAmount);
}
