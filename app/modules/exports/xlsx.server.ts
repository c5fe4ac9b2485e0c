/**
 * Excel workbooks of a report, streamed.
 *
 *   raw rows (the same batches as the CSV) -> <row> XML per batch
 *     -> the worksheet entry of exceljs's streaming WorkbookWriter (stream.xlsx.WorkbookWriter)
 *     -> its zip (archiver, deflate) -> output PassThrough -> the response
 *
 * exceljs writes the package: content types, workbook, styles, the sheet's views (frozen
 * bold header, right to left for Persian readers), column widths and autofilter, the
 * header row. The data rows are written here, straight into the worksheet's zip entry:
 * exceljs's per-cell models (a Row and Cell object, a style lookup and an XML writer call
 * per cell) ran at about 11,000 rows/s, a tenth of the CSV's; the same cells as XML text
 * run several times faster. The worksheet's stream is a plain PassThrough (WorkbookWriter
 * gives each sheet a StreamBuf that accepts every write at once) so that a slow client
 * pauses the zip, the zip pauses this writer, and this writer pauses the database reads:
 * memory stays as flat as the CSV's. On PostgreSQL the rows come instead from one COPY of
 * the cells' values, written into sheet XML as bytes (sheet-rows.ts, rawRows below).
 *
 * Cells, by column kind (the same raw values the CSV renders):
 *   amount       a number in major units (or minor, with amounts=minor), formatted with
 *                the currency's decimals ("#,##0.00", "#,##0" for IRR)
 *   integer      a number
 *   local / utc  a date cell: the wall-clock time in the report's zone (or UTC), to the
 *                second, "yyyy-mm-dd hh:mm:ss" (spreadsheets have no time zones: the header
 *                names the zone, as in the CSV)
 *   date         a date cell, "yyyy-mm-dd"
 *   jalali*      text ("1404/01/01 14:05:09"): no spreadsheet program has a Jalali date cell
 *                that the others read
 *   text         an inline string, exactly as typed: a text cell is never evaluated, so
 *                no formula guard (') is needed or added
 * A totals row under the data sums the columns that add up (ColumnSpec.total), per
 * currency, as a live SUBTOTAL/SUMIF formula with its value cached for readers that do
 * not recalculate.
 */
import { PassThrough } from "node:stream";
import ExcelJS from "exceljs";
import { translate } from "~/lib/i18n/translate";
import { CURRENCIES, isCurrencyCode } from "~/lib/money";
import { jalaliWallClock, jalaliDayFormatter, rawAmount, rawDay, rawInstant, rawText, type ColumnKind, type RawRow } from "./definition";
import { formatAmount, localWallClock, type AmountFormat } from "./format";

export interface XlsxColumn {
  header: string;
  kind: ColumnKind;
  total?: boolean;
}

export interface XlsxOptions {
  timeZone: string;
  amounts: AmountFormat;
  rightToLeft: boolean;
  /** The reader's language: the totals row's label ("Total", "جمع"); the header keeps the columns' machine names, as in the CSV. */
  locale?: string;
  sheetName: string;
  /** Document properties. */
  title: string;
  creator: string;
  /** The time the workbook says it was made (injected in tests). */
  now: Date;
}

export const XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const MS_PER_DAY = 86_400_000;
/** Excel's day 0 (1899-12-30, the 1900 system with its leap-year bug) as Unix milliseconds. */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

/** A wall-clock time (milliseconds read as UTC) as an Excel serial date. */
export function excelSerial(wallMs: number): number {
  return (wallMs - EXCEL_EPOCH_MS) / MS_PER_DAY;
}

