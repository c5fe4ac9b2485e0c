/**
 * Month-end close: a month of the merchant's books (its calendar and zone) with its
 * opening balance, activity by category, payouts sent and still in transit, and closing
 * balance per currency, tying out as the balance summary does (opening + activity =
 * closing, the merchant balance of the ledger at each end). An accountant marks a month
 * closed (audited at the edge): its figures are kept as they were, and the database books
 * any later posting dated in it at the start of the next open month
 * (book_into_open_month, db/migrations/0000_baseline.sql), so a closed month never changes.
 */
import { sql } from "drizzle-orm";
import { db, rows, type DbOrTx } from "~db/client.server";
import { monthCloses } from "~db/schema";
import { localDateKey } from "~/lib/dates/zones";
import { balanceSummary } from "~/modules/exports/reports/balance-summary.server";
import { booksCalendar, merchantBooks, monthPeriod, type MonthRef } from "./fee-statements.server";
import { failure, type Result, type Scope } from "~/lib/vocabulary";

export interface CloseLine {
  line: string;
  description: string;
  count: number | null;
  amount: string;
}

export interface CurrencyFigures {
  currency: string;
  lines: CloseLine[];
  /** Sent to the bank and not yet confirmed at the end of the month. */
  inTransit: string;
}

export interface MonthFigures {
  ref: MonthRef;
  timeZone: string;
  periodStart: Date;
  periodEnd: Date;
  currencies: CurrencyFigures[];
}

/** The month's figures from the ledger as it is now. */
export async function monthFigures(scope: Scope, ref: MonthRef, dbx: DbOrTx = db()): Promise<MonthFigures> {
  const m = await merchantBooks(dbx, scope.merchantId);
  const period = monthPeriod(ref, m.timeZone);
  const summary = await balanceSummary({ merchantId: scope.merchantId, currency: m.currency }, period, m.timeZone, dbx);
  const transit = await rows<{ currency: string; amount: string }>(
    dbx,
    sql`select currency, coalesce(sum(amount), 0)::text as amount from ledger_entries
        where merchant_id = ${scope.merchantId} and account = 'merchant_in_transit' and created_at < ${period.to.toISOString()}::timestamptz
        group by currency`,
  );
  const currencies = [...new Set(summary.map((l) => l.currency))];
  return {
    ref,
    timeZone: m.timeZone,
    periodStart: period.from,
    periodEnd: period.to,
    currencies: currencies.map((currency) => ({
      currency,
      lines: summary.filter((l) => l.currency === currency).map((l) => ({ line: l.line, description: l.description, count: l.count, amount: l.amount.toString() })),
      inTransit: transit.find((x) => x.currency.trim() === currency)?.amount ?? "0",
    })),
  };
}

export interface MonthClose {
  ref: MonthRef;
  periodStart: Date;
  periodEnd: Date;
  figures: CurrencyFigures[];
  closedAt: Date;
  closedByUserId: string | null;
}

export async function listMonthCloses(scope: Scope, dbx: DbOrTx = db()): Promise<MonthClose[]> {
  const r = await rows<Record<string, unknown>>(dbx, sql`select * from month_closes where merchant_id = ${scope.merchantId} order by period_start desc`);
  return r.map((c) => ({
    ref: { calendar: c.calendar as MonthRef["calendar"], year: Number(c.year), month: Number(c.month) },
    periodStart: new Date(String(c.period_start instanceof Date ? c.period_start.toISOString() : c.period_start)),
    periodEnd: new Date(String(c.period_end instanceof Date ? c.period_end.toISOString() : c.period_end)),
    figures: (typeof c.figures === "string" ? JSON.parse(c.figures) : c.figures) as CurrencyFigures[],
    closedAt: c.closed_at instanceof Date ? c.closed_at : new Date(String(c.closed_at)),
    closedByUserId: (c.closed_by_user_id as string | null) ?? null,
  }));
}

export type CloseResult = Result<{ close: MonthClose; created: boolean }>;

/** Marks a month closed with its figures as they are; closing it again returns the close already made. */
export async function closeMonth(scope: Scope, ref: MonthRef, deps: { now: Date; userId: string | null }): Promise<CloseResult> {
  return db().transaction(async (tx) => {
    await tx.execute(sql`select 1 from merchants where id = ${scope.merchantId} for update`);
    const m = await merchantBooks(tx, scope.merchantId);
    const period = monthPeriod(ref, m.timeZone);
    if (period.to.getTime() > deps.now.getTime()) {
      return failure(422, "month_not_over", `This month ends on ${localDateKey(period.to, m.timeZone)} 00:00 (${m.timeZone}): it can be closed once it is over.`, "month");
    }
    const existing = (await listMonthCloses(scope, tx)).find((c) => c.periodStart.getTime() === period.from.getTime());
    if (existing) return { ok: true as const, close: existing, created: false };
    const figures = await monthFigures(scope, ref, tx);
    await tx.insert(monthCloses).values({
      merchantId: scope.merchantId,
      calendar: ref.calendar,
      year: ref.year,
      month: ref.month,
      timeZone: m.timeZone,
      periodStart: period.from,
      periodEnd: period.to,
      figures: figures.currencies,
      closedAt: deps.now,
      closedByUserId: deps.userId,
    });
    return { ok: true as const, close: { ref, periodStart: period.from, periodEnd: period.to, figures: figures.currencies, closedAt: deps.now, closedByUserId: deps.userId }, created: true };
  });
}

export { booksCalendar };
