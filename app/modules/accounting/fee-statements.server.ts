/**
 * Monthly fee statements: what we charged a merchant in fees in one month of its books
 * (Jalali or Gregorian months in its time zone), with VAT at its country's rate, numbered
 * and immutable once issued (the database refuses UPDATE and DELETE on both tables).
 *
 * The fees are the ledger's postings to `platform_fees` (chargePosting: the fee kept from
 * each captured payment), one line per balance transaction, dated by the transaction's
 * creation in the merchant's zone: the statement's fee total is exactly the sum of those
 * postings in [month start, next month start).
 *
 * VAT rounding rule: VAT is computed per statement, not per line. The month's fees are
 * grouped by the VAT rate in force on each fee's local day (vat_rates: the latest
 * effective_from on or before that day); each group's VAT is its fee sum x rate, rounded
 * half away from zero to the currency's minor unit (whole rials for IRR, cents for USD);
 * the statement's VAT is the sum of the groups'. A month across a rate change (a Gregorian
 * March in Iran: 9 % until 19 March 2024, 10 % from 20 March) therefore shows two groups.
 * Rounding once per group keeps the statement within half a minor unit of the exact tax per
 * rate, where rounding per line could drift by up to half a unit per fee.
 */
import { sql } from "drizzle-orm";
import { db, rows, type DbOrTx } from "~db/client.server";
import { feeStatementLines, feeStatements } from "~db/schema";
import { jalaliToUtc, toJalali } from "~/lib/dates/jalali";
import { localDateKey, parseLocalDateKey, zonedParts } from "~/lib/dates/zones";
import { env } from "~/lib/env.server";
import { failure, type Result, type Scope } from "~/lib/vocabulary";

export type StatementCalendar = "gregorian" | "jalali";

export interface MerchantBooks {
  merchantId: string;
  name: string;
  legalName: string | null;
  country: string;
  timeZone: string;
  currency: string;
  contactEmail: string | null;
  contactPhone: string | null;
  website: string | null;
  statementCalendar: string | null;
}

/** The calendar of a merchant's books: its choice, else Jalali for Iranian merchants. */
export function booksCalendar(m: { statementCalendar: string | null; country: string }): StatementCalendar {
  if (m.statementCalendar === "jalali" || m.statementCalendar === "gregorian") return m.statementCalendar;
  return m.country === "IR" ? "jalali" : "gregorian";
}

export interface MonthRef {
  calendar: StatementCalendar;
  year: number;
  month: number;
}

/** The same month of the same calendar. */
export function sameMonth(a: MonthRef, b: MonthRef): boolean {
  return a.calendar === b.calendar && a.year === b.year && a.month === b.month;
}

/** [start, end) of a month of `calendar` in `tz`. */
export function monthPeriod(ref: MonthRef, tz: string): { from: Date; to: Date } {
  if (ref.calendar === "jalali") {
    const next = ref.month === 12 ? { year: ref.year + 1, month: 1 } : { year: ref.year, month: ref.month + 1 };
    return { from: jalaliToUtc({ year: ref.year, month: ref.month, day: 1 }, tz), to: jalaliToUtc({ ...next, day: 1 }, tz) };
  }
  const key = (y: number, m: number) => `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-01`;
  const next = ref.month === 12 ? [ref.year + 1, 1] : [ref.year, ref.month + 1];
  return { from: parseLocalDateKey(key(ref.year, ref.month), tz), to: parseLocalDateKey(key(next[0]!, next[1]!), tz) };
}

/** The month of `calendar` that contains `at` in `tz`. */
export function monthOf(at: Date, calendar: StatementCalendar, tz: string): MonthRef {
  if (calendar === "jalali") {
    const j = toJalali(at, tz);
    return { calendar, year: j.year, month: j.month };
  }
  const p = zonedParts(at, tz);
  return { calendar, year: p.year, month: p.month };
}

export function previousMonth(ref: MonthRef): MonthRef {
  return ref.month === 1 ? { ...ref, year: ref.year - 1, month: 12 } : { ...ref, month: ref.month - 1 };
}

