/**
 * The one way the app sends mail: an outbox.
 *
 *   await db().transaction(async (tx) => {
 *     ...the change...
 *     await sendMail(tx, { to, subject, body, locale: "fa", kind: "report", attachments: [{ filename, contentType, content }] });
 *   });
 *
 * - sendMail inserts the outbound_emails row (and its attachments) and a `send_mail` job
 *   (job key `mail:<id>`) in the CALLER'S transaction: no mail for a rolled-back change.
 * - The send_mail task (deliverMail below) sends it over SMTP when SMTP_URL is set and marks
 *   it sent; an SMTP failure throws, so graphile-worker retries it with exponential backoff
 *   (attempts and the last error are kept on the row).
 * - At least once, not exactly once: a crash after the SMTP server accepted the mail and
 *   before the row is marked sent sends it again when the job is retried.
 * - Without SMTP_URL the mail stays in the outbox (unsent): the development mailbox page
 *   (/mailbox) shows it, and outside production it is also printed to the console.
 * - `dedupeKey`: at most one mail per key, ever (an event's notification to one person, one
 *   day's summary): a second sendMail with the same key is a no-op ({ duplicate: true }).
 */
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Transporter } from "nodemailer";
import { outboundEmailAttachments, outboundEmails } from "~db/schema";
import { db, type DbOrTx } from "~db/client.server";
import { newId } from "~/lib/ids";
import { enqueueJob } from "~/modules/jobs/queue.server";
import { env } from "~/lib/env.server";

/** The largest file one attachment may carry. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  /** Plain text; links on a line of their own. */
  body: string;
  /** The language the mail is written in: Persian mail is sent right to left. */
  locale?: "en" | "fa";
  /** What it is for (invite, payout.paid, password_reset, report...). */
  kind?: string;
  /** At most one mail per key: a repeat is not sent again. */
  dedupeKey?: string;
  attachments?: MailAttachment[];
}

export class MailError extends Error {}

export interface SentMail {
  id: string;
  /** true: a mail with this dedupeKey already exists; nothing was added. */
  duplicate: boolean;
}

function check(mail: OutgoingMail): void {
  if (!/^[^\s@<>,;]+@[^\s@<>,;]+$/.test(mail.to)) throw new MailError(`"to" is not one e-mail address: ${JSON.stringify(mail.to)}`);
  if (/[\r\n]/.test(mail.subject)) throw new MailError("the subject must be one line");
  for (const a of mail.attachments ?? []) {
    if (!a.filename || /[\r\n/\\]/.test(a.filename)) throw new MailError(`attachment filename ${JSON.stringify(a.filename)} is empty or has a line break or slash`);
    if (!/^[\w.+-]+\/[\w.+-]+$/.test(a.contentType)) throw new MailError(`attachment ${a.filename}: content type ${JSON.stringify(a.contentType)} is not type/subtype`);
    if (a.content.byteLength > MAX_ATTACHMENT_BYTES) {
      throw new MailError(`attachment ${a.filename} is ${a.content.byteLength} bytes; the limit is ${MAX_ATTACHMENT_BYTES} (10 MB)`);
    }
  }
}

/** Puts a mail in the outbox and queues its sending, in dbx's transaction (a savepoint inside a caller's). */
export async function sendMail(dbx: DbOrTx, mail: OutgoingMail): Promise<SentMail> {
  check(mail);
  const id = newId("mail");
  const added = await dbx.transaction(async (tx) => {
    const inserted = await tx
      .insert(outboundEmails)
      .values({ id, to: mail.to, subject: mail.subject, body: mail.body, locale: mail.locale ?? null, kind: mail.kind ?? null, dedupeKey: mail.dedupeKey ?? null })
      .onConflictDoNothing()
      .returning({ id: outboundEmails.id });
    if (inserted.length === 0) return false;
    let n = 0;
    for (const a of mail.attachments ?? []) {
      await tx.insert(outboundEmailAttachments).values({
        mailId: id,
        n: n++,
        filename: a.filename,
        contentType: a.contentType,
        content: a.content instanceof Buffer ? a.content : Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength),
        size: a.content.byteLength,
      });
    }
    await enqueueJob(tx, "send_mail", { mailId: id }, { jobKey: `mail:${id}` });
    return true;
  });
  if (!added) {
    const [old] = await dbx.select({ id: outboundEmails.id }).from(outboundEmails).where(eq(outboundEmails.dedupeKey, mail.dedupeKey!));
    return { id: old?.id ?? id, duplicate: true };
  }
  if (!smtpConfigured() && env.NODE_ENV !== "production" && !env.VITEST) {
    console.log(`\n[mail] to: ${mail.to}\n[mail] subject: ${mail.subject}\n${mail.body}\n`);
  }
  return { id, duplicate: false };
}

