/**
 * The ledger's database side: posting balanced transactions and deriving balances
 * from entries (never from a stored total).
 *
 * Every writer calls postLedgerTransaction inside the same database transaction as the
 * state change it records (a captured payment, a refund...), so a crash can never leave
 * money moved without its postings or the other way round. The rollups (sales_daily and
 * everything summed from it, the balances per day, the payments list's totals) are kept
 * by triggers on the rows themselves in that same transaction (db/migrations/0000_baseline.sql).
 */
import { eq, sql, type SQL } from "drizzle-orm";
import { merchants } from "~db/schema";
import { db, rows, type DbOrTx } from "~db/client.server";
import { preparedSql } from "~db/prepared.server";
import type { LedgerTransactionDraft } from "./postings";
import type { Scope } from "~/lib/vocabulary";

export type { LedgerTransactionDraft } from "./postings";

export type MerchantScope = Scope;

/**
 * The ledger transaction and its postings as two data-modifying CTEs (ledger_t, ledger_e)
 * for a statement that does more (a capture's status change and its posting in one round
 * trip), inserted only when `when` holds. The postings go in a single INSERT because the
 * balance trigger checks per statement: lines inserted one by one would each look unbalanced.
 */
export function ledgerPostingCtes(draft: LedgerTransactionDraft, when: SQL = sql`true`): SQL {
  const total = draft.postings.reduce((s, p) => s + p.amount, 0n);
  if (total !== 0n) throw new Error(`ledger transaction ${draft.id} does not balance (${total})`);
  if (draft.postings.length < 2) throw new Error(`ledger transaction ${draft.id} needs at least two postings`);
  const createdAt = draft.createdAt.toISOString();
  const availableOn = draft.availableOn.toISOString();
  const lines = sql.join(
    draft.postings.map(
      (p, i) =>
        sql`(${draft.merchantId}, ${draft.id}, ${i + 1}::int, ${p.account}::ledger_account, ${draft.currency}, ${p.amount.toString()}::bigint, ${availableOn}::timestamptz, ${createdAt}::timestamptz)`,
    ),
    sql`, `,
  );
  return sql`ledger_t as (
      insert into ledger_transactions (merchant_id, id, category, currency, gross, fee, net, source_type, source_id, payout_id,
        description, created_at, available_on)
      select ${draft.merchantId}, ${draft.id}, ${draft.category}::ledger_category, ${draft.currency}, ${draft.gross.toString()}::bigint,
        ${draft.fee.toString()}::bigint, ${draft.net.toString()}::bigint, ${draft.sourceType}, ${draft.sourceId}, ${draft.payoutId}::text,
        ${draft.description}::text, ${createdAt}::timestamptz, ${availableOn}::timestamptz
      where ${when}
    ), ledger_e as (
      insert into ledger_entries (merchant_id, transaction_id, line, account, currency, amount, available_on, created_at)
      select * from (values ${lines}) v where ${when}
    )`;
}

/**
 * ledgerPostingCtes with placeholders, for a statement built once per process and shape
 * (db/prepared.server.ts): its text depends only on the number of postings. The values come
 * from ledgerPostingValues(draft), which checks the draft as ledgerPostingCtes does.
 */
export function ledgerPostingCtesTemplate(lines: number, when: SQL = sql`true`): SQL {
  const p = (name: string) => sql.placeholder(`l_${name}`);
  const values = sql.join(
    Array.from(
      { length: lines },
      (_, i) =>
        sql`(${p("merchant")}, ${p("id")}, ${i + 1}::int, ${p(`account_${i}`)}::ledger_account, ${p("currency")}, ${p(`amount_${i}`)}::bigint, ${p("available_on")}::timestamptz, ${p("created_at")}::timestamptz)`,
    ),
    sql`, `,
  );
  return sql`ledger_t as (
      insert into ledger_transactions (merchant_id, id, category, currency, gross, fee, net, source_type, source_id, payout_id,
        description, created_at, available_on)
      select ${p("merchant")}, ${p("id")}, ${p("category")}::ledger_category, ${p("currency")}, ${p("gross")}::bigint,
        ${p("fee")}::bigint, ${p("net")}::bigint, ${p("source_type")}, ${p("source_id")}, ${p("payout_id")}::text,
        ${p("description")}::text, ${p("created_at")}::timestamptz, ${p("available_on")}::timestamptz
      where ${when}
    ), ledger_e as (
      insert into ledger_entries (merchant_id, transaction_id, line, account, currency, amount, available_on, created_at)
      select * from (values ${values}) v where ${when}
    )`;
}

