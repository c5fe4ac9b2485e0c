/**
 * Chromium (Debian's, at /usr/bin/chromium) driven by playwright-core, with every page
 * watched: a console error, an uncaught exception or a React hydration warning is
 * recorded and fails the test that caused it (see `expectCleanConsole`).
 */
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export const OUTPUT_DIR = path.resolve(import.meta.dirname, "../output");
export const SCREENSHOT_DIR = path.join(OUTPUT_DIR, "screenshots");
export const DEMO_PASSWORD = "demo-password-123";

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  problems: string[];
  /** Expect a message (e.g. the browser's note about a 403 the test asked for). */
  allow(pattern: RegExp): void;
}

const HYDRATION = /hydrat|did not match|server rendered HTML|Text content does not match/i;

export async function newWatchedPage(
  browser: Browser,
  opts: { width?: number; height?: number; baseURL: string; acceptDownloads?: boolean; javaScript?: boolean },
): Promise<WatchedPage> {
  const context = await browser.newContext({
    javaScriptEnabled: opts.javaScript ?? true,
    baseURL: opts.baseURL,
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 },
    acceptDownloads: opts.acceptDownloads ?? true,
    locale: "en-US",
    timezoneId: "UTC",
  });
  const page = await context.newPage();
  const problems: string[] = [];
  const allowed: RegExp[] = [];
  page.on("console", (msg) => {
    const text = msg.text();
    if (allowed.some((a) => a.test(text))) return;
    if (msg.type() === "error" || (msg.type() === "warning" && HYDRATION.test(text))) {
      problems.push(`console.${msg.type()} on ${page.url()}: ${text}`);
    }
  });
  page.on("pageerror", (err) => problems.push(`uncaught on ${page.url()}: ${err.message}`));
  return { page, context, problems, allow: (pattern) => void allowed.push(pattern) };
}

/** Signs in through the login form and waits to land in the console. */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD, opts: { javaScript?: boolean } = {}): Promise<void> {
  await page.goto("/login");
  await page.getByLabel(/email/i).fill(email);
  await page.getByLabel(/password/i).fill(password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.getByRole("button", { name: /sign in/i }).click()]);
  if (opts.javaScript === false) await page.waitForLoadState("load");
  else await waitForHydration(page);
}

/** Remix has hydrated when its router is on window and no navigation is pending. */
export async function waitForHydration(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const w = window as unknown as { __remixRouter?: { state: { navigation: { state: string } } } };
    return !!w.__remixRouter && w.__remixRouter.state.navigation.state === "idle";
  });
  // Route discovery (debounced after links render) and prefetches finish before the test
  // moves on: leaving a page in the middle of them aborts the fetch, which the browser
  // reports as an error although no person would ever see it.
  await page.waitForLoadState("networkidle");
  await page.waitForTimeout(250);
  await page.waitForLoadState("networkidle");
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^a-z0-9._-]+/gi, "-")}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Digits only: compares amounts across number formatting details (grouping, spaces, unit). */
export function digitsOf(s: string): string {
  return s.replace(/[^0-9]/g, "");
}

/**
 * A route's loader data as the browser would fetch it (Remix `?_data=`), sent from the
 * page itself so the session cookie (Secure, which a request context would not send over
 * plain http) goes along.
 */
export async function loaderData<T>(page: Page, path: string, routeId: string): Promise<T> {
  const url = `${path}${path.includes("?") ? "&" : "?"}_data=${encodeURIComponent(routeId)}`;
  const result = (await page.evaluate(
    `fetch(${JSON.stringify(url)}, { credentials: "same-origin" }).then(async (r) => ({ status: r.status, text: await r.text() }))`,
  )) as { status: number; text: string };
  if (result.status !== 200 && result.status !== 400) throw new Error(`${url} answered ${result.status}`);
  return JSON.parse(result.text) as T;
}

/** Polls `read` until it returns `expected` (the page may still be swapping in new data). */
export async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (last !== expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    last = await read();
  }
  return last;
}
