import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import os from "node:os";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "../../support/db";
import { db } from "../../../db/client.server";
import * as s from "../../../db/schema";
import { abandonLostClaim, fingerprint, idempotencyConfig, withIdempotency } from "~/modules/idempotency/idempotency.server";
import { hashApiKey } from "~/modules/terminals/api-auth.server";
import { capturePayment, voidPayment } from "~/modules/payments/payments.server";
import { api } from "./api-client";
import { fastSandbox, makeMerchant } from "./fixtures";
import { CARD_EXP_YEAR } from "../../support/cards";

useTestDatabase({ seed: "none" });
beforeAll(() => fastSandbox());
const year = CARD_EXP_YEAR;

describe("numbers no issuer can have, and empty Idempotency-Keys", () => {
  it.each([
    ["0000000000000000000", "all zeros (passes the Luhn check)"],
    ["0000000000000000", "all zeros, 16 digits"],
    ["0000004242424242", "a BIN of zeros"],
    ["0424242424242424", "a leading 0"],
    ["42424242424242428", "17 digits for Visa"],
  ])("refuses %s (%s) with card_number_invalid and charges nothing", async (number) => {
    const m = await makeMerchant({ currency: "IRR" });
    const r = await api("POST", "/payments", {
      key: m.apiKey,
      idempotencyKey: `zero-${number}`,
      body: { amount: 10_000, currency: "IRR", card: { number, exp_month: 12, exp_year: year, cvc: "123" } },
    });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ type: "invalid_request_error", code: "card_number_invalid", param: "card[number]" });
    expect(await db().select().from(s.payments).where(eq(s.payments.merchantId, m.merchantId))).toHaveLength(0);
  });

  it.each(["", "   "])("answers an Idempotency-Key of %j with 400, not as if no key was sent", async (key) => {
    const m = await makeMerchant({ currency: "IRR" });
    const r = await api("POST", "/payments", {
      key: m.apiKey,
      idempotencyKey: key,
      body: { amount: 10_000, currency: "IRR", card: { number: "4242424242424242", exp_month: 12, exp_year: year, cvc: "123" } },
    });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: "idempotency_key_invalid", param: "Idempotency-Key" });
    expect(r.json.error.message).toContain("Idempotency-Key is empty");
    expect(await db().select().from(s.payments).where(eq(s.payments.merchantId, m.merchantId))).toHaveLength(0);
  });
});