/** The placeholders' values of ledgerPostingCtesTemplate(draft.postings.length) for a draft. */
export function ledgerPostingValues(draft: LedgerTransactionDraft): Record<string, unknown> {
  const total = draft.postings.reduce((s, p) => s + p.amount, 0n);
  if (total !== 0n) throw new Error(`ledger transaction ${draft.id} does not balance (${total})`);
  if (draft.postings.length < 2) throw new Error(`ledger transaction ${draft.id} needs at least two postings`);
  const v: Record<string, unknown> = {
    l_merchant: draft.merchantId,
    l_id: draft.id,
    l_category: draft.category,
    l_currency: draft.currency,
    l_gross: draft.gross.toString(),
    l_fee: draft.fee.toString(),
    l_net: draft.net.toString(),
    l_source_type: draft.sourceType,
    l_source_id: draft.sourceId,
    l_payout_id: draft.payoutId,
    l_description: draft.description,
    l_created_at: draft.createdAt.toISOString(),
    l_available_on: draft.availableOn.toISOString(),
  };
  draft.postings.forEach((p, i) => {
    v[`l_account_${i}`] = p.account;
    v[`l_amount_${i}`] = p.amount.toString();
  });
  return v;
}

const postLedger = preparedSql<unknown, string>((lines) => sql`with ${ledgerPostingCtesTemplate(Number(lines))} select 1`);

/**
 * Inserts one ledger transaction and all of its postings, in one statement (one round
 * trip, prepared).
 */
export async function postLedgerTransaction(tx: DbOrTx, draft: LedgerTransactionDraft): Promise<void> {
  await postLedger(tx, ledgerPostingValues(draft), String(draft.postings.length));
}

export interface Balances {
  currency: string;
  /** Owed to the merchant, not yet available for payout. */
  pending: bigint;
  /** Owed to the merchant and available for the next payout (may be negative after refunds). */
  available: bigint;
  /** Sent to the bank, not yet confirmed. */
  inTransit: bigint;
  /** Confirmed in the merchant's bank account, all time. */
  paidOut: bigint;
}

/** Balances derived from the postings themselves, as of `at` (default now). */
export async function getBalances(
  scope: MerchantScope,
  currency?: string,
  opts: { at?: Date; dbx?: DbOrTx } = {},
): Promise<Balances> {
  const [b] = await getBalancesAt(scope, currency, [opts.at ?? new Date()], opts.dbx);
  return b!;
}

/**
 * The merchant_balance postings of one UTC day of available_on, summed per instant and
 * running (ascending instants, cumulative sums), with the version of the day's rollup rows
 * they were read with. Postings are insert-only and every insert updates one of those rows
 * (its slot's) in the same transaction (ledger_entries_derive), so while the rows' versions (xmin and amount)
 * is unchanged the day's postings are exactly these: "available at t" for any t of the
 * day is a lookup here instead of a scan of the day's postings (17,000 of them at 10M
 * payments a year, read on every Overview). Per process, a few hundred entries a day.
 */
interface DayPostings {
  version: string;
  at: number[];
  running: bigint[];
}
/** Per database (a process may hold several, tests do), then per merchant, currency and day. */
const dayPostingsByDb = new WeakMap<object, Map<string, DayPostings>>();
const DAY_POSTINGS_MAX = 2000;

function availableUpTo(d: DayPostings, atMs: number): bigint {
  // The last instant <= atMs (binary search; a few hundred instants).
  let lo = 0;
  let hi = d.at.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (d.at[mid]! <= atMs) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found < 0 ? 0n : d.running[found]!;
}

/**
 * Balances as of several instants (the Overview wants now and the next cutoff): one pass
 * over the daily balances, plus, for the day each instant falls in, that day's postings
 * per instant, which are reused while the day's rollup row is unchanged (see DayPostings).
 * Everything a call returns comes from one statement, so one snapshot.
 */
