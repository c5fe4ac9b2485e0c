/**
 * The web edge of scheduled reports: the Schedules page (list and new), one schedule's page
 * (edit, pause, delete, run history) and the download behind a large run's link. Parses the
 * form, authorizes, calls the domain (modules/exports/schedules.server.ts), shapes the answer.
 */
import { json, redirect } from "@remix-run/node";
import { z } from "zod";
import { db } from "~db/client.server";
import { isValidTimeZone } from "~/lib/dates/zones";
import { makeFormatter } from "~/lib/format";
import { FORM_ERROR } from "~/lib/forms";
import { localize, reportFieldError } from "~/lib/i18n/messages";
import { can } from "~/lib/permissions";
import { SCHEDULE_CALENDARS, nextRunAfter, type ScheduleFormValues, type ScheduleRefusal } from "~/lib/report-schedule";
import { audit } from "~/modules/audit/audit.server";
import { REPORT_IDS, isReportId, type ReportId } from "~/modules/exports/definition";
import { REPORTS } from "~/modules/exports/export.server";
import { allowedColumns, canonicalTimeZone, defaultColumnKeys } from "~/modules/exports/options.server";
import {
  deleteSchedule,
  getSchedule,
  listSchedules,
  mayEdit,
  LINK_LIFETIME_MS,
  openRunLink,
  refusalFor,
  ruleOf,
  saveSchedule,
  scheduleRuns,
  setPaused,
  teamOf,
  type LeftOut,
  type ReportSchedule,
  type ScheduleInput,
} from "~/modules/exports/schedules.server";
import type { Localized } from "~/lib/i18n/messages";
import { fileResponse } from "~/web/exports/download.server";
import { formRecord, parseForm, refuse, typedValues } from "~/web/form.server";
import { notFound, requireAction, requireContext, type AppContext } from "~/web/guard.server";
import { clientOf, publicOrigin } from "~/web/request.server";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";

function last(params: URLSearchParams | FormData, key: string): string {
  const v = params.getAll(key).map((x) => String(x).trim()).filter(Boolean);
  return v[v.length - 1] ?? "";
}

function persian(ctx: AppContext): boolean {
  return (ctx.user.locale ?? ctx.merchant.defaultLocale ?? "en").toLowerCase().startsWith("fa");
}

function reportsFor(ctx: AppContext): ReportId[] {
  return REPORT_IDS.filter((id) => REPORTS[id].permissions.every((p) => can(ctx.role, p)));
}

function valuesFromUrl(ctx: AppContext, params: URLSearchParams): ScheduleFormValues<ReportId> {
  const available = reportsFor(ctx);
  const requested = last(params, "report");
  const report: ReportId = isReportId(requested) && available.includes(requested) ? requested : available[0]!;
  const allowed = allowedColumns(REPORTS[report], ctx.role).map((c) => c.key);
  // The Reports page sends its ticked columns as `col` in its order (`order`), or `columns`.
  const order = last(params, "order").split(",").filter((k) => allowed.includes(k));
  const ticked = [...params.getAll("col"), ...last(params, "columns").split(",")].filter((k) => allowed.includes(k));
  const columns = ticked.length > 0 ? [...order.filter((k) => ticked.includes(k)), ...ticked.filter((k) => !order.includes(k))] : defaultColumnKeys(REPORTS[report], ctx.role);
  const tz = last(params, "tz");
  const fa = persian(ctx);
  return {
    id: null,
    name: "",
    report,
    format: last(params, "format") === "csv" ? "csv" : "xlsx",
    filters: "",
    columns: [...new Set(columns)],
    timeZone: tz && isValidTimeZone(tz) ? canonicalTimeZone(tz) : ctx.merchant.timeZone,
    amounts: last(params, "amounts") === "minor" ? "minor" : "major",
    excel: params.has("excel") ? last(params, "excel") === "1" : fa,
    jalali: params.has("jalali") ? last(params, "jalali") === "1" : fa,
    frequency: "monthly",
    weekday: 6,
    monthDay: 1,
    localTime: "07:00",
    calendar: fa || ctx.merchant.country === "IR" ? "jalali" : "gregorian",
    recipientUserIds: [ctx.user.id],
  };
}

