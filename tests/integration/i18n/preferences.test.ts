import { eq } from "drizzle-orm";
import { merchants } from "../../../db/schema";
import { loader as appLoader } from "../../../app/routes/_app";
import { action as preferencesAction } from "../../../app/routes/preferences";
import { publicLocale } from "../../../app/web/locale-cookie.server";
import type { ShellData } from "../../../app/lib/shell";
import { as, request, signIn } from "../../support/auth";
import { useTestDatabase } from "../../support/db";
import { createMerchant, createUser, userRow } from "../../support/fixtures";
import { thrown } from "../../support/responses";

const t = useTestDatabase({ seed: "none" });

let shop: { id: string };
let viewer: { id: string; email: string };
let accountant: { id: string; email: string };
beforeAll(async () => {
  shop = await createMerchant({ name: "Kafe Tehran", currency: "IRR", timeZone: "Asia/Tehran" });
  await t.db.update(merchants).set({ defaultLocale: "fa" }).where(eq(merchants.id, shop.id));
  viewer = await createUser({ email: "viewer@prefs.test", memberships: [{ merchantId: shop.id, role: "viewer" }] });
  accountant = await createUser({ email: "accountant@prefs.test", memberships: [{ merchantId: shop.id, role: "accountant" }] });
});

async function shellOf(user: Awaited<ReturnType<typeof signIn>>): Promise<ShellData> {
  const res = (await appLoader({ request: as(user, "/"), params: {}, context: {} })) as Response;
  return (await res.json()) as ShellData;
}

describe("preferences in the layout", () => {
  it("follows the merchant's default language until the user picks one, with Tehran's zone and Jalali calendar", async () => {
    const user = await signIn(viewer.email);
    const shell = await shellOf(user);
    expect(shell.locale).toBe("fa");
    expect(shell.dir).toBe("rtl");
    expect(shell.prefs).toEqual({
      locale: "fa",
      dir: "rtl",
      digits: "native",
      irrDisplay: "rial",
      calendar: "persian",
      timeZone: "Asia/Tehran",
      currency: "IRR",
    });
  });
});

describe("POST /preferences", () => {
  it("saves the signed-in user's language, digits and unit, remembers the language, and goes back saying so", async () => {
    const user = await signIn(accountant.email);
    const res = (await preferencesAction({
      request: as(user, "/preferences", {
        form: { intent: "preferences", locale: "en", digits: "latn", irrDisplay: "toman", redirectTo: "/settings/security" },
      }),
      params: {},
      context: {},
    })) as Response;
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/settings/security?prefs=saved");
    expect(res.headers.get("set-cookie")).toBe("mc_lang=en; Max-Age=31536000; Path=/; HttpOnly; SameSite=Lax");
    const row = await userRow(accountant.id);
    expect([row.locale, row.digits, row.irrDisplay]).toEqual(["en", "latn", "toman"]);
    const shell = await shellOf(user);
    expect(shell.prefs).toMatchObject({ locale: "en", dir: "ltr", digits: "latn", irrDisplay: "toman", calendar: "gregory" });
  });

  it("switches only the language from the shell and returns to the same page and filters", async () => {
    const user = await signIn(viewer.email);
    const res = (await preferencesAction({
      request: as(user, "/preferences", { form: { locale: "en", redirectTo: "/payments?status=captured&q=1234" } }),
      params: {},
      context: {},
    })) as Response;
    expect(res.headers.get("location")).toBe("/payments?status=captured&q=1234");
    const row = await userRow(viewer.id);
    expect([row.locale, row.digits, row.irrDisplay]).toEqual(["en", null, null]);
    // Back to Persian.
    await preferencesAction({ request: as(user, "/preferences", { form: { locale: "fa", redirectTo: "/" } }), params: {}, context: {} });
    expect((await shellOf(user)).locale).toBe("fa");
  });

  it("never redirects to another site", async () => {
    const user = await signIn(viewer.email);
    for (const redirectTo of ["https://evil.example/", "//evil.example/x"]) {
      const res = (await preferencesAction({
        request: as(user, "/preferences", { form: { locale: "fa", redirectTo } }),
        params: {},
        context: {},
      })) as Response;
      expect(res.headers.get("location")).toBe("/");
    }
  });

  it("refuses a form without the session's CSRF token, and a signed-out visitor", async () => {
    const user = await signIn(viewer.email);
    const noToken = await thrown(
      preferencesAction({ request: request("/preferences", { method: "POST", cookie: user.cookie, form: { locale: "en" } }), params: {}, context: {} }),
    );
    expect(noToken.status).toBe(403);
    const signedOut = await thrown(
      preferencesAction({ request: request("/preferences", { method: "POST", form: { locale: "en" } }), params: {}, context: {} }),
    );
    expect(signedOut.status).toBe(302);
    expect(signedOut.headers.get("location")).toMatch(/^\/login/);
    expect((await userRow(viewer.id)).locale).not.toBe("en");
  });

  it("answers a value it does not offer with 400 and a sentence in the reader's language", async () => {
    const user = await signIn(viewer.email);
    await preferencesAction({ request: as(user, "/preferences", { form: { locale: "fa" } }), params: {}, context: {} });
    const bad = await thrown(
      preferencesAction({ request: as(user, "/preferences", { form: { digits: "roman" } }), params: {}, context: {} }),
    );
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe("برای ارقام یکی از گزینه\u200cهای فهرست را انتخاب کنید.");
    const empty = await thrown(preferencesAction({ request: as(user, "/preferences", { form: {} }), params: {}, context: {} }));
    expect(empty.status).toBe(400);
  });
});

describe("publicLocale", () => {
  it("takes ?lang, else the remembered cookie, else English", () => {
    expect(publicLocale(new Request("http://x/login?lang=fa"))).toBe("fa");
    expect(publicLocale(new Request("http://x/login", { headers: { cookie: "a=b; mc_lang=fa" } }))).toBe("fa");
    expect(publicLocale(new Request("http://x/login?lang=xx", { headers: { cookie: "mc_lang=zz" } }))).toBe("en");
    expect(publicLocale(new Request("http://x/login", { headers: { "accept-language": "fa-IR" } }))).toBe("en");
  });
});
