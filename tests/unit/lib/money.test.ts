import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toLatinDigits } from "~/lib/digits";
import {
  CURRENCIES,
  currencyExponent,
  formatMoney,
  isCurrencyCode,
  maxMinorUnits,
  parseAmount,
  parseMinorUnits,
  percentChange,
  sumMinor,
  toMajorDecimalString,
  type CurrencyCode,
} from "~/lib/money";

const CODES = Object.keys(CURRENCIES) as CurrencyCode[];
const NBSP = "\u00A0";
const currencyArb = fc.constantFrom(...CODES);

function ok(input: string, currency: CurrencyCode, unit?: "major" | "minor" | "toman"): bigint {
  const result = parseAmount(input, currency, unit ? { unit } : undefined);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(input)} to parse, got: ${result.reason}`);
  return result.minor;
}

function reason(input: string, currency: CurrencyCode, unit?: "major" | "minor" | "toman"): string {
  const result = parseAmount(input, currency, unit ? { unit } : undefined);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected, got ${result.minor}`);
  return result.reason;
}

describe("currencies", () => {
  it("has the ISO 4217 exponents", () => {
    expect(currencyExponent("IRR")).toBe(0);
    expect(currencyExponent("USD")).toBe(2);
    expect(currencyExponent("EUR")).toBe(2);
    expect(currencyExponent("GBP")).toBe(2);
    expect(currencyExponent("AED")).toBe(2);
    expect(CODES.sort()).toEqual(["AED", "EUR", "GBP", "IRR", "USD"]);
  });

  it("rejects unknown codes", () => {
    expect(() => currencyExponent("JPY" as CurrencyCode)).toThrow(RangeError);
    expect(isCurrencyCode("USD")).toBe(true);
    expect(isCurrencyCode("usd")).toBe(false);
    expect(isCurrencyCode("toString")).toBe(false);
    expect(isCurrencyCode(42)).toBe(false);
  });

  it("caps amounts at 10^15 major units", () => {
    expect(maxMinorUnits("IRR")).toBe(10n ** 15n);
    expect(maxMinorUnits("USD")).toBe(10n ** 17n);
  });
});

