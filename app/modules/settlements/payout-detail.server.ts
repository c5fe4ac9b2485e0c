/**
 * One payout for the accountant: its status, what it is made of (charges, refunds,
 * fees, returned payouts: summed in SQL) and the itemized reconciliation, every
 * balance transaction it carried with its card and terminal, page by page.
 * The items' net sums exactly to the payout amount.
 */
import { sql } from "drizzle-orm";
import { z } from "zod";
import { db, rows } from "~db/client.server";
import { payouts } from "~db/schema";
import {
  keysetPage,
  pageSize,
  searchParamsToObject,
  single,
  type ListScope,
  type Page,
} from "~/modules/reporting/list-query.server";
import type { BalanceTransactionLine } from "~/modules/payments/detail.server";
import { PAYOUT_ROW_SELECT, toPayoutRow, type PayoutListRow, type PayoutRowRaw } from "./payout-list.server";

export interface PayoutDetail extends PayoutListRow {
  cutoffAt: string;
}

export async function getPayout(scope: ListScope, payoutId: string): Promise<PayoutDetail | null> {
  const [r] = await rows<PayoutRowRaw & { cutoff_at: string }>(
    db(),
    sql`select ${PAYOUT_ROW_SELECT}, to_char(${payouts.cutoffAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as cutoff_at
        from ${payouts} where ${payouts.merchantId} = ${scope.merchantId} and ${payouts.id} = ${payoutId}`,
  );
  return r ? { ...toPayoutRow(r), cutoffAt: r.cutoff_at } : null;
}

export interface PayoutSummary {
  itemCount: number;
  chargeCount: number;
  /** Charges before fees. */
  chargesGross: bigint;
  refundCount: number;
  /** Refunds net of failed refunds (negative: money out). */
  refunds: bigint;
  /** Fees withheld (positive: subtracted from gross). */
  fees: bigint;
  /** Earlier payouts the bank returned, now paid out again (positive). */
  returnedPayouts: bigint;
  /** Adjustments and anything else (signed). */
  other: bigint;
  /** Sum of the items' net: equals the payout amount. */
  net: bigint;
}

export async function payoutSummary(scope: ListScope, payoutId: string): Promise<PayoutSummary> {
  // payout_item_totals: the items per category, kept by a trigger as the payout is made
  // (a payout of a busy day carries thousands of balance transactions).
  const [r] = await rows<Record<string, string>>(
    db(),
    sql`select coalesce(sum(item_count), 0)::text as item_count,
          coalesce(sum(item_count) filter (where category = 'charge'), 0)::text as charge_count,
          coalesce(sum(gross) filter (where category = 'charge'), 0)::text as charges_gross,
          coalesce(sum(item_count) filter (where category = 'refund'), 0)::text as refund_count,
          coalesce(sum(gross) filter (where category in ('refund', 'refund_failure')), 0)::text as refunds,
          coalesce(sum(fee), 0)::text as fees,
          coalesce(sum(gross) filter (where category = 'payout_failure'), 0)::text as returned,
          coalesce(sum(gross) filter (where category not in ('charge', 'refund', 'refund_failure', 'payout_failure')), 0)::text as other,
          coalesce(sum(net), 0)::text as net
        from payout_item_totals
        where merchant_id = ${scope.merchantId} and payout_id = ${payoutId}`,
  );
  const big = (k: string) => BigInt(r?.[k] ?? "0");
  return {
    itemCount: Number(r?.item_count ?? 0),
    chargeCount: Number(r?.charge_count ?? 0),
    chargesGross: big("charges_gross"),
    refundCount: Number(r?.refund_count ?? 0),
    refunds: big("refunds"),
    fees: big("fees"),
    returnedPayouts: big("returned"),
    other: big("other"),
    net: big("net"),
  };
}

export const payoutItemsQuerySchema = z.preprocess(
  searchParamsToObject,
  z.object({
    cursor: single(z.string().max(400)).optional(),
    limit: pageSize,
  }),
);
export type PayoutItemsQuery = z.output<typeof payoutItemsQuerySchema>;

export interface PayoutItemRow extends BalanceTransactionLine {
  /** The payment behind a charge or a refund. */
  paymentId: string | null;
  cardBrand: string | null;
  cardFunding: string | null;
  cardLast4: string | null;
  terminalName: string | null;
}

/**
 * The itemized reconciliation, in posting order: balance transaction ids are
 * time-ordered, so the payout_items primary key walks the page without sorting the
 * payout's thousands of items.
 */
export async function payoutItems(scope: ListScope, payoutId: string, q: PayoutItemsQuery): Promise<Page<PayoutItemRow>> {
  const page = await keysetPage<{
    id: string;
    created_at: string;
    available_on: string;
    category: string;
    gross: string;
    fee: string;
    net: string;
    source_type: string;
    source_id: string;
    payment_id: string | null;
    description: string | null;
    card_brand: string | null;
    card_funding: string | null;
    card_last4: string | null;
    terminal_name: string | null;
  }>(db(), {
    select: sql`lt.id as id, to_char(lt.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at,
      to_char(lt.available_on at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as available_on,
      lt.category::text as category, lt.gross::text as gross, lt.fee::text as fee, lt.net::text as net,
      lt.source_type as source_type, lt.source_id as source_id, p.id as payment_id, lt.description as description,
      p.card_brand::text as card_brand, p.card_funding::text as card_funding, p.card_last4 as card_last4, t.name as terminal_name`,
    from: sql`payout_items pi
      join ledger_transactions lt on lt.merchant_id = pi.merchant_id and lt.id = pi.ledger_transaction_id
      left join refunds r on lt.source_type = 'refund' and r.merchant_id = lt.merchant_id and r.id = lt.source_id
      left join payments p on p.merchant_id = lt.merchant_id
        and p.id = case when lt.source_type = 'payment' then lt.source_id else r.payment_id end
      left join terminals t on t.merchant_id = p.merchant_id and t.id = p.terminal_id`,
    where: sql`pi.merchant_id = ${scope.merchantId} and pi.payout_id = ${payoutId}`,
    sort: { expr: sql`pi.ledger_transaction_id`, type: "text", desc: false, id: sql`pi.ledger_transaction_id` },
    cursor: q.cursor,
    limit: q.limit,
  });
  return {
    ...page,
    rows: page.rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      availableOn: r.available_on,
      category: r.category,
      gross: r.gross,
      fee: r.fee,
      net: r.net,
      sourceType: r.source_type,
      sourceId: r.source_id,
      paymentId: r.payment_id,
      description: r.description,
      cardBrand: r.card_brand,
      cardFunding: r.card_funding,
      cardLast4: r.card_last4,
      terminalName: r.terminal_name,
    })),
  };
}
