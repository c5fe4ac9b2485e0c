/**
 * CSV exports as one COPY statement, on PostgreSQL (postgres.js).
 *
 * When every chosen column of a report can be rendered in SQL (ColumnSpec.sql) and its
 * run can give its rows as one ordered statement (ReportRun.copySelect), the export is
 *
 *   COPY (select <every cell rendered in SQL> ...) TO STDOUT (FORMAT csv, FORCE_QUOTE (<text columns>))
 *     -> LF record endings turned into CRLF (a quote-state scan over the bytes)
 *     -> Response
 *
 * instead of keyset batches rendered cell by cell in JavaScript: the server formats the
 * cells while Node only moves bytes. The file is byte for byte the one the JavaScript path
 * writes for the same request (tests/integration/exports/copy.test.ts): text columns
 * always quoted and neutralised like neutralizeFormula, NULL text as "", other NULLs
 * empty, amounts like formatAmount, date-times like the local and UTC formatters, Jalali
 * dates through jalali_date_text (migration 0007).
 *
 * COPY takes no bind parameters, so the statement's parameters are written into it as
 * literals (inlineParams); a parameter of a type not handled there sends the export down
 * the JavaScript path instead.
 */
import type { Readable } from "node:stream";
import type { Sql } from "postgres";
import { PgDialect } from "drizzle-orm/pg-core";
import type { SQL } from "drizzle-orm";
import { CURRENCIES } from "~/lib/money";
import type { ColumnKind } from "./definition";
import type { AmountFormat } from "./format";

/** A SQL string literal (standard_conforming_strings is on in every supported server). */
export function sqlLiteral(s: string): string {
  if (s.includes("\0")) throw new RangeError("A NUL character cannot be sent to PostgreSQL");
  return `'${s.replace(/'/g, "''")}'`;
}

/** An array parameter as a PostgreSQL array literal ('{"a","b"}'), left for the context to type. */
function arrayLiteral(values: unknown[]): string | null {
  const items: string[] = [];
  for (const v of values) {
    if (v === null || v === undefined) items.push("NULL");
    else if (typeof v === "string" || typeof v === "number" || typeof v === "bigint") items.push(`"${String(v).replace(/["\\]/g, (c) => `\\${c}`)}"`);
    else return null;
  }
  return sqlLiteral(`{${items.join(",")}}`);
}

function paramLiteral(v: unknown): string | null {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "string") return sqlLiteral(v);
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : null;
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : `${sqlLiteral(v.toISOString())}::timestamptz`;
  if (Array.isArray(v)) return arrayLiteral(v);
  return null;
}

const dialect = new PgDialect();

/**
 * The statement's text with its parameters written in as literals; null when one of
 * them is of a type this does not write (the caller keeps the parameterised path).
 */
export function inlineParams(query: SQL): string | null {
  const { sql: text, params } = dialect.sqlToQuery(query);
  const literals = params.map(paramLiteral);
  if (literals.some((l) => l === null)) return null;
  // Placeholders are $1..$n, numbered by drizzle; our statements have no other "$<digit>".
  return text.replace(/\$(\d+)/g, (_, n: string) => `(${literals[Number(n) - 1]!})`);
}

/** Characters that make neutralizeFormula add a leading quote, as code points (ascii() of the first character). */
const FORMULA_TRIGGER_CODES = ["=", "+", "-", "@", "\t", "\r", "\n", "\uFF1D", "\uFF0B", "\uFF0D", "\uFF20"].map((c) => c.codePointAt(0)!);

export interface CellSqlOptions {
  /** The report's time zone, as the PostgreSQL server knows it (checked with zoneKnown). */
  timeZone: string;
  amounts: AmountFormat;
  /** The row's currency, for amounts. */
  currency: string;
}

const WALL_CLOCK = `'YYYY-MM-DD HH24:MI:SS'`;

/**
 * One cell of a column, rendered in SQL to the exact text the JavaScript path writes
 * (definition.ts rowRenderer, csv.ts csvWriter): `expr` is the column's raw value.
 */
