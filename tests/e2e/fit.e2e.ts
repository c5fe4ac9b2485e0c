/**
 * Every page of every role, at a phone's 390 px and the desktops' 1280 and 1400 px, in
 * English and in Persian, signed in and signed out: the page never scrolls sideways, no
 * table is wider than its box with the default columns, axe-core finds no serious or
 * critical violation, and the browser logs no error. A page that fails is photographed
 * (full page) in tests/output/fit/; FIT_SHOTS=1 photographs every page.
 *
 * Each person is checked in both languages: signed in, the test switches the person's
 * language as the shell's language switcher does (a POST to /preferences; the language is
 * the person's, so every context of theirs follows) and switches it back afterwards. The
 * signed-out pages (sign-in, sign-up, forgot password, a payment link's page, a plan's
 * subscribe page, a receipt) take the language from `?lang=`, as their own switcher does.
 *
 * Cheap enough for every CI run (it runs inside `npm run test:e2e`, on the journeys' server):
 * one browser, each person signs in once per language and lane (a desktop and a phone context), FIT_LANES (2) lanes
 * take the person's pages in parallel, the desktop page is measured at 1400 px and then
 * resized to 1280 px (CSS and the tables' layout answer a resize as they answer a load) where
 * axe runs again only if other media rules apply there (today none do: axe's answer at
 * 1400 px holds at 1280 px; geometry is measured at both),
 * a page waits for its own data (router and fetchers idle) rather than for the network to
 * stay quiet for half a second, axe runs in the page and reports only violations, and a page another person
 * already had checked with the same content in the same language (its server HTML says so)
 * is not opened again: each role's page list is covered, a page two roles see alike is laid
 * out once per language and width.
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

// Every role: owner, support, accountant, viewer and admin (fa@coffee.test, whose own language
// is Persian), then another merchant's owner (dollars) and a person of a third merchant.
const ALL_PEOPLE = [
  "owner@coffee.test",
  "support@coffee.test",
  "accountant@coffee.test",
  "viewer@coffee.test",
  "fa@coffee.test",
  "owner@northwind.test",
  "books@ledger.test",
];
/** "-" stands for the signed-out pages. */
const SIGNED_OUT = "-";
const PEOPLE = process.env.FIT_PEOPLE ? [...ALL_PEOPLE, SIGNED_OUT].filter((p) => process.env.FIT_PEOPLE!.split(",").includes(p)) : [...ALL_PEOPLE, SIGNED_OUT];
type Lang = "en" | "fa";
// FIT_LANGS=fa checks one language only.
const LANGS: Lang[] = process.env.FIT_LANGS ? (process.env.FIT_LANGS.split(",") as Lang[]) : ["en", "fa"];

/**
 * Switches the signed-in person's language as the shell's language switcher does: its form
 * (with the page's CSRF token) posted to /preferences. The language is saved for the person,
 * so every page of theirs, in any context, answers in it from the next request.
 */
async function setLanguage(page: Page, locale: Lang): Promise<void> {
  const status = (await page.evaluate(`(async () => {
    const form = document.querySelector("form.language-switcher");
    if (!form) return -1;
    const body = new URLSearchParams(new FormData(form));
    body.set("locale", ${JSON.stringify(locale)});
    body.set("redirectTo", "/");
    const r = await fetch(form.action, { method: "POST", body, credentials: "same-origin" });
    return r.status;
  })()`)) as number;
  expect(status, `switching to ${locale}`).toBe(200);
}

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

/** The JSON a route's loader gives, fetched from inside a signed-in page (the session cookie is Secure). */
async function loaderJson<T>(page: Page, url: string, routeId: string): Promise<T> {
  const u = `${url}${url.includes("?") ? "&" : "?"}_data=${encodeURIComponent(routeId)}`;
  return (await page.evaluate(`fetch(${JSON.stringify(u)}, { credentials: "same-origin" }).then((r) => r.json())`)) as T;
}

/**
 * The signed-out pages, found as an owner finds them (`page` is signed in as one): sign-in,
 * sign-up and forgot password; the first payment link's public page; the first plan's
 * subscribe page; and the receipt of the latest captured payment (from the payments lookup,
 * which gives it to send to the customer).
 */
