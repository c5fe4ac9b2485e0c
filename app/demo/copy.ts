/**
 * Writes generated ledger batches with COPY ... FROM: the set-based path shared by the
 * demo seed (PGlite or a server) and the benchmark loader (ten million payments). Rows
 * are encoded straight to bytes per table, in PostgreSQL's binary COPY format
 * (copy-binary.ts; the default) or as CSV text, and sent in large COPY statements, in
 * an order that satisfies every foreign key: payments before refunds, payouts and
 * ledger transactions before their entries and payout items.
 *
 * The ledger_entries balance trigger checks per statement, so each COPY carries
 * whole ledger transactions (a batch never splits one).
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "~db/client.server";
import {
  BinarySink,
  ledgerTransactionBin,
  paymentBin,
  payoutBin,
  payoutItemBin,
  refundBin,
  salesDailyBin,
} from "./copy-binary";
import { COPY_COLUMNS, COPY_ORDER, type CopyTable } from "./copy-columns";
import type { DayBatch, PaymentRow, PayoutRow, RefundRow } from "./generate";
import type { LedgerTransactionDraft } from "~/modules/ledger/postings";
import type { RollupDelta } from "./rollup";

export { COPY_COLUMNS, COPY_ORDER, type CopyTable } from "./copy-columns";

const NEEDS_QUOTES = /[",\r\n\\]/;

/** A CSV field: unquoted empty is NULL, "" is the empty string. */
function t(v: string | null): string {
  if (v === null) return "";
  if (v === "" || NEEDS_QUOTES.test(v) || v.charCodeAt(0) === 32 || v.charCodeAt(v.length - 1) === 32) return `"${v.replace(/"/g, '""')}"`;
  return v;
}
// Timestamps are most of the bytes: format them from a per-day prefix and digit tables
// (about three times faster than toISOString, same text).
const DIGITS2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0"));
const DIGITS3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));
const dayPrefix = new Map<number, string>();
function ts(v: Date | null): string {
  if (v === null) return "";
  const ms = v.getTime();
  const day = Math.floor(ms / 86_400_000);
  let prefix = dayPrefix.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * 86_400_000).toISOString().slice(0, 11);
    if (prefix.length !== 11) return v.toISOString(); // years outside 0000-9999
    dayPrefix.set(day, prefix);
  }
  let r = ms - day * 86_400_000;
  const h = Math.floor(r / 3_600_000);
  r -= h * 3_600_000;
  const m = Math.floor(r / 60_000);
  r -= m * 60_000;
  const sec = Math.floor(r / 1000);
  return `${prefix}${DIGITS2[h]}:${DIGITS2[m]}:${DIGITS2[sec]}.${DIGITS3[r - sec * 1000]}Z`;
}
/** Ids, codes and enums: never need quoting. */
function k(v: string | null): string {
  return v === null ? "" : v;
}
function n(v: number | bigint | null): string {
  return v === null ? "" : String(v);
}

