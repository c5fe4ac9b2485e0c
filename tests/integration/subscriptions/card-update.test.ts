import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db, rows } from "~db/client.server";
import * as s from "~db/schema";
import * as cardPage from "~/routes/card.$merchantId.$subscriptionId.$expires.$signature";
import { sandboxProcessor } from "~/modules/processors/sandbox-processor.server";
import { runRenewals } from "~/modules/subscriptions/renewals.server";
import { mandateText } from "~/modules/subscriptions/customers.server";
import { getSubscription } from "~/modules/subscriptions/subscriptions.server";
import { cardLinkPath } from "~/modules/subscriptions/card-link.server";
import { useTestDatabase } from "../../support/db";
import { card, CARD, fastSandbox, ledgerReport, makeMerchant, type TestMerchant } from "../payments/fixtures";
import { invoiceLedger, subscribe } from "./helpers";
import { publishEvents } from "~/modules/events/events.server";
import * as mailboxRoute from "~/routes/_app.mailbox";
import { deliverSms, sendSms } from "~/modules/sms/sms.server";
import { createUser } from "../../support/fixtures";
import { as, signIn } from "../../support/auth";
import { call } from "../../support/responses";

useTestDatabase({ seed: "none" });
fastSandbox();

const RENEWALS_FAIL = "4000000000003410"; // approved with the cardholder present; renewals: insufficient funds

function paramsOf(path: string) {
  const [, , merchantId, subscriptionId, expires, signature] = path.split("?")[0]!.split("/");
  return { merchantId: decodeURIComponent(merchantId!), subscriptionId: subscriptionId!, expires: expires!, signature: signature! };
}

