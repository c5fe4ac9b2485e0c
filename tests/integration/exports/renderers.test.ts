import { sql } from "drizzle-orm";
import fc from "fast-check";
import { rows } from "../../../db/client.server";
import { neutralizeFormula } from "../../../app/lib/csv-safety";
import { rowRenderer, type CellValue, type ColumnKind } from "../../../app/modules/exports/definition";
import { cellPlan, sqlLiteral } from "../../../app/modules/exports/copy.server";
import { REPORTS } from "../../../app/modules/exports/registry.server";
import { useTestDatabase } from "../../support/db";

/**
 * Every export column is defined once (its SQL, or for the computed balance summary its
 * value); what differs between the streamed CSV and the COPY CSV is only how each KIND of
 * cell is rendered: in JavaScript (definition.ts rowRenderer) or by the server
 * (copy.server.ts cellPlan). This compares the two renderers kind by kind, on whatever
 * database the suite runs on (PGlite included), over hostile text, amounts of every size
 * and sign in every currency, and instants around the clock changes of the zones we serve.
 * The byte-for-byte comparison of whole COPY files (copy.test.ts) needs a real server.
 */
const t = useTestDatabase({ seed: "none" });

type Case = { value: CellValue; currency: string };

/** The cells as the server renders them for COPY (text neutralised; NULL text is "", as COPY's FORCE_QUOTE writes it). */
async function serverCells(kind: ColumnKind, cases: Case[], timeZone: string, amounts: "major" | "minor"): Promise<(string | null)[]> {
  const literal = (v: CellValue): string => {
    if (v === null || v === undefined) return "NULL";
    if (v instanceof Date) return `${sqlLiteral(v.toISOString())}::timestamptz`;
    if (kind === "date" || kind === "jalali_date") return `${sqlLiteral(String(v))}::date`;
    if (kind === "amount" || kind === "integer") return `${String(v)}::bigint`;
    return sqlLiteral(String(v));
  };
  const plan = cellPlan(kind, "x.v", { timeZone, amounts, currency: "x.cur" });
  const values = cases.map((c, i) => `(${i}, ${literal(c.value)}, ${sqlLiteral(c.currency)})`).join(", ");
  const out = await rows<{ c: string | null }>(
    t.db,
    sql.raw(`select ${plan.render(plan.values.map((v) => `(${v})`))} as c from (values ${values}) x(i, v, cur) order by x.i`),
  );
  return out.map((r) => r.c);
}

function jsCells(kind: ColumnKind, cases: Case[], timeZone: string, amounts: "major" | "minor"): (string | null)[] {
  const render = rowRenderer([kind], { timeZone, amounts });
  return cases.map((c) => {
    const cell = render({ cells: [c.value], currency: c.currency })[0]!;
    return kind === "text" ? neutralizeFormula(cell ?? "") : cell;
  });
}

const ZONES = ["Asia/Tehran", "America/New_York", "UTC", "Europe/London", "Asia/Kolkata"];

const INSTANTS = [
  "2021-03-14T06:59:59.999Z",
  "2021-03-14T07:00:00Z",
  "2021-11-07T05:30:00.5Z",
  "2021-11-07T06:30:00Z",
  "2022-03-21T20:29:59Z",
  "2022-03-21T20:30:00Z",
  "2025-03-20T20:30:00Z",
  "1969-12-31T23:59:59.001Z",
  "2000-02-29T12:00:00Z",
].map((s) => new Date(s));

describe("one definition per column: the JavaScript and the server render every kind of cell alike", () => {
  it("text: hostile, empty, NULL, Persian", async () => {
    const texts = ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\tTab", "\rCR", "\nLF", "\uFF1D1", "'quoted", "", " space ", "سلام، دنیا", "plain", null];
    const cases = texts.map((value) => ({ value, currency: "USD" }));
    expect(jsCells("text", cases, "UTC", "major")).toEqual(await serverCells("text", cases, "UTC", "major"));
  });

  it("amounts in every currency, major and minor, of any size and sign", async () => {
    const amounts = fc.sample(fc.bigInt({ min: -(10n ** 17n), max: 10n ** 17n }), { numRuns: 200, seed: 21 });
    const cases: Case[] = [];
    for (const currency of ["USD", "IRR", "EUR", "XYZ"]) {
      for (const value of [0n, 1n, -1n, 5n, -5n, 99n, 100n, -1234567n, ...amounts.slice(0, 50), null]) cases.push({ value, currency });
    }
    for (const amounts of ["major", "minor"] as const) {
      expect(jsCells("amount", cases, "UTC", amounts)).toEqual(await serverCells("amount", cases, "UTC", amounts));
    }
  });

  it("date-times, their UTC twins and Jalali twins, in every zone, across clock changes and on random instants", async () => {
    const random = fc
      .sample(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) }), { numRuns: 300, seed: 7 })
      .map((ms) => new Date(ms));
    const cases = [...INSTANTS, ...random, null].map((value) => ({ value, currency: "" }));
    for (const tz of ZONES) {
      for (const kind of ["local", "utc", "jalali"] as const) {
        expect(jsCells(kind, cases, tz, "major"), `${kind} in ${tz}`).toEqual(await serverCells(kind, cases, tz, "major"));
      }
    }
  });

  it("dates, Jalali dates and integers", async () => {
    const days = ["2025-03-20", "2025-03-21", "2024-02-29", "1999-12-31", null].map((value) => ({ value, currency: "" }));
    expect(jsCells("date", days, "UTC", "major")).toEqual(await serverCells("date", days, "UTC", "major"));
    expect(jsCells("jalali_date", days, "UTC", "major")).toEqual(await serverCells("jalali_date", days, "UTC", "major"));
    const ints = [0n, 7n, -3n, 9007199254740993n, null].map((value) => ({ value, currency: "" }));
    expect(jsCells("integer", ints, "UTC", "major")).toEqual(await serverCells("integer", ints, "UTC", "major"));
  });

  it("every column of every report has exactly one definition, SQL wherever the report is read with SQL", () => {
    for (const report of Object.values(REPORTS)) {
      for (const c of report.columns) {
        const defs = [c.sql !== undefined, typeof c.value === "function"].filter(Boolean).length;
        expect(defs, `${report.id}.${c.key}`).toBe(1);
        if (report.id !== "balance-summary") expect(c.sql, `${report.id}.${c.key}`).toEqual(expect.any(String));
      }
    }
  });
});
