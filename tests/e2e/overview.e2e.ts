import { describe, expect, it } from "vitest";
import { digitsOf, eventually, loaderData, screenshot, signIn, waitForHydration } from "./browser";
import { useBrowser } from "./harness";

const b = useBrowser();

interface OverviewData {
  range: { preset: string; fromDay: string; toDay: string };
  kpis: Record<string, { current: string | number | null; previous: string | number | null }>;
  current: { buckets: unknown[] };
}

describe("the owner reads revenue on the Overview", () => {
  it("sees gross, net and payments for 30 days, switches to 7 days and comes back", async () => {
    const { page } = await b.open();
    await signIn(page, "owner@coffee.test");
    expect(new URL(page.url()).pathname).toBe("/");
    await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();

    const data = await loaderData<OverviewData>(page, "/", "routes/_app._index");
    expect(data.range.preset).toBe("30d");
    const value = (id: string) => page.getByTestId(id).locator(".value").innerText();
    // Rial has no minor unit: the digits on the card are the amount in the ledger.
    expect(digitsOf(await value("kpi-gross"))).toBe(String(data.kpis.gross!.current));
    expect(digitsOf(await value("kpi-net"))).toBe(String(data.kpis.net!.current));
    expect(digitsOf(await value("kpi-payments"))).toBe(String(data.kpis.capturedCount!.current));
    expect(await page.getByTestId("kpi-gross").innerText()).toMatch(/vs previous period/);

    // The chart is drawn, and its numbers are in a table too.
    await page.locator(".chart .recharts-surface").first().waitFor();
    await page.getByText("Show the data as a table").first().click();
    const rows = page.locator("details.chart-data[open] tbody tr");
    // The rows are rendered when the table is opened.
    await rows.first().waitFor();
    expect(await rows.count()).toBe(data.current.buckets.length);
    await screenshot(page, "journey-owner-overview-30d");

    await page.getByRole("link", { name: "7 days", exact: true }).click();
    await page.waitForURL(/range=7d/);
    await waitForHydration(page);
    const week = await loaderData<OverviewData>(page, "/?range=7d", "routes/_app._index");
    const gross = async () => digitsOf(await value("kpi-gross"));
    expect(await eventually(gross, String(week.kpis.gross!.current))).toBe(String(week.kpis.gross!.current));
    expect(week.current.buckets).toHaveLength(7);

    // Back restores the 30-day view from the URL alone.
    await page.goBack();
    await page.waitForURL((u) => u.search === "");
    await waitForHydration(page);
    expect(await eventually(gross, String(data.kpis.gross!.current))).toBe(String(data.kpis.gross!.current));

    // Today is hourly.
    await page.getByRole("link", { name: "Today", exact: true }).click();
    await page.waitForURL(/range=today/);
    await waitForHydration(page);
    const hour = () => page.getByRole("link", { name: "Hour", exact: true }).getAttribute("aria-current");
    expect(await eventually(hour, "true")).toBe("true");
    await screenshot(page, "journey-owner-overview-today");
  });
});
