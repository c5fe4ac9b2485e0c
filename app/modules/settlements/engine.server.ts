/**
 * The payout engine. At each settlement cutoff it gathers every balance transaction
 * that has become available and is not yet paid out into one payout per merchant and
 * currency, then walks the payouts through the bank: pending -> in_transit -> paid, or
 * failed with a reversal that returns the money to the balance (the next payout
 * carries it again).
 *
 * Its rules are those of the demo generator's settle() (app/demo/generate.ts):
 * - items: ledger transactions of a balance category other than `payout`, not yet in
 *   payout_items, with available_on <= the cutoff;
 * - a payout only when their sum is > 0 and >= the merchant's minimum (else it all
 *   carries over to the next cutoff);
 * - payouts.cutoff_at is the cutoff; the payout's ledger transaction is a `payout`.
 *
 * Time is a parameter (`now`), and every timestamp the engine writes is the scheduled
 * time of the step (the cutoff, the send time, the value date), never the moment the
 * job happened to run: running it every minute or once a week gives the same payouts.
 * Missed cutoffs are replayed in order, so a stopped server catches up exactly.
 *
 * Safe to run twice or concurrently: a payout is created under a per-merchant advisory
 * lock, payouts are UNIQUE per (merchant, currency, cutoff), payout_items' primary key
 * pays an item at most once, and every status change is a guarded UPDATE whose ledger
 * posting is written in the same transaction only by the run that won it.
 */
import { recordEvent } from "~/modules/events/events.server";
import { serializeBankAccount, serializePayout } from "~/modules/events/objects";
import { and, eq, gt, inArray, or, sql } from "drizzle-orm";
import { merchantBankAccounts, merchants, payoutItems, payouts } from "~db/schema";
import { db, rows, type Db, type DbOrTx } from "~db/client.server";
import { maskAccount } from "~/lib/bank-account";
import { newId } from "~/lib/ids";
import { postLedgerTransaction } from "~/modules/ledger/ledger.server";
import { BALANCE_CATEGORIES, payoutFailurePosting, payoutPaidPosting, payoutPosting } from "~/modules/ledger/postings";
import { ACCOUNT_FAILURE_CODES, type PayoutBank } from "./bank";
import { ARRIVAL_HOUR, atLocalTime, cutoffsBetween, payoutTimes, previousCutoff, type SettlementCalendar } from "./calendar";
import { calendarFromSchedule, SCHEDULE_COLUMNS, type ScheduleFields } from "./holidays.server";
import { sandboxBank } from "./sandbox-bank.server";

/** Everything a payout may carry: all balance transactions except payouts themselves. */
export const PAYOUT_ITEM_CATEGORIES = BALANCE_CATEGORIES.filter((c) => c !== "payout");

/** A stopped engine replays at most this far back; older money joins the first replayed cutoff. */
const MAX_REPLAY_MS = 400 * 86400_000;
/** Paid payouts are watched this long for a return by the receiving bank. */
const RETURN_WATCH_MS = 10 * 86400_000;

export type PayoutEventKind = "created" | "sent" | "paid" | "failed";

export interface PayoutEvent {
  kind: PayoutEventKind;
  merchantId: string;
  payoutId: string;
  currency: string;
  amount: bigint;
  at: Date;
  itemCount?: number;
  expectedArrivalDate?: string;
  failureCode?: string;
  /** For failures: whether the bank had credited it first (a return). */
  wasPaid?: boolean;
}

export interface MerchantRun {
  merchantId: string;
  name: string;
  currency: string;
  events: PayoutEvent[];
  /** Why no payout could be created, when money is waiting (no bank account, not active). */
  held: string | null;
  error: string | null;
}

export interface PayoutEngineReport {
  now: Date;
  runs: MerchantRun[];
  events: PayoutEvent[];
}

