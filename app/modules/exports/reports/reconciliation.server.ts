/**
 * Itemized payout reconciliation: every balance transaction a payout carries, with the
 * payout it was paid in. The rows of one payout sum exactly to its amount, which is
 * what an accountant ties to the deposit on the bank statement.
 *
 * Which payouts: `payout=<id>`, or those expected to arrive in
 * [arrival_from, arrival_to) (local calendar dates, end not included), or any filter of
 * the Payouts list (its from/to are arrival dates, both included, like the list shows).
 *
 * "Paid in" comes from payout_items, not from ledger_transactions.payout_id: a
 * payout_failure row names the payout that failed, but its money is paid out again in
 * a later payout, and that later payout is the one it reconciles to.
 */
import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { replicaDb, rows } from "~db/client.server";
import { payouts } from "~db/schema";
import { isValidLocalDateKey } from "~/lib/dates/zones";
import { payoutFilterSql, payoutListQuerySchema } from "~/modules/settlements/payout-list.server";
import { ListFilterError, resolveListRange, strictListQuery } from "~/modules/reporting/list-query.server";
import { rawValueSql, sqlColumnsOf, type CellValue, type RawRow, type SqlColumn } from "../definition";
import { countOf, dayRangeLabel, listScopeOf, previousDay, yieldToEventLoop, type SqlReport } from "./report.server";

/** A charge's description is its payment's (the one typed at the till); other rows keep their own. */
const DESCRIPTION_SQL = "case when lt.category = 'charge' then coalesce(p.description, lt.description) else lt.description end";

/**
 * The items of the selected payouts and what they came from: the tables behind every
 * row, with the aliases the columns' `sql` use (po, pi, lt, r, p, t). "Paid in" is the
 * payout_items row; a refund's card and terminal are those of the payment it refunds.
 *
 * A range of payouts joins refunds as a table and lets the planner hash them (a million
 * rows: far cheaper than a lookup per row). One payout's few hundred items look each
 * refund up by its key instead (a lateral LIMIT 1 the planner cannot turn into a hash):
 * on a small ledger a scan of every refund looked cheaper and was picked, and it stays
 * the slow plan as the ledger grows.
 */
function itemsFrom(onePayout: boolean) {
  const refund = onePayout
    ? `left join lateral (
    select r.payment_id from refunds r
    where lt.source_type = 'refund' and r.merchant_id = lt.merchant_id and r.id = lt.source_id
    limit 1
  ) r on true`
    : `left join refunds r on lt.source_type = 'refund' and r.merchant_id = lt.merchant_id and r.id = lt.source_id`;
  return sql.raw(`join payout_items pi on pi.merchant_id = po.merchant_id and pi.payout_id = po.id
  join ledger_transactions lt on lt.merchant_id = pi.merchant_id and lt.id = pi.ledger_transaction_id
  ${refund}
  left join payments p on p.merchant_id = lt.merchant_id
    and p.id = (case when lt.source_type = 'payment' then lt.source_id else r.payment_id end)
  left join terminals t on t.merchant_id = p.merchant_id and t.id = p.terminal_id`);
}

const po = sqlColumnsOf("po");
const lt = sqlColumnsOf("lt");
const p = sqlColumnsOf("p"); // the payment behind it
const columns: SqlColumn[] = [
  po.text("payout_id", "The payout this balance transaction was paid out in.", "po.id"),
  po.date("payout_expected_arrival_date", "The payout's expected arrival date at the bank.", "po.expected_arrival_date"),
  lt.text("balance_transaction_id", "Balance transaction id (txn_…).", "lt.id"),
  ...lt.instant("created", "When the balance transaction was created, in the report's time zone."),
  ...lt.instant("available_on", "When its funds became available for payout, in the report's time zone.", "lt.available_on"),
  lt.currency(),
  lt.total("gross", "Gross amount; negative for money going out (refunds)."),
  lt.total("fee", "Fees paid for it (positive; net = gross - fee)."),
  lt.total("net", "Its effect on the balance (gross - fee). The nets of one payout sum to the payout amount."),
  lt.text("reporting_category", "charge, refund, refund_failure, fee, payout_failure or adjustment.", "lt.category"),
  lt.text("source_id", "The payment, refund, payout or adjustment it came from."),
  lt.text("source_type", "payment, refund, payout or adjustment."),
  lt.text("description", "Description (for a charge: the payment's description).", DESCRIPTION_SQL),
  ...p.paymentBehind({
    reference: "Customer reference of the payment behind it.",
    brand: "Card brand of the payment behind it (for a refund: the refunded payment).",
    last4: "Last 4 digits of that card.",
    terminal: "Terminal of the payment behind it.",
  }),
  lt.text("related_payout_id", "For payout_failure rows: the payout that failed, whose money this payout sends again.", "case when lt.category = 'payout_failure' then lt.payout_id end"),
  po.text("payout_status", "Status of the payout it was paid in.", "po.status"),
  po.amount("payout_amount", "Amount of the payout it was paid in.", "po.amount"),
];

