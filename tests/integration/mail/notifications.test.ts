/**
 * Notifications: payout paid/failed and refund failed come from the events outbox; the
 * decline-rate alert and the daily summary from their recurring tasks; a new browser at
 * sign-in from the sign-in itself. Each goes to the right people, in their language, once,
 * and not to those who switched it off on the Notifications page.
 */
import { and, asc, eq, like, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as s from "~db/schema";
import { db, rows } from "~db/client.server";
import { checkDeclineRates, notifyEvents, pollNotifications, sendDailySummaries, sendDailySummary } from "~/modules/notifications/notify.server";
import { runPayoutEngine } from "~/modules/settlements/engine.server";
import { createPayment } from "~/modules/payments/payments.server";
import { issueRefund } from "~/modules/refunds/refunds.server";
import { action as notificationsAction, loader as notificationsLoader } from "~/routes/_app.settings.notifications";
import { CRONTAB, startWorker, type WorkerHandle } from "~/server/worker";
import { recordEvent } from "~/modules/events/events.server";
import { createEndpoint } from "~/modules/webhooks/endpoints.server";
import { deliverOnce, dispatchEvents } from "~/modules/webhooks/delivery.server";
import { useTestDatabase } from "../../support/db";
import { createUser } from "../../support/fixtures";
import { as, signIn } from "../../support/auth";
import { setEnv } from "../../support/env";
import { startSmtpServer } from "../../support/smtp";
import { settle } from "../../support/responses";
import { card, CARD, fastSandbox } from "../payments/fixtures";
import { addAccount, charge, CLOSED_SHEBA, GOOD_SHEBA, makeMerchant, payoutsOf } from "../settlements/helpers";
import { until } from "../../support/wait";

useTestDatabase({ seed: "none" });

/** Without the bidi isolates Persian sentences put around embedded names and numbers. */
const plain = (text: string) => text.replace(/[\u2066-\u2069]/g, "").replace(/[\u00a0\u202f]/g, " ");
const tehran = (local: string) => new Date(`${local}+03:30`);
const mailTo = (to: string, kind?: string) =>
  db()
    .select()
    .from(s.outboundEmails)
    .where(kind ? and(eq(s.outboundEmails.to, to), eq(s.outboundEmails.kind, kind)) : eq(s.outboundEmails.to, to))
    .orderBy(asc(s.outboundEmails.createdAt));

describe("payout notifications from the events outbox", () => {
  let m: Awaited<ReturnType<typeof makeMerchant>>;
  const people = { owner: "", accountant: "", admin: "", viewer: "" };
  const emails = { owner: "", accountant: "", admin: "", viewer: "" };

  beforeAll(async () => {
    m = await makeMerchant({ account: CLOSED_SHEBA });
    await db().update(s.merchants).set({ name: "Kafe Sib", defaultLocale: "en" }).where(eq(s.merchants.id, m.id));
    for (const role of ["owner", "accountant", "admin", "viewer"] as const) {
      emails[role] = `${role}@payout-notify.test`;
      people[role] = (await createUser({ email: emails[role], memberships: [{ merchantId: m.id, role }] })).id;
    }
    // The owner reads the console in Persian; the others follow the merchant's English.
    await db().update(s.users).set({ locale: "fa" }).where(eq(s.users.id, people.owner));
  });

  it("a failed payout mails the owner (in Persian) and the accountant with the bank's reason and what to do; nobody else", async () => {
    await charge(m, tehran("2025-10-20T12:00:00"), 1_000_000n);
    await runPayoutEngine({ now: tehran("2025-10-21T09:00:00"), merchantIds: [m.id] });
    expect(await pollNotifications()).toBe(0); // created / in transit: nothing to tell
    await runPayoutEngine({ now: tehran("2025-10-21T11:00:00"), merchantIds: [m.id] });
    const [p] = await payoutsOf(m);
    expect(p!.status).toBe("failed");
    expect(await pollNotifications()).toBeGreaterThanOrEqual(1);
    expect(await notifyEvents(m.id)).toBe(2);
    // Running it again (a retried job) writes nothing more.
    expect(await notifyEvents(m.id)).toBe(0);

    const [fa] = await mailTo(emails.owner);
    expect(fa).toMatchObject({ locale: "fa", kind: "payout.failed" });
    expect(plain(fa!.subject)).toBe("Kafe Sib: تسویهٔ ۱٬۰۰۰٬۰۰۰ ریال ناموفق بود");
    expect(fa!.body).toContain("پاسخ بانک:");
    expect(fa!.body).toContain("چه باید کرد: این حساب بانکی نمی‌تواند پول دریافت کند");
    expect(fa!.body).toContain(`/payouts/${p!.id}`);

    const [en] = await mailTo(emails.accountant);
    expect(en).toMatchObject({ locale: "en", kind: "payout.failed" });
    expect(en!.subject).toMatch(/^Kafe Sib: payout of .*1,000,000.* failed$/);
    expect(en!.body).toContain(`Your payout ${p!.id} of`);
    expect(en!.body).toContain("The bank said: the account is closed (account_closed).");
    expect(en!.body).toContain("What to do: the bank account cannot receive money, so payouts to it are paused. The owner enters a working account under Settings › Bank account");
    expect(en!.body).toContain("The money is back in your balance; nothing is lost.");
    expect(en!.body).toContain("/settings/notifications");

    expect(await mailTo(emails.admin)).toHaveLength(0);
    expect(await mailTo(emails.viewer)).toHaveLength(0);
  });

  it("the accountant switches payout mails off on the Notifications page: the paid payout mails the owner only", async () => {
    const accountant = await signIn(emails.accountant);
    const page = await (await settle(notificationsLoader({ request: as(accountant, "/settings/notifications"), params: {}, context: {} }))).json();
    expect(page.kinds).toEqual([
      { kind: "payout_paid", enabled: true },
      { kind: "payout_failed", enabled: true },
      { kind: "new_sign_in", enabled: true },
    ]);
    const saved = await settle(
      notificationsAction({ request: as(accountant, "/settings/notifications", { form: { on: "new_sign_in" } }), params: {}, context: {} }),
    );
    expect(saved.status).toBe(302);
    expect(saved.headers.get("location")).toBe("/settings/notifications?saved=1");
    const after = await (await settle(notificationsLoader({ request: as(accountant, "/settings/notifications"), params: {}, context: {} }))).json();
    expect(after.kinds.filter((k: { enabled: boolean }) => k.enabled).map((k: { kind: string }) => k.kind)).toEqual(["new_sign_in"]);
    const [audited] = await rows<{ details: { off: string[] } }>(db(), sql`select details from audit_events where action = 'notifications.update' and actor_user_id = ${people.accountant}`);
    expect(audited!.details.off).toEqual(["payout_paid", "payout_failed"]);

    await addAccount(m.scope, "IRR", GOOD_SHEBA, tehran("2025-10-21T14:00:00"));
    await charge(m, tehran("2025-10-21T15:00:00"), 500_000n);
    await runPayoutEngine({ now: tehran("2025-10-22T12:00:00"), merchantIds: [m.id] });
    const paid = (await payoutsOf(m)).find((p) => p.status === "paid")!;
    expect(paid).toBeDefined();
    expect(await notifyEvents(m.id)).toBe(1);
    const [mail] = await mailTo(emails.owner, "payout.paid");
    expect(plain(mail!.subject)).toBe("Kafe Sib: تسویهٔ ۱٬۵۰۰٬۰۰۰ ریال واریز شد");
    expect(plain(mail!.body)).toContain(`تسویهٔ ${paid.id} به مبلغ ۱٬۵۰۰٬۰۰۰ ریال`);
    expect(mail!.body).toContain("شمارهٔ پیگیری:");
    expect(await mailTo(emails.accountant, "payout.paid")).toHaveLength(0);
  });

  it("refuses a threshold that is not a whole percentage from 1 to 100, naming the field", async () => {
    const owner = await signIn(emails.owner);
    const res = await settle(
      notificationsAction({ request: as(owner, "/settings/notifications", { form: { on: "decline_rate", thresholdPct: "150" } }), params: {}, context: {} }),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      ok: false,
      errors: { thresholdPct: "درصدی صحیح از ۱ تا ۱۰۰ وارد کنید." },
      values: { on: "decline_rate", thresholdPct: "150" },
    });
  });
});

