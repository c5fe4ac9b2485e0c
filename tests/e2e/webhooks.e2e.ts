/**
 * A merchant's developer wires up webhooks in the console: the owner adds an endpoint
 * pointing at a receiver this test runs, takes a payment on the virtual terminal, and the
 * receiver gets the signed event, which verifies with the Node snippet copied out of
 * docs/webhooks.md. Then the receiver breaks: the endpoint's page shows the failed
 * attempts (code, response, next retry). Fixed again, "Replay since <time>" sends what it
 * missed, in sequence order.
 *
 * Its own server: the workers on (the shared one runs with SCHEDULER=0), and
 * WEBHOOKS_ALLOW_PRIVATE=1, which is how the backend allows a 127.0.0.1 receiver and plain
 * http (app/modules/webhooks/ssrf.ts); retries are 10 minutes apart, so only the replay
 * can bring the missed events within the test.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import vm from "node:vm";
import crypto from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, newWatchedPage, screenshot, signIn, waitForHydration, type WatchedPage } from "./browser";
import { startServer, type RunningServer } from "./server";
import { CARD_EXPIRY } from "../support/cards";

interface Received {
  at: number;
  /** Webhook-Id: the delivery (a replay makes new ones; a retry is the same delivery again). */
  deliveryId: string;
  status: number;
  signature: string;
  body: string;
  event: { id: string; sequence: number; type: string; data: { object: { id: string; status: string } } };
}

