import { describe, expect, it } from "vitest";
import { cookiesOf, readCookie, setCookie } from "~/web/cookies.server";
import { sessionTokenFrom } from "~/web/session-cookie.server";
import { publicLocale } from "~/web/locale-cookie.server";
import { readerLocale } from "~/web/edge/unavailable.server";

const req = (cookie: string) => new Request("http://x/login", { headers: { cookie } });

describe("one cookie codec", () => {
  it("reads the first of a repeated name, decodes %-escapes, and keeps a malformed escape as sent", () => {
    expect(cookiesOf(req("a=1; a=2; b=%C3%A9; c=%E0%A4%A"))).toEqual({ a: "1", b: "é", c: "%E0%A4%A" });
    expect(readCookie(new Request("http://x/"), "a")).toBeNull();
  });

  it("prefers the __Host- session cookie and refuses a token of the wrong shape", () => {
    const token = "A".repeat(43);
    expect(sessionTokenFrom(req(`mc_session=${"B".repeat(43)}; __Host-mc_session=${token}`))).toBe(token);
    expect(sessionTokenFrom(req("mc_session=short"))).toBeNull();
    expect(sessionTokenFrom(req(`mc_session=${"A".repeat(40)}%00`))).toBeNull();
  });

  it("every reader of the language cookie agrees (sign-in page, the 503/400 pages)", () => {
    for (const [cookie, want] of [["mc_lang=fa", "fa"], ["x=y;mc_lang=fa ", "fa"], ["mc_lang=zz", "en"], ["mc_lang=%66%61", "fa"]] as const) {
      expect(publicLocale(req(cookie)), cookie).toBe(want);
      expect(readerLocale(req(cookie)), cookie).toBe(want);
    }
  });

  it("writes HttpOnly, SameSite=Lax, Path=/ and Secure only when asked", () => {
    expect(setCookie("mc_lang", "fa", { maxAgeSeconds: 60, secure: false })).toBe("mc_lang=fa; Max-Age=60; Path=/; HttpOnly; SameSite=Lax");
    expect(setCookie("mc_lang", "fa", { maxAgeSeconds: 0, secure: true })).toBe("mc_lang=fa; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax");
  });
});
