/**
 * Notifications by e-mail, driven by the events outbox and two recurring tasks:
 *
 * - payout.paid / payout.failed / refund.failed events: notifyEvents(merchantId) reads the
 *   merchant's events after its notification cursor and, IN ONE TRANSACTION, writes the mails
 *   (the mail outbox) and moves the cursor: a crash repeats nothing and loses nothing. Each
 *   mail's dedupe key (event id + person) makes a repeat a no-op anyway.
 * - notifications_hourly: the last hour's decline rate per merchant against each owner's
 *   threshold (one mail per owner per hour at most).
 * - daily_summary: after 08:00 in the merchant's zone, yesterday's figures to each owner,
 *   once per merchant, person and local day (dedupe key).
 *
 * Every mail is in its reader's language, switched off per person on the Notifications page.
 */
import { and, asc, eq, gt, inArray, lte, sql } from "drizzle-orm";
import { events, notificationCursors, refunds } from "~db/schema";
import { db, rows, type DbOrTx } from "~db/client.server";
import { addLocalDays, localDateKey, startOfLocalDay } from "~/lib/dates/zones";
import { DAILY_SUMMARY_HOUR, DECLINE_MIN_ATTEMPTS } from "~/lib/notifications";
import { enqueueJob } from "~/modules/jobs/queue.server";
import { sendMail } from "~/modules/mail/mailer.server";
import { publishAllEvents, publishEvents, type PublishedEvent } from "~/modules/events/events.server";
import { ACCOUNT_FAILURE_CODES } from "~/modules/settlements/bank";
import { consoleUrl, merchantInfo, recipientsOf, withFooter, type MerchantInfo, type Recipient } from "./recipients.server";

export const NOTIFYING_EVENTS = ["payout.paid", "payout.failed", "refund.failed"] as const;
const BATCH = 200;
/** Events older than this when first read are not mailed (a restored backup, a long outage): stale news. */
const STALE_MS = 24 * 3600_000;

const typeList = sql.raw(NOTIFYING_EVENTS.map((t) => `'${t}'`).join(", "));

/** Merchants with events to notify about: each gets a notify_events job (one at a time per merchant). */
export async function pollNotifications(dbx: DbOrTx = db(), publish = true): Promise<number> {
  if (publish) await publishAllEvents(dbx);
  const due = await rows<{ merchant_id: string }>(
    dbx,
    sql`select s.merchant_id from event_sequences s
        left join notification_cursors c on c.merchant_id = s.merchant_id
        where s.last_seq > coalesce(c.seq, 0)
          and exists (select 1 from events e where e.merchant_id = s.merchant_id and e.type in (${typeList}) and e.seq > coalesce(c.seq, 0))`,
  );
  for (const d of due) await enqueueJob(dbx, "notify_events", { merchantId: d.merchant_id }, { jobKey: `notify:${d.merchant_id}`, jobKeyMode: "preserve_run_at" });
  return due.length;
}

interface PayoutObject {
  id: string;
  amount: string;
  currency: string;
  bank_account: { masked: string | null; bank_name: string | null };
  trace_number: string | null;
  failure_code: string | null;
  failure_message: string | null;
  paid_at: string | null;
  failed_at: string | null;
}
interface RefundObject {
  id: string;
  payment_id: string;
  amount: string;
  currency: string;
  failure_code: string | null;
  failure_message: string | null;
  updated_at: string | null;
}

/** Turns the merchant's new payout/refund events into mails; returns how many mails were written. */
export async function notifyEvents(merchantId: string, now = new Date()): Promise<number> {
  await publishEvents(merchantId);
  let written = 0;
  for (;;) {
    const more = await db().transaction(async (tx) => {
      await tx.insert(notificationCursors).values({ merchantId, seq: 0 }).onConflictDoNothing();
      const [cursor] = await tx.select().from(notificationCursors).where(eq(notificationCursors.merchantId, merchantId)).for("update");
      const [last] = await rows<{ last_seq: number | string }>(tx, sql`select last_seq from event_sequences where merchant_id = ${merchantId}`);
      const upTo = Number(last?.last_seq ?? 0);
      if (!cursor || upTo <= cursor.seq) return false;
      const batch = (await tx
        .select()
        .from(events)
        .where(and(eq(events.merchantId, merchantId), gt(events.seq, cursor.seq), lte(events.seq, upTo), inArray(events.type, [...NOTIFYING_EVENTS])))
        .orderBy(asc(events.seq))
        .limit(BATCH)) as PublishedEvent[];
      const merchant = await merchantInfo(tx, merchantId);
      if (merchant) {
        for (const e of batch) {
          if (now.getTime() - e.createdAt.getTime() > STALE_MS) continue;
          written += await notifyEvent(tx, merchant, e.id, e.type, e.data);
        }
      }
      const full = batch.length === BATCH;
      await tx
        .update(notificationCursors)
        .set({ seq: full ? batch[batch.length - 1]!.seq : upTo, updatedAt: now })
        .where(eq(notificationCursors.merchantId, merchantId));
      return full;
    });
    if (!more) return written;
  }
}

