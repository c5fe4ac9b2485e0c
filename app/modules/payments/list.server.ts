/**
 * The payments list: its URL schema, its filter as SQL, one keyset page and the
 * count/sum of everything the filter matches.
 *
 * Contract for the CSV export (app/modules/exports): `paymentListQuerySchema` parses
 * the same URLSearchParams the page uses and `paymentFilterSql(scope, filter)` is the
 * WHERE condition over the unaliased `payments` table, so "export these" exports
 * exactly the rows on screen (every page of them).
 */
import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { db, rows } from "~db/client.server";
import { payments } from "~db/schema";
import { CARD_BRANDS, CARD_FUNDINGS, PAYMENT_COLUMNS, PAYMENT_STATUSES } from "~/lib/labels";
import { amountFilterSql, and, createdOrAmountSorts, inList, keysetPage, listQuerySchema, multi, prefixPattern, rangeFilterSql, resolveListRange, single, sortOf, type ListScope, type Page } from "~/modules/reporting/list-query.server";
import type { Scope } from "~/lib/vocabulary";

export type { ListScope } from "~/modules/reporting/list-query.server";

export { DEFAULT_PAYMENT_COLUMNS, PAYMENT_COLUMNS, type PaymentColumn } from "~/lib/labels";

export const PAYMENT_SORTS = ["created", "-created", "amount", "-amount"] as const;

export const paymentListQuerySchema = listQuerySchema({
  status: multi(z.enum(PAYMENT_STATUSES, { message: "Unknown payment status" })),
  terminal: multi(z.string().max(100)),
  brand: multi(z.enum(CARD_BRANDS, { message: "Unknown card brand" })),
  bank: multi(z.string().max(100)),
  funding: multi(z.enum(CARD_FUNDINGS, { message: "Unknown card funding" })),
  sort: single(z.enum(PAYMENT_SORTS, { message: "Sort by created or amount" })).default("-created"),
  cols: multi(z.enum(PAYMENT_COLUMNS, { message: "Unknown column" })),
});

export type PaymentListQuery = z.output<typeof paymentListQuerySchema>;

/**
 * The search box: a payment id, a provider reference, the card's last 4 digits
 * ("1234", "•••• 1234"), a customer reference (prefix, any case) or words of the
 * description (whole words). Every alternative has an index, so a search
 * costs the rows it finds, not the size of the ledger.
 */
function searchSql(raw: string, cardSearch: boolean): SQL | null {
  const q = raw.trim();
  if (!q) return null;
  const conds: SQL[] = [
    sql`${payments.id} = ${q}`,
    sql`${payments.providerReference} = ${q}`,
    sql`lower(${payments.customerReference}) like lower(${prefixPattern(q)})`,
  ];
  // Whole words of the description, through the payments_description_words index: a
  // substring match would read every payment. Whole words (not prefixes) also give the
  // planner real statistics, so a rare word is fetched by index and a common one is
  // read in the page's order.
  const words = q.toLowerCase().match(/[\p{L}\p{N}]+/gu);
  if (words?.length) {
    conds.push(sql`to_tsvector('simple', coalesce(${payments.description}, '')) @@ to_tsquery('simple', ${words.join(" & ")})`);
  }
  const last4 = /^[^0-9]*([0-9]{4})$/.exec(q)?.[1];
  if (last4 && cardSearch) conds.push(sql`${payments.cardLast4} = ${last4}`);
  return sql.join(conds, sql` or `);
}

export interface PaymentFilterOptions {
  /** Match the search against card digits (off for roles that may not see card details). */
  cardSearch?: boolean;
}

/** WHERE condition over `payments` for this merchant and filter (throws ListFilterError on a bad bound). */
export function paymentFilterSql(scope: ListScope, filter: PaymentListQuery, now: Date = new Date(), opts: PaymentFilterOptions = {}): SQL {
  return and([
    sql`${payments.merchantId} = ${scope.merchantId}`,
    ...rangeFilterSql(sql`${payments.createdAt}`, resolveListRange(scope.timeZone, filter, now)),
    // Enum against enum values: the planner estimates "captured" as 93% of rows, not 0.5%.
    inList(sql`${payments.status}`, filter.status, "payment_status"),
    inList(sql`${payments.terminalId}`, filter.terminal),
    inList(sql`${payments.cardBrand}`, filter.brand, "card_brand"),
    inList(sql`${payments.issuerBank}`, filter.bank),
    inList(sql`${payments.cardFunding}`, filter.funding, "card_funding"),
    ...amountFilterSql(sql`${payments.amount}`, scope.currency, filter),
    filter.q ? searchSql(filter.q, opts.cardSearch ?? true) : null,
  ]);
}

