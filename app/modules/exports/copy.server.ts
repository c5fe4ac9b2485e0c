/**
 * CSV exports as one COPY statement, on PostgreSQL (postgres.js).
 *
 * When every chosen column of a report can be rendered in SQL (ColumnSpec.sql) and its
 * run can give its rows as one ordered statement (ReportRun.copySelect), the export is
 *
 *   COPY (select <every cell rendered in SQL> from (<the report's rows, sorted>) x)
 *     TO STDOUT (FORMAT csv, FORCE_QUOTE (<text columns>))
 *     -> each row's LF ending turned into CRLF as postgres.js hands it over (gatherRecords)
 *     -> Response
 *
 * instead of keyset batches rendered cell by cell in JavaScript: the server formats the
 * cells while Node only moves bytes. The file is byte for byte the one the JavaScript path
 * writes for the same request (tests/integration/exports/copy.test.ts): text columns
 * always quoted and neutralised like neutralizeFormula, NULL text as "", other NULLs
 * empty, amounts like formatAmount, date-times like the local and UTC formatters, Jalali
 * dates through jalali_date_text (db/migrations/0000_baseline.sql).
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
  /** The report's time zone, as the PostgreSQL server knows it (checked with serverCanRender). */
  timeZone: string;
  amounts: AmountFormat;
  /** The row's currency, for amounts. */
  currency: string;
}

/**
 * "YYYY-MM-DD HH:MI:SS" of a wall-clock timestamp, to the second (floored, like the
 * JavaScript formatters): timestamp output in the ISO DateStyle (checked by
 * serverCanRender), at about half the cost of to_char over a million rows.
 */
const wallClockText = (wall: string) => `date_trunc('second', ${wall})::text`;

/**
 * What a column's cells need from the report's statement, and how they are rendered from
 * it: `values` are SQL over the statement's tables, `render` gets references to them and
 * gives the cell.
 */
export interface CellPlan {
  values: string[];
  render(refs: string[]): string;
}

/**
 * A column's cell, rendered to the exact text the JavaScript path writes (definition.ts
 * rowRenderer, csv.ts csvWriter) from its raw value `sql`. Date-times come from the
 * statement already on the report's wall clock (turned there, below its sort, where
 * parallel workers share the work, and once for a column and its Jalali twin). A Jalali
 * twin turns that day Jalali with jalali_date_text, which the planner inlines (about half
 * a microsecond a call) because its argument is a plain column.
 */
export function cellPlan(kind: ColumnKind, sql: string, o: CellSqlOptions): CellPlan {
  const zone = sqlLiteral(o.timeZone);
  switch (kind) {
    case "local":
      return { values: [`(${sql}) at time zone ${zone}`], render: ([wall]) => wallClockText(wall!) };
    case "utc":
      return { values: [`(${sql}) at time zone 'UTC'`], render: ([wall]) => wallClockText(wall!) };
    case "jalali":
      // The local wall clock with its day turned Jalali (rowRenderer: wall.slice(0, 10) and wall.slice(10)).
      return {
        values: [`(${sql}) at time zone ${zone}`],
        render: ([wall]) => `jalali_date_text(${wall}::date) || substr(${wallClockText(wall!)}, 11)`,
      };
    case "jalali_date":
      return { values: [sql], render: ([day]) => `jalali_date_text(${day})` };
    default:
      return { values: [sql], render: ([value]) => cellSql(kind, value!, o) };
  }
}

/** A text, amount, integer or date cell from its raw value `expr`. */
export function cellSql(kind: Exclude<ColumnKind, "local" | "utc" | "jalali" | "jalali_date">, expr: string, o: CellSqlOptions): string {
  const e = `(${expr})`;
  switch (kind) {
    case "text": {
      // Enum values come as they are (narrower through the sort below) and become text here.
      // NULL text is "" like the JavaScript writer's, quoted by FORCE_QUOTE (a NULL would be left bare).
      const t = `${e}::text`;
      return `case when ascii(${t}) in (${FORMULA_TRIGGER_CODES.join(", ")}) then '''' || ${t} else coalesce(${t}, '') end`;
    }
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
    case "date":
      // The JavaScript path reads dates as ::text and writes them as they come.
      return `${e}::text`;
  }
}

/** The COPY statement around a select whose columns are c0..cN-1. */
export function copyStatement(select: string, textColumns: number[]): string {
  const forceQuote = textColumns.length ? `, FORCE_QUOTE (${textColumns.map((i) => `c${i}`).join(", ")})` : "";
  return `COPY (${select}) TO STDOUT (FORMAT csv${forceQuote})`;
}

const renderable = new Map<string, boolean>();

/**
 * Whether the server can render an export in this time zone: it knows the zone by this
 * name (Intl's canonical names nearly always are), and writes timestamps in the ISO
 * DateStyle (the default; the JavaScript path reads dates as text too).
 */