describe("refund failed, decline rate, daily summary, new browser", () => {
  let shop: string;
  const terminalId = "term_notify";
  let owner: { id: string; email: string };
  let support: { id: string; email: string };
  let admin: { id: string; email: string };

  beforeAll(async () => {
    fastSandbox();
    const mm = await makeMerchant();
    shop = mm.id;
    await db().update(s.merchants).set({ name: "Ketab Khaneh", defaultLocale: "fa", feeBps: 100 }).where(eq(s.merchants.id, shop));
    await db().insert(s.terminals).values({ merchantId: shop, id: terminalId, name: "API", kind: "api" });
    owner = await createUser({ email: "owner@refund-notify.test", memberships: [{ merchantId: shop, role: "owner" }] });
    support = await createUser({ email: "support@refund-notify.test", memberships: [{ merchantId: shop, role: "support" }] });
    admin = await createUser({ email: "admin@refund-notify.test", memberships: [{ merchantId: shop, role: "admin" }] });
    await db().update(s.users).set({ locale: "en" }).where(eq(s.users.id, admin.id));
  });

  it("a failed refund mails its author (an admin, in English) and support (in the merchant's Persian), not the owner", async () => {
    const pay = await createPayment({ merchantId: shop }, { amount: 250_000n, currency: "IRR", card: card("4000000000005126") }, { terminalId });
    if (!pay.ok) throw new Error("payment refused");
    const r = await issueRefund({ merchantId: shop }, { paymentId: pay.payment.id, amount: 100_000n, actor: { kind: "member", member: { user: { id: admin.id, email: admin.email }, role: "admin", merchant: { supportRefundLimit: 0n } } } });
    expect(r.ok && r.refund.status).toBe("failed");
    expect(await notifyEvents(shop)).toBe(2);
    const [en] = await mailTo(admin.email);
    expect(en).toMatchObject({ kind: "refund.failed", locale: "en" });
    expect(en!.body).toContain(`for payment ${pay.payment.id} failed`);
    expect(en!.body).toContain("The provider said: The card's account is closed, so its bank returned the refund.");
    expect(en!.body).toContain("What to do: tell the customer, then return the money another way");
    const [fa] = await mailTo(support.email);
    expect(fa).toMatchObject({ kind: "refund.failed", locale: "fa" });
    expect(plain(fa!.subject)).toBe("Ketab Khaneh: بازپرداخت ۱۰۰٬۰۰۰ ریال ناموفق بود");
    expect(await mailTo(owner.email, "refund.failed")).toHaveLength(0);
  });

  it("an hour with more declines than the owner's threshold mails the owner once", async () => {
    const mm = await makeMerchant();
    await db().update(s.merchants).set({ name: "Gol Forooshi", defaultLocale: "fa" }).where(eq(s.merchants.id, mm.id));
    await db().insert(s.terminals).values({ merchantId: mm.id, id: terminalId, name: "API", kind: "api" });
    const boss = await createUser({ email: "owner@decline-notify.test", memberships: [{ merchantId: mm.id, role: "owner" }] });
    for (let i = 0; i < 12; i++) {
      await createPayment({ merchantId: mm.id }, { amount: 10_000n + BigInt(i), currency: "IRR", card: card(i < 4 ? CARD.doNotHonor : CARD.approveIr) }, { terminalId });
    }
    const nextHour = new Date(Math.ceil((Date.now() + 1) / 3600_000) * 3600_000);
    const first = await checkDeclineRates(nextHour);
    expect(first.mailed).toBeGreaterThanOrEqual(1);
    expect((await checkDeclineRates(nextHour)).mailed).toBe(0);
    const [mail] = await mailTo(boss.email, "decline_rate");
    expect(mail!.locale).toBe("fa");
    expect(plain(mail!.subject)).toBe("Gol Forooshi: ۳۳٫۳٪ از پرداخت‌های یک ساعت گذشته رد شد");
    expect(plain(mail!.body)).toContain("۴ از ۱۲ تلاش پرداخت رد شد (۳۳٫۳٪)؛ آستانهٔ هشدار شما ۲۰٪ است");
    // The owner's own threshold above the rate: no alert.
    await db().insert(s.notificationSettings).values({ merchantId: mm.id, userId: boss.id, kind: "decline_rate", enabled: true, thresholdPct: 40 });
    await db().delete(s.outboundEmails).where(eq(s.outboundEmails.to, boss.email));
    await checkDeclineRates(nextHour);
    expect(await mailTo(boss.email, "decline_rate")).toHaveLength(0);
  });

  it("the daily summary goes once per local day after 08:00 in the merchant's zone, with a Jalali date for Persian", async () => {
    const now = new Date();
    const todayTehran = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tehran" }).format(now);
    const [y, mo, d] = todayTehran.split("-").map(Number) as [number, number, number];
    const tomorrow07 = new Date(Date.UTC(y, mo - 1, d + 1, 7, 0) - 3.5 * 3600_000);
    const tomorrow09 = new Date(Date.UTC(y, mo - 1, d + 1, 9, 0) - 3.5 * 3600_000);
    expect((await sendDailySummaries(tomorrow07)).mailed).toBe(0);
    const r = await sendDailySummaries(tomorrow09);
    expect(r.mailed).toBeGreaterThanOrEqual(1);
    expect((await sendDailySummaries(tomorrow09)).mailed).toBe(0);
    expect(await sendDailySummary(shop, todayTehran)).toBe(0);
    const mails = await mailTo(owner.email, "daily_summary");
    expect(mails).toHaveLength(1);
    const jalali = new Intl.DateTimeFormat("fa-IR-u-ca-persian", { timeZone: "UTC", year: "numeric", month: "long", day: "numeric" }).format(new Date(`${todayTehran}T12:00:00Z`));
    expect(plain(mails[0]!.subject)).toBe(`Ketab Khaneh: خلاصهٔ ${jalali}`);
    expect(mails[0]!.body).toContain("(به وقت تهران)");
    // Today's one captured payment (its refund failed, so no refund counts), 1% fee, from the rollup.
    expect(plain(mails[0]!.body)).toContain("ناخالص: ۲۵۰٬۰۰۰ ریال از ۱ پرداخت\nبازپرداخت‌ها: ۰ ریال\nکارمزد: ۲٬۵۰۰ ریال\nخالص: ۲۴۷٬۵۰۰ ریال");
    expect(mails[0]!.body).toMatch(/تسویهٔ بعدی|هنوز تسویه‌ای برنامه‌ریزی نشده است/);
    expect(jalali.length).toBeGreaterThan(4);
    expect(mails[0]!.body).toContain(jalali.split(" ").at(-1)!); // the Jalali year
  });

  it("a sign-in from a new browser mails the person; the same browser again does not", async () => {
    await signIn(support.email, undefined, { browser: "first-browser-token-aaaaaaaaaaaa" });
    expect(await mailTo(support.email, "new_sign_in")).toHaveLength(0); // the first sign-in ever
    await signIn(support.email, undefined, { browser: "first-browser-token-aaaaaaaaaaaa" });
    expect(await mailTo(support.email, "new_sign_in")).toHaveLength(0);
    await signIn(support.email, undefined, { browser: null, ip: "198.51.100.7" });
    const [mail] = await mailTo(support.email, "new_sign_in");
    expect(mail).toMatchObject({ locale: "fa", subject: "ورود تازه به حساب پنل پذیرنده" });
    expect(plain(mail!.body)).toContain("نشانی IP: \u200e198.51.100.7");
    expect(mail!.body).toContain("/settings/security");
    const known = await db().select().from(s.knownBrowsers).where(eq(s.knownBrowsers.userId, support.id));
    expect(known).toHaveLength(2);
    expect(known.every((k) => /^[0-9a-f]{64}$/.test(k.tokenHash))).toBe(true);
  });
});

