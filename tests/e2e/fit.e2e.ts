/**
 * Every page of every role, at a phone's 390 px and the desktops' 1280 and 1400 px, in
 * English and in Persian (fa@coffee.test reads right to left): the page never scrolls
 * sideways, no table is wider than its box with the default columns, axe-core finds no
 * serious or critical violation, the browser logs no error, and a full-page screenshot
 * is saved in tests/output/fit/ for review. The three widths of one person run side by
 * side in their own browser contexts.
 */
import fs from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { OUTPUT_DIR, signIn, waitForHydration } from "./browser";
import { useBrowser } from "./harness";

const b = useBrowser();
const FIT_DIR = path.join(OUTPUT_DIR, "fit");
// FIT_PEOPLE=owner@coffee.test,fa@coffee.test and FIT_WIDTHS=390 run a part while fixing a page.
const WIDTHS = process.env.FIT_WIDTHS ? process.env.FIT_WIDTHS.split(",").map(Number) : [390, 1280, 1400];

const ALL_PEOPLE = [
  "owner@coffee.test",
  "support@coffee.test",
  "accountant@coffee.test",
  "viewer@coffee.test",
  "fa@coffee.test",
  "owner@northwind.test",
  "books@ledger.test",
];
const PEOPLE = process.env.FIT_PEOPLE ? ALL_PEOPLE.filter((p) => process.env.FIT_PEOPLE!.split(",").includes(p)) : ALL_PEOPLE;

/** The pages a person's navigation offers, and the first payment, payout and terminal they may open. */
async function pagesOf(page: Page): Promise<string[]> {
  const nav = await page.evaluate(`Array.from(document.querySelectorAll('nav.nav a')).map((a) => new URL(a.href).pathname)`) as string[];
  // Saved views are reached from the lists' menus and the search, not the navigation.
  const pages = [...new Set([...nav, "/views", "/search?q=125k"])];
  for (const list of ["/payments", "/payouts", "/terminals"]) {
    if (!pages.includes(list)) continue;
    await page.goto(list);
    // The first record the list links to, and its pages of another kind (the payments lookup).
    const hrefs = (await page.evaluate(`Array.from(document.querySelectorAll('main a[href^="${list}/"]')).map((a) => a.getAttribute("href"))`)) as string[];
    const record = hrefs.find((h) => /^\/[a-z]+\/[a-z]+_[0-9a-z_]+$/i.test(h));
    if (record) pages.push(record);
    for (const h of new Set(hrefs)) if (h !== record && /^\/[a-z]+\/[a-z-]+$/.test(h)) pages.push(h);
  }
  return pages;
}

interface Finding {
  page: string;
  problem: string;
}

async function inspect(page: Page, name: string): Promise<string[]> {
  const problems: string[] = [];
  const m = (await page.evaluate(`(() => {
    const tables = Array.from(document.querySelectorAll("main table")).map((t) => {
      const box = t.closest(".table-wrap") || t.parentElement;
      return t.getBoundingClientRect().width > 0 && t.scrollWidth > box.clientWidth + 1 ? (t.querySelector("caption")?.textContent || "a table").slice(0, 50) + " " + t.scrollWidth + ">" + box.clientWidth : null;
    }).filter(Boolean);
    return { sw: document.documentElement.scrollWidth, iw: window.innerWidth, tables };
  })()`)) as { sw: number; iw: number; tables: string[] };
  if (m.sw > m.iw) problems.push(`scrolls sideways: ${m.sw} > ${m.iw}`);
  for (const t of m.tables) problems.push(`table wider than its box: ${t}`);
  const axe = await new AxeBuilder({ page: page as never }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  for (const v of axe.violations) {
    if (v.impact !== "serious" && v.impact !== "critical") continue;
    problems.push(`axe ${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")})`);
  }
  fs.mkdirSync(FIT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(FIT_DIR, `${name}.png`), fullPage: true });
  return problems;
}

/**
 * What a page shows, apart from what changes on every load (the CSRF token, React's ids):
 * the same content in the same language lays out the same at a given width, so a page that
 * another person already had checked (say the viewer's Payouts, identical to the owner's) is
 * loaded and watched for console errors but not measured, axe-checked and photographed again.
 */
async function fingerprint(page: Page): Promise<string> {
  return (await page.evaluate(`(() => {
    const main = document.querySelector("main");
    const html = (main ? main.innerHTML : document.body.innerHTML)
      .replace(/name="_csrf" value="[^"]*"/g, "")
      .replace(/:r[0-9a-z]+:/g, ":r:")
      .replace(/name="key" value="[^"]*"/g, "");
    return document.documentElement.lang + "|" + document.documentElement.dir + "|" + html;
  })()`)) as string;
}

/** Fingerprints already checked in this run, with who had them checked first. */
const CHECKED = new Map<string, string>();

describe("every page fits its screen and passes axe", () => {
  for (const email of PEOPLE) {
    it(`${email} at ${WIDTHS.join(", ")} px`, async () => {
      const widest = WIDTHS.at(-1)!;
      const first = await b.open({ width: widest, height: 900 });
      // Leaving a page while Remix still discovers its links' routes aborts that fetch: no person sees it.
      first.allow(/Failed to fetch manifest patches/);
      await signIn(first.page, email);
      const pages = await pagesOf(first.page);
      expect(pages.length).toBeGreaterThan(1);
      const others = await Promise.all(
        WIDTHS.filter((w) => w !== widest).map(async (width) => {
          const opened = await b.open({ width, height: width < 500 ? 844 : 900 });
          opened.allow(/Failed to fetch manifest patches/);
          await signIn(opened.page, email);
          return { width, page: opened.page };
        }),
      );
      const findings: Finding[] = [];
      const who = `${email.split("@")[0]}-${email.split("@")[1]!.split(".")[0]}`;
      const check = async (page: Page, p: string, width: number, loaded: boolean) => {
        if (!loaded) {
          const res = await page.goto(p);
          expect(res?.status(), `${p} as ${email} at ${width}`).toBe(200);
          await waitForHydration(page);
        }
        const slug = p === "/" ? "overview" : p.slice(1).replace(/[^a-z0-9]+/gi, "-");
        for (const problem of await inspect(page, `${who}-${width}-${slug}`)) findings.push({ page: `${p} @${width}`, problem });
      };
      for (const [i, p] of pages.entries()) {
        const res = await first.page.goto(p);
        expect(res?.status(), `${p} as ${email}`).toBe(200);
        await waitForHydration(first.page);
        const print = await fingerprint(first.page);
        // Each person's first page is always checked: it carries their own navigation.
        if (i > 0 && CHECKED.has(print)) continue;
        CHECKED.set(print, `${email} ${p}`);
        await Promise.all([check(first.page, p, widest, true), ...others.map((o) => check(o.page, p, o.width, false))]);
      }
      expect(findings, `${email}: pages that do not fit or fail axe`).toEqual([]);
    }, 900_000);
  }
});
