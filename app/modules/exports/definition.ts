/**
 * What a report is: its columns (documented, with the default selection and order)
 * and how one database row becomes the cells of one CSV record. Pure; the queries
 * live in reports/*.server.ts.
 */
import { jalaliDayText } from "~/lib/day-input";
import type { Permission } from "~/lib/permissions";
import type { CellKind } from "./csv";
import { formatAmount, localDateTimeFormatter, utcDateTime, type AmountFormat } from "./format";

export const REPORT_IDS = [
  "payments",
  "refunds",
  "payouts",
  "payout-reconciliation",
  "balance-summary",
  "audit-log",
] as const;
export type ReportId = (typeof REPORT_IDS)[number];

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

export interface ColumnSpec<R> {
  key: string;
  kind: ColumnKind;
  /** One sentence for the README and the Reports page. */
  doc: string;
  /** A permission the column needs beyond the report's own (card details). */
  permission?: Permission;
  value(row: R): CellValue;
  /**
   * The same raw value as a SQL expression over the tables of the report's one-statement
   * form (ReportRun.copySelect, with its aliases), for exports rendered in SQL (copy.server.ts).
   * It must give what `value` reads: text (or an enum) for text columns, the amount in minor units,
   * the timestamptz, the date. Without it an export that includes the column keeps the
   * JavaScript path.
   */
  sql?: string;
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
            value: c.value,
            sql: c.sql,
          },
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

/** Turns rows into cell strings for the chosen columns. `currencyOf` gives each row's currency. */
export function rowRenderer<R>(
  columns: readonly ColumnSpec<R>[],
  currencyOf: (row: R) => string,
  opts: RenderOptions,
): (row: R) => (string | null)[] {
  const local = localDateTimeFormatter(opts.timeZone);
  const jalali = jalaliDays();
  const cells = columns.map((c) => {
    switch (c.kind) {
      case "amount":
        return (row: R) => {
          const v = c.value(row);
          if (v === null || v === undefined || v === "") return null;
          return formatAmount(typeof v === "bigint" ? v : BigInt(v as string | number), currencyOf(row), opts.amounts);
        };
      case "local":
      case "utc": {
        const fmt = c.kind === "local" ? local : utcDateTime;
        return (row: R) => {
          const v = c.value(row);
          if (v === null || v === undefined || v === "") return null;
          return fmt(v instanceof Date ? v : new Date(v as string));
        };
      }
      case "jalali":
        return (row: R) => {
          const v = c.value(row);
          if (v === null || v === undefined || v === "") return null;
          // The local wall clock, its day turned Jalali: the same instant as its ISO twin.
          const wall = local(v instanceof Date ? v : new Date(v as string));
          return `${jalali(wall.slice(0, 10))}${wall.slice(10)}`;
        };
      case "jalali_date":
        return (row: R) => {
          const v = c.value(row);
          if (v === null || v === undefined || v === "") return null;
          const day = v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10);
          return jalali(day);
        };
      default:
        return (row: R) => {
          const v = c.value(row);
          if (v === null || v === undefined) return null;
          return typeof v === "string" ? v : v instanceof Date ? v.toISOString() : String(v);
        };
    }
  });
  return (row) => cells.map((cell) => cell(row));
}
