import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rows } from "~db/client.server";
import { action as newScheduleAction } from "~/routes/_app.reports.schedules._index";
import { action as scheduleAction, loader as scheduleLoader } from "~/routes/_app.reports.schedules.$scheduleId";
import { as, signIn, type SignedIn } from "../../support/auth";
import { useTestDatabase } from "../../support/db";

/**
 * The schedule forms' actions: a refusal is the one FormFailure shape (a 4xx naming the
 * field, what was typed put back) in the reader's language; a save redirects to the schedule.
 */
const t = useTestDatabase({ seed: "demo" });

async function userId(email: string): Promise<string> {
  const [u] = await rows<{ id: string }>(t.db, sql`select id from users where email = ${email}`);
  return u!.id;
}

async function answer(p: Promise<Response> | Response) {
  let res: Response;
  try {
    res = await p;
  } catch (e) {
    if (e instanceof Response) res = e;
    else throw e;
  }
  const text = res.status >= 300 && res.status < 400 ? "" : await res.text();
  return { status: res.status, location: res.headers.get("location"), body: text ? JSON.parse(text) : null };
}

const save = (user: SignedIn, fields: Fields, id?: string) => {
  const path = id ? `/reports/schedules/${id}` : "/reports/schedules";
  const request = as(user, path, { form: { intent: "save", ...fields } });
  return answer(id ? scheduleAction({ request, params: { scheduleId: id }, context: {} }) : newScheduleAction({ request, params: {}, context: {} }));
};
const change = (user: SignedIn, intent: string, fields: Fields = {}, id?: string) => {
  const path = id ? `/reports/schedules/${id}` : "/reports/schedules";
  const request = as(user, path, { form: { intent, ...fields } });
  return answer(id ? scheduleAction({ request, params: { scheduleId: id }, context: {} }) : newScheduleAction({ request, params: {}, context: {} }));
};

type Fields = Record<string, string | string[]>;

async function form(over: Fields = {}): Promise<Fields> {
  return {
    name: "Monthly payments",
    report: "payments",
    format: "xlsx",
    tz: "Asia/Tehran",
    amounts: "major",
    jalali: "1",
    filters: "",
    frequency: "monthly",
    weekday: "6",
    month_day: "1",
    time: "07:00",
    calendar: "jalali",
    col: ["id", "created", "status", "amount", "currency"],
    recipient: [await userId("accountant@coffee.test")],
    ...over,
  };
}

