/**
 * What a report is: its columns (documented, with the default selection and order)
 * and how one database row becomes the cells of one CSV record. Pure; the queries
 * live in reports/*.server.ts.
 */
import { jalaliDayText } from "~/lib/day-input";
import type { Permission } from "~/lib/permissions";
import type { CellKind } from "./csv";
import { formatAmount, localDateTimeFormatter, utcDateTime, type AmountFormat } from "./format";
import { REPORT_IDS, type ReportId } from "~/lib/vocabulary";

export { REPORT_IDS, type ReportId };

export function isReportId(v: unknown): v is ReportId {
  return typeof v === "string" && (REPORT_IDS as readonly string[]).includes(v);
}

/**
 * Column kinds: `local` date-times are written in the report's time zone and their
 * header names it ("created (Asia/Tehran)"); `utc` ones stay UTC ("created_utc").
 * `jalali` and `jalali_date` are the Jalali twins of `local` and `date` columns
 * (withJalaliColumns), written "1404/01/01 14:05:09" and "1404/01/01".
 */
export type ColumnKind = "text" | "amount" | "integer" | "local" | "utc" | "date" | "jalali" | "jalali_date";

export type CellValue = string | bigint | number | Date | null | undefined;

interface ColumnBase {
  key: string;
  kind: ColumnKind;
  /** One sentence for docs/reports.md and the Reports page. */
  doc: string;
  /** A permission the column needs beyond the report's own (card details). */
  permission?: Permission;
  /**
   * The column adds up: a workbook gets a totals row under it (amounts of one currency,
   * counts). Not for running figures such as a balance, a payout's amount repeated on
   * each of its items, or a refunded payment's amount repeated on each of its refunds.
   */
  total?: boolean;
}

/**
 * A column of a report read with SQL: its ONE definition is `sql`, the raw value as an
 * expression over the tables of the report's statement (with its aliases): text (or an
 * enum) for text columns, the amount in minor units, the timestamptz, the date. Every
 * rendering comes from it and the column's kind: the streamed CSV (the value is selected
 * in keyset batches and rendered by rowRenderer), the COPY CSV (rendered by the server,
 * copy.server.ts cellPlan) and the workbook (xlsx.server.ts).
 */
export interface SqlColumn extends ColumnBase {
  sql: string;
  value?: never;
}

/**
 * A column of a report computed in the domain (the balance summary: a dozen lines of
 * arithmetic over per-category sums), defined once by `value` over its computed row.
 */
export interface ComputedColumn<R> extends ColumnBase {
  value(row: R): CellValue;
  sql?: never;
}

export type ColumnSpec<R = never> = SqlColumn | ComputedColumn<R>;

/**
 * A moment read with SQL, as the two columns every moment has: `key` in the report's time
 * zone and its twin `key_utc`, the same instant in UTC (the rule lives here, not in each report).
 */
export function instant(key: string, doc: string, sql: string): [SqlColumn, SqlColumn] {
  return [
    { key, kind: "local", doc, sql },
    { key: `${key}_utc`, kind: "utc", doc: "The same instant in UTC.", sql },
  ];
}

/**
 * A card detail read with SQL (brand, funding, BIN, last 4, issuing bank): text that only
 * people who may see cards get (cards:view, on top of the report's own permissions).
 */
export function cardDetail(key: string, doc: string, sql: string): SqlColumn {
  return { key, kind: "text", doc, permission: "cards:view", sql };
}

/**
 * The columns of a report whose rows read the table aliased `alias`, one builder per
 * kind: a column's SQL is `alias.key` unless another expression is given, a moment's
 * `alias.key_at` (as instant). `total` and `count` are amounts and integers that add up.
 */
export function sqlColumnsOf(alias: string) {
  const column =
    (kind: ColumnKind, total?: true) =>
    (key: string, doc: string, sql = `${alias}.${key}`): SqlColumn =>
      total ? { key, kind, doc, sql, total } : { key, kind, doc, sql };
  const text = column("text");
  const card = (key: string, doc: string, sql = `${alias}.${key}`) => cardDetail(key, doc, sql);
  /** The card's funding, worded the same in every report. */
  const funding = () => card("card_funding", "credit, debit, prepaid or unknown.");
  /** The terminal that took the payment: its name (terminals joined as `t`), else its id. */
  const terminal = (doc: string) => text("terminal", doc, `coalesce(t.name, ${alias}.terminal_id)`);
  return {
    text,
    integer: column("integer"),
    count: column("integer", true),
    amount: column("amount"),
    total: column("amount", true),
    local: column("local"),
    date: column("date"),
    instant: (key: string, doc: string, sql = `${alias}.${key}_at`) => instant(key, doc, sql),
    card,
    funding,
    terminal,
    /** What a refund or a balance transaction shows of the payment behind it, in this order. */
    paymentBehind: (docs: { reference: string; brand: string; last4: string; terminal: string }): SqlColumn[] => [
      text("customer_reference", docs.reference),
      card("card_brand", docs.brand),
      funding(),
      card("card_last4", docs.last4),
      terminal(docs.terminal),
    ],
    currency: (): SqlColumn => ({ key: "currency", kind: "text", doc: "ISO 4217 code.", sql: `${alias}.currency` }),
  };
}

/**
 * One row of an export as it is read: the raw values of the chosen columns, in their
 * order, and the row's currency (for amounts). Every renderer reads this.
 */
export interface RawRow {
  cells: CellValue[];
  currency: string;
}

/**
 * How a SQL column's raw value is selected for the streamed renderers: everything as text
 * (so both drivers hand over the same strings: enums, bigint amounts, dates, JSON), except
 * date-times, which both drivers read as a Date.
 */