export async function serverCanRender(client: Sql, tz: string): Promise<boolean> {
  const cached = renderable.get(tz);
  if (cached !== undefined) return cached;
  let ok: boolean;
  try {
    const [r] = await client<{ style: string }[]>`select now() at time zone ${tz} as t, current_setting('DateStyle') as style`;
    ok = /^ISO\b/.test(r?.style ?? "");
  } catch {
    ok = false;
  }
  if (renderable.size > 1000) renderable.clear();
  renderable.set(tz, ok);
  return ok;
}

/**
 * COPY writes LF after each record; RFC 4180 (and the JavaScript writer) end records with
 * CRLF. Only record terminators change: an LF inside a quoted field (a description typed
 * on two lines) stays as it is. The scan keeps its quote state across chunks, and counts
 * the records it ends.
 */
export function crlfRecords(): ((chunk: Uint8Array) => { bytes: Uint8Array; records: number }) & { inQuotes(): boolean } {
  let quoted = false;
  let ends = new Int32Array(1024);
  const convert = (chunk: Uint8Array) => {
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
  return Object.assign(convert, { inQuotes: () => quoted });
}

/** Bytes gathered before a chunk goes to the client: fewer, larger writes (COPY sends a message per row). */
const CHUNK_BYTES = 64 * 1024;

/**
 * Takes over a COPY stream's push (postgres.js pushes each CopyData message into it): the
 * server sends "CopyData messages (always one per row)" (PostgreSQL's protocol, Copy-out
 * mode), so a message whose only LF is its last byte is one record and that LF its
 * terminator. Records are copied with CRLF endings into 64 KB chunks and only those are
 * pushed on: no byte-by-byte scan, and one push per 64 KB instead of one per row. A
 * message with more LFs (a field typed on several lines) goes through the quote-state
 * scan, and so does everything after a message that does not end a record, until one does.
 * `sizes` gets each chunk's bytes and records, in push order.
 */
export function gatherRecords(stream: Readable, sizes: { bytes: number; records: number }[]): void {
  const scan = crlfRecords();
  /** Whether the last message ended a record: the next one starts outside any quotes. */
  let atRecordStart = true;
  gatherPushes(stream, sizes, (row, g) => {
    const oneRecord = atRecordStart && row.length > 0 && row.indexOf(0x0a) === row.length - 1;
    const converted = oneRecord ? null : scan(row);
    atRecordStart = oneRecord || (row[row.length - 1] === 0x0a && !scan.inQuotes());
    const more = g.room(converted ? converted.bytes.length : row.length + 1);
    const out = g.out;
    if (converted) {
      out.set(converted.bytes, g.used);
      g.used += converted.bytes.length;
      g.records += converted.records;
    } else {
      out.set(row.subarray(0, row.length - 1), g.used);
      g.used += row.length - 1;
      out[g.used++] = 0x0d;
      out[g.used++] = 0x0a;
      g.records++;
    }
    return more;
  });
}

/**
 * Gathers a COPY's rows (one push each) into chunks of about CHUNK_BYTES as they are, for
 * a statement whose rows need no conversion (a workbook's sheet XML, one line per row).
 */
function gatherRaw(stream: Readable, sizes: { bytes: number; records: number }[]): void {
  gatherPushes(stream, sizes, (row, g) => {
    const more = g.room(row.length);
    g.out.set(row, g.used);
    g.used += row.length;
    g.records++;
    return more;
  });
}

/** The chunk being gathered: `out[0..used)` holds `records` records. */
interface Gathering {
  out: Buffer;
  used: number;
  records: number;
  /**
   * Makes room for `size` more bytes, pushing what is gathered first when they do not
   * fit. True while gathering (a false that no push follows would leave the socket paused
   * for good: the stream asks for more only after a push); the stream's own answer when a
   * chunk went out, so that a slow reader still pauses the socket, and the server.
   */
  room(size: number): boolean;
}

/**
 * Takes over a COPY stream's push: `add` writes each pushed row into the chunk being
 * gathered, and a chunk is pushed on when the next row does not fit and at the end.
 * `sizes` gets each chunk's bytes and records, in push order.
 */
function gatherPushes(stream: Readable, sizes: { bytes: number; records: number }[], add: (row: Buffer, g: Gathering) => boolean): void {
  const push = stream.push.bind(stream);
  /** Pushes what is gathered; false when the stream is full (postgres.js then pauses its socket). */
  const flush = (): boolean => {
    if (g.used === 0) return true;
    sizes.push({ bytes: g.used, records: g.records });
    const more = push(g.out.subarray(0, g.used));
    g.out = Buffer.allocUnsafe(CHUNK_BYTES);
    g.used = 0;
    g.records = 0;
    return more;
  };
  const g: Gathering = {
    out: Buffer.allocUnsafe(CHUNK_BYTES),
    used: 0,
    records: 0,
    room(size) {
      if (g.used + size <= g.out.length) return true;
      const more = flush();
      if (size > g.out.length) g.out = Buffer.allocUnsafe(size);
      return more;
    },
  };
  stream.push = (chunk: unknown): boolean => {
    if (chunk === null) {
      flush();
      return push(null);
    }
    return add(chunk as Buffer, g);
  };
}

/**
 * The rows of a COPY ... TO STDOUT (FORMAT text) statement as they come, gathered into
 * chunks; `counted` is told how many rows each chunk holds. Stopping early cancels the
 * statement as copyChunks does.
 */
export async function* copyRawChunks(client: Sql, statement: string, counted: (records: number) => void): AsyncGenerator<Uint8Array, void, undefined> {
  const conn = await client.reserve();
  try {
    const [session] = await conn<{ pid: number }[]>`select set_config('jit', 'off', false), pg_backend_pid() as pid`;
    yield* copyOn(conn, statement, counted, () => cancelBackend(client, session!.pid), false);
  } finally {
    await resetJit(conn);
    conn.release();
  }
}

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
    yield* copyOn(conn, statement, counted, () => cancelBackend(client, session!.pid));
  } finally {
    await resetJit(conn);
    conn.release();
  }
}

