/**
 * RFC 4180 output through papaparse: CRLF after every record, fields quoted when they
 * hold a comma, quote, CR or LF (quotes doubled), text columns always quoted.
 *
 * Formula injection (OWASP "CSV Injection"): text cells go through neutralizeFormula
 * (a leading `'` inside the quoted field) before papaparse quotes them. Numeric cells
 * (amounts, counts) and our own date-times are never touched, so "-12.50" stays a
 * number a spreadsheet can SUM; they only ever come from our own formatting, never
 * from what a customer typed. papaparse's own escapeFormulae is off on purpose: it
 * would turn every negative amount into text.
 */
import Papa from "papaparse";
import { neutralizeFormula } from "~/lib/csv-safety";

/** Excel only reads a CSV as UTF-8 (Persian text, "€") when the file starts with a BOM. */
export const UTF8_BOM = "\uFEFF";
export const CRLF = "\r\n";

export type CellKind = "text" | "amount" | "integer" | "datetime" | "date";

/** What makes papaparse quote a field: CR, LF, a quote, a BOM, the delimiter, or a space at either end. */
const NEEDS_QUOTES = /[\r\n"\uFEFF,]|^ | $/;

/** A CSV writer for one column layout. `kinds[i]` decides how column i is protected and quoted. */
export interface CsvWriter {
  header(names: readonly string[]): string;
  /** Records for `rows` (each ends with CRLF); an empty batch writes nothing. */
  rows(rows: readonly (readonly (string | null)[])[]): string;
}

export function csvWriter(kinds: readonly CellKind[]): CsvWriter {
  const textColumn = kinds.map((k) => k === "text");
  const single = kinds.length === 1;
  // A record whose only field is empty would be an empty line, which most readers
  // skip; quoting it ("") keeps the row.
  const quotes = (value: unknown, col: number) => textColumn[col] === true || (single && value === "");
  // papaparse's unparse rules for one field, inlined: an export writes millions of
  // fields, and building papaparse's input arrays per batch cost a fifth of its time.
  const field = (value: string, col: number): string => {
    const escaped = value.indexOf('"') === -1 ? value : value.replace(/"/g, '""');
    return quotes(value, col) || NEEDS_QUOTES.test(escaped) ? `"${escaped}"` : escaped;
  };
  return {
    header(names) {
      // Header cells are text whatever their column holds.
      return Papa.unparse([names.map((n) => neutralizeFormula(n))], { quotes: true, newline: CRLF, header: false }) + CRLF;
    },
    rows(rows) {
      let out = "";
      for (const r of rows) {
        for (let i = 0; i < r.length; i++) {
          const cell = r[i] ?? "";
          if (i > 0) out += ",";
          out += field(textColumn[i] ? neutralizeFormula(cell) : cell, i);
        }
        out += CRLF;
      }
      return out;
    },
  };
}
