/**
 * Scheduled reports: any report with its filters, columns, zone and format, sent by e-mail
 * daily, weekly or monthly (Jalali months for Persian readers) at a local time to members
 * of the team.
 *
 *   every minute: sweepDueSchedules  -> one `scheduled_report` job per schedule and period
 *                                        (job key report:<merchant>:<schedule>:<period>),
 *                                        next_run_at moved on in the same transaction
 *   the job:      runScheduledReport -> one report_schedule_runs row per schedule and period
 *                                        (unique), the file, one mail per recipient, and the
 *                                        row marked sent in the mails' transaction
 *
 * Exactly once per period: two sweeps lock a schedule with SKIP LOCKED and the job key
 * dedupes a waiting job; the run row is unique per period and its mails are written in the
 * transaction that marks it finished (only a run still "running" may finish), so a job run
 * again after a crash, or by a second worker, sends nothing twice.
 *
 * Permission is checked at each run: the owner and every recipient must still be active
 * members allowed to export the report and its columns. A recipient who is not is left out
 * (the run's history says who and why); an owner who is not gets nothing sent and a mail
 * saying so, as does the owner of any run that fails.
 *
 * A file up to 10 MB is attached; a larger one is stored once, as made, in the database
 * (report_run_files, in parts of about 1 MB: the same on PGlite and on a server, and for
 * every server of a fleet) and the mail carries a link to exactly that file. The link
 * expires in 7 days (the minute's sweep then deletes the file) and opens only for a
 * signed-in recipient of that run who is still a member allowed to export the report.
 *
 * A run that throws (the database away, a bug) is retried by the queue; when its last
 * attempt fails too, the run ends as "failed" with the reason in its history and the
 * owner is told (failScheduledRun). A run still "running" a day after it started (a job
 * lost with its worker) is ended the same way by the sweep.
 */
import crypto from "node:crypto";
import { and, desc, eq, sql } from "drizzle-orm";
import { db, rows, type DbOrTx } from "~db/client.server";
import { memberships, merchants, reportRunFiles, reportScheduleRuns, reportSchedules, users } from "~db/schema";
import { newId } from "~/lib/ids";
import { can, type Role } from "~/lib/permissions";
import {
  latestRunDue,
  nextRunAfter,
  periodOfRun,
  ruleProblem,
  TIME_ZONE_REFUSAL,
  type ScheduleCalendar,
  type ScheduleFrequency,
  type SchedulePeriod,
  type ScheduleRefusal,
  type ScheduleRule,
} from "~/lib/report-schedule";
import { errorText, localize, type Localized } from "~/lib/i18n/messages";
import { translator } from "~/lib/i18n/translate";
import type { Weekday } from "~/lib/dates/zones";
import type { Client, Scope } from "~/lib/vocabulary";
import { enqueueJob } from "~/modules/jobs/queue.server";
import { MAX_ATTACHMENT_BYTES, sendMail, type OutgoingMail } from "~/modules/mail/mailer.server";
import { isReportId, type ReportId } from "./definition";
import { checkExport, openExport, type ExportContext, type ExportDownload, type ExportFormat } from "./export.server";
import { allowedColumns, canonicalTimeZone } from "./options.server";
import { endpointParams } from "./endpoint-params";
import { REPORTS } from "./registry.server";
import { failedRunMail, leftOutMail, reportMail } from "./schedule-mail";
import { audit } from "~/modules/audit/audit.server";
import { pullStream } from "./export.server";
import { env } from "~/lib/env.server";

/** The largest file sent as an attachment (the outbox's limit); above it the mail carries a link. */
export { MAX_ATTACHMENT_BYTES };
/** How long a link to a large file works. */
export const LINK_LIFETIME_MS = 7 * 86_400_000;
export const MAX_RECIPIENTS = 20;

export type ReportSchedule = typeof reportSchedules.$inferSelect;
export type ReportScheduleRun = typeof reportScheduleRuns.$inferSelect;

export interface ScheduleInput {
  name: string;
  report: string;
  format: string;
  filters: string;
  columns: string[];
  timeZone: string;
  amounts: string;
  excel: boolean;
  jalali: boolean;
  frequency: string;
  weekday: number | null;
  monthDay: number | null;
  localTime: string;
  calendar: string;
  recipientUserIds: string[];
}

/** A refusal of a change to a schedule: 400 a field, 404 no such schedule, 403 not the editor's to change. */
export type ScheduleChangeRefusal = { ok: false; status: 400 | 403 | 404 } & ScheduleRefusal;
export type ScheduleResult = { ok: true; schedule: ReportSchedule } | ScheduleChangeRefusal;

const NO_SUCH_SCHEDULE: ScheduleChangeRefusal = {
  ok: false,
  status: 404,
  field: "id",
  message: "There is no such schedule (it may have been deleted).",
  i18n: { key: "schedules.error.notFound" },
};
const notTheirs = (verb: "change" | "delete"): ScheduleChangeRefusal => ({
  ok: false,
  status: 403,
  field: "id",
  message: `Only the schedule's owner or someone who manages staff may ${verb} it.`,
  i18n: { key: verb === "change" ? "schedules.error.notYoursChange" : "schedules.error.notYoursDelete" },
});

