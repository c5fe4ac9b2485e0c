import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openPostgres, rows } from "~db/client.server";
import { ledgerTransactions } from "~db/schema";
import { getBalances, ledgerProblems } from "~/modules/ledger/ledger.server";
import { runPayoutEngine } from "~/modules/settlements/engine.server";
import { useTestDatabase } from "../../support/db";
import {
  CLOSED_SHEBA,
  GOOD_SHEBA,
  REJECTED_SHEBA,
  RETURNED_SHEBA,
  addAccount,
  balancesAgreeWithPayouts,
  charge,
  itemIds,
  makeMerchant,
  payoutsNotMatchingItems,
  payoutsOf,
  refund,
} from "./helpers";
import { publishEvents } from "~/modules/events/events.server";

const t = useTestDatabase({ seed: "none" });

/** A Tehran wall-clock time (+03:30, no DST since 2022). */
const tehran = (local: string) => new Date(`${local}+03:30`);

describe("payout engine", () => {
  it("a payment at 23:29 Tehran time and one at 23:31 land in different payouts", async () => {
    const m = await makeMerchant();
    const early = await charge(m, tehran("2025-10-18T23:29:00"), 1_000_000n);
    const late = await charge(m, tehran("2025-10-18T23:31:00"), 2_000_000n);

    const first = await runPayoutEngine({ now: tehran("2025-10-19T00:00:00"), merchantIds: [m.id] });
    expect(first.events.map((e) => e.kind)).toEqual(["created"]);
    let ps = await payoutsOf(m);
    expect(ps).toHaveLength(1);
    expect(ps[0]!.cutoffAt.toISOString()).toBe("2025-10-18T20:00:00.000Z");
    expect(ps[0]!.amount).toBe(1_000_000n);
    expect(ps[0]!.expectedArrivalDate).toBe("2025-10-19");
    expect(ps[0]!.status).toBe("pending");
    expect(await itemIds(m, ps[0]!.id)).toEqual([early]);

    await runPayoutEngine({ now: tehran("2025-10-20T00:00:00"), merchantIds: [m.id] });
    ps = await payoutsOf(m);
    expect(ps.map((p) => [p.amount, p.status, p.expectedArrivalDate])).toEqual([
      [1_000_000n, "paid", "2025-10-19"],
      [2_000_000n, "pending", "2025-10-20"],
    ]);
    expect(await itemIds(m, ps[1]!.id)).toEqual([late]);
    expect(ps[0]!.sentAt?.toISOString()).toBe(tehran("2025-10-19T08:00:00").toISOString());
    expect(ps[0]!.paidAt?.toISOString()).toBe(tehran("2025-10-19T10:00:00").toISOString());
    expect(ps[0]!.traceNumber).toMatch(/^TRC\d{10}$/);
    expect(await payoutsNotMatchingItems(m.id)).toEqual([]);
    expect(await ledgerProblems(m.scope)).toEqual([]);
  });

  it("running twice at the same moment creates nothing the second time", async () => {
    const m = await makeMerchant();
    await charge(m, tehran("2025-10-20T10:00:00"), 3_000_000n);
    await charge(m, tehran("2025-10-21T10:00:00"), 4_000_000n);
    const now = tehran("2025-10-22T12:00:00");
    const a = await runPayoutEngine({ now, merchantIds: [m.id] });
    const before = await payoutsOf(m);
    const b = await runPayoutEngine({ now, merchantIds: [m.id] });
    expect(a.events.length).toBeGreaterThan(0);
    expect(b.events).toEqual([]);
    expect(await payoutsOf(m)).toEqual(before);
  });

  it("gives the same payouts whether it runs every few hours (incrementally) or once at the end", async () => {
    const hourly = await makeMerchant();
    const once = await makeMerchant();
    // Six days of activity over a Friday (the Iranian weekend), with a refund.
    for (const m of [hourly, once]) {
      for (let d = 0; d < 6; d++) {
        const day = `2025-10-${String(20 + d).padStart(2, "0")}`;
        await charge(m, tehran(`${day}T09:15:00`), 1_500_000n + BigInt(d) * 1000n, 6_000n);
        await charge(m, tehran(`${day}T23:45:00`), 700_000n, 2_800n);
      }
      await refund(m, tehran("2025-10-22T14:00:00"), 400_000n);
    }
    const end = tehran("2025-10-28T12:00:00");
    // Like the server's scheduler: frequent, incremental runs (they only look for payouts once a cutoff has passed).
    for (let at = tehran("2025-10-20T00:00:00").getTime(); at <= end.getTime(); at += 3 * 3600_000) {
      await runPayoutEngine({ now: new Date(at), merchantIds: [hourly.id], incremental: true });
    }
    await runPayoutEngine({ now: end, merchantIds: [once.id] });
    const shape = (ps: Awaited<ReturnType<typeof payoutsOf>>) =>
      ps.map((p) => ({
        cutoff: p.cutoffAt.toISOString(),
        amount: p.amount,
        status: p.status,
        items: p.itemCount,
        arrival: p.expectedArrivalDate,
        sent: p.sentAt?.toISOString(),
        paid: p.paidAt?.toISOString(),
      }));
    const a = shape(await payoutsOf(hourly));
    expect(a.length).toBeGreaterThanOrEqual(6);
    expect(shape(await payoutsOf(once))).toEqual(a);
    // Thursday 23:30 closes Thursday: arrives Saturday, Friday being the weekend.
    expect(a.find((p) => p.cutoff === "2025-10-23T20:00:00.000Z")?.arrival).toBe("2025-10-25");
    for (const m of [hourly, once]) {
      expect(await payoutsNotMatchingItems(m.id)).toEqual([]);
      const { balances, inTransitPayouts, paidPayouts } = await balancesAgreeWithPayouts(m, end);
      expect(balances.inTransit).toBe(inTransitPayouts);
      expect(balances.paidOut).toBe(paidPayouts);
    }
  });

  it("a failed payout posts a reversal and its money goes out in the next payout, to the new account", async () => {
    const m = await makeMerchant({ account: CLOSED_SHEBA });
    const c1 = await charge(m, tehran("2025-10-20T12:00:00"), 1_000_000n);
    await runPayoutEngine({ now: tehran("2025-10-21T09:00:00"), merchantIds: [m.id] });
    let [p1] = await payoutsOf(m);
    expect(p1!.status).toBe("in_transit");
    const closedAccountId = p1!.bankAccountId;

    // The bank reports it on the value date (10:00): account closed.
    const run = await runPayoutEngine({ now: tehran("2025-10-21T11:00:00"), merchantIds: [m.id] });
    expect(run.events.map((e) => [e.kind, e.failureCode])).toEqual([["failed", "account_closed"]]);
    [p1] = await payoutsOf(m);
    expect(p1!.status).toBe("failed");
    expect(p1!.failureCode).toBe("account_closed");
    expect(p1!.failureMessage).toMatch(/closed/);
    // Events of the same transaction: the payout failed, and the account it went to is no longer verified.
    await publishEvents(m.id); // readers see the events once the publisher has numbered them
    const evs = await rows<{ type: string; object: { id: string; verified?: boolean; status?: string } }>(
      t.db,
      sql`select type, data as object from events where merchant_id = ${m.id} and type in ('payout.failed', 'bank_account.updated') order by seq`,
    );
    expect(evs.map((e) => [e.type, e.object.id, e.object.status ?? e.object.verified])).toEqual([
      ["payout.failed", p1!.id, "failed"],
      ["bank_account.updated", closedAccountId, false],
    ]);
    const [reversal] = await t.db
      .select()
      .from(ledgerTransactions)
      .where(and(eq(ledgerTransactions.merchantId, m.id), eq(ledgerTransactions.category, "payout_failure")));
    expect(reversal!.net).toBe(1_000_000n);
    expect(reversal!.payoutId).toBe(p1!.id);
    let b = await getBalances(m.scope, "IRR", { at: tehran("2025-10-21T11:00:00") });
    expect(b).toMatchObject({ available: 1_000_000n, inTransit: 0n, paidOut: 0n });

    // The owner fixes the account; a new payment comes in the same day.
    const goodAccountId = await addAccount(m.scope, "IRR", GOOD_SHEBA, tehran("2025-10-21T14:00:00"));
    const c2 = await charge(m, tehran("2025-10-21T15:00:00"), 500_000n);
    await runPayoutEngine({ now: tehran("2025-10-22T12:00:00"), merchantIds: [m.id] });
    const ps = await payoutsOf(m);
    expect(ps).toHaveLength(2);
    const p2 = ps[1]!;
    expect(p2.amount).toBe(1_500_000n);
    expect(await itemIds(m, p2.id)).toEqual([c2, reversal!.id].sort());
    expect(p2.bankAccountId).toBe(goodAccountId);
    expect(ps[0]!.bankAccountId).toBe(closedAccountId);
    expect(p2.status).toBe("paid");
    expect(await itemIds(m, ps[0]!.id)).toEqual([c1]);

    b = await getBalances(m.scope, "IRR", { at: tehran("2025-10-22T12:00:00") });
    expect(b).toMatchObject({ pending: 0n, available: 0n, inTransit: 0n, paidOut: 1_500_000n });
    expect(await payoutsNotMatchingItems(m.id)).toEqual([]);
    expect(await ledgerProblems(m.scope)).toEqual([]);
  });

  it("after an account failure, payouts pause until the owner enters another account", async () => {
    const m = await makeMerchant({ account: CLOSED_SHEBA });
    await charge(m, tehran("2025-10-20T12:00:00"), 1_000_000n);
    await runPayoutEngine({ now: tehran("2025-10-21T12:00:00"), merchantIds: [m.id] });
    expect((await payoutsOf(m)).map((p) => p.status)).toEqual(["failed"]);
    await charge(m, tehran("2025-10-21T15:00:00"), 500_000n);
    const paused = await runPayoutEngine({ now: tehran("2025-10-23T12:00:00"), merchantIds: [m.id] });
    expect(paused.runs[0]!.held).toMatch(/paused.*\*\*\*\*1113/);
    expect(await payoutsOf(m)).toHaveLength(1);
    expect((await getBalances(m.scope, "IRR", { at: tehran("2025-10-23T12:00:00") })).available).toBe(1_500_000n);

    // The owner enters a good account on Thursday at noon: the catch-up starts there, not earlier.
    await addAccount(m.scope, "IRR", GOOD_SHEBA, tehran("2025-10-23T12:00:00"));
    await runPayoutEngine({ now: tehran("2025-10-25T12:00:00"), merchantIds: [m.id] });
    const ps = await payoutsOf(m);
    expect(ps.map((p) => [p.status, p.amount])).toEqual([
      ["failed", 1_000_000n],
      ["paid", 1_500_000n],
    ]);
    // The first cutoff after the new account: Thursday 23:30, arriving Saturday.
    expect(ps[1]!.cutoffAt.toISOString()).toBe(tehran("2025-10-23T23:30:00").toISOString());
    expect(await payoutsNotMatchingItems(m.id)).toEqual([]);
  });

  it("a payout the bank returns after paying it goes back to the balance", async () => {
    const m = await makeMerchant({ account: RETURNED_SHEBA });
    await charge(m, tehran("2025-10-20T12:00:00"), 2_000_000n);
    await runPayoutEngine({ now: tehran("2025-10-21T12:00:00"), merchantIds: [m.id] });
    expect((await payoutsOf(m))[0]!.status).toBe("paid");
    expect((await getBalances(m.scope, "IRR", { at: tehran("2025-10-21T12:00:00") })).paidOut).toBe(2_000_000n);
    await runPayoutEngine({ now: tehran("2025-10-23T12:00:00"), merchantIds: [m.id] });
    const [p] = await payoutsOf(m);
    expect(p!.status).toBe("failed");
    expect(p!.failureCode).toBe("account_frozen");
    expect(p!.paidAt).not.toBeNull();
    const b = await getBalances(m.scope, "IRR", { at: tehran("2025-10-23T12:00:00") });
    expect(b.paidOut).toBe(0n);
    expect(b.available + b.inTransit).toBe(2_000_000n);
    expect(await ledgerProblems(m.scope)).toEqual([]);
  });

  it("a payout to an account the bank refuses fails when sent", async () => {
    const m = await makeMerchant({ account: REJECTED_SHEBA });
    await charge(m, tehran("2025-10-20T12:00:00"), 2_000_000n);
    await runPayoutEngine({ now: tehran("2025-10-21T09:00:00"), merchantIds: [m.id] });
    const [p] = await payoutsOf(m);
    expect(p!.status).toBe("failed");
    expect(p!.failureCode).toBe("invalid_account_number");
    expect(p!.failedAt?.toISOString()).toBe(tehran("2025-10-21T08:00:00").toISOString());
    expect((await getBalances(m.scope, "IRR", { at: tehran("2025-10-21T09:00:00") })).available).toBe(2_000_000n);
  });

  it("a balance under the minimum carries over to the next cutoff", async () => {
    const m = await makeMerchant({ minimumPayout: 5_000_000n });
    const a = await charge(m, tehran("2025-10-20T12:00:00"), 3_000_000n);
    await runPayoutEngine({ now: tehran("2025-10-21T12:00:00"), merchantIds: [m.id] });
    expect(await payoutsOf(m)).toHaveLength(0);
    const b = await charge(m, tehran("2025-10-21T13:00:00"), 2_500_000n);
    await runPayoutEngine({ now: tehran("2025-10-22T00:00:00"), merchantIds: [m.id] });
    const ps = await payoutsOf(m);
    expect(ps).toHaveLength(1);
    expect(ps[0]!.amount).toBe(5_500_000n);
    expect(ps[0]!.cutoffAt.toISOString()).toBe(tehran("2025-10-21T23:30:00").toISOString());
    expect(await itemIds(m, ps[0]!.id)).toEqual([a, b].sort());
  });

  it("refunds are netted, and a negative balance waits for more sales", async () => {
    const m = await makeMerchant();
    await charge(m, tehran("2025-10-20T12:00:00"), 1_000_000n);
    await refund(m, tehran("2025-10-20T13:00:00"), 1_400_000n);
    await runPayoutEngine({ now: tehran("2025-10-21T12:00:00"), merchantIds: [m.id] });
    expect(await payoutsOf(m)).toHaveLength(0);
    expect((await getBalances(m.scope, "IRR", { at: tehran("2025-10-21T12:00:00") })).available).toBe(-400_000n);
    await charge(m, tehran("2025-10-21T14:00:00"), 900_000n);
    await runPayoutEngine({ now: tehran("2025-10-22T00:00:00"), merchantIds: [m.id] });
    const ps = await payoutsOf(m);
    expect(ps.map((p) => [p.amount, p.itemCount])).toEqual([[500_000n, 3]]);
  });

  it("holds payouts (and says why) when there is no bank account or the merchant is not active", async () => {
    const m = await makeMerchant({ status: "pending" });
    await charge(m, tehran("2025-10-20T12:00:00"), 1_000_000n);
    const r = await runPayoutEngine({ now: tehran("2025-10-22T12:00:00"), merchantIds: [m.id] });
    expect(r.runs[0]!.held).toMatch(/pending/);
    expect(await payoutsOf(m)).toHaveLength(0);
  });

  it("a New York merchant's midnight cutoff follows daylight saving time", async () => {
    const m = await makeMerchant({ currency: "USD" });
    // Sunday 2026-03-08 is spring-forward day; 23:59 EDT is 03:59Z Monday.
    const sunday = await charge(m, new Date("2026-03-09T03:59:00Z"), 1000n);
    const monday = await charge(m, new Date("2026-03-09T04:01:00Z"), 2000n);
    await runPayoutEngine({ now: new Date("2026-03-10T12:00:00Z"), merchantIds: [m.id] });
    const ps = await payoutsOf(m);
    expect(ps.map((p) => p.cutoffAt.toISOString())).toEqual(["2026-03-09T04:00:00.000Z", "2026-03-10T04:00:00.000Z"]);
    expect(await itemIds(m, ps[0]!.id)).toEqual([sunday]);
    expect(await itemIds(m, ps[1]!.id)).toEqual([monday]);
    // Sunday's money (closed at Monday 00:00) arrives Monday, T+1 business day after Sunday.
    expect(ps[0]!.expectedArrivalDate).toBe("2026-03-09");
  });
});