export interface PayoutEngineOptions {
  now: Date;
  /** Only these merchants (default: every merchant). */
  merchantIds?: string[];
  bank?: PayoutBank;
  dbx?: Db;
  /**
   * For the every-minute scheduler: skip looking for new payouts while no cutoff has
   * passed since this process last found none (a payout can only close a cutoff). The
   * bank steps still run. `npm run jobs` and simulated clocks always look.
   */
  incremental?: boolean;
}

// Per database: merchant:currency -> the latest cutoff at which this process found nothing to pay.
const nothingThroughByDb = new WeakMap<object, Map<string, number>>();

interface MerchantRow extends ScheduleFields {
  id: string;
  name: string;
  status: string;
  currency: string;
  minimumPayout: bigint;
}

interface UnpaidItem {
  id: string;
  net: bigint;
  availableOn: Date;
}

type PayoutRow = typeof payouts.$inferSelect;

const categoryList = sql.join(
  PAYOUT_ITEM_CATEGORIES.map((c) => sql`${c}`),
  sql`, `,
);

async function unpaidItems(dbx: DbOrTx, merchantId: string, currency: string, upTo: Date): Promise<UnpaidItem[]> {
  const r = await rows<{ id: string; net: string; available_on: string | Date }>(
    dbx,
    sql`select lt.id, lt.net::text as net, lt.available_on
        from ledger_transactions lt
        where lt.merchant_id = ${merchantId} and lt.currency = ${currency}
          and lt.category in (${categoryList})
          and lt.available_on <= ${upTo.toISOString()}::timestamptz
          and not exists (select 1 from payout_items pi
                          where pi.merchant_id = lt.merchant_id and pi.ledger_transaction_id = lt.id)
        order by lt.available_on, lt.id`,
  );
  return r.map((x) => ({ id: x.id, net: BigInt(x.net), availableOn: new Date(x.available_on) }));
}

/** Currencies the merchant has money in (an index skip-scan, not a scan of the ledger). */
async function ledgerCurrencies(dbx: Db, merchantId: string): Promise<string[]> {
  const r = await rows<{ cur: string }>(
    dbx,
    sql`with recursive c as (
          select min(currency) as cur from ledger_transactions where merchant_id = ${merchantId}
          union all
          select (select min(currency) from ledger_transactions where merchant_id = ${merchantId} and currency > c.cur)
          from c where c.cur is not null)
        select cur from c where cur is not null`,
  );
  return r.map((x) => x.cur.trim());
}

interface Plan {
  cutoff: Date;
}

/**
 * The earliest cutoff <= now that has no payout yet and whose available money qualifies.
 * Not before `notBefore` (when the current bank account was entered): a payout copies
 * the account of its cutoff, so catching up after a pause never backdates a payout to a
 * time the account did not exist yet.
 */
async function planNextPayout(dbx: Db, m: MerchantRow, currency: string, cal: SettlementCalendar, now: Date, notBefore: Date): Promise<Plan | null> {
  const items = await unpaidItems(dbx, m.id, currency, now);
  if (items.length === 0) return null;
  const earliest = Math.max(items[0]!.availableOn.getTime() - 1, now.getTime() - MAX_REPLAY_MS);
  const existing = await dbx
    .select({ cutoffAt: payouts.cutoffAt })
    .from(payouts)
    .where(
      and(
        eq(payouts.merchantId, m.id),
        eq(payouts.currency, currency),
        sql`${payouts.cutoffAt} > ${new Date(earliest).toISOString()}::timestamptz`,
        sql`${payouts.cutoffAt} <= ${now.toISOString()}::timestamptz`,
      ),
    );
  const taken = new Set(existing.map((p) => p.cutoffAt.getTime()));
  let i = 0;
  let sum = 0n;
  for (const cutoff of cutoffsBetween(new Date(earliest), now, cal)) {
    while (i < items.length && items[i]!.availableOn.getTime() <= cutoff.getTime()) sum += items[i++]!.net;
    // A cutoff that already has its payout is closed: later money waits for the next one.
    if (taken.has(cutoff.getTime()) || cutoff.getTime() < notBefore.getTime()) continue;
    if (sum > 0n && sum >= m.minimumPayout) return { cutoff };
  }
  return null;
}