export function cellSql(kind: ColumnKind, expr: string, o: CellSqlOptions): string {
  const e = `(${expr})`;
  const zone = sqlLiteral(o.timeZone);
  switch (kind) {
    case "text":
      // NULL text is "" like the JavaScript writer's, quoted by FORCE_QUOTE (a NULL would be left bare).
      return `case when ascii(${e}) in (${FORMULA_TRIGGER_CODES.join(", ")}) then '''' || ${e} else coalesce(${e}, '') end`;
    case "amount": {
      if (o.amounts === "minor") return `${e}::text`;
      // Major units for the currencies with decimals (formatAmount): the numeric product has
      // exactly `exponent` decimals ("-0.05", "12.50", "0.00"). Others, and unknown codes: minor units.
      const byExponent = new Map<number, string[]>();
      for (const c of Object.values(CURRENCIES)) {
        if (c.exponent === 0) continue;
        byExponent.set(c.exponent, [...(byExponent.get(c.exponent) ?? []), c.code]);
      }
      const whens = [...byExponent].map(
        ([exp, codes]) => `when (${o.currency}) in (${codes.map(sqlLiteral).join(", ")}) then (${e}::numeric * 0.${"0".repeat(exp - 1)}1)::text`,
      );
      return whens.length ? `case ${whens.join(" ")} else ${e}::text end` : `${e}::text`;
    }
    case "integer":
      return `${e}::text`;
    case "local":
      return `to_char(${e} at time zone ${zone}, ${WALL_CLOCK})`;
    case "utc":
      return `to_char(${e} at time zone 'UTC', ${WALL_CLOCK})`;
    case "date":
      // The JavaScript path reads dates as ::text and writes them as they come.
      return `${e}::text`;
    case "jalali_date":
      return `jalali_date_text(${e})`;
    case "jalali":
      return `jalali_date_text((${e} at time zone ${zone})::date) || to_char(${e} at time zone ${zone}, ' HH24:MI:SS')`;
  }
}

/** The COPY statement around a select whose columns are c0..cN-1. */
export function copyStatement(select: string, textColumns: number[]): string {
  const forceQuote = textColumns.length ? `, FORCE_QUOTE (${textColumns.map((i) => `c${i}`).join(", ")})` : "";
  return `COPY (${select}) TO STDOUT (FORMAT csv${forceQuote})`;
}

const zoneCache = new Map<string, boolean>();

/** Whether the server knows the time zone by this name (Intl's canonical names nearly always are). */
export async function zoneKnown(client: Sql, tz: string): Promise<boolean> {
  const cached = zoneCache.get(tz);
  if (cached !== undefined) return cached;
  let known: boolean;
  try {
    await client`select now() at time zone ${tz}`;
    known = true;
  } catch {
    known = false;
  }
  if (zoneCache.size > 1000) zoneCache.clear();
  zoneCache.set(tz, known);
  return known;
}

/**
 * COPY writes LF after each record; RFC 4180 (and the JavaScript writer) end records with
 * CRLF. Only record terminators change: an LF inside a quoted field (a description typed
 * on two lines) stays as it is. The scan keeps its quote state across chunks, and counts
 * the records it ends.
 */
export function crlfRecords(): (chunk: Uint8Array) => { bytes: Uint8Array; records: number } {
  let quoted = false;
  let ends = new Int32Array(1024);
  return (chunk) => {
    let n = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === 0x22) quoted = !quoted;
      else if (b === 0x0a && !quoted) {
        if (n === ends.length) {
          const grown = new Int32Array(ends.length * 2);
          grown.set(ends);
          ends = grown;
        }
        ends[n++] = i;
      }
    }
    if (n === 0) return { bytes: chunk, records: 0 };
    const out = Buffer.allocUnsafe(chunk.length + n);
    let from = 0;
    let o = 0;
    for (let k = 0; k < n; k++) {
      const end = ends[k]!;
      out.set(chunk.subarray(from, end), o);
      o += end - from;
      out[o++] = 0x0d;
      out[o++] = 0x0a;
      from = end + 1;
    }
    out.set(chunk.subarray(from), o);
    return { bytes: out, records: n };
  };
}