export function nextMonth(ref: MonthRef): MonthRef {
  return ref.month === 12 ? { ...ref, year: ref.year + 1, month: 1 } : { ...ref, month: ref.month + 1 };
}

export function monthKey(ref: MonthRef): string {
  return `${ref.year}-${String(ref.month).padStart(2, "0")}`;
}

/** "2025-03" (or "1404-01" for Jalali) -> the month; null when malformed. */
export function parseMonthKey(key: string, calendar: StatementCalendar): MonthRef | null {
  const m = /^(\d{4})-(\d{2})$/.exec(key);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (month < 1 || month > 12) return null;
  if (calendar === "jalali" ? year < 1300 || year > 1500 : year < 1970 || year > 2200) return null;
  return { calendar, year, month };
}

/* --------------------------------- VAT --------------------------------- */

export interface VatRate {
  effectiveFrom: string;
  rateBps: number;
  note: string;
}

export async function vatRatesOf(dbx: DbOrTx, country: string): Promise<VatRate[]> {
  return rows<VatRate>(
    dbx,
    sql`select effective_from::text as "effectiveFrom", rate_bps as "rateBps", note from vat_rates where country = ${country} order by effective_from`,
  );
}

/** The rate in force on a local day (the latest effective_from on or before it); 0 without one. */
export function rateOn(rates: readonly VatRate[], day: string): number {
  let rate = 0;
  for (const r of rates) if (r.effectiveFrom <= day) rate = r.rateBps;
  return rate;
}

/** amount x bps / 10000, rounded half away from zero, in minor units. */
export function vatOf(amount: bigint, bps: number): bigint {
  const n = amount * BigInt(bps);
  const q = n / 10000n;
  const r = n % 10000n;
  if (r * 2n >= 10000n) return q + 1n;
  if (r * 2n <= -10000n) return q - 1n;
  return q;
}

/** Sets (or replaces) a rate from a day on: the operator's tool (npm run vat). */
export async function setVatRate(dbx: DbOrTx, country: string, effectiveFrom: string, rateBps: number, note: string): Promise<void> {
  if (!/^[A-Z]{2}$/.test(country)) throw new RangeError("country: use an ISO 3166 code such as IR or US");
  if (!/^\d{4}-\d{2}-\d{2}$/.test(effectiveFrom)) throw new RangeError("from: use a date as YYYY-MM-DD");
  if (!Number.isInteger(rateBps) || rateBps < 0 || rateBps > 10000) throw new RangeError("rate: a percentage between 0 and 100 with at most two decimals");
  await dbx.execute(sql`insert into vat_rates (country, effective_from, rate_bps, note, updated_at)
    values (${country}, ${effectiveFrom}::date, ${rateBps}, ${note}, now())
    on conflict (country, effective_from) do update set rate_bps = excluded.rate_bps, note = excluded.note, updated_at = now()`);
}

/* ------------------------------ the lines ------------------------------ */

export interface FeeLine {
  ledgerTransactionId: string;
  createdAt: Date;
  localDay: string;
  category: string;
  sourceId: string;
  description: string | null;
  currency: string;
  gross: bigint;
  fee: bigint;
}