/**
 * Puts JIT back on the export's connection before it returns to the pool. On a connection
 * the database dropped mid-COPY the RESET would wait for a reconnect (seconds, or as long
 * as the database stays away), and the download's failure with it: never more than a
 * moment (a RESET still queued runs harmlessly once the connection is back).
 */
async function resetJit(conn: Sql): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([conn.unsafe("RESET jit").catch(() => {}), new Promise<void>((r) => (timer = setTimeout(r, 500)))]);
  clearTimeout(timer);
}

/** How long a cancel may wait for a free connection of the pool before the export reads its COPY to the end instead. */
const CANCEL_WAIT_MS = 2000;

/**
 * pg_cancel_backend from another connection of the pool. One that cannot get a connection
 * in time is taken back out of the pool's queue (a cancel sent after this export has let go
 * of its connection could stop somebody else's query), and the caller reads on instead.
 */
async function cancelBackend(client: Sql, pid: number): Promise<void> {
  const query = client`select pg_cancel_backend(${pid})`;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), CANCEL_WAIT_MS)));
  try {
    if ((await Promise.race([query, late])) === "late") {
      query.cancel();
      query.catch(() => {});
      throw new Error("no connection free to cancel the export's COPY");
    }
  } finally {
    clearTimeout(timer);
  }
}

async function* copyOn(
  conn: Sql,
  statement: string,
  counted: (records: number) => void,
  cancel: () => Promise<unknown>,
  crlf = true,
): AsyncGenerator<Uint8Array, void, undefined> {
  const query = conn.unsafe(statement);
  const stream = (await query.readable()) as unknown as Readable;
  // A connection lost mid-COPY (the database restarted, the backend was terminated) fails
  // the query but leaves its stream open: end the stream with that error, or the download
  // would wait forever instead of failing.
  query.catch((e: unknown) => {
    if (!stream.readableEnded) stream.destroy(e instanceof Error ? e : new Error(String(e)));
  });
  // Rows pushed before this point (with the CopyOutResponse, in the same read from the
  // socket) are still as the server sent them: the quote-state scan converts those.
  let unconverted = stream.readableLength;
  const scan = crlfRecords();
  const sizes: { bytes: number; records: number }[] = [];
  if (crlf) gatherRecords(stream, sizes);
  else {
    // Rows pushed before this point are whole rows as they came: one record each line.
    unconverted = 0;
    for (const b of (stream as unknown as { readableBuffer: Iterable<Buffer> }).readableBuffer ?? []) sizes.push({ bytes: b.length, records: 1 });
    gatherRaw(stream, sizes);
  }
  let readToEnd = false;
  try {
    // Not destroyed when the loop stops early: postgres.js goes on pushing into this stream
    // until the server stops, and into a destroyed one it would leave its socket paused.
    for await (const data of stream.iterator({ destroyOnReturn: false })) {
      let chunk = data as Buffer;
      let records = 0;
      let gathered = chunk.length;
      if (unconverted > 0) {
        const n = Math.min(unconverted, chunk.length);
        unconverted -= n;
        const head = scan(chunk.subarray(0, n));
        records += head.records;
        gathered -= n;
        chunk = gathered === 0 ? Buffer.from(head.bytes) : Buffer.concat([head.bytes, chunk.subarray(n)]);
      }
      // The rest is gathered chunks, whole (a read returns whole pushes): count their records.
      while (gathered > 0 && sizes.length > 0) {
        const first = sizes[0]!;
        if (first.bytes > gathered) {
          first.bytes -= gathered;
          break;
        }
        gathered -= first.bytes;
        records += first.records;
        sizes.shift();
      }
      counted(records);
      yield chunk;
    }
    readToEnd = true;
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
