/**
 * Mail is an outbox: sendMail writes the row and its send_mail job in the caller's
 * transaction; the worker sends it over SMTP (SMTP_URL) once, retrying with backoff when the
 * SMTP server fails; without SMTP_URL it stays in the outbox.
 */
import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as s from "~db/schema";
import { db, rows } from "~db/client.server";
import { deliverMail, MailError, sendMail } from "~/modules/mail/mailer.server";
import { webhookDisabledMail } from "~/modules/notifications/messages";
import { startWorker, type WorkerHandle } from "~/server/worker";
import { useTestDatabase } from "../../support/db";
import { setEnv } from "../../support/env";
import { startSmtpServer } from "../../support/smtp";
import { until } from "../../support/wait";

useTestDatabase({ seed: "none" });

const jobsFor = (mailId: string) => rows<{ key: string }>(db(), sql`select key from graphile_worker.jobs where key = ${`mail:${mailId}`}`);

describe("mail outbox over SMTP", () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let worker: WorkerHandle | undefined;
  // The tests set and unset SMTP_URL; it is put back as it was after them.
  const restoreSmtpUrl = setEnv("SMTP_URL", process.env.SMTP_URL);

  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(async () => {
    await worker?.stop();
    await smtp.stop();
    restoreSmtpUrl();
  });

  it("a rolled-back change sends no mail: neither the row nor its job exists", async () => {
    let id = "";
    await expect(
      db().transaction(async (tx) => {
        id = (await sendMail(tx, { to: "a@mail.test", subject: "Rolled back", body: "x" })).id;
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await db().select().from(s.outboundEmails).where(eq(s.outboundEmails.id, id))).toHaveLength(0);
    expect(await jobsFor(id)).toHaveLength(0);
  });

  it("without SMTP_URL the mail stays in the outbox, unsent, with its job done", async () => {
    delete process.env.SMTP_URL;
    const { id } = await sendMail(db(), { to: "kept@mail.test", subject: "Kept", body: "stays here" });
    expect(await jobsFor(id)).toHaveLength(1);
    expect(await deliverMail(id)).toBe("kept_in_outbox");
    const [row] = await db().select().from(s.outboundEmails).where(eq(s.outboundEmails.id, id));
    expect(row!.sentAt).toBeNull();
  });

  it("refuses an attachment over 10 MB, naming its size and the limit", async () => {
    await expect(
      sendMail(db(), { to: "big@mail.test", subject: "Big", body: "x", attachments: [{ filename: "big.csv", contentType: "text/csv", content: new Uint8Array(10 * 1024 * 1024 + 1) }] }),
    ).rejects.toThrow(new MailError("attachment big.csv is 10485761 bytes; the limit is 10485760 (10 MB)"));
  });

  it("sends a Persian mail with a 10 MB attachment once, in Persian, right to left, the file byte for byte", async () => {
    process.env.SMTP_URL = smtp.url;
    worker = await startWorker({ crontab: false, pollInterval: 100, concurrency: 2, log: () => {} });
    const file = randomBytes(10 * 1024 * 1024);
    const csv = Buffer.from("روز,مبلغ\n۱۴۰۵/۰۹/۱۵,۱۲۰۰۰\n", "utf8");
    const text = webhookDisabledMail("fa", { to: "owner@mail.test", url: "https://shop.test/hooks", days: 3 });
    const { id } = await db().transaction((tx) =>
      sendMail(tx, { ...text, locale: "fa", kind: "webhook.disabled", attachments: [
        { filename: "report.bin", contentType: "application/octet-stream", content: file },
        { filename: "گزارش.csv", contentType: "text/csv", content: csv },
      ] }),
    );
    const mine = () => smtp.received.filter((m) => m.to[0] === "owner@mail.test");
    expect(await until(() => mine().length >= 1, 60_000)).toBe(true);
    const got = mine()[0]!;
    expect(got.to).toEqual(["owner@mail.test"]);
    expect(got.subject).toBe("نقطهٔ وب‌هوک غیرفعال شد");
    expect(got.text).toBe(text.body);
    expect(got.text).toContain("https://shop.test/hooks");
    expect(got.headers["content-language"]).toBe("fa");
    expect(got.html).toContain('dir="rtl"');
    expect(got.attachments.map((a) => [a.filename, a.contentType, a.content.length])).toEqual([
      ["report.bin", "application/octet-stream", 10 * 1024 * 1024],
      ["گزارش.csv", "text/csv", csv.length],
    ]);
    expect(got.attachments[0]!.content.equals(file)).toBe(true);
    expect(got.attachments[1]!.content.toString("utf8")).toBe(csv.toString("utf8"));
    expect(await until(async () => (await db().select().from(s.outboundEmails).where(eq(s.outboundEmails.id, id)))[0]!.sentAt !== null, 30_000)).toBe(true);
    const [row] = await db().select().from(s.outboundEmails).where(eq(s.outboundEmails.id, id));
    expect(row).toMatchObject({ attempts: 1, lastError: null });
    // Running the job again (a retry after a crash past the mark) does not send twice.
    expect(await deliverMail(id)).toBe("already_sent");
    expect(mine()).toHaveLength(1);
  }, 180_000);

  it("an SMTP failure is kept on the row and retried with backoff until the mail goes", async () => {
    // The queue reports the failed attempt on console.error (the test's own check would fail on it).
    const logged: string[] = [];
    vi.mocked(console.error).mockImplementation((...a: unknown[]) => void logged.push(a.map(String).join(" ")));
    // The mail kept while there was no SMTP_URL went with the worker's first run (its job was waiting).
    expect(await until(() => smtp.received.some((m) => m.to[0] === "kept@mail.test"), 60_000)).toBe(true);
    smtp.received.length = 0;
    smtp.refuse(1);
    const { id } = await sendMail(db(), { to: "retry@mail.test", subject: "Payout paid", body: "Your payout was paid.", locale: "en" });
    expect(
      await until(async () => (await db().select().from(s.outboundEmails).where(eq(s.outboundEmails.id, id)))[0]!.attempts === 1, 30_000),
    ).toBe(true);
    const [failed] = await db().select().from(s.outboundEmails).where(eq(s.outboundEmails.id, id));
    expect(failed!.sentAt).toBeNull();
    expect(failed!.lastError).toMatch(/451 Try again later: mailbox busy/);
    expect(smtp.received).toHaveLength(0);
    // graphile-worker's backoff after the first failure is about e^1 = 2.7 s.
    expect(await until(() => smtp.received.length === 1, 60_000)).toBe(true);
    expect(smtp.received[0]!).toMatchObject({ to: ["retry@mail.test"], subject: "Payout paid", text: "Your payout was paid." });
    expect(smtp.received[0]!.headers["content-language"]).toBe("en");
    expect(await until(async () => (await db().select().from(s.outboundEmails).where(eq(s.outboundEmails.id, id)))[0]!.sentAt !== null, 30_000)).toBe(true);
    const [sent] = await db().select().from(s.outboundEmails).where(eq(s.outboundEmails.id, id));
    expect(sent).toMatchObject({ attempts: 2, lastError: null });
    expect(logged.join("\n")).toContain(`Failed task`);
    expect(logged.join("\n")).toContain(`mail ${id} to retry@mail.test: the SMTP server refused or failed: Message failed: 451 Try again later: mailbox busy`);
  }, 180_000);

  it("a dedupe key sends one mail however often it is asked for", async () => {
    const a = await sendMail(db(), { to: "once@mail.test", subject: "Summary", body: "1", dedupeKey: "summary:m1:2026-12-05:u1" });
    const b = await sendMail(db(), { to: "once@mail.test", subject: "Summary", body: "1", dedupeKey: "summary:m1:2026-12-05:u1" });
    expect(a.duplicate).toBe(false);
    expect(b).toEqual({ id: a.id, duplicate: true });
    expect(await db().select().from(s.outboundEmails).where(eq(s.outboundEmails.to, "once@mail.test"))).toHaveLength(1);
  });
});