async function notifyEvent(tx: DbOrTx, merchant: MerchantInfo, eventId: string, type: string, data: unknown): Promise<number> {
  let n = 0;
  const send = async (r: Recipient, kind: string, subject: string, text: string, link: string) => {
    const sent = await sendMail(tx, {
      to: r.email,
      subject,
      body: withFooter(r, merchant.name, text, link),
      locale: r.prefs.locale === "fa" ? "fa" : "en",
      kind,
      dedupeKey: `notify:${merchant.id}:${eventId}:${r.userId}`,
    });
    if (!sent.duplicate) n++;
  };
  if (type === "payout.paid" || type === "payout.failed") {
    const p = data as PayoutObject;
    const kind = type === "payout.paid" ? "payout_paid" : "payout_failed";
    for (const r of await recipientsOf(tx, merchant, kind)) {
      const amount = r.fmt.money(p.amount, p.currency);
      const common = {
        payout: p.id,
        amount,
        bank: p.bank_account.bank_name ? r.fmt.bankName(p.bank_account.bank_name) : "—",
        account: p.bank_account.masked ? r.fmt.digits(p.bank_account.masked) : "—",
      };
      const link = consoleUrl(`/payouts/${p.id}`);
      if (type === "payout.paid") {
        await send(
          r,
          "payout.paid",
          r.t("mail.payoutPaid.subject", { merchant: merchant.name, amount }),
          r.t("mail.payoutPaid.body", { ...common, date: r.fmt.dateTime(p.paid_at ?? new Date()), trace: p.trace_number ? r.fmt.digits(p.trace_number) : "—" }),
          link,
        );
      } else {
        const code = p.failure_code ?? "unknown";
        const reasonKey = `payoutFailure.${code}`;
        const known = ACCOUNT_FAILURE_CODES.has(code);
        const reason = known ? r.t(reasonKey as "payoutFailure.account_closed") : (p.failure_message ?? code);
        const text =
          r.t("mail.payoutFailed.body", { ...common, date: r.fmt.dateTime(p.failed_at ?? new Date()), reason, code }) +
          "\n\n" +
          r.t(known ? "mail.payoutFailed.doAccount" : "mail.payoutFailed.doRetry");
        await send(r, "payout.failed", r.t("mail.payoutFailed.subject", { merchant: merchant.name, amount }), text, link);
      }
    }
  } else if (type === "refund.failed") {
    const f = data as RefundObject;
    const [row] = await tx
      .select({ author: refunds.createdByUserId })
      .from(refunds)
      .where(and(eq(refunds.merchantId, merchant.id), eq(refunds.id, f.id)));
    for (const r of await recipientsOf(tx, merchant, "refund_failed", { userIds: row?.author ? [row.author] : [] })) {
      const amount = r.fmt.money(f.amount, f.currency);
      const text =
        r.t("mail.refundFailed.body", {
          refund: f.id,
          amount,
          payment: f.payment_id,
          date: r.fmt.dateTime(f.updated_at ?? new Date()),
          reason: f.failure_message ?? f.failure_code ?? "—",
        }) +
        "\n\n" +
        r.t("mail.refundFailed.do");
      await send(r, "refund.failed", r.t("mail.refundFailed.subject", { merchant: merchant.name, amount }), text, consoleUrl(`/payments/${f.payment_id}`));
    }
  }
  return n;
}

/* ------------------------------ hourly: decline rate ------------------------------ */

/** The hour before `now` (whole hours), per active merchant: owners whose threshold is passed get one mail. */
export async function checkDeclineRates(now = new Date()): Promise<{ checked: number; mailed: number }> {
  const to = new Date(Math.floor(now.getTime() / 3600_000) * 3600_000);
  const from = new Date(to.getTime() - 3600_000);
  const merchants = await rows<{ id: string }>(db(), sql`select id from merchants where status = 'active' order by id`);
  let mailed = 0;
  for (const { id } of merchants) {
    const [c] = await rows<{ attempts: string; declined: string }>(
      db(),
      sql`select count(*)::text as attempts, count(*) filter (where status = 'declined')::text as declined
          from payments where merchant_id = ${id} and created_at >= ${from.toISOString()} and created_at < ${to.toISOString()}
            and status <> 'pending'`,
    );
    const attempts = Number(c?.attempts ?? 0);
    const declined = Number(c?.declined ?? 0);
    if (attempts < DECLINE_MIN_ATTEMPTS || declined === 0) continue;
    const rate = declined / attempts;
    await db().transaction(async (tx) => {
      const merchant = await merchantInfo(tx, id);
      if (!merchant) return;
      for (const r of await recipientsOf(tx, merchant, "decline_rate")) {
        if (rate * 100 <= r.thresholdPct) continue;
        const sent = await sendMail(tx, {
          to: r.email,
          locale: r.prefs.locale === "fa" ? "fa" : "en",
          kind: "decline_rate",
          dedupeKey: `decline:${id}:${from.toISOString()}:${r.userId}`,
          subject: r.t("mail.declineRate.subject", { merchant: merchant.name, rate: r.fmt.percent(rate) }),
          body: withFooter(
            r,
            merchant.name,
            r.t("mail.declineRate.body", {
              from: r.fmt.dateTime(from),
              to: r.fmt.time(to),
              declined,
              attempts,
              rate: r.fmt.percent(rate),
              threshold: r.fmt.percent(r.thresholdPct / 100, 0),
            }),
            consoleUrl(`/payments?status=declined`),
          ),
        });
        if (!sent.duplicate) mailed++;
      }
    });
  }
  return { checked: merchants.length, mailed };
}

