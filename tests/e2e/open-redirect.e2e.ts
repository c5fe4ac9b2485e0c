/**
 * Sign-in's redirectTo, tried as an attacker would through the real sign-in form in
 * Chromium: scheme-relative, backslashes, TAB and other control characters (which URL
 * parsers strip), percent-encoded variants, other schemes. Whether the value arrives in
 * the page's URL or is planted in the form's hidden field, with scripts (Remix follows
 * the redirect) and without (the browser follows Location), the browser must end on the
 * console's own origin and never ask another host for anything.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { DEMO_PASSWORD, waitForHydration } from "./browser";
import { useBrowser } from "./harness";

const b = useBrowser();

const HOSTILE = [
  "//evil.example",
  "///evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r\n/evil.example",
  "\t//evil.example",
  "/\\evil.example",
  "\\\\evil.example",
  "/\\/evil.example",
  "/.//evil.example",
  "/%2F/evil.example",
  "/%5C/evil.example",
  "%2F%2Fevil.example",
  "/%09/evil.example",
  "https://evil.example/",
  "https:evil.example",
  "javascript:alert(document.domain)",
  "data:text/html,<script>alert(1)</script>",
  "/\u0000/evil.example",
  "/\u3002evil.example",
  " //evil.example",
  "//evil.example@127.0.0.1/",
  "/@evil.example",
];

const EMAIL = "owner@coffee.test";

/** Records (and refuses) every request the page makes to a host other than the console's. */
function watchHosts(page: Page, baseURL: string): string[] {
  const offsite: string[] = [];
  const own = new URL(baseURL).host;
  void page.context().route("**/*", (route) => {
    const url = new URL(route.request().url());
    if ((url.protocol === "http:" || url.protocol === "https:") && url.host !== own) {
      offsite.push(url.href);
      return route.abort();
    }
    return route.continue();
  });
  return offsite;
}

async function submitSignIn(page: Page, plant?: string): Promise<void> {
  if (plant !== undefined) {
    await page.evaluate((v) => {
      const input = document.querySelector<HTMLInputElement>('form input[name="redirectTo"]');
      if (!input) throw new Error("no redirectTo field");
      input.value = v;
    }, plant);
  }
  await page.getByLabel(/email/i).fill(EMAIL);
  await page.getByLabel(/password/i).fill(DEMO_PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login"), { timeout: 20_000 }), page.getByRole("button", { name: /sign in/i }).click()]);
  await page.waitForLoadState("load");
}

describe("sign-in never redirects off-site", () => {
  it("a safe redirectTo is followed (the control case)", async () => {
    const { page } = await b.open();
    await page.goto(`/login?redirectTo=${encodeURIComponent("/payments?status=captured")}`);
    await waitForHydration(page);
    await submitSignIn(page);
    const url = new URL(page.url());
    expect(url.pathname + url.search).toBe("/payments?status=captured");
  });

  it("every hostile value planted in the form ends on the console (with scripts)", async () => {
    const ended: string[] = [];
    for (const value of HOSTILE) {
      const w = await b.open();
      w.allow(/status of 404/);
      const offsite = watchHosts(w.page, b.baseURL);
      await w.page.goto("/login");
      await waitForHydration(w.page);
      if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value)) {
        // A NUL or another control character a form field may not hold: the post is refused
        // (400 naming the field) and the browser stays on the sign-in page, signed out.
        w.allow(/status of 400/);
        const refused = w.page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/login");
        await w.page.evaluate((v) => {
          document.querySelector<HTMLInputElement>('form input[name="redirectTo"]')!.value = v;
        }, value);
        await w.page.getByLabel(/email/i).fill(EMAIL);
        await w.page.getByLabel(/password/i).fill(DEMO_PASSWORD);
        await w.page.getByRole("button", { name: /sign in/i }).click();
        expect((await refused).status(), JSON.stringify(value)).toBe(400);
        expect(new URL(w.page.url()).pathname).toBe("/login");
        expect(offsite).toEqual([]);
        ended.push(`${JSON.stringify(value)} -> refused (400)`);
        await w.context.close();
        continue;
      }
      await submitSignIn(w.page, value);
      const url = new URL(w.page.url());
      ended.push(`${JSON.stringify(value)} -> ${url.href}`);
      expect(url.origin, JSON.stringify(value)).toBe(new URL(b.baseURL).origin);
      // Home, or a path of our own ("/%2F/evil.example" is one: a page not found, here).
      expect(url.pathname.startsWith("//"), JSON.stringify(value)).toBe(false);
      expect(offsite, JSON.stringify(value)).toEqual([]);
      await w.context.close();
    }
    console.log(ended.join("\n"));
  }, 400_000);

  it("every hostile value in the page's URL ends on the console (without scripts), or is refused before the form", async () => {
    for (const value of HOSTILE) {
      const w = await b.open({ javaScript: false });
      w.allow(/status of 40[04]/);
      const offsite = watchHosts(w.page, b.baseURL);
      const res = await w.page.goto(`/login?redirectTo=${encodeURIComponent(value)}`);
      if (res?.status() === 400) {
        // A control character in the URL is refused at the edge, naming the parameter.
        expect(await w.page.locator("body").innerText()).toMatch(/redirectTo/);
        await w.context.close();
        continue;
      }
      expect(res?.status(), JSON.stringify(value)).toBe(200);
      await submitSignIn(w.page);
      const url = new URL(w.page.url());
      expect(url.origin, JSON.stringify(value)).toBe(new URL(b.baseURL).origin);
      expect(url.pathname.startsWith("//"), JSON.stringify(value)).toBe(false);
      // Signed in, the same link redirects at once: still home.
      await w.page.goto(`/login?redirectTo=${encodeURIComponent(value)}`);
      expect(new URL(w.page.url()).origin).toBe(new URL(b.baseURL).origin);
      expect(new URL(w.page.url()).pathname.startsWith("//")).toBe(false);
      expect(offsite, JSON.stringify(value)).toEqual([]);
      await w.context.close();
    }
  }, 400_000);
});
