import { eq } from "drizzle-orm";
import { noticeRealServerOnly, useTestDatabase } from "../../support/db";
import { db } from "../../../db/client.server";
import * as s from "../../../db/schema";
import { TEST_CARDS } from "~/modules/processors/test-cards";
import { api } from "./api-client";
import { pruneIdempotencyKeys } from "~/modules/idempotency/idempotency.server";
import { configureProcessor } from "~/modules/processors/sandbox-processor.server";
import { CARD, expectLedgerTiesOut, fastSandbox, makeMerchant, type TestMerchant } from "./fixtures";
import { CARD_EXP_YEAR } from "../../support/cards";

const t = useTestDatabase({ seed: "none" });
beforeAll(() => fastSandbox());

const year = CARD_EXP_YEAR;
const cardBody = (number: string = CARD.approve) => ({ number, exp_month: 12, exp_year: year, cvc: number.startsWith("37") ? "1234" : "123" });

async function paymentCount(m: TestMerchant): Promise<number> {
  return (await db().select().from(s.payments).where(eq(s.payments.merchantId, m.merchantId))).length;
}

describe("POST /api/v1/payments", () => {
  it("charges a card and answers with the payment, money as strings", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const r = await api("POST", "/payments", {
      key: m.apiKey,
      body: { amount: 1_250_000, currency: "IRR", card: cardBody(CARD.approveIr), description: "Latte", customer_reference: "order-7" },
    });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({
      object: "payment",
      status: "captured",
      amount: "1250000",
      currency: "IRR",
      amount_refundable: "1250000",
      fee: "5000",
      description: "Latte",
      customer_reference: "order-7",
      card: { brand: "shetab", funding: "debit", last4: "0006", bin: "603799", masked_number: "603799******0006", issuer_bank: "017" },
    });
    expect(JSON.stringify(r.json)).not.toContain(CARD.approveIr);
    await expectLedgerTiesOut(m);
  });

  it("accepts the amount as a decimal string and authorize-only with capture: false", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const r = await api("POST", "/payments", { key: m.apiKey, body: { amount: "1050", currency: "usd", card: cardBody(), capture: false } });
    expect(r.status).toBe(201);
    expect(r.json.status).toBe("authorized");
    const c = await api("POST", `/payments/${r.json.id}/capture`, { key: m.apiKey });
    expect(c.status).toBe(200);
    expect(c.json.status).toBe("captured");
    const again = await api("POST", `/payments/${r.json.id}/capture`, { key: m.apiKey, body: {} });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe("payment_already_captured");
    await expectLedgerTiesOut(m);
  });

  it("gives every sandbox test card its documented outcome", async () => {
    const m = await makeMerchant({ currency: "USD" });
    for (const tc of TEST_CARDS) {
      const r = await api("POST", "/payments", { key: m.apiKey, body: { amount: 2000, currency: "USD", card: cardBody(tc.number) } });
      const b = tc.behaviour;
      if (b.kind === "decline") {
        expect(r.status, tc.number).toBe(402);
        expect(r.json.error).toMatchObject({ type: "card_error", code: "card_declined", decline_code: b.code, param: "card" });
        expect(r.json.payment.status).toBe("declined");
        expect(r.json.error.message.length).toBeGreaterThan(10);
      } else if (b.kind === "processing_error") {
        expect(r.status, tc.number).toBe(402);
        expect(r.json.error.code).toBe("processing_error");
        expect(r.json.payment.status).toBe("failed");
      } else if (b.kind === "timeout_approved" || b.kind === "timeout_lost") {
        expect(r.status, tc.number).toBe(202);
        expect(r.json.status).toBe("pending");
      } else {
        expect(r.status, tc.number).toBe(201);
        expect(r.json.status).toBe("captured");
      }
    }
    await expectLedgerTiesOut(m);
  });

  it("refuses bad input with a 4xx naming the field, and changes nothing", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const ok = { amount: 100_000, currency: "IRR", card: cardBody() };
    const cases: { body?: unknown; rawBody?: string; headers?: Record<string, string>; status: number; param: string | null; code?: string }[] = [
      { body: { ...ok, amount: 0 }, status: 400, param: "amount" },
      { body: { ...ok, amount: -100 }, status: 400, param: "amount" },
      { body: { ...ok, amount: "-100" }, status: 400, param: "amount" },
      { body: { ...ok, amount: 10.5 }, status: 400, param: "amount" },
      { body: { ...ok, amount: "10.50" }, status: 400, param: "amount" },
      { body: { ...ok, amount: 1e21 }, status: 400, param: "amount" },
      { body: { ...ok, amount: "9".repeat(40) }, status: 400, param: "amount" },
      { body: { ...ok, amount: "1e5" }, status: 400, param: "amount" },
      { body: { ...ok, amount: "abc" }, status: 400, param: "amount" },
      { body: { ...ok, amount: true }, status: 400, param: "amount" },
      { body: { ...ok, amount: null }, status: 400, param: "amount" },
      { body: { ...ok, amount: [5] }, status: 400, param: "amount" },
      { body: { currency: "IRR", card: cardBody() }, status: 400, param: "amount" },
      { body: { ...ok, currency: "USD" }, status: 400, param: "currency", code: "currency_mismatch" },
      { body: { ...ok, currency: "XX" }, status: 400, param: "currency" },
      { body: { amount: 100 }, status: 400, param: "currency" },
      { body: { ...ok, card: undefined }, status: 400, param: "card" },
      { body: { ...ok, card: { ...cardBody(), number: "4242424242424241" } }, status: 400, param: "card[number]" },
      { body: { ...ok, card: { ...cardBody(), number: "4242 4242 abcd 4242" } }, status: 400, param: "card[number]" },
      { body: { ...ok, card: { ...cardBody(), exp_year: 2020 } }, status: 400, param: "card[exp_year]" },
      { body: { ...ok, card: { ...cardBody(), exp_month: 13 } }, status: 400, param: "card[exp_month]" },
      { body: { ...ok, card: { ...cardBody(), cvc: "12" } }, status: 400, param: "card[cvc]" },
      { body: { ...ok, card: { number: CARD.approve } }, status: 400, param: "card[exp_month]" },
      { body: { ...ok, card: { ...cardBody(), pin: "1234" } }, status: 400, param: "card[pin]" },
      { body: { ...ok, status: "captured" }, status: 400, param: "status", code: "parameter_unknown" },
      { body: { ...ok, capture: "no" }, status: 400, param: "capture" },
      { body: { ...ok, description: "x".repeat(501) }, status: 400, param: "description" },
      { body: { ...ok, token: "tok_x" }, status: 400, param: "token" },
      { body: { amount: 100, currency: "IRR", token: "tok_doesnotexist" }, status: 400, param: "token" },
      { body: [ok], status: 400, param: "body" },
      { body: "hello", status: 400, param: "body" },
      { rawBody: '{"amount": 100, "currency": "IRR",', status: 400, param: "body", code: "json_invalid" },
      { rawBody: "", status: 400, param: "body" },
      { rawBody: JSON.stringify({ ...ok, description: "x".repeat(20_000) }), status: 413, param: "body", code: "body_too_large" },
      { rawBody: "amount=100&currency=IRR", headers: { "Content-Type": "application/x-www-form-urlencoded" }, status: 415, param: "Content-Type" },
    ];
    for (const c of cases) {
      const r = await api("POST", "/payments", { key: m.apiKey, body: c.body, rawBody: c.rawBody, headers: c.headers });
      const label = JSON.stringify(c.body ?? c.rawBody).slice(0, 120);
      expect(r.status, label).toBe(c.status);
      expect(typeof r.json.error.message, label).toBe("string");
      expect(r.json.error.message.length, label).toBeGreaterThan(10);
      expect(r.json.error.param, label).toBe(c.param);
      if (c.code) expect(r.json.error.code, label).toBe(c.code);
    }
    expect(await paymentCount(m)).toBe(0);
  });
});

