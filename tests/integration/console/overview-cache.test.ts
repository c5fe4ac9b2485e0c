import { sql } from "drizzle-orm";
import { useTestDatabase } from "../../support/db";
import { coffee, northwind } from "../../support/demo";
import { rows } from "../../../db/client.server";
import { createPayment } from "../../../app/modules/payments/payments.server";
import { issueRefund } from "../../../app/modules/refunds/refunds.server";
import { overviewQuerySchema, resolveOverviewRange } from "../../../app/modules/reporting/overview/range.server";
import { reportCacheClock, salesReport } from "../../../app/modules/reporting/overview/report.server";
import { CARD_EXP_YEAR } from "../../support/cards";

/**
 * The Overview reuses a computed report while the rollup rows of its range are the same
 * row versions. What a merchant sees: a new payment or refund shows on the very next
 * view, and a view with nothing new is not recomputed.
 */
const t = useTestDatabase({ seed: "demo" });

const IR_CARD = { number: "6037990000000006", expMonth: 12, expYear: CARD_EXP_YEAR, cvc: "123" };
const US_CARD = { number: "4242424242424242", expMonth: 12, expYear: CARD_EXP_YEAR, cvc: "123" };

function range(scope: typeof coffee, preset: string) {
  return resolveOverviewRange(scope.timeZone, overviewQuerySchema.parse(new URLSearchParams({ range: preset })), new Date());
}

/** Makes the breakdown rows say something the totals do not, behind the triggers' back: only a recomputation would show it. */
async function tamperBreakdownWithoutTriggers(merchantId: string, r: { fromDay: string; toDay: string }) {
  // The latest day of the range that has sales (right after local midnight today has none yet).
  const changed = await t.db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    return rows<{ day: string }>(
      tx as never,
      sql`update sales_daily set attempt_count = attempt_count + 1000
        where ctid = (select ctid from sales_daily where merchant_id = ${merchantId}
          and day between ${r.fromDay}::date and ${r.toDay}::date order by day desc limit 1)
        returning day::text as day`,
    );
  });
  expect(changed).toHaveLength(1);
}

const attemptsByTerminal = (r: Awaited<ReturnType<typeof salesReport>>) => r.breakdowns.terminal.reduce((n, x) => n + x.attempts, 0);

