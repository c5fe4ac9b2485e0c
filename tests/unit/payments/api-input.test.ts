import { checkCard, parseCreatePayment, parseListQuery } from "~/web/payments/api-input";
import { parseMinorAmount } from "~/web/edge/json-input";
import { fingerprint } from "~/modules/idempotency/idempotency.server";

const now = new Date("2026-06-15T12:00:00Z");

describe("amounts in minor units", () => {
  it("accepts integers as numbers or digit strings", () => {
    expect(parseMinorAmount(1250000, "IRR")).toEqual({ ok: true, value: 1250000n });
    expect(parseMinorAmount("1050", "USD")).toEqual({ ok: true, value: 1050n });
    expect(parseMinorAmount("0001050", "USD")).toEqual({ ok: true, value: 1050n });
    // Past 2^53 only a string is exact, and a string is accepted.
    expect(parseMinorAmount("9007199254740993", "USD")).toEqual({ ok: true, value: 9007199254740993n });
  });

  it.each([
    [0, /greater than zero/],
    [-5, /greater than zero/],
    ["-5", /greater than zero/],
    [10.5, /whole number/],
    ["10.50", /without a decimal point/],
    [1e21, /too large|decimal string/],
    [Number.MAX_SAFE_INTEGER + 2, /decimal string/],
    ["1e5", /digits only/],
    ["12,000", /digits only/],
    ["abc", /digits only/],
    ["", /required/],
    [null, /required/],
    [undefined, /required/],
    [true, /integer of minor units/],
    [[5], /integer of minor units/],
    [{ v: 5 }, /integer of minor units/],
    [Number.NaN, /must be a number/],
    ["9".repeat(30), /too large/],
  ])("refuses %j with a reason", (value, reason) => {
    const r = parseMinorAmount(value, "IRR");
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.param).toBe("amount");
      expect(r.problem.message).toMatch(reason);
    }
  });

  it("refuses amounts beyond the currency's maximum", () => {
    expect(parseMinorAmount("1000000000000000000", "USD").ok).toBe(false);
  });
});

describe("payment requests", () => {
  const card = { number: "4242 4242 4242 4242", exp_month: 12, exp_year: 2028, cvc: "123" };
  it("parses a good request and names the first bad parameter otherwise", () => {
    const ok = parseCreatePayment({ amount: 500, currency: "usd", card }, now);
    expect(ok.ok && ok.value).toMatchObject({ amount: 500n, currency: "USD", capture: true, card: { number: "4242424242424242", expMonth: 12, expYear: 2028 } });
    const two = parseCreatePayment({ amount: 500, currency: "USD", card: { ...card, exp_year: "28" } }, now);
    expect(two.ok && two.value.card?.expYear).toBe(2028);
    const cases: [unknown, string][] = [
      [{ amount: 500, currency: "USD", card: { ...card, number: "4242424242424241" } }, "card[number]"],
      [{ amount: 500, currency: "USD", card: { ...card, exp_month: 0 } }, "card[exp_month]"],
      [{ amount: 500, currency: "USD", card: { ...card, exp_year: 2025, exp_month: 5 } }, "card[exp_year]"],
      [{ amount: 500, currency: "USD", card: { ...card, cvc: "1" } }, "card[cvc]"],
      [{ amount: 500, currency: "USD", card: { ...card, number: "378282246310005", cvc: "123" } }, "card[cvc]"],
      [{ amount: 500, currency: "USD", card, extra: 1 }, "extra"],
      [{ amount: 500, currency: "USD" }, "card"],
      [{ amount: 500, currency: "USD", card, token: "tok_x" }, "token"],
      [{ amount: 500, card }, "currency"],
      [{ currency: "USD", card }, "amount"],
      [null, "body"],
      [[1], "body"],
    ];
    for (const [body, param] of cases) {
      const r = parseCreatePayment(body, now);
      expect(r.ok, JSON.stringify(body)).toBe(false);
      if (!r.ok) expect(r.problem.param, JSON.stringify(body)).toBe(param);
    }
  });

  it("accepts a card through the end of its expiry month", () => {
    expect(checkCard({ number: "4242424242424242", expMonth: 6, expYear: 2026, cvc: "123" }, now)).toBeNull();
    expect(checkCard({ number: "4242424242424242", expMonth: 5, expYear: 2026, cvc: "123" }, now)?.code).toBe("expired_card");
  });
});

describe("list queries", () => {
  it("parses filters and refuses unknown or malformed ones", () => {
    const ok = parseListQuery(new URLSearchParams("limit=5&status=captured,declined&last4=4242&created_gte=2026-01-01"));
    expect(ok.ok && ok.value).toMatchObject({ limit: 5, status: ["captured", "declined"], last4: "4242" });
    for (const q of ["limit=0", "limit=101", "limit=x", "status=ok", "last4=42", "created_lt=tomorrow", "sort=amount"]) {
      expect(parseListQuery(new URLSearchParams(q)).ok, q).toBe(false);
    }
  });
});

describe("idempotency fingerprints", () => {
  it("ignore key order and tell different parameters apart", () => {
    expect(fingerprint({ a: 1n, b: "x" })).toBe(fingerprint({ b: "x", a: 1n }));
    expect(fingerprint({ a: 1n })).not.toBe(fingerprint({ a: 2n }));
    expect(fingerprint({ a: 1, b: undefined })).toBe(fingerprint({ a: 1 }));
  });
});