export function ruleOf(s: Pick<ReportSchedule, "frequency" | "localTime" | "weekday" | "monthDay" | "calendar" | "timeZone">): ScheduleRule {
  return {
    frequency: s.frequency as ScheduleFrequency,
    localTime: s.localTime,
    weekday: (s.weekday ?? null) as Weekday | null,
    monthDay: s.monthDay ?? null,
    calendar: s.calendar as ScheduleCalendar,
    timeZone: s.timeZone,
  };
}

/** The report endpoint's query for a schedule and a period: its options, its filters, the period. */
export function runParams(s: Pick<ReportSchedule, "report" | "filters" | "columns" | "timeZone" | "amounts" | "excel" | "jalali">, period: SchedulePeriod): URLSearchParams {
  const q = endpointParams(s.report as ReportId, {
    start: period.start,
    end: period.end,
    payout: "",
    timeZone: s.timeZone,
    amounts: s.amounts === "minor" ? "minor" : "major",
    excel: s.excel,
    jalali: s.jalali,
    columns: s.columns,
  });
  for (const [k, v] of new URLSearchParams(s.filters)) if (!q.has(k)) q.append(k, v);
  return q;
}

/* ------------------------------ the team ------------------------------ */

export interface TeamMember {
  userId: string;
  email: string;
  name: string;
  locale: string | null;
  role: Role;
  status: string;
}

export async function teamOf(dbx: DbOrTx, merchantId: string): Promise<TeamMember[]> {
  return dbx
    .select({ userId: users.id, email: users.email, name: users.name, locale: users.locale, role: memberships.role, status: memberships.status })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.merchantId, merchantId))
    .orderBy(users.name);
}

/** Why a member may not receive this report now (in English, and as a catalog key); null when they may. */
export function refusalOf(member: TeamMember | undefined, report: ReportId, columns: readonly string[]): { message: string; i18n: Localized } | null {
  if (!member) return { message: "no longer a member of the team", i18n: { key: "schedules.refusal.notMember" } };
  const role: Localized = { key: `role.${member.role}` };
  if (member.status !== "active") {
    const status = member.status === "disabled" || member.status === "invited" ? ({ key: `memberStatus.${member.status}` } as const) : member.status;
    return { message: `membership is ${member.status}`, i18n: { key: "schedules.refusal.inactive", params: { status } } };
  }
  if (!can(member.role, "reports:export")) return { message: `the ${member.role} role may not export reports`, i18n: { key: "schedules.refusal.role", params: { role } } };
  for (const p of REPORTS[report].permissions) {
    if (!can(member.role, p)) return { message: `the ${member.role} role lacks ${p}`, i18n: { key: "schedules.refusal.permission", params: { role, permission: { key: `permission.${p}` } } } };
  }
  const allowed = new Set(allowedColumns(REPORTS[report], member.role).map((c) => c.key));
  const hidden = columns.filter((c) => !allowed.has(c));
  if (hidden.length > 0) {
    const list = hidden.join(", ");
    return { message: `the ${member.role} role may not export the column ${list}`, i18n: { key: "schedules.refusal.columns", params: { role, columns: list } } };
  }
  return null;
}

/** Why a member may not receive this report now, in English (run history, logs); null when they may. */
export function refusalFor(member: TeamMember | undefined, report: ReportId, columns: readonly string[]): string | null {
  return refusalOf(member, report, columns)?.message ?? null;
}

/** A member as an export context (a schedule's file is made with its owner's rights). */
export async function memberContext(merchantId: string, userId: string): Promise<ExportContext | null> {
  const member = (await teamOf(db(), merchantId)).find((m) => m.userId === userId);
  return member ? contextOf(db(), merchantId, member) : null;
}

async function contextOf(dbx: DbOrTx, merchantId: string, member: TeamMember): Promise<ExportContext> {
  const [m] = await dbx.select().from(merchants).where(eq(merchants.id, merchantId));
  if (!m) throw new Error(`merchant ${merchantId} not found`);
  return {
    user: { id: member.userId, email: member.email, name: member.name, locale: member.locale, digits: null, irrDisplay: null, twoFactorEnabled: false },
    merchant: {
      id: m.id,
      name: m.name,
      currency: m.currency,
      timeZone: m.timeZone,
      status: m.status,
      defaultLocale: m.defaultLocale,
      country: m.country,
      supportRefundLimit: m.supportRefundLimit,
      require2fa: m.require2fa,
    },
    role: member.role,
    scope: { merchantId },
  };
}

/* ------------------------------ managing schedules ------------------------------ */

type Editor = Pick<ExportContext, "user" | "role" | "scope" | "merchant">;

/** The owner of a schedule edits it; so does anyone who manages staff. */
export function mayEdit(editor: Pick<Editor, "user" | "role">, s: Pick<ReportSchedule, "ownerUserId">): boolean {
  return s.ownerUserId === editor.user.id || can(editor.role, "staff:manage");
}