describe.skipIf(!t.realServer)("payout engine under concurrency (real PostgreSQL)", () => {
  it("two engines at once create no duplicate payout and post every step once", async () => {
    const shops = [await makeMerchant(), await makeMerchant({ account: CLOSED_SHEBA }), await makeMerchant({ currency: "USD" })];
    for (const m of shops) {
      for (let d = 0; d < 5; d++) {
        for (let k = 0; k < 4; k++) {
          const at = new Date(Date.parse("2025-10-20T06:00:00Z") + d * 86400_000 + k * 4 * 3600_000);
          await charge(m, at, m.currency === "IRR" ? 1_000_000n + BigInt(k) : 1000n + BigInt(k), 0n);
        }
      }
    }
    const other = await openPostgres(t.url!, { max: 5 });
    try {
      for (const now of ["2025-10-21T12:00:00Z", "2025-10-23T01:00:00Z", "2025-10-26T12:00:00Z", "2025-10-29T12:00:00Z"]) {
        const at = new Date(now);
        const reports = await Promise.all([
          runPayoutEngine({ now: at, dbx: t.db }),
          runPayoutEngine({ now: at, dbx: other.db }),
          runPayoutEngine({ now: at, dbx: t.db }),
        ]);
        expect(reports.flatMap((r) => r.runs.filter((x) => x.error).map((x) => x.error))).toEqual([]);
        // Each step happened in exactly one of the runs.
        const created = reports.flatMap((r) => r.events.filter((e) => e.kind === "created").map((e) => `${e.merchantId}@${e.at.toISOString()}`));
        expect(new Set(created).size).toBe(created.length);
      }
    } finally {
      await other.close();
    }
    for (const m of shops) {
      const ps = await payoutsOf(m);
      // The shop with a closed account pauses after its first failure.
      expect(ps.length).toBeGreaterThanOrEqual(m === shops[1] ? 1 : 5);
      expect(new Set(ps.map((p) => p.cutoffAt.getTime())).size).toBe(ps.length);
      expect(await payoutsNotMatchingItems(m.id)).toEqual([]);
      expect(await ledgerProblems(m.scope)).toEqual([]);
      const counts = await rows<{ category: string; n: string }>(
        t.db,
        sql`select category::text as category, count(*)::text as n from ledger_transactions
            where merchant_id = ${m.id} and category in ('payout', 'payout_paid', 'payout_failure') group by category`,
      );
      const n = (c: string) => Number(counts.find((x) => x.category === c)?.n ?? 0);
      expect(n("payout")).toBe(ps.length);
      expect(n("payout_paid")).toBe(ps.filter((p) => p.paidAt).length);
      expect(n("payout_failure")).toBe(ps.filter((p) => p.status === "failed").length);
      const { balances, inTransitPayouts, paidPayouts } = await balancesAgreeWithPayouts(m, new Date("2025-10-29T12:00:00Z"));
      expect(balances.inTransit).toBe(inTransitPayouts);
      expect(balances.paidOut).toBe(paidPayouts);
    }
    // Every failed payout's money was paid again exactly once.
    const reversals = await rows<{ id: string; payouts: string }>(
      t.db,
      sql`select lt.id, count(pi.payout_id)::text as payouts from ledger_transactions lt
          left join payout_items pi on pi.merchant_id = lt.merchant_id and pi.ledger_transaction_id = lt.id
          where lt.merchant_id = ${shops[1]!.id} and lt.category = 'payout_failure' group by lt.id`,
    );
    expect(reversals.length).toBeGreaterThan(0);
    expect(reversals.every((r) => Number(r.payouts) <= 1)).toBe(true);
  });
});
