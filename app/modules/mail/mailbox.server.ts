/**
 * The development mailbox: the outbox as a reader sees it. A member sees the mail written to
 * their own address; with MAILBOX_ALL=1 (or outside production) every mail, so a developer
 * can open invitations and password resets of people who cannot sign in yet.
 */
import { desc, eq, sql } from "drizzle-orm";
import { outboundEmailAttachments, outboundEmails } from "~db/schema";
import { db } from "~db/client.server";
import { smtpConfigured } from "./mailer.server";
import { outboundEntry, type OutboundEntry, type OutboundState } from "./outbound-entry";
import { env } from "~/lib/env.server";

export type MailState = OutboundState;

export interface MailboxEntry extends OutboundEntry {
  subject: string;
  attachments: { filename: string; contentType: string; size: number }[];
}

/** Every mail, not only the reader's own: outside production, or with MAILBOX_ALL=1. */
export function mailboxShowsAll(): boolean {
  return env.MAILBOX_ALL ?? env.NODE_ENV !== "production";
}

export async function listMailbox(reader: { email: string }, opts: { limit?: number } = {}): Promise<{ all: boolean; smtp: boolean; mails: MailboxEntry[] }> {
  const all = mailboxShowsAll();
  const smtp = smtpConfigured();
  const list = await db()
    .select()
    .from(outboundEmails)
    .where(all ? undefined : eq(sql`lower(${outboundEmails.to})`, reader.email.toLowerCase()))
    .orderBy(desc(outboundEmails.createdAt), desc(outboundEmails.id))
    .limit(opts.limit ?? 50);
  const files =
    list.length === 0
      ? []
      : await db()
          .select({ mailId: outboundEmailAttachments.mailId, filename: outboundEmailAttachments.filename, contentType: outboundEmailAttachments.contentType, size: outboundEmailAttachments.size })
          .from(outboundEmailAttachments)
          .where(sql`${outboundEmailAttachments.mailId} in ${list.map((m) => m.id)}`);
  return {
    all,
    smtp,
    mails: list.map((m) => ({
      ...outboundEntry(m, smtp),
      subject: m.subject,
      attachments: files.filter((f) => f.mailId === m.id).map(({ filename, contentType, size }) => ({ filename, contentType, size })),
    })),
  };
}
