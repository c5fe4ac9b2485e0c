/**
 * The Reports page's loader (the web edge), its state read from its own URL (a GET form, so it works without
 * JavaScript and every choice is a shareable link): which report, the period, the
 * zone, the columns and their order, the amount format, Excel compatibility. It
 * turns them into the report endpoint's URL and previews that download.
 *
 * The page's period is always [start, end): start included, end not. Each report's
 * endpoint speaks its own list's language, so the end is translated per report
 * (the lists' `to` is the last day included).
 */
import { addLocalDays, isValidLocalDateKey, isValidTimeZone, localDateKey, parseLocalDateKey, zonedParts } from "~/lib/dates/zones";
import { jalaliToUtc, toJalali } from "~/lib/dates/jalali";
import { normalizeDayInput } from "~/lib/day-input";
import { can } from "~/lib/permissions";
import { REPORT_IDS, isReportId, type ColumnKind, type ReportId } from "~/modules/exports/definition";
import { previewReport, type ExportContext, type ReportPreview } from "~/modules/exports/export.server";
import { allowedColumns, canonicalTimeZone, defaultColumnKeys } from "~/modules/exports/options.server";
import { REPORTS } from "~/modules/exports/registry.server";
import { endpointParams } from "~/modules/exports/endpoint-params";

export interface ReportsPageColumn {
  key: string;
  kind: ColumnKind;
  doc: string;
  checked: boolean;
}

export interface ReportsPageState {
  reports: { id: ReportId; title: string; description: string }[];
  report: ReportId;
  start: string;
  end: string;
  payout: string;
  timeZone: string;
  merchantTimeZone: string;
  amounts: "major" | "minor";
  excel: boolean;
  /** Jalali twins of the date columns (default on for Persian readers). */
  jalali: boolean;
  columns: ReportsPageColumn[];
  /** The download link: /reports/<id>.csv?... */
  href: string;
  preview: ReportPreview | null;
  error: { field: string; message: string } | null;
  /** Fields that do not apply to this report (hidden on the page). */
  uses: { period: boolean; payout: boolean };
}

function last(params: URLSearchParams, key: string): string | undefined {
  const v = params.getAll(key).map((x) => x.trim()).filter(Boolean);
  return v[v.length - 1];
}

/** Last calendar month in `tz`: what an accountant closes most often. */
function lastMonth(tz: string, now: Date): { start: string; end: string } {
  const p = zonedParts(now, tz);
  const month = `${String(p.year).padStart(4, "0")}-${String(p.month).padStart(2, "0")}-01`;
  const end = parseLocalDateKey(month, tz);
  const prev = zonedParts(addLocalDays(end, -1, tz), tz);
  const start = `${String(prev.year).padStart(4, "0")}-${String(prev.month).padStart(2, "0")}-01`;
  return { start, end: month };
}

/** Last Jalali month in `tz`: what an Iranian accountant closes (Esfand, Farvardin...). */
function lastJalaliMonth(tz: string, now: Date): { start: string; end: string } {
  const j = toJalali(now, tz);
  const prev = j.month === 1 ? { year: j.year - 1, month: 12 } : { year: j.year, month: j.month - 1 };
  return {
    start: localDateKey(jalaliToUtc({ ...prev, day: 1 }, tz), tz),
    end: localDateKey(jalaliToUtc({ year: j.year, month: j.month, day: 1 }, tz), tz),
  };
}