describe("Idempotency-Key", () => {
  it("replays the first response for the same key and refuses the key with other parameters", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const body = { amount: 500, currency: "USD", card: cardBody() };
    const a = await api("POST", "/payments", { key: m.apiKey, body, idempotencyKey: "order-1" });
    const b = await api("POST", "/payments", { key: m.apiKey, body, idempotencyKey: "order-1" });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.json).toEqual(a.json);
    expect(b.headers.get("Idempotent-Replayed")).toBe("true");
    const c = await api("POST", "/payments", { key: m.apiKey, body: { ...body, amount: 501 }, idempotencyKey: "order-1" });
    expect(c.status).toBe(422);
    expect(c.json.error.code).toBe("idempotency_key_reused");
    // The same key on another endpoint is refused too.
    const d = await api("POST", `/payments/${a.json.id}/refunds`, { key: m.apiKey, body: {}, idempotencyKey: "order-1" });
    expect(d.status).toBe(422);
    expect(await paymentCount(m)).toBe(1);
    await expectLedgerTiesOut(m);
  });

  it("replays a decline as the same decline, and does not store a validation error", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const declined = { amount: 500, currency: "USD", card: cardBody(CARD.insufficient) };
    const a = await api("POST", "/payments", { key: m.apiKey, body: declined, idempotencyKey: "d-1" });
    const b = await api("POST", "/payments", { key: m.apiKey, body: declined, idempotencyKey: "d-1" });
    expect(a.status).toBe(402);
    expect(b.status).toBe(402);
    expect(b.json).toEqual(a.json);

    const bad = await api("POST", "/payments", { key: m.apiKey, body: { amount: 0, currency: "USD", card: cardBody() }, idempotencyKey: "v-1" });
    expect(bad.status).toBe(400);
    const fixed = await api("POST", "/payments", { key: m.apiKey, body: { amount: 10, currency: "USD", card: cardBody() }, idempotencyKey: "v-1" });
    expect(fixed.status).toBe(201);
    expect(await paymentCount(m)).toBe(2);
  });

  it("claims no key for a request refused by its API key or its currency (the key's lookup and the claim are one statement)", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const body = { amount: 900, currency: "USD", card: cardBody() };
    const keys = () => db().select().from(s.idempotencyKeys).where(eq(s.idempotencyKeys.merchantId, m.merchantId));
    const wrongCurrency = await api("POST", "/payments", { key: m.apiKey, body: { ...body, currency: "IRR" }, idempotencyKey: "e-1" });
    expect(wrongCurrency.status).toBe(400);
    expect(wrongCurrency.json.error.code).toBe("currency_mismatch");
    const unknown = await api("POST", "/payments", { key: "sk_test_nope", body, idempotencyKey: "e-1" });
    expect(unknown.status).toBe(401);
    await db().update(s.terminals).set({ status: "inactive" }).where(eq(s.terminals.id, m.terminalId));
    const off = await api("POST", "/payments", { key: m.apiKey, body, idempotencyKey: "e-1" });
    expect(off.status).toBe(403);
    expect(off.json.error.code).toBe("terminal_inactive");
    expect(await keys()).toEqual([]);
    await db().update(s.terminals).set({ status: "active" }).where(eq(s.terminals.id, m.terminalId));
    // The same key with the request fixed runs (it was never claimed), and is then replayed.
    const ok = await api("POST", "/payments", { key: m.apiKey, body, idempotencyKey: "e-1" });
    expect(ok.status).toBe(201);
    const again = await api("POST", "/payments", { key: m.apiKey, body, idempotencyKey: "e-1" });
    expect(again.status).toBe(201);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(again.json).toEqual(ok.json);
    const [row] = await keys();
    expect(row).toMatchObject({ state: "completed", responseStatus: 201, scope: m.terminalId, key: "e-1", method: "POST", path: "/api/v1/payments" });
    expect(await paymentCount(m)).toBe(1);
    await db().update(s.apiKeys).set({ revokedAt: new Date() }).where(eq(s.apiKeys.terminalId, m.terminalId));
    const revoked = await api("POST", "/payments", { key: m.apiKey, body: { ...body, amount: 901 }, idempotencyKey: "e-2" });
    expect(revoked.status).toBe(401);
    expect((await keys()).map((k) => k.key)).toEqual(["e-1"]);
  });

  it("keys are per terminal key: another merchant's same key is its own", async () => {
    const m1 = await makeMerchant({ currency: "USD" });
    const m2 = await makeMerchant({ currency: "USD" });
    const body = { amount: 500, currency: "USD", card: cardBody() };
    const a = await api("POST", "/payments", { key: m1.apiKey, body, idempotencyKey: "shared" });
    const b = await api("POST", "/payments", { key: m2.apiKey, body, idempotencyKey: "shared" });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(a.json.id).not.toBe(b.json.id);
  });

  it("prunes keys after 24 hours; the payment's own key still stops a second charge", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const body = { amount: 700, currency: "USD", card: cardBody() };
    const a = await api("POST", "/payments", { key: m.apiKey, body, idempotencyKey: "old-key" });
    expect(await pruneIdempotencyKeys(new Date(Date.now() + 23 * 3600_000))).toBe(0);
    expect(await pruneIdempotencyKeys(new Date(Date.now() + 25 * 3600_000))).toBeGreaterThan(0);
    const b = await api("POST", "/payments", { key: m.apiKey, body, idempotencyKey: "old-key" });
    expect(b.json.id).toBe(a.json.id);
    expect(await paymentCount(m)).toBe(1);
  });

  it("refuses an oversized key", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const r = await api("POST", "/payments", { key: m.apiKey, body: { amount: 5, currency: "USD", card: cardBody() }, idempotencyKey: "k".repeat(256) });
    expect(r.status).toBe(400);
    expect(r.json.error.param).toBe("Idempotency-Key");
  });
});