export function paymentCsv(p: PaymentRow): string {
  return `${k(p.merchantId)},${k(p.id)},${k(p.terminalId)},${p.amount},${p.currency},${p.status},${p.amountRefunded},${p.fee},${k(p.cardToken)},${p.cardBrand},${p.cardFunding},${k(p.cardBin)},${k(p.cardLast4)},${n(p.cardExpMonth)},${n(p.cardExpYear)},${t(p.issuerBank)},${k(p.processorId)},${k(p.providerReference)},${k(p.declineCode)},${t(p.failureMessage)},${t(p.description)},${t(p.customerReference)},${ts(p.createdAt)},${ts(p.authorizedAt)},${ts(p.capturedAt)},${ts(p.voidedAt)},${ts(p.updatedAt)}\n`;
}
export function refundCsv(r: RefundRow): string {
  return `${k(r.merchantId)},${k(r.id)},${k(r.paymentId)},${r.amount},${r.currency},${r.reason},${t(r.note)},${r.status},${k(r.providerReference)},${k(r.failureCode)},${k(r.createdByUserId)},${ts(r.createdAt)},${ts(r.updatedAt)}\n`;
}
export function payoutCsv(p: PayoutRow): string {
  return `${k(p.merchantId)},${k(p.id)},${p.amount},${p.currency},${p.status},${k(p.bankAccountId)},${t(p.bankAccountMask)},${t(p.bankName)},${ts(p.cutoffAt)},${p.expectedArrivalDate},${p.itemCount},${ts(p.createdAt)},${ts(p.sentAt)},${ts(p.paidAt)},${ts(p.failedAt)},${k(p.failureCode)},${t(p.failureMessage)},${k(p.traceNumber)},${ts(p.updatedAt)}\n`;
}
export function ledgerTransactionCsv(x: LedgerTransactionDraft): string {
  return `${k(x.merchantId)},${k(x.id)},${x.category},${x.currency},${x.gross},${x.fee},${x.net},${k(x.sourceType)},${k(x.sourceId)},${k(x.payoutId)},${t(x.description)},${ts(x.createdAt)},${ts(x.availableOn)}\n`;
}
/** The postings of one transaction. Only the merchant balance waits for available_on. */
export function ledgerEntriesCsv(x: LedgerTransactionDraft): string {
  let out = "";
  const created = ts(x.createdAt);
  const available = ts(x.availableOn);
  const m = x.merchantId;
  const id = x.id;
  for (let i = 0; i < x.postings.length; i++) {
    const p = x.postings[i]!;
    out += `${m},${id},${i + 1},${p.account},${x.currency},${p.amount},${p.account === "merchant_balance" ? available : created},${created}\n`;
  }
  return out;
}
export function payoutItemCsv(i: { merchantId: string; ledgerTransactionId: string; payoutId: string; createdAt: Date }): string {
  return `${k(i.merchantId)},${k(i.ledgerTransactionId)},${k(i.payoutId)},${ts(i.createdAt)}\n`;
}
export function salesDailyCsv(r: RollupDelta): string {
  return `${k(r.merchantId)},${r.day},${k(r.terminalId)},${r.cardBrand},${t(r.issuerBank)},${r.cardFunding},${r.currency},${r.attemptCount},${r.capturedCount},${r.capturedAmount},${r.declinedCount},${r.feeAmount},${r.refundCount},${r.refundedAmount}\n`;
}

/** csv: text rows; binary: PostgreSQL's binary copy format (about twice as fast to ingest). */
export type CopyFormat = "csv" | "binary";

/** Where COPY input goes: one COPY statement per call, its bytes in `chunks`. */
export interface CopyTarget {
  copy(table: CopyTable, chunks: Uint8Array[], format?: CopyFormat): Promise<void>;
}

export function copyStatement(table: CopyTable, source: string, format: CopyFormat = "csv"): string {
  return `COPY ${table} (${COPY_COLUMNS[table].join(", ")}) FROM ${source} WITH (FORMAT ${format})`;
}

type PostgresJs = {
  unsafe(q: string): Promise<unknown> & { writable(): Promise<NodeJS.WritableStream> };
};
type PGliteLike = { query(q: string, params: unknown[], opts: { blob: Blob }): Promise<unknown> };

/** COPY FROM STDIN through postgres.js: the text is streamed in slices. */
export function postgresCopyTarget(sql: PostgresJs): CopyTarget {
  return {
    async copy(table, chunks, format) {
      const stream = await sql.unsafe(copyStatement(table, "STDIN", format)).writable();
      await new Promise<void>((resolve, reject) => {
        stream.on("error", reject);
        stream.on("finish", () => resolve());
        let i = 0;
        const pump = () => {
          while (i < chunks.length) {
            const ok = stream.write(chunks[i++]!);
            if (!ok) return void stream.once("drain", pump);
          }
          stream.end();
        };
        pump();
      });
    },
  };
}

/** PGlite reads COPY input from a Blob passed with the query (`FROM '/dev/blob'`). */
export function pgliteCopyTarget(pg: PGliteLike): CopyTarget {
  return {
    async copy(table, chunks, format) {
      await pg.query(copyStatement(table, "'/dev/blob'", format), [], { blob: new Blob(chunks as BlobPart[]) });
    },
  };
}