async function activeAccount(dbx: DbOrTx, merchantId: string, currency: string) {
  const [a] = await dbx
    .select()
    .from(merchantBankAccounts)
    .where(and(eq(merchantBankAccounts.merchantId, merchantId), eq(merchantBankAccounts.currency, currency), eq(merchantBankAccounts.active, true)));
  return a ?? null;
}

async function createPayout(dbx: Db, m: MerchantRow, currency: string, cal: SettlementCalendar, cutoff: Date): Promise<PayoutEvent | null> {
  return dbx.transaction(async (tx) => {
    // One writer per merchant and currency at a time; a concurrent run waits here and
    // then sees this run's payout and items.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`payouts:${m.id}:${currency}`}))`);
    const [dup] = await tx
      .select({ id: payouts.id })
      .from(payouts)
      .where(and(eq(payouts.merchantId, m.id), eq(payouts.currency, currency), eq(payouts.cutoffAt, cutoff)));
    if (dup) return null;
    const items = await unpaidItems(tx, m.id, currency, cutoff);
    const amount = items.reduce((s, x) => s + x.net, 0n);
    if (items.length === 0 || amount <= 0n || amount < m.minimumPayout) return null;
    const account = await activeAccount(tx, m.id, currency);
    if (!account || !account.verified || cutoff.getTime() < account.createdAt.getTime()) return null;
    const times = payoutTimes(cutoff, cal);
    const id = newId("po", cutoff);
    const created = await tx
      .insert(payouts)
      .values({
        merchantId: m.id,
        id,
        amount,
        currency,
        status: "pending",
        // Copied now: changing the bank account later never redirects this payout.
        bankAccountId: account.id,
        bankAccountMask: maskAccount(account.accountNumber),
        bankName: account.bankName,
        cutoffAt: cutoff,
        expectedArrivalDate: times.expectedArrivalDate,
        itemCount: items.length,
        createdAt: cutoff,
        updatedAt: cutoff,
      })
      .onConflictDoNothing()
      .returning();
    if (created.length === 0) return null;
    for (let i = 0; i < items.length; i += 10_000) {
      await tx.insert(payoutItems).values(
        items.slice(i, i + 10_000).map((x) => ({ merchantId: m.id, ledgerTransactionId: x.id, payoutId: id, createdAt: cutoff })),
      );
    }
    await postLedgerTransaction(
      tx,
      payoutPosting({ id: newId("txn", cutoff), merchantId: m.id, currency, createdAt: cutoff, description: `Payout ${id}`, payoutId: id, amount }),
    );
    await recordEvent(tx, m.id, "payout.created", serializePayout(created[0]!));
    return {
      kind: "created" as const,
      merchantId: m.id,
      payoutId: id,
      currency,
      amount,
      at: cutoff,
      itemCount: items.length,
      expectedArrivalDate: times.expectedArrivalDate,
    };
  });
}

async function markSent(dbx: Db, p: PayoutRow, at: Date, traceNumber: string): Promise<PayoutEvent | null> {
  return dbx.transaction(async (tx) => {
    const done = await tx
      .update(payouts)
      .set({ status: "in_transit", sentAt: at, traceNumber, updatedAt: at })
      .where(and(eq(payouts.merchantId, p.merchantId), eq(payouts.id, p.id), eq(payouts.status, "pending")))
      .returning();
    if (!done.length) return null;
    await recordEvent(tx, p.merchantId, "payout.in_transit", serializePayout(done[0]!));
    return { kind: "sent" as const, merchantId: p.merchantId, payoutId: p.id, currency: p.currency, amount: p.amount, at };
  });
}