const page = (path: string, cookie = "mc_lang=fa") => call(cardPage.loader, new Request(`http://console.test${path}`, { headers: { cookie, "x-mc-client-ip": "10.40.0.9" } }), paramsOf(path));
const submit = (path: string, body: Record<string, string>, cookie = "mc_lang=fa") =>
  call(
    cardPage.action,
    new Request(`http://console.test${path}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-mc-client-ip": "10.40.0.9", cookie }, body: new URLSearchParams(body).toString() }),
    paramsOf(path),
  );

async function token(number: string) {
  const t = await sandboxProcessor.tokenize(card(number));
  if (!t.ok) throw new Error(t.message);
  return t.card.token;
}

/** A Persian customer (e-mail and mobile) whose renewal just failed: the invoice waits for its first retry. */
async function failedRenewal(m: TestMerchant, start: Date) {
  const sub = await subscribe(m, { name: "Coffee box", amount: "2000000", interval: "month" }, RENEWALS_FAIL, start);
  await db().update(s.customers).set({ phone: "09121234567" }).where(and(eq(s.customers.merchantId, m.merchantId), eq(s.customers.id, sub.customer.id)));
  await db().update(s.paymentMethods).set({ mandateLocale: "fa", mandateText: mandateText("Demo Coffee", "fa") }).where(and(eq(s.paymentMethods.merchantId, m.merchantId), eq(s.paymentMethods.id, sub.paymentMethod.id)));
  await runRenewals({ now: start, merchantIds: [m.merchantId] });
  return sub;
}

const hourAgo = () => new Date(Math.floor((Date.now() - 3_600_000) / 1000) * 1000);

describe("dunning reaches the customer and the update-card page pays the open invoice", () => {
  it("a failed renewal sends an e-mail and an SMS in the customer's language with a signed, expiring link; the page pays the invoice once (double submit too), saves the card with the mandate and the subscription is active again", async () => {
    const m = await makeMerchant({ currency: "IRR", name: "Demo Coffee" });
    const start = hourAgo();
    const { subscription, customer } = await failedRenewal(m, start);
    expect((await getSubscription(m.scope, subscription.id))!.status).toBe("past_due");

    const mails = await db().select().from(s.outboundEmails).where(sql`dedupe_key like ${`dunning:${m.merchantId}:%`}`);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: customer.email, locale: "fa", kind: "dunning", subject: "پرداخت شما به \u2068Demo Coffee\u2069 انجام نشد" });
    const link = /https?:\/\/\S+(\/card\/\S+)/.exec(mails[0]!.body)![1]!;
    expect(mails[0]!.body).toContain("Coffee box");
    expect(mails[0]!.body).toContain("۲٬۰۰۰٬۰۰۰");
    // The text message waits in the SMS outbox with its send_sms job; the provider gets it from the job, once.
    const texts = await db().select().from(s.outboundSms).where(eq(s.outboundSms.merchantId, m.merchantId));
    expect(texts).toHaveLength(1);
    const text = texts[0]!;
    expect(text).toMatchObject({ to: "09121234567", locale: "fa", kind: "dunning", sentAt: null, dedupeKey: mails[0]!.dedupeKey });
    expect(text.body).toBe(`\u2068Demo Coffee\u2069: پرداخت ۲٬۰۰۰٬۰۰۰\u00a0ریال برای \u2068Coffee box\u2069 انجام نشد. پرداخت با کارت دیگر:\n${/https?:\/\/\S+\/card\/\S+/.exec(mails[0]!.body)![0]}`);
    const providerSms = () => db().select().from(s.sandboxSmsMessages).where(and(eq(s.sandboxSmsMessages.accountId, m.merchantId), eq(s.sandboxSmsMessages.to, "09121234567")));
    expect(await providerSms()).toHaveLength(0);
    expect(await rows(db(), sql`select 1 from graphile_worker.jobs where key = ${`sms:${text.id}`} and task_identifier = 'send_sms'`)).toHaveLength(1);
    expect(await deliverSms(m.merchantId, text.id)).toBe("sent");
    expect(await deliverSms(m.merchantId, text.id)).toBe("already_sent");
    expect((await providerSms()).map((x) => x.body)).toEqual([text.body]);

    // The Mailbox page's Text messages tab shows it to the merchant's members, and not to another merchant's.
    const member = await createUser({ email: `owner@${m.merchantId}.test`, memberships: [{ merchantId: m.merchantId, role: "viewer" }] });
    const other = await makeMerchant({ currency: "IRR" });
    const outsider = await createUser({ email: `owner@${other.merchantId}.test`, memberships: [{ merchantId: other.merchantId, role: "owner" }] });
    const box = async (email: string) => (await call(mailboxRoute.loader, as(await signIn(email), "/mailbox?tab=sms"), {})).json();
    const seen = await box(member.email);
    expect(seen.tab).toBe("sms");
    expect(seen.sms).toHaveLength(1);
    expect(seen.sms[0]).toMatchObject({ to: "09121234567", locale: "fa", kind: "dunning", state: "sent", body: text.body });
    expect((await box(outsider.email)).sms).toEqual([]);
    // A second failed attempt's notice is a new message; a repeat of one attempt's is not.
    expect((await sendSms(db(), { merchantId: m.merchantId, to: text.to, body: "again", dedupeKey: text.dedupeKey! })).duplicate).toBe(true);
    const [notice] = await rows<{ data: { channels: string[]; locale: string } }>(db(), sql`select data from events where merchant_id = ${m.merchantId} and type = 'invoice.dunning_notice_sent'`);
    expect(notice!.data).toMatchObject({ channels: ["email", "sms"], locale: "fa" });

    // A tampered link is not found; the real one shows what is due.
    expect((await page(link.replace(/.$/, (c) => (c === "A" ? "B" : "A")))).status).toBe(404);
    const shown = await page(link);
    expect(shown.status).toBe(200);
    const view = await shown.json();
    expect(view).toMatchObject({ state: "card", amount: "2000000", planName: "Coffee box", mandate: mandateText("Demo Coffee", "fa") });

    // Consent is required; nothing is charged without it.
    const tok = await token(CARD.approve);
    const noConsent = await submit(link, { intent: "pay", token: tok, md_u: view.newUpdateId });
    expect(noConsent.status).toBe(400);
    // Beside the tick box (its name on the card form), in the customer's language; the card's token is not sent back.
    expect(await noConsent.json()).toEqual({ ok: false, errors: { md_consent: "اشتراک از کارت ذخیره‌شده شما برداشت می‌شود: برای موافقت، گزینه را علامت بزنید." } });
    // Without JavaScript the provider's form sends the browser back with the card's error, said on the card field it is about.
    const unread = await (await page(`${link}?card_error=invalid_cvc`)).json();
    expect(unread.cardErrors).toEqual({ cvc: "CVV2 پشت کارت را بررسی کنید." });
    expect((await invoiceLedger(m.merchantId, subscription.id))[0]!.attempts).toBe(1);

    const form = { intent: "pay", token: tok, md_u: view.newUpdateId, md_consent: "yes" };
    const [a, b] = await Promise.all([submit(link, form), submit(link, form)]);
    expect([a.status, b.status]).toEqual([303, 303]);
    expect(a.headers.get("location")).toBe(`${link}?u=${view.newUpdateId}`);
    const again = await submit(link, form);
    expect(again.headers.get("location")).toBe(a.headers.get("location"));
    const result = await (await page(a.headers.get("location")!)).json();
    expect(result.state).toBe("paid");
    expect(result.receipt).toMatchObject({ amount: "2000000", maskedCard: expect.stringContaining("4242") });

    const [inv] = await invoiceLedger(m.merchantId, subscription.id);
    expect({ status: inv!.status, captured: inv!.captured, attempts: inv!.attempts, provider: inv!.provider_auths }).toEqual({ status: "paid", captured: 1, attempts: 2, provider: 1 });
    const after = (await getSubscription(m.scope, subscription.id))!;
    expect(after.status).toBe("active");
    const [pm] = await db().select().from(s.paymentMethods).where(and(eq(s.paymentMethods.merchantId, m.merchantId), eq(s.paymentMethods.id, after.paymentMethodId!)));
    expect(pm).toMatchObject({ cardLast4: "4242", mandateLocale: "fa", mandateText: mandateText("Demo Coffee", "fa"), mandateIp: "10.40.0.9", status: "active" });
    await publishEvents(m.merchantId); // the publisher numbers them (readers see numbered events)
    const types = (await db().select({ type: s.events.type }).from(s.events).where(eq(s.events.merchantId, m.merchantId)).orderBy(s.events.seq)).map((e) => e.type);
    expect(types.slice(types.indexOf("subscription.card_update_started"))).toEqual(["subscription.card_update_started", "payment.succeeded", "payment_method.attached", "subscription.updated", "subscription.updated", "invoice.paid"]);

    // The retries that were waiting charge nothing more; the next period is charged to the new card.
    await runRenewals({ now: new Date(start.getTime() + 10 * 86_400_000), merchantIds: [m.merchantId] });
    expect((await invoiceLedger(m.merchantId, subscription.id))[0]!.attempts).toBe(2);
    expect((await ledgerReport(m)).captured).toBe(2_000_000n);
    // Nothing is due now: the link says so.
    expect((await (await page(link)).json()).state).toBe("nothing");
  });

  it("a declined new card does not use up a retry: the waiting retry stays on its day", async () => {
    const m = await makeMerchant({ currency: "IRR", name: "Demo Coffee" });
    const start = hourAgo();
    const { subscription } = await failedRenewal(m, start);
    const [before] = await db().select().from(s.invoices).where(eq(s.invoices.merchantId, m.merchantId));
    const link = await cardLinkPath(db(), m.merchantId, subscription.id, new Date(Date.now() + 86_400_000));
    const view = await (await page(link)).json();
    // Without JavaScript: the provider's form sends the browser back with the token and the echoed md_* fields.
    const r = await page(`${link}?md_u=${view.newUpdateId}&md_consent=yes&token=${await token(CARD.insufficient)}`);
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe(`${link}?u=${view.newUpdateId}`);
    expect((await (await page(r.headers.get("location")!)).json()).state).toBe("declined");
    const [inv] = await db().select().from(s.invoices).where(eq(s.invoices.merchantId, m.merchantId));
    expect({ status: inv!.status, attempts: inv!.attemptCount, customer: inv!.customerAttempts, next: inv!.nextAttemptAt!.toISOString() }).toEqual({
      status: "open",
      attempts: 2,
      customer: 1,
      next: before!.nextAttemptAt!.toISOString(),
    });
    // No second notice for the customer's own try.
    expect(await db().select().from(s.outboundEmails).where(sql`dedupe_key like ${`dunning:${m.merchantId}:%`}`)).toHaveLength(1);
    expect((await getSubscription(m.scope, subscription.id))!.paymentMethodId).toBe(subscription.paymentMethodId);
  });

  it("an expired link shows a page saying so (410) and takes nothing", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const { subscription } = await failedRenewal(m, hourAgo());
    const link = await cardLinkPath(db(), m.merchantId, subscription.id, new Date(Date.now() - 1000));
    const r = await page(link, "mc_lang=en");
    expect(r.status).toBe(410);
    expect((await r.json()).state).toBe("expired");
    const post = await submit(link, { intent: "pay", token: await token(CARD.approve), md_u: "cu_0000000000abcdefghjkmnpq", md_consent: "yes" });
    expect(post.status).toBe(410);
    // In the language the browser chose (the mc_lang cookie), for a dollar merchant too.
    expect(await post.json()).toEqual({ ok: false, errors: { form: "این پیوند منقضی شده است. از فروشنده پیوند تازه بخواهید یا منتظر اطلاعیه بعدی بمانید." } });
    const inEnglish = await submit(link, { intent: "pay", md_consent: "yes" }, "mc_lang=en");
    expect(inEnglish.status).toBe(410);
    expect(await inEnglish.json()).toEqual({ ok: false, errors: { form: "This link has expired. Ask the merchant for a new one, or wait for the next notice." } });
    expect((await invoiceLedger(m.merchantId, subscription.id))[0]!.attempts).toBe(1);
  });

  it("race: the customer's new card and the retry job at the same moment, with both cards able to pay: the invoice is charged exactly once", async () => {
    for (let round = 0; round < 4; round++) {
      const m = await makeMerchant({ currency: "IRR", name: "Demo Coffee" });
      const start = hourAgo();
      const { subscription, paymentMethod } = await failedRenewal(m, start);
      // The old card has money again, and its retry is due right now.
      await db().update(s.paymentMethods).set({ cardToken: await token(CARD.approve) }).where(and(eq(s.paymentMethods.merchantId, m.merchantId), eq(s.paymentMethods.id, paymentMethod.id)));
      const now = new Date();
      await db().update(s.invoices).set({ nextAttemptAt: now }).where(eq(s.invoices.merchantId, m.merchantId));
      const link = await cardLinkPath(db(), m.merchantId, subscription.id, new Date(Date.now() + 86_400_000));
      const view = await (await page(link)).json();
      const form = { intent: "pay", token: await token(CARD.approve), md_u: view.newUpdateId, md_consent: "yes" };
      const [customer] = await Promise.all([submit(link, form), runRenewals({ now, merchantIds: [m.merchantId] })]);
      if (customer.status === 303) await page(customer.headers.get("location")!);
      else expect(Object.keys((await customer.json()).errors)).toEqual(["form"]);
      await runRenewals({ now: new Date(), merchantIds: [m.merchantId] });
      const [inv] = await invoiceLedger(m.merchantId, subscription.id);
      expect({ status: inv!.status, captured: inv!.captured, provider: inv!.provider_auths }).toEqual({ status: "paid", captured: 1, provider: 1 });
      expect((await ledgerReport(m)).captured).toBe(2_000_000n);
    }
  });
});