/** A refused field whose reason has no parameters of its own. */
const refused = (field: string, message: string, key: Localized["key"], params?: Localized["params"]): ScheduleRefusal => ({
  field,
  message,
  i18n: params ? { key, params } : { key },
});

async function validate(editor: Editor, input: ScheduleInput, now: Date): Promise<ScheduleRefusal | { field?: undefined; message?: undefined; rule: ScheduleRule }> {
  const name = input.name.trim();
  if (!name) return refused("name", "Give the schedule a name (for example: Monthly reconciliation).", "schedules.error.name", { example: { key: "schedules.namePlaceholder" } });
  if (name.length > 120) return refused("name", "Keep the name under 120 characters.", "schedules.error.nameLong", { max: 120 });
  if (!isReportId(input.report)) return refused("report", `Choose a report: ${Object.keys(REPORTS).join(", ")}.`, "schedules.error.report");
  if (input.format !== "csv" && input.format !== "xlsx") return refused("format", "Choose CSV or Excel (XLSX).", "schedules.error.format");
  if (input.columns.length === 0) return refused("columns", "Tick at least one column.", "reports.error.columns");
  if (input.filters.length > 2000) return refused("filters", "The filters are too long (2,000 characters at most).", "schedules.error.filtersLong", { max: 2000 });
  let timeZone: string;
  try {
    timeZone = canonicalTimeZone(input.timeZone);
  } catch {
    return TIME_ZONE_REFUSAL;
  }
  const rule: ScheduleRule = {
    frequency: input.frequency as ScheduleFrequency,
    localTime: input.localTime,
    weekday: input.frequency === "weekly" ? (input.weekday as Weekday) : null,
    monthDay: input.frequency === "monthly" ? input.monthDay : null,
    calendar: input.calendar as ScheduleCalendar,
    timeZone,
  };
  const problem = ruleProblem(rule);
  if (problem) return problem;
  const params = runParams({ ...input, timeZone, report: input.report }, periodOfRun(rule, nextRunAfter(rule, now)));
  // The export's own reasons (a column, a filter) come without a key: the edge words them by field.
  const exportRefusal = await checkExport(editor, input.report, params, now);
  if (exportRefusal) return exportRefusal;
  if (input.recipientUserIds.length === 0) return refused("recipients", "Choose at least one member of the team to send it to.", "schedules.error.noRecipients");
  if (input.recipientUserIds.length > MAX_RECIPIENTS) {
    return refused("recipients", `Send it to ${MAX_RECIPIENTS} members at most.`, "schedules.error.tooManyRecipients", { max: MAX_RECIPIENTS });
  }
  const team = await teamOf(db(), editor.scope.merchantId);
  for (const id of input.recipientUserIds) {
    const member = team.find((m) => m.userId === id);
    const why = refusalOf(member, input.report, input.columns);
    const who = member?.email ?? id;
    if (why) {
      return refused("recipients", `${who} cannot receive this report: ${why.message}. Choose members who may export it.`, "schedules.error.recipient", { member: who, reason: why.i18n });
    }
  }
  return { rule };
}

export async function saveSchedule(editor: Editor, input: ScheduleInput, opts: { now: Date; origin: string; id?: string }): Promise<ScheduleResult> {
  const checked = await validate(editor, input, opts.now);
  if (checked.field !== undefined) return { ok: false, status: 400, ...checked };
  const { rule } = checked;
  const values = {
    name: input.name.trim(),
    report: input.report,
    format: input.format,
    filters: input.filters,
    columns: input.columns,
    timeZone: rule.timeZone,
    amounts: input.amounts === "minor" ? "minor" : "major",
    excel: input.excel,
    jalali: input.jalali,
    frequency: rule.frequency,
    weekday: rule.weekday ?? null,
    monthDay: rule.monthDay ?? null,
    localTime: rule.localTime,
    calendar: rule.calendar,
    recipientUserIds: [...new Set(input.recipientUserIds)],
    nextRunAt: nextRunAfter(rule, opts.now),
    updatedAt: opts.now,
  };
  if (opts.id) {
    const existing = await getSchedule(editor.scope, opts.id);
    if (!existing) return NO_SUCH_SCHEDULE;
    if (!mayEdit(editor, existing)) return notTheirs("change");
    const [row] = await db()
      .update(reportSchedules)
      .set(values)
      .where(and(eq(reportSchedules.merchantId, editor.scope.merchantId), eq(reportSchedules.id, opts.id)))
      .returning();
    return { ok: true, schedule: row! };
  }
  const [row] = await db()
    .insert(reportSchedules)
    .values({ ...values, merchantId: editor.scope.merchantId, id: newId("rs", opts.now), ownerUserId: editor.user.id, origin: opts.origin, createdAt: opts.now })
    .returning();
  return { ok: true, schedule: row! };
}

export async function getSchedule(scope: Scope, id: string): Promise<ReportSchedule | null> {
  const [row] = await db()
    .select()
    .from(reportSchedules)
    .where(and(eq(reportSchedules.merchantId, scope.merchantId), eq(reportSchedules.id, id)));
  return row ?? null;
}