export async function getBalancesAt(
  scope: MerchantScope,
  currency: string | undefined,
  instants: Date[],
  dbx: DbOrTx = db(),
): Promise<Balances[]> {
  let cur = currency;
  if (!cur) {
    const [m] = await dbx
      .select({ currency: merchants.currency })
      .from(merchants)
      .where(eq(merchants.id, scope.merchantId));
    if (!m) throw new Error(`unknown merchant ${scope.merchantId}`);
    cur = m.currency;
  }
  if (instants.length === 0) return [];
  // Whole UTC days of available_on come from ledger_balances_daily (kept by a trigger
  // on ledger_entries in the same transaction); the day an instant falls in is split at
  // the instant from its postings. Same answer as summing every posting, in a few hundred
  // rows whatever the ledger's size.
  const points = instants.map((d) => {
    const at = d.toISOString();
    return { at, atMs: d.getTime(), day: at.slice(0, 10) };
  });
  const days = [...new Set(points.map((p) => p.day))];
  // Inside a transaction the caller may have written postings of its own not yet
  // committed: read them, never reuse or keep what such a read sees.
  const shared = !("rollback" in dbx);
  let dayPostings = dayPostingsByDb.get(dbx);
  if (!dayPostings) dayPostingsByDb.set(dbx, (dayPostings = new Map()));
  const cacheKey = (day: string) => `${scope.merchantId}|${cur}|${day}`;
  const read = async (withPostings: boolean) => {
    const before = sql.join(
      points.map((p, i) => sql`coalesce(sum(amount) filter (where account = 'merchant_balance' and day < ${p.day}::date), 0) as ${sql.raw(`before_${i}`)}`),
      sql`, `,
    );
    const perDay = sql.join(
      days.map((day, i) => {
        // Every slot's row of the day (db/migrations/0000_baseline.sql): any posting of the day changes one of them.
        const version = sql`(select string_agg(b.slot::text || ':' || b.xmin::text || ':' || b.amount::text, ',' order by b.slot) from ledger_balances_daily b
          where b.merchant_id = ${scope.merchantId} and b.currency = ${cur} and b.account = 'merchant_balance' and b.day = ${day}::date) as ${sql.raw(`version_${i}`)}`;
        if (!withPostings) return version;
        return sql`${version}, (select coalesce(json_agg(json_build_array(ceil(extract(epoch from x.at) * 1000)::bigint::text, x.amount::text) order by x.at), '[]')
          from (select available_on as at, sum(amount) as amount from ledger_entries
                where merchant_id = ${scope.merchantId} and account = 'merchant_balance' and currency = ${cur}
                  and available_on >= ${`${day}T00:00:00Z`}::timestamptz and available_on < ${`${day}T00:00:00Z`}::timestamptz + interval '1 day'
                group by available_on) x) as ${sql.raw(`postings_${i}`)}`;
      }),
      sql`, `,
    );
    const [r] = await rows<Record<string, unknown>>(
      dbx,
      sql`select days.*, ${perDay} from (
        select ${before},
          coalesce(sum(amount) filter (where account = 'merchant_balance'), 0)::text as balance_total,
          coalesce(sum(amount) filter (where account = 'merchant_in_transit'), 0)::text as in_transit,
          coalesce(sum(amount) filter (where account = 'bank_paid_out'), 0)::text as paid_out
        from ledger_balances_daily
        where merchant_id = ${scope.merchantId} and currency = ${cur}
      ) days`,
      // Index-only scans of one merchant's day rows and of one day of postings, whatever the instants.
      { prepare: true },
    );
    return r ?? {};
  };

  // The versions first; the postings of a day are read again only when its row changed.
  // (An instant in milliseconds is at or after a posting exactly when it is at or after
  // the posting's time rounded up to the millisecond: the postings are keyed that way.)
  // Reading the versions first only pays when every day has something cached to check.
  const cachedAll = shared && days.every((day) => dayPostings.has(cacheKey(day)));
  let r = await read(!cachedAll);
  const found = new Map<string, DayPostings>();
  if (cachedAll) {
    for (const [i, day] of days.entries()) {
      const hit = dayPostings.get(cacheKey(day));
      if (hit && hit.version === String(r[`version_${i}`] ?? "none")) found.set(day, hit);
    }
  }
  if (found.size < days.length) {
    if (cachedAll) r = await read(true);
    for (const [i, day] of days.entries()) {
      const raw = r[`postings_${i}`];
      const list = (typeof raw === "string" ? JSON.parse(raw) : (raw ?? [])) as [string, string][];
      let total = 0n;
      const d: DayPostings = { version: String(r[`version_${i}`] ?? "none"), at: [], running: [] };
      for (const [at, amount] of list) {
        total += BigInt(amount);
        d.at.push(Number(at));
        d.running.push(total);
      }
      found.set(day, d);
      if (shared) {
        if (dayPostings.size >= DAY_POSTINGS_MAX) dayPostings.delete(dayPostings.keys().next().value!);
        dayPostings.set(cacheKey(day), d);
      }
    }
  }
  const big = (v: unknown) => BigInt(String(v ?? "0"));
  return points.map((p, i) => {
    const available = big(r[`before_${i}`]) + availableUpTo(found.get(p.day)!, p.atMs);
    return {
      currency: cur!,
      pending: big(r.balance_total) - available,
      available,
      inTransit: big(r.in_transit),
      paidOut: big(r.paid_out),
    };
  });
}

