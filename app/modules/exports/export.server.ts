/**
 * Streaming CSV exports.
 *
 *   keyset batches (report.batches) -> CSV text per batch (papaparse)
 *     -> ReadableStream, pull-based: the next batch is read only when the client has
 *        taken the previous one (and, on the Node server, once the socket has drained)
 *     -> a download the web edge sends (app/web/exports/download.server.ts)
 *
 * On PostgreSQL, when every chosen column can be rendered in SQL and the report gives its
 * rows as one statement, the rows come instead from a single COPY ... TO STDOUT with every
 * cell rendered by the server (copy.server.ts): the same bytes, several times faster,
 * through the same pull-based stream.
 *
 * Memory holds one batch (or 64 KB of COPY output) whatever the size of the export. The
 * header row is the first chunk, sent before any row is read, so the download starts at
 * once. A cancelled download (request.signal, or the stream being cancelled) stops the
 * loop before the next query, or cancels the COPY. Every export is audited when it ends,
 * with its report, filters, columns and row count, and whether it completed.
 */
import { db, replicaSqlClient } from "~db/client.server";
import type { Sql } from "postgres";
import type { Client } from "~/lib/vocabulary";
import type { AppContext } from "~/modules/access/context";
import { audit } from "~/modules/audit/audit.server";
import { ListFilterError } from "~/modules/reporting/list-query.server";
import { csvKind, headerName, rowRenderer, withJalaliColumns, type ColumnKind, type ColumnSpec, type RawRow, type ReportId } from "./definition";
import { csvWriter, UTF8_BOM } from "./csv";
import { CURRENCIES } from "~/lib/money";
import { cellPlan, cellSql, copyChunks, copyRawChunks, copyStatement, inlineParams, serverCanRender, sqlLiteral } from "./copy.server";
import { slugForFileName, zoneForFileName } from "./format";
import { parseExportOptions, type ExportOptions } from "./options.server";
import { REPORTS, type AnyReport } from "./registry.server";
import { cursorBatches, type ReportRun } from "./reports/report.server";
import { SheetRowWriter, type SheetField, type SheetLayout } from "./sheet-rows";
import { XlsxReportWriter, columnLetter } from "./xlsx.server";

/**
 * Resolves once the client has taken what was sent: an export awaits it before reading its
 * next batch (the server makes it from the socket, app/server/backpressure.ts).
 */
export type WaitForClient = () => Promise<void>;
export { REPORTS } from "./registry.server";

/** Rows per database round trip: small enough to keep memory flat, large enough that a round trip is cheap per row. */
export const EXPORT_BATCH_SIZE = 2000;

export type ExportContext = Pick<AppContext, "user" | "merchant" | "role" | "scope">;

export type ExportFormat = "csv" | "xlsx";

export function reportPermissions(id: ReportId) {
  return REPORTS[id].permissions;
}

function localeOf(ctx: ExportContext): string {
  return ctx.user.locale ?? ctx.merchant.defaultLocale ?? "en";
}

interface Prepared {
  report: AnyReport;
  options: ExportOptions;
  run: ReportRun;
  fileName: string;
  /** The CSV's first bytes (byte-order mark and header record). */
  header: string;
  /** The columns written, Jalali twins included. */
  columns: ColumnSpec<never>[];
  headers: string[];
  render: (row: RawRow) => (string | null)[];
  writer: ReturnType<typeof csvWriter>;
  locale: string;
}

async function prepare(ctx: ExportContext, id: ReportId, params: URLSearchParams, now: Date, format: ExportFormat = "csv"): Promise<Prepared> {
  const report = REPORTS[id];
  const locale = localeOf(ctx);
  const options = parseExportOptions(report, params, { role: ctx.role, merchant: ctx.merchant, locale });
  const scope = {
    merchantId: ctx.scope.merchantId,
    merchantName: ctx.merchant.name,
    currency: ctx.merchant.currency,
    timeZone: options.timeZone,
  };
  const run = await report.prepare(scope, params, now);
  const renderOpts = { timeZone: options.timeZone, amounts: options.amounts };
  const columns = (options.jalali ? withJalaliColumns(options.columns) : options.columns) as ColumnSpec<never>[];
  const writer = csvWriter(columns.map((c) => csvKind(c.kind)));
  const headers = columns.map((c) => headerName(c, renderOpts));
  const header = (options.excel ? UTF8_BOM : "") + writer.header(headers);
  const fileName = [report.id, slugForFileName(ctx.merchant.name, ctx.scope.merchantId), run.rangeLabel, zoneForFileName(options.timeZone)].join("_") + `.${format}`;
  return {
    report,
    options,
    run,
    fileName,
    header,
    headers,
    writer,
    columns,
    locale,
    render: rowRenderer(
      columns.map((c) => c.kind),
      renderOpts,
    ),
  };
}