describe("parseAmount", () => {
  it.each<[string, CurrencyCode, bigint]>([
    ["1", "USD", 100n],
    ["1.5", "USD", 150n],
    ["1.05", "USD", 105n],
    ["0.01", "USD", 1n],
    [".5", "USD", 50n],
    ["5.", "USD", 500n],
    ["007.50", "EUR", 750n],
    ["  12 ", "GBP", 1200n],
    ["1,234.56", "USD", 123456n],
    ["1,234,567", "AED", 123456700n],
    ["1 234 567.89", "EUR", 123456789n],
    [`1${NBSP}234`, "EUR", 123400n],
    ["1\u202F234", "EUR", 123400n],
    ["1,000", "IRR", 1000n],
    ["12,500,000", "IRR", 12500000n],
    ["۱۲۳", "IRR", 123n],
    ["۱۲٬۳۴۵٫۶۷", "USD", 1234567n],
    ["١٢٬٣٤٥٫٦٧", "USD", 1234567n],
    ["۱۲،۵۰۰", "IRR", 12500n],
    ["\u200E۱٬۲۰۰\u200F", "IRR", 1200n],
    ["1000000000000000", "IRR", 10n ** 15n],
    ["1,000,000,000,000,000.00", "USD", 10n ** 17n],
  ])("parses %j as %s %s minor units", (input, currency, expected) => {
    expect(ok(input, currency)).toBe(expected);
  });

  it("reads toman into rial (x10), with one decimal place", () => {
    expect(ok("120", "IRR", "toman")).toBe(1200n);
    expect(ok("12.5", "IRR", "toman")).toBe(125n);
    expect(ok("۱۲٬۵۰۰", "IRR", "toman")).toBe(125000n);
    expect(reason("1.25", "IRR", "toman")).toBe("Toman amounts have at most 1 decimal place");
    expect(reason("10", "USD", "toman")).toMatch(/only be used with IRR/);
    expect(reason("100000000000001", "IRR", "toman")).toMatch(/no greater than/);
    expect(ok("100000000000000", "IRR", "toman")).toBe(10n ** 15n);
  });

  it("reads minor units as whole numbers", () => {
    expect(ok("150", "USD", "minor")).toBe(150n);
    expect(ok("1,500", "USD", "minor")).toBe(1500n);
    expect(reason("1.5", "USD", "minor")).toMatch(/whole numbers/);
    expect(reason("100000000000000001", "USD", "minor")).toMatch(/no greater than/);
  });

  it.each<[string, CurrencyCode, RegExp]>([
    ["", "USD", /^Enter an amount$/],
    ["   ", "USD", /^Enter an amount$/],
    ["0", "USD", /greater than zero/],
    ["0.00", "USD", /greater than zero/],
    ["0,000", "IRR", /greater than zero/],
    ["-5", "USD", /greater than zero/],
    ["−5", "USD", /greater than zero/],
    ["-0.01", "USD", /greater than zero/],
    ["1e5", "USD", /exponent/],
    ["1.5E+3", "USD", /exponent/],
    ["۱e۵", "IRR", /exponent/],
    ["1.234", "USD", /^USD amounts have at most 2 decimal places$/],
    ["1.001", "AED", /^AED amounts have at most 2 decimal places$/],
    ["1.5", "IRR", /^IRR amounts have no decimal places$/],
    ["1.0", "IRR", /^IRR amounts have no decimal places$/],
    ["abc", "USD", /Enter a number/],
    ["$5", "USD", /Enter a number/],
    ["5 USD", "USD", /Enter a number/],
    ["+5", "USD", /Enter a number/],
    ["0x10", "USD", /Enter a number/],
    ["Infinity", "USD", /Enter a number/],
    ["NaN", "USD", /Enter a number/],
    [".", "USD", /Enter a number/],
    [",", "USD", /Enter a number/],
    ["1.2.3", "USD", /one decimal point/],
    ["12,50", "EUR", /point \(\.\) for decimals/],
    ["1,5", "EUR", /point \(\.\) for decimals/],
    ["1,23,456", "USD", /grouped in threes/],
    ["1,2345", "USD", /grouped in threes/],
    ["1234,567", "USD", /grouped in threes/],
    [",123", "USD", /grouped in threes/],
    ["1,,000", "USD", /grouped in threes/],
    ["1,000,", "USD", /grouped in threes/],
    ["1.000,50", "EUR", /thousands separators only before the decimal point/],
    ["1000000000000000.01", "USD", /no greater than 1,000,000,000,000,000 USD/],
    ["1000000000000001", "IRR", /no greater than/],
    ["9".repeat(5000), "IRR", /no greater than/],
  ])("rejects %j (%s)", (input, currency, expected) => {
    expect(reason(input, currency)).toMatch(expected);
  });

  it("rejects unsupported currencies and non-string input without throwing", () => {
    expect(parseAmount("5", "JPY" as CurrencyCode)).toEqual({
      ok: false,
      reason: "Unsupported currency: JPY",
      code: "unsupported_currency",
      params: { currency: "JPY" },
    });
    expect(parseAmount(5 as unknown as string, "USD").ok).toBe(false);
  });

  it("round-trips toMajorDecimalString for every positive amount (property)", () => {
    fc.assert(
      fc.property(currencyArb, fc.bigInt({ min: 1n, max: 10n ** 17n }), (currency, raw) => {
        const minor = ((raw - 1n) % maxMinorUnits(currency)) + 1n;
        expect(ok(toMajorDecimalString(minor, currency), currency)).toBe(minor);
      }),
    );
  });

  it("parses what Intl formats as a grouped number, in Latin and Persian digits (property)", () => {
    fc.assert(
      fc.property(
        currencyArb,
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        fc.constantFrom("en-US", "fa-IR", "fa-IR-u-nu-latn", "ar-EG", "en-IN-u-nu-latn"),
        (currency, minor, locale) => {
          const exponent = currencyExponent(currency);
          const text = new Intl.NumberFormat(locale, {
            minimumFractionDigits: exponent,
            maximumFractionDigits: exponent,
          }).format(toMajorDecimalString(minor, currency) as unknown as number);
          const result = parseAmount(text, currency);
          if (locale.startsWith("en-IN")) {
            // Indian lakh grouping (1,00,000) is refused rather than guessed at.
            if (minor >= 100_000n * 10n ** BigInt(exponent)) expect(result.ok).toBe(false);
            return;
          }
          expect(result).toEqual({ ok: true, minor });
        },
      ),
    );
  });

  it("never throws, and accepted amounts are within (0, max] (property)", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.stringMatching(/^[-0-9.,٫٬ ۰-۹eE]{0,24}$/)),
        currencyArb,
        fc.constantFrom("major", "minor", "toman") as fc.Arbitrary<"major" | "minor" | "toman">,
        (input, currency, unit) => {
          const result = parseAmount(input, currency, { unit });
          if (result.ok) {
            expect(result.minor > 0n).toBe(true);
            expect(result.minor <= maxMinorUnits(currency)).toBe(true);
          } else {
            expect(result.reason.length).toBeGreaterThan(0);
          }
        },
      ),
    );
  });
});

