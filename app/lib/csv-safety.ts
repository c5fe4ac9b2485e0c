/**
 * CSV / formula injection defence (OWASP "CSV Injection").
 *
 * Spreadsheet programs execute a cell that starts with `=`, `+`, `-` or `@`
 * (and, after their own whitespace trimming, tab/CR/LF) as a formula, so a
 * customer who puts `=HYPERLINK(...)` in a description can run it on the
 * accountant's machine when they open an export. A leading single quote makes
 * Excel and LibreOffice show the text as typed.
 *
 * Apply this to text columns only. Numeric columns (amounts, counts) are left
 * alone on purpose: a quote would turn "-12.50" into text, so refunds would no
 * longer add up in SUM() and reconciliation would silently break. They are
 * safe as long as they are produced by our own number formatting (for example
 * `toMajorDecimalString`, which only emits `-?digits(.digits)?`), never from
 * user input. RFC 4180 quoting (doubling `"`) is a separate step done by the
 * CSV writer, after this one.
 */

// Full-width variants are included too: some spreadsheet locales normalise them to ASCII before parsing.
const FORMULA_TRIGGER = /^[=+\-@\t\r\n\uFF1D\uFF0B\uFF0D\uFF20]/;

export function neutralizeFormula(text: string): string {
  return FORMULA_TRIGGER.test(text) ? `'${text}` : text;
}
