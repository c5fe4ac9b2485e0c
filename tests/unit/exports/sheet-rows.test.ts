import { describe, expect, it } from "vitest";
import { NoteTotals } from "~/modules/exports/export.server";
import { SheetRowWriter, type SheetLayout } from "~/modules/exports/sheet-rows";

/**
 * The workbook's COPY path reads the server's values (COPY text format) as bytes: each
 * field wrapped in its column's cell markup, `r` only where a cell was left out before it,
 * text escaped for XML (COPY's own escapes undone), the totals summed exactly (doubles
 * while exact, then bigint) and the widths sampled from the first rows.
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

// id (text), amount (styled by currency), created (date-time, style 5), note (text)
const LAYOUT: SheetLayout = {
  fields: [{ kind: "text" }, { kind: "amount" }, { kind: "number", style: 5 }, { kind: "text" }],
  letters: ["A", "B", "C", "D"],
  amountStyle: true,
  totals: 1,
};

describe("sheet rows from the server's values, as bytes", () => {
  it("writes cells from the fields, references only after a gap, counts the rows, samples widths and sums totals exactly", () => {
    const lines = [
      // style, currency, total, widths, then the four columns
      "4\tUSD\t1250\t9,4,0,7\tpay_1\t12.50\t45678.5\tcaf\u00e9 \u0641\u0631\u0648\u0634\n",
      "3\tIRR\t9007199254740000\t\\N\tpay_2\t9007199254740000\t\\N\t a <b> & \"c\" \\\\ \\t \\n\u0007\n",
      "3\tIRR\t-5\t\\N\t\t-5\t45678.25\t\\N\n",
      "3\t\t\t\\N\tpay_4\t\\N\t\\N\t\n",
    ];
    const w = exact();
    const totals = new NoteTotals(w, [1]);
    const widths: [string, number[]][] = [];
    const sheet = new SheetRowWriter(LAYOUT, { totals: (c, b, f, t) => totals.add(c, b, f, t), widths: (c, l) => widths.push([c, l]) });
    // Two chunks: rows are numbered on across them.
    const a = sheet.write(Buffer.from(lines.slice(0, 2).join(""), "utf8"));
    const b = sheet.write(Buffer.from(lines.slice(2).join(""), "utf8"));
    totals.flush();
    expect(a.rows + b.rows).toBe(4);
    expect(sheet.nextRow).toBe(6);
    expect(a.xml.toString("utf8") + b.xml.toString("utf8")).toBe(
      [
        '<row r="2"><c r="A2" t="inlineStr"><is><t>pay_1</t></is></c><c s="4"><v>12.50</v></c><c s="5"><v>45678.5</v></c><c t="inlineStr"><is><t>caf\u00e9 \u0641\u0631\u0648\u0634</t></is></c></row>',
        '<row r="3"><c r="A3" t="inlineStr"><is><t>pay_2</t></is></c><c s="3"><v>9007199254740000</v></c><c r="D3" t="inlineStr"><is><t xml:space="preserve"> a &lt;b&gt; &amp; &quot;c&quot; \\ &#9; &#10;\uFFFD</t></is></c></row>',
        '<row r="4"><c r="B4" s="3"><v>-5</v></c><c s="5"><v>45678.25</v></c></row>',
        '<row r="5"><c r="A5" t="inlineStr"><is><t>pay_4</t></is></c></row>',
      ].join(""),
    );
    expect(widths).toEqual([["USD", [9, 4, 0, 7]]]);
    expect(Object.fromEntries(w.sums)).toEqual({ "USD:1": 1250n, "IRR:1": 9007199254739995n });
  });

  it("sums totals past 2^53 exactly, and a NULL total as nothing", () => {
    const w = exact();
    const totals = new NoteTotals(w, [5, 6, 7]);
    const line = (s: string) => Buffer.from(s, "latin1");
    const add = (currency: string, s: string) => totals.add(currency, line(s), 0, s.length);
    add("IRR", "9007199254740000\t0\t");
    add("IRR", "9007199254740000\t-5\t12345678901234567890");
    add("", "\t7\t");
    totals.flush();
    expect(Object.fromEntries(w.sums)).toEqual({
      "IRR:5": 18014398509480000n,
      "IRR:6": -5n,
      "IRR:7": 12345678901234567890n,
      ":6": 7n,
    });
  });
});
