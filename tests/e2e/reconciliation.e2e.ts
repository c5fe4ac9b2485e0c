import fs from "node:fs";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { loaderData, screenshot, signIn, waitForHydration } from "./browser";
import { useBrowser } from "./harness";

const b = useBrowser();

/** A CSV amount ("-12.34", "1250000") in minor units. */
function minor(value: string, exponent: number): bigint {
  const [int, frac = ""] = value.trim().split(".");
  return BigInt((int ?? "0") + frac.padEnd(exponent, "0"));
}

describe("the accountant opens a payout and downloads its reconciliation", () => {
  it("the CSV lists every balance transaction and sums to the payout", async () => {
    const { page } = await b.open();
    await signIn(page, "accountant@coffee.test");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Payouts" }).click();
    await page.waitForURL("**/payouts");
    await waitForHydration(page);
    await page.getByRole("heading", { level: 1, name: "Payouts" }).waitFor();

    const first = page.locator("table a.row-link").first();
    await first.click();
    await page.waitForURL(/\/payouts\/po_/);
    await waitForHydration(page);
    const id = new URL(page.url()).pathname.split("/").pop()!;
    const data = await loaderData<{
      payout: { amount: string; currency: string };
      summary: { itemCount: number; net: string };
    }>(page, `/payouts/${id}`, "routes/_app.payouts.$payoutId");
    expect(data.summary.net).toBe(data.payout.amount);
    await screenshot(page, "journey-accountant-payout");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("reconciliation-csv").click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const file = await download.path();
    const text = fs.readFileSync(file!, "utf8").replace(/^\uFEFF/, "");
    const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    const rows = parsed.data.filter((r) => r.payout_id === id || r.payout_id === undefined);
    expect(rows).toHaveLength(data.summary.itemCount);
    const exponent = data.payout.currency === "IRR" ? 0 : 2;
    const sum = rows.reduce((s, r) => s + minor(r.net ?? "0", exponent), 0n);
    expect(sum).toBe(BigInt(data.payout.amount));
  });
});
