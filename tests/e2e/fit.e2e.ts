/**
 * Every page of every role, at a phone's 390 px and the desktops' 1280 and 1400 px, in
 * English and in Persian (fa@coffee.test reads right to left): the page never scrolls
 * sideways, no table is wider than its box with the default columns, axe-core finds no
 * serious or critical violation, and the browser logs no error. A page that fails is
 * photographed (full page) in tests/output/fit/; FIT_SHOTS=1 photographs every page.
 *
 * Cheap enough for every CI run (it runs inside `npm run test:e2e`, on the journeys' server):
 * each person signs in once per lane (a desktop and a phone context), FIT_LANES (2) lanes
 * take the person's pages in parallel, the desktop page is measured at 1400 px and then
 * resized to 1280 px (CSS and the tables' layout answer a resize as they answer a load) where
 * axe runs again only if other media rules apply there (today none do: axe's answer at
 * 1400 px holds at 1280 px; geometry is measured at both),
 * a page waits for its own data (router and fetchers idle) rather than for the network to
 * stay quiet for half a second, axe runs in the page and reports only violations, and a page another person
 * already had checked with the same content (its server HTML says so) is not opened again.
 */
import fs from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { OUTPUT_DIR, signIn } from "./browser";
import { useBrowser } from "./harness";

const b = useBrowser();
const FIT_DIR = path.join(OUTPUT_DIR, "fit");
// FIT_PEOPLE=owner@coffee.test,fa@coffee.test and FIT_WIDTHS=390 run a part while fixing a page.
const WIDTHS = process.env.FIT_WIDTHS ? process.env.FIT_WIDTHS.split(",").map(Number) : [390, 1280, 1400];
const DESKTOP = WIDTHS.filter((w) => w >= 500).sort((a, b) => b - a);
const PHONE = WIDTHS.filter((w) => w < 500);
const LANES = Math.max(1, Number(process.env.FIT_LANES ?? 2));
const ALL_SHOTS = process.env.FIT_SHOTS === "1";
/** FIT_TIMING=1: how long loading, measuring, axe and photographing took in all (to keep the audit cheap). */
const TIMING: Record<string, number> | null = process.env.FIT_TIMING === "1" ? {} : null;
async function timed<T>(what: string, f: () => Promise<T>): Promise<T> {
  if (!TIMING) return f();
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    TIMING[what] = (TIMING[what] ?? 0) + (performance.now() - t0);
  }
}

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

/**
 * The page has hydrated and loaded what it shows: no navigation, revalidation or fetcher
 * (a live receipt, the recent payments) in flight. Route discovery may still be fetching
 * manifests for the page's links; leaving during one is allowed (no person sees it).
 */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const w = window as unknown as { __remixRouter?: { state: { navigation: { state: string }; revalidation: string; fetchers: Map<string, { state: string }> } } };
    const s = w.__remixRouter?.state;
    // React has hydrated the page when its nodes carry their fibers (the router exists before that).
    const root = document.getElementById("main") ?? document.body;
    const hydrated = Object.keys(root).some((k) => k.startsWith("__reactFiber"));
    return hydrated && !!s && document.readyState === "complete" && s.navigation.state === "idle" && s.revalidation === "idle" && [...s.fetchers.values()].every((f) => f.state === "idle");
  });
  // Effects that lay the page out (the phone tables' labels) run after hydration's commit: two frames.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 50)))));
}

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

/**
 * Which of the stylesheets' media rules apply at the page's width: where it is the same as
 * at a width axe already checked (1280 and 1400 px fall between the same breakpoints), the
 * same DOM has the same styles, colours and visibility, so axe would say the same again.
 */
async function mediaSignature(page: Page): Promise<string> {
  return (await page.evaluate(`Array.from(document.styleSheets)
    .flatMap((s) => { try { return Array.from(s.cssRules); } catch { return []; } })
    .filter((r) => r instanceof CSSMediaRule)
    .map((r) => (matchMedia(r.conditionText).matches ? "1" : "0"))
    .join("")`)) as string;
}

async function inspect(page: Page, name: string, opts: { axe: boolean }): Promise<string[]> {
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
  // axe.run in the page itself (legacy mode) costs half of the frame-by-frame run, which
  // finishes in a fresh blank page every time; it is the same check where there is no frame.
  const frames = opts.axe ? ((await page.evaluate(`document.querySelectorAll("iframe, frame").length`)) as number) : 0;
  const axe = opts.axe
    ? await timed("axe", () =>
        new AxeBuilder({ page: page as never })
          .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
          .options({ resultTypes: ["violations"] })
          .setLegacyMode(frames === 0)
          .analyze(),
      )
    : { violations: [] };
  for (const v of axe.violations) {
    if (v.impact !== "serious" && v.impact !== "critical") continue;
    problems.push(`axe ${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")})`);
  }
  if (problems.length || ALL_SHOTS) {
    fs.mkdirSync(FIT_DIR, { recursive: true });
    await timed("screenshot", () => page.screenshot({ path: path.join(FIT_DIR, `${name}.png`), fullPage: true }));
  }
  return problems;
}

