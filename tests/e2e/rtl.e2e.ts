/**
 * The console as a Persian reader sees it: fa@coffee.test (administrator of Demo Coffee
 * Roasters, Persian interface) opens every page of the navigation, a payment, a payout
 * and a terminal, on a wide screen and on a 375 px phone. Each page must be
 * `<html lang="fa" dir="rtl">`, must not scroll sideways (tables scroll inside their
 * own box), must log no error, and leaves a full-page screenshot in tests/output/rtl/
 * for a person to review. Latin words left in the page (other than names, ids and
 * codes) are listed in tests/output/rtl/latin-words.txt for the same review.
 */
import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { OUTPUT_DIR, signIn, waitForHydration } from "./browser";
import { useBrowser } from "./harness";

const b = useBrowser();

const RTL_DIR = path.join(OUTPUT_DIR, "rtl");
const PERSIAN = "fa@coffee.test";

/** Every page the administrator's navigation offers. */
const PAGES = ["/", "/payments", "/refunds", "/payouts", "/terminal", "/terminals", "/staff", "/reports", "/audit", "/events", "/webhooks", "/settings", "/settings/security"];

/** Detail pages, reached the way a person does: the first row of their list. */
const DETAILS = [
  { list: "/payments", name: "payment" },
  { list: "/payouts", name: "payout" },
  { list: "/terminals", name: "terminal" },
];

const WIDTHS = [1280, 375];

