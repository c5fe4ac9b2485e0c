import fc from "fast-check";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { neutralizeFormula } from "~/lib/csv-safety";
import { csvWriter, type CellKind } from "~/modules/exports/csv";
import { parseRfc4180 } from "../../support/rfc4180";

describe("csvWriter", () => {
  const w = csvWriter(["text", "amount", "datetime", "text"]);

  it("writes a header and records ending in CRLF, quoting text columns", () => {
    const out = w.header(["id", "amount", "created (Asia/Tehran)", "description"]) + w.rows([["pay_1", "-12.50", "2025-01-01 00:30:00", "Latte"]]);
    expect(out).toBe('"id","amount","created (Asia/Tehran)","description"\r\n"pay_1",-12.50,2025-01-01 00:30:00,"Latte"\r\n');
  });

  it("neutralises formulas in text columns but leaves negative amounts numeric", () => {
    const out = w.rows([["=1+2", "-5", "2025-01-01 00:00:00", '@SUM(A1:A9)']]);
    expect(out).toBe(`"'=1+2",-5,2025-01-01 00:00:00,"'@SUM(A1:A9)"\r\n`);
  });

  it("keeps commas, quotes, newlines and Persian text intact", () => {
    const desc = 'قهوه، "ویژه", 2 cups\r\nsecond line\nthird';
    const out = w.rows([["x", "1", null, desc]]);
    expect(parseRfc4180(out)).toEqual([["x", "1", "", desc]]);
    expect(Papa.parse<string[]>(out, { newline: "\r\n" }).data[0]).toEqual(["x", "1", "", desc]);
  });

  it("keeps a one-column record with an empty value as a record, not a blank line", () => {
    const one = csvWriter(["amount"]);
    expect(one.rows([[null], ["3"]])).toBe('""\r\n3\r\n');
  });

  it("round-trips any table through both parsers (text cells neutralised, others as written)", () => {
    const kinds: CellKind[] = ["text", "integer", "text"];
    const writer = csvWriter(kinds);
    const cell = fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom("a", ",", '"', "\r", "\n", "=", "-", "+", "@", "\t", " ", "ش", "۱") }));
    fc.assert(
      fc.property(fc.array(fc.tuple(cell, fc.integer().map(String), cell), { minLength: 1, maxLength: 8 }), (table) => {
        const text = writer.header(["a", "b", "c"]) + writer.rows(table);
        const expected = [["a", "b", "c"], ...table.map(([x, n, y]) => [neutralizeFormula(x), n, neutralizeFormula(y)])];
        expect(parseRfc4180(text)).toEqual(expected);
        const papa = Papa.parse<string[]>(text, { newline: "\r\n" });
        expect(papa.errors).toEqual([]);
        // papaparse reports the final CRLF as one empty trailing row.
        expect(papa.data.slice(0, -1)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe("parseRfc4180 (the strict test parser)", () => {
  it.each([
    ['a,b\r\n"x"y,z\r\n', "text after a closing quote"],
    ["a,b\r\nx,y", "does not end with CRLF"],
    ['a,b\r\nx"y,z\r\n', "quote inside an unquoted field"],
    ["a,b\nx,y\n", "bare CR or LF"],
    ["a,b\r\nx\r\n", "has 1 fields"],
  ])("refuses %j", (text, why) => {
    expect(() => parseRfc4180(text)).toThrow(why);
  });
});
