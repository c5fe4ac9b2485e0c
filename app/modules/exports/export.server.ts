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
import { csvKind, headerName, isReportId, rowRenderer, withJalaliColumns, type ColumnKind, type ColumnSpec, type RawRow, type ReportId } from "./definition";
import { csvWriter, UTF8_BOM } from "./csv";
import { CURRENCIES } from "~/lib/money";
import { cellPlan, cellSql, copyChunks, copyRawChunks, copyStatement, inlineParams, serverCanRender, sqlLiteral } from "./copy.server";
import { contentDisposition, slugForFileName, zoneForFileName } from "./format";
import { parseExportOptions, type ExportOptions } from "./options.server";
import { REPORTS, type AnyReport } from "./registry.server";
import { cursorBatches, type ReportRun } from "./reports/report.server";
import { XLSX_CONTENT_TYPE, XlsxReportWriter, columnLetter } from "./xlsx.server";
import type { WaitForClient } from "./backpressure.server";

export type { WaitForClient } from "./backpressure.server";
export { REPORTS } from "./registry.server";

/** Rows per database round trip: small enough to keep memory flat, large enough that a round trip is cheap per row. */
export const EXPORT_BATCH_SIZE = 2000;

export type ExportContext = Pick<AppContext, "user" | "merchant" | "role" | "scope">;

export type ExportFormat = "csv" | "xlsx";

/** "payments.csv" -> payments as CSV, "payments.xlsx" -> as a workbook; null for anything else (the route answers 404). */
export function reportFromPath(segment: string | undefined): { id: ReportId; format: ExportFormat } | null {
  const m = /^([a-z-]+)\.(csv|xlsx)$/.exec(segment ?? "");
  return m && isReportId(m[1]) ? { id: m[1], format: m[2] as ExportFormat } : null;
}

/** "payments.csv" -> "payments"; null for anything else. */
export function reportIdFromPath(segment: string | undefined): ReportId | null {
  const r = reportFromPath(segment);
  return r && r.format === "csv" ? r.id : null;
}

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
 * The export as one COPY statement, or null when it keeps the JavaScript path: on PGlite,
 * for a report or a column without SQL, for a single column (its empty cells are quoted
 * to keep the record, which COPY does not do), for a time zone the server does not know
 * (or a server whose DateStyle is not ISO).
 */