describe("parseMinorUnits", () => {
  it.each<[unknown, bigint]>([
    [1, 1n],
    [100, 100n],
    [Number.MAX_SAFE_INTEGER, BigInt(Number.MAX_SAFE_INTEGER)],
    ["1", 1n],
    ["00012", 12n],
    ["90071992547409931", 90071992547409931n],
    ["100000000000000000", 10n ** 17n],
  ])("accepts %j", (value, expected) => {
    expect(parseMinorUnits(value)).toBe(expected);
  });

  it.each<[unknown]>([
    [0],
    [-1],
    [1.5],
    [NaN],
    [Infinity],
    [2 ** 53],
    [1e21],
    ["0"],
    ["-1"],
    ["+1"],
    ["1.0"],
    ["1e3"],
    [" 1"],
    [""],
    ["۱۲"],
    ["100000000000000001"],
    ["9".repeat(40)],
    [10n],
    [null],
    [undefined],
    [{}],
    [[1]],
    [true],
  ])("rejects %s", (value) => {
    expect(parseMinorUnits(value)).toBeNull();
  });

  it("enforces a currency's own maximum when given", () => {
    expect(parseMinorUnits("1000000000000001")).toBe(1000000000000001n);
    expect(parseMinorUnits("1000000000000001", "IRR")).toBeNull();
    expect(parseMinorUnits("1000000000000000", "IRR")).toBe(10n ** 15n);
  });
});

describe("toMajorDecimalString", () => {
  it.each<[bigint, CurrencyCode, string]>([
    [12345n, "USD", "123.45"],
    [-5n, "USD", "-0.05"],
    [5n, "EUR", "0.05"],
    [0n, "USD", "0.00"],
    [100n, "GBP", "1.00"],
    [-12345n, "AED", "-123.45"],
    [1200n, "IRR", "1200"],
    [-1200n, "IRR", "-1200"],
    [0n, "IRR", "0"],
    [2n ** 64n, "USD", "184467440737095516.16"],
  ])("%s %s -> %s", (minor, currency, expected) => {
    expect(toMajorDecimalString(minor, currency)).toBe(expected);
  });

  it("is exact for any bigint (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), currencyArb, (minor, currency) => {
        const s = toMajorDecimalString(minor, currency);
        const exponent = currencyExponent(currency);
        expect(s).toMatch(exponent === 0 ? /^-?(0|[1-9][0-9]*)$/ : /^-?(0|[1-9][0-9]*)\.[0-9]{2}$/);
        expect(BigInt(s.replace(".", ""))).toBe(minor);
      }),
    );
  });
});

