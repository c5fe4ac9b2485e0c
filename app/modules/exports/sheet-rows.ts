/**
 * Sheet XML from the values a COPY sends, as bytes.
 *
 * The workbook's COPY path (export.server.ts, workbookCopyPlan) has PostgreSQL render each
 * cell's value as the CSV does (serial dates, amounts in the currency's decimals, text as
 * stored) and send the row as COPY's text format: tab-separated fields, `\N` for NULL,
 * backslash, tab, line feed and carriage return escaped. This module wraps each field in its
 * column's cell markup, byte by byte, with the markup encoded once: the server no longer
 * builds a string of a hundred pieces per row (its expression evaluation was most of the
 * export's CPU), and Node does not decode or encode anything but the rare text that needs
 * escaping.
 *
 * A line is: [the amounts' style id] the currency, the totals columns' raw values (minor
 * units or counts, "" for none), the width sample (lengths joined by "," on the first rows,
 * else NULL), then one field per column. Cells carry their `r` reference only where the
 * previous cell of the row was left out (an empty value) or they open the row: a cell
 * without `r` is the one after the previous (ECMA-376 18.3.1.4), and the bytes, the deflate
 * and the CRC shrink by a fifth.
 */

export type SheetField =
  /** A number with a fixed style (integers, date-times, dates). */
  | { kind: "number"; style: number }
  /** A number styled by the row's currency (the line's first field). */
  | { kind: "amount" }
  /** Text: an inline string, escaped for XML where it has to be. */
  | { kind: "text" };

export interface SheetLayout {
  fields: readonly SheetField[];
  /** Column letters ("A", "B", ...), one per field. */
  letters: readonly string[];
  /** Whether the line starts with the amounts' style id (the report has amount columns). */
  amountStyle: boolean;
  /** How many totals values follow the currency. */
  totals: number;
}

export interface SheetSinks {
  /** The totals values of one row: `buf[from..to)` is "<v>\t<v>..." ("" for none). */
  totals(currency: string, buf: Buffer, from: number, to: number): void;
  /** The lengths of one of the first rows (as the writer's widthsFromLengths takes them). */
  widths(currency: string, lengths: number[]): void;
}

const TAB = 0x09;
const LF = 0x0a;
const BACKSLASH = 0x5c;

const enc = (s: string) => Buffer.from(s, "latin1");
const ROW_OPEN = enc('<row r="');
const ROW_OPEN_END = enc('">');
const ROW_CLOSE = enc("</row>");
const CELL = enc("<c");
const REF = enc(' r="');
const QUOTE = enc('"');
const STYLE_OPEN = enc(' s="');
const NUMBER_OPEN = enc('"><v>');
const NUMBER_CLOSE = enc("</v></c>");
const TEXT_OPEN = enc(' t="inlineStr"><is><t>');
const TEXT_OPEN_PRESERVE = enc(' t="inlineStr"><is><t xml:space="preserve">');
const TEXT_CLOSE = enc("</t></is></c>");

/** Whether a byte of text makes the slow path necessary: XML's specials, control characters, COPY's backslash, and 0xEF (U+FFFE/U+FFFF start with it). */
const SPECIAL = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) SPECIAL[b] = 1;
for (const c of "&<>\"\\") SPECIAL[c.charCodeAt(0)] = 1;
SPECIAL[0xef] = 1;

/** COPY's text-format escapes (PostgreSQL's CopyAttributeOutText). */
const COPY_ESCAPES: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\" };

/** Text as sheet XML character data (as xmlText, with line breaks and tabs as character references, which no reader trims). */
// eslint-disable-next-line no-control-regex
const XML_REPLACE = /[&<>"\n\r\t]|[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const XML_REPLACEMENT: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;" };

export function sheetXmlText(s: string): string {
  return s.replace(XML_REPLACE, (c) => XML_REPLACEMENT[c] ?? "\uFFFD");
}

/**
 * Turns chunks of whole COPY lines into sheet rows. Rows are numbered from `firstRow`
 * (2: the header is row 1) on, across chunks.
 */
export class SheetRowWriter {
  private row: number;
  private readonly letters: Uint8Array[];
  private readonly kinds: Uint8Array;
  private readonly styles: Uint8Array[];
  private out: Buffer = Buffer.allocUnsafe(0);
  private o = 0;
  private lastCurrency = "";
  private lastCurrencyBytes: Buffer = Buffer.alloc(0);

  constructor(
    private readonly layout: SheetLayout,
    private readonly sinks: SheetSinks,
    firstRow = 2,
  ) {
    this.row = firstRow;
    this.letters = layout.letters.map(enc);
    this.kinds = Uint8Array.from(layout.fields.map((f) => (f.kind === "number" ? 0 : f.kind === "amount" ? 1 : 2)));
    this.styles = layout.fields.map((f) => enc(f.kind === "number" ? String(f.style) : ""));
  }

  /** The next row's number. */
  get nextRow(): number {
    return this.row;
  }

  private put(bytes: Uint8Array): void {
    const out = this.out;
    let o = this.o;
    for (let k = 0; k < bytes.length; k++) out[o++] = bytes[k]!;
    this.o = o;
  }