export interface PaymentListRow {
  id: string;
  createdAt: string;
  amount: string;
  amountRefunded: string;
  fee: string;
  currency: string;
  status: string;
  cardBrand: string;
  cardFunding: string;
  cardBin: string | null;
  cardLast4: string | null;
  issuerBank: string;
  terminalId: string;
  terminalName: string;
  customerReference: string | null;
  description: string | null;
  declineCode: string | null;
}

/**
 * Totals are exact for the filters the payments_daily rollup answers (dates, status,
 * terminal). Any other filter is counted on the rows themselves, up to this many: past
 * it the list says "more than" instead of reading the rows on every page view. Counting
 * costs about one heap read per candidate row: 1,000 matches of a filter that keeps one
 * row in five is ~5,000 reads (a few ms); the earlier 50,000 was ~250,000 reads, 0.2-1 s
 * per page view on the 2M-payment benchmark ledger. Exact totals of a broad filter are on
 * the Overview and in the CSV export.
 */
export const EXACT_TOTALS_UP_TO = 1000;

/**
 * A search that matches at most this many payments (a last 4 shared by ~1,000 cards of
 * a ten-million-payment ledger fits) is read as that set of ids (found
 * through the search's indexes) rather than by walking the page's order and testing
 * every row: the planner cannot know that "4242" matches 200 payments, not 6,000, and a
 * walk that finds 26 of 200 matches in two million payments reads them all.
 */
const SEARCH_CANDIDATES = 2000;

export interface PaymentTotals {
  /** True when more than EXACT_TOTALS_UP_TO payments match a filter the rollup cannot answer: count is that bound and the sums cover only those rows. */
  capped: boolean;
  count: number;
  amount: bigint;
  capturedCount: number;
  capturedAmount: bigint;
  refunded: bigint;
}

export interface PaymentList {
  page: Page<PaymentListRow>;
  totals: PaymentTotals;
}

/** A payment as the list reads it (and the payment's page, with more): amounts as text, times as ISO text. */
export interface PaymentRowRaw {
  id: string;
  created_at: string;
  amount: string;
  amount_refunded: string;
  fee: string;
  currency: string;
  status: string;
  card_brand: string;
  card_funding: string;
  card_bin: string | null;
  card_last4: string | null;
  issuer_bank: string;
  terminal_id: string;
  terminal_name: string | null;
  customer_reference: string | null;
  description: string | null;
  decline_code: string | null;
}

/** A payment as the list shows it (a deleted terminal shows its id). */
export function toPaymentListRow(r: PaymentRowRaw): PaymentListRow {
  return {
    id: r.id,
    createdAt: r.created_at,
    amount: r.amount,
    amountRefunded: r.amount_refunded,
    fee: r.fee,
    currency: r.currency,
    status: r.status,
    cardBrand: r.card_brand,
    cardFunding: r.card_funding,
    cardBin: r.card_bin,
    cardLast4: r.card_last4,
    issuerBank: r.issuer_bank,
    terminalId: r.terminal_id,
    terminalName: r.terminal_name ?? r.terminal_id,
    customerReference: r.customer_reference,
    description: r.description,
    declineCode: r.decline_code,
  };
}

export const SORT_COLUMNS = createdOrAmountSorts(sql`${payments.createdAt}`, sql`${payments.amount}`);