/** The COPY target behind a drizzle Db of either driver. */
export function copyTargetFor(db: Db): CopyTarget {
  const client = (db as unknown as { $client: unknown }).$client;
  if (client && typeof (client as PGliteLike).query === "function" && typeof (client as { dumpDataDir?: unknown }).dumpDataDir === "function") {
    return pgliteCopyTarget(client as PGliteLike);
  }
  if (typeof client === "function" && typeof (client as unknown as PostgresJs).unsafe === "function") return postgresCopyTarget(client as unknown as PostgresJs);
  throw new Error("copyTargetFor: unknown database driver");
}

/**
 * CSV bytes in large off-heap chunks. Row strings die young (cheap for the garbage
 * collector); keeping hundreds of thousands of them alive until a flush would not be
 * (a template-literal row is a tree of dozens of small strings until flattened).
 */
class ByteSink {
  private chunks: Buffer[] = [];
  private cur: Buffer = Buffer.allocUnsafe(0);
  private pos = 0;
  bytes = 0;
  write(str: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    if (this.pos + str.length * 3 > this.cur.length) {
      if (this.pos > 0) this.chunks.push(this.cur.subarray(0, this.pos));
      this.cur = Buffer.allocUnsafe(Math.max(4 << 20, str.length * 3));
      this.pos = 0;
    }
    const n = this.cur.write(str, this.pos, "utf8");
    this.pos += n;
    this.bytes += n;
  }
  take(): Buffer[] {
    if (this.pos > 0) this.chunks.push(this.cur.subarray(0, this.pos));
    const out = this.chunks;
    this.chunks = [];
    this.cur = Buffer.allocUnsafe(0);
    this.pos = 0;
    this.bytes = 0;
    return out;
  }
}

/**
 * Accumulates batches per table (binary COPY format unless `format: "csv"`) until
 * `flush` writes them, one COPY per table. `rows` counts what is buffered, to decide
 * when to flush.
 */
export class CopyBuffer {
  readonly format: CopyFormat;
  private csv: Record<CopyTable, ByteSink> | null;
  private bin: Record<CopyTable, BinarySink> | null;
  payments = 0;
  rows = 0;

  constructor(opts: { format?: CopyFormat } = {}) {
    this.format = opts.format ?? "binary";
    this.csv = this.format === "csv" ? (Object.fromEntries(COPY_ORDER.map((t) => [t, new ByteSink()])) as Record<CopyTable, ByteSink>) : null;
    this.bin = this.format === "binary" ? (Object.fromEntries(COPY_ORDER.map((t) => [t, new BinarySink()])) as Record<CopyTable, BinarySink>) : null;
  }

  get bytes(): number {
    let n = 0;
    for (const t of COPY_ORDER) n += this.csv ? this.csv[t].bytes : this.bin![t].size;
    return n;
  }

  add(b: Pick<DayBatch, "payments" | "refunds" | "payouts" | "ledger" | "payoutItems" | "rollups">): void {
    let entries = 0;
    const x = this.bin;
    if (x) {
      for (const p of b.payments) paymentBin(x.payments, p);
      for (const r of b.refunds) refundBin(x.refunds, r);
      for (const p of b.payouts) payoutBin(x.payouts, p);
      for (const l of b.ledger) {
        ledgerTransactionBin(x.ledger_transactions, x.ledger_entries, l);
        entries += l.postings.length;
      }
      for (const i of b.payoutItems) payoutItemBin(x.payout_items, i);
      for (const r of b.rollups) salesDailyBin(x.sales_daily, r);
    } else {
      const c = this.csv!;
      for (const p of b.payments) c.payments.write(paymentCsv(p));
      for (const r of b.refunds) c.refunds.write(refundCsv(r));
      for (const p of b.payouts) c.payouts.write(payoutCsv(p));
      for (const l of b.ledger) {
        c.ledger_transactions.write(ledgerTransactionCsv(l));
        c.ledger_entries.write(ledgerEntriesCsv(l));
        entries += l.postings.length;
      }
      for (const i of b.payoutItems) c.payout_items.write(payoutItemCsv(i));
      for (const r of b.rollups) c.sales_daily.write(salesDailyCsv(r));
    }
    this.payments += b.payments.length;
    this.rows += b.payments.length + b.refunds.length + b.payouts.length + b.ledger.length + entries + b.payoutItems.length + b.rollups.length;
  }