/**
 * What a COPY of the export's rows is built on (the CSV's and the workbook's alike), or
 * null where there can be none: on PGlite, for a report or a column without SQL, for
 * amounts without the row's currency, for a time zone the server does not know (or a
 * server whose DateStyle is not ISO).
 *
 * The report's statement gives the raw values (v0.., the row's currency among them) in
 * its order; they are rendered above it, after its sort: sorting rendered text would sort
 * rows twice as wide (and spill twice as much to disk) for nothing. Each distinct value
 * once: "created" and "created_utc" read the same instant.
 */
async function copySource(p: Prepared): Promise<{
  client: Sql;
  currencySql: string | null;
  /** A raw value of the report's statement as the select above it names it (x.v0, x.v1, ...). */
  valueOf: (expr: string) => string;
  /** The report's statement selecting every value named so far; null when its parameters cannot be inlined. */
  inner: () => string | null;
} | null> {
  const client = replicaSqlClient();
  const run = p.run;
  if (!client || !run.copySelect) return null;
  const columns = p.columns;
  if (columns.some((c) => c.sql === undefined)) return null;
  const currencySql = "currencySql" in p.report ? p.report.currencySql : null;
  if (columns.some((c) => c.kind === "amount") && !currencySql) return null;
  if (!(await serverCanRender(client, p.options.timeZone))) return null;
  const values: string[] = [];
  return {
    client,
    currencySql,
    valueOf: (expr) => {
      const known = values.indexOf(expr);
      return `x.v${known >= 0 ? known : values.push(expr) - 1}`;
    },
    inner: () => inlineParams(run.copySelect!(values.map((v, i) => `${v} as v${i}`))),
  };
}

/** prepare(), or the refusal of a filter or option that cannot be read (ListFilterError: the field and what to do). */
async function prepareOrRefuse(
  ctx: ExportContext,
  id: ReportId,
  params: URLSearchParams,
  now: Date,
  format?: ExportFormat,
): Promise<{ ok: true; p: Prepared } | { ok: false; field: string; message: string }> {
  try {
    return { ok: true, p: await prepare(ctx, id, params, now, format) };
  } catch (e) {
    if (e instanceof ListFilterError) return { ok: false, field: e.field, message: e.message };
    throw e;
  }
}

/**
 * The export as one COPY statement, or null when it keeps the JavaScript path: where
 * copySource has none, and for a single column (its empty cells are quoted to keep the
 * record, which COPY does not do).
 */
async function copyPlan(p: Prepared): Promise<{ client: Sql; statement: string } | null> {
  const columns = p.columns;
  if (columns.length < 2) return null;
  const source = await copySource(p);
  if (source === null) return null;
  const { client, valueOf } = source;
  const currency = columns.some((c) => c.kind === "amount") ? valueOf(source.currencySql!) : "NULL";
  const o = { timeZone: p.options.timeZone, amounts: p.options.amounts, currency };
  const cells = columns.map((c, i) => {
    const plan = cellPlan(c.kind, c.sql!, o);
    return `${plan.render(plan.values.map(valueOf))} as c${i}`;
  });
  const inner = source.inner();
  if (inner === null) return null;
  const select = `select ${cells.join(",\n  ")}\nfrom (${inner}) x`;
  const text = columns.flatMap((c, i) => (c.kind === "text" ? [i] : []));
  return { client, statement: copyStatement(select, text) };
}

export type ExportDownload =
  | { ok: true; format: ExportFormat; fileName: string; body: ReadableStream<Uint8Array> }
  /** A filter or option that cannot be read: the field and what to do. */
  | { ok: false; field: string; message: string };