/** One page of payments and the totals of the whole filter. */
export async function listPayments(
  scope: ListScope,
  filter: PaymentListQuery,
  now: Date = new Date(),
  opts: PaymentFilterOptions = {},
): Promise<PaymentList> {
  const dbx = db();
  let where = paymentFilterSql(scope, filter, now, opts);
  if (filter.q) {
    // No ORDER BY: the search's own indexes (a BitmapOr), bounded.
    const found = await rows<{ id: string }>(dbx, sql`select ${payments.id} as id from ${payments} where ${where} limit ${SEARCH_CANDIDATES + 1}`);
    if (found.length <= SEARCH_CANDIDATES) {
      // One array parameter (a list would be one parameter per id); ids are [A-Za-z0-9_].
      const ids = `{${found.map((r) => r.id).join(",")}}`;
      where = sql`${payments.merchantId} = ${scope.merchantId} and ${payments.id} = any(${ids}::text[])`;
    }
  }
  const sort = sortOf(SORT_COLUMNS, filter.sort, sql`${payments.id}`);
  const [page, totals] = await Promise.all([
    keysetPage<PaymentRowRaw>(dbx, {
      select: sql`${payments.id} as id, to_char(${payments.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at,
        ${payments.amount}::text as amount, ${payments.amountRefunded}::text as amount_refunded, ${payments.fee}::text as fee,
        ${payments.currency} as currency, ${payments.status}::text as status, ${payments.cardBrand}::text as card_brand,
        ${payments.cardFunding}::text as card_funding, ${payments.cardBin} as card_bin, ${payments.cardLast4} as card_last4,
        ${payments.issuerBank} as issuer_bank, ${payments.terminalId} as terminal_id,
        (select t.name from terminals t where t.merchant_id = ${payments.merchantId} and t.id = ${payments.terminalId}) as terminal_name,
        ${payments.customerReference} as customer_reference, ${payments.description} as description, ${payments.declineCode} as decline_code`,
      from: sql`${payments}`,
      where,
      sort,
      cursor: filter.cursor,
      limit: filter.limit,
    }),
    paymentTotals(scope, filter, where, sort.expr, sort.desc, now),
  ]);
  return {
    page: {
      ...page,
      rows: page.rows.map(toPaymentListRow),
    },
    totals,
  };
}

/**
 * The whole months inside local days [fromDay, toDay] (either end open): [from, to) as
 * first days of months (null: unbounded on that side), or null when there is none.
 */
function monthSpan(fromDay: string | null, toDay: string | null): { from: string | null; to: string | null } | null {
  const monthStart = (d: string) => `${d.slice(0, 7)}-01`;
  const nextMonth = (first: string) => new Date(Date.UTC(Number(first.slice(0, 4)), Number(first.slice(5, 7)), 1)).toISOString().slice(0, 10);
  const from = fromDay === null ? null : fromDay.endsWith("-01") ? fromDay : nextMonth(monthStart(fromDay));
  const to = toDay === null ? null : monthStart(new Date(Date.parse(`${toDay}T00:00:00Z`) + 86400_000).toISOString().slice(0, 10));
  return from !== null && to !== null && from >= to ? null : { from, to };
}

