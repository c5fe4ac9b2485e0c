import ExcelJS from "exceljs";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rows } from "~db/client.server";
import { nextRunAfter, periodOfRun } from "~/lib/report-schedule";
import {
  memberContext,
  openRunLink,
  runJobKey,
  runScheduledReport,
  saveSchedule,
  scheduleRuns,
  setPaused,
  sweepDueSchedules,
  type ScheduleInput,
  type ScheduledRunPayload,
} from "~/modules/exports/schedules.server";
import { startWorker } from "~/server/worker";
import { useTestDatabase } from "../../support/db";
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
    const before = process.env.SMTP_URL;
    process.env.SMTP_URL = smtp.url;
    const worker = await startWorker({ handle: t.handle, crontab: false, pollInterval: 100, log: () => {} });
    try {
      const end = Date.now() + 30_000;
      while (smtp.received.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      // The scheduled_report job is done too (it found the run already sent).
      while ((await queued(key)).length > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await worker.stop();
      await smtp.stop();
      if (before === undefined) delete process.env.SMTP_URL;
      else process.env.SMTP_URL = before;
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
    expect(r1!.leftOut).toEqual([{ userId: await userId("admin@coffee.test"), email: "admin@coffee.test", reason: "the support role may not export reports" }]);

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
    const told = await mails("Scheduled report not sent: Lost rights");
    expect(told.map((m) => m.to)).toEqual(["accountant@coffee.test"]);
    expect(told[0]!.body).toContain("may no longer export this report");
    await setRole("accountant@coffee.test", "accountant");
    await setRole("admin@coffee.test", "admin");
  });

  it("a file over the attachment limit is sent as a link that needs a member signed in and expires in 7 days", async () => {
    const accountant = await editor("accountant@coffee.test");
    const now = new Date("2026-12-06T08:00:00Z");
    const saved = await saveSchedule(accountant, input({ name: "Big file", format: "csv", recipientUserIds: [await userId("accountant@coffee.test")] }), { now, origin: "http://console.test" });
    if (!saved.ok) throw new Error(saved.message);
    const rule = { frequency: "monthly", monthDay: 1, localTime: "07:00", calendar: "jalali", timeZone: TEHRAN } as const;
    // The demo ledger's last whole Jalali month, so the file has rows.
    const at = nextRunAfter(rule, new Date(Date.now() - 40 * 86_400_000));
    const p = periodOfRun(rule, at);
    const sentAt = new Date();
    const outcome = await runScheduledReport(
      { merchantId: COFFEE, scheduleId: saved.schedule.id, periodKey: p.key, start: p.start, end: p.end, scheduledFor: at.toISOString() },
      { maxAttachmentBytes: 1000, now: () => sentAt },
    );
    expect(outcome).toBe("sent");
    const [run] = await scheduleRuns({ merchantId: COFFEE }, saved.schedule.id);
    expect(run).toMatchObject({ delivery: "link" });
    expect(Number(run!.bytes)).toBeGreaterThan(1000);
    const [mail] = await mails("Big file: %");
    const link = /http:\/\/console\.test\/reports\/runs\/(rsr_\w+)\?token=([\w-]+)/.exec(mail!.body);
    expect(link).not.toBeNull();
    expect(mail!.body).toContain("larger than 10 MB");

    const input2 = { signal: new AbortController().signal, client: { ip: null, userAgent: "test" } };
    const ok = await openRunLink(accountant, link![1]!, link![2]!, input2, new Date(sentAt.getTime() + 6 * 86_400_000));
    expect(ok.ok).toBe(true);
    if (ok.ok) {
      const text = await new Response(ok.body).text();
      expect(Buffer.byteLength(text)).toBe(Number(run!.bytes));
    }
    const wrong = await openRunLink(accountant, link![1]!, "not-the-token", input2, sentAt);
    expect(wrong).toMatchObject({ ok: false, status: 404 });
    const expired = await openRunLink(accountant, link![1]!, link![2]!, input2, new Date(sentAt.getTime() + 7 * 86_400_000 + 1));
    expect(expired).toMatchObject({ ok: false, status: 410, message: "This link expired 7 days after it was sent. Download the report from the Reports page instead." });
    // Another merchant's member with the same link finds nothing.
    const other = await memberContext("mer_northwind", await userId("accountant@northwind.test"));
    expect(await openRunLink(other!, link![1]!, link![2]!, input2, sentAt)).toMatchObject({ ok: false, status: 404 });
  });

  it("refuses what cannot run, naming the field; a paused schedule is not queued", async () => {
    const accountant = await editor("accountant@coffee.test");
    const now = new Date("2026-12-06T08:00:00Z");
    const notExporting = await saveSchedule(accountant, input({ recipientUserIds: [await userId("support@coffee.test")] }), { now, origin: "x" });
    expect(notExporting).toEqual({
      ok: false,
      field: "recipients",
      message: "support@coffee.test cannot receive this report: the support role may not export reports. Choose members who may export it.",
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
