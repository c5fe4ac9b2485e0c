import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { translate } from "~/lib/i18n/translate";
import { screenshot, signIn, waitForHydration } from "./browser";
import { useBrowser } from "./harness";
import { CARD_EXPIRY } from "../support/cards";

/**
 * The cardholder's journey, as an Instagram shop and its customer live it: the owner makes
 * a single-use link in the console; a customer opens it on a phone (Persian, right to
 * left), types a Shetab test card, asks the bank for the dynamic PIN on the provider's
 * page, pays, reads the receipt and goes back to the shop; the owner sees the payment with
 * its link; a second customer on the same link is refused in plain words.
 */
const { open, baseURL } = useBrowser();

const latin = (s: string) => s.replace(/[\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) - 0x06f0));
const expiry = CARD_EXPIRY;

/** The shop's own site: records where the customer came back to. */
function shopSite(): Promise<{ url: string; visits: URL[]; close: () => Promise<void> }> {
  const visits: URL[] = [];
  const server = http.createServer((req, res) => {
    visits.push(new URL(req.url ?? "/", "http://shop"));
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end("<!doctype html><html lang=en><head><title>Shop</title><link rel=icon href=data:,></head><body><h1>Thanks for your order</h1></body></html>");
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, visits, close: () => new Promise((r) => server.close(() => r())) }),
    ),
  );
}

