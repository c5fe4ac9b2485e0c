import crypto from "node:crypto";
import ExcelJS from "exceljs";
import { sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { rows } from "~db/client.server";
import { nextRunAfter, periodOfRun } from "~/lib/report-schedule";
import { errorText, type Localized } from "~/lib/i18n/messages";
import { translator } from "~/lib/i18n/translate";
import {
  memberContext,
  openRunLink,
  runJobKey,
  runScheduledReport,
  saveSchedule,
  scheduleRuns,
  setPaused,
  sweepDueSchedules,
  sweepRunHousekeeping,
  type ScheduleInput,
  type ScheduledRunPayload,
} from "~/modules/exports/schedules.server";
import { enqueueJob } from "~/modules/jobs/queue.server";
import { startWorker } from "~/server/worker";
import { runDownload } from "~/web/exports/schedules.server";
import { as, signIn } from "../../support/auth";
import { demoSeededAt, useTestDatabase } from "../../support/db";
import { setEnv } from "../../support/env";
import { startSmtpServer } from "../../support/smtp";

/**
 * Scheduled reports: the sweep queues one job per schedule and period, a run mails the file
 * to the members it may go to (once, whatever runs it twice), and the owner hears of a run
 * that could not be sent.
 */
const t = useTestDatabase({ seed: "demo" });
const COFFEE = "mer_demo_coffee";
const TEHRAN = "Asia/Tehran";

async function userId(email: string): Promise<string> {
  const [u] = await rows<{ id: string }>(t.db, sql`select id from users where email = ${email}`);
  return u!.id;
}
async function setRole(email: string, role: string) {
  await t.db.execute(sql`update memberships set role = ${role}::role where merchant_id = ${COFFEE} and user_id = (select id from users where email = ${email})`);
}
async function mails(like: string) {
  return rows<{ id: string; to: string; subject: string; body: string }>(t.db, sql`select id, "to", subject, body from outbound_emails where subject like ${like} order by "to"`);
}
async function editor(email: string) {
  const ctx = await memberContext(COFFEE, await userId(email));
  if (!ctx) throw new Error(`${email} is not a member`);
  return ctx;
}

function input(over: Partial<ScheduleInput>): ScheduleInput {
  return {
    name: "Monthly payments",
    report: "payments",
    format: "xlsx",
    filters: "",
    columns: ["id", "created", "created_utc", "status", "amount", "currency"],
    timeZone: TEHRAN,
    amounts: "major",
    excel: false,
    jalali: true,
    frequency: "monthly",
    weekday: null,
    monthDay: 1,
    localTime: "07:00",
    calendar: "jalali",
    recipientUserIds: [],
    ...over,
  };
}

async function queued(key: string): Promise<ScheduledRunPayload[]> {
  const r = await rows<{ payload: ScheduledRunPayload }>(t.db, sql`select payload from graphile_worker._private_jobs where key = ${key}`);
  return r.map((x) => x.payload);
}

describe("scheduled reports", () => {
  it("a schedule due in the next minute is queued once, mailed once to each member with the workbook attached", async () => {
    const accountant = await editor("accountant@coffee.test");
    const now = new Date();
    // Daily at the next whole minute in Tehran: due in under a minute.
    const next = new Date(Math.ceil((now.getTime() + 1000) / 60_000) * 60_000);
    const local = new Intl.DateTimeFormat("en-GB", { timeZone: TEHRAN, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(next);
    const saved = await saveSchedule(
      accountant,
      input({ name: "Daily payments", frequency: "daily", monthDay: null, localTime: local, recipientUserIds: [await userId("accountant@coffee.test"), await userId("owner@coffee.test")] }),
      { now, origin: "http://console.test" },
    );
    if (!saved.ok) throw new Error(saved.message);
    const s = saved.schedule;
    expect(s.nextRunAt!.toISOString()).toBe(next.toISOString());

    // Not yet due: nothing queued. Due: one job; two sweeps at once still queue one.
    expect(await sweepDueSchedules(new Date(next.getTime() - 1000))).toBe(0);
    const [a, b] = await Promise.all([sweepDueSchedules(next), sweepDueSchedules(next)]);
    expect(a + b).toBe(1);
    const period = periodOfRun({ frequency: "daily", localTime: local, calendar: "jalali", timeZone: TEHRAN }, next);
    const key = runJobKey({ merchantId: COFFEE, scheduleId: s.id, periodKey: period.key });
    const jobs = await queued(key);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ periodKey: period.key, start: period.start, end: period.end, scheduledFor: next.toISOString() });
    const [after] = await rows<{ next_run_at: string }>(t.db, sql`select next_run_at::text from report_schedules where id = ${s.id}`);
    expect(new Date(after!.next_run_at).getTime()).toBe(next.getTime() + 86_400_000);

    // The job, twice at once (a retry after a crash, a second worker): one run, one mail per member.
    const outcomes = await Promise.all([runScheduledReport(jobs[0]!), runScheduledReport(jobs[0]!)]);
    expect(outcomes.sort()).toEqual(["already_done", "sent"]);
    const sent = await mails(`Daily payments: %`);
    expect(sent.map((m) => m.to)).toEqual(["accountant@coffee.test", "owner@coffee.test"]);

    // The workers run the queued job too (nothing more is sent) and deliver the mails over SMTP.
    const smtp = await startSmtpServer();
    const restoreSmtpUrl = setEnv("SMTP_URL", smtp.url);
    const worker = await startWorker({ handle: t.handle, crontab: false, pollInterval: 100, log: () => {} });
    try {
      const end = Date.now() + 30_000;
      while (smtp.received.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      // The scheduled_report job is done too (it found the run already sent).
      while ((await queued(key)).length > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await worker.stop();
      await smtp.stop();
      restoreSmtpUrl();
    }
    expect(await queued(key)).toEqual([]);
    expect(smtp.received.map((m) => m.to.join(",")).sort()).toEqual(["accountant@coffee.test", "owner@coffee.test"]);
    expect((await mails(`Daily payments: %`)).length).toBe(2);
    const [run] = await scheduleRuns({ merchantId: COFFEE }, s.id);
    expect(run).toMatchObject({ status: "sent", delivery: "attachment", periodKey: period.key, sentTo: ["accountant@coffee.test", "owner@coffee.test"], leftOut: [] });

    // The attachment is the day's payments as a workbook: as many rows as an independent count.
    const [count] = await rows<{ n: number }>(
      t.db,
      sql`select count(*)::int as n from payments where merchant_id = ${COFFEE}
          and created_at >= (${period.start}::date::timestamp at time zone ${TEHRAN}) and created_at < (${period.end}::date::timestamp at time zone ${TEHRAN})`,
    );
    expect(run!.rows).toBe(count!.n);
    const received = smtp.received.find((m) => m.to.includes("accountant@coffee.test"))!;
    expect(received.subject).toBe(`Daily payments: ${period.key}`);
    expect(received.attachments).toHaveLength(1);
    const file = received.attachments[0]!;
    expect(file.filename).toMatch(/^payments_.*\.xlsx$/);
    expect(file.content.byteLength).toBe(Number(run!.bytes));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.content as never);
    const sheet = wb.worksheets[0]!;
    expect(sheet.getRow(1).values).toEqual([undefined, "id", "created (Asia/Tehran)", "created_jalali (Asia/Tehran)", "created_utc", "status", "amount", "currency"]);
    // Header, the rows, and (amount sums) a totals row.
    expect(sheet.actualRowCount).toBeGreaterThanOrEqual(count!.n + 1);
    expect(received.text).toContain(`${count!.n.toLocaleString("en-US")} rows`);
    expect(received.text).toContain(`http://console.test/reports/schedules/${s.id}`);
  });

  it("a member who lost reports:export stops receiving (recorded in the history); an owner who lost it gets nothing sent and is told", async () => {
    const accountant = await editor("accountant@coffee.test");
    const now = new Date("2026-12-06T08:00:00Z");
    const saved = await saveSchedule(accountant, input({ name: "Lost rights", recipientUserIds: [await userId("accountant@coffee.test"), await userId("admin@coffee.test")] }), {
      now,
      origin: "http://console.test",
    });
    if (!saved.ok) throw new Error(saved.message);
    const s = saved.schedule;
    const rule = { frequency: "monthly", monthDay: 1, localTime: "07:00", calendar: "jalali", timeZone: TEHRAN } as const;
    const first = nextRunAfter(rule, now);
    const p1 = periodOfRun(rule, first);
    const payload = (at: Date, p: typeof p1): ScheduledRunPayload => ({ merchantId: COFFEE, scheduleId: s.id, periodKey: p.key, start: p.start, end: p.end, scheduledFor: at.toISOString() });

    // The admin becomes support (no reports:export): left out, the accountant still gets it.
    await setRole("admin@coffee.test", "support");
    expect(await runScheduledReport(payload(first, p1))).toBe("sent");
    const [r1] = await scheduleRuns({ merchantId: COFFEE }, s.id);
    expect(r1!.sentTo).toEqual(["accountant@coffee.test"]);
    expect(r1!.leftOut).toEqual([
      {
        userId: await userId("admin@coffee.test"),
        email: "admin@coffee.test",
        reason: "the support role may not export reports",
        reasonI18n: { key: "schedules.refusal.role", params: { role: { key: "role.support" } } },
      },
    ]);
    // ...and is told, once: in the mail outbox, and over SMTP.
    const toldAdmin = await mails("You no longer receive: Lost rights");
    expect(toldAdmin.map((m) => m.to)).toEqual(["admin@coffee.test"]);
    expect(toldAdmin[0]!.body).toContain("Why: the Support role may not export reports");

    // The owner of the schedule (the accountant) becomes a viewer: the next month sends nothing.
    await setRole("accountant@coffee.test", "viewer");
    const second = nextRunAfter(rule, first);
    const p2 = periodOfRun(rule, second);
    const before = (await mails("Lost rights: %")).length;
    expect(await runScheduledReport(payload(second, p2))).toBe("failed");
    expect((await mails("Lost rights: %")).length).toBe(before);
    const [r2] = await scheduleRuns({ merchantId: COFFEE }, s.id);
    expect(r2).toMatchObject({ status: "failed", periodKey: p2.key, sentTo: [] });
    expect(r2!.failure).toBe(
      "The schedule's owner (accountant@coffee.test) may no longer export this report: the viewer role may not export reports. Nothing was sent.",
    );
    // The history says it in the reader's language, from the code and its parameters.
    const failure = { message: r2!.failure!, i18n: r2!.failureI18n as Localized };
    expect(failure.i18n).toEqual({ key: "schedules.failure.ownerRefused", params: { owner: "accountant@coffee.test", reason: { key: "schedules.refusal.role", params: { role: { key: "role.viewer" } } } } });
    expect(errorText(translator("en"), failure)).toBe(
      "The schedule's owner (accountant@coffee.test) may no longer export this report: the View only role may not export reports. Nothing was sent.",
    );
    expect(errorText(translator("fa"), failure)).toBe(
      "مالک زمان‌بندی (\u2068accountant@coffee.test\u2069) دیگر اجازهٔ خروجی گرفتن از این گزارش را ندارد: نقش «فقط مشاهده» اجازهٔ خروجی گرفتن از گزارش‌ها را ندارد. چیزی فرستاده نشد.",
    );
    const told = await mails("Scheduled report not sent: Lost rights");
    expect(told.map((m) => m.to)).toEqual(["accountant@coffee.test"]);
    expect(told[0]!.body).toContain("may no longer export this report");
    await setRole("accountant@coffee.test", "accountant");
    await setRole("admin@coffee.test", "admin");
  });

  it("a file over the attachment limit is stored once and served as made, only to the run's recipients, for 7 days", async () => {
    const accountant = await editor("accountant@coffee.test");
    const now = new Date("2026-12-06T08:00:00Z");
    const saved = await saveSchedule(
      accountant,
      input({ name: "Big file", format: "csv", columns: ["id", "created", "status", "amount", "currency", "description"], recipientUserIds: [await userId("accountant@coffee.test"), await userId("admin@coffee.test")] }),
      { now, origin: "http://console.test" },
    );
    if (!saved.ok) throw new Error(saved.message);
    const rule = { frequency: "monthly", monthDay: 1, localTime: "07:00", calendar: "jalali", timeZone: TEHRAN } as const;
    // The demo ledger's last whole Jalali month, so the file has rows.
    const at = nextRunAfter(rule, new Date(demoSeededAt().getTime() - 40 * 86_400_000));
    const p = periodOfRun(rule, at);
    const sentAt = new Date();
    const outcome = await runScheduledReport(
      { merchantId: COFFEE, scheduleId: saved.schedule.id, periodKey: p.key, start: p.start, end: p.end, scheduledFor: at.toISOString() },
      // Parts of 4 KB: the file is stored in several.
      { maxAttachmentBytes: 1000, filePartBytes: 4096, now: () => sentAt },
    );
    expect(outcome).toBe("sent");
    const [run] = await scheduleRuns({ merchantId: COFFEE }, saved.schedule.id);
    expect(run).toMatchObject({ delivery: "link", sentToUserIds: [await userId("accountant@coffee.test"), await userId("admin@coffee.test")] });
    expect(Number(run!.bytes)).toBeGreaterThan(4096 * 2);
    const parts = await rows<{ part: number; n: number }>(t.db, sql`select part, length(content) as n from report_run_files where run_id = ${run!.id} order by part`);
    expect(parts.length).toBe(Math.ceil(Number(run!.bytes) / 4096));
    expect(parts.reduce((a, x) => a + Number(x.n), 0)).toBe(Number(run!.bytes));
    const [mail] = await mails("Big file: %");
    const link = /http:\/\/console\.test\/reports\/runs\/(rsr_\w+)\?token=([\w-]+)/.exec(mail!.body);
    expect(link).not.toBeNull();
    expect(mail!.body).toContain("larger than 10 MB");
    const path = `/reports/runs/${link![1]}?token=${link![2]}`;

    // The ledger changes after the run: the link still serves the file that was made and mailed.
    const [changed] = await rows<{ id: string; description: string | null }>(
      t.db,
      sql`select id, description from payments where merchant_id = ${COFFEE} and description is not null
          and created_at >= (${p.start}::date::timestamp at time zone ${TEHRAN}) and created_at < (${p.end}::date::timestamp at time zone ${TEHRAN}) limit 1`,
    );
    await t.db.execute(sql`update payments set description = 'CHANGED AFTER THE RUN' where merchant_id = ${COFFEE} and id = ${changed!.id}`);
    const accountantIn = await signIn("accountant@coffee.test");
    const first = await runDownload(as(accountantIn, path), link![1]!, { now: new Date(sentAt.getTime() + 6 * 86_400_000) });
    expect(first.status).toBe(200);
    expect(first.headers.get("content-disposition")).toContain(run!.fileName!);
    const served = Buffer.from(await first.arrayBuffer());
    expect(served.byteLength).toBe(Number(run!.bytes));
    const text = served.toString("utf8");
    expect(text).toContain(changed!.id);
    expect(text).toContain(changed!.description!);
    expect(text).not.toContain("CHANGED AFTER THE RUN");
    expect(text.split("\r\n").filter(Boolean).length).toBe(run!.rows! + 1);
    // Exactly the stored parts, in order.
    const [whole] = await rows<{ sha: string }>(t.db, sql`select encode(sha256(string_agg(content, ''::bytea order by part)), 'hex') as sha from report_run_files where run_id = ${run!.id}`);
    expect(crypto.createHash("sha256").update(served).digest("hex")).toBe(whole!.sha);

    // Another member allowed to export who was not sent this run: refused, with a page saying why.
    const ownerIn = await signIn("owner@coffee.test");
    const notSent = await runDownload(as(ownerIn, path), link![1]!, { now: sentAt });
    expect(notSent.status).toBe(403);
    expect(await notSent.text()).toContain("This file was not sent to you");
    // A recipient who has since lost reports:export: refused at the edge (the permission).
    await setRole("admin@coffee.test", "support");
    const adminIn = await signIn("admin@coffee.test");
    await expect(runDownload(as(adminIn, path), link![1]!, { now: sentAt })).rejects.toMatchObject({ status: 403 });
    await setRole("admin@coffee.test", "admin");
    // A wrong token, another merchant: not found.
    const input2 = { signal: new AbortController().signal, client: { ip: null, userAgent: "test" } };
    expect(await openRunLink(accountant, link![1]!, "not-the-token", input2, sentAt)).toMatchObject({ ok: false, status: 404 });
    const other = await memberContext("mer_northwind", await userId("accountant@northwind.test"));
    expect(await openRunLink(other!, link![1]!, link![2]!, input2, sentAt)).toMatchObject({ ok: false, status: 404 });

    // 7 days later: 410 with a page that says what to do; the sweep deletes the stored file.
    const late = new Date(sentAt.getTime() + 7 * 86_400_000 + 1);
    const expired = await runDownload(as(accountantIn, path), link![1]!, { now: late });
    expect(expired.status).toBe(410);
    const page = await expired.text();
    expect(page).toContain("<h1 id=\"t\">This link has expired</h1>");
    expect(page).toContain("Download the same report from the Reports page");
    expect(await sweepRunHousekeeping(new Date(sentAt.getTime() + 6 * 86_400_000))).toMatchObject({ filesDeleted: 0 });
    expect(await sweepRunHousekeeping(late)).toMatchObject({ filesDeleted: 1 });
    const [left] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from report_run_files where run_id = ${run!.id}`);
    expect(left!.n).toBe(0);
    // In Persian for a Persian reader.
    await t.db.execute(sql`update users set locale = 'fa' where email = 'accountant@coffee.test'`);
    try {
      const fa = await runDownload(as(accountantIn, path), link![1]!, { now: late });
      expect(fa.status).toBe(410);
      const faPage = await fa.text();
      expect(faPage).toContain('dir="rtl"');
      expect(faPage).toContain("این پیوند منقضی شده است");
    } finally {
      await t.db.execute(sql`update users set locale = null where email = 'accountant@coffee.test'`);
    }
  });

  it("a run that fails at its last attempt ends as failed with the reason, and the owner is told by mail", async () => {
    const accountant = await editor("accountant@coffee.test");
    const now = new Date("2026-12-06T08:00:00Z");
    const saved = await saveSchedule(accountant, input({ name: "Doomed", recipientUserIds: [await userId("admin@coffee.test")] }), { now, origin: "http://console.test" });
    if (!saved.ok) throw new Error(saved.message);
    const rule = { frequency: "monthly", monthDay: 1, localTime: "07:00", calendar: "jalali", timeZone: TEHRAN } as const;
    const at = nextRunAfter(rule, now);
    const p = periodOfRun(rule, at);
    const payload: ScheduledRunPayload = { merchantId: COFFEE, scheduleId: saved.schedule.id, periodKey: p.key, start: p.start, end: p.end, scheduledFor: at.toISOString() };
    // The database refuses the report's mails (what a full disk or a lost connection does at that moment).
    await t.db.execute(sql.raw(`create function refuse_report_mail() returns trigger language plpgsql as $$
      begin if new.kind = 'report' then raise exception 'could not write to the mail outbox'; end if; return new; end $$`));
    await t.db.execute(sql.raw(`create trigger refuse_report_mail before insert on outbound_emails for each row execute function refuse_report_mail()`));
    // The queue logs the first attempt's failure (expected); anything else logged fails the test.
    const unexpected: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
      const line = args.map(String).join(" ");
      if (!/Failed task \d+ \(scheduled_report, .*attempt 1 of 2\) with error/.test(line)) unexpected.push(line);
    });
    const smtp = await startSmtpServer();
    const restoreSmtpUrl = setEnv("SMTP_URL", smtp.url);
    const worker = await startWorker({ handle: t.handle, crontab: false, pollInterval: 100, log: () => {} });
    try {
      await t.db.transaction(async (tx) => {
        await enqueueJob(tx, "scheduled_report", payload as unknown as Record<string, unknown>, { jobKey: runJobKey(payload), maxAttempts: 2 });
      });
      const end = Date.now() + 60_000;
      // (The outbox's mails of the tests before this one go out too.)
      while (!smtp.received.some((m) => m.subject.includes("Doomed")) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await worker.stop();
      await smtp.stop();
      restoreSmtpUrl();
      await t.db.execute(sql.raw(`drop trigger refuse_report_mail on outbound_emails`));
      await t.db.execute(sql.raw(`drop function refuse_report_mail()`));
    }
    expect(unexpected).toEqual([]);
    const [run] = await scheduleRuns({ merchantId: COFFEE }, saved.schedule.id);
    expect(run).toMatchObject({ status: "failed", sentTo: [], periodKey: p.key });
    expect(run!.failure).toBe("The report could not be made after 2 attempts: could not write to the mail outbox");
    expect(run!.failureI18n).toEqual({ key: "schedules.failure.attempts", params: { attempts: 2, error: "could not write to the mail outbox" } });
    expect(run!.finishedAt).not.toBeNull();
    // The owner (the accountant) got the notice over SMTP; the recipient got nothing.
    const doomed = smtp.received.filter((m) => m.subject.includes("Doomed"));
    expect(doomed.map((m) => m.to.join(","))).toEqual(["accountant@coffee.test"]);
    expect(doomed[0]!.subject).toBe("Scheduled report not sent: Doomed");
    expect(doomed[0]!.text).toContain("Why: The report could not be made after 2 attempts: could not write to the mail outbox");
    expect(await mails("Doomed: %")).toEqual([]);

    // A run left "running" by a lost job is ended by the sweep a day later, and its owner told.
    const p2 = periodOfRun(rule, nextRunAfter(rule, at));
    await t.db.execute(sql`insert into report_schedule_runs (merchant_id, id, schedule_id, period_key, period_start, period_end, scheduled_for, report, format, started_at)
      values (${COFFEE}, 'rsr_stalled', ${saved.schedule.id}, ${p2.key}, ${p2.start}, ${p2.end}, now(), 'payments', 'xlsx', now() - interval '25 hours')`);
    expect(await sweepRunHousekeeping(new Date())).toMatchObject({ staleFailed: 1 });
    const stalled = (await scheduleRuns({ merchantId: COFFEE }, saved.schedule.id)).find((r) => r.id === "rsr_stalled");
    expect(stalled).toMatchObject({ id: "rsr_stalled", status: "failed" });
    expect(stalled!.failure).toBe("The run did not finish within a day (its job was lost); nothing was sent. The next period runs as planned.");
    expect(stalled!.failureI18n).toEqual({ key: "schedules.failure.stale" });
    // A row from before the codes (English only) still reads, as it was written.
    await t.db.execute(sql`update report_schedule_runs set failure_i18n = null where id = 'rsr_stalled'`);
    const old = (await scheduleRuns({ merchantId: COFFEE }, saved.schedule.id)).find((r) => r.id === "rsr_stalled")!;
    expect(errorText(translator("fa"), { message: old.failure!, i18n: old.failureI18n as Localized | null })).toBe(stalled!.failure);
    expect((await mails("Scheduled report not sent: Doomed")).length).toBe(2);
  }, 90_000);

  it("refuses what cannot run, naming the field; a paused schedule is not queued", async () => {
    const accountant = await editor("accountant@coffee.test");
    const now = new Date("2026-12-06T08:00:00Z");
    const notExporting = await saveSchedule(accountant, input({ recipientUserIds: [await userId("support@coffee.test")] }), { now, origin: "x" });
    expect(notExporting).toEqual({
      ok: false,
      status: 400,
      field: "recipients",
      message: "support@coffee.test cannot receive this report: the support role may not export reports. Choose members who may export it.",
      // The same reason as catalog keys, which the page says in the reader's language.
      i18n: { key: "schedules.error.recipient", params: { member: "support@coffee.test", reason: { key: "schedules.refusal.role", params: { role: { key: "role.support" } } } } },
    });
    const stranger = await saveSchedule(accountant, input({ recipientUserIds: [await userId("owner@northwind.test")] }), { now, origin: "x" });
    expect(stranger).toMatchObject({ ok: false, field: "recipients" });
    expect(await saveSchedule(accountant, input({ localTime: "7:00", recipientUserIds: [await userId("accountant@coffee.test")] }), { now, origin: "x" })).toMatchObject({
      ok: false,
      field: "time",
    });
    expect(await saveSchedule(accountant, input({ columns: ["nope"], recipientUserIds: [await userId("accountant@coffee.test")] }), { now, origin: "x" })).toMatchObject({
      ok: false,
      field: "columns",
    });

    const saved = await saveSchedule(accountant, input({ name: "Paused", recipientUserIds: [await userId("accountant@coffee.test")] }), { now, origin: "x" });
    if (!saved.ok) throw new Error(saved.message);
    await setPaused(accountant, saved.schedule.id, true, now);
    await sweepDueSchedules(new Date(saved.schedule.nextRunAt!.getTime() + 1000));
    const [n] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from graphile_worker.jobs where key like ${`report:${COFFEE}:${saved.schedule.id}:%`}`);
    expect(n!.n).toBe(0);
  });
});