/**
 * The download of a report, as CSV or as an Excel workbook, for the URL's filters and
 * options (`params`), streamed until done or until `signal` aborts. A bad parameter is a
 * failure naming the field; permissions are the web edge's job.
 */
export async function openExport(
  ctx: ExportContext,
  id: ReportId,
  input: { params: URLSearchParams; signal: AbortSignal; client: Client },
  opts: {
    waitForClient?: WaitForClient;
    now?: Date;
    batchSize?: number;
    /** false: render in JavaScript even where COPY could (the tests compare the two). */
    copy?: boolean;
    format?: ExportFormat;
    /** Told once the stream ends: its rows and bytes, and whether it completed. */
    onEnd?: (r: { rows: number; bytes: number; completed: boolean }) => void;
    /** More for the audit entry (a scheduled run names its schedule). */
    auditDetails?: Record<string, unknown>;
  } = {},
): Promise<ExportDownload> {
  const { params, signal, client } = input;
  const format = opts.format ?? "csv";
  const now = opts.now ?? new Date();
  const prepared = await prepareOrRefuse(ctx, id, params, now, format);
  if (!prepared.ok) return prepared;
  const p = prepared.p;
  const batchSize = opts.batchSize ?? EXPORT_BATCH_SIZE;
  const copy = opts.copy === false || format === "xlsx" ? null : await copyPlan(p);

  async function* chunks(): AsyncGenerator<string | Uint8Array, void, undefined> {
    let rowCount = 0;
    let bytes = 0;
    let completed = false;
    let failure: string | null = null;
    try {
      if (format === "xlsx") {
        for await (const chunk of untilAborted(workbookChunks(p, ctx, now, batchSize, (n) => (rowCount += n)), signal)) {
          bytes += chunk.length;
          yield chunk;
        }
        completed = !signal.aborted;
        return;
      }
      bytes += Buffer.byteLength(p.header);
      yield p.header;
      if (copy !== null) {
        for await (const chunk of untilAborted(copyChunks(copy.client, copy.statement, (records) => (rowCount += records)), signal)) {
          bytes += chunk.length;
          yield chunk;
        }
      } else {
        // PGlite runs queries on this thread and resolves them as microtasks: without a
        // pause the socket (and gzip's flush, done on libuv's thread pool) would not send
        // the header until the first batch is done. A few milliseconds buys first bytes at once.
        await new Promise((resolve) => setTimeout(resolve, 5));
        for await (const batch of untilAborted(p.run.batches(p.columns, batchSize), signal)) {
          const text = p.writer.rows(batch.map(p.render));
          rowCount += batch.length;
          bytes += Buffer.byteLength(text);
          yield text;
        }
      }
      completed = !signal.aborted;
    } catch (e) {
      failure = e instanceof Error ? e.message : String(e);
      throw e;
    } finally {
      opts.onEnd?.({ rows: rowCount, bytes, completed });
      await auditDownload(ctx, { type: "report", id: p.report.id }, completed, client, {
        report: p.report.id,
        format,
        filters: p.run.filters,
        range: p.run.rangeText,
        timeZone: p.options.timeZone,
        columns: p.options.columns.map((c) => c.key),
        amounts: p.options.amounts,
        excel: p.options.excel,
        jalali: p.options.jalali,
        rendering: format === "xlsx" ? "workbook" : copy !== null ? "copy" : "batches",
        rows: rowCount,
        bytes,
        completed,
        ...opts.auditDetails,
        ...(completed ? {} : { stopped: failure ? `error: ${failure.slice(0, 200)}` : "cancelled by the client" }),
      });
    }
  }

  return { ok: true, format, fileName: p.fileName, body: pullStream(chunks(), signal, opts.waitForClient) };
}

/** The chunks of `source` until `signal` aborts (looked at before and after each chunk is taken). */
export async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T, void, undefined> {
  for await (const chunk of source) {
    if (signal.aborted) break;
    yield chunk;
    if (signal.aborted) break;
  }
}

/**
 * The audit entry of a download as it ends (export.download, a success when it
 * completed). The download itself must not fail because its audit row could not be
 * written after the fact (the database closing under a stopped server).
 */