/** Every fee posting of [from, to), one line per balance transaction, in order. */
export async function feeLinesOf(dbx: DbOrTx, merchantId: string, period: { from: Date; to: Date }, tz: string): Promise<FeeLine[]> {
  const raw = await rows<{ id: string; created_at: Date | string; local_day: string; category: string; source_id: string; description: string | null; currency: string; gross: string; fee: string }>(
    dbx,
    sql`select lt.id, lt.created_at, (lt.created_at at time zone ${tz})::date::text as local_day, lt.category::text as category,
          lt.source_id, coalesce(p.description, lt.description) as description, le.currency,
          lt.gross::text as gross, sum(le.amount)::text as fee
        from ledger_entries le
        join ledger_transactions lt on lt.merchant_id = le.merchant_id and lt.id = le.transaction_id
        left join payments p on lt.source_type = 'payment' and p.merchant_id = lt.merchant_id and p.id = lt.source_id
        where le.merchant_id = ${merchantId} and le.account = 'platform_fees'
          and lt.created_at >= ${period.from.toISOString()}::timestamptz and lt.created_at < ${period.to.toISOString()}::timestamptz
        group by lt.id, lt.created_at, lt.category, lt.source_id, p.description, lt.description, le.currency, lt.gross
        having sum(le.amount) <> 0
        order by lt.created_at, lt.id`,
  );
  return raw.map((r) => ({
    ledgerTransactionId: r.id,
    createdAt: r.created_at instanceof Date ? r.created_at : new Date(r.created_at),
    localDay: r.local_day,
    category: r.category,
    sourceId: r.source_id,
    description: r.description,
    currency: r.currency.trim(),
    gross: BigInt(r.gross),
    fee: BigInt(r.fee),
  }));
}

export interface VatGroup {
  rateBps: number;
  fromDay: string;
  toDay: string;
  lines: number;
  fees: string;
  vat: string;
}

/** The statement's arithmetic (the rounding rule above): fee total, VAT per rate group, total. */
export function statementTotals(lines: readonly FeeLine[], rates: readonly VatRate[]): { feeTotal: bigint; vatTotal: bigint; total: bigint; groups: VatGroup[]; rateOf: (l: FeeLine) => number } {
  const groups = new Map<number, { fees: bigint; lines: number; fromDay: string; toDay: string }>();
  let feeTotal = 0n;
  for (const l of lines) {
    const rate = rateOn(rates, l.localDay);
    const g = groups.get(rate) ?? { fees: 0n, lines: 0, fromDay: l.localDay, toDay: l.localDay };
    g.fees += l.fee;
    g.lines += 1;
    if (l.localDay < g.fromDay) g.fromDay = l.localDay;
    if (l.localDay > g.toDay) g.toDay = l.localDay;
    groups.set(rate, g);
    feeTotal += l.fee;
  }
  let vatTotal = 0n;
  const out: VatGroup[] = [];
  for (const [rateBps, g] of [...groups].sort((a, b) => (a[1].fromDay < b[1].fromDay ? -1 : 1))) {
    const vat = vatOf(g.fees, rateBps);
    vatTotal += vat;
    out.push({ rateBps, fromDay: g.fromDay, toDay: g.toDay, lines: g.lines, fees: g.fees.toString(), vat: vat.toString() });
  }
  return { feeTotal, vatTotal, total: feeTotal + vatTotal, groups: out, rateOf: (l) => rateOn(rates, l.localDay) };
}

/* ------------------------------ statements ----------------------------- */

/** Who issues the statements: the payment provider (us). Set in the environment for a real deployment. */
export function providerDetails(): Record<string, string> {
  return { name: env.PROVIDER_LEGAL_NAME, address: env.PROVIDER_ADDRESS, taxId: env.PROVIDER_TAX_ID, email: env.PROVIDER_EMAIL };
}

export function merchantDetails(m: MerchantBooks): Record<string, string> {
  return {
    id: m.merchantId,
    name: m.name,
    legalName: m.legalName ?? m.name,
    country: m.country,
    email: m.contactEmail ?? "",
    phone: m.contactPhone ?? "",
    website: m.website ?? "",
  };
}

export async function merchantBooks(dbx: DbOrTx, merchantId: string): Promise<MerchantBooks> {
  const [m] = await rows<MerchantBooks>(
    dbx,
    sql`select id as "merchantId", name, legal_name as "legalName", country, time_zone as "timeZone", currency,
          contact_email as "contactEmail", contact_phone as "contactPhone", website, statement_calendar as "statementCalendar"
        from merchants where id = ${merchantId}`,
  );
  if (!m) throw new Error(`no merchant ${merchantId}`);
  return { ...m, currency: m.currency.trim() };
}

