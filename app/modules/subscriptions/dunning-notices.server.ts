/**
 * Dunning reaches the customer: after a failed renewal attempt that will be retried, an
 * e-mail (the mail outbox, sendMail) to the customer's address and a text message (the SMS
 * outbox, sendSms) to their phone, both sent by the job queue and shown on the Mailbox page,
 * in the customer's language (the language they accepted their card's mandate in, else the
 * merchant's), with a signed link to the hosted update-card
 * page that expires after CARD_LINK_TTL_DAYS days. Written in the caller's transaction
 * (no notice for a rolled-back failure), at most once per invoice attempt (dedupe key),
 * and recorded as the event invoice.dunning_notice_sent.
 */
import { and, eq } from "drizzle-orm";
import { customers, paymentMethods, plans, type merchants } from "~db/schema";
import type { Tx } from "~db/client.server";
import { makeFormatter } from "~/lib/format";
import { resolvePreferencesFrom } from "~/lib/i18n/preferences";
import { recordEvent } from "~/modules/events/events.server";
import { sendMail } from "~/modules/mail/mailer.server";
import { serverTranslator } from "~/modules/i18n/preferences.server";
import { consoleUrl } from "~/modules/notifications/recipients.server";
import { sendSms } from "~/modules/sms/sms.server";
import { CARD_LINK_TTL_DAYS, cardLinkPath } from "./card-link.server";
import { serializeInvoice, type Invoice, type Subscription } from "./serialize";

type Merchant = typeof merchants.$inferSelect;

const EMAIL = /^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$/;
const PHONE = /^\+?[0-9]{8,15}$/;

/** The customer's language: their saved card's mandate language, else the merchant's default. */
async function customerLocale(tx: Tx, s: Subscription, merchant: Merchant): Promise<string> {
  if (s.paymentMethodId) {
    const [pm] = await tx
      .select({ locale: paymentMethods.mandateLocale })
      .from(paymentMethods)
      .where(and(eq(paymentMethods.merchantId, s.merchantId), eq(paymentMethods.id, s.paymentMethodId)));
    if (pm) return pm.locale;
  }
  const [last] = await tx
    .select({ locale: paymentMethods.mandateLocale })
    .from(paymentMethods)
    .where(and(eq(paymentMethods.merchantId, s.merchantId), eq(paymentMethods.customerId, s.customerId)))
    .orderBy(paymentMethods.createdAt)
    .limit(1);
  return last?.locale ?? merchant.defaultLocale;
}

export interface DunningNotice {
  email: string | null;
  sms: string | null;
  locale: string;
  linkExpiresAt: Date;
}

/** Sends the notice of a failed attempt whose next retry is `nextAttemptAt`. */
export async function sendDunningNotice(tx: Tx, inv: Invoice, s: Subscription, merchant: Merchant, nextAttemptAt: Date, now: Date): Promise<DunningNotice> {
  const [customer] = await tx.select().from(customers).where(and(eq(customers.merchantId, s.merchantId), eq(customers.id, s.customerId)));
  const [plan] = await tx.select().from(plans).where(and(eq(plans.merchantId, s.merchantId), eq(plans.id, s.planId)));
  const locale = await customerLocale(tx, s, merchant);
  const prefs = resolvePreferencesFrom({ user: { locale }, merchant: { currency: merchant.currency, timeZone: merchant.timeZone, defaultLocale: merchant.defaultLocale } });
  const t = serverTranslator(prefs);
  const fmt = makeFormatter({ ...prefs });
  const linkExpiresAt = new Date(now.getTime() + CARD_LINK_TTL_DAYS * 86_400_000);
  const url = consoleUrl(await cardLinkPath(tx, s.merchantId, s.id, linkExpiresAt));
  const vars = {
    merchant: merchant.name,
    name: customer?.name ?? "",
    plan: plan?.name ?? "",
    amount: fmt.money(inv.amount.toString(), inv.currency),
    period: `${fmt.date(inv.periodStart.toISOString())} – ${fmt.date(inv.periodEnd.toISOString())}`,
    next: fmt.dateTime(nextAttemptAt.toISOString()),
    expires: fmt.dateTime(linkExpiresAt.toISOString()),
  };
  // (The link goes on a line of its own, outside the translated words: no bidi marks around it.)
  const dedupe = `dunning:${inv.merchantId}:${inv.id}:${inv.attemptCount}`;
  const email = customer?.email && EMAIL.test(customer.email) ? customer.email : null;
  const phone = customer?.phone && PHONE.test(customer.phone) ? customer.phone : null;
  let mailed: string | null = null;
  if (email) {
    const sent = await sendMail(tx, { to: email, locale: prefs.locale === "fa" ? "fa" : "en", kind: "dunning", dedupeKey: dedupe, subject: t("dunning.mail.subject", vars), body: `${t("dunning.mail.body", vars)}\n${url}\n\n${merchant.name}` });
    if (!sent.duplicate) mailed = email;
  }
  let texted: string | null = null;
  if (phone) {
    const sent = await sendSms(tx, { merchantId: s.merchantId, to: phone, locale: prefs.locale === "fa" ? "fa" : "en", kind: "dunning", dedupeKey: dedupe, body: `${t("dunning.sms.body", vars)}\n${url}` });
    if (!sent.duplicate) texted = phone;
  }
  if (mailed || texted) {
    await recordEvent(
      tx,
      s.merchantId,
      "invoice.dunning_notice_sent",
      { ...serializeInvoice(inv), channels: [mailed ? "email" : null, texted ? "sms" : null].filter(Boolean), locale: prefs.locale, card_link_expires_at: linkExpiresAt.toISOString() },
      now,
    );
  }
  return { email: mailed, sms: texted, locale: prefs.locale, linkExpiresAt };
}