describe("a capture or void whose request died answers its first outcome on retry", () => {
  async function authorized(m: Awaited<ReturnType<typeof makeMerchant>>): Promise<string> {
    const r = await api("POST", "/payments", {
      key: m.apiKey,
      idempotencyKey: `auth-${crypto.randomUUID()}`,
      body: { amount: 40_000, currency: "IRR", capture: false, card: { number: "4242424242424242", exp_month: 12, exp_year: year, cvc: "123" } },
    });
    expect(r.json.status).toBe("authorized");
    return r.json.id as string;
  }

  /** A process id that no longer exists (a child that has exited). */
  function deadPid(): number {
    const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    return Number(child.stdout);
  }

  it.each(["capture", "void"] as const)("%s: the request is SIGKILLed after the payment changed, before its answer was stored", async (op) => {
    const m = await makeMerchant({ currency: "IRR" });
    const id = await authorized(m);
    const key = `${op}-${crypto.randomUUID()}`;
    // What a process killed mid-request leaves: the work done, the key in progress under a dead pid.
    const done = op === "capture" ? await capturePayment(m.scope, id) : await voidPayment(m.scope, id);
    expect(done.ok).toBe(true);
    await db().insert(s.idempotencyKeys).values({
      merchantId: m.merchantId,
      scope: m.terminalId,
      key,
      requestHash: fingerprint({ id, op }),
      method: "POST",
      path: `/api/v1/payments/${id}/${op}`,
      state: "in_progress",
      responseBody: { owner: { host: os.hostname(), pid: deadPid() } },
    });
    const retry = await api("POST", `/payments/${id}/${op}`, { key: m.apiKey, idempotencyKey: key, body: {} });
    expect(retry.status).toBe(200);
    expect(retry.json).toMatchObject({ id, status: op === "capture" ? "captured" : "voided" });
    // Stored as the key's answer; another key still hears that it was done already.
    const again = await api("POST", `/payments/${id}/${op}`, { key: m.apiKey, idempotencyKey: key, body: {} });
    expect(again.status).toBe(200);
    const other = await api("POST", `/payments/${id}/${op}`, { key: m.apiKey, idempotencyKey: `other-${key}`, body: {} });
    expect(other.status).toBe(409);
    expect(other.json.error.code).toBe(op === "capture" ? "payment_already_captured" : "payment_already_voided");
  });

  it.each(["capture", "void"] as const)("%s: the database went away after the change committed, before the answer was stored", async (op) => {
    const m = await makeMerchant({ currency: "IRR" });
    const id = await authorized(m);
    const key = `${op}-${crypto.randomUUID()}`;
    const req = { merchantId: m.merchantId, scope: m.terminalId, key, method: "POST", path: `/api/v1/payments/${id}/${op}`, fingerprint: fingerprint({ id, op }) };
    await expect(
      withIdempotency(req, async () => {
        const r = op === "capture" ? await capturePayment(m.scope, id) : await voidPayment(m.scope, id);
        expect(r.ok).toBe(true);
        throw Object.assign(new Error("write CONNECTION_CLOSED"), { code: "CONNECTION_CLOSED" });
      }),
    ).rejects.toThrow(/CONNECTION_CLOSED/);
    const retry = await api("POST", `/payments/${id}/${op}`, { key: m.apiKey, idempotencyKey: key, body: {} });
    expect(retry.status).toBe(200);
    expect(retry.json).toMatchObject({ id, status: op === "capture" ? "captured" : "voided" });
    const [row] = await db().select().from(s.idempotencyKeys).where(eq(s.idempotencyKeys.key, key));
    expect(row).toMatchObject({ state: "completed", responseStatus: 200 });
  });
});

describe("a key claim whose answer was lost", () => {
  /** What a claim leaves when its statement ran but its answer was lost: in progress, owned by a live process of this host. */
  async function lostClaim(m: Awaited<ReturnType<typeof makeMerchant>>, key: string, path: string, params: unknown) {
    const createdAt = new Date(Date.now() - 1000);
    const responseBody = { owner: { host: os.hostname(), pid: process.ppid } };
    await db().insert(s.idempotencyKeys).values({
      merchantId: m.merchantId,
      scope: m.terminalId,
      key,
      requestHash: fingerprint(params),
      method: "POST",
      path,
      state: "in_progress",
      responseBody,
      createdAt,
    });
    return { key, createdAt: createdAt.toISOString(), responseBody: JSON.stringify(responseBody) };
  }
  const abandonedRows = async (key: string) =>
    (await db().select().from(s.idempotencyKeys).where(eq(s.idempotencyKeys.key, key))).filter((r) => (r.responseBody as { abandoned?: boolean }).abandoned === true);
  const eventually = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 50));
    return check();
  };

  it("is given up, so the client's retry is answered at once instead of waiting for it to go stale", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const r = await api("POST", "/payments", {
      key: m.apiKey,
      idempotencyKey: `auth-${crypto.randomUUID()}`,
      body: { amount: 52_000, currency: "IRR", capture: false, card: { number: "4242424242424242", exp_month: 12, exp_year: year, cvc: "123" } },
    });
    const id = r.json.id as string;
    const key = `lost-${crypto.randomUUID()}`;
    const claim = await lostClaim(m, key, `/api/v1/payments/${id}/capture`, { id, op: "capture" });
    // As it was: the retry waits on the live owner, then hears the key is in use.
    idempotencyConfig.waitMs = 300;
    const waited = await api("POST", `/payments/${id}/capture`, { key: m.apiKey, idempotencyKey: key, body: {} });
    expect(waited.status).toBe(409);
    expect(waited.json.error.code).toBe("idempotency_key_in_use");
    // The process whose claim's answer was lost gives it up (the API key's own statement knows only the API key).
    abandonLostClaim({ apiKeyHash: hashApiKey(m.apiKey) }, claim);
    expect(await eventually(async () => (await abandonedRows(key)).length === 1)).toBe(true);
    const retry = await api("POST", `/payments/${id}/capture`, { key: m.apiKey, idempotencyKey: key, body: {} });
    expect(retry.status).toBe(200);
    expect(retry.json).toMatchObject({ id, status: "captured" });
  });

  it("leaves a claim alone that a retry took over since (its time changed), and another terminal's key of the same name", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const other = await makeMerchant({ currency: "IRR" });
    const key = `taken-${crypto.randomUUID()}`;
    const taken = await lostClaim(m, key, "/api/v1/payments", { a: 1 });
    await db().update(s.idempotencyKeys).set({ createdAt: new Date() }).where(eq(s.idempotencyKeys.merchantId, m.merchantId));
    const otherClaim = await lostClaim(other, key, "/api/v1/payments", { a: 1 });
    abandonLostClaim({ merchantId: m.merchantId, scope: m.terminalId }, taken);
    abandonLostClaim({ apiKeyHash: hashApiKey(m.apiKey) }, otherClaim);
    await new Promise((r) => setTimeout(r, 600));
    expect(await abandonedRows(key)).toEqual([]);
    // The control: the other terminal's own claim, named by its merchant and terminal.
    abandonLostClaim({ merchantId: other.merchantId, scope: other.terminalId }, otherClaim);
    expect(await eventually(async () => (await abandonedRows(key)).length === 1)).toBe(true);
    expect((await abandonedRows(key))[0]!.merchantId).toBe(other.merchantId);
  });
});

