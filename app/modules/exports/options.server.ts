/**
 * The options every report endpoint shares, read from its URL:
 *   tz       any IANA time zone (default: the merchant's)
 *   columns  comma-separated column keys, in the order wanted (default: the report's defaults)
 *   amounts  major (decimal, "12.50") or minor (integer of minor units, "1250")
 *   excel    1/0: start the file with a UTF-8 byte-order mark so Excel reads UTF-8
 *            (default on for people who use the console in Persian)
 *   jalali   1/0: a Jalali twin beside every local date-time and date column
 *            ("created_jalali"); default on for people who use the console in Persian
 * Everything else in the URL is the report's own filter.
 */
import { isValidTimeZone } from "~/lib/dates/zones";
import { can, type Role } from "~/lib/permissions";
import { ListFilterError } from "~/modules/reporting/list-query.server";
import type { ColumnSpec } from "./definition";
import type { AmountFormat } from "./format";
import type { AnyReport } from "./registry.server";

export interface ExportOptions {
  timeZone: string;
  columns: ColumnSpec<unknown>[];
  amounts: AmountFormat;
  excel: boolean;
  jalali: boolean;
}

/** "1"/"0" and their spellings; undefined when absent (the caller's default applies). */
function flag(params: URLSearchParams, key: string, message: string): boolean | undefined {
  const raw = last(params, key)?.toLowerCase();
  if (raw === undefined) return undefined;
  if (["1", "true", "on", "yes"].includes(raw)) return true;
  if (["0", "false", "off", "no"].includes(raw)) return false;
  throw new ListFilterError(key, message);
}

function last(params: URLSearchParams, key: string): string | undefined {
  const v = params.getAll(key).map((x) => x.trim()).filter(Boolean);
  return v[v.length - 1];
}

/** The columns a role may export from a report (card details need cards:view). */
export function allowedColumns(report: AnyReport, role: Role): ColumnSpec<unknown>[] {
  return report.columns.filter((c) => !c.permission || can(role, c.permission));
}

export function defaultColumnKeys(report: AnyReport, role: Role): string[] {
  const allowed = new Set(allowedColumns(report, role).map((c) => c.key));
  return report.defaults.filter((k) => allowed.has(k));
}

/** Canonical spelling of a zone ("asia/tehran" -> "Asia/Tehran"). */
export function canonicalTimeZone(tz: string): string {
  return new Intl.DateTimeFormat("en-US", { timeZone: tz }).resolvedOptions().timeZone;
}

export function parseExportOptions(
  report: AnyReport,
  params: URLSearchParams,
  ctx: { role: Role; merchant: { timeZone: string }; locale: string },
): ExportOptions {
  const tzRaw = last(params, "tz");
  if (tzRaw !== undefined && !isValidTimeZone(tzRaw)) {
    throw new ListFilterError("tz", `"${String(tzRaw).slice(0, 60)}" is not a time zone: use an IANA name such as Asia/Tehran, America/New_York or UTC.`);
  }
  const timeZone = canonicalTimeZone(tzRaw ?? ctx.merchant.timeZone);

  const allowed = allowedColumns(report, ctx.role);
  const byKey = new Map(allowed.map((c) => [c.key, c]));
  const requested = params
    .getAll("columns")
    .flatMap((v) => v.split(","))
    .map((k) => k.trim())
    .filter(Boolean);
  const keys = requested.length > 0 ? [...new Set(requested)] : defaultColumnKeys(report, ctx.role);
  const columns: ColumnSpec<unknown>[] = [];
  for (const key of keys) {
    const col = byKey.get(key);
    if (!col) {
      const known = report.columns.some((c) => c.key === key);
      throw new ListFilterError(
        "columns",
        known
          ? `Your role cannot export the column "${key}" (card details).`
          : `The ${report.id} report has no column "${key.slice(0, 60)}". Choose from: ${allowed.map((c) => c.key).join(", ")}.`,
      );
    }
    columns.push(col);
  }

  const amountsRaw = last(params, "amounts") ?? "major";
  if (amountsRaw !== "major" && amountsRaw !== "minor") {
    throw new ListFilterError("amounts", 'Amounts are "major" (decimals, like 12.50) or "minor" (whole minor units, like 1250).');
  }

  const excelRaw = last(params, "excel")?.toLowerCase();
  let excel: boolean;
  if (excelRaw === undefined) excel = ctx.locale.toLowerCase().startsWith("fa");
  else if (["1", "true", "on", "yes"].includes(excelRaw)) excel = true;
  else if (["0", "false", "off", "no"].includes(excelRaw)) excel = false;
  else throw new ListFilterError("excel", 'Excel compatibility is "1" (on) or "0" (off).');

  const jalali = flag(params, "jalali", 'Jalali date columns are "1" (on) or "0" (off).') ?? ctx.locale.toLowerCase().startsWith("fa");

  return { timeZone, columns, amounts: amountsRaw, excel, jalali };
}