/** Sum of postings per account (all time), for reconciliation and tests. */
export async function accountTotals(
  scope: MerchantScope,
  currency: string,
  dbx: DbOrTx = db(),
): Promise<Record<string, bigint>> {
  const r = await rows<{ account: string; total: string }>(
    dbx,
    sql`select account::text as account, sum(amount)::text as total from ledger_entries
        where merchant_id = ${scope.merchantId} and currency = ${currency} group by account`,
  );
  return Object.fromEntries(r.map((x) => [x.account, BigInt(x.total)]));
}

export interface BalanceTransaction {
  id: string;
  category: string;
  currency: string;
  gross: bigint;
  fee: bigint;
  net: bigint;
  sourceType: string;
  sourceId: string;
  description: string | null;
  createdAt: Date;
  availableOn: Date;
  /** The payout that carried it (payout rows name their own; others through payout_items). */
  payoutId: string | null;
}

/**
 * Balance transactions of one source (a payment and its refunds, a payout...), in
 * posting order. Reports read the whole table through the balance_transactions
 * query of the reporting module; this is the per-object timeline.
 */
export async function balanceTransactionsFor(
  scope: MerchantScope,
  sourceIds: string[],
  dbx: DbOrTx = db(),
): Promise<BalanceTransaction[]> {
  if (sourceIds.length === 0) return [];
  const r = await rows<{
    id: string;
    category: string;
    currency: string;
    gross: string;
    fee: string;
    net: string;
    source_type: string;
    source_id: string;
    description: string | null;
    created_at: string | Date;
    available_on: string | Date;
    payout_id: string | null;
  }>(
    dbx,
    sql`select lt.id, lt.category::text as category, lt.currency, lt.gross::text as gross, lt.fee::text as fee,
          lt.net::text as net, lt.source_type, lt.source_id, lt.description, lt.created_at, lt.available_on,
          coalesce(lt.payout_id, pi.payout_id) as payout_id
        from ledger_transactions lt
        left join payout_items pi on pi.merchant_id = lt.merchant_id and pi.ledger_transaction_id = lt.id
        where lt.merchant_id = ${scope.merchantId}
          and lt.source_id in (${sql.join(
            sourceIds.map((s) => sql`${s}`),
            sql`, `,
          )})
          and lt.category <> 'payout_paid'
        order by lt.created_at, lt.id`,
  );
  return r.map((x) => ({
    id: x.id,
    category: x.category,
    currency: x.currency,
    gross: BigInt(x.gross),
    fee: BigInt(x.fee),
    net: BigInt(x.net),
    sourceType: x.source_type,
    sourceId: x.source_id,
    description: x.description,
    createdAt: new Date(x.created_at),
    availableOn: new Date(x.available_on),
    payoutId: x.payout_id,
  }));
}

/**
 * Ledger invariants, checked by tests and available to an operator's health check:
 * every transaction balances per currency, its net equals its merchant_balance
 * postings (for balance categories), and the whole ledger sums to zero per currency.
 * Returns the problems found (empty when the ledger ties out).
 */
export async function ledgerProblems(scope: MerchantScope, dbx: DbOrTx = db()): Promise<string[]> {
  const problems: string[] = [];
  const unbalanced = await rows<{ transaction_id: string; currency: string; total: string }>(
    dbx,
    sql`select transaction_id, currency, sum(amount)::text as total from ledger_entries
        where merchant_id = ${scope.merchantId}
        group by transaction_id, currency having sum(amount) <> 0`,
  );
  for (const u of unbalanced) problems.push(`transaction ${u.transaction_id} sums to ${u.total} ${u.currency}`);
  const netMismatch = await rows<{ id: string; net: string; posted: string }>(
    dbx,
    sql`select lt.id, lt.net::text as net, coalesce(sum(e.amount) filter (where e.account = 'merchant_balance'), 0)::text as posted
        from ledger_transactions lt
        join ledger_entries e on e.merchant_id = lt.merchant_id and e.transaction_id = lt.id
        where lt.merchant_id = ${scope.merchantId} and lt.category not in ('payout_paid')
        group by lt.id, lt.net
        having lt.net <> coalesce(sum(e.amount) filter (where e.account = 'merchant_balance'), 0)`,
  );
  for (const n of netMismatch) problems.push(`transaction ${n.id} has net ${n.net} but posts ${n.posted} to the balance`);
  const orphans = await rows<{ id: string }>(
    dbx,
    sql`select lt.id from ledger_transactions lt
        where lt.merchant_id = ${scope.merchantId}
          and not exists (select 1 from ledger_entries e where e.merchant_id = lt.merchant_id and e.transaction_id = lt.id)
          and not (lt.gross = 0 and lt.fee = 0)`,
  );
  for (const o of orphans) problems.push(`transaction ${o.id} has no postings`);
  return problems;
}

