import { sql } from "drizzle-orm";
import { rows } from "../../../db/client.server";
import { postLedgerTransaction } from "../../../app/modules/ledger/ledger.server";
import { refundPosting } from "../../../app/modules/ledger/postings";
import { monthOf, monthPeriod, nextMonth, previousMonth } from "../../../app/modules/accounting/fee-statements.server";
import { closeMonth, listMonthCloses, monthFigures } from "../../../app/modules/accounting/month-close.server";
import { demoSeededAt, useTestDatabase } from "../../support/db";

/**
 * Month-end close: the figures tie out; a closed month never changes, a late correction
 * dated in it is booked in the next open month and says so.
 */
const t = useTestDatabase({ seed: "demo" });

const NORTHWIND = { merchantId: "mer_northwind" };
const NOW = demoSeededAt();
const TZ = "America/New_York";

describe("month-end close", () => {
  it("ties out: opening + activity = closing, payouts sent and in transit shown", async () => {
    const ref = previousMonth(monthOf(NOW, "gregorian", TZ));
    const f = await monthFigures(NORTHWIND, ref);
    const usd = f.currencies.find((c) => c.currency === "USD")!;
    const amount = (line: string) => BigInt(usd.lines.find((l) => l.line === line)!.amount);
    const activity = usd.lines.filter((l) => l.line !== "opening_balance" && l.line !== "closing_balance").reduce((s, l) => s + BigInt(l.amount), 0n);
    expect(amount("opening_balance") + activity).toBe(amount("closing_balance"));
    expect(amount("charges")).toBeGreaterThan(0n);
    expect(amount("payouts")).toBeLessThan(0n);
    expect(BigInt(usd.inTransit)).toBeGreaterThanOrEqual(0n);
  });

  it("close a month, post a late refund dated in it: the closed month does not change; the refund is in the next open month and says so", async () => {
    const ref = previousMonth(previousMonth(monthOf(NOW, "gregorian", TZ)));
    const closed = await closeMonth(NORTHWIND, ref, { now: NOW, userId: null });
    if (!closed.ok) throw new Error(closed.error.message);
    expect(closed.created).toBe(true);
    const before = await monthFigures(NORTHWIND, ref);
    expect(before.currencies).toEqual(closed.close.figures);

    const period = monthPeriod(ref, TZ);
    const next = monthPeriod(nextMonth(ref), TZ);
    const dated = new Date(period.from.getTime() + 10 * 86_400_000);
    const nextBefore = await monthFigures(NORTHWIND, nextMonth(ref));
    await t.db.transaction((tx) =>
      postLedgerTransaction(tx, refundPosting({ id: "txn_late_refund", merchantId: NORTHWIND.merchantId, currency: "USD", createdAt: dated, refundId: "re_late", amount: 1_234n, description: "Late refund" })),
    );

    // The closed month, recomputed from the ledger, is what was closed.
    expect((await monthFigures(NORTHWIND, ref)).currencies).toEqual(closed.close.figures);
    // The refund was booked at the start of the next open month, and says why.
    const [txn] = await rows<{ created_at: Date | string; description: string }>(t.db, sql`select created_at, description from ledger_transactions where merchant_id = 'mer_northwind' and id = 'txn_late_refund'`);
    expect(new Date(txn!.created_at as string).getTime()).toBe(next.from.getTime());
    expect(txn!.description).toBe(`Late refund (late correction dated ${dated.toISOString().slice(0, 19).replace("T", " ")} UTC: its month is closed, booked in the next open month)`);
    const nextAfter = await monthFigures(NORTHWIND, nextMonth(ref));
    const refunds = (f: typeof nextAfter) => BigInt(f.currencies.find((c) => c.currency === "USD")!.lines.find((l) => l.line === "refunds")!.amount);
    expect(refunds(nextAfter) - refunds(nextBefore)).toBe(-1_234n);

    // Closing again returns the same close; the database refuses to change it.
    const again = await closeMonth(NORTHWIND, ref, { now: new Date(NOW.getTime() + 1000), userId: null });
    expect(again.ok && again.created).toBe(false);
    expect((await listMonthCloses(NORTHWIND)).length).toBe(1);
    const refusal = await t.db.execute(sql`update month_closes set figures = '[]' where merchant_id = 'mer_northwind'`).then(
      () => "done",
      (e: Error & { cause?: Error }) => String(e.cause?.message ?? e.message),
    );
    expect(refusal).toBe("month_closes is append-only: UPDATE refused");
  });

  it("a month that is not over cannot be closed", async () => {
    const r = await closeMonth(NORTHWIND, monthOf(NOW, "gregorian", TZ), { now: NOW, userId: null });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/^This month ends on \d{4}-\d{2}-\d{2} 00:00 \(America\/New_York\): it can be closed once it is over\.$/);
  });
});
