import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { neutralizeFormula } from "~/lib/csv-safety";

describe("neutralizeFormula", () => {
  it.each([
    ["=HYPERLINK(\"http://evil\",\"click\")"],
    ["=1+2"],
    ["+31 20 123 4567"],
    ["-2+3"],
    ["@SUM(A1:A2)"],
    ["\t=1+2"],
    ["\r=1+2"],
    ["\n=1+2"],
    ["＝1+2"],
  ])("prefixes %j with a single quote", (cell) => {
    expect(neutralizeFormula(cell)).toBe(`'${cell}`);
  });

  it.each([["hello"], ["12.50"], ["Order #12"], [""], [" =1"], ["'=already quoted"], ["سفارش =۱"], ["a=b"]])(
    "leaves %j alone",
    (cell) => {
      expect(neutralizeFormula(cell)).toBe(cell);
    },
  );

  it("either keeps the text or adds exactly one leading quote, and the result never starts a formula", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const out = neutralizeFormula(s);
        expect(out === s || out === `'${s}`).toBe(true);
        expect(/^[=+\-@\t\r\n]/.test(out)).toBe(false);
      }),
    );
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(neutralizeFormula(neutralizeFormula(s))).toBe(neutralizeFormula(s));
      }),
    );
  });
});