describe("schedule forms", () => {
  it("refuses by field in English with what was typed put back, and saves a good form", async () => {
    const owner = await signIn("owner@coffee.test");
    const noName = await save(owner, await form({ name: "  " }));
    expect(noName.status).toBe(400);
    expect(noName.body).toEqual({
      ok: false,
      intent: "save",
      errors: { name: "Give the schedule a name (for example: Monthly reconciliation)." },
      values: expect.objectContaining({ intent: "save", name: "  ", tz: "Asia/Tehran", col: "id created status amount currency", recipient: await userId("accountant@coffee.test") }),
    });
    expect(noName.body.values._csrf).toBeUndefined();

    const support = await userId("support@coffee.test");
    expect((await save(owner, await form({ recipient: [support] }))).body.errors).toEqual({
      recipients: "support@coffee.test cannot receive this report: the Support role may not export reports. Choose members who may export it.",
    });
    expect((await save(owner, await form({ col: [] }))).body.errors).toEqual({ columns: "Tick at least one column." });
    expect((await save(owner, await form({ time: "7:00" }))).body.errors).toEqual({ time: "Enter the time of day as HH:MM, 24-hour (for example 07:30)." });
    expect((await save(owner, await form({ recipient: [] }))).body.errors).toEqual({ recipients: "Choose at least one member of the team to send it to." });
    // A filter the report does not know is refused on the filters field (the export's own sentence).
    const filter = await save(owner, await form({ filters: "status=bogus" }));
    expect(filter.status).toBe(400);
    expect(Object.keys(filter.body.errors)).toEqual(["filters"]);
    expect(filter.body.errors.filters).toBe("Unknown payment status");

    const saved = await save(owner, await form());
    expect(saved.status).toBe(302);
    expect(saved.location).toMatch(/^\/reports\/schedules\/rs_[A-Za-z0-9_]+\?saved=1$/);
  });

  it("says every refusal in Persian to a Persian reader", async () => {
    const fa = await signIn("fa@coffee.test");
    const errors = async (over: Fields) => {
      const r = await save(fa, await form(over));
      expect(r.status).toBe(400);
      return r.body.errors;
    };
    expect(await errors({ name: "" })).toEqual({ name: "برای زمان‌بندی نامی بگذارید (مثلاً: تطبیق ماهانه)." });
    expect(await errors({ name: "x".repeat(121) })).toEqual({ name: "نام باید کمتر از ۱۲۰ نویسه باشد." });
    expect(await errors({ tz: "Mars/Olympus" })).toEqual({ tz: "یک منطقهٔ زمانی IANA وارد کنید، مانند \u2068Asia/Tehran\u2069 یا \u2068America/New_York\u2069." });
    expect(await errors({ time: "25:00" })).toEqual({ time: "ساعت را به شکل ساعت:دقیقه و شبانه‌روزی وارد کنید (مثلاً \u206807:30\u2069)." });
    expect(await errors({ frequency: "hourly" })).toEqual({ frequency: "روزانه، هفتگی یا ماهانه را انتخاب کنید." });
    expect(await errors({ col: [] })).toEqual({ columns: "دست‌کم یک ستون را علامت بزنید." });
    expect(await errors({ recipient: [await userId("support@coffee.test")] })).toEqual({
      recipients: "\u2068support@coffee.test\u2069 نمی‌تواند این گزارش را دریافت کند: نقش «پشتیبان» اجازهٔ خروجی گرفتن از گزارش‌ها را ندارد. اعضایی را انتخاب کنید که اجازهٔ خروجی گرفتن از آن را دارند.",
    });
    expect(await errors({ filters: "status=bogus" })).toEqual({ filters: "«وضعیت» مقداری دارد که در میان گزینه‌هایش نیست؛ از گزینه‌های فهرست انتخاب کنید." });
  });

  it("pause, resume and delete refuse what is not the member's, naming the schedule field (404 unknown, 403 not theirs)", async () => {
    const owner = await signIn("owner@coffee.test");
    const saved = await save(owner, await form({ name: "Owner's own" }));
    const id = saved.location!.split("/").pop()!.split("?")[0]!;

    const accountant = await signIn("accountant@coffee.test");
    const notTheirs = await change(accountant, "pause", { id });
    expect(notTheirs).toMatchObject({ status: 403, body: { ok: false, intent: "pause", errors: { id: "Only the schedule's owner or someone who manages staff may change it." } } });
    expect((await change(accountant, "delete", {}, id)).body.errors).toEqual({ id: "Only the schedule's owner or someone who manages staff may delete it." });
    expect(await change(accountant, "resume", { id: "rs_nope" })).toMatchObject({ status: 404, body: { errors: { id: "There is no such schedule (it may have been deleted)." } } });
    expect(await change(accountant, "pause")).toMatchObject({ status: 400, body: { errors: { id: "Say which schedule: its id is missing." } } });
    expect(await change(accountant, "archive", { id })).toMatchObject({ status: 400, body: { errors: { form: "Choose save, pause, resume or delete." } } });

    const fa = await signIn("fa@coffee.test");
    expect(await change(fa, "pause", { id: "rs_nope" })).toMatchObject({ status: 404, body: { errors: { id: "چنین زمان‌بندی‌ای وجود ندارد (شاید حذف شده باشد)." } } });

    // The page of an unknown schedule: a 404 in the reader's language.
    const page = async (user: SignedIn, scheduleId: string) => {
      const r = await scheduleLoader({ request: as(user, `/reports/schedules/${scheduleId}`), params: { scheduleId }, context: {} }).catch((e: unknown) => e as Response);
      return { status: r.status, text: await r.text() };
    };
    expect(await page(accountant, "rs_nope")).toEqual({ status: 404, text: "No Scheduled report rs_nope was found in Demo Coffee Roasters." });
    expect(await page(fa, "rs_nope")).toEqual({ status: 404, text: "گزارش زمان‌بندی‌شده با شناسه \u2068rs_nope\u2069 در \u2068Demo Coffee Roasters\u2069 پیدا نشد." });

    expect(await change(owner, "pause", {}, id)).toEqual({ status: 200, location: null, body: { ok: true } });
    expect(await change(owner, "delete", {}, id)).toMatchObject({ status: 302, location: "/reports/schedules?deleted=1" });
  });
});
