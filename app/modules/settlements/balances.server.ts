/**
 * Balances and what happens to them next: the payouts already on their way and, when
 * none is, an estimate of the next one (the balance available at the next settlement
 * cutoff, if it reaches the merchant's minimum payout) with its expected arrival.
 */
import { sql } from "drizzle-orm";
import { db, rows } from "~db/client.server";
import { payouts } from "~db/schema";
import { getBalancesAt, type Balances } from "~/modules/ledger/ledger.server";
import { expectedArrival, nextCutoff, type SettlementCalendar } from "~/modules/settlements/calendar";
import type { ListScope } from "~/modules/reporting/list-query.server";
import { PAYOUT_ROW_SELECT, toPayoutRow, type PayoutListRow, type PayoutRowRaw } from "./payout-list.server";
import type { Scope } from "~/lib/vocabulary";

/** The merchant's settlement calendar: schedule from merchants, country holidays and its own edits. */
export async function loadSettlementCalendar(
  scope: Scope,
  around: Date = new Date(),
): Promise<{ calendar: SettlementCalendar; minimumPayout: bigint }> {
  // Holidays within a few months either side are all a payout estimate can touch.
  const from = new Date(around.getTime() - 40 * 86400_000).toISOString().slice(0, 10);
  const to = new Date(around.getTime() + 120 * 86400_000).toISOString().slice(0, 10);
  // The schedule, the country's holidays and the merchant's own days, in one round trip.
  const [m] = await rows<{
    time_zone: string;
    cutoff: string;
    delay: number;
    weekend: number[] | string;
    holiday_calendar: string;
    minimum_payout: string;
    country_days: string[] | string | null;
    closed_days: string[] | string | null;
    open_days: string[] | string | null;
  }>(
    db(),
    sql`select m.time_zone, to_char(m.settlement_cutoff, 'HH24:MI') as cutoff, m.settlement_delay_days as delay,
          m.weekend_days as weekend, m.holiday_calendar, m.minimum_payout::text as minimum_payout,
          (select array_agg(h.day::text) from holidays h
            where h.calendar = m.holiday_calendar and h.day between ${from}::date and ${to}::date) as country_days,
          (select array_agg(o.day::text) from merchant_holidays o
            where o.merchant_id = m.id and o.closed and o.day between ${from}::date and ${to}::date) as closed_days,
          (select array_agg(o.day::text) from merchant_holidays o
            where o.merchant_id = m.id and not o.closed and o.day between ${from}::date and ${to}::date) as open_days
        from merchants m where m.id = ${scope.merchantId}`,
    { prepare: true },
  );
  if (!m) throw new Error(`unknown merchant ${scope.merchantId}`);
  const days = (v: string[] | string | null): string[] =>
    v === null ? [] : Array.isArray(v) ? v : v.replace(/[{}"]/g, "").split(",").filter(Boolean);
  const weekend = Array.isArray(m.weekend)
    ? m.weekend.map(Number)
    : String(m.weekend)
        .replace(/[{}]/g, "")
        .split(",")
        .filter(Boolean)
        .map(Number);
  const holidays = new Set([...days(m.country_days), ...days(m.closed_days)]);
  const openDays = new Set(days(m.open_days));
  return {
    calendar: { timeZone: m.time_zone, cutoff: m.cutoff, delayDays: Number(m.delay), weekendDays: weekend, holidays, openDays },
    minimumPayout: BigInt(m.minimum_payout),
  };
}

export interface NextPayoutEstimate {
  /** When the next settlement cutoff closes (ISO). */
  cutoffAt: string;
  /** The balance that will be available at that cutoff (may be below the minimum or negative). */
  amount: string;
  expectedArrivalDate: string;
  /** False when the amount stays below the minimum payout (it carries over). */
  willPayOut: boolean;
  minimumPayout: string;
}

export interface BalanceOverview {
  currency: string;
  pending: string;
  available: string;
  inTransit: string;
  paidOut: string;
  /** Payouts created and not yet paid (pending or in transit), soonest first. */
  upcoming: PayoutListRow[];
  estimate: NextPayoutEstimate | null;
}

function jsonBalances(b: Balances) {
  return {
    currency: b.currency,
    pending: b.pending.toString(),
    available: b.available.toString(),
    inTransit: b.inTransit.toString(),
    paidOut: b.paidOut.toString(),
  };
}

export async function balanceOverview(scope: ListScope, now: Date = new Date()): Promise<BalanceOverview> {
  const dbx = db();
  const [upcoming, cal] = await Promise.all([
    rows<PayoutRowRaw>(
      dbx,
      sql`select ${PAYOUT_ROW_SELECT} from ${payouts}
          where ${payouts.merchantId} = ${scope.merchantId} and ${payouts.status} in ('pending', 'in_transit')
          order by ${payouts.expectedArrivalDate}, ${payouts.createdAt}, ${payouts.id} limit 5`,
      { prepare: true },
    ),
    loadSettlementCalendar(scope, now),
  ]);
  let cutoff: Date | null = null;
  try {
    cutoff = nextCutoff(now, cal.calendar);
  } catch {
    // A calendar with no business day in reach (misconfigured weekends): show balances without an estimate.
    cutoff = null;
  }
  // Now and at the next cutoff, in one statement.
  const [balances, atCutoff] = await getBalancesAt({ merchantId: scope.merchantId }, scope.currency, cutoff ? [now, cutoff] : [now], dbx);
  let estimate: NextPayoutEstimate | null = null;
  if (cutoff && atCutoff) {
    try {
      estimate = {
        cutoffAt: cutoff.toISOString(),
        amount: atCutoff.available.toString(),
        expectedArrivalDate: expectedArrival(cutoff, cal.calendar),
        willPayOut: atCutoff.available > 0n && atCutoff.available >= cal.minimumPayout,
        minimumPayout: cal.minimumPayout.toString(),
      };
    } catch {
      estimate = null;
    }
  }
  return { ...jsonBalances(balances!), upcoming: upcoming.map(toPayoutRow), estimate };
}
