import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, merchants } from "~db/schema";
import { requireContext, type AppContext } from "~/web/guard.server";
import { setBankAccount, validateBankAccount } from "~/modules/merchants/bank-accounts.server";
import { getOnboarding, updateBusinessDetails } from "~/modules/merchants/onboarding.server";
import { runPayoutEngine } from "~/modules/settlements/engine.server";
import { editHoliday, ensureHolidayCalendars, listHolidays } from "~/modules/settlements/holidays.server";
import { holidays } from "~db/schema";
import { getSchedule, updateSchedule } from "~/modules/settlements/schedule.server";
import { useTestDatabase } from "../../support/db";
import { as, signIn } from "../../support/auth";
import { createUser } from "../../support/fixtures";
import { charge, makeMerchant, payoutsOf, type TestMerchant } from "../settlements/helpers";
import { action as settingsAction } from "~/routes/_app.settings._index";
import { users } from "~db/schema";

const t = useTestDatabase({ seed: "none" });
const tehran = (local: string) => new Date(`${local}+03:30`);

async function ownerOf(m: TestMerchant, role: "owner" | "admin" = "owner"): Promise<AppContext> {
  const email = `${role}-${m.id}@shop.test`;
  await createUser({ email, memberships: [{ merchantId: m.id, role }] });
  const s = await signIn(email);
  return requireContext(as(s, "/settings"));
}

describe("bank accounts by currency", () => {
  it("a USD merchant is paid to a US account (ABA checked) or an IBAN, never a Sheba", async () => {
    const v = (input: Parameters<typeof validateBankAccount>[1]) => validateBankAccount("USD", input);
    expect(v({ kind: "aba", routingNumber: "021000022", accountNumber: "000123456789", holderName: "Books LLC" })).toMatchObject({
      ok: false,
      field: "routingNumber",
      message: expect.stringMatching(/check digit/),
    });
    expect(v({ kind: "aba", routingNumber: "501000005", accountNumber: "000123456789", holderName: "Books LLC" })).toMatchObject({ field: "routingNumber", message: expect.stringMatching(/No routing number starts with 50/) });
    expect(v({ kind: "aba", routingNumber: "021000021", accountNumber: "12ab", holderName: "Books LLC" })).toMatchObject({ field: "accountNumber", message: expect.stringMatching(/4 to 17 digits/) });
    expect(v({ kind: "aba", routingNumber: "021000021", accountNumber: "000123456789", holderName: "" })).toMatchObject({ field: "holderName" });
    expect(v({ kind: "sheba", accountNumber: "IR200170000000000123456789", holderName: "Books LLC" })).toMatchObject({ field: "kind", message: expect.stringMatching(/USD payouts go to/) });
    expect(v({ kind: "iban", accountNumber: "IR200170000000000123456789", holderName: "Books LLC" })).toMatchObject({ field: "accountNumber", message: expect.stringMatching(/IRR payouts only/) });
    expect(v({ kind: "iban", accountNumber: "DE89 3704 0044 0532 0130 01", holderName: "Books LLC" })).toMatchObject({ field: "accountNumber", message: expect.stringMatching(/check digits/) });
    expect(v({ kind: "aba", routingNumber: "0210 0002 1", accountNumber: "0001-2345-6789", holderName: "Books  LLC" })).toMatchObject({
      ok: true,
      account: { routingNumber: "021000021", accountNumber: "000123456789", holderName: "Books LLC" },
    });
    expect(v({ kind: "iban", accountNumber: "gb82 west 1234 5698 7654 32", holderName: "Books LLC" })).toMatchObject({ ok: true, account: { accountNumber: "GB82WEST12345698765432" } });
    expect(validateBankAccount("EUR", { kind: "aba", routingNumber: "021000021", accountNumber: "000123456789", holderName: "X Y" })).toMatchObject({ field: "kind" });
  });

  it("an admin cannot change it even through the domain function; the refusal is audited", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const admin = await ownerOf(m, "admin");
    const r = await setBankAccount(m.scope, { kind: "aba", routingNumber: "110000000", accountNumber: "000111111113", holderName: "Admin" }, { actor: admin });
    expect(r).toMatchObject({ ok: false, status: 403 });
    const [e] = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.merchantId, m.id), eq(auditEvents.action, "bank_account.change")));
    expect(e).toMatchObject({ outcome: "denied" });
  });
});