/** Count and sums of everything the filter matches: from the rollups when they can, else bounded. */
async function paymentTotals(scope: ListScope, filter: PaymentListQuery, where: SQL, sortExpr: SQL, desc: boolean, now: Date): Promise<PaymentTotals> {
  const dbx = db();
  type Row = { count: string; amount: string; captured_count: string; captured_amount: string; refunded: string };
  const toTotals = (t: Row | undefined, capped: boolean): PaymentTotals => ({
    capped,
    count: Math.min(Number(t?.count ?? 0), capped ? EXACT_TOTALS_UP_TO : Infinity),
    amount: BigInt(t?.amount ?? "0"),
    capturedCount: Number(t?.captured_count ?? 0),
    capturedAmount: BigInt(t?.captured_amount ?? "0"),
    refunded: BigInt(t?.refunded ?? "0"),
  });
  const rollupAnswers = !filter.brand.length && !filter.bank.length && !filter.funding.length && !filter.min && !filter.max && !filter.q;
  if (rollupAnswers) {
    // Whole local days of creation, status and terminal: what the rollups are keyed by.
    // Whole months come from payments_monthly, the days around them from payments_daily.
    const range = resolveListRange(scope.timeZone, filter, now);
    const keys = () => [
      sql`merchant_id = ${scope.merchantId}`,
      inList(sql`status`, filter.status, "payment_status"),
      inList(sql`terminal_id`, filter.terminal),
    ];
    const m = monthSpan(range.fromDay, range.toDay);
    const measures = sql`payment_count, amount, amount_refunded, status`;
    const source = m
      ? sql`select ${measures} from payments_monthly where ${and([
          ...keys(),
          m.from ? sql`month >= ${m.from}::date` : null,
          m.to ? sql`month < ${m.to}::date` : null,
        ])}
        union all
        select ${measures} from payments_daily where ${and([
          ...keys(),
          range.fromDay ? sql`day >= ${range.fromDay}::date` : null,
          range.toDay ? sql`day <= ${range.toDay}::date` : null,
          // Outside the whole months: before the first or from the end of the last.
          sql`(${m.from ? sql`day < ${m.from}::date` : sql`false`} or ${m.to ? sql`day >= ${m.to}::date` : sql`false`})`,
        ])}`
      : sql`select ${measures} from payments_daily where ${and([
          ...keys(),
          range.fromDay ? sql`day >= ${range.fromDay}::date` : null,
          range.toDay ? sql`day <= ${range.toDay}::date` : null,
        ])}`;
    const [t] = await rows<Row>(
      dbx,
      sql`select coalesce(sum(payment_count), 0)::text as count, coalesce(sum(amount), 0)::text as amount,
            coalesce(sum(payment_count) filter (where status = 'captured'), 0)::text as captured_count,
            coalesce(sum(amount) filter (where status = 'captured'), 0)::text as captured_amount,
            coalesce(sum(amount_refunded), 0)::text as refunded
          from (${source}) s`,
    );
    return toTotals(t, false);
  }
  // Counted on the rows, in the page's own order (so through the page's index), one past the bound.
  const dir = desc ? sql`desc` : sql`asc`;
  const [t] = await rows<Row>(
    dbx,
    sql`select count(*)::text as count, coalesce(sum(amount), 0)::text as amount,
          count(*) filter (where status = 'captured')::text as captured_count,
          coalesce(sum(amount) filter (where status = 'captured'), 0)::text as captured_amount,
          coalesce(sum(amount_refunded), 0)::text as refunded
        from (select ${payments.amount} as amount, ${payments.status} as status, ${payments.amountRefunded} as amount_refunded
              from ${payments} where ${where}
              order by ${sortExpr} ${dir}, ${payments.id} ${dir}
              limit ${EXACT_TOTALS_UP_TO + 1}) m`,
  );
  return toTotals(t, Number(t?.count ?? 0) > EXACT_TOTALS_UP_TO);
}

/** The merchant's terminals, by name: what a terminal id is called on screen. */
export function terminalOptions(scope: Scope): Promise<{ id: string; name: string; status: string; kind: string }[]> {
  return rows<{ id: string; name: string; status: string; kind: string }>(
    db(),
    sql`select id, name, status::text as status, kind::text as kind from terminals where merchant_id = ${scope.merchantId} order by name, id`,
    { prepare: true },
  );
}

/** Choices for the filter form: the merchant's terminals and the issuing banks seen in its sales (from the rollup). */
export async function paymentFilterOptions(scope: ListScope): Promise<{ terminals: { id: string; name: string; status: string; kind: string }[]; banks: string[] }> {
  const dbx = db();
  const [terminals, banks] = await Promise.all([
    terminalOptions(scope),
    rows<{ issuer_bank: string }>(
      dbx,
      // sales_monthly has the same banks as sales_daily; a loose index scan of sales_monthly_bank
      // finds them with one probe per bank, however many months and terminals there are.
      sql`with recursive b(bank) as (
            (select issuer_bank from sales_monthly where merchant_id = ${scope.merchantId} and issuer_bank > '' order by issuer_bank limit 1)
            union all
            select (select s.issuer_bank from sales_monthly s where s.merchant_id = ${scope.merchantId} and s.issuer_bank > b.bank order by s.issuer_bank limit 1)
            from b where b.bank is not null
          )
          select bank as issuer_bank from b where bank is not null`,
    ),
  ]);
  return { terminals, banks: banks.map((b) => b.issuer_bank) };
}
