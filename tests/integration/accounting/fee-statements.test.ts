import { sql } from "drizzle-orm";
import { rows } from "../../../db/client.server";
import {
  getFeeStatement,
  issueFeeStatements,
  monthOf,
  monthPeriod,
  previousMonth,
  rateOn,
  statementTotals,
  vatOf,
  vatRatesOf,
  type FeeLine,
} from "../../../app/modules/accounting/fee-statements.server";
import ExcelJS from "exceljs";
import Papa from "papaparse";
import { openStatementLines } from "../../../app/modules/accounting/statement-lines.server";
import { demoSeededAt, useTestDatabase } from "../../support/db";

/**
 * Fee statements: totals equal an independent SQL sum of the ledger's fee postings over
 * the month in the merchant's zone and calendar; VAT at the country's rate of the day,
 * rounded once per rate group; numbered, idempotent and immutable.
 */
const t = useTestDatabase({ seed: "demo" });

const COFFEE = { merchantId: "mer_demo_coffee" }; // Iran, Asia/Tehran, IRR, Jalali books
const NORTHWIND = { merchantId: "mer_northwind" }; // US, America/New_York, USD, Gregorian books
const NOW = demoSeededAt();

describe("VAT rounding rule", () => {
  it("rounds each rate group half away from zero, in minor units", () => {
    expect(vatOf(15n, 1000)).toBe(2n); // 1.5 -> 2
    expect(vatOf(14n, 1000)).toBe(1n); // 1.4 -> 1
    expect(vatOf(-15n, 1000)).toBe(-2n);
    expect(vatOf(1_234_567n, 900)).toBe(111_111n); // 111,111.03
    expect(vatOf(5n, 1000)).toBe(1n); // 0.5 -> 1
    expect(vatOf(0n, 1000)).toBe(0n);
  });

  it("a month across Iran's rate change (20 March 2024) shows two groups, each rounded once", async () => {
    const rates = await vatRatesOf(t.db, "IR");
    expect(rateOn(rates, "2024-03-19")).toBe(900);
    expect(rateOn(rates, "2024-03-20")).toBe(1000);
    const line = (day: string, fee: bigint): FeeLine => ({ ledgerTransactionId: `txn_${day}_${fee}`, createdAt: new Date(`${day}T08:00:00Z`), localDay: day, category: "charge", sourceId: "pay_x", description: null, currency: "IRR", gross: fee * 40n, fee });
    // Three fees of 5 rials at 9 %: per line each would round to 0 (0.45); per group 15 x 9 % = 1.35 -> 1.
    const lines = [line("2024-03-01", 5n), line("2024-03-10", 5n), line("2024-03-19", 5n), line("2024-03-20", 1_005n), line("2024-03-31", 1_000n)];
    const totals = statementTotals(lines, rates);
    expect(totals.groups).toEqual([
      { rateBps: 900, fromDay: "2024-03-01", toDay: "2024-03-19", lines: 3, fees: "15", vat: "1" },
      { rateBps: 1000, fromDay: "2024-03-20", toDay: "2024-03-31", lines: 2, fees: "2005", vat: "201" },
    ]);
    expect(totals.feeTotal).toBe(2_020n);
    expect(totals.vatTotal).toBe(202n);
    expect(totals.total).toBe(2_222n);
  });
});