/** Characters XML 1.0 cannot hold (C0 controls but tab, LF, CR; lone surrogates; U+FFFE/F). */
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const XML_SPECIAL = /[&<>"]/;
const EDGE_SPACE = /^\s|\s$|[\r\n\t]/;

/** Text as XML character data: escaped, and characters XML cannot carry replaced by U+FFFD. */
export function xmlText(s: string): string {
  let out = s;
  INVALID_XML.lastIndex = 0;
  if (INVALID_XML.test(out)) {
    INVALID_XML.lastIndex = 0;
    out = out.replace(INVALID_XML, "\uFFFD");
  }
  if (!XML_SPECIAL.test(out)) return out;
  return out.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** 0 -> "A", 25 -> "Z", 26 -> "AA". */
export function columnLetter(index: number): string {
  let n = index + 1;
  let s = "";
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

function exponentOf(currency: string): number {
  return isCurrencyCode(currency) ? CURRENCIES[currency].exponent : 0;
}

function amountFormat(exponent: number): string {
  return exponent === 0 ? "#,##0" : `#,##0.${"0".repeat(exponent)}`;
}

/** The largest integer a spreadsheet's double holds exactly: beyond it an amount is written as exact text. */
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

interface Totals {
  /** Per currency, per column index: the exact sum in minor units (amounts) or the count. */
  byCurrency: Map<string, Map<number, bigint>>;
}

/** The width of a date-time (19) or date (10) cell, whatever its value. */
const FIXED_WIDTHS: Partial<Record<ColumnKind, number>> = { local: 19, utc: 19, jalali: 19, date: 10, jalali_date: 10 };

/**
 * One report written as a workbook of one sheet. `output` carries the file's bytes;
 * begin() (with the first rows, to size the columns), rows() for each batch (resolves
 * once the zip has taken them: await it before reading the next batch), finish().
 */
export class XlsxReportWriter {
  readonly output = new PassThrough({ highWaterMark: 256 * 1024 });
  private readonly wb: ExcelJS.stream.xlsx.WorkbookWriter;
  private ws!: ExcelJS.Worksheet & { stream: PassThrough; _rowZero: number };
  private sheet!: PassThrough;
  private nextRow = 2;
  private stopped = false;
  private readonly letters: string[];
  private readonly styles: { header: number; dateTime: number; date: number; integer: number; amount: Map<number, number>; totalLabel: number; totalAmount: Map<number, number>; totalInteger: number };
  private readonly totals: Totals = { byCurrency: new Map() };
  private readonly totalColumns: number[];
  private readonly cells: ((row: RawRow, ref: string) => string)[];

  constructor(
    private readonly columns: readonly XlsxColumn[],
    private readonly opts: XlsxOptions,
  ) {
    let sheetStream: PassThrough | null = null;
    // Each worksheet's zip entry as a PassThrough with backpressure instead of exceljs's
    // StreamBuf (which takes every write at once, so nothing would ever slow the writer down).
    class Writer extends ExcelJS.stream.xlsx.WorkbookWriter {
      _openStream(path: string) {
        const stream = new PassThrough({ highWaterMark: 1024 * 1024 });
        // exceljs writes its own XML as StringBuf objects.
        const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
        (stream as unknown as { write: typeof write }).write = (chunk: unknown, ...rest: unknown[]) =>
          write(chunk !== null && typeof chunk === "object" && "toBuffer" in chunk ? (chunk as { toBuffer(): Buffer }).toBuffer() : chunk, ...rest);
        (this as unknown as { zip: { append(s: unknown, o: unknown): void } }).zip.append(stream, { name: path });
        stream.on("finish", () => stream.emit("zipped"));
        if (path.includes("worksheets/sheet")) sheetStream = stream;
        return stream;
      }
    }
    this.wb = new Writer({ stream: this.output, useStyles: true, useSharedStrings: false, zip: { zlib: { level: 1 } } } as never);
    this.wb.creator = opts.creator;
    this.wb.title = opts.title;
    this.wb.created = opts.now;
    this.wb.modified = opts.now;
    this.letters = columns.map((_, i) => columnLetter(i));
    const styles = (this.wb as unknown as { styles: { addStyleModel(model: unknown, type?: number): number } }).styles;
    const add = (model: Record<string, unknown>) => styles.addStyleModel(model, ExcelJS.ValueType.Number);
    this.styles = {
      header: add({ font: { bold: true } }),
      dateTime: add({ numFmt: "yyyy-mm-dd hh:mm:ss" }),
      date: add({ numFmt: "yyyy-mm-dd" }),
      integer: add({ numFmt: "0" }),
      amount: new Map(),
      totalLabel: add({ font: { bold: true } }),
      totalAmount: new Map(),
      totalInteger: add({ numFmt: "0", font: { bold: true } }),
    };
    const amountStyle = (exp: number, total: boolean) => {
      const map = total ? this.styles.totalAmount : this.styles.amount;
      let id = map.get(exp);
      if (id === undefined) {
        const numFmt = opts.amounts === "minor" ? "#,##0" : amountFormat(exp);
        id = add(total ? { numFmt, font: { bold: true } } : { numFmt });
        map.set(exp, id);
      }
      return id;
    };
    this.amountStyle = amountStyle;
    this.totalColumns = columns.flatMap((c, i) => (c.total && (c.kind === "amount" || c.kind === "integer") ? [i] : []));
    this.cells = this.cellWriters();
    this.sheetStreamOf = () => sheetStream;
  }

  private amountStyle: (exp: number, total: boolean) => number;
  private sheetStreamOf: () => PassThrough | null;

  private cellWriters(): ((row: RawRow, ref: string) => string)[] {
    const wall = localWallClock(this.opts.timeZone);
    const utc = localWallClock("UTC");
    const localText = (d: Date) => {
      const ms = wall(d);
      const x = new Date(ms);
      const p = (n: number, w = 2) => String(n).padStart(w, "0");
      return `${p(x.getUTCFullYear(), 4)}-${p(x.getUTCMonth() + 1)}-${p(x.getUTCDate())} ${p(x.getUTCHours())}:${p(x.getUTCMinutes())}:${p(x.getUTCSeconds())}`;
    };
    const jalaliWall = jalaliWallClock(localText);
    const jalaliDay = jalaliDayFormatter();
    const s = this.styles;
    const minor = this.opts.amounts === "minor";
    // xml:space="preserve" only where spaces at either end (or a line break) would otherwise be trimmed.
    const str = (ref: string, text: string) =>
      EDGE_SPACE.test(text)
        ? `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${xmlText(text)}</t></is></c>`
        : `<c r="${ref}" t="inlineStr"><is><t>${xmlText(text)}</t></is></c>`;
    return this.columns.map((col, i): ((row: RawRow, ref: string) => string) => {
      const total = this.totalColumns.includes(i);
      switch (col.kind) {
        case "amount":
          return (row, ref) => {
            const raw = row.cells[i];
            if (raw === null || raw === undefined || raw === "") return "";
            const exp = exponentOf(row.currency);
            const style = this.amountStyle(exp, false);
            // Amounts come from SQL as text: short ones (the usual) become a number directly.
            if (!total && typeof raw === "string" && raw.length < 16) {
              const n = Number(raw);
              return `<c r="${ref}" s="${style}"><v>${minor || exp === 0 ? n : n / 10 ** exp}</v></c>`;
            }
            const v = rawAmount(raw)!;
            if (total) this.addTotal(row.currency, i, v);
            if (v > SAFE || v < -SAFE) return str(ref, formatAmount(v, row.currency, this.opts.amounts));
            const n = minor || exp === 0 ? Number(v) : Number(v) / 10 ** exp;
            return `<c r="${ref}" s="${style}"><v>${n}</v></c>`;
          };
        case "integer":
          return (row, ref) => {
            const v = row.cells[i];
            if (v === null || v === undefined || v === "") return "";
            if (total) this.addTotal(row.currency, i, BigInt(String(v)));
            return `<c r="${ref}" s="${s.integer}"><v>${String(v)}</v></c>`;
          };
        case "local":
        case "utc": {
          const clock = col.kind === "local" ? wall : utc;
          return (row, ref) => {
            const v = rawInstant(row.cells[i]);
            if (v === null) return "";
            return `<c r="${ref}" s="${s.dateTime}"><v>${excelSerial(clock(v))}</v></c>`;
          };
        }
        case "date":
          return (row, ref) => {
            const v = rawDay(row.cells[i]);
            if (v === null) return "";
            const ms = Date.parse(`${v}T00:00:00Z`);
            return Number.isNaN(ms) ? str(ref, v) : `<c r="${ref}" s="${s.date}"><v>${excelSerial(ms)}</v></c>`;
          };
        case "jalali":
          return (row, ref) => {
            const v = rawInstant(row.cells[i]);
            return v === null ? "" : str(ref, jalaliWall(v));
          };
        case "jalali_date":
          return (row, ref) => {
            const v = rawDay(row.cells[i]);
            return v === null ? "" : str(ref, jalaliDay(v));
          };
        default:
          return (row, ref) => {
            const v = rawText(row.cells[i]);
            return v === null || v === "" ? "" : str(ref, v);
          };
      }
    });
  }

  private addTotal(currency: string, column: number, v: bigint): void {
    let sums = this.totals.byCurrency.get(currency);
    if (!sums) this.totals.byCurrency.set(currency, (sums = new Map()));
    sums.set(column, (sums.get(column) ?? 0n) + v);
  }

  /**
   * Column widths from the header and the first rows' text (dates and amounts by their
   * format): the rows measured as the COPY path's server measures them (widthsFromLengths).
   */
  private widths(sample: readonly RawRow[]): number[] {
    return this.widthsFromLengths(
      sample.map((row) => ({
        currency: row.currency,
        lengths: this.columns.map((col, i) => {
          const v = row.cells[i];
          if (v === null || v === undefined || v === "") return -1;
          if (FIXED_WIDTHS[col.kind] !== undefined) return 0;
          if (col.kind === "amount") {
            const a = rawAmount(v)!;
            return (a < 0n ? -a : a).toString().length;
          }
          return String(rawText(v)).length;
        }),
      })),
    );
  }

  /**
   * Column widths from the header and the first rows, as measured (by the server on the
   * COPY path): per row its currency and, per column, the text's length (the amount's
   * digits), 0 for a cell of fixed width, -1 for an empty one.
   */
  widthsFromLengths(samples: readonly { currency: string; lengths: readonly number[] }[]): number[] {
    return this.columns.map((col, i) => {
      let width = col.header.length;
      for (const row of samples) {
        const n = row.lengths[i] ?? -1;
        if (n < 0) continue;
        let len = FIXED_WIDTHS[col.kind];
        if (len === undefined && col.kind === "amount") {
          const digits = Math.max(n, 1);
          // Digits, thousands separators, sign and decimal point; totals can be a few digits longer.
          len = digits + Math.floor((digits - 1) / 3) + 4;
          if (exponentOf(row.currency) === 0 || this.opts.amounts === "minor") len -= 1;
        } else if (len === undefined) len = Math.min(n, 60);
        if (len > width) width = len;
      }
      return Math.min(Math.max(width + 2, 8), 62);
    });
  }

  /** The style ids the sheet's cells use (the COPY path writes them into its XML). */
  styleIds(): { dateTime: number; date: number; integer: number; amount: (exponent: number) => number } {
    return { dateTime: this.styles.dateTime, date: this.styles.date, integer: this.styles.integer, amount: (exp) => this.amountStyle(exp, false) };
  }

  /** The columns whose sums make the totals row. */
  get totalColumnIndexes(): readonly number[] {
    return this.totalColumns;
  }

  /** Adds to a totals row's exact sum (the COPY path reads the values from its rows). */
  total(currency: string, column: number, v: bigint): void {
    this.addTotal(currency, column, v);
  }

  /** Rows the server wrote as sheet XML (`rows` of them); resolves when the zip can take more. */
  async rawRows(xml: Buffer, rows: number): Promise<void> {
    if (this.stopped || rows === 0) return;
    this.nextRow += rows;
    if (!this.sheet.write(xml)) await this.drained();
  }

  /** The sheet, its header row and column widths; `sample` is the first batch (may be empty). */
  async begin(sample: readonly RawRow[]): Promise<void> {
    await this.beginWithWidths(this.widths(sample));
  }

  async beginWithWidths(widths: number[]): Promise<void> {
    const ws = this.wb.addWorksheet(this.opts.sheetName.slice(0, 31), {
      views: [{ state: "frozen", ySplit: 1, xSplit: 0, rightToLeft: this.opts.rightToLeft, activeCell: "A2" }],
      properties: { defaultRowHeight: 15 },
    }) as unknown as XlsxReportWriter["ws"];
    ws.columns = this.columns.map((c, i) => ({ key: `c${i}`, width: widths[i] }));
    const header = ws.getRow(1);
    this.columns.forEach((c, i) => {
      const cell = header.getCell(i + 1);
      cell.value = c.header;
      cell.font = { bold: true };
    });
    header.commit();
    this.ws = ws;
    this.sheet = this.sheetStreamOf()!;
  }

  /** Writes a batch; resolves when the zip can take more (the caller then reads the next batch). */
  async rows(batch: readonly RawRow[]): Promise<void> {
    if (this.stopped || batch.length === 0) return;
    const cells = this.cells;
    const letters = this.letters;
    const out: string[] = new Array(batch.length);
    for (let k = 0; k < batch.length; k++) {
      const row = batch[k]!;
      const r = this.nextRow++;
      let xml = `<row r="${r}">`;
      for (let i = 0; i < cells.length; i++) xml += cells[i]!(row, letters[i]! + r);
      out[k] = xml + "</row>";
    }
    if (!this.sheet.write(Buffer.from(out.join(""), "utf8"))) await this.drained();
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.sheet.off("drain", done);
        this.sheet.off("close", done);
        this.output.off("close", done);
        resolve();
      };
      this.sheet.on("drain", done);
      this.sheet.on("close", done);
      this.output.on("close", done);
    });
  }

  /** Totals rows (one per currency), then the rest of the package; resolves when the zip is complete. */
  async finish(): Promise<void> {
    if (this.stopped) return;
    const lastData = this.nextRow - 1;
    if (this.totalColumns.length > 0 && lastData >= 2) {
      const currencyCol = this.columns.findIndex((c) => c.header === "currency");
      const currencies = [...this.totals.byCurrency.keys()].sort();
      let xml = "";
      for (const currency of currencies) {
        const r = this.nextRow++;
        const sums = this.totals.byCurrency.get(currency)!;
        const labelAt = this.columns.findIndex((_, i) => !this.totalColumns.includes(i));
        xml += `<row r="${r}">`;
        for (let i = 0; i < this.columns.length; i++) {
          const ref = `${this.letters[i]}${r}`;
          if (i === labelAt) {
            const locale = this.opts.locale ?? "en";
            const label = currencies.length > 1 && currency !== "" ? translate(locale, "exports.totalRowCurrency", { currency }) : translate(locale, "exports.totalRow");
            xml += `<c r="${ref}" s="${this.styles.totalLabel}" t="inlineStr"><is><t>${xmlText(label)}</t></is></c>`;
          } else if (i === currencyCol && currency !== "") {
            xml += `<c r="${ref}" s="${this.styles.totalLabel}" t="inlineStr"><is><t>${xmlText(currency)}</t></is></c>`;
          } else if (this.totalColumns.includes(i)) {
            const v = sums.get(i) ?? 0n;
            const L = this.letters[i]!;
            const range = `${L}2:${L}${lastData}`;
            // One currency: SUBTOTAL(9, ...) (follows the autofilter); several: SUMIF on the currency column.
            const formula =
              currencies.length === 1 || currencyCol < 0
                ? `SUBTOTAL(9,${range})`
                : `SUMIF(${this.letters[currencyCol]}2:${this.letters[currencyCol]}${lastData},"${currency}",${range})`;
            const kind = this.columns[i]!.kind;
            const exp = exponentOf(currency);
            const value = kind === "integer" || this.opts.amounts === "minor" || exp === 0 ? Number(v) : Number(v) / 10 ** exp;
            const style = kind === "integer" ? this.styles.totalInteger : this.amountStyle(exp, true);
            const f = currencies.length > 1 && currencyCol < 0 ? "" : `<f>${xmlText(formula)}</f>`;
            xml += `<c r="${ref}" s="${style}">${f}<v>${value}</v></c>`;
          }
        }
        xml += "</row>";
      }
      if (!this.sheet.write(xml)) await this.drained();
    }
    // The header row was row 1 through exceljs; it writes nothing more in sheetData.
    this.ws._rowZero = this.nextRow;
    (this.ws as unknown as { autoFilter: string }).autoFilter = `A1:${this.letters[this.letters.length - 1]}${Math.max(lastData, 1)}`;
    this.ws.commit();
    await this.wb.commit();
  }

  /** Stops writing (the download was cancelled): the output ends without a complete file. */
  stop(): void {
    this.stopped = true;
    this.sheet?.destroy();
    this.output.destroy();
    (this.wb as unknown as { zip: { abort(): void } }).zip.abort();
  }
}