async function copyPlan(p: Prepared): Promise<{ client: Sql; statement: string } | null> {
  const client = replicaSqlClient();
  const run = p.run;
  if (!client || !run.copySelect || p.columns.length < 2) return null;
  const columns = p.columns;
  if (columns.some((c) => c.sql === undefined)) return null;
  const currencySql = "currencySql" in p.report ? p.report.currencySql : null;
  if (columns.some((c) => c.kind === "amount") && !currencySql) return null;
  if (!(await serverCanRender(client, p.options.timeZone))) return null;
  // The report's statement gives the raw values (v0.., the row's currency among them) in
  // its order; they are rendered above it, after its sort: sorting rendered text would
  // sort rows twice as wide (and spill twice as much to disk) for nothing. Each distinct
  // value once: "created" and "created_utc" read the same instant.
  const values: string[] = [];
  const valueOf = (expr: string) => {
    const known = values.indexOf(expr);
    return `x.v${known >= 0 ? known : values.push(expr) - 1}`;
  };
  const currency = columns.some((c) => c.kind === "amount") ? valueOf(currencySql!) : "NULL";
  const o = { timeZone: p.options.timeZone, amounts: p.options.amounts, currency };
  const cells = columns.map((c, i) => {
    const plan = cellPlan(c.kind, c.sql!, o);
    return `${plan.render(plan.values.map(valueOf))} as c${i}`;
  });
  const inner = inlineParams(run.copySelect(values.map((v, i) => `${v} as v${i}`)));
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
  let p: Prepared;
  try {
    p = await prepare(ctx, id, params, now, format);
  } catch (e) {
    if (e instanceof ListFilterError) return { ok: false, field: e.field, message: e.message };
    throw e;
  }
  const batchSize = opts.batchSize ?? EXPORT_BATCH_SIZE;
  const copy = opts.copy === false || format === "xlsx" ? null : await copyPlan(p);

  async function* chunks(): AsyncGenerator<string | Uint8Array, void, undefined> {
    let rowCount = 0;
    let bytes = 0;
    let completed = false;
    let failure: string | null = null;
    try {
      if (format === "xlsx") {
        for await (const chunk of workbookChunks(p, ctx, now, batchSize, (n) => (rowCount += n))) {
          if (signal.aborted) break;
          bytes += chunk.length;
          yield chunk;
          if (signal.aborted) break;
        }
        completed = !signal.aborted;
        return;
      }
      bytes += Buffer.byteLength(p.header);
      yield p.header;
      if (copy !== null) {
        for await (const chunk of copyChunks(copy.client, copy.statement, (records) => (rowCount += records))) {
          if (signal.aborted) break;
          bytes += chunk.length;
          yield chunk;
          if (signal.aborted) break;
        }
      } else {
        // PGlite runs queries on this thread and resolves them as microtasks: without a
        // pause the socket (and gzip's flush, done on libuv's thread pool) would not send
        // the header until the first batch is done. A few milliseconds buys first bytes at once.
        await new Promise((resolve) => setTimeout(resolve, 5));
        for await (const batch of p.run.batches(p.columns, batchSize)) {
          if (signal.aborted) break;
          const text = p.writer.rows(batch.map(p.render));
          rowCount += batch.length;
          bytes += Buffer.byteLength(text);
          yield text;
          if (signal.aborted) break;
        }
      }
      completed = !signal.aborted;
    } catch (e) {
      failure = e instanceof Error ? e.message : String(e);
      throw e;
    } finally {
      opts.onEnd?.({ rows: rowCount, bytes, completed });
      await audit(db(), {
        actor: ctx as AppContext,
        merchantId: ctx.scope.merchantId,
        action: "export.download",
        outcome: completed ? "success" : "failure",
        targetType: "report",
        targetId: p.report.id,
        details: {
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
        },
        client,
      }).catch(() => {
        // The download itself must not fail because its audit row could not be written
        // after the fact (the database closing under a stopped server).
      });
    }
  }

  return { ok: true, format, fileName: p.fileName, body: pullStream(chunks(), signal, opts.waitForClient) };
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
export async function* xlsxChunks(
  writer: XlsxReportWriter,
  batches: AsyncGenerator<RawRow[], void, undefined>,
  counted: (rows: number) => void,
): AsyncGenerator<Uint8Array, void, undefined> {
  let stop = false;
  const producer = (async () => {
    try {
      const first = await batches.next();
      await writer.begin(first.done ? [] : first.value);
      if (!first.done) {
        await writer.rows(first.value);
        counted(first.value.length);
      }
      if (!first.done) {
        for await (const batch of batches) {
          if (stop) return;
          await writer.rows(batch);
          counted(batch.length);
        }
      }
      if (!stop) await writer.finish();
    } catch (e) {
      writer.output.destroy(e instanceof Error ? e : new Error(String(e)));
      throw e;
    } finally {
      await batches.return(undefined);
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
  /** Totals columns in the order their raw values follow the currency in each row's "t" note. */
  totals: number[];
}

/** Characters sheet XML must escape or replace, or a space at either end of the text (a PostgreSQL regex). */
const XML_SPECIAL_OR_EDGE_SPACE = `[&<>"\\\\\\x01-\\x1f\\ufffe\\uffff]|^ | $`;

/** Text as sheet XML character data, in SQL (as xmlText): escaped, control characters replaced, line breaks as references. */
function xmlTextSql(t: string): string {
  const esc = [
    ["&", "&amp;"],
    ["<", "&lt;"],
    [">", "&gt;"],
    ['"', "&quot;"],
    ["E'\\\\'", "&#92;"],
    ["E'\\n'", "&#10;"],
    ["E'\\r'", "&#13;"],
    ["E'\\t'", "&#9;"],
  ];
  let e = `regexp_replace(${t}, '[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f\\ufffe\\uffff]', U&'\\FFFD', 'g')`;
  for (const [from, to] of esc) e = `replace(${e}, ${from!.startsWith("E'") ? from : sqlLiteral(from!)}, ${sqlLiteral(to!)})`;
  return `case when ${t} ~ '[&<>"\\\\\\x01-\\x1f\\ufffe\\uffff]' then ${e} else ${t} end`;
}

/**
 * The workbook's sheet rows as one COPY (FORMAT text) statement, one line per row:
 * `<row r="n">` and its cells as the JavaScript writer makes them (numbers, serial dates,
 * inline strings, the same styles), then XML comments for Node: the raw values of the
 * totals columns ("t", every row) and the measured widths ("w", the first 200 rows), which
 * are read and removed before the zip. Null (keeps the cursor path) where COPY cannot.
 */
async function workbookCopyPlan(p: Prepared, writer: XlsxReportWriter): Promise<WorkbookCopy | null> {
  const client = replicaSqlClient();
  const run = p.run;
  if (!client || !run.copySelect) return null;
  const columns = p.columns;
  if (columns.some((c) => c.sql === undefined)) return null;
  const currencySql = "currencySql" in p.report ? p.report.currencySql : null;
  if (columns.some((c) => c.kind === "amount") && !currencySql) return null;
  if (!(await serverCanRender(client, p.options.timeZone))) return null;
  const values: string[] = [];
  const valueOf = (expr: string) => {
    const known = values.indexOf(expr);
    return `x.v${known >= 0 ? known : values.push(expr) - 1}`;
  };
  const currency = currencySql ? valueOf(currencySql) : "NULL";
  const zone = sqlLiteral(p.options.timeZone);
  const styles = writer.styleIds();
  const byExponent = new Map<number, string[]>();
  for (const c of Object.values(CURRENCIES)) byExponent.set(c.exponent, [...(byExponent.get(c.exponent) ?? []), c.code]);
  const amountStyle = `case ${[...byExponent].filter(([e]) => e !== 0).map(([e, codes]) => `when ${currency} in (${codes.map(sqlLiteral).join(", ")}) then '${styles.amount(e)}'`).join(" ")} else '${styles.amount(0)}' end`;
  const letters = columns.map((_, i) => columnLetter(i));
  const cell = (i: number, attrs: string, inner: string) => `'<c r="${letters[i]}' || x.rn || '"${attrs}>' || ${inner} || '</c>'`;
  const numberCell = (i: number, style: string, v: string) => cell(i, ` s="' || ${style} || '"`, `'<v>' || ${v} || '</v>'`);
  // One regex per text cell: text with nothing to escape and no space at either end (nearly
  // all of it) is written as it is; the rest takes the escaping path, with xml:space="preserve"
  // where a space or control character starts or ends it.
  const stringCell = (i: number, t: string) =>
    `case when coalesce(${t}, '') = '' then '' when ${t} ~ '${XML_SPECIAL_OR_EDGE_SPACE}' then '<c r="${letters[i]}' || x.rn || '" t="inlineStr"><is><t' || case when ascii(${t}) <= 32 or ascii(right(${t}, 1)) <= 32 then ' xml:space="preserve"' else '' end || '>' || ${xmlTextSql(t)} || '</t></is></c>' else '<c r="${letters[i]}' || x.rn || '" t="inlineStr"><is><t>' || ${t} || '</t></is></c>' end`;
  const xml: string[] = [];
  const lengths: string[] = [];
  columns.forEach((c, i) => {
    const sql = c.sql!;
    switch (c.kind) {
      case "amount": {
        const v = valueOf(sql);
        const text = p.options.amounts === "minor" ? `${v}::text` : cellSql("amount", v, { timeZone: p.options.timeZone, amounts: "major", currency });
        xml.push(`case when ${v} is null then '' else ${numberCell(i, amountStyle, text)} end`);
        lengths.push(`coalesce(length(abs(${v})::text), -1)`);
        break;
      }
      case "integer": {
        const v = valueOf(sql);
        xml.push(`case when ${v} is null then '' else ${numberCell(i, `'${styles.integer}'`, `${v}::text`)} end`);
        lengths.push(`case when ${v} is null then -1 else 0 end`);
        break;
      }
      case "local":
      case "utc": {
        const wall = valueOf(`(${sql}) at time zone ${c.kind === "local" ? zone : "'UTC'"}`);
        // excelSerial in double precision, exactly as JavaScript computes it: (wall ms - Excel's epoch ms) / ms a day
        // (date_part is double precision, extract numeric: several times slower over a million rows.)
        xml.push(`case when ${wall} is null then '' else ${numberCell(i, `'${styles.dateTime}'`, `((round(date_part('epoch', date_trunc('milliseconds', ${wall})) * 1000) + 2209161600000) / 86400000)::text`)} end`);
        lengths.push(`case when ${wall} is null then -1 else 0 end`);
        break;
      }
      case "date": {
        const v = valueOf(sql);
        xml.push(`case when ${v} is null then '' else ${numberCell(i, `'${styles.date}'`, `(${v}::date - date '1899-12-30')::text`)} end`);
        lengths.push(`case when ${v} is null then -1 else 0 end`);
        break;
      }
      case "jalali":
      case "jalali_date": {
        const plan = cellPlan(c.kind, sql, { timeZone: p.options.timeZone, amounts: p.options.amounts, currency });
        const refs = plan.values.map(valueOf);
        xml.push(`case when ${refs[0]} is null then '' else ${stringCell(i, `(${plan.render(refs)})`)} end`);
        lengths.push(`case when ${refs[0]} is null then -1 else 0 end`);
        break;
      }
      default: {
        const v = valueOf(sql);
        xml.push(stringCell(i, `(${v})::text`));
        lengths.push(`coalesce(length((${v})::text), -1)`);
      }
    }
  });
  const totals = [...writer.totalColumnIndexes];
  const totalNote = totals.length
    ? ` || '<!--t ' || coalesce(${currency}, '') || ${totals.map((i) => `' ' || coalesce((${valueOf(columns[i]!.sql!)})::text, '')`).join(" || ")} || '-->'`
    : "";
  const widthNote = ` || case when length(x.rn) <= 3 and x.rn::int <= ${WIDTH_SAMPLE + 1} then '<!--w ' || coalesce(${currency}, '') || ' ' || concat_ws(',', ${lengths.join(", ")}) || '-->' else '' end`;
  const inner = inlineParams(run.copySelect(values.map((v, i) => `${v} as v${i}`)));
  if (inner === null) return null;
  const line = `'<row r="' || x.rn || '">' || ${xml.join(" || ")} || '</row>'${totalNote}${widthNote}`;
  const statement = `COPY (select ${line}\nfrom (select x.*, (row_number() over () + 1)::text as rn from (${inner}) x) x) TO STDOUT`;
  return { client, statement, totals };
}

/** Rows measured for the column widths (as the cursor path's first batch sample). */
const WIDTH_SAMPLE = 200;

const NOTE_OPEN = Buffer.from("<!--");
const NOTE_CLOSE = Buffer.from("-->");
const SPACE = 0x20;
const COMMA = 0x2c;
const MINUS = 0x2d;
const LF = 0x0a;
/** A running sum in a double stays exact below 2^53: flushed into the exact (bigint) total well before. */
const FLUSH_AT = 2 ** 52;

/**
 * Sums of the totals columns per currency, read from the rows' "t" notes as bytes: digits
 * summed in doubles while they are exact, flushed into the writer's exact totals.
 */
export class NoteTotals {
  private readonly sums = new Map<string, Float64Array>();
  constructor(
    private readonly writer: Pick<XlsxReportWriter, "total">,
    private readonly columns: readonly number[],
  ) {}

  /** The values of one "t" note: `buf[from..to)` is "<v> <v> ..." (an empty value is a NULL). */
  add(currency: string, buf: Buffer, from: number, to: number): void {
    let sums = this.sums.get(currency);
    if (!sums) this.sums.set(currency, (sums = new Float64Array(this.columns.length)));
    let j = 0;
    let at = from;
    while (j < this.columns.length && at <= to) {
      let end = buf.indexOf(SPACE, at);
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

/**
 * One chunk of whole sheet rows as they came from the server: the rows counted, the notes
 * read (totals summed, widths sampled) and cut out, the XML left as bytes (no decoding to a
 * string and back: a million rows are half a gigabyte of XML).
 */
export function takeSheetRows(
  chunk: Buffer,
  totals: { add(currency: string, buf: Buffer, from: number, to: number): void },
  widths: (currency: string, lengths: number[]) => void,
): { xml: Buffer; rows: number } {
  let rows = 0;
  for (let at = chunk.indexOf(LF); at >= 0; at = chunk.indexOf(LF, at + 1)) rows++;
  let at = chunk.indexOf(NOTE_OPEN);
  if (at < 0) return { xml: chunk, rows };
  const out = Buffer.allocUnsafe(chunk.length);
  let o = 0;
  let from = 0;
  while (at >= 0) {
    o += chunk.copy(out, o, from, at);
    const close = chunk.indexOf(NOTE_CLOSE, at + 4);
    // "<!--t USD 1 2 3-->" or "<!--w USD 12,0,-1-->"
    const kind = chunk[at + 4];
    const curFrom = at + 6;
    let curTo = chunk.indexOf(SPACE, curFrom);
    if (curTo < 0 || curTo > close) curTo = close;
    const currency = curTo > curFrom ? chunk.toString("latin1", curFrom, curTo) : "";
    if (kind === 0x74) totals.add(currency, chunk, curTo + 1, close);
    else {
      const lengths: number[] = [];
      for (const v of chunk.toString("latin1", curTo + 1, close).split(String.fromCharCode(COMMA))) lengths.push(Number(v));
      widths(currency, lengths);
    }
    from = close + 3;
    at = chunk.indexOf(NOTE_OPEN, from);
  }
  o += chunk.copy(out, o, from);
  return { xml: out.subarray(0, o), rows };
}

/** The workbook's bytes from a COPY of sheet rows; stopping early cancels the COPY (copyRawChunks). */
async function* copyWorkbookChunks(writer: XlsxReportWriter, plan: WorkbookCopy, counted: (rows: number) => void): AsyncGenerator<Uint8Array, void, undefined> {
  let stop = false;
  const producer = (async () => {
    const source = copyRawChunks(plan.client, plan.statement, () => {});
    let carry: Buffer | null = null;
    let begun = false;
    const held: { xml: Buffer; rows: number }[] = [];
    const samples: { currency: string; lengths: number[] }[] = [];
    const totals = new NoteTotals(writer, plan.totals);
    const sample = (currency: string, lengths: number[]) => {
      if (samples.length < WIDTH_SAMPLE) samples.push({ currency, lengths });
    };
    const take = async (bytes: Buffer) => {
      const { xml, rows } = takeSheetRows(bytes, totals, sample);
      if (rows === 0) return;
      counted(rows);
      if (!begun) {
        // Copied: the chunk's memory is the stream's, and these wait for the widths.
        held.push({ xml: Buffer.from(xml), rows });
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
  try {
      for await (const chunk of source) {
        if (stop) return;
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
      if (!stop) await writer.finish();
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
  try {
    await prepare(ctx, id, params, now);
    return null;
  } catch (e) {
    if (e instanceof ListFilterError) return { field: e.field, message: e.message };
    throw e;
  }
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
  let p: Prepared;
  try {
    p = await prepare(ctx, id, params, now);
  } catch (e) {
    if (e instanceof ListFilterError) return { ok: false, field: e.field, message: e.message };
    throw e;
  }
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
