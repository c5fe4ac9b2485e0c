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
import { COPY_COLUMNS, type CopyTable } from "./copy-columns";
import type { PaymentRow, PayoutItemRow, PayoutRow, RefundRow } from "./generate";
import type { LedgerTransactionDraft } from "~/modules/ledger/postings";
import type { RollupDelta } from "./rollup";

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
 * (`recycleBuffer`, used by the benchmark's loader, whose threads end with the load):
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

function chunk(need: number): Buffer {
  if (need <= CHUNK) {
    const ab = pool.pop();
    if (ab) return Buffer.from(ab);
  }
  const size = Math.max(CHUNK, need);
  return shared ? Buffer.from(new SharedArrayBuffer(size)) : Buffer.allocUnsafeSlow(size);
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
 *
 * An encoder reserves room for a whole row (or a ledger transaction's postings) at
 * once, from the lengths of its strings (UTF-8 needs at most three bytes per UTF-16
 * unit), then writes its fields with the `put*` functions below through local
 * variables: no bounds check and no property update per field.
 */
export class BinarySink {
  private chunks: Buffer[] = [];
  buf: Buffer = Buffer.allocUnsafe(0);
  dv = new DataView(this.buf.buffer, 0, 0);
  /** Where the next row goes; an encoder sets it after writing one. */
  pos = 0;
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

  /** Makes room for `n` more bytes in the current chunk (rows never straddle two); returns where they go. */
  reserve(n: number): number {
    if (!this.started) {
      this.started = true;
      this.chunks.push(PGCOPY_HEADER);
    }
    if (this.pos + n > this.cap) this.grow(n);
    return this.pos;
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

// Field writers: each writes one field (its 32-bit length, then its bytes) at `pos`
// and returns where the next one goes. The room was reserved by the row's encoder.

/** Room a text field may need: its length word and up to three UTF-8 bytes per UTF-16 unit. */
function room(s: string | null): number {
  return s === null ? 4 : 4 + 3 * s.length;
}

/**
 * text, char(n) or an enum label: UTF-8 bytes. ASCII is copied by hand (a call into
 * Buffer's native encoder costs more than copying the 20-odd characters of an id);
 * anything else goes through the encoder.
 */
function putStr(buf: Buffer, dv: DataView, pos: number, s: string | null): number {
  if (s === null) {
    dv.setInt32(pos, -1);
    return pos + 4;
  }
  const len = s.length;
  let p = pos + 4;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      p = pos + 4 + utf8Write(buf, s, pos + 4);
      break;
    }
    buf[p++] = c;
  }
  dv.setInt32(pos, p - pos - 4);
  return p;
}

/** Bytes already written at `from` (a text field's bytes, without its length word), copied. */
function putCopy(buf: Buffer, dv: DataView, pos: number, src: Buffer, from: number, n: number): number {
  dv.setInt32(pos, n);
  pos += 4;
  for (let i = 0; i < n; i++) buf[pos + i] = src[from + i]!;
  return pos + n;
}

function putNull(dv: DataView, pos: number): number {
  dv.setInt32(pos, -1);
  return pos + 4;
}

function putI2(dv: DataView, pos: number, v: number | null): number {
  if (v === null) return putNull(dv, pos);
  dv.setInt32(pos, 2);
  dv.setInt16(pos + 4, v);
  return pos + 6;
}

function putI4(dv: DataView, pos: number, v: number): number {
  dv.setInt32(pos, 4);
  dv.setInt32(pos + 4, v);
  return pos + 8;
}

/** An int8 from a safe integer number. */
function putI8n(dv: DataView, pos: number, v: number): number {
  const hi = Math.floor(v / TWO_32);
  dv.setInt32(pos, 8);
  dv.setInt32(pos + 4, hi);
  dv.setUint32(pos + 8, v - hi * TWO_32);
  return pos + 12;
}

function putI8(dv: DataView, pos: number, v: bigint): number {
  dv.setInt32(pos, 8);
  dv.setBigInt64(pos + 4, v);
  return pos + 12;
}

/** timestamptz from epoch milliseconds. */
function putTsMs(dv: DataView, pos: number, ms: number): number {
  return putI8n(dv, pos, (ms - PG_EPOCH_MS) * 1000);
}

function putTs(dv: DataView, pos: number, v: Date | null): number {
  if (v === null) return putNull(dv, pos);
  return putI8n(dv, pos, (v.getTime() - PG_EPOCH_MS) * 1000);
}

function putDate(dv: DataView, pos: number, s: string): number {
  return putI4(dv, pos, daysOf(s));
}

// One encoder per table, in COPY_COLUMNS order (copy-columns.ts).

/**
 * How a column is written: text (text, char(n) or an enum label, from a string or null),
 * int2 (from a number or null), int4 (from a number), int8 (from a bigint), int8n (from a
 * safe integer number), timestamptz (from a Date or null), date (from 'YYYY-MM-DD').
 */
type BinaryType = "text" | "int2" | "int4" | "int8" | "int8n" | "timestamptz" | "date";

/** Each table's columns that are not text. */
const BINARY_TYPES: { [T in CopyTable]?: { [C in (typeof COPY_COLUMNS)[T][number]]?: BinaryType } } = {
  payments: {
    amount: "int8",
    amount_refunded: "int8",
    fee: "int8",
    card_exp_month: "int2",
    card_exp_year: "int2",
    created_at: "timestamptz",
    authorized_at: "timestamptz",
    captured_at: "timestamptz",
    voided_at: "timestamptz",
    updated_at: "timestamptz",
  },
  refunds: { amount: "int8", created_at: "timestamptz", updated_at: "timestamptz" },
  payouts: {
    amount: "int8",
    cutoff_at: "timestamptz",
    expected_arrival_date: "date",
    item_count: "int4",
    created_at: "timestamptz",
    sent_at: "timestamptz",
    paid_at: "timestamptz",
    failed_at: "timestamptz",
    updated_at: "timestamptz",
  },
  ledger_transactions: { gross: "int8", fee: "int8", net: "int8", created_at: "timestamptz", available_on: "timestamptz" },
  sales_daily: {
    day: "date",
    attempt_count: "int8n",
    captured_count: "int8n",
    captured_amount: "int8",
    declined_count: "int8n",
    fee_amount: "int8",
    refund_count: "int8n",
    refunded_amount: "int8",
  },
};

/** Room a field needs besides a text's own (room() counts its length word): length word and value. */
const FIXED_ROOM: Record<BinaryType, number> = { text: 0, int2: 6, int4: 8, int8: 12, int8n: 12, timestamptz: 12, date: 8 };

/** The call that writes a field of each type (the put* functions above). */
const WRITE: Record<BinaryType, (v: string) => string> = {
  text: (v) => `putStr(buf, dv, pos, ${v})`,
  int2: (v) => `putI2(dv, pos, ${v})`,
  int4: (v) => `putI4(dv, pos, ${v})`,
  int8: (v) => `putI8(dv, pos, ${v})`,
  int8n: (v) => `putI8n(dv, pos, ${v})`,
  timestamptz: (v) => `putTs(dv, pos, ${v})`,
  date: (v) => `putDate(dv, pos, ${v})`,
};

/** card_last4 -> cardLast4: the row property a column is written from. */
type PropertyOf<C extends string> = C extends `${infer H}_${infer T}` ? `${H}${Capitalize<PropertyOf<T>>}` : C;
const propertyOf = (column: string) => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** A row of `T` as its encoder reads it: a property per column. */
type RowOf<T extends CopyTable> = { [C in (typeof COPY_COLUMNS)[T][number] as PropertyOf<C>]: unknown };

/**
 * The encoder of one table's rows, compiled from its columns (COPY_COLUMNS, BINARY_TYPES):
 * the straight-line code an encoder written by hand would be, one reserve for the whole
 * row, then each field through local variables, which a loop over the columns would not
 * be (a property read by name and a switch per field, for every field of millions of
 * rows). Returns where the row starts in `o.buf`.
 */
function rowEncoder<T extends CopyTable>(table: T): (o: BinarySink, row: RowOf<T>) => number {
  const types: Partial<Record<string, BinaryType>> = BINARY_TYPES[table] ?? {};
  const fields = COPY_COLUMNS[table].map((column) => ({ key: propertyOf(column), type: types[column] ?? "text" }));
  for (const f of fields) if (!/^[a-z][A-Za-z0-9]*$/.test(f.key)) throw new Error(`binary COPY: not a property name: ${f.key}`);
  const need = [String(fields.reduce((n, f) => n + FIXED_ROOM[f.type], 2)), ...fields.filter((f) => f.type === "text").map((f) => `room(r.${f.key})`)];
  const body = [
    `const start = o.reserve(${need.join(" + ")});`,
    "const buf = o.buf;",
    "const dv = o.dv;",
    `dv.setInt16(start, ${fields.length});`,
    "let pos = start + 2;",
    ...fields.map((f) => `pos = ${WRITE[f.type](`r.${f.key}`)};`),
    "o.pos = pos;",
    "return start;",
  ].join("\n");
  const compile = new Function("room", "putStr", "putI2", "putI4", "putI8", "putI8n", "putTs", "putDate", `return function ${propertyOf(table)}Bin(o, r) {\n${body}\n};`);
  return compile(room, putStr, putI2, putI4, putI8, putI8n, putTs, putDate);
}

export const paymentBin: (o: BinarySink, p: PaymentRow) => void = rowEncoder("payments");
export const refundBin: (o: BinarySink, r: RefundRow) => void = rowEncoder("refunds");
export const payoutBin: (o: BinarySink, p: PayoutRow) => void = rowEncoder("payouts");
export const salesDailyBin: (o: BinarySink, r: RollupDelta) => void = rowEncoder("sales_daily");
const ledgerTransactionRowBin: (o: BinarySink, x: LedgerTransactionDraft) => number = rowEncoder("ledger_transactions");

/** A ledger transaction and its postings (only the merchant balance waits for available_on); its id is encoded once. */
export function ledgerTransactionBin(o: BinarySink, entries: BinarySink, x: LedgerTransactionDraft): void {
  const row = ledgerTransactionRowBin(o, x);
  const buf = o.buf;
  // The row's second field is the id, after the field count and the merchant id: the
  // postings copy its bytes from there.
  const idAt = row + 2 + 4 + o.dv.getInt32(row + 2) + 4;
  const idLen = o.dv.getInt32(idAt - 4);

  const created = x.createdAt.getTime();
  const available = x.availableOn.getTime();
  const postings = x.postings;
  let m = 0;
  for (let i = 0; i < postings.length; i++) m += 2 + 8 + 12 + 3 * 12 + room(x.merchantId) + 4 + idLen + room(postings[i]!.account) + room(x.currency);
  let e = entries.reserve(m);
  const eb = entries.buf;
  const ed = entries.dv;
  for (let i = 0; i < postings.length; i++) {
    const p = postings[i]!;
    ed.setInt16(e, 8);
    e += 2;
    e = putStr(eb, ed, e, x.merchantId);
    e = putCopy(eb, ed, e, buf, idAt, idLen);
    e = putI4(ed, e, i + 1);
    e = putStr(eb, ed, e, p.account);
    e = putStr(eb, ed, e, x.currency);
    e = putI8(ed, e, p.amount);
    e = putTsMs(ed, e, p.account === "merchant_balance" ? available : created);
    e = putTsMs(ed, e, created);
  }
  entries.pos = e;
}

// A payout's items come one after another: its id is encoded once for all of them.
let lastPayout: { id: string; buf: Buffer; at: number; len: number } | null = null;

export function payoutItemBin(o: BinarySink, i: PayoutItemRow): void {
  const n = 2 + 12 + room(i.merchantId) + room(i.ledgerTransactionId) + room(i.payoutId);
  let pos = o.reserve(n);
  const buf = o.buf;
  const dv = o.dv;
  dv.setInt16(pos, 4);
  pos += 2;
  pos = putStr(buf, dv, pos, i.merchantId);
  pos = putStr(buf, dv, pos, i.ledgerTransactionId);
  if (lastPayout !== null && lastPayout.id === i.payoutId) {
    pos = putCopy(buf, dv, pos, lastPayout.buf, lastPayout.at, lastPayout.len);
  } else {
    const at = pos + 4;
    pos = putStr(buf, dv, pos, i.payoutId);
    lastPayout = { id: i.payoutId, buf, at, len: pos - at };
  }
  pos = putTs(dv, pos, i.createdAt);
  o.pos = pos;
}