describe("settlement schedule", () => {
  it("refuses what cannot work, with the field and a reason", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const owner = await ownerOf(m);
    const base = { cutoff: "00:00", delayDays: "2", weekendDays: ["0", "6"], holidayCalendar: "US", minimumPayout: "" };
    const bad: [Partial<typeof base>, string, RegExp][] = [
      [{ cutoff: "24:00" }, "cutoff", /time of day/],
      [{ delayDays: "11" }, "delayDays", /0 to 10/],
      [{ delayDays: "1.5" }, "delayDays", /whole number/],
      [{ weekendDays: ["0", "1", "2", "3"] }, "weekendDays", /At most three/],
      [{ weekendDays: ["7"] }, "weekendDays", /Sunday to Saturday/],
      [{ holidayCalendar: "XX" }, "holidayCalendar", /from the list/],
      [{ minimumPayout: "12,50" }, "minimumPayout", /point \(\.\) for decimals/],
      [{ minimumPayout: "-5" }, "minimumPayout", /greater than zero/],
    ];
    for (const [change, field, reason] of bad) {
      const r = await updateSchedule(m.scope, { ...base, ...change }, { actor: owner });
      expect(r, JSON.stringify(change)).toMatchObject({ ok: false, field, message: expect.stringMatching(reason) });
    }
    const ok = await updateSchedule(m.scope, { ...base, cutoff: "18:30", minimumPayout: "25.00", weekendDays: ["6", "0"] }, { actor: owner });
    expect(ok.ok).toBe(true);
    expect(await getSchedule(m.scope)).toMatchObject({ cutoff: "18:30", delayDays: 2, weekendDays: [0, 6], minimumPayout: 2500n });
    const [e] = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.merchantId, m.id), eq(auditEvents.action, "settlement.schedule_update")));
    expect(e!.details).toMatchObject({ before: { cutoff: "00:00" }, after: { cutoff: "18:30", minimumPayout: "2500" } });
  });

  it("a new cutoff applies from then on: the same evening payment settles the same day", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const owner = await ownerOf(m);
    await updateSchedule(m.scope, { cutoff: "18:00", delayDays: "1", weekendDays: ["0", "6"], holidayCalendar: "US", minimumPayout: "0" }, { actor: owner });
    await charge(m, new Date("2025-10-21T21:00:00Z"), 5000n); // 17:00 EDT Tuesday: before 18:00
    await runPayoutEngine({ now: new Date("2025-10-22T00:00:00Z"), merchantIds: [m.id] });
    const [p] = await payoutsOf(m);
    expect(p!.cutoffAt.toISOString()).toBe("2025-10-21T22:00:00.000Z");
    expect(p!.expectedArrivalDate).toBe("2025-10-22");
  });
});

describe("holiday calendar", () => {
  it("a closed day of the merchant's own delays the payout; working through a public holiday speeds it up", async () => {
    const m = await makeMerchant();
    const owner = await ownerOf(m);
    expect(await editHoliday(m.scope, { kind: "close", day: "2025-10-21", name: "Stocktaking" }, { actor: owner })).toEqual({ ok: true });
    expect(await editHoliday(m.scope, { kind: "close", day: "2025-10-32", name: "Nope" }, { actor: owner })).toMatchObject({ ok: false, field: "day" });
    expect(await editHoliday(m.scope, { kind: "close", day: "2025-10-23", name: " " }, { actor: owner })).toMatchObject({ ok: false, field: "name" });
    expect(await editHoliday(m.scope, { kind: "open", day: "2025-10-22" }, { actor: owner })).toMatchObject({ ok: false, message: expect.stringMatching(/not a public holiday/) });
    // Monday 2025-11-24 is a public holiday in Iran; the merchant works through it.
    expect(await editHoliday(m.scope, { kind: "open", day: "2025-11-24" }, { actor: owner })).toEqual({ ok: true });

    await charge(m, tehran("2025-10-20T12:00:00"), 1_000_000n); // Monday
    await charge(m, tehran("2025-11-23T12:00:00"), 2_000_000n); // Sunday before the holiday
    await runPayoutEngine({ now: tehran("2025-11-26T12:00:00"), merchantIds: [m.id] });
    const ps = await payoutsOf(m);
    expect(ps.map((p) => p.expectedArrivalDate)).toEqual(["2025-10-22", "2025-11-24"]);

    const list = await listHolidays(m.scope, { from: "2025-10-01", to: "2025-11-30" });
    expect(list.map((h) => [h.day, h.source, h.closed])).toEqual([
      ["2025-10-21", "merchant", true],
      ["2025-11-24", "country", false],
    ]);
    expect(await editHoliday(m.scope, { kind: "reset", day: "2025-11-24" }, { actor: owner })).toEqual({ ok: true });
    expect((await listHolidays(m.scope, { from: "2025-11-24", to: "2025-11-24" }))[0]!.closed).toBe(true);
  });
});

