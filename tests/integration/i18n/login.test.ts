import { loader as loginLoader, action as loginAction } from "../../../app/routes/login";
import { request } from "../../support/auth";
import { useTestDatabase } from "../../support/db";
import { createMerchant, createUser } from "../../support/fixtures";
import { body } from "../../support/responses";

useTestDatabase({ seed: "none" });

let email: string;
beforeAll(async () => {
  const shop = await createMerchant({ currency: "IRR", timeZone: "Asia/Tehran" });
  email = (await createUser({ email: "fa-login@prefs.test", memberships: [{ merchantId: shop.id, role: "viewer" }] })).email;
});

describe("sign-in page in Persian", () => {
  it("switches with ?lang=fa, remembers it in a cookie, and words the notice in Persian digits", async () => {
    const res = (await loginLoader({ request: request("/login?lang=fa&reason=idle"), params: {}, context: {} })) as Response;
    expect(res.headers.get("set-cookie")).toMatch(/^mc_lang=fa;/);
    const data = await body(res);
    expect(data.prefs).toMatchObject({ locale: "fa", dir: "rtl" });
    expect(data.notice).toBe("پس از ۱۵ دقیقه بی\u200cفعالیتی از حساب خارج شدید. دوباره وارد شوید تا از همان\u200cجا ادامه دهید.");
  });

  it("stays English without a choice, whatever the browser's Accept-Language", async () => {
    const res = (await loginLoader({
      request: request("/login?reason=idle", { headers: { "accept-language": "fa-IR,fa;q=0.9" } }),
      params: {},
      context: {},
    })) as Response;
    expect(res.headers.get("set-cookie")).toBeNull();
    const data = await body(res);
    expect(data.prefs.locale).toBe("en");
    expect(data.notice).toMatch(/^You were signed out after 15 minutes without activity/);
  });

  it("answers form and credential errors in the remembered language", async () => {
    const cookie = "mc_lang=fa";
    const badEmail = (await loginAction({
      request: request("/login", { headers: { cookie }, form: { intent: "password", email: "not-an-email", password: "x" } }),
      params: {},
      context: {},
    })) as Response;
    expect(badEmail.status).toBe(400);
    expect((await body(badEmail)).errors.email).toBe("یک نشانی ایمیل مانند \u2068name@example.com\u2069 وارد کنید.");
    const wrong = (await loginAction({
      request: request("/login", { headers: { cookie }, form: { intent: "password", email, password: "wrong-password-123" } }),
      params: {},
      context: {},
    })) as Response;
    expect(wrong.status).toBe(401);
    expect((await body(wrong)).errors.form).toBe("ایمیل یا رمز عبور درست نیست.");
    const english = (await loginAction({
      request: request("/login", { form: { intent: "password", email, password: "wrong-password-123" } }),
      params: {},
      context: {},
    })) as Response;
    expect((await body(english)).errors.form).toBe("The email or password is not correct.");
  });
});
