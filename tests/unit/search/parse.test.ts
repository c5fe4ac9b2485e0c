import { normalizeSearch, parseSearch } from "../../../app/modules/search/parse";

describe("global search: what a person typed", () => {
  it("reads Persian and Arabic-Indic digits as digits", () => {
    expect(normalizeSearch("۱۲۳۴")).toBe("1234");
    expect(normalizeSearch("٤٥٦٧")).toBe("4567");
    expect(parseSearch("۶۶۰۵", "IRR").last4).toBe("6605");
    expect(parseSearch("٦٦٠٥", "IRR").last4).toBe("6605");
  });

  it("understands toman and rial amounts, with Persian multipliers", () => {
    expect(parseSearch("۱۲۵ هزار تومان", "IRR").amounts).toEqual([1_250_000n]);
    expect(parseSearch("125 هزار ریال", "IRR").amounts).toEqual([125_000n]);
    expect(parseSearch("۲ میلیون تومان", "IRR").amounts).toEqual([20_000_000n]);
    expect(parseSearch("1,250,000 ریال", "IRR").amounts).toEqual([1_250_000n]);
    // A figure without a unit may be either: both are looked for.
    expect(parseSearch("125k", "IRR").amounts).toEqual([125_000n, 1_250_000n]);
    expect(parseSearch("۱۲۵ هزار", "IRR").amounts).toEqual([125_000n, 1_250_000n]);
  });

  it("reads amounts in a currency with cents", () => {
    expect(parseSearch("$12.50", "USD").amounts).toEqual([1250n]);
    expect(parseSearch("125k", "USD").amounts).toEqual([12_500_000n]);
    expect(parseSearch("12.505", "USD").amounts).toEqual([]);
  });

  it("reads Jalali dates in digits or with the month's name, and Gregorian ones", () => {
    expect(parseSearch("1405/09/15", "IRR").day).toBe("2026-12-06");
    expect(parseSearch("۱۴۰۵/۰۹/۱۵", "IRR").day).toBe("2026-12-06");
    expect(parseSearch("۱۵ آذر ۱۴۰۵", "IRR").day).toBe("2026-12-06");
    expect(parseSearch("1 Farvardin 1404", "IRR").day).toBe("2025-03-21");
    expect(parseSearch("2026-12-06", "USD").day).toBe("2026-12-06");
    expect(parseSearch("Dec 6, 2026", "USD").day).toBe("2026-12-06");
    expect(parseSearch("6 December 2026", "USD").day).toBe("2026-12-06");
    // 30 Esfand exists in a leap year (1403) only; 31 June never.
    expect(parseSearch("1403/12/30", "IRR").day).toBe("2025-03-20");
    expect(parseSearch("1404/12/30", "IRR").day).toBeNull();
    expect(parseSearch("2026-06-31", "USD").day).toBeNull();
  });

  it("keeps a date and an amount apart in one query", () => {
    const q = parseSearch("۱۵ آذر ۱۴۰۵ ۱۲۵ هزار تومان", "IRR");
    expect(q.day).toBe("2026-12-06");
    expect(q.amounts).toEqual([1_250_000n]);
    expect(q.text).toBe("");
  });

  it("finds ids, trace numbers, Sheba and leaves words for names", () => {
    const q = parseSearch("pay_1kby1bthgq0sq29g892a4", "IRR");
    expect(q.ids).toEqual(["pay_1kby1bthgq0sq29g892a4"]);
    expect(q.text).toBe("");
    expect(parseSearch("۴۰۰۱۲۳۴۵۶۷۸۹", "IRR").references).toEqual(["400123456789"]);
    expect(parseSearch("IR06 0170 0000 0012 3456 7890 01", "IRR").sheba).toBe("IR060170000000123456789001");
    const words = parseSearch("Tajrish café", "IRR");
    expect(words.text).toBe("Tajrish café");
    expect(words.amounts).toEqual([]);
    expect(parseSearch("علي", "IRR").text).toBe("علی");
  });
});