describe("bundled country calendars", () => {
  it("are synced on start: a projected day the data moved is removed, a renamed one renamed, the merchant's edits kept", async () => {
    const m = await makeMerchant();
    const owner = await ownerOf(m);
    expect(await editHoliday(m.scope, { kind: "close", day: "2029-01-02", name: "Stocktaking" }, { actor: owner })).toEqual({ ok: true });
    // A stale projection (a day the data no longer has) and a day with an old name.
    await t.db.insert(holidays).values({ calendar: "IR", day: "2029-01-03", name: "Old projection" });
    await t.db.update(holidays).set({ name: "Old name" }).where(and(eq(holidays.calendar, "IR"), eq(holidays.day, "2027-03-10")));
    await ensureHolidayCalendars();
    await ensureHolidayCalendars(); // idempotent
    const list = await listHolidays(m.scope, { from: "2027-02-27", to: "2029-01-05" });
    expect(list.find((h) => h.day === "2029-01-03")).toBeUndefined();
    expect(list.find((h) => h.day === "2029-01-02")).toMatchObject({ source: "merchant", closed: true, projected: false });
    // Eid al-Fitr 1448 is projected (the published 1405 list lacks it); Islamic Revolution Day 1405 is official.
    expect(list.find((h) => h.day === "2027-03-10")).toMatchObject({ name: "Eid al-Fitr", nameFa: "عید فطر", projected: true });
    expect(await listHolidays(m.scope, { from: "2027-02-11", to: "2027-02-11" })).toMatchObject([{ name: "Islamic Revolution Day", projected: false }]);
    // Nowruz 1410 is there: the calendar reaches through 1410.
    expect(await listHolidays(m.scope, { from: "2031-03-21", to: "2031-03-21" })).toMatchObject([{ name: "Nowruz", projected: false }]);
  });
});

describe("business details", () => {
  it("validates contact details and keeps the checklist honest", async () => {
    const m = await makeMerchant({ status: "pending" });
    const owner = await ownerOf(m);
    const base = { name: "Shop", legalName: "Shop Co.", businessType: "Books", contactEmail: "a@b.test", contactPhone: "+1 617 555 0142", website: "" };
    expect(await updateBusinessDetails(m.scope, { ...base, contactEmail: "nope" }, { actor: owner })).toMatchObject({ ok: false, field: "contactEmail" });
    expect(await updateBusinessDetails(m.scope, { ...base, website: "shop.test" }, { actor: owner })).toMatchObject({ ok: false, field: "website" });
    expect(await updateBusinessDetails(m.scope, { ...base, timeZone: "Mars/Olympus" }, { actor: owner })).toMatchObject({ ok: false, field: "timeZone" });
    expect(await updateBusinessDetails(m.scope, { ...base, contactPhone: "۰۲۱ ۵۵۵۵ ۰۱۰۰" }, { actor: owner })).toEqual({ ok: true });
    const [row] = await t.db.select().from(merchants).where(eq(merchants.id, m.id));
    expect(row!.contactPhone).toBe("021 5555 0100");
    const o = await getOnboarding(m.scope);
    expect(o.steps.find((s) => s.id === "business")!.done).toBe(true);
    // Bank account (helper) and provider are set; no terminal yet: still pending, and it says so.
    expect(o.status).toBe("pending");
    expect(o.blocker).toMatch(/first terminal/);
  });
});

