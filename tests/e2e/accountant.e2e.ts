import fs from "node:fs";
import path from "node:path";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { nextRunAfter } from "~/lib/report-schedule";
import { loaderData, screenshot, signIn, waitForHydration } from "./browser";
import { useBrowser } from "./harness";

/**
 * The accountant's desk, as an accountant uses it: schedule a report from the Reports page
 * (and pause, resume and delete it), issue and download a fee statement, close a month;
 * the schedule pages in Persian at phone width.
 */
const b = useBrowser();

/** Screenshots for the people reviewing the pages (SHOTS_DIR), beside the suite's own. */
async function shot(page: import("playwright-core").Page, name: string) {
  const file = await screenshot(page, name);
  if (process.env.SHOTS_DIR) {
    fs.mkdirSync(process.env.SHOTS_DIR, { recursive: true });
    fs.copyFileSync(file, path.join(process.env.SHOTS_DIR, path.basename(file)));
  }
}

interface SchedulePageData {
  schedule: { id: string; name: string; paused: boolean };
  upcoming: string[];
}

describe("the accountant's desk", () => {
  it("schedules the monthly payments report from the Reports page, then pauses, resumes and deletes it", async () => {
    const { page, allow } = await b.open({ width: 1400, height: 900 });
    // The refused form below answers 400 (the page shows why); the browser logs the status.
    allow(/status of 400 \(Bad Request\)/);
    await signIn(page, "accountant@coffee.test");
    await page.goto("/reports");
    await waitForHydration(page);
    await Promise.all([page.waitForURL(/\/reports\/schedules\?report=payments/), page.getByTestId("schedule-report").click()]);
    await waitForHydration(page);
    await page.getByRole("heading", { level: 1, name: "Scheduled reports" }).waitFor();

    // Nobody to send it to: refused, naming what to do.
    const form = page.getByTestId("schedule-form");
    await form.getByLabel("Name").fill("Monthly payments for the books");
    await form.getByRole("checkbox", { name: /accountant@coffee\.test/ }).uncheck();
    await form.getByTestId("schedule-save").click();
    await page.getByText("Choose at least one member of the team to send it to.").waitFor();

    await form.getByRole("checkbox", { name: /accountant@coffee\.test/ }).check();
    await form.getByRole("checkbox", { name: /owner@coffee\.test/ }).check();
    // A support member may not export: offered, but not to be ticked.
    await expect(form.getByRole("checkbox", { name: /support@coffee\.test/ }).isDisabled()).resolves.toBe(true);
    await Promise.all([page.waitForURL(/\/reports\/schedules\/rs_\w+\?saved=1/), form.getByTestId("schedule-save").click()]);
    await waitForHydration(page);
    await page.getByText("Saved. The next runs are listed below.").waitFor();
    const id = new URL(page.url()).pathname.split("/").pop()!;
    const data = await loaderData<SchedulePageData>(page, `/reports/schedules/${id}`, "routes/_app.reports.schedules.$scheduleId");
    // Day 1 of every Jalali month at 07:00 in Tehran (the Iranian merchant's books).
    const rule = { frequency: "monthly", monthDay: 1, localTime: "07:00", calendar: "jalali", timeZone: "Asia/Tehran" } as const;
    const first = nextRunAfter(rule, new Date(Date.now() - 60_000));
    expect(data.upcoming).toEqual([first.toISOString(), nextRunAfter(rule, first).toISOString(), nextRunAfter(rule, nextRunAfter(rule, first)).toISOString()]);
    await expect(page.getByTestId("schedule-upcoming").locator("li").count()).resolves.toBe(3);
    await page.getByText("Day 1 of every Jalali month at 07:00 (Asia/Tehran)").first().waitFor();
    await page.getByText("No run yet.").waitFor();
    await shot(page, "schedule-en-1400");

    await page.getByTestId("schedule-pause").click();
    await page.getByRole("heading", { level: 2, name: "Paused" }).waitFor();
    await page.getByTestId("schedule-pause").click();
    await page.getByRole("heading", { level: 2, name: "Next runs" }).waitFor();

    await page.getByRole("link", { name: "All schedules" }).click();
    await page.waitForURL(/\/reports\/schedules$/);
    await waitForHydration(page);
    const item = page.getByTestId("schedule-list").locator("li", { hasText: "Monthly payments for the books" });
    await item.getByText("2 recipients").waitFor();
    await shot(page, "schedules-en-1400");

    await item.getByRole("link", { name: "Edit" }).click();
    await page.waitForURL(`**/reports/schedules/${id}`);
    await waitForHydration(page);
    page.once("dialog", (d) => void d.accept());
    await Promise.all([page.waitForURL(/\/reports\/schedules\?deleted=1/), page.getByRole("button", { name: "Delete" }).click()]);
    await waitForHydration(page);
    await expect(page.getByTestId("schedule-list").getByText("Monthly payments for the books").count()).resolves.toBe(0);
  });

  it("in Persian at phone width: the schedule pages read right to left, with Persian digits and Jalali months", async () => {
    const { page } = await b.open({ width: 390, height: 844 });
    await signIn(page, "fa@coffee.test");
    await page.goto("/reports/schedules?report=payout-reconciliation");
    await waitForHydration(page);
    await page.getByRole("heading", { level: 1, name: "گزارش‌های زمان‌بندی‌شده" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.dir)).toBe("rtl");
    await shot(page, "schedules-fa-390");
    const form = page.getByTestId("schedule-form");
    await form.getByLabel("نام").fill("تطبیق ماهانهٔ تسویه‌ها");
    await Promise.all([page.waitForURL(/\/reports\/schedules\/rs_\w+\?saved=1/), form.getByTestId("schedule-save").click()]);
    await waitForHydration(page);
    await page.getByText("روز ۱ هر ماه شمسی، ساعت ۰۷:۰۰ (تهران)").first().waitFor();
    // No horizontal scrolling at 390 px.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, "schedule-fa-390");
    await page.setViewportSize({ width: 1400, height: 900 });
    await shot(page, "schedule-fa-1400");
    page.once("dialog", (d) => void d.accept());
    await Promise.all([page.waitForURL(/\/reports\/schedules\?deleted=1/), page.getByRole("button", { name: "حذف" }).click()]);
    await waitForHydration(page);
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, "schedules-fa-390-empty");
  });

  it("issues last month's fee statement and downloads its lines, which add up to the statement", async () => {
    const { page } = await b.open({ width: 1400, height: 900 });
    await signIn(page, "accountant@northwind.test");
    await page.goto("/statements");
    await waitForHydration(page);
    const months = await loaderData<{ months: { key: string; statements: { id: string; feeTotal: string; lineCount: number }[] }[] }>(page, "/statements", "routes/_app.statements._index");
    // months[0] is the last month (the current one is not over).
    const last = months.months[0]!;
    if (last.statements.length === 0) {
      await page.getByTestId(`issue-${last.key}`).click();
      await page.getByTestId(`statement-${last.key}`).waitFor();
    }
    await page.getByTestId(`statement-${last.key}`).first().click();
    await page.waitForURL(/\/statements\/fs_/);
    await waitForHydration(page);
    await page.getByTestId("statement-totals").waitFor();
    const id = new URL(page.url()).pathname.split("/").pop()!;
    const statement = await loaderData<{ statement: { feeTotal: string; lineCount: number } }>(page, `/statements/${id}`, "routes/_app.statements.$statementId");
    expect(statement.statement.lineCount).toBeGreaterThan(0);
    await shot(page, "statement-en-1400");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("statement-csv").click()]);
    const text = fs.readFileSync((await download.path())!, "utf8").replace(/^\uFEFF/, "");
    const lines = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
    expect(lines.errors).toEqual([]);
    expect(lines.data).toHaveLength(statement.statement.lineCount);
    const cents = lines.data.reduce((s, l) => s + BigInt(l.fee!.replace(".", "")), 0n);
    expect(cents.toString()).toBe(statement.statement.feeTotal);
  });

  it("closes a month: its figures are kept and it says when it was closed", async () => {
    const { page } = await b.open({ width: 1400, height: 900 });
    await signIn(page, "accountant@northwind.test");
    await page.goto("/close");
    await waitForHydration(page);
    const data = await loaderData<{ months: { key: string; closed: boolean }[] }>(page, "/close", "routes/_app.close");
    // The oldest month offered: the other journeys' refunds and payouts are in recent ones.
    const month = data.months[data.months.length - 1]!;
    await page.goto(`/close?month=${month.key}`);
    await waitForHydration(page);
    const before = await page.getByTestId("close-figures").locator("table").innerText();
    if (!month.closed) {
      await page.getByTestId("close-month").click();
    }
    // On the embedded database (one connection) this waited forever while the close read
    // outside its own transaction.
    await page.getByTestId("close-status").waitFor();
    expect(await page.getByTestId("close-figures").locator("table").innerText()).toBe(before);
    await shot(page, "close-en-1400");
  });
});
