/**
 * The virtual terminal after a charge the provider did not answer in time: the receipt
 * says it is waiting and turns into the answer by itself (no reload, no second charge),
 * and a member who went back to the form sees the payment in "your recent payments",
 * whose status updates by itself too. Screenshots of the form with the list and of a
 * pending receipt, at 390 and 1400 px, in English and Persian.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { screenshot, signIn, waitForHydration } from "./browser";
import { useBrowser } from "./harness";
import { CARD_EXPIRY } from "../support/cards";

const b = useBrowser();

/** The sandbox's card whose charge times out and is then found approved by the inquiry. */
const TIMEOUT_APPROVED = "4000000000007700";
const APPROVE = "4242424242424242";
const expiry = CARD_EXPIRY;

async function charge(page: Page, amount: string, card: string): Promise<string> {
  await page.goto("/terminal");
  await waitForHydration(page);
  const form = page.locator("form.vt-form");
  await form.locator('input[name="md_amount"]').fill(amount);
  await form.locator('input[id$="-pan"]').fill(card);
  await form.locator('input[id$="-expiry"]').fill(expiry);
  await form.locator('input[id$="-cvc"]').fill("123");
  await form.locator('button[type="submit"]').click();
  await page.waitForURL(/receipt=/, { timeout: 60_000 });
  await waitForHydration(page);
  return new URL(page.url()).searchParams.get("receipt")!;
}

/**
 * The test's own page.goto("/terminal") can land while Remix is still fetching the route
 * manifest for the links of the page it leaves; the aborted fetch is logged as "Failed to
 * fetch manifest patches" (a navigation of the test's, not an error of the app's).
 */
function watched(w: Awaited<ReturnType<typeof b.open>>) {
  w.allow(/Failed to fetch manifest patches/);
  return w;
}

describe("virtual terminal: recent payments and a receipt that refreshes itself", () => {
  it("a pending receipt resolves without a reload, and the recent list shows it", async () => {
    const { page } = watched(await b.open({ width: 1400 }));
    await signIn(page, "support@coffee.test");
    const approved = await charge(page, "125000", APPROVE);
    const id = await charge(page, "98000", TIMEOUT_APPROVED);
    expect(id).not.toBe(approved);
    const receipt = page.getByTestId("receipt");
    expect(await receipt.locator("h2").textContent()).toBe("Waiting for the provider's answer");
    await receipt.getByTestId("receipt-refreshing").waitFor();
    // A marker on window survives only if the page is never reloaded.
    await page.evaluate("window.__stillSamePage = true");
    await screenshot(page, "vt-receipt-pending-en-1400");
    // The receipt asks the provider once the charge is 10 s old; polling every 3 s.
    await receipt.locator("h2", { hasText: "Payment approved" }).waitFor({ timeout: 30_000 });
    expect(await page.evaluate("window.__stillSamePage === true")).toBe(true);
    expect(new URL(page.url()).searchParams.get("receipt")).toBe(id);

    // The list under it: newest first, both payments, the resolved one captured.
    const rows = page.getByTestId("vt-recent").locator("tbody tr");
    expect(await rows.first().getAttribute("data-payment-id")).toBe(id);
    expect(await rows.first().getAttribute("data-status")).toBe("captured");
    expect(await rows.nth(1).getAttribute("data-payment-id")).toBe(approved);
    await rows.first().getByText("Succeeded").waitFor();
  });

  it("after leaving mid-charge, the form page lists the pending payment and updates it in place", async () => {
    const { page } = watched(await b.open({ width: 390, height: 844 }));
    await signIn(page, "support@coffee.test");
    const id = await charge(page, "43000", TIMEOUT_APPROVED);
    // The member goes back to the form (as if they had left the page while it was charging).
    await page.getByRole("link", { name: "New payment" }).click();
    await page.waitForURL((u) => u.pathname === "/terminal" && !u.searchParams.has("receipt"));
    await waitForHydration(page);
    await page.evaluate("window.__stillSamePage = true");
    const row = page.locator(`[data-testid="vt-recent"] tr[data-payment-id="${id}"]`);
    expect(await row.getAttribute("data-status")).toBe("pending");
    await row.getByText("Pending").waitFor();
    await screenshot(page, "vt-form-recent-pending-en-390");
    // Typed into the form meanwhile: refreshing the list must not disturb it.
    await page.locator('form.vt-form input[name="md_amount"]').fill("5000");
    await page.locator(`[data-testid="vt-recent"] tr[data-payment-id="${id}"][data-status="captured"]`).waitFor({ timeout: 30_000 });
    expect(await page.evaluate("window.__stillSamePage === true")).toBe(true);
    expect(await page.locator('form.vt-form input[name="md_amount"]').inputValue()).toBe("5000");
    // The row opens its receipt.
    await row.getByRole("link").click();
    await page.waitForURL(new RegExp(`receipt=${id}`));
    await page.getByTestId("receipt").locator("h2", { hasText: "Payment approved" }).waitFor();
  });

  it("looks right at 390 and 1400 px in English and Persian", async () => {
    for (const [email, lang] of [
      ["support@coffee.test", "en"],
      ["fa@coffee.test", "fa"],
    ] as const) {
      for (const width of [390, 1400]) {
        const { page } = watched(await b.open({ width, height: 900 }));
        await signIn(page, email);
        if (width === 390) await charge(page, "61000", TIMEOUT_APPROVED);
        else await charge(page, "250000", APPROVE);
        await screenshot(page, `vt-receipt-${lang}-${width}`);
        await page.goto("/terminal");
        await waitForHydration(page);
        await page.getByTestId("vt-recent").locator("tbody tr").first().waitFor();
        expect(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")).toBe(true);
        await screenshot(page, `vt-form-recent-${lang}-${width}`);
      }
    }
  });
});