describe("the General settings page's forms", () => {
  async function settle(p: unknown): Promise<Response> {
    try {
      return (await p) as Response;
    } catch (e) {
      if (e instanceof Response) return e;
      throw e;
    }
  }
  async function people(m: TestMerchant) {
    const owner = await createUser({ email: `owner-${m.id}@shop.test`, memberships: [{ merchantId: m.id, role: "owner" }] });
    const fa = await createUser({ email: `fa-${m.id}@shop.test`, memberships: [{ merchantId: m.id, role: "admin" }] });
    await t.db.update(users).set({ locale: "fa" }).where(eq(users.id, fa.id));
    return { owner: await signIn(owner.email), fa: await signIn(fa.email) };
  }
  const post = async (who: Awaited<ReturnType<typeof signIn>>, form: Record<string, string | string[]>) => {
    const res = await settle(settingsAction({ request: as(who, "/settings", { form }), params: {}, context: {} }));
    return { status: res.status, location: res.headers.get("location"), body: res.status === 400 ? await res.json() : null };
  };
  const details = {
    intent: "details",
    name: "Kafe Sib",
    legalName: "Kafe Sib Co.",
    businessType: "Coffee shop",
    contactEmail: "hello@kafe.test",
    contactPhone: "+98 21 5555 0100",
    website: "https://kafe.test",
    timeZone: "Asia/Tehran",
  };

  it("refuses business details with a 400 naming the field, in the reader's language, everything typed kept", async () => {
    const m = await makeMerchant();
    const { owner, fa } = await people(m);
    expect(await post(owner, { ...details, contactEmail: "hello at kafe" })).toEqual({
      status: 400,
      location: null,
      body: { ok: false, intent: "details", errors: { contactEmail: "Enter an email address like name@example.com." }, values: { ...details, contactEmail: "hello at kafe" } },
    });
    // Longer than the form reads at all: refused before the domain, with the same field's sentence.
    const long = await post(fa, { ...details, name: "x".repeat(301) });
    expect(long.status).toBe(400);
    expect(long.body.errors).toEqual({ name: "نامی را که مشتریان شما را با آن می‌شناسند وارد کنید (حداکثر ۱۰۰ نویسه)." });
    expect(long.body.values.name).toHaveLength(301);
    // A form without its intent is the form's problem.
    expect((await post(owner, { name: "x" })).body).toEqual({ ok: false, errors: { form: "Check the form and try again." }, values: { name: "x" } });
    expect(await post(owner, details)).toMatchObject({ status: 302, location: "/settings?done=details" });
    const [e] = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.merchantId, m.id), eq(auditEvents.action, "merchant.details_update")));
    expect(e).toMatchObject({ ip: "203.0.113.10" });
  });

  it("refuses a schedule under the field at fault; the ticked weekend days come back", async () => {
    const m = await makeMerchant();
    const { owner, fa } = await people(m);
    const schedule = { intent: "schedule", cutoff: "00:00", delayDays: "11", weekendDays: ["5", "6"], holidayCalendar: "IR", minimumPayout: "0" };
    expect((await post(owner, schedule)).body).toEqual({
      ok: false,
      intent: "schedule",
      errors: { delayDays: "The payout delay is a whole number of business days from 0 to 10." },
      values: { intent: "schedule", cutoff: "00:00", delayDays: "11", weekendDays: "5 6", holidayCalendar: "IR", minimumPayout: "0" },
    });
    const four = await post(fa, { ...schedule, delayDays: "1", weekendDays: ["3", "4", "5", "6"] });
    expect(four.status).toBe(400);
    expect(four.body.errors).toEqual({ weekendDays: "حداکثر ۳ روز آخر هفته: تسویه‌ها به روز کاری نیاز دارند." });
    expect(four.body.values.weekendDays).toBe("3 4 5 6");
    // Nothing ticked is no weekend at all, not a refusal.
    expect(await post(owner, { ...schedule, delayDays: "1", weekendDays: [] })).toMatchObject({ status: 302, location: "/settings?done=schedule" });
    expect((await getSchedule(m.scope)).weekendDays).toEqual([]);
  });

  it("refuses a closed day or a row's change naming the day, in both languages", async () => {
    const m = await makeMerchant();
    const { owner, fa } = await people(m);
    expect((await post(owner, { intent: "holiday-close", day: "2025-10-32", name: "Stocktaking" })).body).toEqual({
      ok: false,
      intent: "holiday-close",
      errors: { day: "Enter the day as a date." },
      values: { intent: "holiday-close", day: "2025-10-32", name: "Stocktaking" },
    });
    const open = await post(fa, { intent: "holiday-open", day: "2025-10-22" });
    expect(open.status).toBe(400);
    expect(open.body).toMatchObject({ intent: "holiday-open", errors: { day: "این روز در تقویم شما تعطیل رسمی نیست و از قبل روز کاری است." } });
    // A Jalali day with Persian digits is read as its ISO day.
    expect(await post(fa, { intent: "holiday-close", day: "۱۴۰۴/۰۷/۲۹", name: "انبارگردانی" })).toMatchObject({ status: 302, location: "/settings?done=holiday#holidays" });
    expect((await listHolidays(m.scope, { from: "2025-10-21", to: "2025-10-21" })).map((h) => h.name)).toEqual(["انبارگردانی"]);
  });
});