describe("request headers are checked and named", () => {
  const card = { number: "4242424242424242", exp_month: 12, exp_year: year, cvc: "123" };
  it.each([
    ["text/plain", /Content-Type: application\/json/],
    ["application/jsonx", /Content-Type: application\/json/],
    ["application/x-www-form-urlencoded", /Content-Type: application\/json/],
    ["application/json; charset=latin1", /UTF-8 JSON.*not charset=latin1/],
    ["application/json; charset=utf-16", /not charset=utf-16/],
  ])("Content-Type %s is a 415 naming Content-Type, and nothing is charged", async (type, message) => {
    const m = await makeMerchant({ currency: "IRR" });
    const r = await api("POST", "/payments", { key: m.apiKey, idempotencyKey: `ct-${crypto.randomUUID()}`, headers: { "content-type": type }, body: { amount: 10_000, currency: "IRR", card } });
    expect(r.status).toBe(415);
    expect(r.json.error).toMatchObject({ code: "unsupported_media_type", param: "Content-Type" });
    expect(r.json.error.message).toMatch(message);
    expect(await db().select().from(s.payments).where(eq(s.payments.merchantId, m.merchantId))).toHaveLength(0);
  });

  it.each(["application/json", "application/json; charset=utf-8", "application/json;charset=\"UTF-8\"", "application/merge-patch+json"])("Content-Type %s is read as JSON", async (type) => {
    const m = await makeMerchant({ currency: "IRR" });
    const r = await api("POST", "/payments", { key: m.apiKey, idempotencyKey: `ct-${crypto.randomUUID()}`, headers: { "content-type": type }, body: { amount: 10_000, currency: "IRR", card } });
    expect(r.status).toBe(201);
  });

  it.each([
    ["x".repeat(256), /1 to 255 printable/],
    ["clé-été", /1 to 255 printable/],
    ["two words", /1 to 255 printable/],
  ])("Idempotency-Key %s is a 400 naming the header", async (key, message) => {
    const m = await makeMerchant({ currency: "IRR" });
    const r = await api("POST", "/payments", { key: m.apiKey, idempotencyKey: key, body: { amount: 10_000, currency: "IRR", card } });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: "idempotency_key_invalid", param: "Idempotency-Key" });
    expect(r.json.error.message).toMatch(message);
  });
});