/** The merchant's receiver: records every request and answers 204, or 500 while broken. */
function receiver() {
  const got: Received[] = [];
  let broken = false;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const status = broken ? 500 : 204;
      got.push({ at: Date.now(), deliveryId: String(req.headers["webhook-id"] ?? ""), status, signature: String(req.headers["webhook-signature"] ?? ""), body, event: JSON.parse(body) });
      res.writeHead(status, { "Content-Type": "text/plain" });
      res.end(broken ? "receiver down: database connection refused" : undefined);
    });
  });
  return {
    got,
    setBroken(b: boolean) {
      broken = b;
    },
    async start(): Promise<string> {
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** The Node verification snippet exactly as docs/webhooks.md gives it. */
function documentedVerifier(): (secret: string, header: string, body: string) => boolean {
  const doc = fs.readFileSync(path.resolve(import.meta.dirname, "../../docs/webhooks.md"), "utf8");
  const snippet = /```js\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!snippet || !snippet.includes("function verifySignature")) throw new Error("docs/webhooks.md has no Node verifySignature snippet");
  const context = vm.createContext({ require: (m: string) => (m === "node:crypto" || m === "crypto" ? crypto : undefined), Buffer, Date, Math, Number });
  vm.runInContext(snippet, context);
  return context.verifySignature as (secret: string, header: string, body: string) => boolean;
}

async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const CARD = "6037990000000006";
const expiry = CARD_EXPIRY;

/** A payment on the virtual terminal (the card goes to the provider, only its token to the console). */
async function charge(page: Page, amount: string): Promise<string> {
  await page.goto("/terminal");
  await waitForHydration(page);
  const form = page.getByTestId("vt-form");
  await form.getByLabel("Amount (rial)").fill(amount);
  await form.getByLabel("Card number").fill(CARD);
  await form.getByLabel("Expiry (MM/YY)").fill(expiry);
  await form.getByLabel("CVV2").fill("123");
  await Promise.all([page.waitForURL(/\/terminal\?receipt=pay_/, { timeout: 60_000 }), form.getByRole("button", { name: "Charge the card" }).click()]);
  await page.getByTestId("receipt").waitFor();
  return new URL(page.url()).searchParams.get("receipt")!;
}

/** The merchant's wall clock (Demo Coffee Roasters is in Tehran): the day and the minute. */
function tehranWallClock(d: Date): { day: string; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tehran", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return { day: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

describe("webhooks in the console", () => {
  let server: RunningServer;
  let browser: Browser;
  const rx = receiver();
  const opened: WatchedPage[] = [];

  beforeAll(async () => {
    server = await startServer({
      seedPayments: 300,
      env: { SCHEDULER: "1", WEBHOOKS_ALLOW_PRIVATE: "1", WEBHOOK_RETRY_BASE_MS: "600000", WEBHOOK_DISPATCH_POLL_MS: "200" },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const w of opened) await w.context.close();
    await browser?.close();
    await server?.stop();
    await rx.stop();
  });

  it("a signed event reaches the receiver; a broken receiver shows failed attempts; replay since a time brings what it missed, in order", async () => {
    const verify = documentedVerifier();
    const url = await rx.start();
    const w = await newWatchedPage(browser, { baseURL: server.url, width: 1400, height: 900 });
    opened.push(w);
    const { page } = w;
    // The refused form below answers 400, which the browser reports on its console.
    w.allow(/status of 400/);
    w.allow(/Failed to fetch manifest patches/);
    await signIn(page, "owner@coffee.test");

    // The nav leads to the page; the form names the field it refuses.
    await page.getByRole("link", { name: "Webhooks" }).first().click();
    await page.waitForURL((u) => u.pathname === "/webhooks");
    await waitForHydration(page);
    await page.getByLabel("Endpoint URL").fill(url);
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await page.getByText("Choose at least one event type.").waitFor();
    await page.locator('input[name="events"][value="payment.*"]').check();
    await page.getByRole("button", { name: "Add endpoint" }).click();
    const secretBox = page.getByTestId("webhook-secret");
    await secretBox.waitFor();
    const secret = (await secretBox.innerText()).trim();
    expect(secret).toMatch(/^whsec_/);
    const row = page.locator("table tbody tr", { hasText: url });
    await row.getByText("Enabled").waitFor();
    await screenshot(page, "webhooks-created-en-1400");
    await row.getByRole("link").click();
    await page.waitForURL(/\/webhooks\/we_/);
    const endpointPath = new URL(page.url()).pathname;

    // A payment on the virtual terminal: its events arrive signed within seconds.
    const first = await charge(page, "125000");
    const succeeded = await until("payment.succeeded at the receiver", () => rx.got.find((g) => g.event.type === "payment.succeeded" && g.event.data.object.id === first));
    expect(succeeded.status).toBe(204);
    expect(succeeded.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verify(secret, succeeded.signature, succeeded.body)).toBe(true);
    expect(verify(secret, succeeded.signature, succeeded.body.replace("125000", "125001"))).toBe(false);
    expect(verify("whsec_wrong", succeeded.signature, succeeded.body)).toBe(false);
    for (const g of rx.got) expect(verify(secret, g.signature, g.body), g.event.type).toBe(true);

    // The receiver breaks; two more payments fail to arrive.
    await until("the first payment's events to settle", () => rx.got.filter((g) => g.event.data.object.id === first).length >= 2);
    const brokenSince = new Date();
    rx.setBroken(true);
    const missedPayments = [await charge(page, "67000"), await charge(page, "88000")];
    await until("the failed attempts", () => missedPayments.every((id) => rx.got.some((g) => g.status === 500 && g.event.type === "payment.succeeded" && g.event.data.object.id === id)));
    const missed = rx.got.filter((g) => g.status === 500);
    const missedIds = [...new Set(missed.map((g) => g.event.id))];

    await page.goto(endpointPath);
    await waitForHydration(page);
    await page.getByRole("link", { name: "Show only failing deliveries" }).click();
    await page.waitForURL(/show=unsuccessful/);
    await waitForHydration(page);
    const failing = page.locator("table tbody tr");
    expect(await failing.count()).toBe(missedIds.length);
    for (let i = 0; i < missedIds.length; i++) {
      const r = failing.nth(i);
      expect(await r.getByText("Retrying").count()).toBe(1);
      expect((await r.locator("td").nth(2).innerText()).trim()).toBe("500");
      expect(await r.innerText()).toMatch(/next try/);
      expect(await r.innerText()).toContain("receiver down: database connection refused");
    }
    await screenshot(page, "webhooks-failing-en-1400");

    // Fixed: replay since the moment it broke (the merchant's minute, Tehran time).
    rx.setBroken(false);
    const before = rx.got.length;
    // A failed delivery's own retry may come at any point after the fix (docs/webhooks.md: a
    // delivery waiting for its retry does not hold the next ones back); the replay's deliveries
    // are new ones, and those go out in sequence order.
    const earlier = new Set(rx.got.map((g) => g.deliveryId));
    const since = tehranWallClock(brokenSince);
    await page.getByLabel("Or since").fill(since.day);
    await page.getByLabel("At (time)").fill(since.time);
    await page.getByRole("button", { name: "Replay" }).click();
    await page.getByText(/event\(s\) queued for delivery, in order\./).waitFor();
    const replayed = await until("the replayed events", () => {
      const after = rx.got.slice(before).filter((g) => !earlier.has(g.deliveryId));
      return missedIds.every((id) => after.some((g) => g.event.id === id && g.status === 204)) && after;
    });
    // Every missed event, in sequence order, each signed; anything earlier in that minute may come again too.
    const sequences = replayed.map((g) => g.event.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(new Set(sequences).size).toBe(sequences.length);
    for (const g of replayed) expect(verify(secret, g.signature, g.body)).toBe(true);
    expect(replayed.filter((g) => missedIds.includes(g.event.id)).map((g) => g.event.id)).toEqual(
      [...missed].sort((a, b) => a.event.sequence - b.event.sequence).map((g) => g.event.id).filter((id, i, a) => a.indexOf(id) === i),
    );

    // The log shows the replayed deliveries delivered.
    await page.goto(endpointPath);
    await waitForHydration(page);
    await until("the log to show the replay", async () => {
      await page.reload();
      return (await page.locator("table tbody tr", { hasText: "replayed" }).filter({ hasText: "Delivered" }).count()) >= missedIds.length;
    });
    await screenshot(page, "webhooks-replayed-en-1400");
    expect(w.problems).toEqual([]);
  }, 300_000);
});