  /** Takes the buffered COPY input (and empties the buffer), parent tables first. */
  take(): [CopyTable, Buffer[]][] {
    const out: [CopyTable, Buffer[]][] = [];
    for (const table of COPY_ORDER) {
      const chunks = this.csv ? this.csv[table].take() : this.bin![table].take();
      if (chunks.length) out.push([table, chunks]);
    }
    this.payments = 0;
    this.rows = 0;
    return out;
  }

  async flush(target: CopyTarget): Promise<void> {
    for (const [table, chunks] of this.take()) await target.copy(table, chunks, this.format);
  }
}

/**
 * What the row triggers check (foreign keys, the ledger balance), as one set-based
 * query each: for loads that ran with triggers off. Throws on the first violation.
 * `skip` names foreign keys already validated by PostgreSQL (a loader that dropped and
 * re-added them), as `<table> <pg_get_constraintdef>`: a check is skipped only when
 * every foreign key it stands for was.
 */
export async function verifyBulkLoad(db: Db, log: (m: string) => void = () => {}, opts: { skip?: string[] } = {}): Promise<void> {
  const checks: [string, ReturnType<typeof sql>, string[]][] = [
    [
      "every ledger transaction balances per currency",
      sql`select count(*)::text as n from (select 1 from ledger_entries group by merchant_id, transaction_id, currency having sum(amount) <> 0) x`,
      [],
    ],
    [
      "every posting belongs to a ledger transaction",
      sql`select count(*)::text as n from ledger_entries e where not exists (select 1 from ledger_transactions t where t.merchant_id = e.merchant_id and t.id = e.transaction_id)`,
      ["ledger_entries FOREIGN KEY (merchant_id, transaction_id) REFERENCES ledger_transactions(merchant_id, id)"],
    ],
    [
      "every refund belongs to a payment",
      sql`select count(*)::text as n from refunds r where not exists (select 1 from payments p where p.merchant_id = r.merchant_id and p.id = r.payment_id)`,
      ["refunds FOREIGN KEY (merchant_id, payment_id) REFERENCES payments(merchant_id, id)"],
    ],
    [
      "every payout item names a ledger transaction and a payout",
      sql`select count(*)::text as n from payout_items i
          where not exists (select 1 from ledger_transactions t where t.merchant_id = i.merchant_id and t.id = i.ledger_transaction_id)
             or not exists (select 1 from payouts p where p.merchant_id = i.merchant_id and p.id = i.payout_id)`,
      [
        "payout_items FOREIGN KEY (merchant_id, ledger_transaction_id) REFERENCES ledger_transactions(merchant_id, id)",
        "payout_items FOREIGN KEY (merchant_id, payout_id) REFERENCES payouts(merchant_id, id)",
      ],
    ],
    [
      "every payment names a terminal of its merchant",
      sql`select count(*)::text as n from payments p where not exists (select 1 from terminals t where t.merchant_id = p.merchant_id and t.id = p.terminal_id)`,
      ["payments FOREIGN KEY (merchant_id, terminal_id) REFERENCES terminals(merchant_id, id)"],
    ],
  ];
  const skip = new Set(opts.skip ?? []);
  for (const [label, query, foreignKeys] of checks) {
    if (foreignKeys.length && foreignKeys.every((f) => skip.has(f))) continue;
    const t0 = performance.now();
    const [r] = await rows<{ n: string }>(db, query);
    const bad = Number(r?.n ?? 0);
    log(`  verified: ${label} (${bad === 0 ? "ok" : `${bad} violations`}, ${Math.round(performance.now() - t0)} ms)`);
    if (bad !== 0) throw new Error(`bulk load broke an invariant: ${label} (${bad} rows)`);
  }
}

/**
 * The trigger-kept rollups (sales_daily_totals, sales_monthly, ledger_balances_daily,
 * payout_item_totals, payments_daily, payments_monthly) recomputed set-based: for loads that ran with
 * triggers off. One merchant, or all when omitted.
 */
export async function rebuildDerivedRollups(db: Db, merchantId?: string): Promise<void> {
  await db.execute(merchantId ? sql`select rebuild_all_derived_rollups(${merchantId})` : sql`select rebuild_all_derived_rollups()`);
}