async function markPaid(dbx: Db, p: PayoutRow, at: Date): Promise<PayoutEvent | null> {
  return dbx.transaction(async (tx) => {
    const done = await tx
      .update(payouts)
      .set({ status: "paid", paidAt: at, updatedAt: at })
      .where(and(eq(payouts.merchantId, p.merchantId), eq(payouts.id, p.id), eq(payouts.status, "in_transit")))
      .returning();
    if (!done.length) return null;
    await postLedgerTransaction(
      tx,
      payoutPaidPosting({ id: newId("txn", at), merchantId: p.merchantId, currency: p.currency, createdAt: at, description: `Payout ${p.id} paid`, payoutId: p.id, amount: p.amount }),
    );
    await recordEvent(tx, p.merchantId, "payout.paid", serializePayout(done[0]!));
    return { kind: "paid" as const, merchantId: p.merchantId, payoutId: p.id, currency: p.currency, amount: p.amount, at };
  });
}

async function markFailed(
  dbx: Db,
  p: PayoutRow,
  f: { at: Date; code: string; message: string; wasPaid: boolean },
): Promise<PayoutEvent | null> {
  return dbx.transaction(async (tx) => {
    const from = f.wasPaid ? eq(payouts.status, "paid") : inArray(payouts.status, ["pending", "in_transit"]);
    const done = await tx
      .update(payouts)
      .set({ status: "failed", failedAt: f.at, failureCode: f.code, failureMessage: f.message, updatedAt: f.at })
      .where(and(eq(payouts.merchantId, p.merchantId), eq(payouts.id, p.id), from))
      .returning();
    if (!done.length) return null;
    let unverified: typeof merchantBankAccounts.$inferSelect | undefined;
    if (ACCOUNT_FAILURE_CODES.has(f.code) && p.bankAccountId) {
      const [account] = await tx
        .update(merchantBankAccounts)
        .set({ verified: false })
        .where(and(eq(merchantBankAccounts.merchantId, p.merchantId), eq(merchantBankAccounts.id, p.bankAccountId), eq(merchantBankAccounts.verified, true)))
        .returning();
      if (account) unverified = account;
    }
    // The reversal is a balance transaction available at once: the next payout carries it.
    await postLedgerTransaction(
      tx,
      payoutFailurePosting({
        id: newId("txn", f.at),
        merchantId: p.merchantId,
        currency: p.currency,
        createdAt: f.at,
        description: `Payout ${p.id} failed: ${f.message}`,
        payoutId: p.id,
        amount: p.amount,
        wasPaid: f.wasPaid,
      }),
    );
    await recordEvent(tx, p.merchantId, "payout.failed", serializePayout(done[0]!));
    if (unverified) await recordEvent(tx, p.merchantId, "bank_account.updated", serializeBankAccount(unverified));
    return {
      kind: "failed" as const,
      merchantId: p.merchantId,
      payoutId: p.id,
      currency: p.currency,
      amount: p.amount,
      at: f.at,
      failureCode: f.code,
      wasPaid: f.wasPaid,
    };
  });
}

