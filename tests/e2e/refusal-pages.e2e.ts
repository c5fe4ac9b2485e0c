/**
 * Refusals a person can meet, as they look: an impossible date in a list's filter (named
 * in place, in the console, with a 400) and bad input refused at the edge (a 400 page of
 * its own, in the reader's language), at 390 and 1400 px, in English and Persian.
 */
import { describe, expect, it } from "vitest";
import { screenshot, signIn, waitForHydration } from "./browser";
import { useBrowser } from "./harness";

const b = useBrowser();

describe("refusals, as they look", () => {
  it.each([
    ["accountant@coffee.test", "en", "Enter a date as YYYY-MM-DD, for example 2025-03-21", "Payments"],
    ["fa@coffee.test", "fa", "۱۴۰۴/۰۱/۳۱", "پرداخت‌ها"],
  ])("%s: an impossible date is named beside its filter; the edge's own page for the rest", async (email, lang, message, title) => {
    for (const width of [390, 1400]) {
      const w = await b.open({ width, height: 900 });
      w.allow(/status of 400/);
      // Leaving the home page while Remix still discovers its routes aborts that fetch.
      w.allow(/Failed to fetch manifest patches/);
      await signIn(w.page, email);
      const res = await w.page.goto("/payments?range=custom&from=2025-02-30&to=2026-01-01");
      expect(res?.status()).toBe(400);
      await waitForHydration(w.page);
      expect(await w.page.locator("main h1").innerText()).toBe(title);
      const errors = (await w.page.locator("main .field-error").allInnerTexts()).join("\n");
      expect(errors).toContain(message);
      expect(await w.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")).toBe(true);
      await screenshot(w.page, `refusal-list-date-${lang}-${width}`);
      const edge = await w.page.goto("/payments?q=a%00b");
      expect(edge?.status()).toBe(400);
      expect(await w.page.locator("body").innerText()).toMatch(/«?q»?/);
      // In the member's language (sign-in stored it as the browser's: no session is read there).
      expect(await w.page.locator("html").getAttribute("lang")).toBe(lang);
      expect(await w.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")).toBe(true);
      await screenshot(w.page, `refusal-edge-${lang}-${width}`);
    }
  }, 200_000);
});
