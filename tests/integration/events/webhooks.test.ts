import http from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as s from "~db/schema";
import { db } from "~db/client.server";
import { verifySignature } from "~/modules/webhooks/signing";
import { createEndpoint } from "~/modules/webhooks/endpoints.server";
import { deliverOnce, sendTestEvent } from "~/modules/webhooks/delivery.server";
import { startWorker, type WorkerHandle } from "~/server/worker";
import { useTestDatabase } from "../../support/db";
import { api } from "../payments/api-client";
import { fastSandbox, makeMerchant } from "../payments/fixtures";
import { until as poll } from "../../support/wait";
import { CARD_EXP_YEAR } from "../../support/cards";

const t = useTestDatabase({ seed: "none" });

interface Received {
  at: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: { id: string; type: string; sequence: number; data: { object: { id: string; status: string } } };
}

/** A merchant's receiver: records what arrives; `answer` decides the status code. */
function receiver() {
  const got: Received[] = [];
  let answer: (n: number, json: Received["json"]) => number = () => 200;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const json = JSON.parse(body);
      got.push({ at: Date.now(), headers: req.headers, body, json });
      const status = answer(got.filter((g) => g.json.id === json.id).length, json);
      res.writeHead(status, { "Content-Type": "text/plain" });
      res.end(status >= 300 ? `broken ${"x".repeat(3000)}` : "ok");
    });
  });
  return {
    got,
    setAnswer(f: (n: number, json: Received["json"]) => number) {
      answer = f;
    },
    async start(): Promise<string> {
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Polls every 25 ms. */
const until = (check: () => boolean | Promise<boolean>, ms: number) => poll(check, ms, 25);

const card = { number: "4242424242424242", exp_month: 12, exp_year: CARD_EXP_YEAR, cvc: "123" };
let worker: WorkerHandle;
const env = { ...process.env };

beforeAll(async () => {
  fastSandbox();
  process.env.WEBHOOKS_ALLOW_PRIVATE = "1";
  process.env.WEBHOOK_RETRY_BASE_MS = "100";
  worker = await startWorker({ handle: t.handle, crontab: false, pollInterval: 100, dispatchPollMs: 100, log: () => {} });
});
afterAll(async () => {
  await worker?.stop();
  process.env = env;
});

describe("webhooks", () => {
  it("a local receiver gets the signed event within 2 s of the payment; the documented snippet verifies it", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const rx = receiver();
    const url = await rx.start();
    try {
      const created = await api("POST", "/webhook_endpoints", { key: m.apiKey, body: { url, events: ["payment.succeeded", "refund.*"] } });
      expect(created.status).toBe(201);
      expect(created.json.secret).toMatch(/^whsec_/);
      const secret: string = created.json.secret;
      const listed = await api("GET", `/webhook_endpoints/${created.json.id}`, { key: m.apiKey });
      expect(listed.json.secret).toBeUndefined(); // shown once

      const t0 = Date.now();
      const pay = await api("POST", "/payments", { key: m.apiKey, body: { amount: "2500", currency: "USD", card } });
      expect(pay.status).toBe(201);
      expect(await until(() => rx.got.length >= 1, 2000)).toBe(true);
      const first = rx.got[0]!;
      expect(first.at - t0).toBeLessThan(2000);
      expect(first.json.type).toBe("payment.succeeded");
      expect(first.json.data.object.id).toBe(pay.json.id);
      expect(verifySignature(secret, String(first.headers["webhook-signature"]), first.body)).toBe(true);
      expect(verifySignature(secret, String(first.headers["webhook-signature"]), first.body.replace("2500", "2501"))).toBe(false);
      expect(verifySignature("whsec_wrong", String(first.headers["webhook-signature"]), first.body)).toBe(false);
      // Old signature: outside the 5-minute tolerance.
      expect(verifySignature(secret, String(first.headers["webhook-signature"]), first.body, Math.floor(Date.now() / 1000) + 301)).toBe(false);
      // payment.created was not subscribed to: it never came.
      expect(rx.got.map((g) => g.json.type)).toEqual(["payment.succeeded"]);
      // The same event by the events API.
      const ev = await api("GET", `/events/${first.json.id}`, { key: m.apiKey });
      expect(ev.status).toBe(200);
      expect(ev.json.type).toBe("payment.succeeded");
    } finally {
      await rx.stop();
    }
  });

  it("a receiver answering 500 three times gets the fourth try; every attempt is logged", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const rx = receiver();
    // The n-th try of one event: 500, 500, 500, then 204.
    rx.setAnswer((n) => (n <= 3 ? 500 : 204));
    const url = await rx.start();
    try {
      const created = await api("POST", "/webhook_endpoints", { key: m.apiKey, body: { url, events: ["*"] } });
      const pay = await api("POST", "/payments", { key: m.apiKey, body: { amount: "1200", currency: "USD", card, capture: false } });
      expect(pay.json.status).toBe("authorized");
      // payment.created and payment.authorized, each failing three times before the fourth try.
      expect(await until(() => rx.got.length >= 8, 10_000)).toBe(true);
      const deliveries = await db()
        .select()
        .from(s.webhookDeliveries)
        .where(and(eq(s.webhookDeliveries.merchantId, m.merchantId), eq(s.webhookDeliveries.endpointId, created.json.id)));
      expect(await until(async () => (await db().select().from(s.webhookDeliveries).where(eq(s.webhookDeliveries.merchantId, m.merchantId))).every((d) => d.status === "succeeded"), 5000)).toBe(true);
      const createdDelivery = deliveries.find((d) => d.eventType === "payment.created")!;
      const attempts = await db()
        .select()
        .from(s.webhookAttempts)
        .where(and(eq(s.webhookAttempts.merchantId, m.merchantId), eq(s.webhookAttempts.deliveryId, createdDelivery.id)));
      expect(attempts.map((a) => a.responseStatus).sort()).toEqual([204, 500, 500, 500]);
      expect(attempts.find((a) => a.responseStatus === 500)!.responseBody!.length).toBe(2048);
      const firstTries = rx.got.filter((g) => g.json.type === "payment.created");
      expect(firstTries).toHaveLength(4);
      // Exponential backoff: the n-th wait is at least 100 ms * 2^(n-1) less the 25 % jitter.
      const gaps = firstTries.slice(1).map((g, i) => g.at - firstTries[i]!.at);
      gaps.forEach((gap, i) => expect(gap, `wait ${i + 1}`).toBeGreaterThanOrEqual(0.75 * 100 * 2 ** i - 5));
    } finally {
      await rx.stop();
    }
  });

  it("replay since a sequence number delivers the missed events in sequence order", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const rx = receiver();
    const url = await rx.start();
    try {
      const created = await api("POST", "/webhook_endpoints", { key: m.apiKey, body: { url, events: ["payment.*"] } });
      // The receiver is down (answers 503) while four payments happen; then it is back.
      await api("POST", `/webhook_endpoints/${created.json.id}`, { key: m.apiKey, body: { enabled: false } });
      for (let i = 0; i < 4; i++) await api("POST", "/payments", { key: m.apiKey, body: { amount: String(1000 + i), currency: "USD", card } });
      await api("POST", `/webhook_endpoints/${created.json.id}`, { key: m.apiKey, body: { enabled: true } });
      expect(await until(() => rx.got.length >= 8, 5000)).toBe(true);
      const seen = rx.got.length;
      const replay = await api("POST", `/webhook_endpoints/${created.json.id}/replay`, { key: m.apiKey, body: { after: 2 } });
      expect(replay.status).toBe(202);
      expect(replay.json.deliveries).toBe(6);
      expect(await until(() => rx.got.length >= seen + 6, 5000)).toBe(true);
      const replayed = rx.got.slice(seen).map((g) => g.json.sequence);
      expect(replayed).toEqual([3, 4, 5, 6, 7, 8]);
      const bad = await api("POST", `/webhook_endpoints/${created.json.id}/replay`, { key: m.apiKey, body: { after: "yesterday" } });
      expect(bad.status).toBe(400);
      expect(bad.json.error.code).toBe("after_invalid");
    } finally {
      await rx.stop();
    }
  });

  it("a replay takes over the event's waiting retries: after it succeeds, the old retry never sends it again", async () => {
    process.env.WEBHOOK_RETRY_BASE_MS = "2000";
    const m = await makeMerchant({ currency: "USD" });
    const rx = receiver();
    let up = false;
    rx.setAnswer(() => (up ? 204 : 500));
    const url = await rx.start();
    try {
      const created = await api("POST", "/webhook_endpoints", { key: m.apiKey, body: { url, events: ["payment.succeeded"] } });
      await api("POST", "/payments", { key: m.apiKey, body: { amount: "1500", currency: "USD", card } });
      // The first try fails; its retry waits about 2 s.
      expect(await until(() => rx.got.length >= 1, 3000)).toBe(true);
      const [old] = await db().select().from(s.webhookDeliveries).where(eq(s.webhookDeliveries.merchantId, m.merchantId));
      expect(await until(async () => (await db().select().from(s.webhookDeliveries).where(eq(s.webhookDeliveries.id, old!.id)))[0]!.status === "retrying", 2000)).toBe(true);
      const event = rx.got[0]!.json;
      // The receiver is fixed; the developer replays from just before the event.
      up = true;
      const replay = await api("POST", `/webhook_endpoints/${created.json.id}/replay`, { key: m.apiKey, body: { after: event.sequence - 1 } });
      expect(replay.status).toBe(202);
      expect(await until(() => rx.got.length >= 2, 3000)).toBe(true);
      // Well past the old retry's time: nothing more arrives.
      await new Promise((r) => setTimeout(r, 3500));
      expect(rx.got.filter((g) => g.json.id === event.id)).toHaveLength(2);
      const after = await db().select().from(s.webhookDeliveries).where(eq(s.webhookDeliveries.merchantId, m.merchantId));
      expect(after.map((d) => [d.reason, d.status, d.attempts]).sort()).toEqual([
        ["event", "superseded", 1],
        ["replay", "succeeded", 1],
      ]);
    } finally {
      process.env.WEBHOOK_RETRY_BASE_MS = "100";
      await rx.stop();
    }
  });

  it("production mode refuses private, loopback, link-local and metadata addresses, at save and at connect time", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const rx = receiver();
    const url = await rx.start();
    const saved = await createEndpoint(m.scope, { url, events: ["*"] }, { kind: "system" });
    expect(saved.ok).toBe(true);
    delete process.env.WEBHOOKS_ALLOW_PRIVATE;
    try {
      for (const u of ["https://127.0.0.1/h", "https://localhost/h", "https://10.1.2.3/h", "https://192.168.1.10/h", "https://169.254.169.254/latest/meta-data", "https://[::1]/h", "https://[fd00::1]/h", "https://[::ffff:127.0.0.1]/h"]) {
        const r = await api("POST", "/webhook_endpoints", { key: m.apiKey, body: { url: u, events: ["*"] } });
        expect(r.status, u).toBe(400);
        expect(r.json.error.code, u).toBe("url_forbidden");
        expect(r.json.error.param).toBe("url");
      }
      const plain = await api("POST", "/webhook_endpoints", { key: m.apiKey, body: { url: "http://example.com/h", events: ["*"] } });
      expect(plain.json.error.code).toBe("url_not_https");
      // Saved earlier (say, the name pointed elsewhere then): the connection itself is refused.
      if (!saved.ok) throw new Error("unreachable");
      const test = await sendTestEvent(m.scope, saved.endpoint.id, { kind: "system" });
      if (!test.ok) throw new Error("test event refused");
      // The worker tries it (a direct call here would race it: a delivery is claimed by one try at a time).
      expect(await deliverOnce(m.merchantId, "whd_missing")).toBeUndefined();
      let d: typeof s.webhookDeliveries.$inferSelect | undefined;
      expect(
        await until(async () => {
          [d] = await db().select().from(s.webhookDeliveries).where(and(eq(s.webhookDeliveries.merchantId, m.merchantId), eq(s.webhookDeliveries.id, test.delivery.id)));
          return d!.status !== "pending";
        }, 5000),
      ).toBe(true);
      expect(d!.status).toBe("retrying");
      expect(d!.error).toMatch(/refused/);
      expect(rx.got).toHaveLength(0);
    } finally {
      process.env.WEBHOOKS_ALLOW_PRIVATE = "1";
      await rx.stop();
    }
  });
});