export interface FeeStatement {
  id: string;
  number: number;
  calendar: StatementCalendar;
  year: number;
  month: number;
  timeZone: string;
  periodStart: Date;
  periodEnd: Date;
  currency: string;
  lineCount: number;
  feeTotal: bigint;
  vatTotal: bigint;
  total: bigint;
  vatBreakdown: VatGroup[];
  merchantDetails: Record<string, string>;
  providerDetails: Record<string, string>;
  issuedAt: Date;
}

function fromRow(r: Record<string, unknown>): FeeStatement {
  const json = <T>(v: unknown) => (typeof v === "string" ? (JSON.parse(v) as T) : (v as T));
  const date = (v: unknown) => (v instanceof Date ? v : new Date(String(v)));
  return {
    id: String(r.id),
    number: Number(r.number),
    calendar: r.calendar as StatementCalendar,
    year: Number(r.year),
    month: Number(r.month),
    timeZone: String(r.time_zone),
    periodStart: date(r.period_start),
    periodEnd: date(r.period_end),
    currency: String(r.currency).trim(),
    lineCount: Number(r.line_count),
    feeTotal: BigInt(String(r.fee_total)),
    vatTotal: BigInt(String(r.vat_total)),
    total: BigInt(String(r.total)),
    vatBreakdown: json<VatGroup[]>(r.vat_breakdown),
    merchantDetails: json<Record<string, string>>(r.merchant_details),
    providerDetails: json<Record<string, string>>(r.provider_details),
    issuedAt: date(r.issued_at),
  };
}

export async function listFeeStatements(scope: Scope): Promise<FeeStatement[]> {
  const r = await rows<Record<string, unknown>>(db(), sql`select * from fee_statements where merchant_id = ${scope.merchantId} order by number desc`);
  return r.map(fromRow);
}

export interface FeeStatementLine {
  lineNo: number;
  ledgerTransactionId: string;
  createdAt: Date;
  category: string;
  sourceId: string;
  description: string | null;
  gross: bigint;
  fee: bigint;
  rateBps: number;
}

/** A statement without its lines (for its lines file, streamed apart). */
export async function getFeeStatementSummary(scope: Scope, id: string): Promise<FeeStatement | null> {
  const [s] = await rows<Record<string, unknown>>(db(), sql`select * from fee_statements where merchant_id = ${scope.merchantId} and id = ${id}`);
  return s ? fromRow(s) : null;
}

export async function getFeeStatement(scope: Scope, id: string): Promise<{ statement: FeeStatement; lines: FeeStatementLine[] } | null> {
  const [s] = await rows<Record<string, unknown>>(db(), sql`select * from fee_statements where merchant_id = ${scope.merchantId} and id = ${id}`);
  if (!s) return null;
  const lines = await rows<Record<string, unknown>>(
    db(),
    sql`select line_no, ledger_transaction_id, created_at, category, source_id, description, gross::text as gross, fee::text as fee, rate_bps
        from fee_statement_lines where merchant_id = ${scope.merchantId} and statement_id = ${id} order by line_no`,
  );
  return {
    statement: fromRow(s),
    lines: lines.map((l) => ({
      lineNo: Number(l.line_no),
      ledgerTransactionId: String(l.ledger_transaction_id),
      createdAt: l.created_at instanceof Date ? l.created_at : new Date(String(l.created_at)),
      category: String(l.category),
      sourceId: String(l.source_id),
      description: (l.description as string | null) ?? null,
      gross: BigInt(String(l.gross)),
      fee: BigInt(String(l.fee)),
      rateBps: Number(l.rate_bps),
    })),
  };
}

export type IssueResult = Result<{ statements: FeeStatement[]; created: boolean }>;

/**
 * Issues the fee statement(s) of a month that has ended in the merchant's zone: one per
 * currency charged in fees (at least one, in the merchant's currency, even with no fees).
 * Issuing again returns the statements already issued: they never change. Numbers are
 * consecutive per merchant (the merchant row is locked while a number is taken).
 */