/* ------------------------------ daily summary ------------------------------ */

/**
 * Yesterday's summary for every merchant whose local time is past DAILY_SUMMARY_HOUR:
 * gross, refunds, fees and net of the local day (the sales rollup) and the next payout.
 * Runs hourly; the dedupe key sends it once per merchant, owner and local day.
 */
export async function sendDailySummaries(now = new Date()): Promise<{ merchants: number; mailed: number }> {
  const list = await rows<{ id: string; time_zone: string }>(db(), sql`select id, time_zone from merchants where status = 'active' order by id`);
  let mailed = 0;
  let due = 0;
  for (const m of list) {
    const localHour = Number(new Intl.DateTimeFormat("en-GB", { hour: "2-digit", hourCycle: "h23", timeZone: m.time_zone }).format(now));
    if (localHour < DAILY_SUMMARY_HOUR) continue;
    const day = localDateKey(addLocalDays(startOfLocalDay(now, m.time_zone), -1, m.time_zone), m.time_zone);
    due++;
    mailed += await sendDailySummary(m.id, day);
  }
  return { merchants: due, mailed };
}

/** One merchant's summary of one local day (YYYY-MM-DD) to its owners; returns mails written. */
export async function sendDailySummary(merchantId: string, day: string): Promise<number> {
  return db().transaction(async (tx) => {
    const merchant = await merchantInfo(tx, merchantId);
    if (!merchant) return 0;
    const owners = await recipientsOf(tx, merchant, "daily_summary");
    if (owners.length === 0) return 0;
    const [s] = await rows<{ gross: string; count: string; refunds: string; fees: string }>(
      tx,
      sql`select coalesce(sum(captured_amount), 0)::text as gross, coalesce(sum(captured_count), 0)::text as count,
                 coalesce(sum(refunded_amount), 0)::text as refunds, coalesce(sum(fee_amount), 0)::text as fees
          from sales_daily_totals where merchant_id = ${merchantId} and day = ${day} and currency = ${merchant.currency}`,
    );
    const gross = BigInt(s?.gross ?? "0");
    const refunded = BigInt(s?.refunds ?? "0");
    const fees = BigInt(s?.fees ?? "0");
    const net = gross - refunded - fees;
    const [next] = await rows<{ amount: string; currency: string; expected_arrival_date: string }>(
      tx,
      sql`select amount::text as amount, currency, expected_arrival_date::text as expected_arrival_date from payouts
          where merchant_id = ${merchantId} and status in ('pending', 'in_transit')
          order by expected_arrival_date, id limit 1`,
    );
    let n = 0;
    for (const r of owners) {
      const lines = [
        r.t("mail.dailySummary.body", {
          day: r.fmt.day(day),
          zone: r.fmt.zoneName(),
          gross: r.fmt.money(gross, merchant.currency),
          count: Number(s?.count ?? 0),
          refunds: r.fmt.money(refunded, merchant.currency),
          fees: r.fmt.money(fees, merchant.currency),
          net: r.fmt.money(net, merchant.currency),
        }),
        next
          ? r.t("mail.dailySummary.nextPayout", { amount: r.fmt.money(next.amount, next.currency), date: r.fmt.day(next.expected_arrival_date) })
          : r.t("mail.dailySummary.noPayout"),
      ];
      const sent = await sendMail(tx, {
        to: r.email,
        locale: r.prefs.locale === "fa" ? "fa" : "en",
        kind: "daily_summary",
        dedupeKey: `summary:${merchantId}:${day}:${r.userId}`,
        subject: r.t("mail.dailySummary.subject", { merchant: merchant.name, day: r.fmt.day(day) }),
        body: withFooter(r, merchant.name, lines.join("\n"), consoleUrl("/")),
      });
      if (!sent.duplicate) n++;
    }
    return n;
  });
}