export async function listSchedules(scope: Scope): Promise<(ReportSchedule & { lastRun: ReportScheduleRun | null })[]> {
  const list = await db().select().from(reportSchedules).where(eq(reportSchedules.merchantId, scope.merchantId)).orderBy(reportSchedules.createdAt);
  const last = await rows<{ schedule_id: string; id: string }>(
    db(),
    sql`select distinct on (schedule_id) schedule_id, id from report_schedule_runs where merchant_id = ${scope.merchantId} order by schedule_id, started_at desc`,
  );
  const runs = new Map<string, ReportScheduleRun>();
  for (const r of last) {
    const [run] = await db().select().from(reportScheduleRuns).where(and(eq(reportScheduleRuns.merchantId, scope.merchantId), eq(reportScheduleRuns.id, r.id)));
    if (run) runs.set(r.schedule_id, run);
  }
  return list.map((s) => ({ ...s, lastRun: runs.get(s.id) ?? null }));
}

export async function scheduleRuns(scope: Scope, scheduleId: string, limit = 50): Promise<ReportScheduleRun[]> {
  return db()
    .select()
    .from(reportScheduleRuns)
    .where(and(eq(reportScheduleRuns.merchantId, scope.merchantId), eq(reportScheduleRuns.scheduleId, scheduleId)))
    .orderBy(desc(reportScheduleRuns.startedAt))
    .limit(limit);
}

export async function setPaused(editor: Editor, id: string, paused: boolean, now: Date): Promise<ScheduleResult> {
  const s = await getSchedule(editor.scope, id);
  if (!s) return NO_SUCH_SCHEDULE;
  if (!mayEdit(editor, s)) return notTheirs("change");
  // Resuming starts from now: the runs missed while paused are not sent.
  const [row] = await db()
    .update(reportSchedules)
    .set({ paused, nextRunAt: paused ? s.nextRunAt : nextRunAfter(ruleOf(s), now), updatedAt: now })
    .where(and(eq(reportSchedules.merchantId, editor.scope.merchantId), eq(reportSchedules.id, id)))
    .returning();
  return { ok: true, schedule: row! };
}

export async function deleteSchedule(editor: Editor, id: string): Promise<{ ok: true } | ScheduleChangeRefusal> {
  const s = await getSchedule(editor.scope, id);
  if (!s) return NO_SUCH_SCHEDULE;
  if (!mayEdit(editor, s)) return notTheirs("delete");
  await db().delete(reportSchedules).where(and(eq(reportSchedules.merchantId, editor.scope.merchantId), eq(reportSchedules.id, id)));
  return { ok: true };
}

/* ------------------------------ the sweep ------------------------------ */

export interface ScheduledRunPayload {
  merchantId: string;
  scheduleId: string;
  periodKey: string;
  start: string;
  end: string;
  scheduledFor: string;
}

export function runJobKey(p: Pick<ScheduledRunPayload, "merchantId" | "scheduleId" | "periodKey">): string {
  return `report:${p.merchantId}:${p.scheduleId}:${p.periodKey}`;
}

/**
 * Enqueues a job for every schedule whose run is due (the latest due run only: a server
 * that was off for three days sends the last period, once) and moves each schedule's next
 * run on, in one transaction per batch. Two sweeps at once skip each other's rows.
 */
export async function sweepDueSchedules(now: Date = new Date(), limit = 100): Promise<number> {
  return db().transaction(async (tx) => {
    const due = await rows<{ merchant_id: string; id: string }>(
      tx,
      sql`select merchant_id, id from report_schedules where not paused and next_run_at <= ${now.toISOString()}::timestamptz
          order by next_run_at limit ${limit} for update skip locked`,
    );
    for (const d of due) {
      const [s] = await tx.select().from(reportSchedules).where(and(eq(reportSchedules.merchantId, d.merchant_id), eq(reportSchedules.id, d.id)));
      if (!s || !s.nextRunAt) continue;
      const rule = ruleOf(s);
      const runAt = latestRunDue(rule, s.nextRunAt, now) ?? s.nextRunAt;
      const period = periodOfRun(rule, runAt);
      const payload: ScheduledRunPayload = { merchantId: s.merchantId, scheduleId: s.id, periodKey: period.key, start: period.start, end: period.end, scheduledFor: runAt.toISOString() };
      await enqueueJob(tx, "scheduled_report", payload as unknown as Record<string, unknown>, { jobKey: runJobKey(payload), jobKeyMode: "preserve_run_at", maxAttempts: 5 });
      await tx
        .update(reportSchedules)
        .set({ nextRunAt: nextRunAfter(rule, runAt.getTime() > now.getTime() ? runAt : now) })
        .where(and(eq(reportSchedules.merchantId, s.merchantId), eq(reportSchedules.id, s.id)));
    }
    return due.length;
  });
}

/* ------------------------------ one run ------------------------------ */

const SCHEDULER_CLIENT: Client = { ip: null, userAgent: "scheduled report" };