export async function auditDownload(
  ctx: Pick<AppContext, "user" | "merchant" | "scope">,
  target: { type: string; id: string },
  completed: boolean,
  client: Client,
  details: Record<string, unknown>,
): Promise<void> {
  await audit(db(), {
    actor: ctx as AppContext,
    merchantId: ctx.scope.merchantId,
    action: "export.download",
    outcome: completed ? "success" : "failure",
    targetType: target.type,
    targetId: target.id,
    details,
    client,
  }).catch(() => {});
}

/**
 * A report's rows as a workbook's bytes (xlsx.server.ts). The rows are read by a
 * producer that waits for the zip to take each batch; the zip waits for these chunks to
 * be taken: a slow client slows the database reads, and memory stays flat. Returning
 * early (a cancelled download) stops both.
 */
async function* workbookChunks(
  p: Prepared,
  ctx: ExportContext,
  now: Date,
  batchSize: number,
  counted: (rows: number) => void,
): AsyncGenerator<Uint8Array, void, undefined> {
  const writer = new XlsxReportWriter(
    p.columns.map((c, i) => ({ header: p.headers[i]!, kind: c.kind, total: c.total })),
    {
      timeZone: p.options.timeZone,
      amounts: p.options.amounts,
      rightToLeft: p.locale.toLowerCase().startsWith("fa"),
      locale: p.locale,
      sheetName: p.report.id,
      title: `${p.report.title}: ${ctx.merchant.name}, ${p.run.rangeText}`,
      creator: "Merchant Console",
      now,
    },
  );
  // On PostgreSQL, when every cell can be rendered in SQL: the sheet's rows written by the
  // server as XML through one COPY (Node only counts, sums the totals and zips).
  const copy = await workbookCopyPlan(p, writer);
  if (copy !== null) {
    yield* copyWorkbookChunks(writer, copy, counted);
    return;
  }
  // On PostgreSQL, the report's one statement through a cursor (one plan, as COPY gets);
  // elsewhere (PGlite), the keyset walk.
  const client = replicaSqlClient();
  const currencySql = "currencySql" in p.report ? p.report.currencySql : null;
  const viaCursor = client !== null && p.run.copySelect !== undefined && p.columns.every((c) => c.sql !== undefined);
  const batches = viaCursor ? cursorBatches(client, p.run.copySelect!.bind(p.run), currencySql, p.columns, batchSize) : p.run.batches(p.columns, batchSize);
  yield* xlsxChunks(writer, batches, counted);
}

/**
 * A workbook's bytes from batches of rows. The rows are read by a producer that waits for
 * the zip to take each batch; the zip waits for these chunks to be taken: a slow client
 * slows the database reads, and memory stays flat. Returning early (a cancelled download)
 * stops both.
 */
export function xlsxChunks(
  writer: XlsxReportWriter,
  batches: AsyncGenerator<RawRow[], void, undefined>,
  counted: (rows: number) => void,
): AsyncGenerator<Uint8Array, void, undefined> {
  return workbookBytes(writer, batches, async (stopped) => {
    const first = await batches.next();
    await writer.begin(first.done ? [] : first.value);
    if (!first.done) {
      await writer.rows(first.value);
      counted(first.value.length);
    }
    if (!first.done) {
      for await (const batch of batches) {
        if (stopped()) return;
        await writer.rows(batch);
        counted(batch.length);
      }
    }
    if (!stopped()) await writer.finish();
  });
}

/**
 * The zip's output while `produce` writes the rows it reads from `source` into `writer`:
 * each waits for the other (see xlsxChunks). An error in `produce` fails the output; the
 * source is closed when `produce` ends. Returning early (a cancelled download) stops the
 * writer and makes `stopped()` true for `produce`, and waits for it to end.
 */
async function* workbookBytes(
  writer: XlsxReportWriter,
  source: AsyncGenerator<unknown, void, undefined>,
  produce: (stopped: () => boolean) => Promise<void>,
): AsyncGenerator<Uint8Array, void, undefined> {
  let stop = false;
  const producer = (async () => {
    try {
      await produce(() => stop);
    } catch (e) {
      writer.output.destroy(e instanceof Error ? e : new Error(String(e)));
      throw e;
    } finally {
      await source.return(undefined);
    }
  })();
  producer.catch(() => {});
  let done = false;
  try {
    for await (const chunk of writer.output) yield chunk as Uint8Array;
    await producer;
    done = true;
  } finally {
    if (!done) {
      stop = true;
      writer.stop();
      await producer.catch(() => {});
    }
  }
}