/**
 * What a page shows, apart from what changes on every load (the CSRF token, React's ids,
 * a form's idempotency key): the server's HTML of its main area, in its language and
 * direction, fetched from inside a signed-in page (the session cookie is Secure, so only the
 * browser sends it here) without opening it. The same content in the same language lays out
 * the same at a given width, so a page another person already had checked (say the viewer's
 * Payouts, identical to the owner's) is neither opened nor measured again.
 */
async function fingerprint(page: Page, p: string): Promise<{ status: number; print: string }> {
  const { status, html } = (await page.evaluate(
    `fetch(${JSON.stringify(p)}, { credentials: "same-origin" }).then(async (r) => ({ status: r.status, html: await r.text() }))`,
  )) as { status: number; html: string };
  const root = /<html[^>]*>/.exec(html)?.[0] ?? "";
  const main = /<main[\s\S]*<\/main>/.exec(html)?.[0] ?? html;
  const print = main
    .replace(/name="_csrf" value="[^"]*"/g, "")
    .replace(/:[rR][0-9a-zA-Z]+:/g, ":r:")
    .replace(/name="key" value="[^"]*"/g, "");
  return { status, print: `${root}|${print}` };
}

/** Fingerprints already checked in this run, with who had them checked first. */
const CHECKED = new Map<string, string>();

/** One lane: a desktop page (measured at each desktop width by resizing) and a phone page, both signed in. */
interface Lane {
  desktop: Page | null;
  phone: Page | null;
}

describe("every page fits its screen and passes axe", () => {
  for (const email of PEOPLE) {
    it(`${email} at ${WIDTHS.join(", ")} px`, async () => {
      const open = async (width: number) => {
        const opened = await b.open({ width, height: width < 500 ? 844 : 900 });
        // Leaving a page while Remix still discovers its links' routes aborts that fetch: no person sees it.
        opened.allow(/Failed to fetch manifest patches/);
        await signIn(opened.page, email);
        return opened.page;
      };
      const lanes: Lane[] = await Promise.all(
        Array.from({ length: LANES }, async () => ({ desktop: DESKTOP.length ? await open(DESKTOP[0]!) : null, phone: PHONE.length ? await open(PHONE[0]!) : null })),
      );
      const lead = lanes[0]!.desktop ?? lanes[0]!.phone!;
      const pages = await pagesOf(lead);
      expect(pages.length).toBeGreaterThan(1);
      const findings: Finding[] = [];
      const who = `${email.split("@")[0]}-${email.split("@")[1]!.split(".")[0]}`;
      const slugOf = (p: string) => (p === "/" ? "overview" : p.slice(1).replace(/[^a-z0-9]+/gi, "-"));
      const load = async (page: Page, p: string, width: number) => {
        const res = await timed("goto", () => page.goto(p));
        expect(res?.status(), `${p} as ${email} at ${width}`).toBe(200);
        await timed("settle", () => settled(page));
      };
      const measure = async (page: Page, p: string, width: number, axe = true) => {
        for (const problem of await inspect(page, `${who}-${width}-${slugOf(p)}`, { axe })) findings.push({ page: `${p} @${width}`, problem });
      };
      const visit = async (lane: Lane, p: string, first: boolean) => {
        const main = lane.desktop ?? lane.phone!;
        const { status, print } = await timed("fingerprint", () => fingerprint(main, p));
        expect(status, `${p} as ${email}`).toBe(200);
        // Each person's first page is always checked: it carries their own navigation.
        if (!first && CHECKED.has(print)) return;
        CHECKED.set(print, `${email} ${p}`);
        await Promise.all([
          (async () => {
            if (!lane.desktop) return;
            await lane.desktop.setViewportSize({ width: DESKTOP[0]!, height: 900 });
            await load(lane.desktop, p, DESKTOP[0]!);
            const axed = new Set<string>();
            for (const [i, width] of DESKTOP.entries()) {
              if (i > 0) {
                await lane.desktop.setViewportSize({ width, height: 900 });
                // Let layout and any resize handler run before measuring.
                await lane.desktop.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
              }
              const media = await mediaSignature(lane.desktop);
              await measure(lane.desktop, p, width, !axed.has(media));
              axed.add(media);
            }
          })(),
          (async () => {
            if (!lane.phone) return;
            await load(lane.phone, p, PHONE[0]!);
            await measure(lane.phone, p, PHONE[0]!);
          })(),
        ]);
      };
      // The first page alone (it is always checked), then the rest shared out between the lanes.
      await visit(lanes[0]!, pages[0]!, true);
      const queue = pages.slice(1);
      await Promise.all(
        lanes.map(async (lane) => {
          for (let p = queue.shift(); p !== undefined; p = queue.shift()) await visit(lane, p, false);
        }),
      );
      if (TIMING) console.log(`fit timing after ${email} (ms, summed over lanes):`, Object.fromEntries(Object.entries(TIMING).map(([k, v]) => [k, Math.round(v)])));
      expect(findings, `${email}: pages that do not fit or fail axe`).toEqual([]);
    }, 900_000);
  }
});