export function rawValueSql(kind: ColumnKind, sql: string): string {
  return kind === "local" || kind === "utc" || kind === "jalali" ? `(${sql})` : `(${sql})::text`;
}

export interface ColumnDoc {
  key: string;
  kind: ColumnKind;
  doc: string;
  isDefault: boolean;
}

export interface RenderOptions {
  timeZone: string;
  amounts: AmountFormat;
}

export function csvKind(kind: ColumnKind): CellKind {
  switch (kind) {
    case "text":
      return "text";
    case "amount":
      return "amount";
    case "integer":
      return "integer";
    case "date":
    case "jalali_date":
      return "date";
    default:
      return "datetime";
  }
}

export function headerName(col: { key: string; kind: ColumnKind }, opts: RenderOptions): string {
  if (col.kind === "local" || col.kind === "jalali") return `${col.key} (${opts.timeZone})`;
  // Minor units are a different number (12.50 USD is 1250): say so in the header.
  if (col.kind === "amount" && opts.amounts === "minor") return `${col.key}_minor`;
  return col.key;
}

/**
 * The columns with a Jalali twin after each local date-time and each date column
 * ("created" then "created_jalali"), for readers who keep their books in the Jalali
 * calendar. The ISO columns stay: spreadsheets sort and filter on them.
 */
export function withJalaliColumns<R>(columns: readonly ColumnSpec<R>[]): ColumnSpec<R>[] {
  return columns.flatMap((c) =>
    c.kind === "local" || c.kind === "date"
      ? [
          c,
          {
            key: `${c.key}_jalali`,
            kind: c.kind === "local" ? ("jalali" as const) : ("jalali_date" as const),
            doc: `${c.key} in the Jalali (Solar Hijri) calendar.`,
            permission: c.permission,
            ...(c.sql !== undefined ? { sql: c.sql } : { value: c.value! }),
          } as ColumnSpec<R>,
        ]
      : [c],
  );
}

/** "2025-03-21" -> "1404/01/01", remembered per day: an export meets the same few hundred days a million times. */
function jalaliDays(): (isoDay: string) => string {
  const cache = new Map<string, string>();
  return (isoDay) => {
    let j = cache.get(isoDay);
    if (j === undefined) {
      j = jalaliDayText(isoDay) || isoDay;
      if (cache.size >= 100_000) cache.clear();
      cache.set(isoDay, j);
    }
    return j;
  };
}

/** A raw amount (bigint, or its text from SQL) as a bigint; null when empty. */
export function rawAmount(v: CellValue): bigint | null {
  if (v === null || v === undefined || v === "") return null;
  return typeof v === "bigint" ? v : BigInt(typeof v === "number" ? Math.trunc(v) : String(v));
}

/** A raw date-time (a Date, or text from a driver) as a Date; null when empty. */
export function rawInstant(v: CellValue): Date | null {
  if (v === null || v === undefined || v === "") return null;
  return v instanceof Date ? v : new Date(String(v));
}

/** A raw calendar date ("2025-03-21", or a Date at midnight UTC) as "YYYY-MM-DD"; null when empty. */
export function rawDay(v: CellValue): string | null {
  if (v === null || v === undefined || v === "") return null;
  return v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10);
}

/** A raw text value: strings as they are, JSON (a driver's parsed jsonb) as JSON text. */
export function rawText(v: CellValue | object): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** The local wall clock of an instant in the report's zone, with its day turned Jalali ("1404/01/01 14:05:09"). */
export function jalaliWallClock(local: (d: Date) => string): (d: Date) => string {
  const jalali = jalaliDays();
  return (d) => {
    const wall = local(d);
    return `${jalali(wall.slice(0, 10))}${wall.slice(10)}`;
  };
}

/** "2025-03-21" -> "1404/01/01" (cached per day). */
export function jalaliDayFormatter(): (isoDay: string) => string {
  return jalaliDays();
}

/**
 * Turns raw rows into CSV cell strings for the chosen columns' kinds: the JavaScript
 * rendering, equal to the server's (copy.server.ts cellPlan) for every kind
 * (tests/integration/exports/renderers.test.ts compares the two on every database).
 */
export function rowRenderer(kinds: readonly ColumnKind[], opts: RenderOptions): (row: RawRow) => (string | null)[] {
  const local = localDateTimeFormatter(opts.timeZone);
  const jalaliWall = jalaliWallClock(local);
  const jalali = jalaliDays();
  const cells = kinds.map((kind, i): ((row: RawRow) => string | null) => {
    switch (kind) {
      case "amount":
        return (row) => {
          const v = rawAmount(row.cells[i]);
          return v === null ? null : formatAmount(v, row.currency, opts.amounts);
        };
      case "local":
      case "utc": {
        const fmt = kind === "local" ? local : utcDateTime;
        return (row) => {
          const v = rawInstant(row.cells[i]);
          return v === null ? null : fmt(v);
        };
      }
      case "jalali":
        return (row) => {
          const v = rawInstant(row.cells[i]);
          return v === null ? null : jalaliWall(v);
        };
      case "jalali_date":
        return (row) => {
          const v = rawDay(row.cells[i]);
          return v === null ? null : jalali(v);
        };
      case "date":
        return (row) => rawDay(row.cells[i]);
      case "integer":
        return (row) => {
          const v = row.cells[i];
          return v === null || v === undefined || v === "" ? null : String(v);
        };
      default:
        return (row) => rawText(row.cells[i]);
    }
  });
  return (row) => cells.map((cell) => cell(row));
}