describe("webhook endpoint disabled", () => {
  it("after 3 days of failures the endpoint is disabled and its owner and admins are told in their language, unless switched off", async () => {
    process.env.WEBHOOKS_ALLOW_PRIVATE = "1";
    try {
      const mm = await makeMerchant();
      await db().update(s.merchants).set({ name: "Hook Shop", defaultLocale: "fa" }).where(eq(s.merchants.id, mm.id));
      const o = await createUser({ email: "owner@hook-notify.test", memberships: [{ merchantId: mm.id, role: "owner" }] });
      const a = await createUser({ email: "admin@hook-notify.test", memberships: [{ merchantId: mm.id, role: "admin" }] });
      const quiet = await createUser({ email: "quiet@hook-notify.test", memberships: [{ merchantId: mm.id, role: "admin" }] });
      await createUser({ email: "support@hook-notify.test", memberships: [{ merchantId: mm.id, role: "support" }] });
      await db().update(s.users).set({ locale: "en" }).where(eq(s.users.id, a.id));
      await db().insert(s.notificationSettings).values({ merchantId: mm.id, userId: quiet.id, kind: "webhook_disabled", enabled: false });
      // Nothing listens on port 9 here: every delivery fails at once.
      const saved = await createEndpoint(mm.scope, { url: "http://127.0.0.1:9/hooks", events: ["*"] }, { kind: "system" });
      if (!saved.ok) throw new Error("endpoint refused");
      await db().transaction((tx) => recordEvent(tx, mm.id, "payment.created", { id: "pay_hook_test", object: "payment" }));
      await dispatchEvents(mm.id);
      const [d] = await db().select().from(s.webhookDeliveries).where(eq(s.webhookDeliveries.merchantId, mm.id));
      const fourDaysAgo = new Date(Date.now() - 4 * 86400_000);
      await db().update(s.webhookDeliveries).set({ createdAt: fourDaysAgo, attempts: 5 }).where(and(eq(s.webhookDeliveries.merchantId, mm.id), eq(s.webhookDeliveries.id, d!.id)));
      await db().update(s.webhookEndpoints).set({ failingSince: fourDaysAgo }).where(eq(s.webhookEndpoints.merchantId, mm.id));
      await deliverOnce(mm.id, d!.id);
      const [ep] = await db().select().from(s.webhookEndpoints).where(eq(s.webhookEndpoints.merchantId, mm.id));
      expect(ep!.status).toBe("disabled");
      const [fa] = await mailTo(o.email, "webhook.disabled");
      expect(fa).toMatchObject({ locale: "fa", subject: "نقطهٔ وب‌هوک غیرفعال شد" });
      expect(fa!.body).toContain("http://127.0.0.1:9/hooks");
      const [en] = await mailTo(a.email, "webhook.disabled");
      expect(en).toMatchObject({ locale: "en", subject: "Webhook endpoint disabled" });
      expect(en!.body).toContain("Every delivery to http://127.0.0.1:9/hooks failed for 3 days, so the endpoint was disabled.");
      expect(await mailTo(quiet.email)).toHaveLength(0);
      expect(await mailTo("support@hook-notify.test")).toHaveLength(0);
    } finally {
      delete process.env.WEBHOOKS_ALLOW_PRIVATE;
    }
  });
});