  private putRange(src: Buffer, from: number, to: number): void {
    const out = this.out;
    let o = this.o;
    for (let k = from; k < to; k++) out[o++] = src[k]!;
    this.o = o;
  }

  private putDigits(n: number): void {
    const s = String(n);
    const out = this.out;
    let o = this.o;
    for (let k = 0; k < s.length; k++) out[o++] = s.charCodeAt(k);
    this.o = o;
  }

  private ensure(bytes: number): void {
    if (this.o + bytes <= this.out.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.o + bytes));
    this.out.copy(bigger, 0, 0, this.o);
    this.out = bigger;
  }

  private currencyOf(buf: Buffer, from: number, to: number): string {
    const last = this.lastCurrencyBytes;
    if (to - from === last.length) {
      let same = true;
      for (let k = 0; k < last.length; k++) {
        if (buf[from + k] !== last[k]) {
          same = false;
          break;
        }
      }
      if (same) return this.lastCurrency;
    }
    this.lastCurrencyBytes = Buffer.from(buf.subarray(from, to));
    this.lastCurrency = buf.toString("utf8", from, to);
    return this.lastCurrency;
  }

  /** Whole lines (each ending in LF) as sheet rows. */
  write(chunk: Buffer): { xml: Buffer; rows: number } {
    this.out = Buffer.allocUnsafe(chunk.length * 4 + 4096);
    this.o = 0;
    let rows = 0;
    const { amountStyle, totals } = this.layout;
    const kinds = this.kinds;
    const n = kinds.length;
    let p = 0;
    while (p < chunk.length) {
      const end = chunk.indexOf(LF, p);
      if (end < 0) break;
      // Worst case: every byte escaped (6 bytes for one) plus the markup of every cell.
      this.ensure((end - p) * 6 + 64 + n * 64);
      // Leading fields.
      let styleFrom = 0;
      let styleTo = 0;
      if (amountStyle) {
        styleFrom = p;
        styleTo = chunk.indexOf(TAB, p);
        p = styleTo + 1;
      }
      const curTo = chunk.indexOf(TAB, p);
      const currency = this.currencyOf(chunk, p, curTo);
      p = curTo + 1;
      if (totals > 0) {
        let t = p;
        for (let k = 0; k < totals; k++) t = chunk.indexOf(TAB, t) + 1;
        this.sinks.totals(currency, chunk, p, t - 1);
        p = t;
      }
      const widthTo = chunk.indexOf(TAB, p);
      if (!(widthTo - p === 2 && chunk[p] === BACKSLASH && chunk[p + 1] === 0x4e)) {
        this.sinks.widths(currency, chunk.toString("latin1", p, widthTo).split(",").map(Number));
      }
      p = widthTo + 1;
      // The row.
      const r = this.row++;
      this.put(ROW_OPEN);
      this.putDigits(r);
      this.put(ROW_OPEN_END);
      let needRef = true;
      for (let i = 0; i < n; i++) {
        // The field is chunk[p..e); `special` when text needs the slow path.
        let e = p;
        let special = 0;
        const kind = kinds[i]!;
        if (kind === 2) {
          while (e < end && chunk[e] !== TAB) special |= SPECIAL[chunk[e++]!]!;
        } else {
          while (e < end && chunk[e] !== TAB) e++;
        }
        const empty = e === p || (e - p === 2 && chunk[p] === BACKSLASH && chunk[p + 1] === 0x4e);
        if (empty) {
          needRef = true;
          p = e + 1;
          continue;
        }
        this.put(CELL);
        if (needRef) {
          this.put(REF);
          this.put(this.letters[i]!);
          this.putDigits(r);
          this.put(QUOTE);
          needRef = false;
        }
        if (kind === 0) {
          this.put(STYLE_OPEN);
          this.put(this.styles[i]!);
          this.put(NUMBER_OPEN);
          this.putRange(chunk, p, e);
          this.put(NUMBER_CLOSE);
        } else if (kind === 1) {
          this.put(STYLE_OPEN);
          this.putRange(chunk, styleFrom, styleTo);
          this.put(NUMBER_OPEN);
          this.putRange(chunk, p, e);
          this.put(NUMBER_CLOSE);
        } else if (special === 0) {
          // A space (or any byte <= 32: those are special) at either end would be trimmed without xml:space.
          this.put(chunk[p] === 0x20 || chunk[e - 1] === 0x20 ? TEXT_OPEN_PRESERVE : TEXT_OPEN);
          this.putRange(chunk, p, e);
          this.put(TEXT_CLOSE);
        } else {
          const text = chunk.toString("utf8", p, e).replace(/\\(.)/g, (whole, c: string) => COPY_ESCAPES[c] ?? c);
          const first = text.charCodeAt(0);
          const last = text.charCodeAt(text.length - 1);
          this.put(first <= 32 || last <= 32 ? TEXT_OPEN_PRESERVE : TEXT_OPEN);
          const xml = Buffer.from(sheetXmlText(text), "utf8");
          this.ensure(xml.length + 64);
          this.put(xml);
          this.put(TEXT_CLOSE);
        }
        p = e + 1;
      }
      this.put(ROW_CLOSE);
      rows++;
      p = end + 1;
    }
    return { xml: this.out.subarray(0, this.o), rows };
  }
}
