import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toLatinDigits, toPersianDigits } from "~/lib/digits";

describe("toLatinDigits", () => {
  it("converts Persian digits", () => {
    expect(toLatinDigits("۰۱۲۳۴۵۶۷۸۹")).toBe("0123456789");
  });

  it("converts Arabic-Indic digits", () => {
    expect(toLatinDigits("٠١٢٣٤٥٦٧٨٩")).toBe("0123456789");
  });

  it("keeps everything that is not a digit, including Persian separators", () => {
    expect(toLatinDigits("مبلغ: ۱۲٬۳۴۵٫۶ ریال")).toBe("مبلغ: 12٬345٫6 ریال");
    expect(toLatinDigits("abc 123")).toBe("abc 123");
    expect(toLatinDigits("")).toBe("");
  });

  it("handles a mix of all three digit sets", () => {
    expect(toLatinDigits("1۲٣")).toBe("123");
  });
});

describe("toPersianDigits", () => {
  it("converts Latin and Arabic-Indic digits to Persian", () => {
    expect(toPersianDigits("0123456789")).toBe("۰۱۲۳۴۵۶۷۸۹");
    expect(toPersianDigits("٤٥٦")).toBe("۴۵۶");
    expect(toPersianDigits("IR12 abc")).toBe("IR۱۲ abc");
  });

  it("round-trips with toLatinDigits for any string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (s) => {
        expect(toLatinDigits(toPersianDigits(s))).toBe(toLatinDigits(s));
        expect(toPersianDigits(toLatinDigits(s))).toBe(toPersianDigits(s));
      }),
    );
  });

  it("never changes the length of a string", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(toPersianDigits(s)).toHaveLength(s.length);
        expect(toLatinDigits(s)).toHaveLength(s.length);
      }),
    );
  });
});