export function smtpConfigured(): boolean {
  return Boolean(env.SMTP_URL);
}

/** The sender's address: MAIL_FROM, or the console's no-reply address. */
export function mailFrom(): string {
  return env.MAIL_FROM;
}

let cached: { url: string; transport: Transporter } | undefined;

/** nodemailer's SMTP transport for SMTP_URL (smtp://user:pass@host:587, smtps://...:465); none without it. */
export async function transportFromEnv(): Promise<Transporter | null> {
  const url = env.SMTP_URL;
  if (!url) return null;
  if (cached?.url !== url) {
    const nodemailer = await import("nodemailer");
    cached?.transport.close();
    cached = {
      url,
      transport: nodemailer.createTransport(url, {
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      }),
    };
  }
  return cached.transport;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The HTML twin of the text: the same words, right to left for Persian, links clickable. */
export function htmlOf(body: string, locale: "en" | "fa"): string {
  const dir = locale === "fa" ? "rtl" : "ltr";
  const text = escapeHtml(body).replace(/https?:\/\/[^\s<]+/g, (u) => `<a href="${u}" dir="ltr">${u}</a>`);
  return `<!doctype html><html lang="${locale}" dir="${dir}"><body><div dir="${dir}" style="white-space:pre-wrap;font-family:Tahoma,Arial,sans-serif;font-size:14px;line-height:1.6">${text}</div></body></html>`;
}

export type DeliverOutcome = "sent" | "already_sent" | "missing" | "kept_in_outbox";

/**
 * The send_mail task: sends one mail once. Throws on an SMTP failure (the queue retries it
 * with backoff). Idempotent while the row says sent; see the at-least-once note above.
 */
export async function deliverMail(mailId: string, opts: { transport?: Transporter | null; now?: () => Date } = {}): Promise<DeliverOutcome> {
  const dbx = db();
  const [mail] = await dbx.select().from(outboundEmails).where(eq(outboundEmails.id, mailId));
  if (!mail) return "missing";
  if (mail.sentAt) return "already_sent";
  const transport = opts.transport === undefined ? await transportFromEnv() : opts.transport;
  if (!transport) return "kept_in_outbox";
  const files = await dbx.select().from(outboundEmailAttachments).where(eq(outboundEmailAttachments.mailId, mailId)).orderBy(asc(outboundEmailAttachments.n));
  const locale = mail.locale === "fa" ? "fa" : "en";
  let messageId: string;
  try {
    const info = await transport.sendMail({
      from: mailFrom(),
      to: mail.to,
      subject: mail.subject,
      text: mail.body,
      html: htmlOf(mail.body, locale),
      headers: { "Content-Language": locale, "X-Mail-Id": mail.id },
      attachments: files.map((f) => ({ filename: f.filename, contentType: f.contentType, content: Buffer.from(f.content) })),
    });
    messageId = String(info.messageId ?? "");
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    await dbx
      .update(outboundEmails)
      .set({ attempts: sql`${outboundEmails.attempts} + 1`, lastError: message.slice(0, 1000) })
      .where(eq(outboundEmails.id, mailId));
    throw new MailError(`mail ${mailId} to ${mail.to}: the SMTP server refused or failed: ${message}`);
  }
  await dbx
    .update(outboundEmails)
    .set({ sentAt: (opts.now ?? (() => new Date()))(), messageId, attempts: sql`${outboundEmails.attempts} + 1`, lastError: null })
    .where(and(eq(outboundEmails.id, mailId), isNull(outboundEmails.sentAt)));
  return "sent";
}
