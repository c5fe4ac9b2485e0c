import { afterAll, afterEach, beforeAll, expect, inject } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, newWatchedPage, type WatchedPage } from "./browser";

/**
 * Per test file: one Chromium; `open()` gives a fresh, watched page (own cookies). After
 * each test every page it opened must have stayed free of console errors and hydration
 * warnings.
 */
export function useBrowser() {
  const baseURL = inject("baseURL");
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
    baseURL,
    async open(opts: { width?: number; height?: number; javaScript?: boolean } = {}): Promise<WatchedPage> {
      if (!browser) throw new Error("browser not started");
      const w = await newWatchedPage(browser, { baseURL, ...opts });
      opened.push(w);
      return w;
    },
  };
}