describe("authentication and tenancy", () => {
  it("refuses a missing, unknown, revoked or deactivated key; another merchant's payment is not found", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const other = await makeMerchant({ currency: "USD" });
    const created = await api("POST", "/payments", { key: m.apiKey, body: { amount: 100, currency: "USD", card: cardBody() } });
    expect(created.status).toBe(201);

    // The header is the edge's to read; the key it carries is the domain's to look up.
    const missing = { type: "authentication_error", code: "api_key_missing", message: "Send your terminal's API key as 'Authorization: Bearer sk_...'.", param: null };
    const none = await api("GET", "/payments");
    expect([none.status, none.json.error, none.headers.get("www-authenticate")]).toEqual([401, missing, 'Bearer realm="api"']);
    const basic = await api("GET", "/payments", { headers: { Authorization: "Basic abc" } });
    expect([basic.status, basic.json.error]).toEqual([401, missing]);
    const nope = await api("GET", "/payments", { key: "sk_test_nope" });
    expect([nope.status, nope.json.error.code, nope.json.error.message]).toEqual([401, "api_key_invalid", "The API key is not valid (unknown or revoked)."]);
    const cross = await api("GET", `/payments/${created.json.id}`, { key: other.apiKey });
    expect(cross.status).toBe(404);
    const crossRefund = await api("POST", `/payments/${created.json.id}/refunds`, { key: other.apiKey, body: {} });
    expect(crossRefund.status).toBe(404);
    const list = await api("GET", "/payments", { key: other.apiKey });
    expect(list.json.data).toEqual([]);

    await db().update(s.terminals).set({ status: "inactive" }).where(eq(s.terminals.id, m.terminalId));
    const off = await api("POST", "/payments", { key: m.apiKey, body: { amount: 100, currency: "USD", card: cardBody() } });
    expect(off.status).toBe(403);
    expect(off.json.error.code).toBe("terminal_inactive");
    await db().update(s.terminals).set({ status: "active" }).where(eq(s.terminals.id, m.terminalId));
    await db().update(s.apiKeys).set({ revokedAt: new Date() }).where(eq(s.apiKeys.terminalId, m.terminalId));
    expect((await api("GET", "/payments", { key: m.apiKey })).status).toBe(401);
  });
});