const day = z.string().refine(isValidLocalDateKey, "Enter a date as YYYY-MM-DD, for example 2025-03-21");
const selectionSchema = z.object({
  payout: z.string().trim().min(1).max(100, "A payout id is at most 100 characters").optional(),
  arrival_from: day.optional(),
  arrival_to: day.optional(),
});

function firstValue(params: URLSearchParams, key: string): string | undefined {
  const v = params.getAll(key).map((x) => x.trim()).filter(Boolean);
  return v[v.length - 1];
}

export const reconciliationReport: SqlReport = {
  id: "payout-reconciliation",
  title: "Payout reconciliation (itemized)",
  description: "Every balance transaction with the payout it was paid in, for one payout or for the payouts arriving in a date range.",
  permissions: ["reports:export"],
  columns,
  defaults: [
    "payout_id",
    "payout_expected_arrival_date",
    "balance_transaction_id",
    "created",
    "created_utc",
    "available_on",
    "currency",
    "gross",
    "fee",
    "net",
    "reporting_category",
    "source_id",
    "description",
    "card_brand",
    "card_funding",
    "card_last4",
    "terminal",
  ],
  currencySql: "lt.currency",
  async prepare(scope, params, now) {
    const sel = strictListQuery(selectionSchema, {
      payout: firstValue(params, "payout"),
      arrival_from: firstValue(params, "arrival_from"),
      arrival_to: firstValue(params, "arrival_to"),
    });
    if (sel.arrival_from && sel.arrival_to && sel.arrival_to <= sel.arrival_from) {
      throw new ListFilterError("arrival_to", "The end date (not included) must be after the start date: pick a later end date.");
    }
    const listFilter = strictListQuery(payoutListQuerySchema, params);
    const listScope = listScopeOf(scope);

    let where: SQL;
    let rangeLabel: string;
    let rangeText: string;
    let filters: Record<string, unknown>;
    if (sel.payout) {
      const [found] = await rows<{ id: string; expected_arrival_date: string }>(
        replicaDb(),
        sql`select id, expected_arrival_date::text as expected_arrival_date from payouts
            where merchant_id = ${scope.merchantId} and id = ${sel.payout}`,
      );
      if (!found) throw new ListFilterError("payout", `No payout ${sel.payout} was found in ${scope.merchantName}. Check the id on the Payouts page.`);
      where = sql`${payouts.merchantId} = ${scope.merchantId} and ${payouts.id} = ${sel.payout}`;
      rangeLabel = `payout-${sel.payout}`;
      rangeText = `Payout ${sel.payout} (expected arrival ${found.expected_arrival_date})`;
      filters = { payout: sel.payout };
    } else if (sel.arrival_from || sel.arrival_to) {
      where = sql`${payouts.merchantId} = ${scope.merchantId}`;
      if (sel.arrival_from) where = sql`${where} and ${payouts.expectedArrivalDate} >= ${sel.arrival_from}::date`;
      if (sel.arrival_to) where = sql`${where} and ${payouts.expectedArrivalDate} < ${sel.arrival_to}::date`;
      const { cursor: _c, limit: _l, range: _r, from: _f, to: _t, sort: _s, ...rest } = listFilter;
      // The other list filters (status, amount, id) still apply.
      where = sql`${where} and ${payoutFilterSql(listScope, { ...listFilter, range: "all", from: undefined, to: undefined }, now)}`;
      const days = dayRangeLabel(sel.arrival_from ?? null, sel.arrival_to ? previousDay(sel.arrival_to) : null);
      rangeLabel = days.label;
      rangeText = `Payouts arriving ${days.text}`;
      filters = { arrival_from: sel.arrival_from ?? null, arrival_to: sel.arrival_to ?? null, ...rest };
    } else {
      where = payoutFilterSql(listScope, listFilter, now);
      const range = resolveListRange(scope.timeZone, listFilter, now);
      const days = dayRangeLabel(range.fromDay, range.toDay);
      rangeLabel = days.label;
      rangeText = `Payouts arriving ${days.text}`;
      const { cursor: _c, limit: _l, sort: _s, ...rest } = listFilter;
      filters = rest;
    }
    const merchantId = scope.merchantId;
    return {
      rangeLabel,
      rangeText,
      filters,
      count: () =>
        countOf(
          sql`select count(*)::text as n from ${payouts}
              join payout_items pi on pi.merchant_id = ${payouts.merchantId} and pi.payout_id = ${payouts.id}
              join ledger_transactions lt on lt.merchant_id = pi.merchant_id and lt.id = pi.ledger_transaction_id
              where ${where} and lt.category <> 'payout_paid'`,
        ),
      /** Every item of every selected payout in one statement, in the order of the batches below. */
      copySelect(values) {
        return sql`select ${sql.raw(values.join(", "))}
          from (select * from ${payouts} where ${where}) po
          ${itemsFrom(Boolean(sel.payout))}
          where pi.merchant_id = ${merchantId} and lt.category <> 'payout_paid'
          order by po.expected_arrival_date, po.id, pi.ledger_transaction_id`;
      },
      /**
       * One keyset walk over every item of every selected payout, in (arrival date,
       * payout, balance transaction) order: a query per batch whatever the payouts'
       * sizes, and the next batch is already being read while this one is written
       * (two batches in memory at most). The items are a LATERAL subquery per payout,
       * so each batch costs its own rows (index lookups), never a pass over the ledger.
       */
      async *batches(cols, size) {
        // The chosen columns' raw values (each distinct expression once), evaluated in the
        // per-payout lateral subquery where every alias of the columns' SQL is in scope.
        const select: string[] = [];
        const at = (expr: string) => {
          const known = select.indexOf(expr);
          return known >= 0 ? known : select.push(expr) - 1;
        };
        const index = cols.map((c) => at(rawValueSql(c.kind, c.sql!)));
        const currency = at("(lt.currency)::text");
        const list = sql.raw(select.map((e, i) => `${e} as v${i}`).join(", "));
        type Row = Record<string, CellValue> & { _payout: string; _arrival: string; _item: string };
        // Payouts per step: enough for a batch at a typical size (a few items each), few
        // enough that finding the next items of each is cheap; a short batch just means
        // another step (the walk ends on an empty one: every payout carries at least one item).
        const payoutsPerStep = Math.max(16, Math.ceil(size / 8));
        const page = (after: Row | null) =>
          rows<Row>(
            replicaDb(),
            sql`select ${list}, po.id as _payout, po.expected_arrival_date::text as _arrival, po._item
                from (
                  -- The next items' keys only: the values are computed for the rows of this batch alone.
                  select page.*, k.ledger_transaction_id as _item
                  from (
                    select ${payouts}.*
                    from ${payouts}
                    where ${where}
                      ${after ? sql`and (${payouts.expectedArrivalDate}, ${payouts.id}) >= (${after._arrival}::date, ${after._payout})` : sql``}
                    order by ${payouts.expectedArrivalDate}, ${payouts.id}
                    limit ${payoutsPerStep}
                  ) page
                  cross join lateral (
                    select pi.ledger_transaction_id
                    from payout_items pi
                    join ledger_transactions lt on lt.merchant_id = pi.merchant_id and lt.id = pi.ledger_transaction_id
                    where pi.merchant_id = ${merchantId} and pi.payout_id = page.id and lt.category <> 'payout_paid'
                      ${after ? sql`and (page.id <> ${after._payout} or pi.ledger_transaction_id > ${after._item})` : sql``}
                    order by pi.ledger_transaction_id
                    limit ${size}
                  ) k
                  order by page.expected_arrival_date, page.id, k.ledger_transaction_id
                  limit ${size}
                ) po
                join ledger_transactions lt on lt.merchant_id = ${merchantId} and lt.id = po._item
                left join refunds r on lt.source_type = 'refund' and r.merchant_id = lt.merchant_id and r.id = lt.source_id
                left join payments p on p.merchant_id = lt.merchant_id
                  and p.id = (case when lt.source_type = 'payment' then lt.source_id else r.payment_id end)
                left join terminals t on t.merchant_id = p.merchant_id and t.id = p.terminal_id
                order by po.expected_arrival_date, po.id, po._item`,
          );
        let next: Promise<Row[]> | null = page(null);
        try {
          while (next) {
            const batch: Row[] = await next;
            // Until a batch comes back empty: a short batch may still leave payouts to read.
            next = batch.length > 0 ? page(batch[batch.length - 1]!) : null;
            await yieldToEventLoop();
            if (batch.length > 0) yield batch.map((r): RawRow => ({ cells: index.map((i) => r[`v${i}`]), currency: String(r[`v${currency}`] ?? "") }));
          }
        } finally {
          // A cancelled download leaves the read-ahead unused: it must not fail loudly.
          next?.catch(() => {});
        }
      },
    };
  },
};