/* ------------------------- workbooks through COPY ------------------------- */

interface WorkbookCopy {
  client: Sql;
  statement: string;
  /** Totals columns in the order their raw values follow the currency on each line. */
  totals: number[];
  layout: SheetLayout;
}

/**
 * The workbook's sheet rows as one COPY (FORMAT text) statement of values, one line per row
 * (sheet-rows.ts writes them into sheet XML): the amounts' style id for the row's currency,
 * the currency, the raw values of the totals columns, the measured widths (the first 200
 * rows, else NULL), then each column's value as the cell holds it: numbers in the currency's
 * decimals, date-times as serial dates on the report's wall clock (or UTC), dates as serial
 * days, text as stored (COPY escapes its backslashes, tabs and line breaks; Node the rest).
 * Null (keeps the cursor path) where COPY cannot.
 */
async function workbookCopyPlan(p: Prepared, writer: XlsxReportWriter): Promise<WorkbookCopy | null> {
  const source = await copySource(p);
  if (source === null) return null;
  const { client, currencySql, valueOf } = source;
  const columns = p.columns;
  const currency = currencySql ? valueOf(currencySql) : "NULL";
  const zone = sqlLiteral(p.options.timeZone);
  const styles = writer.styleIds();
  const byExponent = new Map<number, string[]>();
  for (const c of Object.values(CURRENCIES)) byExponent.set(c.exponent, [...(byExponent.get(c.exponent) ?? []), c.code]);
  const amountStyle = `case ${[...byExponent].filter(([e]) => e !== 0).map(([e, codes]) => `when ${currency} in (${codes.map(sqlLiteral).join(", ")}) then ${styles.amount(e)}`).join(" ")} else ${styles.amount(0)} end`;
  const fields: string[] = [];
  const layout: SheetField[] = [];
  const lengths: string[] = [];
  columns.forEach((c) => {
    const sql = c.sql!;
    switch (c.kind) {
      case "amount": {
        const v = valueOf(sql);
        fields.push(p.options.amounts === "minor" ? v : cellSql("amount", v, { timeZone: p.options.timeZone, amounts: "major", currency }));
        layout.push({ kind: "amount" });
        lengths.push(`coalesce(length(abs(${v})::text), -1)`);
        break;
      }
      case "integer": {
        const v = valueOf(sql);
        fields.push(v);
        layout.push({ kind: "number", style: styles.integer });
        lengths.push(`case when ${v} is null then -1 else 0 end`);
        break;
      }
      case "local":
      case "utc": {
        const wall = valueOf(`(${sql}) at time zone ${c.kind === "local" ? zone : "'UTC'"}`);
        // excelSerial in double precision, exactly as JavaScript computes it: (wall ms - Excel's epoch ms) / ms a day
        // (date_part is double precision, extract numeric: several times slower over a million rows.)
        fields.push(`(round(date_part('epoch', date_trunc('milliseconds', ${wall})) * 1000) + 2209161600000) / 86400000`);
        layout.push({ kind: "number", style: styles.dateTime });
        lengths.push(`case when ${wall} is null then -1 else 0 end`);
        break;
      }
      case "date": {
        const v = valueOf(sql);
        fields.push(`${v}::date - date '1899-12-30'`);
        layout.push({ kind: "number", style: styles.date });
        lengths.push(`case when ${v} is null then -1 else 0 end`);
        break;
      }
      case "jalali":
      case "jalali_date": {
        const plan = cellPlan(c.kind, sql, { timeZone: p.options.timeZone, amounts: p.options.amounts, currency });
        const refs = plan.values.map(valueOf);
        fields.push(`case when ${refs[0]} is not null then (${plan.render(refs)}) end`);
        layout.push({ kind: "text" });
        lengths.push(`case when ${refs[0]} is null then -1 else 0 end`);
        break;
      }
      default: {
        const v = valueOf(sql);
        // As the CSV has it: ::text (COPY's own output of a boolean would be "t", not "true").
        fields.push(`(${v})::text`);
        layout.push({ kind: "text" });
        lengths.push(`coalesce(length((${v})::text), -1)`);
      }
    }
  });
  const totals = [...writer.totalColumnIndexes];
  const lead = [
    ...(columns.some((c) => c.kind === "amount") ? [amountStyle] : []),
    `coalesce(${currency}, '')`,
    ...totals.map((i) => `coalesce((${valueOf(columns[i]!.sql!)})::text, '')`),
    `case when x.rn <= ${WIDTH_SAMPLE} then concat_ws(',', ${lengths.join(", ")}) end`,
  ];
  const inner = source.inner();
  if (inner === null) return null;
  const statement = `COPY (select ${[...lead, ...fields].join(",\n  ")}\nfrom (select x.*, row_number() over () as rn from (${inner}) x) x) TO STDOUT`;
  return {
    client,
    statement,
    totals,
    layout: { fields: layout, letters: columns.map((_, i) => columnLetter(i)), amountStyle: columns.some((c) => c.kind === "amount"), totals: totals.length },
  };
}