describe("the recurring tasks", () => {
  it("are in the crontab: the decline-rate check and the daily summary, each hourly", async () => {
    const { parseCrontab } = await import("graphile-worker");
    const items = parseCrontab(CRONTAB);
    const byTask = new Map(items.map((i) => [i.task, i]));
    expect(byTask.get("notifications_hourly")?.match).toBeDefined();
    expect(byTask.get("daily_summary")?.match).toBeDefined();
    expect(byTask.get("daily_summary")!.options.jobKey).toBe("cron:daily_summary");
  });
});

describe("a notification over SMTP", () => {
  let worker: WorkerHandle | undefined;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let restoreSmtpUrl: () => void;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    restoreSmtpUrl = setEnv("SMTP_URL", smtp.url);
  });
  afterAll(async () => {
    await worker?.stop();
    await smtp.stop();
    restoreSmtpUrl();
  });

  it("the worker turns a failed payout into a Persian mail at the owner's SMTP server within seconds", async () => {
    const m = await makeMerchant({ account: CLOSED_SHEBA });
    await db().update(s.merchants).set({ name: "Nan Bakery" }).where(eq(s.merchants.id, m.id));
    const o = await createUser({ email: "owner@smtp-notify.test", memberships: [{ merchantId: m.id, role: "owner" }] });
    await db().update(s.users).set({ locale: "fa" }).where(eq(s.users.id, o.id));
    worker = await startWorker({ crontab: false, pollInterval: 100, dispatchPollMs: 100, log: () => {} });
    await charge(m, tehran("2025-10-20T12:00:00"), 2_000_000n);
    await runPayoutEngine({ now: tehran("2025-10-21T09:00:00"), merchantIds: [m.id] });
    await runPayoutEngine({ now: tehran("2025-10-21T11:00:00"), merchantIds: [m.id] });
    const got = () => smtp.received.filter((r) => r.to[0] === o.email);
    expect(await until(() => got().length === 1, 15_000)).toBe(true);
    const mail = got()[0]!;
    expect(plain(mail.subject)).toBe("Nan Bakery: تسویهٔ ۲٬۰۰۰٬۰۰۰ ریال ناموفق بود");
    expect(mail.headers["content-language"]).toBe("fa");
    expect(mail.text).toContain("چه باید کرد:");
    expect(mail.html).toContain('dir="rtl"');
    const [row] = await db().select().from(s.outboundEmails).where(like(s.outboundEmails.to, "owner@smtp-notify.test"));
    expect(await until(async () => (await db().select().from(s.outboundEmails).where(eq(s.outboundEmails.id, row!.id)))[0]!.sentAt !== null, 5000)).toBe(true);
  }, 60_000);
});
