/**
 * Independent answers for the console's numbers, straight from the raw tables
 * (payments and the ledger, never the sales_daily rollup the pages read), with the
 * merchant's local day computed by PostgreSQL's own time zone rules.
 */
import { sql } from "drizzle-orm";
import { rows, type DbOrTx } from "../../../db/client.server";

export interface OracleTotals {
  gross: bigint;
  fees: bigint;
  refunds: bigint;
  net: bigint;
  captured: number;
  attempts: number;
  declines: number;
}

/** Figures of the merchant-local days [fromDay, toDay] (inclusive). */
export async function oracleTotals(dbx: DbOrTx, merchantId: string, tz: string, fromDay: string, toDay: string): Promise<OracleTotals> {
  const [money] = await rows<{ gross: string; fees: string; refunds: string; captured: string }>(
    dbx,
    sql`select coalesce(sum(gross) filter (where category = 'charge'), 0)::text as gross,
          coalesce(sum(fee) filter (where category = 'charge'), 0)::text as fees,
          (-coalesce(sum(gross) filter (where category in ('refund', 'refund_failure')), 0))::text as refunds,
          count(*) filter (where category = 'charge')::text as captured
        from ledger_transactions
        where merchant_id = ${merchantId}
          and (created_at at time zone ${tz})::date between ${fromDay}::date and ${toDay}::date`,
  );
  const [tries] = await rows<{ attempts: string; declines: string }>(
    dbx,
    sql`select count(*)::text as attempts, count(*) filter (where status in ('declined', 'failed'))::text as declines
        from payments
        where merchant_id = ${merchantId}
          and (created_at at time zone ${tz})::date between ${fromDay}::date and ${toDay}::date`,
  );
  const gross = BigInt(money!.gross);
  const fees = BigInt(money!.fees);
  const refunds = BigInt(money!.refunds);
  return {
    gross,
    fees,
    refunds,
    net: gross - refunds - fees,
    captured: Number(money!.captured),
    attempts: Number(tries!.attempts),
    declines: Number(tries!.declines),
  };
}

/** Captured gross per local day, from payments themselves. */
export async function oracleGrossByDay(dbx: DbOrTx, merchantId: string, tz: string, fromDay: string, toDay: string): Promise<Map<string, bigint>> {
  const r = await rows<{ day: string; gross: string }>(
    dbx,
    sql`select (captured_at at time zone ${tz})::date::text as day, sum(amount)::text as gross
        from payments
        where merchant_id = ${merchantId} and status = 'captured'
          and (captured_at at time zone ${tz})::date between ${fromDay}::date and ${toDay}::date
        group by 1`,
  );
  return new Map(r.map((x) => [x.day, BigInt(x.gross)]));
}
