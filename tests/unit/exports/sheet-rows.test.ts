import { describe, expect, it } from "vitest";
import { NoteTotals, takeSheetRows } from "~/modules/exports/export.server";

/**
 * The workbook's COPY path reads the server's sheet rows as bytes: the notes after each row
 * (totals' raw values, widths' lengths) are read and cut out, the rows counted, and the
 * totals summed exactly (doubles while exact, then bigint), whatever the values.
 */
function exact() {
  const sums = new Map<string, bigint>();
  return {
    sums,
    total(currency: string, column: number, v: bigint) {
      sums.set(`${currency}:${column}`, (sums.get(`${currency}:${column}`) ?? 0n) + v);
    },
  };
}

describe("sheet rows from the server, as bytes", () => {
  it("cuts the notes out, counts the rows, samples widths and sums totals exactly", () => {
    const rows = [
      `<row r="2"><c r="A2" t="inlineStr"><is><t>caf\u00e9 \u0641\u0631\u0648\u0634</t></is></c></row><!--t USD 1250 -30 1220--><!--w USD 9,0,4-->\n`,
      `<row r="3"><c r="A3" t="inlineStr"><is><t>a &lt;b&gt;</t></is></c></row><!--t IRR 9007199254740000 0 --><!--w IRR 7,-1,0-->\n`,
      `<row r="4"></row><!--t IRR 9007199254740000 -5 12345678901234567890-->\n`,
      `<row r="5"></row><!--t   7 -->\n`,
    ];
    const w = exact();
    const totals = new NoteTotals(w, [5, 6, 7]);
    const widths: [string, number[]][] = [];
    const chunk = Buffer.from(rows.join(""), "utf8");
    const { xml, rows: n } = takeSheetRows(chunk, totals, (c, l) => widths.push([c, l]));
    totals.flush();
    expect(n).toBe(4);
    expect(xml.toString("utf8")).toBe(rows.map((r) => r.replace(/<!--.*?-->/g, "")).join(""));
    expect(widths).toEqual([
      ["USD", [9, 0, 4]],
      ["IRR", [7, -1, 0]],
    ]);
    expect(Object.fromEntries(w.sums)).toEqual({
      "USD:5": 1250n,
      "USD:6": -30n,
      "USD:7": 1220n,
      "IRR:5": 18014398509480000n,
      "IRR:6": -5n,
      "IRR:7": 12345678901234567890n,
      ":6": 7n,
    });
  });

  it("a chunk without notes is passed on as it is", () => {
    const chunk = Buffer.from(`<row r="2"></row>\n<row r="3"></row>\n`);
    const out = takeSheetRows(chunk, { add: () => {} }, () => {});
    expect(out.rows).toBe(2);
    expect(out.xml).toBe(chunk);
  });
});