describe("formatMoney", () => {
  it.each<[bigint, CurrencyCode, Parameters<typeof formatMoney>[2], string]>([
    [123456n, "USD", {}, "$1,234.56"],
    [-5n, "USD", {}, "-$0.05"],
    [0n, "USD", {}, "$0.00"],
    [123456n, "EUR", {}, "€1,234.56"],
    [123456n, "GBP", { locale: "en-GB" }, "£1,234.56"],
    [123456n, "AED", {}, `AED${NBSP}1,234.56`],
    [123456n, "EUR", { locale: "de-DE" }, `1.234,56${NBSP}€`],
    [5n, "USD", { signDisplay: "always" }, "+$0.05"],
    [0n, "USD", { signDisplay: "exceptZero" }, "$0.00"],
    [-100n, "USD", { signDisplay: "exceptZero" }, "-$1.00"],
    [1200n, "IRR", {}, `IRR${NBSP}1,200`],
    [-1200n, "IRR", {}, `-IRR${NBSP}1,200`],
    [1200n, "IRR", { locale: "fa-IR" }, `۱٬۲۰۰${NBSP}ریال`],
    [1200n, "IRR", { locale: "fa-IR", digits: "latn" }, `1,200${NBSP}ریال`],
    [12000n, "IRR", { display: "toman" }, `1,200${NBSP}toman`],
    [12345n, "IRR", { display: "toman" }, `1,234.5${NBSP}toman`],
    [5n, "IRR", { display: "toman" }, `0.5${NBSP}toman`],
    [12345n, "IRR", { locale: "fa-IR", display: "toman" }, `۱٬۲۳۴٫۵${NBSP}تومان`],
    [12340n, "IRR", { locale: "fa", display: "toman" }, `۱٬۲۳۴${NBSP}تومان`],
    [12345n, "IRR", { locale: "fa", display: "toman", digits: "latn" }, `1,234.5${NBSP}تومان`],
    [-12345n, "IRR", { display: "toman" }, `-1,234.5${NBSP}toman`],
    [12000n, "IRR", { display: "toman", signDisplay: "always" }, `+1,200${NBSP}toman`],
    [1200n, "IRR", { locale: "en-US", display: "rial" }, `IRR${NBSP}1,200`],
  ])("%s %s %j -> %j", (minor, currency, opts, expected) => {
    expect(formatMoney(minor, currency, opts)).toBe(expected);
  });

  it("ignores display: 'toman' for other currencies", () => {
    expect(formatMoney(12345n, "USD", { display: "toman" })).toBe("$123.45");
  });

  it("uses Persian digits for fa locales unless asked for Latin digits", () => {
    expect(formatMoney(1234n, "USD", { locale: "fa-IR" })).toContain("۱۲٫۳۴");
    expect(formatMoney(1234n, "USD", { locale: "fa-IR", digits: "latn" })).toContain("12.34");
    expect(formatMoney(-12345n, "IRR", { locale: "fa", display: "toman" })).toMatch(/^\u200E?[−-]۱٬۲۳۴٫۵\u00A0تومان$/);
  });

  it("keeps every digit beyond 2^53", () => {
    expect(formatMoney(9007199254740993n, "USD")).toBe("$90,071,992,547,409.93");
    expect(formatMoney(10n ** 20n + 7n, "IRR")).toBe(`IRR${NBSP}100,000,000,000,000,000,007`);
    expect(formatMoney(10n ** 20n + 7n, "IRR", { locale: "fa-IR", display: "toman" })).toBe(
      `۱۰٬۰۰۰٬۰۰۰٬۰۰۰٬۰۰۰٬۰۰۰٬۰۰۰٫۷${NBSP}تومان`,
    );
  });

  it("shows exactly the digits of the amount, whatever its size (property)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }),
        currencyArb,
        fc.constantFrom("en-US", "de-DE", "fa-IR", "fa", "en-GB"),
        fc.constantFrom("rial", "toman") as fc.Arbitrary<"rial" | "toman">,
        (minor, currency, locale, display) => {
          const text = formatMoney(minor, currency, { locale, display });
          const shownDigits = toLatinDigits(text).replace(/[^0-9]/g, "");
          const abs = minor < 0n ? -minor : minor;
          let expected = toMajorDecimalString(abs, currency).replace(".", "");
          if (currency === "IRR" && display === "toman") {
            expected = abs % 10n === 0n ? (abs / 10n).toString() : abs.toString().padStart(2, "0");
          }
          expect(shownDigits).toBe(expected);
          expect(/[-−]/.test(text)).toBe(minor < 0n);
        },
      ),
    );
  });

  it("rejects unsupported currencies", () => {
    expect(() => formatMoney(1n, "XYZ" as CurrencyCode)).toThrow(RangeError);
  });
});

describe("sumMinor", () => {
  it("adds exactly, beyond 2^53", () => {
    expect(sumMinor([])).toBe(0n);
    expect(sumMinor([1n, -2n, 3n])).toBe(2n);
    expect(sumMinor([2n ** 53n, 1n, 1n])).toBe(2n ** 53n + 2n);
    expect(sumMinor(Array.from({ length: 10_000 }, () => 10n ** 12n))).toBe(10n ** 16n);
  });

  it("is independent of order (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n })), (values) => {
        expect(sumMinor([...values].reverse())).toBe(sumMinor(values));
        expect(sumMinor(values)).toBe(values.reduce((a, b) => a + b, 0n));
      }),
    );
  });
});

describe("percentChange", () => {
  it.each<[bigint, bigint, number | null]>([
    [150n, 100n, 50],
    [50n, 100n, -50],
    [100n, 100n, 0],
    [0n, 100n, -100],
    [300n, 100n, 200],
    [5n, 0n, null],
    [0n, 0n, null],
    [-50n, -100n, 50],
    [-150n, -100n, -50],
    [100n, -100n, 200],
  ])("%s vs %s -> %s", (current, previous, expected) => {
    expect(percentChange(current, previous)).toBe(expected);
  });

  it("stays accurate for amounts beyond 2^53", () => {
    const previous = 10n ** 20n;
    expect(percentChange(previous + previous / 4n, previous)).toBeCloseTo(25, 10);
  });
});
