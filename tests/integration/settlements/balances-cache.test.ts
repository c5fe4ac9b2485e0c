/**
 * Balances reuse a day's postings per instant while that day's rollup row is unchanged
 * (getBalancesAt in app/modules/ledger/ledger.server.ts). Whatever is reused, the answer
 * must be what summing the postings says, at every instant of the day, right after a new
 * posting lands in that day, and inside a transaction that has just written one.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db, rows } from "~db/client.server";
import { getBalances, getBalancesAt, postLedgerTransaction } from "~/modules/ledger/ledger.server";
import { refundPosting } from "~/modules/ledger/postings";
import { newId } from "~/lib/ids";
import { useTestDatabase } from "../../support/db";
import { charge, makeMerchant, refund, type TestMerchant } from "./helpers";

useTestDatabase();

/** Available balance the slow way: every merchant_balance posting available by `at`. */
async function availableBySum(m: TestMerchant, at: Date): Promise<bigint> {
  const [r] = await rows<{ s: string }>(
    db(),
    sql`select coalesce(sum(amount), 0)::text as s from ledger_entries
        where merchant_id = ${m.id} and account = 'merchant_balance' and currency = ${m.currency} and available_on <= ${at.toISOString()}::timestamptz`,
  );
  return BigInt(r!.s);
}

const day = (hhmm: string) => new Date(`2025-11-04T${hhmm}:00.000Z`);

describe("balances of the current day, reused between views", () => {
  it("agree with the sum of postings at every instant, before and after a new posting of the day", async () => {
    const m = await makeMerchant({ delayDays: 0 });
    // Charges of the previous days become available during 2025-11-04; refunds are available at once.
    await charge(m, new Date("2025-11-02T08:00:00Z"), 700_000n);
    await charge(m, new Date("2025-11-03T09:30:00Z"), 300_000n);
    await refund(m, day("06:15"), 50_000n);
    const instants = ["00:00", "06:14", "06:15", "06:16", "09:00", "12:00", "18:00", "23:59"].map(day);
    // First reads (computed), then the same again (reused), then later instants of the same day.
    for (let pass = 0; pass < 2; pass++) {
      for (const at of instants) expect((await getBalances(m.scope, m.currency, { at })).available, at.toISOString()).toBe(await availableBySum(m, at));
    }
    // A refund lands in the same day: the next view sees it, at and after its instant only.
    await refund(m, day("10:05"), 20_000n);
    for (const at of [day("10:04"), day("10:05"), day("10:06"), day("23:00")]) {
      expect((await getBalances(m.scope, m.currency, { at })).available, at.toISOString()).toBe(await availableBySum(m, at));
    }
    // Two instants in one call, on two days (now and a cutoff tomorrow), reused or not.
    for (let pass = 0; pass < 2; pass++) {
      const [a, b] = await getBalancesAt(m.scope, m.currency, [day("11:00"), new Date("2025-11-05T08:30:00Z")]);
      expect(a!.available).toBe(await availableBySum(m, day("11:00")));
      expect(b!.available).toBe(await availableBySum(m, new Date("2025-11-05T08:30:00Z")));
    }
  });

  it("inside a transaction, see the transaction's own posting and keep nothing of it", async () => {
    const m = await makeMerchant({ delayDays: 0 });
    await charge(m, new Date("2025-11-02T08:00:00Z"), 700_000n);
    const at = day("15:00");
    const before = (await getBalances(m.scope, m.currency, { at })).available;
    await db()
      .transaction(async (tx) => {
        await postLedgerTransaction(tx, refundPosting({ id: newId("txn", day("14:00")), merchantId: m.id, currency: m.currency, createdAt: day("14:00"), refundId: newId("re", day("14:00")), amount: 40_000n }));
        expect((await getBalances(m.scope, m.currency, { at, dbx: tx })).available).toBe(before - 40_000n);
        tx.rollback();
      })
      .catch(() => {});
    // Rolled back: the view outside is as before.
    expect((await getBalances(m.scope, m.currency, { at })).available).toBe(before);
    expect(before).toBe(await availableBySum(m, at));
  });
});