describe("payment link checkout (Chromium)", () => {
  it("owner makes a link; a customer pays it with a Shetab card through the dynamic PIN, gets the receipt and goes back to the shop; a second payment is refused", async () => {
    const shop = await shopSite();
    try {
      // The owner creates a single-use link for 1,250,000 rial with a way back to the shop.
      const owner = await open({ width: 1400, height: 900 });
      // Leaving the Overview for the links page can cut Remix's route discovery short: no person sees that.
      owner.allow(/Failed to fetch manifest patches/);
      await signIn(owner.page, "owner@coffee.test");
      await owner.page.goto("/links");
      await waitForHydration(owner.page);
      await owner.page.locator("#link-description").fill("Two bags of beans");
      await owner.page.locator("#link-amount").fill("1,250,000");
      await owner.page.locator("input[name=reusable][value=no]").check();
      await owner.page.locator("#link-redirect").fill(`${shop.url}/thanks`);
      await Promise.all([owner.page.waitForURL(/\/links\/pl_[A-Za-z0-9]+\?created=1$/), owner.page.getByRole("button", { name: "Create link" }).click()]);
      const linkId = /\/links\/(pl_[A-Za-z0-9]+)/.exec(owner.page.url())![1]!;

      // A second customer opens the link first and reaches the card step, but pays later.
      const late = await open({ width: 390, height: 844 });
      await late.page.goto(`/pay/${linkId}`);
      await waitForHydration(late.page);
      await Promise.all([late.page.waitForURL(/\/pay\/pl_[^/]+\/chk_/), late.page.locator(".pay-form button[type=submit]").click()]);
      await waitForHydration(late.page);

      // The customer, on a phone: Persian, right to left, the amount with its toman.
      const customer = await open({ width: 390, height: 844 });
      await customer.page.goto(`/pay/${linkId}`);
      await waitForHydration(customer.page);
      expect(await customer.page.locator("html").getAttribute("dir")).toBe("rtl");
      expect(await customer.page.locator("html").getAttribute("lang")).toMatch(/^fa/);
      await expect.poll(() => customer.page.locator(".pay-card").innerText()).toMatch(/۱۲۵٬۰۰۰/);
      await Promise.all([customer.page.waitForURL(/\/pay\/pl_[^/]+\/chk_/), customer.page.locator(".pay-form button[type=submit]").click()]);
      await waitForHydration(customer.page);
      await customer.page.locator("#card-number").fill("6037990000000006");
      await customer.page.locator("#card-exp").fill(expiry);
      await customer.page.locator("#card-cvc").fill("741");
      // The card step fits the phone: nothing wider than the screen.
      expect(await customer.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(customer.page, "checkout-card-fa-390");
      // The card goes to the provider's tokenization endpoint; the console's page gets only a token.
      const toConsole: string[] = [];
      customer.page.on("request", (r) => {
        if (r.method() === "POST" && !new URL(r.url()).pathname.startsWith("/sandbox/")) toConsole.push(r.postData() ?? "");
      });
      await Promise.all([customer.page.waitForURL(/\/sandbox\/v1\/authentication\/auth_/), customer.page.locator(".pay-submit").click()]);
      expect(toConsole.join("\n")).not.toContain("6037990000000006");
      expect(toConsole.join("\n")).toMatch(/token=tok_/);

      // The provider's page: request the dynamic PIN, read it from the (sandbox) SMS, confirm.
      await waitForHydration(customer.page);
      expect(customer.page.url()).toContain("tz=Asia%2FTehran");
      await customer.page.locator("form:has(input[name=intent][value=request_code]) button").click();
      const sms = customer.page.getByTestId("sandbox-code");
      await sms.waitFor();
      const code = /[0-9]{5,8}/.exec(latin(await sms.innerText()))![0];
      await screenshot(customer.page, "checkout-pin-fa-390");
      await customer.page.locator("#auth-code").fill(code);
      await Promise.all([customer.page.waitForURL(/\/pay\/pl_[^/]+\/chk_[^/?]+$/), customer.page.locator("form:has(input[name=intent][value=submit]) button").click()]);

      // The receipt, in Persian: paid, the masked card, the trace number.
      const receipt = customer.page.getByTestId("receipt");
      await receipt.waitFor();
      await waitForHydration(customer.page);
      expect(await receipt.locator("h2").innerText()).toBe(translate("fa", "pay.result.paid"));
      expect(latin(await receipt.innerText())).toContain("603799******0006");
      const trace = latin(await customer.page.getByTestId("trace").innerText());
      expect(trace).toMatch(/^[0-9]{6}$/);
      await screenshot(customer.page, "checkout-receipt-fa-390");

      // Back to the shop, with the payment and a signature to check.
      await Promise.all([customer.page.waitForURL((u) => u.toString().startsWith(shop.url)), customer.page.getByTestId("back-to-merchant").click()]);
      const back = shop.visits.at(-1)!;
      expect(back.pathname).toBe("/thanks");
      const paymentId = back.searchParams.get("payment_id")!;
      expect(paymentId).toMatch(/^pay_/);
      expect(back.searchParams.get("status")).toBe("captured");
      expect(back.searchParams.get("link_id")).toBe(linkId);
      expect(back.searchParams.get("signature")).toMatch(/^[0-9a-f]{64}$/);

      // The owner sees the payment, with its link, in the console.
      await owner.page.goto(`/payments/${paymentId}`);
      await waitForHydration(owner.page);
      expect(await owner.page.getByTestId("payment-link").innerText()).toContain(linkId);
      expect(await owner.page.getByTestId("payment-amount").innerText()).toMatch(/1,250,000/);

      // The customer who opened the link earlier pays now: refused in plain words, nothing taken.
      late.allow(/status of 410/);
      await late.page.locator("#card-number").fill("6037990000000006");
      await late.page.locator("#card-exp").fill(expiry);
      await late.page.locator("#card-cvc").fill("741");
      await late.page.locator(".pay-submit").click();
      const refusal = late.page.locator(".pay-card [role=alert], .pay-closed");
      await refusal.first().waitFor();
      // Either the refusal of the payment or, once the page has reloaded its data, why the link is closed.
      const said = await refusal.first().innerText();
      expect([translate("fa", "pay.closed.generic"), translate("fa", "pay.closed.used.body", { merchant: "Demo Coffee Roasters" })].some((m) => said.includes(m)), said).toBe(true);
      await screenshot(late.page, "checkout-refused-fa-390");
      // Opening the link again says it has been used.
      const again = await late.page.goto(`/pay/${linkId}`);
      expect(again?.status()).toBe(410);
      expect(await late.page.getByTestId("link-closed").innerText()).toContain(translate("fa", "pay.closed.used.title"));

      // Still one payment through the link.
      await owner.page.goto(`/links/${linkId}`);
      await waitForHydration(owner.page);
      expect(await owner.page.locator(`a[href^="/payments/pay_"]`).count()).toBe(1);
    } finally {
      await shop.close();
    }
  });

  it("the virtual terminal sends the card to the provider and only the token to the console", async () => {
    const w = await open({ width: 1400, height: 900 });
    w.allow(/Failed to fetch manifest patches/);
    await signIn(w.page, "support@coffee.test");
    await w.page.goto("/terminal");
    await waitForHydration(w.page);
    const toConsole: string[] = [];
    const toProvider: string[] = [];
    w.page.on("request", (r) => {
      if (r.method() !== "POST") return;
      (new URL(r.url()).pathname.startsWith("/sandbox/") ? toProvider : toConsole).push(r.postData() ?? "");
    });
    const form = w.page.getByTestId("vt-form");
    await form.getByLabel("Amount (rial)").fill("90,000");
    await form.getByLabel("Card number").fill("6037990000000006");
    await form.getByLabel("Expiry (MM/YY)").fill(expiry);
    await form.getByLabel("CVV2").fill("123");
    await Promise.all([w.page.waitForURL(/\/terminal\?receipt=pay_/), form.getByRole("button", { name: "Charge the card" }).click()]);
    await w.page.getByTestId("receipt").waitFor();
    expect(await w.page.getByTestId("receipt").innerText()).toMatch(/603799\*+0006/);
    expect(toProvider.join("\n")).toContain("6037990000000006");
    expect(toConsole.join("\n")).not.toContain("6037990000000006");
    expect(toConsole.join("\n")).not.toMatch(/cvc|123&|=123$/);
    expect(toConsole.join("\n")).toMatch(/token=tok_/);
  });

  it("a reusable link takes a second payment; an expired link takes none", async () => {
    const api = async (body: Record<string, unknown>) => {
      const res = await fetch(`${baseURL}/api/v1/payment_links`, {
        method: "POST",
        headers: { authorization: "Bearer sk_test_coffee_web_0001", "content-type": "application/json", "idempotency-key": `e2e-${Date.now()}-${Math.random()}` },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(201);
      return (await res.json()) as { id: string; url: string };
    };
    const reusable = await api({ amount: 500000, description: "Gift card", reusable: true });
    const expiring = await api({ amount: 500000, description: "Flash sale", reusable: true, expires_at: new Date(Date.now() + 4000).toISOString() });

    /** One customer (own browser) pays the link in English at 1400 px; returns the receipt's trace number. */
    const payOnce = async (linkId: string) => {
      const w = await open({ width: 1400, height: 900 });
      await w.page.goto(`/pay/${linkId}?lang=en`);
      await waitForHydration(w.page);
      await Promise.all([w.page.waitForURL(/\/pay\/pl_[^/]+\/chk_/), w.page.getByRole("button", { name: "Continue" }).click()]);
      await waitForHydration(w.page);
      await w.page.getByLabel("Card number").fill("6104330000000003");
      await w.page.getByLabel(/Expiry/).fill(expiry);
      await w.page.getByLabel("CVV2").fill("741");
      await Promise.all([w.page.waitForURL(/\/sandbox\/v1\/authentication\//), w.page.getByRole("button", { name: "Pay", exact: true }).click()]);
      await waitForHydration(w.page);
      await w.page.getByRole("button", { name: "Request dynamic PIN" }).click();
      const code = /[0-9]{5,8}/.exec(await w.page.getByTestId("sandbox-code").innerText())![0];
      await w.page.getByLabel("Dynamic PIN").fill(code);
      await Promise.all([w.page.waitForURL(/\/pay\/pl_[^/]+\/chk_[^/?]+$/), w.page.getByRole("button", { name: "Confirm payment" }).click()]);
      await w.page.getByTestId("receipt").waitFor();
      expect(await w.page.getByTestId("receipt").locator("h2").innerText()).toBe("Payment successful");
      return w.page.getByTestId("trace").innerText();
    };
    const first = await payOnce(reusable.id);
    const second = await payOnce(reusable.id);
    expect(first).not.toBe(second);

    // The flash sale is over: the page says so, with a 410, and offers no form.
    await new Promise((r) => setTimeout(r, Math.max(0, 4500)));
    const late = await open({ width: 390, height: 844 });
    late.allow(/status of 410/);
    const res = await late.page.goto(`/pay/${expiring.id}?lang=en`);
    expect(res?.status()).toBe(410);
    expect(await late.page.getByTestId("link-closed").innerText()).toContain("expired");
    expect(await late.page.locator("form.pay-form").count()).toBe(0);

    // The owner's list: two paid through the reusable link, none through the expired one.
    const owner = await open({ width: 1400, height: 900 });
    owner.allow(/Failed to fetch manifest patches/);
    await signIn(owner.page, "owner@coffee.test");
    await owner.page.goto(`/links/${reusable.id}`);
    await waitForHydration(owner.page);
    expect(await owner.page.locator(`a[href^="/payments/pay_"]`).count()).toBe(2);
    await owner.page.goto(`/links/${expiring.id}`);
    await waitForHydration(owner.page);
    expect(await owner.page.locator(`a[href^="/payments/pay_"]`).count()).toBe(0);
  });

  it("without JavaScript the hosted page still pays: the card form posts to the provider, which sends back only a token", async () => {
    const res = await fetch(`${baseURL}/api/v1/payment_links`, {
      method: "POST",
      headers: { authorization: "Bearer sk_test_coffee_web_0001", "content-type": "application/json", "idempotency-key": `e2e-nojs-${Date.now()}` },
      body: JSON.stringify({ amount: 300000, description: "Bookmark", reusable: true }),
    });
    const link = (await res.json()) as { id: string };
    const w = await open({ width: 390, height: 844, javaScript: false });
    const consolePosts: string[] = [];
    w.page.on("request", (r) => {
      if (r.method() === "POST" && !new URL(r.url()).pathname.startsWith("/sandbox/")) consolePosts.push(r.postData() ?? "");
    });
    await w.page.goto(`/pay/${link.id}?lang=en`);
    await Promise.all([w.page.waitForURL(/\/pay\/pl_[^/]+\/chk_/), w.page.getByRole("button", { name: "Continue" }).click()]);
    await w.page.getByLabel("Card number").fill("6037 9900 0000 0006");
    await w.page.getByLabel(/Expiry/).fill(expiry);
    await w.page.getByLabel("CVV2").fill("741");
    // The form goes to the provider; the provider sends the browser back with a token, and the console moves on to the PIN.
    await Promise.all([w.page.waitForURL(/\/sandbox\/v1\/authentication\//), w.page.getByRole("button", { name: "Pay", exact: true }).click()]);
    await w.page.getByRole("button", { name: "Request dynamic PIN" }).click();
    const code = /[0-9]{5,8}/.exec(await w.page.getByTestId("sandbox-code").innerText())![0];
    await w.page.getByLabel("Dynamic PIN").fill(code);
    await Promise.all([w.page.waitForURL(/\/pay\/pl_[^/]+\/chk_[^/?]+$/), w.page.getByRole("button", { name: "Confirm payment" }).click()]);
    expect(await w.page.getByTestId("receipt").locator("h2").innerText()).toBe("Payment successful");
    expect(consolePosts.join("\n")).not.toContain("6037");
  });
});