function publicOrigin(s: ReportSchedule): string {
  return (env.PUBLIC_URL ?? s.origin).replace(/\/+$/, "");
}

function localeOf(member: { locale: string | null } | undefined, merchantLocale: string): "en" | "fa" {
  return (member?.locale ?? merchantLocale).toLowerCase().startsWith("fa") ? "fa" : "en";
}

export type RunOutcome = "sent" | "failed" | "skipped" | "already_done";

/** Bytes per stored part of a large run's file. */
export const FILE_PART_BYTES = 1024 * 1024;

/**
 * Reads a download to its end: the bytes while they fit in `keep` (the attachment), else
 * handed to `store` in parts of FILE_PART_BYTES as they come (memory holds `keep` and a
 * part at most); their size and the row count.
 */
async function drain(
  download: Extract<ExportDownload, { ok: true }>,
  keep: number,
  ended: Promise<{ rows: number; completed: boolean }>,
  store: (part: number, bytes: Buffer) => Promise<void>,
  partBytes = FILE_PART_BYTES,
) {
  const reader = download.body.getReader();
  let held: Uint8Array[] = [];
  let heldBytes = 0;
  let size = 0;
  let stored = false;
  let part = 0;
  const flush = async (final: boolean) => {
    if (heldBytes < partBytes && !(final && heldBytes > 0)) return;
    const all = Buffer.concat(held, heldBytes);
    let at = 0;
    while (all.length - at >= partBytes || (final && at < all.length)) {
      const n = Math.min(partBytes, all.length - at);
      await store(part++, all.subarray(at, at + n));
      at += n;
    }
    held = at < all.length ? [all.subarray(at)] : [];
    heldBytes = all.length - at;
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    held.push(value);
    heldBytes += value.byteLength;
    if (size > keep) stored = true;
    if (stored) await flush(false);
  }
  if (stored) await flush(true);
  const end = await ended;
  return { content: stored ? null : Buffer.concat(held, heldBytes), size, rows: end.rows, completed: end.completed, parts: part };
}

/** The run of a payload's schedule and period, made (status running) if it is not there yet. */
async function runOf(dbx: DbOrTx, s: ReportSchedule, p: ScheduledRunPayload, now: Date): Promise<ReportScheduleRun | undefined> {
  await dbx
    .insert(reportScheduleRuns)
    .values({
      merchantId: s.merchantId,
      id: newId("rsr", now),
      scheduleId: s.id,
      periodKey: p.periodKey,
      periodStart: p.start,
      periodEnd: p.end,
      scheduledFor: new Date(p.scheduledFor),
      report: s.report,
      format: s.format,
      startedAt: now,
    })
    .onConflictDoNothing();
  const [run] = await dbx
    .select()
    .from(reportScheduleRuns)
    .where(and(eq(reportScheduleRuns.merchantId, s.merchantId), eq(reportScheduleRuns.scheduleId, s.id), eq(reportScheduleRuns.periodKey, p.periodKey)));
  return run;
}

/** A recipient left out of a run: why in English, and as a catalog key (the history and their mail say it in their language). */
export type LeftOut = { userId: string; email: string | null; reason: string; reasonI18n?: Localized };

/** Why a run failed: in English (logs, the `failure` column) and as a catalog key with its parameters. */
export interface RunFailure {
  message: string;
  i18n: Localized;
}


/**
 * Ends a run still "running" as failed (nothing sent, its stored file deleted) and tells
 * the owner, in one transaction; "already_done" when it had ended already.
 */
async function endRunFailed(s: ReportSchedule, run: Pick<ReportScheduleRun, "id" | "periodKey">, failure: RunFailure, leftOut: LeftOut[], now: Date): Promise<RunOutcome> {
  const dbx = db();
  const [merchant] = await dbx.select({ defaultLocale: merchants.defaultLocale }).from(merchants).where(eq(merchants.id, s.merchantId));
  const [ownerUser] = await dbx.select({ email: users.email, locale: users.locale }).from(users).where(eq(users.id, s.ownerUserId));
  const team = await teamOf(dbx, s.merchantId);
  return dbx.transaction(async (tx) => {
    const done = await tx
      .update(reportScheduleRuns)
      .set({ status: "failed", failure: failure.message.slice(0, 1000), failureI18n: failure.i18n, leftOut, finishedAt: now })
      .where(and(eq(reportScheduleRuns.merchantId, s.merchantId), eq(reportScheduleRuns.id, run.id), eq(reportScheduleRuns.status, "running")))
      .returning({ id: reportScheduleRuns.id });
    if (done.length === 0) return "already_done";
    await tx.delete(reportRunFiles).where(and(eq(reportRunFiles.merchantId, s.merchantId), eq(reportRunFiles.runId, run.id)));
    if (ownerUser) {
      const locale = localeOf(ownerUser, merchant?.defaultLocale ?? "en");
      await send(tx, {
        ...failedRunMail(locale, { to: ownerUser.email, schedule: s.name, period: run.periodKey, failure: localize(translator(locale), failure.i18n), manage: manageUrl(s) }),
        locale,
        kind: "report.failed",
        dedupeKey: `report-failed:${run.id}`,
      });
    }
    await tellLeftOut(tx, s, run.id, leftOut, team, merchant?.defaultLocale ?? "en");
    return "failed";
  });
}