/** Moves each open payout as far as the bank says it has gone by `at`. */
async function bankStep(dbx: Db, bank: PayoutBank, m: MerchantRow, currency: string, cal: SettlementCalendar, at: Date): Promise<PayoutEvent[]> {
  const open = await dbx
    .select()
    .from(payouts)
    .where(
      and(
        eq(payouts.merchantId, m.id),
        eq(payouts.currency, currency),
        sql`${payouts.cutoffAt} <= ${at.toISOString()}::timestamptz`,
        or(
          inArray(payouts.status, ["pending", "in_transit"]),
          and(eq(payouts.status, "paid"), gt(payouts.paidAt, new Date(at.getTime() - RETURN_WATCH_MS))),
        ),
      ),
    )
    .orderBy(payouts.cutoffAt);
  const events: PayoutEvent[] = [];
  const push = (e: PayoutEvent | null) => {
    if (e) events.push(e);
    return !!e;
  };
  for (const p of open) {
    const times = payoutTimes(p.cutoffAt, cal);
    const sendAt = p.sentAt ?? times.sendAt;
    const promised = atLocalTime(p.expectedArrivalDate, ARRIVAL_HOUR, 0, cal);
    const valueAt = promised.getTime() > sendAt.getTime() ? promised : sendAt;
    const send = async () => {
      const [account] = p.bankAccountId
        ? await dbx
            .select()
            .from(merchantBankAccounts)
            .where(and(eq(merchantBankAccounts.merchantId, p.merchantId), eq(merchantBankAccounts.id, p.bankAccountId)))
        : [];
      if (!account) return { accepted: false as const, code: "no_account", message: "The payout has no bank account to go to." };
      return bank.send({
        reference: p.id,
        accountNumber: account.accountNumber,
        routingNumber: account.routingNumber,
        currency: p.currency,
        amount: p.amount,
        sentAt: sendAt,
        valueAt,
      });
    };

    let status = p.status;
    if (status === "pending") {
      if (at.getTime() < sendAt.getTime()) continue;
      // Claim the send before the bank hears of it: one guarded UPDATE, serialized on the
      // row with cancelPayout's (cancel.server.ts), so either the owner's cancel wins and
      // nothing is sent, or this claim wins (sent_at set) and the payout can no longer be
      // canceled. A claim left by a crashed run is simply taken again (the reference is the key).
      const claimed = await dbx
        .update(payouts)
        .set({ sentAt: sql`coalesce(${payouts.sentAt}, ${sendAt.toISOString()}::timestamptz)` })
        .where(and(eq(payouts.merchantId, p.merchantId), eq(payouts.id, p.id), eq(payouts.status, "pending")))
        .returning({ id: payouts.id });
      if (claimed.length === 0) continue; // canceled (or moved by another run) meanwhile
      const r = await send();
      if (!r.accepted) {
        push(await markFailed(dbx, p, { at: sendAt, code: r.code, message: r.message, wasPaid: false }));
        continue;
      }
      if (!push(await markSent(dbx, p, sendAt, r.traceNumber))) continue; // another run moved it
      status = "in_transit";
    }
    let state = await bank.inquire(p.id, at);
    if (state.status === "not_found" && status === "in_transit") {
      // We believe it was sent but the bank has no record (sent before this bank existed,
      // or the answer to our send was lost): sending again is safe, the reference is the key.
      const r = await send();
      if (!r.accepted) {
        push(await markFailed(dbx, p, { at: sendAt, code: r.code, message: r.message, wasPaid: false }));
        continue;
      }
      state = await bank.inquire(p.id, at);
    }
    switch (state.status) {
      case "paid":
        if (status === "in_transit") push(await markPaid(dbx, p, state.at));
        break;
      case "failed":
        if (status === "in_transit") push(await markFailed(dbx, p, { at: state.at, code: state.code, message: state.message, wasPaid: false }));
        break;
      case "returned":
        if (status === "in_transit") {
          if (!push(await markPaid(dbx, p, state.paidAt))) break;
          status = "paid";
        }
        if (status === "paid") push(await markFailed(dbx, p, { at: state.at, code: state.code, message: state.message, wasPaid: true }));
        break;
      default:
        break;
    }
  }
  return events;
}