describe("refunds, capture and void through the API", () => {
  it("refunds partly, then the remainder, refuses more with the refundable amount, and reads refunds back", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const p = await api("POST", "/payments", { key: m.apiKey, body: { amount: 300_000, currency: "IRR", card: cardBody() } });
    const r1 = await api("POST", `/payments/${p.json.id}/refunds`, { key: m.apiKey, body: { amount: 100_000, reason: "duplicate", note: "double order" } });
    expect(r1.status).toBe(201);
    expect(r1.json).toMatchObject({ object: "refund", amount: "100000", status: "succeeded", reason: "duplicate", note: "double order" });
    const over = await api("POST", `/payments/${p.json.id}/refunds`, { key: m.apiKey, body: { amount: "250000" } });
    expect(over.status).toBe(400);
    expect(over.json.error).toMatchObject({ code: "amount_exceeds_refundable", param: "amount", refundable: "200000" });
    expect(over.json.error.message).toContain("200,000");
    const rest = await api("POST", `/payments/${p.json.id}/refunds`, { key: m.apiKey });
    expect(rest.status).toBe(201);
    expect(rest.json.amount).toBe("200000");
    const got = await api("GET", `/refunds/${r1.json.id}`, { key: m.apiKey });
    expect(got.json.id).toBe(r1.json.id);
    const pay = await api("GET", `/payments/${p.json.id}`, { key: m.apiKey });
    expect(pay.json.amount_refunded).toBe("300000");
    expect(pay.json.amount_refundable).toBe("0");
    expect(pay.json.refunds).toHaveLength(2);
    const list = await api("GET", `/payments/${p.json.id}/refunds`, { key: m.apiKey });
    expect(list.json.data).toHaveLength(2);
    for (const [body, param] of [[{ amount: 0 }, "amount"], [{ amount: -1 }, "amount"], [{ amount: 1.5 }, "amount"], [{ reason: "because" }, "reason"], [{ foo: 1 }, "foo"]] as const) {
      const bad = await api("POST", `/payments/${p.json.id}/refunds`, { key: m.apiKey, body });
      expect(bad.status).toBe(400);
      expect(bad.json.error.param, JSON.stringify(body)).toBe(param);
    }
    await expectLedgerTiesOut(m);
  });

  it("refuses to refund an uncaptured payment and to void a captured one", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const auth = await api("POST", "/payments", { key: m.apiKey, body: { amount: 900, currency: "USD", card: cardBody(), capture: false } });
    const r = await api("POST", `/payments/${auth.json.id}/refunds`, { key: m.apiKey, body: {} });
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe("payment_not_captured");
    const v = await api("POST", `/payments/${auth.json.id}/void`, { key: m.apiKey });
    expect(v.status).toBe(200);
    expect(v.json.status).toBe("voided");
    const cap = await api("POST", "/payments", { key: m.apiKey, body: { amount: 900, currency: "USD", card: cardBody() } });
    const v2 = await api("POST", `/payments/${cap.json.id}/void`, { key: m.apiKey });
    expect(v2.status).toBe(409);
    const partial = await api("POST", `/payments/${auth.json.id}/capture`, { key: m.apiKey, body: { amount: 5 } });
    expect(partial.status).toBe(400);
    expect(partial.json.error.param).toBe("amount");
    const missing = await api("POST", "/payments/pay_missing/capture", { key: m.apiKey });
    expect(missing.status).toBe(404);
    await expectLedgerTiesOut(m);
  });
});

