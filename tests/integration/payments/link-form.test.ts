/**
 * The console's payment-link form (/links): a refusal is a 400 naming the field in the
 * reader's language, with what was typed put back; a good form makes the link.
 */
import { useTestDatabase } from "../../support/db";
import { teamWithPersianAdmin } from "../../support/fixtures";
import { as, type SignedIn } from "../../support/auth";
import { action as linksAction } from "~/routes/_app.links._index";

useTestDatabase({ seed: "none" });

let owner: SignedIn;
let persian: SignedIn;

beforeAll(async () => {
  ({ owner, persianAdmin: persian } = await teamWithPersianAdmin("lf"));
});

async function post(user: SignedIn, form: Record<string, string>) {
  let res: Response;
  try {
    res = (await linksAction({ request: as(user, "/links", { form }), params: {}, context: {} })) as Response;
  } catch (e) {
    if (!(e instanceof Response)) throw e;
    res = e;
  }
  const text = res.status >= 300 && res.status < 400 ? "" : await res.text();
  return { status: res.status, location: res.headers.get("location"), json: text ? JSON.parse(text) : null };
}

describe("payment link form", () => {
  it("refuses an amount that is not a number and an impossible last day, beside each field, keeping what was typed", async () => {
    const r = await post(owner, { description: "Beans", mode: "fixed", amount: "abc", expiresAt: "2025-02-30", fields: "email", reusable: "yes" });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      ok: false,
      errors: { amount: "Enter a number, like 1,250,000.", expiresAt: "Enter the day as year/month/day." },
      values: { mode: "fixed", amount: "abc", description: "Beans", reusable: "yes", expiresAt: "2025-02-30", fields: "email" },
    });
  });

  it("says the domain's refusal (no description) in the reader's language", async () => {
    const en = await post(owner, { description: "  ", mode: "fixed", amount: "1,000" });
    expect(en.status).toBe(400);
    expect(en.json.errors).toEqual({ description: "Describe what the customer pays for." });
    const fa = await post(persian, { description: "", mode: "range", minAmount: "۱۰۰۰", maxAmount: "x" });
    expect(fa.status).toBe(400);
    expect(fa.json.errors).toEqual({ maxAmount: "یک عدد وارد کنید، مانند ۱٬۲۵۰٬۰۰۰." });
    const fa2 = await post(persian, { description: "", mode: "fixed", amount: "1000" });
    expect(fa2.json.errors).toEqual({ description: "بنویسید مشتری بابت چه چیزی پرداخت می‌کند." });
  });

  it("makes the link from a good form", async () => {
    const r = await post(owner, { description: "Beans", mode: "range", minAmount: "1,000", maxAmount: "5,000", fields: "email", reusable: "yes" });
    expect(r.status).toBe(303);
    expect(r.location).toMatch(/^\/links\/[^/]+\?created=1$/);
  });
});