async function settleMerchantCurrency(
  dbx: Db,
  bank: PayoutBank,
  m: MerchantRow,
  currency: string,
  cal: SettlementCalendar,
  now: Date,
  incremental: boolean,
): Promise<{ events: PayoutEvent[]; held: string | null }> {
  const events: PayoutEvent[] = [];
  const cacheKey = `${m.id}:${currency}`;
  let nothingThrough = nothingThroughByDb.get(dbx);
  if (!nothingThrough) nothingThroughByDb.set(dbx, (nothingThrough = new Map()));
  const lastCutoff = previousCutoff(now, cal).getTime();
  let skipPlan = incremental && nothingThrough.get(cacheKey) === lastCutoff;
  let notBefore = new Date(0);
  const holdReason = async (): Promise<string | null> => {
    if (m.status !== "active") return `the merchant is ${m.status}: payouts start once it is active`;
    const account = await activeAccount(dbx, m.id, currency);
    notBefore = account?.createdAt ?? notBefore;
    if (!account) return `no ${currency} bank account: add one in Settings → Bank account`;
    if (!account.verified) {
      return `payouts are paused: the last payout to ${maskAccount(account.accountNumber)} failed; the owner must enter another account`;
    }
    return null;
  };
  let held = await holdReason();
  const reversed = (list: PayoutEvent[]) => list.some((e) => e.kind === "failed");
  let stuckAt: number | null = null;
  for (let guard = 0; guard < 2000; guard++) {
    const plan = held || skipPlan ? null : await planNextPayout(dbx, m, currency, cal, now, notBefore);
    if (!plan && !held && !skipPlan) nothingThrough.set(cacheKey, lastCutoff);
    if (plan) {
      // Bank news up to the cutoff first: a reversal before it belongs in this payout.
      const bankEvents = await bankStep(dbx, bank, m, currency, cal, plan.cutoff);
      events.push(...bankEvents);
      if (reversed(bankEvents)) {
        held = await holdReason();
        skipPlan = false;
        continue;
      }
      const created = await createPayout(dbx, m, currency, cal, plan.cutoff);
      if (created) {
        events.push(created);
        stuckAt = null;
        continue;
      }
      // Planned but not created (a concurrent run took it): re-plan once, then stop.
      if (stuckAt === plan.cutoff.getTime()) break;
      stuckAt = plan.cutoff.getTime();
      continue;
    }
    const bankEvents = await bankStep(dbx, bank, m, currency, cal, now);
    events.push(...bankEvents);
    if (!reversed(bankEvents)) break;
    // A reversal is new money: look again.
    held = await holdReason();
    skipPlan = false;
  }
  if (held) {
    // Only worth saying when money is actually waiting.
    const waiting = await unpaidItems(dbx, m.id, currency, now);
    if (waiting.reduce((s, x) => s + x.net, 0n) <= 0n) held = null;
  }
  return { events, held };
}

/** Runs every merchant's (or the listed merchants') settlement up to `now`. */
export async function runPayoutEngine(opts: PayoutEngineOptions): Promise<PayoutEngineReport> {
  const dbx = opts.dbx ?? db();
  const bank = opts.bank ?? sandboxBank;
  const now = opts.now;
  const list: MerchantRow[] = await dbx
    .select({
      id: merchants.id,
      name: merchants.name,
      status: merchants.status,
      currency: merchants.currency,
      minimumPayout: merchants.minimumPayout,
      ...SCHEDULE_COLUMNS,
    })
    .from(merchants)
    .where(opts.merchantIds ? inArray(merchants.id, opts.merchantIds.length ? opts.merchantIds : [""]) : undefined)
    .orderBy(merchants.id);
  const runs: MerchantRun[] = [];
  for (const m of list) {
    const currencies = new Set([m.currency.trim(), ...(await ledgerCurrencies(dbx, m.id))]);
    let cal: SettlementCalendar | null = null;
    for (const currency of currencies) {
      const run: MerchantRun = { merchantId: m.id, name: m.name, currency, events: [], held: null, error: null };
      try {
        cal ??= await calendarFromSchedule(dbx, m.id, m);
        const r = await settleMerchantCurrency(dbx, bank, m, currency, cal, now, opts.incremental ?? false);
        run.events = r.events;
        run.held = r.held;
      } catch (e) {
        // One merchant's problem must not stop everybody else's payouts.
        run.error = e instanceof Error ? e.message : String(e);
      }
      runs.push(run);
    }
  }
  return { now, runs, events: runs.flatMap((r) => r.events) };
}
