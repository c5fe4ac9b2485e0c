import { afterAll, afterEach, beforeAll, expect, inject } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, newWatchedPage, type WatchedPage } from "./browser";

/**
 * Per test file: one Chromium; `open()` gives a fresh, watched page (own cookies). After
 * each test every page it opened must have stayed free of console errors and hydration
 * warnings.
 */
export function useBrowser(opts: { /** Another server than the shared one (started by the file). */ baseURL?: () => string } = {}) {
  const shared = inject("baseURL");
  let browser: Browser | undefined;
  let opened: WatchedPage[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterEach(async () => {
    const problems = opened.flatMap((w) => w.problems);
    for (const w of opened) await w.context.close();
    opened = [];
    expect(problems, "the browser reported errors").toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
  });

  return {
    get baseURL() {
      return opts.baseURL?.() ?? shared;
    },
    async open(o: { width?: number; height?: number; javaScript?: boolean } = {}): Promise<WatchedPage> {
      if (!browser) throw new Error("browser not started");
      const w = await newWatchedPage(browser, { baseURL: opts.baseURL?.() ?? shared, ...o });
      opened.push(w);
      return w;
    },
  };
}