export async function reportsPage(ctx: ExportContext, params: URLSearchParams, now: Date = new Date()): Promise<ReportsPageState> {
  const available = REPORT_IDS.filter((id) => REPORTS[id].permissions.every((p) => can(ctx.role, p)));
  const requested = last(params, "report");
  const report: ReportId = isReportId(requested) && available.includes(requested) ? requested : available[0]!;
  const def = REPORTS[report];
  const switched = last(params, "shown") !== report;

  const tzRaw = last(params, "tz");
  const timeZone = tzRaw && isValidTimeZone(tzRaw) ? canonicalTimeZone(tzRaw) : ctx.merchant.timeZone;
  // The form always sends both dates (empty for "all time"); a link without them gets last month.
  const firstVisit = !params.has("start") && !params.has("end");
  const locale = (ctx.user.locale ?? ctx.merchant.defaultLocale ?? "en").toLowerCase();
  const persian = locale.startsWith("fa");
  // A Persian reader's books are kept by Jalali month.
  const defaults = persian ? lastJalaliMonth(timeZone, now) : lastMonth(timeZone, now);
  // A Jalali day typed by a Persian reader ("۱۴۰۴/۰۱/۰۱") becomes its ISO day.
  const startRaw = normalizeDayInput(params.has("start") ? last(params, "start") ?? "" : firstVisit ? defaults.start : "");
  const endRaw = normalizeDayInput(params.has("end") ? last(params, "end") ?? "" : firstVisit ? defaults.end : "");
  const payout = (last(params, "payout") ?? "").slice(0, 100);

  // Columns: the order the page last showed (all allowed keys), the ticked ones, and a move.
  const allowed = allowedColumns(def, ctx.role);
  const allowedKeys = allowed.map((c) => c.key);
  let order: string[];
  let checked: Set<string>;
  if (switched || !params.has("order")) {
    const d = defaultColumnKeys(def, ctx.role);
    order = [...d, ...allowedKeys.filter((k) => !d.includes(k))];
    checked = new Set(d);
  } else {
    const given = (last(params, "order") ?? "").split(",").filter((k) => allowedKeys.includes(k));
    order = [...new Set([...given, ...allowedKeys])];
    checked = new Set(params.getAll("col").filter((k) => allowedKeys.includes(k)));
  }
  const move = /^([a-z0-9_]+):(up|down)$/.exec(last(params, "move") ?? "");
  if (move && !switched) {
    const i = order.indexOf(move[1]!);
    const j = move[2] === "up" ? i - 1 : i + 1;
    if (i >= 0 && j >= 0 && j < order.length) [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const chosen = order.filter((k) => checked.has(k));

  const amounts = last(params, "amounts") === "minor" ? "minor" : "major";
  // A GET form omits an unticked box: "excel_shown" tells "unticked" from "never shown".
  const excel = params.has("excel_shown") ? params.get("excel") === "1" : persian;
  const jalali = params.has("excel_shown") ? params.get("jalali") === "1" : persian;

  const start = startRaw && isValidLocalDateKey(startRaw) ? startRaw : "";
  const end = endRaw && isValidLocalDateKey(endRaw) ? endRaw : "";
  const q = endpointParams(report, { start, end, payout, timeZone, amounts, excel, jalali, columns: chosen });
  let error: ReportsPageState["error"] = null;
  if (tzRaw && !isValidTimeZone(tzRaw)) error = { field: "tz", message: `"${String(tzRaw).slice(0, 60)}" is not a time zone: use an IANA name such as Asia/Tehran or America/New_York.` };
  else if (startRaw && !start) error = { field: "start", message: "Enter the start date as YYYY-MM-DD." };
  else if (endRaw && !end) error = { field: "end", message: "Enter the end date as YYYY-MM-DD." };
  else if (start && end && end <= start) error = { field: "end", message: "The end date (not included) must be after the start date." };
  else if (chosen.length === 0) error = { field: "columns", message: "Tick at least one column." };

  let preview: ReportPreview | null = null;
  if (!error) {
    const r = await previewReport(ctx, report, q, now);
    if (r.ok) preview = r.preview;
    else error = { field: r.field, message: r.message };
  }

  return {
    reports: available.map((id) => ({ id, title: REPORTS[id].title, description: REPORTS[id].description })),
    report,
    start,
    end,
    payout,
    timeZone,
    merchantTimeZone: ctx.merchant.timeZone,
    amounts,
    excel,
    jalali,
    columns: order.map((key) => {
      const c = allowed.find((x) => x.key === key)!;
      return { key, kind: c.kind, doc: c.doc, checked: checked.has(key) };
    }),
    href: `/reports/${report}.csv?${q.toString()}`,
    preview,
    error,
    uses: { period: report !== "payout-reconciliation" || !payout, payout: report === "payout-reconciliation" },
  };
}

