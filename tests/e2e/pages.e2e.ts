/**
 * Every console page as every kind of person of both demo merchants, on a wide screen
 * and a 375 px phone: it loads, shows only what the role may open, has no unlabeled
 * control, does not scroll sideways on a phone (tables scroll inside their box), logs
 * no error, and leaves a screenshot in tests/output/screenshots for review.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { screenshot, signIn, waitForHydration } from "./browser";
import { useBrowser } from "./harness";

const b = useBrowser();

const PEOPLE = [
  { email: "owner@coffee.test", pages: ["/", "/payments", "/refunds", "/payouts", "/terminals"], hidden: [] as string[] },
  { email: "admin@coffee.test", pages: ["/", "/payments", "/refunds", "/payouts", "/terminals"], hidden: [] },
  { email: "support@coffee.test", pages: ["/payments", "/refunds"], hidden: ["Overview", "Payouts", "Terminals"] },
  { email: "accountant@coffee.test", pages: ["/", "/payments", "/refunds", "/payouts"], hidden: ["Terminals"] },
  { email: "viewer@coffee.test", pages: ["/", "/payments", "/refunds", "/payouts"], hidden: ["Terminals"] },
  { email: "fa@coffee.test", pages: ["/", "/payments", "/payouts"], hidden: [] },
  { email: "owner@northwind.test", pages: ["/", "/payments", "/refunds", "/payouts", "/terminals"], hidden: [] },
  { email: "support@northwind.test", pages: ["/payments", "/refunds"], hidden: ["Overview", "Payouts"] },
];

async function unlabeledControls(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const out = [];
    for (const el of Array.from(document.querySelectorAll("main input, main select, main textarea"))) {
      if (el.type === "hidden" || el.type === "submit") continue;
      const labelled = (el.id && document.querySelector('label[for="' + el.id + '"]')) || el.closest("label") || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
      if (!labelled) out.push(el.outerHTML.slice(0, 120));
    }
    return out;
  })()`);
}

async function check(page: Page, name: string, phone: boolean) {
  await waitForHydration(page);
  expect(await unlabeledControls(page), `${name}: every control has a label`).toEqual([]);
  if (phone) {
    const width = await page.evaluate("document.documentElement.scrollWidth");
    expect(width, `${name}: no sideways scrolling at 375 px`).toBeLessThanOrEqual(376);
  }
  await screenshot(page, name);
}

async function visit(page: Page, path: string, name: string, phone: boolean) {
  const res = await page.goto(path);
  expect(res?.status(), `${path} as ${name}`).toBe(200);
  await check(page, name, phone);
  // And the first detail page it links to.
  const first = page.locator("main table a.row-link").first();
  if (path !== "/" && path !== "/refunds" && (await first.count())) {
    await first.click();
    await page.waitForURL((u) => u.pathname !== path);
    await check(page, `${name}-detail`, phone);
  }
}

describe("every page, every role", () => {
  for (const person of PEOPLE) {
    for (const width of [1280, 375]) {
      it(`${person.email} at ${width}px`, async () => {
        const phone = width < 500;
        const { page } = await b.open({ width, height: phone ? 800 : 900 });
        await signIn(page, person.email);
        if (!phone) {
          const nav = page.getByRole("navigation", { name: "Main" });
          const labels = (await nav.getByRole("link").allInnerTexts()).map((s) => s.trim());
          for (const hidden of person.hidden) expect(labels, `${person.email} must not see ${hidden}`).not.toContain(hidden);
        }
        for (const path of person.pages) {
          await visit(page, path, `page-${person.email.replace("@", "-at-")}-${width}-${path === "/" ? "overview" : path.slice(1)}`, phone);
        }
      });
    }
  }

  it("a page the role may not open says why, and a bad filter says which field", async () => {
    const { page, allow } = await b.open();
    // The browser notes the refused and rejected documents we ask for on purpose.
    allow(/status of 40[03]/);
    await signIn(page, "accountant@coffee.test");
    const res = await page.goto("/terminals");
    expect(res?.status()).toBe(403);
    await page.getByRole("heading", { name: /not allowed/i }).waitFor();
    expect(await page.locator("main").innerText()).toMatch(/Accountant/);
    await screenshot(page, "page-accountant-terminals-refused");

    // A filter the list cannot use: the console page names it.
    const bad = await page.goto("/payments?min=12,50");
    expect(bad?.status()).toBe(400);
    await waitForHydration(page);
    expect(await page.locator("main").innerText()).toMatch(/decimals/);
    await screenshot(page, "page-accountant-payments-bad-filter");
    // A date that is not on the calendar (or out of the ledger's years) is a 400 too, and the
    // console page names it beside the date filter, in place, with the filters open.
    for (const [day, message] of [
      ["2025-02-30", "Enter a date as YYYY-MM-DD, for example 2025-03-21"],
      ["9999-12-31", "Enter a date between 1970-01-01 and 2100-12-31"],
    ]) {
      const impossible = await page.goto(`/payments?range=custom&from=${day}&to=2026-01-01`);
      expect(impossible?.status()).toBe(400);
      await waitForHydration(page);
      expect(await page.locator("main h1").innerText()).toBe("Payments");
      expect(await page.locator("main .field-error").allInnerTexts()).toContain(message);
    }
    await screenshot(page, "page-accountant-payments-impossible-date");
    // Elsewhere (a report, an export) the edge refuses it before any route, naming the parameter.
    const report = await page.goto("/reports/payments.csv?from=2025-02-30");
    expect(report?.status()).toBe(400);
    expect(await page.locator("body").innerText()).toMatch(/from.*YYYY-MM-DD/s);
  });
});