function manageUrl(s: ReportSchedule): string {
  return `${publicOrigin(s)}/reports/schedules/${s.id}`;
}

/**
 * Tells each member left out of a run that they no longer receive the schedule, and why:
 * once, at the first run that leaves them out (not when the run before did too).
 */
async function tellLeftOut(tx: DbOrTx, s: ReportSchedule, runId: string, leftOut: LeftOut[], team: TeamMember[], merchantLocale: string): Promise<void> {
  if (leftOut.length === 0) return;
  const [previous] = await rows<{ left_out: LeftOut[] }>(
    tx,
    sql`select left_out from report_schedule_runs where merchant_id = ${s.merchantId} and schedule_id = ${s.id} and id <> ${runId}
        and status in ('sent', 'failed') order by started_at desc limit 1`,
  );
  const before = new Set((previous?.left_out ?? []).map((l) => l.userId));
  for (const l of leftOut) {
    if (!l.email || before.has(l.userId)) continue;
    const member = team.find((m) => m.userId === l.userId);
    const locale = localeOf(member, merchantLocale);
    await send(tx, {
      ...leftOutMail(locale, { to: l.email, schedule: s.name, reason: errorText(translator(locale), { message: l.reason, i18n: l.reasonI18n }) }),
      locale,
      kind: "report.left_out",
      dedupeKey: `report-left-out:${runId}:${l.userId}`,
    });
  }
}

/**
 * The scheduled_report task: makes the file and mails it, once per schedule and period.
 * Throws only when the database fails (the queue retries; failScheduledRun ends the run
 * after the last attempt); every other failure is recorded in the run and told to the owner.
 */
