/**
 * Balance summary for a period: the opening balance, what moved it (charges, refunds,
 * fees, payouts, payout failures, refund failures, adjustments) and the closing
 * balance, per currency. Opening + every activity line = closing, by construction
 * and to the unit, so an accountant can SUM the amount column in a spreadsheet.
 *
 * "Balance" is the merchant_balance account: what the platform owes the merchant
 * (pending + available in getBalances). Every balance transaction's net is exactly its
 * posting to that account (ledgerProblems checks it), so the balance at an instant is
 * the sum of nets created before it. Money in transit to the bank has left the
 * balance (the payout line); a payout that fails brings it back (payout failures);
 * a payout reaching the bank (payout_paid) does not move the balance and is not listed.
 */
import { sql } from "drizzle-orm";
import { z } from "zod";
import { replicaDb, rows, type DbOrTx } from "~db/client.server";
import { addLocalDays, isValidLocalDateKey, localDateKey, parseLocalDateKey, startOfLocalDay, zonedParts } from "~/lib/dates/zones";
import { BALANCE_CATEGORIES } from "~/modules/ledger/postings";
import { ListFilterError, strictListQuery } from "~/modules/reporting/list-query.server";
import type { ComputedColumn } from "../definition";
import { localDateTimeFormatter } from "../format";
import { computedRows, countOf, periodAbout, type ComputedReport } from "./report.server";

export interface BalanceSummaryRow {
  line: string;
  description: string;
  currency: string;
  count: number | null;
  amount: bigint;
  periodStart: Date;
  periodEnd: Date;
}

/** Activity lines in the order they are written; `fees` collects the fees of every category. */
const ACTIVITY: { line: string; category: string | null; description: string }[] = [
  { line: "charges", category: "charge", description: "Charges (gross amount of captured payments)" },
  { line: "refunds", category: "refund", description: "Refunds returned to card holders" },
  { line: "refund_failures", category: "refund_failure", description: "Refunds that failed (money back to the balance)" },
  { line: "fees", category: null, description: "Processing fees" },
  { line: "adjustments", category: "adjustment", description: "Adjustments" },
  { line: "payouts", category: "payout", description: "Payouts sent to the bank" },
  { line: "payout_failures", category: "payout_failure", description: "Payouts that failed or were returned (money back to the balance)" },
];

const columns: ComputedColumn<BalanceSummaryRow>[] = [
  { key: "line", kind: "text", doc: "opening_balance, charges, refunds, refund_failures, fees, adjustments, payouts, payout_failures or closing_balance.", value: (r) => r.line },
  { key: "description", kind: "text", doc: "The line in words.", value: (r) => r.description },
  { key: "currency", kind: "text", doc: "ISO 4217 code.", value: (r) => r.currency },
  { key: "count", kind: "integer", doc: "Number of balance transactions on the line (empty for the balances).", value: (r) => r.count },
  { key: "amount", kind: "amount", doc: "Effect on the balance (negative for money going out); opening_balance + the activity lines = closing_balance.", value: (r) => r.amount },
  { key: "period_start", kind: "local", doc: "Start of the period (included), in the report's time zone.", value: (r) => r.periodStart },
  { key: "period_start_utc", kind: "utc", doc: "The same instant in UTC.", value: (r) => r.periodStart },
  { key: "period_end", kind: "local", doc: "End of the period (not included), in the report's time zone.", value: (r) => r.periodEnd },
  { key: "period_end_utc", kind: "utc", doc: "The same instant in UTC.", value: (r) => r.periodEnd },
];

const day = z.string().refine(isValidLocalDateKey, "Enter a date as YYYY-MM-DD, for example 2025-03-21");

function lastValue(params: URLSearchParams, key: string): string | undefined {
  const v = params.getAll(key).map((x) => x.trim()).filter(Boolean);
  return v[v.length - 1];
}

/** The period [from, to) in `tz`: the given days, else this month so far (through today). */
export function balancePeriod(params: URLSearchParams, tz: string, now: Date): { from: Date; to: Date } {
  const given = strictListQuery(z.object({ from: day.optional(), to: day.optional() }), { from: lastValue(params, "from"), to: lastValue(params, "to") });
  const p = zonedParts(now, tz);
  const monthStart = parseLocalDateKey(`${String(p.year).padStart(4, "0")}-${String(p.month).padStart(2, "0")}-01`, tz);
  const from = given.from ? parseLocalDateKey(given.from, tz) : monthStart;
  const to = given.to ? parseLocalDateKey(given.to, tz) : addLocalDays(startOfLocalDay(now, tz), 1, tz);
  if (to.getTime() <= from.getTime()) {
    throw new ListFilterError("to", "The end date (not included) must be after the start date: pick a later end date.");
  }
  return { from, to };
}