describe("listing", () => {
  it("pages with a cursor and filters by status and last 4", async () => {
    const m = await makeMerchant({ currency: "USD" });
    for (let i = 0; i < 5; i++) await api("POST", "/payments", { key: m.apiKey, body: { amount: 100 + i, currency: "USD", card: cardBody() } });
    await api("POST", "/payments", { key: m.apiKey, body: { amount: 100, currency: "USD", card: cardBody(CARD.doNotHonor) } });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/payments?limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const page = await api("GET", q, { key: m.apiKey });
      expect(page.status).toBe(200);
      seen.push(...page.json.data.map((p: { id: string }) => p.id));
      cursor = page.json.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
    const declined = await api("GET", "/payments?status=declined", { key: m.apiKey });
    expect(declined.json.data).toHaveLength(1);
    const byLast4 = await api("GET", "/payments?last4=4242", { key: m.apiKey });
    expect(byLast4.json.data).toHaveLength(5);
    for (const q of ["limit=0", "limit=1000", "status=done", "last4=12", "created_gte=yesterday", "cursor=garbage", "foo=bar"]) {
      const r = await api("GET", `/payments?${q}`, { key: m.apiKey });
      expect(r.status, q).toBe(400);
      expect(r.json.error.param, q).toBe(q.split("=")[0]);
    }
  });

  it("answers unknown endpoints and wrong methods in the API's error shape", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const nf = await api("GET", "/charges", { key: m.apiKey });
    expect(nf.status).toBe(404);
    expect(nf.json.error.code).toBe("route_not_found");
    const wrong = await api("DELETE", "/payments", { key: m.apiKey });
    expect(wrong.status).toBe(405);
    const wrong2 = await api("GET", "/payments/x/capture", { key: m.apiKey });
    expect(wrong2.status).toBe(405);
  });
});