describe("issuing a month's fee statement", () => {
  it("Jalali month in Tehran: totals = the ledger's fee postings of that Jalali month (independent SQL), VAT 10 %", async () => {
    const ref = previousMonth(monthOf(NOW, "jalali", "Asia/Tehran"));
    const r = await issueFeeStatements(COFFEE, ref, { now: NOW, userId: null });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.created).toBe(true);
    const [s] = r.statements;
    expect(s!.currency).toBe("IRR");
    // Independently: the month by jalali_date_text (the SQL calendar) over local days, not by our period bounds.
    const prefix = `${ref.year}/${String(ref.month).padStart(2, "0")}/`;
    const [ledger] = await rows<{ fees: string; n: string }>(
      t.db,
      sql`select coalesce(sum(le.amount), 0)::text as fees, count(distinct lt.id)::text as n
          from ledger_entries le join ledger_transactions lt on lt.merchant_id = le.merchant_id and lt.id = le.transaction_id
          where le.merchant_id = 'mer_demo_coffee' and le.account = 'platform_fees'
            and jalali_date_text((lt.created_at at time zone 'Asia/Tehran')::date) like ${prefix + "%"}`,
    );
    expect(BigInt(ledger!.fees)).toBeGreaterThan(0n);
    expect(s!.feeTotal).toBe(BigInt(ledger!.fees));
    expect(s!.lineCount).toBe(Number(ledger!.n));
    expect(s!.vatTotal).toBe(vatOf(s!.feeTotal, 1000));
    expect(s!.total).toBe(s!.feeTotal + s!.vatTotal);
    expect(s!.merchantDetails).toMatchObject({ id: "mer_demo_coffee", country: "IR" });
    expect(s!.providerDetails.name).toEqual(expect.any(String));

    // The lines sum to the total, and each says its rate.
    const full = (await getFeeStatement(COFFEE, s!.id))!;
    expect(full.lines).toHaveLength(s!.lineCount);
    expect(full.lines.reduce((a, l) => a + l.fee, 0n)).toBe(s!.feeTotal);
    expect(new Set(full.lines.map((l) => l.rateBps))).toEqual(new Set([1000]));
  });

  it("Gregorian month in New York: totals = the fee postings between local midnights, no VAT in the US", async () => {
    const ref = previousMonth(monthOf(NOW, "gregorian", "America/New_York"));
    const r = await issueFeeStatements(NORTHWIND, ref, { now: NOW, userId: null });
    if (!r.ok) throw new Error(r.error.message);
    const [s] = r.statements;
    const start = `${ref.year}-${String(ref.month).padStart(2, "0")}-01`;
    const [ledger] = await rows<{ fees: string }>(
      t.db,
      sql`select coalesce(sum(le.amount), 0)::text as fees
          from ledger_entries le join ledger_transactions lt on lt.merchant_id = le.merchant_id and lt.id = le.transaction_id
          where le.merchant_id = 'mer_northwind' and le.account = 'platform_fees'
            and lt.created_at >= (${start}::date)::timestamp at time zone 'America/New_York'
            and lt.created_at < ((${start}::date) + interval '1 month')::timestamp at time zone 'America/New_York'`,
    );
    expect(s!.feeTotal).toBe(BigInt(ledger!.fees));
    expect(s!.feeTotal).toBeGreaterThan(0n);
    expect(s!.vatTotal).toBe(0n);
    expect(s!.periodStart).toEqual(monthPeriod(ref, "America/New_York").from);
  });

  it("the lines file streams in batches: every line once, in order, the fee column sums to the statement (CSV and workbook)", async () => {
    const ref = previousMonth(monthOf(NOW, "gregorian", "America/New_York"));
    const r = await issueFeeStatements(NORTHWIND, ref, { now: NOW, userId: null });
    if (!r.ok) throw new Error(r.error.message);
    const s = r.statements[0]!;
    expect(s.lineCount).toBeGreaterThan(14);
    const ctx = { user: { id: "usr_test", email: "t@test", name: "T", locale: null, digits: null, irrDisplay: null, twoFactorEnabled: false }, merchant: { name: "Northwind Books" }, scope: NORTHWIND } as never;
    const input = { signal: new AbortController().signal, client: { ip: null, userAgent: "test" }, persian: false, batchSize: 7 };
    const csv = await openStatementLines(ctx, s.id, "csv", input);
    const parsed = Papa.parse<Record<string, string>>(await new Response(csv!.body).text(), { header: true, skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    expect(parsed.data.map((l) => Number(l.line))).toEqual(Array.from({ length: s.lineCount }, (_, i) => i + 1));
    const cents = (v: string) => BigInt(v.replace(".", ""));
    expect(parsed.data.reduce((sum, l) => sum + cents(l.fee!), 0n)).toBe(s.feeTotal);

    const xlsx = await openStatementLines(ctx, s.id, "xlsx", input);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await new Response(xlsx!.body).arrayBuffer()) as never);
    const sheet = wb.worksheets[0]!;
    // Header, the lines, and the totals row.
    expect(sheet.actualRowCount).toBe(s.lineCount + 2);
    const feeColumn = (sheet.getRow(1).values as unknown[]).indexOf("fee");
    const total = sheet.getRow(s.lineCount + 2).getCell(feeColumn).value as { formula: string; result: number };
    expect(total.formula).toBe(`SUBTOTAL(9,J2:J${s.lineCount + 1})`);
    expect(Math.round(total.result * 100)).toBe(Number(s.feeTotal));
    expect(await openStatementLines(ctx, "fs_missing", "csv", input)).toBeNull();
  });

  it("is numbered without gaps, issuing again returns the same statement, and the database refuses to change it", async () => {
    const ref = previousMonth(previousMonth(monthOf(NOW, "jalali", "Asia/Tehran")));
    const first = await issueFeeStatements(COFFEE, ref, { now: NOW, userId: null });
    const again = await issueFeeStatements(COFFEE, ref, { now: new Date(NOW.getTime() + 86_400_000), userId: null });
    if (!first.ok || !again.ok) throw new Error("not issued");
    expect(again.created).toBe(false);
    expect(again.statements.map((s) => [s.id, s.number, s.total])).toEqual(first.statements.map((s) => [s.id, s.number, s.total]));
    const numbers = await rows<{ number: number }>(t.db, sql`select number from fee_statements where merchant_id = 'mer_demo_coffee' order by number`);
    expect(numbers.map((n) => Number(n.number))).toEqual(numbers.map((_, i) => i + 1));

    const refusal = (q: Promise<unknown>) => q.then(() => "done", (e: Error & { cause?: Error }) => String(e.cause?.message ?? e.message));
    expect(await refusal(t.db.execute(sql`update fee_statements set fee_total = 0, total = vat_total where merchant_id = 'mer_demo_coffee'`))).toBe("fee_statements is append-only: UPDATE refused");
    expect(await refusal(t.db.execute(sql`delete from fee_statement_lines where merchant_id = 'mer_demo_coffee'`))).toBe("fee_statement_lines is append-only: DELETE refused");
  });

  it("refuses a month that is not over yet, naming the day it ends", async () => {
    const ref = monthOf(NOW, "jalali", "Asia/Tehran");
    const r = await issueFeeStatements(COFFEE, ref, { now: NOW, userId: null });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe("month_not_over");
    expect(r.error.message).toMatch(/^This month ends on \d{4}-\d{2}-\d{2} 00:00 \(Asia\/Tehran\): a statement can be issued once it is over\.$/);
  });
});
