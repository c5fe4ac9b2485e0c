/**
 * Sales by terminal, brand, issuing bank and funding for the Overview's range.
 */
import { sql } from "drizzle-orm";
import { replicaDb, rows } from "~db/client.server";
import type { ListScope } from "~/modules/reporting/list-query.server";

export interface BreakdownRow {
  key: string;
  gross: bigint;
  capturedCount: number;
  attempts: number;
  declines: number;
  refunds: bigint;
}

export interface Breakdowns {
  terminal: BreakdownRow[];
  brand: BreakdownRow[];
  bank: BreakdownRow[];
  funding: BreakdownRow[];
}

/**
 * The whole months inside [fromDay, toDay] (inclusive local days): [from, to) as first
 * days of months, or null when the range holds no whole month.
 */
export function wholeMonths(fromDay: string, toDay: string): { from: string; to: string } | null {
  const monthStart = (d: string) => `${d.slice(0, 7)}-01`;
  const nextMonth = (m: string) => {
    const y = Number(m.slice(0, 4));
    const mo = Number(m.slice(5, 7));
    return mo === 12 ? `${String(y + 1).padStart(4, "0")}-01-01` : `${m.slice(0, 4)}-${String(mo + 1).padStart(2, "0")}-01`;
  };
  const from = fromDay.endsWith("-01") ? fromDay : nextMonth(monthStart(fromDay));
  // The month of the day after toDay starts where the whole months end.
  const dayAfter = new Date(Date.parse(`${toDay}T00:00:00Z`) + 86400_000).toISOString().slice(0, 10);
  const to = monthStart(dayAfter);
  return from < to ? { from, to } : null;
}

/**
 * Sales by terminal, brand, issuing bank and funding over whole local days, one grouped
 * query: whole months from sales_monthly, the days before and after them from
 * sales_daily (a dense merchant has hundreds of sales_daily rows a day).
 */
export async function breakdowns(scope: ListScope, fromDay: string, toDay: string): Promise<Breakdowns> {
  const months = wholeMonths(fromDay, toDay);
  const cols = sql`terminal_id, card_brand, issuer_bank, card_funding, captured_amount, captured_count, attempt_count, declined_count, refunded_amount`;
  const source = months
    ? sql`select ${cols} from sales_monthly
          where merchant_id = ${scope.merchantId} and currency = ${scope.currency}
            and month >= ${months.from}::date and month < ${months.to}::date
        union all
        select ${cols} from sales_daily
          where merchant_id = ${scope.merchantId} and currency = ${scope.currency}
            and day between ${fromDay}::date and ${toDay}::date
            and (day < ${months.from}::date or day >= ${months.to}::date)`
    : sql`select ${cols} from sales_daily
          where merchant_id = ${scope.merchantId} and currency = ${scope.currency}
            and day between ${fromDay}::date and ${toDay}::date`;
  const result = await rows<{
    terminal_id: string | null;
    card_brand: string | null;
    issuer_bank: string | null;
    card_funding: string | null;
    g_terminal: number | string;
    g_brand: number | string;
    g_bank: number | string;
    g_funding: number | string;
    gross: string;
    captured: string;
    attempts: string;
    declines: string;
    refunds: string;
  }>(
    replicaDb(),
    sql`select terminal_id, card_brand::text as card_brand, issuer_bank, card_funding::text as card_funding,
          grouping(terminal_id)::int as g_terminal, grouping(card_brand)::int as g_brand,
          grouping(issuer_bank)::int as g_bank, grouping(card_funding)::int as g_funding,
          coalesce(sum(captured_amount), 0)::text as gross, coalesce(sum(captured_count), 0)::text as captured,
          coalesce(sum(attempt_count), 0)::text as attempts, coalesce(sum(declined_count), 0)::text as declines,
          coalesce(sum(refunded_amount), 0)::text as refunds
        from (${source}) s
        group by grouping sets ((terminal_id), (card_brand), (issuer_bank), (card_funding))`,
  );
  const out: Breakdowns = { terminal: [], brand: [], bank: [], funding: [] };
  for (const r of result) {
    const row = (key: string): BreakdownRow => ({
      key,
      gross: BigInt(r.gross),
      capturedCount: Number(r.captured),
      attempts: Number(r.attempts),
      declines: Number(r.declines),
      refunds: BigInt(r.refunds),
    });
    if (Number(r.g_terminal) === 0) out.terminal.push(row(r.terminal_id ?? ""));
    else if (Number(r.g_brand) === 0) out.brand.push(row(r.card_brand ?? "unknown"));
    else if (Number(r.g_bank) === 0) out.bank.push(row(r.issuer_bank ?? ""));
    else if (Number(r.g_funding) === 0) out.funding.push(row(r.card_funding ?? "unknown"));
  }
  const byGross = (a: BreakdownRow, b: BreakdownRow) => (a.gross === b.gross ? b.attempts - a.attempts : a.gross > b.gross ? -1 : 1);
  out.terminal.sort(byGross);
  out.brand.sort(byGross);
  out.bank.sort(byGross);
  out.funding.sort(byGross);
  return out;
}