async function publicPagesOf(page: Page): Promise<string[]> {
  const pages = ["/login", "/signup", "/forgot-password"];
  const path = (href: string | null) => (href ? new URL(href, page.url()).pathname : null);
  await page.goto("/links");
  const link = (await page.evaluate(`Array.from(document.querySelectorAll('main a[href^="/links/"]')).map((a) => a.getAttribute("href")).find((h) => /^\\/links\\/[a-z]+_[0-9a-z_]+$/i.test(h))`)) as string | undefined;
  if (link) await page.goto(link);
  else {
    // The demo has no payment link: the owner makes one as a person would (the journeys after
    // this audit make and count their own links; a link nobody paid changes no figure).
    await waitForHydration(page);
    await page.locator("#link-description").fill("Two bags of beans");
    await page.locator("#link-amount").fill("1,250,000");
    await Promise.all([page.waitForURL(/\/links\/pl_[A-Za-z0-9]+\?created=1$/), page.getByRole("button", { name: "Create link" }).click()]);
  }
  pages.push(path(await page.getByTestId("link-url").getAttribute("href"))!);
  await page.goto("/plans");
  pages.push(path(await page.getByTestId("subscribe-url").first().getAttribute("href"))!);
  const list = await loaderJson<{ rows: { id: string }[] }>(page, "/payments?status=captured", "routes/_app.payments._index");
  const { payment } = await loaderJson<{ payment: { cardLast4: string; amount: string; createdAt: string } }>(page, `/payments/${list.rows[0]!.id}`, "routes/_app.payments.$paymentId");
  const day = (d: number) => new Date(Date.parse(payment.createdAt) + d * 86_400_000).toISOString().slice(0, 10);
  const found = await loaderJson<{ result: { ok: boolean; matches?: { receiptUrl: string }[] } }>(
    page,
    `/payments/lookup?last4=${payment.cardLast4}&amount=${payment.amount}&unit=major&from=${day(-1)}&to=${day(1)}`,
    "routes/_app.payments.lookup",
  );
  expect(found.result.ok && found.result.matches?.length, "the lookup finds the payment's receipt").toBeTruthy();
  pages.push(path(found.result.matches![0]!.receiptUrl)!);
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
    for (const lang of LANGS) {
      const signedOut = email === SIGNED_OUT;
      it(`${signedOut ? "signed-out pages" : email} in ${lang === "fa" ? "Persian" : "English"} at ${WIDTHS.join(", ")} px`, async () => {
        const open = async (width: number, as: string | null) => {
          const opened = await b.open({ width, height: width < 500 ? 844 : 900 });
          // Leaving a page while Remix still discovers its links' routes aborts that fetch: no person sees it.
          opened.allow(/Failed to fetch manifest patches/);
          if (as) await signIn(opened.page, as);
          return opened.page;
        };
        const who = signedOut ? `public-${lang}` : `${email.split("@")[0]}-${email.split("@")[1]!.split(".")[0]}-${lang}`;
        let pages: string[];
        let lanes: Lane[];
        let restore: (() => Promise<void>) | null = null;
        if (signedOut) {
          // An owner finds the public addresses; the pages are then opened by no one signed in.
          const owner = await open(1280, "owner@coffee.test");
          pages = (await publicPagesOf(owner)).map((p) => `${p}?lang=${lang}`);
          lanes = await Promise.all(
            Array.from({ length: LANES }, async () => ({ desktop: DESKTOP.length ? await open(DESKTOP[0]!, null) : null, phone: PHONE.length ? await open(PHONE[0]!, null) : null })),
          );
        } else {
          lanes = await Promise.all(
            Array.from({ length: LANES }, async () => ({ desktop: DESKTOP.length ? await open(DESKTOP[0]!, email) : null, phone: PHONE.length ? await open(PHONE[0]!, email) : null })),
          );
          const lead = lanes[0]!.desktop ?? lanes[0]!.phone!;
          const own = (await lead.evaluate("document.documentElement.lang")) as Lang;
          if (own !== lang) {
            await setLanguage(lead, lang);
            restore = () => setLanguage(lead, own);
          }
          pages = await pagesOf(lead);
        }
        try {
          expect(pages.length).toBeGreaterThan(1);
          const findings: Finding[] = [];
          const slugOf = (p: string) => (p === "/" ? "overview" : p.replace(/\?lang=\w+$/, "").slice(1).replace(/[^a-z0-9]+/gi, "-"));
          const load = async (page: Page, p: string, width: number) => {
            const res = await timed("goto", () => page.goto(p));
            expect(res?.status(), `${p} as ${email} at ${width}`).toBe(200);
            const htmlLang = (await page.evaluate("document.documentElement.lang")) as string;
            expect(htmlLang, `${p} as ${email} is in ${lang}`).toBe(lang);
            await timed("settle", () => settled(page));
          };
          const measure = async (page: Page, p: string, width: number, axe = true) => {
            for (const problem of await inspect(page, `${who}-${width}-${slugOf(p)}`, { axe })) findings.push({ page: `${p} @${width}`, problem });
          };
          const visit = async (lane: Lane, p: string, first: boolean) => {
            if (!signedOut) {
              const main = lane.desktop ?? lane.phone!;
              if (main.url() === "about:blank") await main.goto("/");
              const { status, print } = await timed("fingerprint", () => fingerprint(main, p));
              expect(status, `${p} as ${email}`).toBe(200);
              // Each person's first page is always checked: it carries their own navigation.
              if (!first && CHECKED.has(print)) return;
              CHECKED.set(print, `${email} ${p}`);
            }
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
          if (TIMING) console.log(`fit timing after ${who} (ms, summed over lanes):`, Object.fromEntries(Object.entries(TIMING).map(([k, v]) => [k, Math.round(v)])));
          expect(findings, `${who}: pages that do not fit or fail axe`).toEqual([]);
        } finally {
          // The person's own language again, for the journeys that run after this audit.
          await restore?.();
        }
      }, 900_000);
    }
  }
});