/** The summary lines (pure arithmetic over the per-category sums, kept separate so tests can check the identity). */
export async function balanceSummary(
  scope: { merchantId: string; currency: string },
  period: { from: Date; to: Date },
  timeZone: string,
  /** The reader: a transaction's own (the month-end close reads inside its transaction), else the replica. */
  dbx: DbOrTx = replicaDb(),
): Promise<BalanceSummaryRow[]> {
  const from = period.from.toISOString();
  const to = period.to.toISOString();
  const sums = await rows<{ currency: string; category: string; n: string; n_fee: string; gross: string; fee: string; net: string; before: string }>(
    dbx,
    sql`select currency, category::text as category,
          count(*) filter (where created_at >= ${from}::timestamptz)::text as n,
          count(*) filter (where created_at >= ${from}::timestamptz and (fee <> 0 or category = 'fee'))::text as n_fee,
          coalesce(sum(gross) filter (where created_at >= ${from}::timestamptz), 0)::text as gross,
          coalesce(sum(fee) filter (where created_at >= ${from}::timestamptz), 0)::text as fee,
          coalesce(sum(net) filter (where created_at >= ${from}::timestamptz), 0)::text as net,
          coalesce(sum(net) filter (where created_at < ${from}::timestamptz), 0)::text as before
        from ledger_transactions
        where merchant_id = ${scope.merchantId}
          and category::text in (${sql.join(BALANCE_CATEGORIES.map((c) => sql`${c}`), sql`, `)})
          and created_at < ${to}::timestamptz
        group by currency, category`,
  );
  const currencies = [...new Set([scope.currency, ...sums.map((s) => s.currency)])].sort((a, b) =>
    a === scope.currency ? -1 : b === scope.currency ? 1 : a.localeCompare(b),
  );
  const out: BalanceSummaryRow[] = [];
  const local = localDateTimeFormatter(timeZone);
  const fmt = (d: Date) => `${local(d).slice(0, 16)} ${timeZone}`;
  for (const currency of currencies) {
    const mine = sums.filter((s) => s.currency === currency);
    const base = { currency, periodStart: period.from, periodEnd: period.to };
    const opening = mine.reduce((t, s) => t + BigInt(s.before), 0n);
    out.push({ ...base, line: "opening_balance", description: `Balance at the start of the period (${fmt(period.from)}, included)`, count: null, amount: opening });
    let running = opening;
    for (const a of ACTIVITY) {
      let amount: bigint;
      let count: number;
      if (a.category === null) {
        // Fees of every category (mostly charges), plus standalone fee transactions.
        amount = mine.reduce((t, s) => t - BigInt(s.fee) + (s.category === "fee" ? BigInt(s.gross) : 0n), 0n);
        count = mine.reduce((t, s) => t + Number(s.n_fee), 0);
      } else {
        const s = mine.find((x) => x.category === a.category);
        amount = s ? BigInt(s.gross) : 0n;
        count = s ? Number(s.n) : 0;
      }
      running += amount;
      out.push({ ...base, line: a.line, description: a.description, count, amount });
    }
    const closing = mine.reduce((t, s) => t + BigInt(s.before) + BigInt(s.net), 0n);
    if (closing !== running) throw new Error(`balance summary does not tie out for ${currency}: ${running} != ${closing}`);
    out.push({ ...base, line: "closing_balance", description: `Balance at the end of the period (${fmt(period.to)}, not included)`, count: null, amount: closing });
  }
  return out;
}

export const balanceSummaryReport: ComputedReport<BalanceSummaryRow> = {
  id: "balance-summary",
  title: "Balance summary",
  description: "Opening balance, the period's charges, refunds, fees, payouts and payout failures, and the closing balance.",
  permissions: ["reports:export"],
  columns,
  defaults: ["line", "description", "currency", "count", "amount", "period_start", "period_start_utc", "period_end", "period_end_utc"],
  prepare(scope, params, now) {
    const period = balancePeriod(params, scope.timeZone, now);
    const tz = scope.timeZone;
    return {
      ...periodAbout(period, tz),
      filters: { from: localDateKey(period.from, tz), to: localDateKey(period.to, tz) },
      async count() {
        const others = await countOf(sql`select count(distinct currency)::text as n from ledger_transactions where merchant_id = ${scope.merchantId} and currency <> ${scope.currency}`);
        return (others + 1) * (ACTIVITY.length + 2);
      },
      async *batches(cols) {
        yield computedRows(await balanceSummary(scope, period, tz), cols, (r) => r.currency);
      },
    };
  },
};