/** Bytes gathered before a chunk goes to the client: fewer, larger writes (COPY sends a message per row). */
const CHUNK_BYTES = 64 * 1024;

/**
 * The rows of a COPY ... TO STDOUT statement as CRLF-ended CSV chunks; `counted` is told
 * how many records each chunk ends. Stopping early (the generator returned, because the
 * client went away) cancels the statement on the server and lets the connection drain
 * back to the pool: a COPY left unread would hold its connection, and its backend, for good.
 */
export async function* copyChunks(client: Sql, statement: string, counted: (records: number) => void): AsyncGenerator<Uint8Array, void, undefined> {
  // A connection of its own for the statement's whole life (a cancel then reaches this
  // statement and nothing else), with JIT off: a million-row export is far above the
  // planner's JIT thresholds, and compiling its few dozen render expressions with LLVM
  // costs seconds (5 s of 19 at a million rows) to save next to nothing.
  const conn = await client.reserve();
  try {
    const [session] = await conn<{ pid: number }[]>`select set_config('jit', 'off', false), pg_backend_pid() as pid`;
    yield* copyOn(conn, statement, counted, () => client`select pg_cancel_backend(${session!.pid})`);
  } finally {
    await conn.unsafe("RESET jit").catch(() => {});
    conn.release();
  }
}

async function* copyOn(
  conn: Sql,
  statement: string,
  counted: (records: number) => void,
  cancel: () => Promise<unknown>,
): AsyncGenerator<Uint8Array, void, undefined> {
  const stream = (await conn.unsafe(statement).readable()) as unknown as Readable;
  const toCrlf = crlfRecords();
  const flush = (pending: Buffer[], size: number) => {
    const { bytes, records } = toCrlf(pending.length === 1 ? pending[0]! : Buffer.concat(pending, size));
    counted(records);
    return bytes;
  };
  let readToEnd = false;
  try {
    let pending: Buffer[] = [];
    let size = 0;
    // Not destroyed when the loop stops early: postgres.js goes on pushing into this stream
    // until the server stops, and into a destroyed one it would leave its socket paused.
    for await (const data of stream.iterator({ destroyOnReturn: false })) {
      pending.push(data as Buffer);
      size += (data as Buffer).length;
      // COPY sends a message per row: wait for more rather than sending a row or two at a time.
      if (size < CHUNK_BYTES) continue;
      const bytes = flush(pending, size);
      pending = [];
      size = 0;
      yield bytes;
    }
    readToEnd = true;
    if (size > 0) yield flush(pending, size);
  } finally {
    if (!readToEnd) {
      // Stopped early: cancel the statement (pg_cancel_backend from another connection of
      // the pool; postgres.js's own query.cancel() does nothing once a COPY is streaming),
      // and once the backend has been signalled read and drop what is still in flight,
      // until the server's "canceling statement" error (or, if it had already finished,
      // the end) closes the stream and the connection is ready for its next query.
      try {
        await cancel();
      } catch {
        // No cancel: the rest is read to its end below instead.
      }
      try {
        for await (const _ of stream.iterator({ destroyOnReturn: false })) void _;
      } catch {
        // 57014 canceling statement due to user request: what was asked for.
      }
    }
    // postgres.js pauses its socket when a push finds this stream full, and resumes it
    // only when the stream reads on; if that push was the last before CopyDone (or the
    // error), nothing resumes it and the connection's next query waits forever for a
    // reply sitting unread in the socket (porsager/postgres#499, fix proposed in #1016).
    // The stream's _read is that resume: call it once the stream is done with.
    (stream as unknown as { _read(size?: number): void })._read();
  }
}