/** Rows measured for the column widths (as the cursor path's first batch sample). */
const WIDTH_SAMPLE = 200;

const MINUS = 0x2d;
const TAB = 0x09;
const LF = 0x0a;
/** A running sum in a double stays exact below 2^53: flushed into the exact (bigint) total well before. */
const FLUSH_AT = 2 ** 52;

/**
 * Sums of the totals columns per currency, read from each line's totals fields as bytes:
 * digits summed in doubles while they are exact, flushed into the writer's exact totals.
 */
export class NoteTotals {
  private readonly sums = new Map<string, Float64Array>();
  constructor(
    private readonly writer: Pick<XlsxReportWriter, "total">,
    private readonly columns: readonly number[],
    /** The byte between two values (a tab in COPY's text format). */
    private readonly separator = TAB,
  ) {}

  /** The values of one row: `buf[from..to)` is "<v>\t<v>\t..." (an empty value is a NULL). */
  add(currency: string, buf: Buffer, from: number, to: number): void {
    let sums = this.sums.get(currency);
    if (!sums) this.sums.set(currency, (sums = new Float64Array(this.columns.length)));
    let j = 0;
    let at = from;
    while (j < this.columns.length && at <= to) {
      let end = buf.indexOf(this.separator, at);
      if (end < 0 || end > to) end = to;
      if (end > at) {
        if (end - at > 15) this.writer.total(currency, this.columns[j]!, BigInt(buf.toString("latin1", at, end)));
        else {
          let k = at;
          const negative = buf[k] === MINUS;
          if (negative) k++;
          let n = 0;
          for (; k < end; k++) n = n * 10 + (buf[k]! - 48);
          const sum = sums[j]! + (negative ? -n : n);
          if (sum > FLUSH_AT || sum < -FLUSH_AT) {
            this.writer.total(currency, this.columns[j]!, BigInt(sum));
            sums[j] = 0;
          } else sums[j] = sum;
        }
      }
      j++;
      at = end + 1;
    }
  }

  /** Everything summed so far into the writer's totals. */
  flush(): void {
    for (const [currency, sums] of this.sums) {
      sums.forEach((v, j) => {
        if (v !== 0) this.writer.total(currency, this.columns[j]!, BigInt(v));
      });
    }
    this.sums.clear();
  }
}

