import { describe, expect, it } from "vitest";
import { DEMO_PASSWORD, loaderData, screenshot, signIn, waitForHydration } from "./browser";
import { useBrowser } from "./harness";

const b = useBrowser();

interface Row {
  id: string;
  amount: string;
  amountRefunded: string;
  status: string;
  cardLast4: string | null;
}

describe("support finds a payment by its last 4 and issues a partial refund", () => {
  it("searches, opens the payment and refunds part of it", async () => {
    const { page } = await b.open();
    await signIn(page, "support@coffee.test");
    // Support's day starts on the payments list.
    expect(new URL(page.url()).pathname).toBe("/payments");

    const list = await loaderData<{ rows: Row[] }>(page, "/payments?status=captured&limit=100", "routes/_app.payments._index");
    // Within support's per-refund limit (20,000,000 IRR) for half of it.
    const target = list.rows.find((r) => r.amountRefunded === "0" && r.cardLast4 && BigInt(r.amount) >= 2_000_000n && BigInt(r.amount) <= 30_000_000n);
    expect(target, "a captured, unrefunded payment in the first page").toBeDefined();
    const last4 = target!.cardLast4!;

    // The list's own search box (the closed global search dialog is labelled "Search" too).
    await page.getByRole("searchbox", { name: "Search", exact: true }).fill(last4);
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(new RegExp(`q=${last4}`));
    await waitForHydration(page);
    await page.locator(`a[href="/payments/${target!.id}"]`).waitFor();
    await screenshot(page, "journey-support-search-last4");
    await page.locator(`a[href="/payments/${target!.id}"]`).click();
    await page.waitForURL(`**/payments/${target!.id}`);
    await waitForHydration(page);

    const half = (BigInt(target!.amount) / 2n / 1000n) * 1000n;
    const form = page.locator(".refund-form");
    await form.getByLabel(/amount/i).fill(half.toString());
    await form.getByLabel(/reason/i).selectOption("requested_by_customer");
    // Within support's limit no step-up is asked; above it the password is.
    const password = form.getByLabel("Your password");
    if (await password.count()) await password.fill(DEMO_PASSWORD);
    await form.getByRole("button", { name: /^refund$/i }).click();
    // The form asks to confirm the amount in words before anything is sent.
    await form.getByText(/^Refund IRR\s[\d,]+ to the customer's card\? This cannot be undone\.$/).waitFor();
    await form.getByRole("button", { name: "Confirm refund" }).click();
    await page.waitForURL(/refundStatus=/);
    await waitForHydration(page);
    expect(new URL(page.url()).searchParams.get("refundStatus")).toBe("succeeded");

    const after = await loaderData<{
      payment: { amountRefunded: string; refundable: string };
      refunds: { amount: string; status: string }[];
    }>(page, `/payments/${target!.id}`, "routes/_app.payments.$paymentId");
    expect(after.payment.amountRefunded).toBe(half.toString());
    expect(after.payment.refundable).toBe((BigInt(target!.amount) - half).toString());
    expect(after.refunds.map((r) => [r.amount, r.status])).toEqual([[half.toString(), "succeeded"]]);
    await page.getByText("Partially refunded").first().waitFor();
    await screenshot(page, "journey-support-partial-refund");
  });
});
