/**
 * The refund journey with the keyboard alone, as a support agent who does not use a mouse:
 * `/` opens the search, the payment's id is typed, ↓ and Enter open it, Tab reaches the
 * refund form, the amount is typed, Enter asks to confirm, Enter confirms. No click and no
 * programmatic focus: every step is a key press, and at every stop the focused element
 * shows a visible focus ring.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { loaderData, screenshot, signIn, waitForHydration } from "./browser";
import { useBrowser } from "./harness";

const b = useBrowser();

interface Row {
  id: string;
  amount: string;
  amountRefunded: string;
  cardLast4: string | null;
}

interface Focused {
  tag: string;
  label: string;
  visible: boolean;
  name: string | null;
}

/** What has focus, what it is called, and whether a person can see that it has it. */
async function focused(page: Page): Promise<Focused> {
  return (await page.evaluate(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { tag: "body", label: "", visible: false, name: null };
    const s = getComputedStyle(el);
    const ring = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) || (s.boxShadow && s.boxShadow !== "none");
    const label = (el.labels && el.labels[0] ? el.labels[0].textContent : el.getAttribute("aria-label") || el.textContent || "").trim().slice(0, 80);
    return { tag: el.tagName.toLowerCase(), label, visible: !!ring, name: el.getAttribute("name") };
  })()`)) as Focused;
}

/** Tab (forward) until `want` matches the focused element, checking the focus ring at every stop. */
async function tabTo(page: Page, want: (f: Focused) => boolean, what: string, max = 80): Promise<Focused> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const f = await focused(page);
    seen.push(`${f.tag}:${f.label}`);
    expect(f.visible, `focus ring on ${f.tag} "${f.label}" while tabbing to ${what}`).toBe(true);
    if (want(f)) return f;
  }
  throw new Error(`${what} not reached by Tab; went through ${seen.join(" | ")}`);
}

describe("the refund journey with the keyboard alone", () => {
  it("finds the payment from search, opens it, refunds part of it and confirms, by keys only", async () => {
    const { page } = await b.open({ width: 1280, height: 900 });
    await signIn(page, "support@coffee.test");
    const list = await loaderData<{ rows: Row[] }>(page, "/payments?status=captured&limit=100", "routes/_app.payments._index");
    const target = list.rows.find((r) => r.amountRefunded === "0" && r.cardLast4 && BigInt(r.amount) >= 2_000_000n && BigInt(r.amount) <= 30_000_000n);
    expect(target, "a captured, unrefunded payment within support's limit").toBeDefined();
    const part = (BigInt(target!.amount) / 4n / 1000n) * 1000n;

    // `/` opens the search with the cursor in its box.
    await page.keyboard.press("/");
    const box = await focused(page);
    expect(box).toMatchObject({ tag: "input", name: "q", visible: true });
    await page.keyboard.type(target!.id);
    const hit = page.locator(`dialog a.search-hit[href="/payments/${target!.id}"]`);
    await hit.waitFor();
    // ↓ moves to the first hit (the payment itself), Enter opens it.
    await page.keyboard.press("ArrowDown");
    expect(await hit.evaluate((el) => el === document.activeElement)).toBe(true);
    expect((await focused(page)).visible).toBe(true);
    await screenshot(page, "keyboard-refund-1-search");
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/payments/${target!.id}`);
    await waitForHydration(page);

    // Tab through the page (every stop with a visible ring) to the refund amount.
    await tabTo(page, (f) => f.tag === "input" && f.name === "amount", "the refund amount");
    await page.keyboard.type(part.toString());
    const reason = await tabTo(page, (f) => f.tag === "select" && f.name === "reason", "the reason");
    expect(reason.label).toBe("Reason");
    // Type-ahead on the closed list picks "Duplicate".
    await page.keyboard.type("Dup");
    expect(await page.locator(".refund-form select[name=reason]").inputValue()).toBe("duplicate");
    await tabTo(page, (f) => f.tag === "button" && f.label === "Refund", "the Refund button");
    await page.keyboard.press("Enter");

    // The form asks first, in words, with the focus on "Confirm refund".
    const question = `Refund IRR ${Number(part).toLocaleString("en-US")} to the customer's card? This cannot be undone.`;
    await page.locator(".refund-confirm").getByText(question).waitFor();
    expect(await focused(page)).toMatchObject({ tag: "button", label: "Confirm refund", visible: true });
    await screenshot(page, "keyboard-refund-2-confirm");
    // Nothing has been refunded yet.
    const before = await loaderData<{ payment: { amountRefunded: string } }>(page, `/payments/${target!.id}`, "routes/_app.payments.$paymentId");
    expect(before.payment.amountRefunded).toBe("0");
    await page.keyboard.press("Enter");
    await page.waitForURL(/refundStatus=succeeded/);
    await waitForHydration(page);
    await page.getByRole("status").getByText(/refund/i).first().waitFor();
    await screenshot(page, "keyboard-refund-3-done");

    const after = await loaderData<{ payment: { amountRefunded: string }; refunds: { amount: string; status: string; reason: string }[] }>(
      page,
      `/payments/${target!.id}`,
      "routes/_app.payments.$paymentId",
    );
    expect(after.payment.amountRefunded).toBe(part.toString());
    expect(after.refunds.map((r) => [r.amount, r.status, r.reason])).toEqual([[part.toString(), "succeeded", "duplicate"]]);
  });

  it("Back from the confirmation returns to the Refund button and refunds nothing", async () => {
    const { page } = await b.open({ width: 390, height: 844 });
    await signIn(page, "support@coffee.test");
    const list = await loaderData<{ rows: Row[] }>(page, "/payments?status=captured&limit=100", "routes/_app.payments._index");
    const target = list.rows.filter((r) => r.amountRefunded === "0" && BigInt(r.amount) <= 30_000_000n)[3]!;
    await page.goto(`/payments/${target.id}`);
    await waitForHydration(page);
    await tabTo(page, (f) => f.tag === "input" && f.name === "amount", "the refund amount", 120);
    await page.keyboard.type("1000");
    await tabTo(page, (f) => f.tag === "button" && f.label === "Refund", "the Refund button");
    await page.keyboard.press("Enter");
    expect((await focused(page)).label).toBe("Confirm refund");
    await page.keyboard.press("Tab");
    expect(await focused(page)).toMatchObject({ tag: "button", label: "Back", visible: true });
    await page.keyboard.press("Enter");
    expect(await focused(page)).toMatchObject({ tag: "button", label: "Refund", visible: true });
    const after = await loaderData<{ payment: { amountRefunded: string } }>(page, `/payments/${target.id}`, "routes/_app.payments.$paymentId");
    expect(after.payment.amountRefunded).toBe("0");
  });
});
