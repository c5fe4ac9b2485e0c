/**
 * What a report is: its columns (documented, with the default selection and order)
 * and how one database row becomes the cells of one CSV record. Pure; the queries
 * live in reports/*.server.ts.
 */
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
 */
export type ColumnKind = "text" | "amount" | "integer" | "local" | "utc" | "date";

export type CellValue = string | bigint | number | Date | null | undefined;

export interface ColumnSpec<R> {
  key: string;
  kind: ColumnKind;
  /** One sentence for the README and the Reports page. */
  doc: string;
  /** A permission the column needs beyond the report's own (card details). */
  permission?: Permission;
  value(row: R): CellValue;
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
      return "date";
    default:
      return "datetime";
  }
}

export function headerName(col: { key: string; kind: ColumnKind }, opts: RenderOptions): string {
  if (col.kind === "local") return `${col.key} (${opts.timeZone})`;
  // Minor units are a different number (12.50 USD is 1250): say so in the header.
  if (col.kind === "amount" && opts.amounts === "minor") return `${col.key}_minor`;
  return col.key;
}

/** Turns rows into cell strings for the chosen columns. `currencyOf` gives each row's currency. */
export function rowRenderer<R>(
  columns: readonly ColumnSpec<R>[],
  currencyOf: (row: R) => string,
  opts: RenderOptions,
): (row: R) => (string | null)[] {
  const local = localDateTimeFormatter(opts.timeZone);
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