function valuesOf(s: ReportSchedule): ScheduleFormValues<ReportId> {
  return {
    id: s.id,
    name: s.name,
    report: s.report as ReportId,
    format: s.format === "csv" ? "csv" : "xlsx",
    filters: s.filters,
    columns: s.columns,
    timeZone: s.timeZone,
    amounts: s.amounts === "minor" ? "minor" : "major",
    excel: s.excel,
    jalali: s.jalali,
    frequency: s.frequency,
    weekday: s.weekday ?? 6,
    monthDay: s.monthDay ?? 1,
    localTime: s.localTime,
    calendar: s.calendar,
    recipientUserIds: s.recipientUserIds,
  };
}

/**
 * The schedule forms' fields, multi-valued ones (columns, recipients) as lists. Built here, in
 * a .server module, never in the browser's bundle. The domain checks the values themselves
 * (saveSchedule); this only bounds what is read.
 */
const field = (max: number) => z.string().trim().max(max, "schedules.error.checkForm").default("");
const list = z.array(z.string().trim().max(200, "schedules.error.checkForm")).max(500, "schedules.error.checkForm").default([]);
const scheduleForm = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("save"),
    name: field(1000),
    report: field(100),
    format: field(20),
    filters: field(4000),
    col: list,
    tz: field(200),
    amounts: field(20),
    excel: field(10),
    jalali: field(10),
    frequency: field(20),
    weekday: field(10),
    month_day: field(10),
    time: field(20),
    calendar: field(20),
    recipient: list,
  }),
  z.object({ intent: z.enum(["pause", "resume", "delete"]), id: field(100) }),
]);
type SaveFields = Extract<z.infer<typeof scheduleForm>, { intent: "save" }>;

function inputOf(f: SaveFields): ScheduleInput {
  const int = (v: string) => (/^\d{1,2}$/.test(v) ? Number(v) : null);
  return {
    name: f.name,
    report: f.report,
    format: f.format,
    filters: f.filters,
    columns: f.col,
    timeZone: f.tz,
    amounts: f.amounts || "major",
    excel: f.excel === "1",
    jalali: f.jalali === "1",
    frequency: f.frequency,
    weekday: int(f.weekday),
    monthDay: int(f.month_day),
    localTime: f.time,
    calendar: f.calendar,
    recipientUserIds: f.recipient,
  };
}

/** The schedule form's own fields; a refusal on any other (a filter of the export's) belongs to the filters field. */
const SCHEDULE_FIELDS = new Set(["name", "report", "format", "filters", "columns", "tz", "amounts", "excel", "jalali", "frequency", "time", "calendar", "weekday", "month_day", "recipients", "id"]);

/** What the form shows: the reports, the chosen report's columns, the members it may go to. */
async function formChoices(ctx: AppContext, values: ScheduleFormValues<ReportId>) {
  const team = await teamOf(db(), ctx.scope.merchantId);
  const columns = allowedColumns(REPORTS[values.report], ctx.role);
  const ordered = [...values.columns.filter((k) => columns.some((c) => c.key === k)), ...columns.map((c) => c.key).filter((k) => !values.columns.includes(k))];
  return {
    reports: reportsFor(ctx).map((id) => ({ id, title: REPORTS[id].title })),
    columns: ordered.map((key) => ({ key, doc: columns.find((c) => c.key === key)!.doc, checked: values.columns.includes(key) })),
    members: team
      .filter((m) => m.status === "active")
      .map((m) => ({ userId: m.userId, name: m.name, email: m.email, role: m.role, refusal: refusalFor(m, values.report, values.columns) })),
    calendars: SCHEDULE_CALENDARS,
    merchantTimeZone: ctx.merchant.timeZone,
  };
}