describe("Overview report cache", () => {
  it("a view with nothing new reuses the report; a new payment and a refund show on the next view", async () => {
    const r30 = range(coffee, "30d");
    const first = await salesReport(coffee, r30);
    // Nothing a trigger sees has changed: the same report comes back (the tampered row is not read).
    await tamperBreakdownWithoutTriggers(coffee.merchantId, r30);
    const again = await salesReport(coffee, r30);
    expect(attemptsByTerminal(again)).toBe(attemptsByTerminal(first));
    expect(again.current.totals).toEqual(first.current.totals);

    // A payment today: its rollup row changes, so the next view is computed afresh.
    const paid = await createPayment(coffee, { amount: 4_200_000n, currency: "IRR", card: IR_CARD, description: "cache probe" }, { terminalId: "term_coffee_web" });
    if (!paid.ok) throw new Error(JSON.stringify(paid));
    expect(paid.payment.status).toBe("captured");
    const after = await salesReport(coffee, r30);
    expect(after.current.totals.gross).toBe(first.current.totals.gross + 4_200_000n);
    expect(after.current.totals.capturedCount).toBe(first.current.totals.capturedCount + 1);
    expect(after.current.totals.attempts).toBe(first.current.totals.attempts + 1);
    // The recomputation reads every row again, the tampered one included.
    expect(attemptsByTerminal(after)).toBe(attemptsByTerminal(first) + 1 + 1000);

    const refund = await issueRefund(coffee, { paymentId: paid.payment.id, amount: 1_000_000n, actor: { kind: "member", member: { user: { id: "usr_coffee_owner" }, role: "owner", merchant: { supportRefundLimit: 0n } } } });
    if (!refund.ok) throw new Error(JSON.stringify(refund));
    const afterRefund = await salesReport(coffee, r30);
    expect(afterRefund.current.totals.refunds).toBe(after.current.totals.refunds + 1_000_000n);
    expect(afterRefund.current.totals.refundCount).toBe(after.current.totals.refundCount + 1);

    // Today's hourly view (read from the ledger, not the rollup) follows too.
    const today = await salesReport(coffee, range(coffee, "today"));
    const todayGross = today.current.totals.gross;
    const paid2 = await createPayment(coffee, { amount: 1_500_000n, currency: "IRR", card: IR_CARD }, { terminalId: "term_coffee_web" });
    if (!paid2.ok) throw new Error(JSON.stringify(paid2));
    expect((await salesReport(coffee, range(coffee, "today"))).current.totals.gross).toBe(todayGross + 1_500_000n);
  });

  it("another merchant's payment leaves this merchant's cached report alone, and each merchant sees only its own figures", async () => {
    const r7 = range(coffee, "7d");
    const coffeeBefore = await salesReport(coffee, r7);
    await tamperBreakdownWithoutTriggers(coffee.merchantId, r7);
    const nw7 = range(northwind, "7d");
    const nwBefore = await salesReport(northwind, nw7);
    const paid = await createPayment(northwind, { amount: 2_500n, currency: "USD", card: US_CARD }, { terminalId: "term_northwind_web" });
    if (!paid.ok) throw new Error(JSON.stringify(paid));
    // Still the cached report: the tampered breakdown row was not read again.
    expect(attemptsByTerminal(await salesReport(coffee, r7))).toBe(attemptsByTerminal(coffeeBefore));
    expect((await salesReport(northwind, nw7)).current.totals.gross).toBe(nwBefore.current.totals.gross + 2_500n);
  });

  it("concurrent views of one range share one computation and agree", async () => {
    const r90 = range(northwind, "90d");
    const reports = await Promise.all(Array.from({ length: 8 }, () => salesReport(northwind, r90)));
    for (const r of reports) expect(r.current.totals).toEqual(reports[0]!.current.totals);
  });

  it("REPORT_CACHE=0 computes every view", async () => {
    const r30 = range(northwind, "30d");
    const before = await salesReport(northwind, r30);
    await tamperBreakdownWithoutTriggers(northwind.merchantId, r30);
    process.env.REPORT_CACHE = "0";
    try {
      expect(attemptsByTerminal(await salesReport(northwind, r30))).toBe(attemptsByTerminal(before) + 1000);
    } finally {
      delete process.env.REPORT_CACHE;
    }
  });

  it("while payments stream in, a view reuses the report of the last 250 ms; a quiet spell's first write shows at once", async () => {
    const r30 = range(northwind, "30d");
    let clock = 1_000_000;
    const real = reportCacheClock.now;
    reportCacheClock.now = () => clock;
    const pay = async (amount: bigint) => {
      const paid = await createPayment(northwind, { amount, currency: "USD", card: US_CARD }, { terminalId: "term_northwind_web" });
      if (!paid.ok) throw new Error(JSON.stringify(paid));
    };
    try {
      clock += 10_000;
      const v0 = await salesReport(northwind, r30);
      // A write after a quiet spell: the next view shows it, even 1 ms later.
      await pay(1_000n);
      clock += 1;
      const v1 = await salesReport(northwind, r30);
      expect(v1.current.totals.gross).toBe(v0.current.totals.gross + 1_000n);
      // Writes keep coming, each view a fraction of a second after the last: recomputed until
      // the fingerprint has changed twice in a row ...
      await pay(2_000n);
      clock += 300;
      const v2 = await salesReport(northwind, r30);
      expect(v2.current.totals.gross).toBe(v1.current.totals.gross + 2_000n);
      await pay(3_000n);
      clock += 300;
      const v3 = await salesReport(northwind, r30);
      expect(v3.current.totals.gross).toBe(v2.current.totals.gross + 3_000n);
      // ... then, with payments streaming in, the report of 100 ms ago stands ...
      await pay(4_000n);
      clock += 100;
      expect(await salesReport(northwind, r30)).toBe(v3);
      // ... for 250 ms at most: the next view has every payment.
      clock += 200;
      const v4 = await salesReport(northwind, r30);
      expect(v4.current.totals.gross).toBe(v0.current.totals.gross + 10_000n);
      expect(v4.current.totals.capturedCount).toBe(v0.current.totals.capturedCount + 4);
      // REPORT_STALE_MS=0: never reused unchecked.
      process.env.REPORT_STALE_MS = "0";
      await pay(5_000n);
      clock += 1;
      expect((await salesReport(northwind, r30)).current.totals.gross).toBe(v4.current.totals.gross + 5_000n);
    } finally {
      reportCacheClock.now = real;
      delete process.env.REPORT_STALE_MS;
    }
  });
});
