/** Fixtures for settlement tests: a merchant with a schedule and bank account, and money moving through the real ledger. */
import { and, asc, eq, sql } from "drizzle-orm";
import { db, rows, type Db } from "~db/client.server";
import { merchantBankAccounts, merchants, payoutItems, payouts } from "~db/schema";
import { newId } from "~/lib/ids";
import { validateSheba } from "~/lib/bank-account";
import { getBalances, postLedgerTransaction } from "~/modules/ledger/ledger.server";
import { chargePosting, refundPosting } from "~/modules/ledger/postings";
import { defaultSchedule } from "~/modules/settlements/calendar";
import { ensureHolidayCalendars } from "~/modules/settlements/holidays.server";
import { availableOnFor } from "~/modules/settlements/schedule.server";

export const GOOD_SHEBA = "IR200170000000000123456789";
export const CLOSED_SHEBA = "IR180170000000000001111113";
export const RETURNED_SHEBA = "IR530170000000000003333335";
export const REJECTED_SHEBA = "IR030170000000000002222227";

export interface TestMerchant {
  id: string;
  currency: string;
  scope: { merchantId: string };
}

export async function makeMerchant(
  opts: { currency?: "IRR" | "USD"; minimumPayout?: bigint; account?: string; delayDays?: number; status?: "active" | "pending" } = {},
): Promise<TestMerchant> {
  await ensureHolidayCalendars();
  const currency = opts.currency ?? "IRR";
  const country = currency === "IRR" ? "IR" : "US";
  const s = defaultSchedule({ currency, country });
  const id = newId("mer");
  await db()
    .insert(merchants)
    .values({
      id,
      name: `Shop ${id.slice(-5)}`,
      status: opts.status ?? "active",
      country,
      currency,
      timeZone: currency === "IRR" ? "Asia/Tehran" : "America/New_York",
      settlementCutoff: s.cutoff,
      settlementDelayDays: opts.delayDays ?? s.delayDays,
      weekendDays: s.weekendDays,
      holidayCalendar: s.holidayCalendar,
      minimumPayout: opts.minimumPayout ?? 0n,
      processorId: "sandbox",
    });
  // Entered long before the simulated days of the tests.
  await addAccount({ merchantId: id }, currency, opts.account ?? (currency === "IRR" ? GOOD_SHEBA : "000123456789"), new Date("2020-01-01T00:00:00Z"));
  return { id, currency, scope: { merchantId: id } };
}

/** Writes a bank account directly (the bank-account module's own tests go through its API). */
export async function addAccount(scope: { merchantId: string }, currency: string, accountNumber: string, at: Date): Promise<string> {
  await db()
    .update(merchantBankAccounts)
    .set({ active: false, deactivatedAt: at })
    .where(and(eq(merchantBankAccounts.merchantId, scope.merchantId), eq(merchantBankAccounts.active, true)));
  const id = newId("ba");
  const sheba = currency === "IRR" ? validateSheba(accountNumber) : null;
  await db()
    .insert(merchantBankAccounts)
    .values({
      merchantId: scope.merchantId,
      id,
      kind: currency === "IRR" ? "sheba" : "aba",
      accountNumber,
      routingNumber: currency === "IRR" ? null : "110000000",
      holderName: "Test Holder",
      bankCode: sheba?.ok ? sheba.bankCode : null,
      bankName: sheba?.ok ? sheba.bankName.en : "Sandbox Bank",
      currency,
      verified: true,
      active: true,
      createdAt: at,
    });
  return id;
}

export async function charge(m: TestMerchant, at: Date, amount: bigint, fee = 0n, dbx: Db = db()): Promise<string> {
  const id = newId("txn", at);
  await postLedgerTransaction(
    dbx,
    chargePosting({
      id,
      merchantId: m.id,
      currency: m.currency,
      createdAt: at,
      paymentId: newId("pay", at),
      amount,
      fee,
      availableOn: await availableOnFor(m.scope, at, dbx),
    }),
  );
  return id;
}

export async function refund(m: TestMerchant, at: Date, amount: bigint): Promise<string> {
  const id = newId("txn", at);
  await postLedgerTransaction(db(), refundPosting({ id, merchantId: m.id, currency: m.currency, createdAt: at, refundId: newId("re", at), amount }));
  return id;
}

export async function payoutsOf(m: TestMerchant, dbx: Db = db()) {
  return dbx.select().from(payouts).where(eq(payouts.merchantId, m.id)).orderBy(asc(payouts.cutoffAt));
}

export async function itemIds(m: TestMerchant, payoutId: string): Promise<string[]> {
  const r = await db()
    .select({ id: payoutItems.ledgerTransactionId })
    .from(payoutItems)
    .where(and(eq(payoutItems.merchantId, m.id), eq(payoutItems.payoutId, payoutId)));
  return r.map((x) => x.id).sort();
}

/** Payouts whose amount is not the exact sum of their items (should be none). */
export async function payoutsNotMatchingItems(merchantId: string, dbx: Db = db()) {
  return rows<{ id: string; amount: string; items: string }>(
    dbx,
    sql`select p.id, p.amount::text as amount, coalesce(sum(lt.net), 0)::text as items
        from payouts p
        left join payout_items pi on pi.merchant_id = p.merchant_id and pi.payout_id = p.id
        left join ledger_transactions lt on lt.merchant_id = pi.merchant_id and lt.id = pi.ledger_transaction_id
        where p.merchant_id = ${merchantId}
        group by p.id, p.amount, p.item_count
        having p.amount <> coalesce(sum(lt.net), 0) or p.item_count <> count(pi.ledger_transaction_id)`,
  );
}

/** Balances at `at`, checked against what the payouts say: in transit = sum of in-transit payouts, etc. */
export async function balancesAgreeWithPayouts(m: TestMerchant, at: Date) {
  const b = await getBalances(m.scope, m.currency, { at });
  const ps = await payoutsOf(m);
  const sum = (status: string) => ps.filter((p) => p.status === status).reduce((s, p) => s + p.amount, 0n);
  return { balances: b, inTransitPayouts: sum("pending") + sum("in_transit"), paidPayouts: sum("paid") };
}
