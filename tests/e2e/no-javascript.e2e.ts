/** With JavaScript off, the console still works: filters are GET forms, changes POST and redirect. */
import { describe, expect, it } from "vitest";
import { screenshot, signIn } from "./browser";
import { useBrowser } from "./harness";

const b = useBrowser();

describe("without JavaScript", () => {
  it("filters payments, picks a custom Overview range and creates a terminal", async () => {
    const { page } = await b.open({ javaScript: false });
    await signIn(page, "owner@coffee.test", undefined, { javaScript: false });
    expect(new URL(page.url()).pathname).toBe("/");

    // Overview: the custom range is a plain form (its disclosure opens without scripts).
    await page.getByText("Custom range", { exact: true }).click();
    await page.getByLabel("From", { exact: true }).fill("2026-01-01");
    await page.getByLabel("To", { exact: true }).fill("2026-01-31");
    await page.locator("details.menu[open]").getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/from=2026-01-01/);
    expect(await page.getByTestId("overview-period").innerText()).toMatch(/Jan 1, 2026 to Jan 31, 2026/);

    // The charts need scripts; the trend's table does not: opening it offers to load it.
    await page.getByText("Show the data as a table").click();
    await page.getByRole("link", { name: "Load the table" }).click();
    await page.waitForURL(/table=1/);
    expect(new URL(page.url()).searchParams.get("from")).toBe("2026-01-01");
    expect(await page.locator("details.chart-data[open] tbody tr").count()).toBe(31);

    // Payments: tick a status and apply.
    await page.goto("/payments");
    await page.locator("summary", { hasText: "Status" }).click();
    await page.getByRole("checkbox", { name: "Declined" }).check();
    await page.getByRole("search").getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/status=declined/);
    const statuses = await page.locator("main table tbody .badge").allInnerTexts();
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set(["Declined"]));
    await screenshot(page, "nojs-payments-declined");

    // Terminals: create one; the POST redirects to its page.
    await page.goto("/terminals");
    const name = `Kish kiosk ${Date.now().toString(36)}`;
    await page.getByLabel("Name").fill(name);
    await page.getByLabel(/Location/).fill("Kish island");
    await page.getByRole("radio", { name: /Virtual terminal/ }).check();
    await page.getByRole("button", { name: "Create terminal" }).click();
    await page.waitForURL(/\/terminals\/term_.*created=1/);
    await page.getByRole("heading", { level: 1, name }).waitFor();
    await screenshot(page, "nojs-terminal-created");
  });

  it("saves the filtered refunds list as a shared view, finds it in the search page and applies it", async () => {
    const { page } = await b.open({ javaScript: false });
    await signIn(page, "accountant@coffee.test", undefined, { javaScript: false });
    await page.goto("/refunds?reason=duplicate&sort=-amount");
    const name = `Duplicates ${Date.now().toString(36)}`;
    await page.getByTestId("views-menu").locator("summary").click();
    await page.getByLabel("View name").fill(name);
    await page.getByLabel("Share with the team").check();
    await page.getByRole("button", { name: "Save current view" }).click();
    // Saving opens the list with the view's filters.
    await page.waitForURL(/\/refunds\?reason=duplicate&sort=-amount$/);
    await page.getByTestId("views-menu").locator("summary").click();
    await page.getByTestId("views-menu").getByRole("link", { name }).waitFor();

    // The search page (no dialog without scripts) finds it by a word of its name.
    await page.goto(`/search?q=${encodeURIComponent(name.split(" ")[1]!)}`);
    await page.getByRole("heading", { name: "Saved views" }).waitFor();
    await page.getByRole("link", { name: new RegExp(name) }).click();
    await page.waitForURL(/\/refunds\?reason=duplicate&sort=-amount$/);

    // Manage: rename it, then stop sharing it.
    await page.goto("/views?list=refunds");
    const row = page.locator("ul.saved-views > li", { has: page.getByLabel(`New name for ${name}`) });
    await row.getByLabel(`New name for ${name}`).fill(`${name} (old)`);
    await row.getByRole("button", { name: "Rename" }).click();
    await page.waitForURL(/done=renamed/);
    await page.getByRole("status").getByText(`Renamed to “${name} (old)”.`).waitFor();
    await page.locator("ul.saved-views > li", { has: page.getByRole("link", { name: `Apply ${name} (old)` }) }).getByRole("button", { name: "Stop sharing" }).click();
    await page.waitForURL(/done=nowPrivate/);
    await screenshot(page, "nojs-saved-views");

    // Its filters read as the list names them.
    const kept = page.locator("ul.saved-views > li", { has: page.getByRole("link", { name: `Apply ${name} (old)` }) });
    await kept.getByText("Reason", { exact: true }).waitFor();
    await kept.getByText("Amount, largest first").waitFor();
    // Deleting asks first, and a private view affects nobody else; keeping it changes nothing.
    await kept.getByRole("link", { name: `Delete ${name} (old)` }).click();
    await page.waitForURL(/confirm=view_/);
    await page.getByRole("heading", { name: `Delete “${name} (old)”?` }).waitFor();
    await page.getByText("Only you can see this view: nobody else is affected.").waitFor();
    await page.getByRole("link", { name: "Keep it" }).click();
    await page.getByRole("link", { name: `Apply ${name} (old)` }).waitFor();
    await kept.getByRole("link", { name: `Delete ${name} (old)` }).click();
    await page.getByRole("button", { name: "Delete the view" }).click();
    await page.waitForURL(/done=deleted/);
    await page.getByRole("status").getByText(`Deleted “${name} (old)”.`).waitFor();
    expect(await page.getByRole("link", { name: `Apply ${name} (old)` }).count()).toBe(0);
  });
});
