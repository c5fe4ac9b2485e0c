/**
 * Text messages, sent the way mail is (app/modules/mail/mailer.server.ts): an outbox.
 *
 *   await db().transaction(async (tx) => {
 *     ...the change...
 *     await sendSms(tx, { merchantId, to, body, locale: "fa", kind: "dunning", dedupeKey });
 *   });
 *
 * - sendSms inserts the outbound_sms row and a `send_sms` job (job key `sms:<id>`) in the
 *   CALLER'S transaction: no message for a rolled-back change, and the request that asked
 *   for it never waits on the provider.
 * - The send_sms task (deliverSms below) hands it to the SMS provider and marks it sent; a
 *   provider failure throws, so the queue retries it with backoff (attempts and the last
 *   error are kept on the row).
 * - One interface (SmsProvider) and the sandbox implementation, which records each message
 *   in sandbox_sms_messages instead of sending it. A real SMS gateway would be one more
 *   implementation. The console shows a merchant's messages on the Mailbox page (listSms).
 * - `dedupeKey`: at most one message per key, ever; a repeat is a no-op ({ duplicate: true }).
 */
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { outboundSms, sandboxSmsMessages } from "~db/schema";
import { db, type DbOrTx } from "~db/client.server";
import { newId } from "~/lib/ids";
import { env } from "~/lib/env.server";
import { enqueueJob } from "~/modules/jobs/queue.server";
import { outboundEntry, type OutboundEntry, type OutboundState } from "~/modules/mail/outbound-entry";

export interface SmsMessage {
  account: string;
  /** Mobile number, digits with an optional leading +. */
  to: string;
  body: string;
}

export interface SmsProvider {
  readonly id: string;
  send(message: SmsMessage, dbx?: DbOrTx): Promise<{ id: string }>;
}

export const sandboxSms: SmsProvider = {
  id: "sandbox",
  async send(message, dbx = db()) {
    const id = newId("sms");
    await dbx.insert(sandboxSmsMessages).values({ id, accountId: message.account, to: message.to, body: message.body.slice(0, 1000) });
    return { id };
  },
};

let provider: SmsProvider = sandboxSms;

export function smsProvider(): SmsProvider {
  return provider;
}

export class SmsError extends Error {}

export interface OutgoingSms {
  /** The merchant whose customer it is for (the Mailbox shows it to that merchant only). */
  merchantId: string;
  to: string;
  body: string;
  locale?: "en" | "fa";
  /** What it is for (dunning, receipt). */
  kind?: string;
  /** At most one message per key: a repeat is not sent again. */
  dedupeKey?: string;
}

const PHONE = /^\+?[0-9]{8,15}$/;
/** The longest text kept (a few SMS segments). */
export const MAX_SMS_CHARS = 1000;

/** Puts a text message in the outbox and queues its sending, in dbx's transaction. */
export async function sendSms(dbx: DbOrTx, sms: OutgoingSms): Promise<{ id: string; duplicate: boolean }> {
  if (!PHONE.test(sms.to)) throw new SmsError(`"to" is not one mobile number (8 to 15 digits, optional +): ${JSON.stringify(sms.to)}`);
  const id = newId("sms");
  const added = await dbx.transaction(async (tx) => {
    const inserted = await tx
      .insert(outboundSms)
      .values({ id, merchantId: sms.merchantId, to: sms.to, body: sms.body.slice(0, MAX_SMS_CHARS), locale: sms.locale ?? null, kind: sms.kind ?? null, dedupeKey: sms.dedupeKey ?? null })
      .onConflictDoNothing()
      .returning({ id: outboundSms.id });
    if (inserted.length === 0) return false;
    await enqueueJob(tx, "send_sms", { merchantId: sms.merchantId, smsId: id }, { jobKey: `sms:${id}` });
    return true;
  });
  if (!added) {
    const [old] = await dbx.select({ id: outboundSms.id }).from(outboundSms).where(and(eq(outboundSms.merchantId, sms.merchantId), eq(outboundSms.dedupeKey, sms.dedupeKey!)));
    return { id: old?.id ?? id, duplicate: true };
  }
  if (env.NODE_ENV !== "production" && !env.VITEST) console.log(`\n[sms] to: ${sms.to}\n${sms.body}\n`);
  return { id, duplicate: false };
}

export type SmsDeliverOutcome = "sent" | "already_sent" | "missing";

/**
 * The send_sms task: hands one message to the provider once. The row is locked while it is
 * sent, so two workers never send it twice; the sandbox provider writes in the same
 * transaction (exactly once). A real gateway is at least once: a crash after it accepted the
 * message and before the commit sends it again on the retry.
 */
export async function deliverSms(merchantId: string, smsId: string, opts: { now?: () => Date } = {}): Promise<SmsDeliverOutcome> {
  try {
    return await db().transaction(async (tx) => {
      const [m] = await tx.select().from(outboundSms).where(and(eq(outboundSms.merchantId, merchantId), eq(outboundSms.id, smsId))).for("update");
      if (!m) return "missing";
      if (m.sentAt) return "already_sent";
      const sent = await smsProvider().send({ account: m.merchantId, to: m.to, body: m.body }, tx);
      await tx
        .update(outboundSms)
        .set({ sentAt: (opts.now ?? (() => new Date()))(), providerMessageId: sent.id, attempts: sql`${outboundSms.attempts} + 1`, lastError: null })
        .where(and(eq(outboundSms.merchantId, merchantId), eq(outboundSms.id, smsId), isNull(outboundSms.sentAt)));
      return "sent";
    });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    await db()
      .update(outboundSms)
      .set({ attempts: sql`${outboundSms.attempts} + 1`, lastError: message.slice(0, 1000) })
      .where(and(eq(outboundSms.merchantId, merchantId), eq(outboundSms.id, smsId)));
    throw new SmsError(`text message ${smsId}: the SMS provider refused or failed: ${message}`);
  }
}

export type SmsState = Exclude<OutboundState, "kept">;

/** A text message is always queued for the SMS provider: never kept, unlike mail without SMTP. */
export type SmsEntry = OutboundEntry<SmsState>;

/** One merchant's text messages, newest first (the Mailbox page's Text messages tab). */
export async function listSms(merchantId: string, opts: { limit?: number } = {}): Promise<SmsEntry[]> {
  const list = await db()
    .select()
    .from(outboundSms)
    .where(eq(outboundSms.merchantId, merchantId))
    .orderBy(desc(outboundSms.createdAt), desc(outboundSms.id))
    .limit(opts.limit ?? 50);
  return list.map((m) => outboundEntry(m, true));
}