export async function runScheduledReport(
  p: ScheduledRunPayload,
  opts: { now?: () => Date; maxAttachmentBytes?: number; /** Tests: smaller parts of a stored file. */ filePartBytes?: number } = {},
): Promise<RunOutcome> {
  const now = opts.now ?? (() => new Date());
  const maxAttachment = opts.maxAttachmentBytes ?? MAX_ATTACHMENT_BYTES;
  const dbx = db();
  const [s] = await dbx.select().from(reportSchedules).where(and(eq(reportSchedules.merchantId, p.merchantId), eq(reportSchedules.id, p.scheduleId)));
  if (!s) return "skipped";
  const run = await runOf(dbx, s, p, now());
  if (!run || run.status !== "running") return "already_done";

  const [merchant] = await dbx.select({ name: merchants.name, defaultLocale: merchants.defaultLocale }).from(merchants).where(eq(merchants.id, s.merchantId));
  const team = await teamOf(dbx, s.merchantId);
  const owner = team.find((m) => m.userId === s.ownerUserId);
  const manage = manageUrl(s);
  const period = { key: p.periodKey, start: p.start, end: p.end };
  const fail = (failure: RunFailure, leftOut: LeftOut[] = []) => endRunFailed(s, run, failure, leftOut, now());

  if (!isReportId(s.report)) return fail({ message: `The report “${s.report}” no longer exists.`, i18n: { key: "schedules.failure.reportGone", params: { report: s.report } } });
  const report = s.report;
  const ownerRefusal = refusalOf(owner, report, s.columns);
  if (ownerRefusal) {
    const [u] = await dbx.select({ email: users.email }).from(users).where(eq(users.id, s.ownerUserId));
    const who = u?.email ?? s.ownerUserId;
    return fail({
      message: `The schedule's owner (${who}) may no longer export this report: ${ownerRefusal.message}. Nothing was sent.`,
      i18n: { key: "schedules.failure.ownerRefused", params: { owner: who, reason: ownerRefusal.i18n } },
    });
  }

  const recipients: TeamMember[] = [];
  const leftOut: LeftOut[] = [];
  for (const id of s.recipientUserIds) {
    const member = team.find((m) => m.userId === id);
    const why = refusalOf(member, report, s.columns);
    if (why) leftOut.push({ userId: id, email: member?.email ?? null, reason: why.message, reasonI18n: why.i18n });
    else recipients.push(member!);
  }
  if (recipients.length === 0) {
    return fail({ message: "None of the recipients may receive this report any more; nothing was sent.", i18n: { key: "schedules.failure.noRecipients" } }, leftOut);
  }

  const ctx = await contextOf(dbx, s.merchantId, owner!);
  const params = runParams(s, period);
  let ended!: (r: { rows: number; completed: boolean }) => void;
  const endedP = new Promise<{ rows: number; completed: boolean }>((r) => (ended = r));
  let file: Awaited<ReturnType<typeof drain>>;
  let fileName: string;
  // A retry starts its file again.
  const fileOf = and(eq(reportRunFiles.merchantId, s.merchantId), eq(reportRunFiles.runId, run.id));
  await dbx.delete(reportRunFiles).where(fileOf);
  try {
    const download = await openExport(
      ctx,
      report,
      { params, signal: new AbortController().signal, client: SCHEDULER_CLIENT },
      { format: s.format as ExportFormat, now: now(), onEnd: ended, auditDetails: { schedule: s.id, period: period.key } },
    );
    if (!download.ok) {
      return fail({ message: `The report's settings could not be used (${download.field}: ${download.message}); nothing was sent.`, i18n: { key: "schedules.failure.export", params: { field: download.field, message: download.message } } }, leftOut);
    }
    fileName = download.fileName;
    file = await drain(download, maxAttachment, endedP, async (part, content) => {
      await dbx.insert(reportRunFiles).values({ merchantId: s.merchantId, runId: run.id, part, content });
    }, opts.filePartBytes);
    if (!file.completed) throw new Error("the report stopped before its end");
  } catch (e) {
    if (isDatabaseDown(e)) throw e;
    const error = e instanceof Error ? e.message : String(e);
    return fail({ message: `The report could not be made: ${error}`, i18n: { key: "schedules.failure.error", params: { error } } }, leftOut);
  }

  const token = file.content ? null : crypto.randomBytes(24).toString("base64url");
  const linkExpiresAt = token ? new Date(now().getTime() + LINK_LIFETIME_MS) : null;
  return dbx.transaction(async (tx) => {
    const done = await tx
      .update(reportScheduleRuns)
      .set({
        status: "sent",
        rows: file.rows,
        bytes: file.size,
        fileName,
        params: params.toString(),
        delivery: token ? "link" : "attachment",
        sentTo: recipients.map((r) => r.email),
        sentToUserIds: recipients.map((r) => r.userId),
        leftOut,
        linkTokenHash: token ? sha256(token) : null,
        linkExpiresAt,
        finishedAt: now(),
      })
      .where(and(eq(reportScheduleRuns.merchantId, s.merchantId), eq(reportScheduleRuns.id, run.id), eq(reportScheduleRuns.status, "running")))
      .returning({ id: reportScheduleRuns.id });
    if (done.length === 0) return "already_done";
    for (const r of recipients) {
      const locale = localeOf(r, merchant?.defaultLocale ?? "en");
      const link = token ? `${publicOrigin(s)}/reports/runs/${run.id}?token=${token}` : null;
      const text = reportMail(locale, {
        to: r.email,
        schedule: s.name,
        report: REPORTS[report].title,
        merchant: merchant?.name ?? "",
        period,
        rows: file.rows,
        bytes: file.size,
        fileName,
        link,
        linkExpiresAt,
        manage,
      });
      await send(tx, {
        ...text,
        locale,
        kind: "report",
        dedupeKey: `report:${run.id}:${r.userId}`,
        attachments: file.content ? [{ filename: fileName, contentType: s.format === "xlsx" ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv", content: file.content }] : [],
      });
    }
    await tellLeftOut(tx, s, run.id, leftOut, team, merchant?.defaultLocale ?? "en");
    return "sent";
  });
}

/**
 * A run whose job failed for the last time (the queue gives up): ends it as failed with
 * the reason in its history and tells the owner. A run not made yet is made to say so.
 */
export async function failScheduledRun(p: ScheduledRunPayload, why: { attempts: number; error: string }, now: Date = new Date()): Promise<RunOutcome> {
  const [s] = await db().select().from(reportSchedules).where(and(eq(reportSchedules.merchantId, p.merchantId), eq(reportSchedules.id, p.scheduleId)));
  if (!s) return "skipped";
  const run = await runOf(db(), s, p, now);
  if (!run || run.status !== "running") return "already_done";
  const error = why.error.slice(0, 300);
  return endRunFailed(
    s,
    run,
    { message: `The report could not be made after ${why.attempts} attempts: ${error}`, i18n: { key: "schedules.failure.attempts", params: { attempts: why.attempts, error } } },
    [],
    now,
  );
}

/** How long a run may stay "running" before the sweep ends it as failed (its job was lost). */
export const STALE_RUN_MS = 86_400_000;

/**
 * The minute's housekeeping: deletes the stored files of links that have expired, and ends
 * runs still "running" long after they started (their job lost, or given up on without a
 * word) as failed, telling their owners.
 */
export async function sweepRunHousekeeping(now: Date = new Date()): Promise<{ filesDeleted: number; staleFailed: number }> {
  const deleted = await rows<{ run_id: string }>(
    db(),
    sql`delete from report_run_files f using report_schedule_runs r
        where r.merchant_id = f.merchant_id and r.id = f.run_id and r.link_expires_at <= ${now.toISOString()}::timestamptz
        returning f.run_id`,
  );
  const stale = await rows<{ merchant_id: string; id: string }>(
    db(),
    sql`select merchant_id, id from report_schedule_runs where status = 'running'
        and started_at < ${new Date(now.getTime() - STALE_RUN_MS).toISOString()}::timestamptz limit 100`,
  );
  let staleFailed = 0;
  for (const r of stale) {
    const [run] = await db().select().from(reportScheduleRuns).where(and(eq(reportScheduleRuns.merchantId, r.merchant_id), eq(reportScheduleRuns.id, r.id)));
    const [s] = run ? await db().select().from(reportSchedules).where(and(eq(reportSchedules.merchantId, r.merchant_id), eq(reportSchedules.id, run.scheduleId))) : [];
    if (!run || !s) continue;
    const outcome = await endRunFailed(
      s,
      run,
      { message: "The run did not finish within a day (its job was lost); nothing was sent. The next period runs as planned.", i18n: { key: "schedules.failure.stale" } },
      [],
      now,
    );
    if (outcome === "failed") staleFailed++;
  }
  return { filesDeleted: new Set(deleted.map((d) => d.run_id)).size, staleFailed };
}

/** Through the mail outbox (sendMail: in the caller's transaction, sent by the send_mail job). */
async function send(tx: DbOrTx, mail: OutgoingMail): Promise<void> {
  await sendMail(tx, mail);
}

function isDatabaseDown(e: unknown): boolean {
  const code = (e as { code?: string })?.code ?? "";
  return code === "CONNECTION_CLOSED" || code === "CONNECTION_ENDED" || code === "ECONNREFUSED" || code.startsWith("08") || code === "57P01";
}

export function sha256(token: string): string {
  return crypto.createHash("sha256").update(token).digest("hex");
}

/* ------------------------------ the link ------------------------------ */

export type RunLinkResult =
  | { ok: true; format: ExportFormat; fileName: string; bytes: number; body: ReadableStream<Uint8Array> }
  | { ok: false; field: "token"; reason: "invalid" | "not_recipient" | "expired"; message: string; status: 403 | 404 | 410 };

/**
 * A large run's file, exactly as it was made and mailed, for a signed-in reader who holds
 * the mail's link, was one of that run's recipients and may still export the report (the
 * web edge has checked reports:export): streamed from its stored parts, one at a time.
 */
export async function openRunLink(
  ctx: ExportContext,
  runId: string,
  token: string,
  input: { signal: AbortSignal; client: Client },
  now: Date = new Date(),
): Promise<RunLinkResult> {
  const [run] = await db()
    .select()
    .from(reportScheduleRuns)
    .where(and(eq(reportScheduleRuns.merchantId, ctx.scope.merchantId), eq(reportScheduleRuns.id, runId)));
  const given = Buffer.from(sha256(token));
  if (!run || !run.linkTokenHash || !isReportId(run.report) || given.length !== run.linkTokenHash.length || !crypto.timingSafeEqual(given, Buffer.from(run.linkTokenHash))) {
    return {
      ok: false,
      field: "token",
      reason: "invalid",
      message: "This link is not valid for this merchant. Open the newest mail of the schedule, or download the report from the Reports page.",
      status: 404,
    };
  }
  if (!run.sentToUserIds.includes(ctx.user.id)) {
    return { ok: false, field: "token", reason: "not_recipient", message: "This file was sent to other members of the team. Ask the schedule's owner to add you as a recipient.", status: 403 };
  }
  const member = (await teamOf(db(), ctx.scope.merchantId)).find((m) => m.userId === ctx.user.id);
  const refusal = refusalFor(member, run.report, []);
  if (refusal) return { ok: false, field: "token", reason: "not_recipient", message: `You may no longer export this report: ${refusal}.`, status: 403 };
  const parts = await rows<{ n: number }>(db(), sql`select count(*)::int as n from report_run_files where merchant_id = ${run.merchantId} and run_id = ${run.id}`);
  if (!run.linkExpiresAt || run.linkExpiresAt.getTime() <= now.getTime() || (parts[0]?.n ?? 0) === 0) {
    return { ok: false, field: "token", reason: "expired", message: "This link expired 7 days after it was sent. Download the report from the Reports page instead.", status: 410 };
  }
  const merchantId = run.merchantId;
  const total = parts[0]!.n;
  const signal = input.signal;
  let sent = 0;
  async function* chunks(): AsyncGenerator<Uint8Array, void, undefined> {
    let completed = false;
    try {
      for (let part = 0; part < total; part++) {
        if (signal.aborted) return;
        const [row] = await db()
          .select({ content: reportRunFiles.content })
          .from(reportRunFiles)
          .where(and(eq(reportRunFiles.merchantId, merchantId), eq(reportRunFiles.runId, runId), eq(reportRunFiles.part, part)));
        if (!row) throw new Error(`part ${part} of the run's file is missing`);
        sent += row.content.byteLength;
        yield row.content;
      }
      completed = true;
    } finally {
      await audit(db(), {
        actor: ctx as never,
        merchantId,
        action: "export.download",
        outcome: completed ? "success" : "failure",
        targetType: "report",
        targetId: run!.report,
        details: { report: run!.report, format: run!.format, scheduleRun: run!.id, rendering: "stored", rows: run!.rows, bytes: sent, completed },
        client: input.client,
      }).catch(() => {});
    }
  }
  return { ok: true, format: run.format as ExportFormat, fileName: run.fileName ?? `${run.report}.${run.format}`, bytes: Number(run.bytes ?? 0), body: pullStream(chunks(), signal) };
}