/** The workbook's bytes from a COPY of sheet rows; stopping early cancels the COPY (copyRawChunks). */
function copyWorkbookChunks(writer: XlsxReportWriter, plan: WorkbookCopy, counted: (rows: number) => void): AsyncGenerator<Uint8Array, void, undefined> {
  const source = copyRawChunks(plan.client, plan.statement, () => {});
  return workbookBytes(writer, source, async (stopped) => {
    let carry: Buffer | null = null;
    let begun = false;
    const held: { xml: Buffer; rows: number }[] = [];
    const samples: { currency: string; lengths: number[] }[] = [];
    const totals = new NoteTotals(writer, plan.totals);
    const sheet = new SheetRowWriter(plan.layout, {
      totals: (currency, buf, from, to) => totals.add(currency, buf, from, to),
      widths: (currency, lengths) => {
        if (samples.length < WIDTH_SAMPLE) samples.push({ currency, lengths });
      },
    });
    const take = async (bytes: Buffer) => {
      const { xml, rows } = sheet.write(bytes);
      if (rows === 0) return;
      counted(rows);
      if (!begun) {
        // These wait for the widths (the XML is a buffer of its own).
        held.push({ xml, rows });
        if (samples.length < WIDTH_SAMPLE) return;
        await open();
        return;
      }
      await writer.rawRows(xml, rows);
    };
    const open = async () => {
      begun = true;
      await writer.beginWithWidths(writer.widthsFromLengths(samples));
      for (const h of held.splice(0)) await writer.rawRows(h.xml, h.rows);
    };
    for await (const chunk of source) {
      if (stopped()) return;
      // Chunks hold whole rows (a COPY sends one message per row); a row cut anyway waits for its end.
      const whole: Buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      let bytes: Buffer = carry ? Buffer.concat([carry, whole]) : whole;
      const cut: number = bytes.lastIndexOf(LF) + 1;
      carry = cut < bytes.length ? Buffer.from(bytes.subarray(cut)) : null;
      bytes = bytes.subarray(0, cut);
      if (cut > 0) await take(bytes);
    }
    if (carry) await take(Buffer.concat([carry, Buffer.from([LF])]));
    totals.flush();
    if (!begun) await open();
    if (!stopped()) await writer.finish();
  });
}

/**
 * A byte stream that produces a chunk only when its reader asks for one
 * (highWaterMark 0): nothing is read ahead of the client.
 */
export function pullStream(
  source: AsyncGenerator<string | Uint8Array, void, undefined>,
  signal?: AbortSignal,
  waitForClient?: WaitForClient,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          if (waitForClient) await waitForClient();
          if (signal?.aborted) {
            await source.return(undefined);
            controller.close();
            return;
          }
          const { done, value } = await source.next();
          if (done) controller.close();
          else controller.enqueue(typeof value === "string" ? encoder.encode(value) : value);
        } catch (e) {
          controller.error(e);
        }
      },
      async cancel() {
        await source.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

/** The refusal of a report's filters and options, or null when they can run (nothing is read). */
export async function checkExport(ctx: ExportContext, id: ReportId, params: URLSearchParams, now: Date = new Date()): Promise<{ field: string; message: string } | null> {
  const r = await prepareOrRefuse(ctx, id, params, now);
  return r.ok ? null : { field: r.field, message: r.message };
}

export interface ReportPreview {
  rows: number;
  /** Estimated file size in bytes (header + average sampled row size x rows). */
  estimatedBytes: number;
  fileName: string;
  rangeText: string;
  timeZone: string;
  columns: { key: string; header: string; kind: ColumnKind }[];
  excel: boolean;
  jalali: boolean;
  amounts: "major" | "minor";
}

/** How many rows the download will have and roughly how large it will be, before it starts. */
export async function previewReport(
  ctx: ExportContext,
  id: ReportId,
  params: URLSearchParams,
  now: Date = new Date(),
): Promise<{ ok: true; preview: ReportPreview } | { ok: false; field: string; message: string }> {
  const prepared = await prepareOrRefuse(ctx, id, params, now);
  if (!prepared.ok) return prepared;
  const p = prepared.p;
  const rows = await p.run.count();
  let sampleRows = 0;
  let sampleBytes = 0;
  const sample = p.run.batches(p.columns, 200);
  try {
    const first = await sample.next();
    if (!first.done) {
      sampleRows = first.value.length;
      sampleBytes = Buffer.byteLength(p.writer.rows(first.value.map(p.render)));
    }
  } finally {
    await sample.return(undefined);
  }
  const perRow = sampleRows > 0 ? sampleBytes / sampleRows : 0;
  const renderOpts = { timeZone: p.options.timeZone, amounts: p.options.amounts };
  return {
    ok: true,
    preview: {
      rows,
      estimatedBytes: Math.round(Buffer.byteLength(p.header) + perRow * rows),
      fileName: p.fileName,
      rangeText: p.run.rangeText,
      timeZone: p.options.timeZone,
      columns: p.columns.map((c) => ({ key: c.key, header: headerName(c, renderOpts), kind: c.kind })),
      excel: p.options.excel,
      jalali: p.options.jalali,
      amounts: p.options.amounts,
    },
  };
}