function fileName(pathname: string, width: number): string {
  const slug = pathname === "/" ? "overview" : pathname.replace(/^\//, "").replace(/[^a-z0-9]+/gi, "-");
  return `${slug}-${width}`;
}

/** Elements cut by the viewport's side edges, outside any box that scrolls or clips them. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const vw = window.innerWidth;
    const out = [];
    const clipped = (el) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === "auto" || o === "scroll" || o === "hidden" || o === "clip") return true;
      }
      return false;
    };
    for (const el of Array.from(document.body.querySelectorAll("*"))) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      // The content of a closed disclosure is not on screen.
      const closed = el.closest("details:not([open])");
      if (closed && !el.closest("summary") && el !== closed) continue;
      // Wholly off-screen boxes are hidden on purpose (the skip link until focused).
      const straddles = (r.right > vw + 1 && r.left < vw) || (r.left < -1 && r.right > 0);
      if (straddles && !clipped(el)) {
        const style = getComputedStyle(el);
        if (style.position === "fixed" || style.visibility === "hidden") continue;
        out.push(el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "") +
          " [" + Math.round(r.left) + ".." + Math.round(r.right) + " of " + vw + "]");
      }
    }
    return out.slice(0, 10);
  })()`);
}

/**
 * Latin words a Persian reader would meet: text outside code, ids, emails, numbers typed
 * as LTR on purpose (dir="ltr", <bdi>, .mono) and brand or merchant names the page shows
 * as stored. For review, not asserted: names of people and shops are Latin in the seed.
 */
async function latinWords(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const skip = (el) => !!el.closest("code, pre, bdi, [dir=ltr], .mono, script, style, .visually-hidden, svg, noscript, option");
    const words = new Set();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || skip(el)) continue;
      const style = getComputedStyle(el);
      if (style.display === "none" || style.visibility === "hidden") continue;
      for (const w of (n.textContent || "").match(/[A-Za-z][A-Za-z'-]{2,}/g) || []) words.add(w);
    }
    return Array.from(words).sort();
  })()`);
}

async function review(page: Page, name: string, width: number, notes: string[]): Promise<void> {
  await waitForHydration(page);
  const html = await page.evaluate(`({ lang: document.documentElement.lang, dir: document.documentElement.dir })`);
  expect(html, `${name}: <html lang dir>`).toEqual({ lang: "fa", dir: "rtl" });
  fs.mkdirSync(RTL_DIR, { recursive: true });
  await page.screenshot({ path: path.join(RTL_DIR, `${name}.png`), fullPage: true });
  const scroll = (await page.evaluate("({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })")) as { scroll: number; inner: number };
  const sticking = await overflowing(page);
  expect.soft(scroll.scroll, `${name}: the page scrolls sideways (${sticking.join(", ")})`).toBeLessThanOrEqual(scroll.inner + 1);
  expect.soft(sticking, `${name}: elements wider than the ${width} px viewport`).toEqual([]);
  const latin = await latinWords(page);
  if (latin.length) notes.push(`${name}: ${latin.join(" ")}`);
}

describe("the console in Persian, right to left", () => {
  it("the Overview's time axis lays its dates out right to left (۵ آذر ۱۴۰۵, not آذر ۱۴۰۵ ۵)", async () => {
    const { page } = await b.open({ width: 1280, height: 900 });
    await signIn(page, PERSIAN);
    await page.goto("/?range=30d");
    await page.locator("section[aria-labelledby=trend-h] .chart .recharts-xAxis .recharts-cartesian-axis-tick text").first().waitFor();
    const ticks = await page.evaluate(() =>
      Array.from(document.querySelectorAll("section[aria-labelledby=trend-h] .chart .recharts-xAxis .recharts-cartesian-axis-tick text")).map((el) => ({ text: el.textContent ?? "", dir: getComputedStyle(el).direction })),
    );
    expect(ticks.length).toBeGreaterThan(2);
    for (const tick of ticks) {
      // A day's label starts with its Persian day number; in an ltr box that number was drawn at the far end.
      expect(tick.text).toMatch(/^[۰-۹]+ /);
      expect(tick.dir, tick.text).toBe("rtl");
    }
  });

  it("downloads only the reader's language catalog, and switching language swaps it without reloading the page", async () => {
    const { page } = await b.open({ width: 1280, height: 900 });
    const catalogs: string[] = [];
    page.on("request", (r) => {
      const m = /\/build\/_shared\/(en|fa)-[A-Z0-9]+\.js$/.exec(new URL(r.url()).pathname);
      if (m) catalogs.push(m[1]!);
    });
    await signIn(page, "viewer@coffee.test");
    await waitForHydration(page);
    // Only English so far (the sign-in page may load it twice when the form is sent before hydration).
    expect(new Set(catalogs)).toEqual(new Set(["en"]));
    const before = catalogs.length;
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    try {
      await page.getByRole("button", { name: "فارسی" }).click();
      await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe("fa");
      await expect.poll(() => page.evaluate(() => document.documentElement.dir)).toBe("rtl");
      await page.getByRole("link", { name: "پیشخوان" }).first().waitFor();
      expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true), "the switch happened in the same document").toBe(true);
      expect(catalogs.slice(before)).toEqual(["fa"]);
    } finally {
      // The next tests sign in as this person and expect English.
      await page.getByRole("button", { name: "English" }).click();
      await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe("en");
    }
  });

  for (const width of WIDTHS) {
    it(`every page at ${width} px`, async () => {
      const { page } = await b.open({ width, height: 900 });
      await signIn(page, PERSIAN);
      const notes: string[] = [];
      for (const pathname of PAGES) {
        const res = await page.goto(pathname);
        expect(res?.status(), pathname).toBe(200);
        await review(page, fileName(pathname, width), width, notes);
      }
      for (const d of DETAILS) {
        await page.goto(d.list);
        await waitForHydration(page);
        const first = page.locator("main tbody a").first();
        expect(await first.count(), `${d.list} has a row to open`).toBe(1);
        const href = await first.getAttribute("href");
        const res = await page.goto(href!);
        expect(res?.status(), href!).toBe(200);
        await review(page, `${d.name}-detail-${width}`, width, notes);
      }
      fs.writeFileSync(path.join(RTL_DIR, `latin-words-${width}.txt`), notes.join("\n") + "\n");
    });
  }
});