function lastRunOf(r: Awaited<ReturnType<typeof scheduleRuns>>[number] | null) {
  if (!r) return null;
  return {
    id: r.id,
    periodKey: r.periodKey,
    periodStart: r.periodStart,
    periodEnd: r.periodEnd,
    status: r.status,
    rows: r.rows,
    bytes: r.bytes,
    delivery: r.delivery,
    sentTo: r.sentTo,
    leftOut: r.leftOut as LeftOut[],
    failure: r.failure,
    failureI18n: r.failureI18n as Localized | null,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

function summaryOf(ctx: AppContext, s: ReportSchedule) {
  return {
    id: s.id,
    name: s.name,
    report: s.report,
    format: s.format,
    frequency: s.frequency,
    weekday: s.weekday,
    monthDay: s.monthDay,
    localTime: s.localTime,
    calendar: s.calendar,
    timeZone: s.timeZone,
    recipients: s.recipientUserIds.length,
    paused: s.paused,
    nextRunAt: s.paused ? null : (s.nextRunAt?.toISOString() ?? null),
    mayEdit: mayEdit(ctx, s),
  };
}

/* ------------------------------ /reports/schedules ------------------------------ */

export async function schedulesPage(request: Request) {
  const ctx = await requireContext(request, "reports:export");
  const values = valuesFromUrl(ctx, new URL(request.url).searchParams);
  const list = await listSchedules(ctx.scope);
  return json(
    {
      schedules: list.map((s) => ({ ...summaryOf(ctx, s), lastRun: lastRunOf(s.lastRun) })),
      values,
      choices: await formChoices(ctx, values),
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

async function intents(request: Request, now: Date, onPage: string | null): Promise<Response> {
  const { ctx, form } = await requireAction(request, "reports:export");
  const prefs = resolvePreferences(ctx);
  const t = serverTranslator(prefs);
  const intent = String(form.get("intent") ?? "");
  // The ticked columns and members as lists; what was typed goes back with a refusal.
  const record = formRecord(form, ["col", "recipient"]);
  const values = typedValues(record);
  const parsed = parseForm(scheduleForm, record, t, (name) => t(name === FORM_ERROR ? "schedules.error.intent" : "schedules.error.checkForm"));
  if (!parsed.ok) return refuse(parsed.errors, { intent, values });
  /** A domain refusal on its field, in the reader's language. */
  const refused = (r: ScheduleRefusal & { status: number }) => {
    const name = SCHEDULE_FIELDS.has(r.field) ? r.field : "filters";
    const message = r.i18n ? localize(t, r.i18n) : reportFieldError(t, makeFormatter({ ...prefs }), r.field, r.message);
    return refuse({ [name]: message }, { status: r.status, intent, values });
  };
  const input = parsed.data;
  const client = clientOf(request);
  if (input.intent === "save") {
    const r = await saveSchedule(ctx, inputOf(input), { now, origin: publicOrigin(request), id: onPage ?? undefined });
    if (!r.ok) return refused(r);
    await audit(db(), { actor: ctx, action: onPage ? "report_schedule.update" : "report_schedule.create", outcome: "success", targetType: "report_schedule", targetId: r.schedule.id, details: { report: r.schedule.report, frequency: r.schedule.frequency, recipients: r.schedule.recipientUserIds }, client });
    return redirect(`/reports/schedules/${r.schedule.id}?saved=1`);
  }
  const id = input.id || onPage;
  if (!id) return refuse({ id: t("schedules.error.noId") }, { intent, values });
  if (input.intent === "delete") {
    const r = await deleteSchedule(ctx, id);
    if (!r.ok) return refused(r);
    await audit(db(), { actor: ctx, action: "report_schedule.delete", outcome: "success", targetType: "report_schedule", targetId: id, client });
    return redirect("/reports/schedules?deleted=1");
  }
  const r = await setPaused(ctx, id, input.intent === "pause", now);
  if (!r.ok) return refused(r);
  await audit(db(), { actor: ctx, action: `report_schedule.${input.intent}`, outcome: "success", targetType: "report_schedule", targetId: id, client });
  return json({ ok: true as const });
}

export const schedulesAction = (request: Request, now = new Date()) => intents(request, now, null);

/* ------------------------------ /reports/schedules/:id ------------------------------ */

export async function schedulePage(request: Request, id: string) {
  const ctx = await requireContext(request, "reports:export");
  const s = await getSchedule(ctx.scope, id);
  if (!s) return notFound(ctx, request, { type: "report_schedule", id });
  const url = new URL(request.url);
  // Changing the report on the form (a GET) shows that report's columns.
  const values = url.searchParams.has("report") ? { ...valuesOf(s), ...pick(valuesFromUrl(ctx, url.searchParams), ["report", "columns"]) } : valuesOf(s);
  const runs = await scheduleRuns(ctx.scope, id);
  return json(
    {
      schedule: summaryOf(ctx, s),
      upcoming: s.paused ? [] : upcoming(s),
      values,
      choices: await formChoices(ctx, values),
      runs: runs.map(lastRunOf),
      saved: url.searchParams.get("saved") === "1",
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
}

/** The next three runs: what the person setting it up checks. */
function upcoming(s: ReportSchedule): string[] {
  const out: string[] = [];
  let at = s.nextRunAt ?? new Date();
  out.push(at.toISOString());
  for (let i = 0; i < 2; i++) {
    at = nextRunAfter(ruleOf(s), at);
    out.push(at.toISOString());
  }
  return out;
}

export const scheduleAction = (request: Request, id: string, now = new Date()) => intents(request, now, id);

/* ------------------------------ /reports/runs/:id?token= ------------------------------ */

export async function runDownload(request: Request, runId: string, opts: { now?: Date } = {}): Promise<Response> {
  const ctx = await requireContext(request, "reports:export");
  const url = new URL(request.url);
  const r = await openRunLink(ctx, runId, url.searchParams.get("token") ?? "", { signal: request.signal, client: clientOf(request) }, opts.now);
  if (!r.ok) {
    return new Response(request.method === "HEAD" ? null : runLinkPage(ctx, r.reason), {
      status: r.status,
      headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
    });
  }
  return fileResponse(r.body, r, { "Content-Length": String(r.bytes) });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page a refused link answers (410 expired, 403 not a recipient, 404 not valid), in the reader's language. */
function runLinkPage(ctx: AppContext, reason: "invalid" | "not_recipient" | "expired"): string {
  const prefs = resolvePreferences(ctx);
  const t = serverTranslator(prefs);
  const fa = prefs.locale === "fa";
  return `<!doctype html>
<html lang="${prefs.locale}" dir="${fa ? "rtl" : "ltr"}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="/favicon.svg" type="image/svg+xml">
<title>${escapeHtml(t(`runLink.title.${reason}`))}</title>
<style>body{margin:0;min-height:100vh;display:grid;place-items:center;padding:1.5rem;box-sizing:border-box;font:16px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,Vazirmatn,Tahoma,sans-serif;background:#f6f7f9;color:#1d2330}main{max-width:34rem;width:100%;background:#fff;border:1px solid #e2e5ea;border-radius:12px;padding:2rem;box-sizing:border-box}h1{font-size:1.3rem;margin:0 0 .75rem}a{color:#2952cc}</style>
</head>
<body><main role="alert" aria-labelledby="t">
<h1 id="t">${escapeHtml(t(`runLink.title.${reason}`))}</h1>
<p>${escapeHtml(t(`runLink.${reason}`, { days: LINK_LIFETIME_MS / 86_400_000 }))}</p>
<p><a href="/reports">${escapeHtml(t("runLink.reports"))}</a></p>
</main></body></html>`;
}