describe.skipIf(!t.realServer)("Idempotency-Key under concurrency (real PostgreSQL)", () => {
  // A realistic provider deadline: under a 100-request burst a short one would turn
  // the charge into a (correct, but different) pending answer.
  beforeAll(() => configureProcessor({ deadlineMs: 10_000 }));
  afterAll(() => fastSandbox());

  it("100 concurrent requests with one key create exactly one payment and all get its response", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const body = { amount: 777_000, currency: "IRR", card: cardBody(CARD.approveIr) };
    const results = await Promise.all(
      Array.from({ length: 100 }, () => api("POST", "/payments", { key: m.apiKey, body, idempotencyKey: "burst-1" })),
    );
    expect(results.map((r) => `${r.status} ${r.json.status ?? r.json.error?.code}`)).toEqual(Array(100).fill("201 captured"));
    expect(new Set(results.map((r) => r.json.id)).size).toBe(1);
    expect(await paymentCount(m)).toBe(1);
    await expectLedgerTiesOut(m);
  });

  it("100 concurrent refunds with one key refund once", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const p = await api("POST", "/payments", { key: m.apiKey, body: { amount: 10_000, currency: "USD", card: cardBody() } });
    const results = await Promise.all(
      Array.from({ length: 100 }, () => api("POST", `/payments/${p.json.id}/refunds`, { key: m.apiKey, body: { amount: 100 }, idempotencyKey: "rf-burst" })),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(new Set(results.map((r) => r.json.id)).size).toBe(1);
    const after = await api("GET", `/payments/${p.json.id}`, { key: m.apiKey });
    expect(after.json.amount_refunded).toBe("100");
    await expectLedgerTiesOut(m);
  });
});

noticeRealServerOnly(t.realServer, "100 concurrent API requests with one Idempotency-Key");
