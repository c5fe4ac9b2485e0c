import { describe, expect, it } from "vitest";
import { DEMO_PASSWORD, screenshot, signIn, waitForHydration } from "./browser";
import { useBrowser } from "./harness";

const b = useBrowser();

async function apiStatus(baseURL: string, key: string): Promise<number> {
  const res = await fetch(`${baseURL}/api/v1/payments?limit=1`, { headers: { authorization: `Bearer ${key}` } });
  await res.arrayBuffer();
  return res.status;
}

describe("the owner manages an API terminal", () => {
  it("issues a key (shown once), rotates it, and deactivating refuses it at once", async () => {
    const { page } = await b.open();
    await signIn(page, "owner@coffee.test");
    await page.goto("/terminals");
    await waitForHydration(page);
    const name = `Shiraz shop ${Date.now().toString(36)}`;
    await page.getByLabel("Name").fill(name);
    await page.getByLabel(/Location/).fill("Shiraz");
    await page.getByRole("button", { name: "Create terminal" }).click();
    await page.waitForURL(/\/terminals\/term_/);
    await waitForHydration(page);

    // Issue the first key: step-up with the password, the key is shown once with a copy button.
    await page.getByLabel("Your password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Issue API key" }).click();
    const keyBox = page.getByTestId("new-api-key");
    await keyBox.waitFor();
    const first = (await keyBox.innerText()).trim();
    expect(first).toMatch(/^sk_test_[0-9A-Za-z]{32}$/);
    await page.getByRole("button", { name: "Copy" }).waitFor();
    await screenshot(page, "journey-owner-terminal-key");
    expect(await apiStatus(b.baseURL, first)).toBe(200);

    // Reloading never shows it again.
    await page.reload();
    await waitForHydration(page);
    expect(await page.getByTestId("new-api-key").count()).toBe(0);
    expect(await page.locator("main").innerText()).toContain(first.slice(-4));

    // Rotate: a new key works, the old one is refused.
    await page.getByLabel("Your password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Rotate API key" }).click();
    await page.getByTestId("new-api-key").waitFor();
    const second = (await page.getByTestId("new-api-key").innerText()).trim();
    expect(second).not.toBe(first);
    expect(await apiStatus(b.baseURL, first)).toBe(401);
    expect(await apiStatus(b.baseURL, second)).toBe(200);

    // Deactivate: the key is refused from the next request.
    await page.getByRole("checkbox", { name: /stops working/ }).check();
    await page.getByRole("button", { name: "Deactivate terminal" }).click();
    await page.waitForURL(/done=deactivated/);
    await waitForHydration(page);
    expect(await apiStatus(b.baseURL, second)).toBe(401);
    await page.getByRole("button", { name: "Reactivate terminal" }).waitFor();
    await screenshot(page, "journey-owner-terminal-deactivated");
  });
});