export async function issueFeeStatements(
  scope: Scope,
  ref: MonthRef,
  deps: { now: Date; userId: string | null },
): Promise<IssueResult> {
  return db().transaction(async (tx) => {
    await tx.execute(sql`select 1 from merchants where id = ${scope.merchantId} for update`);
    const m = await merchantBooks(tx, scope.merchantId);
    const tz = m.timeZone;
    const period = monthPeriod(ref, tz);
    if (period.to.getTime() > deps.now.getTime()) {
      return failure(422, "month_not_over", `This month ends on ${localDateKey(period.to, tz)} 00:00 (${tz}): a statement can be issued once it is over.`, "month");
    }
    const existing = await rows<Record<string, unknown>>(
      tx,
      sql`select * from fee_statements where merchant_id = ${scope.merchantId} and calendar = ${ref.calendar} and year = ${ref.year} and month = ${ref.month} order by currency`,
    );
    if (existing.length > 0) return { ok: true as const, statements: existing.map(fromRow), created: false };

    const lines = await feeLinesOf(tx, scope.merchantId, period, tz);
    const rates = await vatRatesOf(tx, m.country);
    const currencies = [...new Set([m.currency, ...lines.map((l) => l.currency)])].sort((a, b) => (a === m.currency ? -1 : b === m.currency ? 1 : a.localeCompare(b)));
    const [last] = await rows<{ n: number | null }>(tx, sql`select max(number) as n from fee_statements where merchant_id = ${scope.merchantId}`);
    let number = Number(last?.n ?? 0);
    const out: FeeStatement[] = [];
    for (const currency of currencies) {
      const mine = lines.filter((l) => l.currency === currency);
      if (mine.length === 0 && currency !== m.currency) continue;
      const totals = statementTotals(mine, rates);
      number += 1;
      const id = `fs_${String(number).padStart(6, "0")}`;
      const row = {
        merchantId: scope.merchantId,
        id,
        number,
        calendar: ref.calendar,
        year: ref.year,
        month: ref.month,
        timeZone: tz,
        periodStart: period.from,
        periodEnd: period.to,
        currency,
        lineCount: mine.length,
        feeTotal: totals.feeTotal,
        vatTotal: totals.vatTotal,
        total: totals.total,
        vatBreakdown: totals.groups,
        merchantDetails: merchantDetails(m),
        providerDetails: providerDetails(),
        issuedAt: deps.now,
        issuedByUserId: deps.userId,
      };
      await tx.insert(feeStatements).values(row);
      for (let i = 0; i < mine.length; i += 1000) {
        await tx.insert(feeStatementLines).values(
          mine.slice(i, i + 1000).map((l, k) => ({
            merchantId: scope.merchantId,
            statementId: id,
            lineNo: i + k + 1,
            ledgerTransactionId: l.ledgerTransactionId,
            createdAt: l.createdAt,
            category: l.category,
            sourceId: l.sourceId,
            description: l.description,
            gross: l.gross,
            fee: l.fee,
            rateBps: totals.rateOf(l),
          })),
        );
      }
      out.push({ ...row, vatBreakdown: totals.groups });
    }
    return { ok: true as const, statements: out, created: true };
  });
}

/** The months the Statements page offers: the last `count` ended months of the merchant's calendar, newest first. */
export function recentMonths(now: Date, calendar: StatementCalendar, tz: string, count = 12): MonthRef[] {
  const out: MonthRef[] = [];
  let ref = previousMonth(monthOf(now, calendar, tz));
  for (let i = 0; i < count; i++) {
    out.push(ref);
    ref = previousMonth(ref);
  }
  return out;
}

/** Sets the calendar of the merchant's books (owners and admins; checked at the edge). */
export async function setBooksCalendar(scope: Scope, calendar: StatementCalendar): Promise<void> {
  await db().execute(sql`update merchants set statement_calendar = ${calendar}, updated_at = now() where id = ${scope.merchantId}`);
}
