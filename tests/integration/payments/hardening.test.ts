import { eq } from "drizzle-orm";
import { useTestDatabase } from "../../support/db";
import { db } from "../../../db/client.server";
import * as s from "../../../db/schema";
import { api } from "./api-client";
import { fastSandbox, makeMerchant } from "./fixtures";

const t = useTestDatabase({ seed: "none" });
beforeAll(() => fastSandbox());
const year = new Date().getUTCFullYear() + 3;

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
