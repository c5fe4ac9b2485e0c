/**
 * The generator streams a merchant's history in batches that can be appended to the
 * database in order (app/demo/generate.ts, DayBatch): a busy day comes in parts of at most
 * BATCH_PAYMENTS payments, every row points only at rows of its own or an earlier batch,
 * and every sales_daily key comes once. The benchmark's ten-million-payment ledger and
 * the demo seed both rely on it.
 */
import { describe, expect, it } from "vitest";
import { BATCH_PAYMENTS, generateMerchantDays, type DayBatch } from "../../../app/demo/generate";
import { COFFEE } from "../../../app/demo/merchants";
import { calendarFor } from "../../../app/demo/seed";

describe("generateMerchantDays batches", () => {
  it("splits busy days into parts, keeps parents before children and each rollup key once", () => {
    const batches: DayBatch[] = [...generateMerchantDays(COFFEE, {
      seed: 5,
      payments: 60_000,
      days: 10,
      now: new Date("2026-03-10T12:00:00Z"),
      calendar: calendarFor(COFFEE),
      bankAccountId: "ba_x",
      bankAccountMask: "•••• 9012",
      refundUserIds: [],
    })];
    const payments = new Set<string>();
    const txns = new Set<string>();
    const rollupKeys = new Set<string>();
    let parts = 0;
    for (let i = 0; i < batches.length; i++) {
      const b = batches[i]!;
      const last = i === batches.length - 1 || batches[i + 1]!.day !== b.day;
      expect(b.payments.length).toBeLessThanOrEqual(BATCH_PAYMENTS);
      if (!last) {
        parts++;
        expect(b.payments.length).toBe(BATCH_PAYMENTS);
        expect(b.payouts).toEqual([]);
        expect(b.rollups).toEqual([]);
      }
      for (const p of b.payments) payments.add(p.id);
      for (const r of b.refunds) expect(payments.has(r.paymentId)).toBe(true);
      for (const t of b.ledger) txns.add(t.id);
      for (const item of b.payoutItems) expect(txns.has(item.ledgerTransactionId)).toBe(true);
      for (const r of b.rollups) {
        const key = [r.day, r.terminalId, r.cardBrand, r.issuerBank, r.cardFunding].join("|");
        expect(rollupKeys.has(key)).toBe(false);
        rollupKeys.add(key);
      }
    }
    expect(parts).toBeGreaterThan(10);
    expect(payments.size).toBeGreaterThan(50_000);
    // Days stay in order and every day's parts are together.
    const days = batches.map((b) => b.day);
    expect(days).toEqual([...days].sort());
    // The parts add up to the whole: the rollups count every attempt once.
    const attempts = batches.flatMap((b) => b.rollups).reduce((n, r) => n + r.attemptCount, 0);
    expect(attempts).toBe(payments.size);
  });
});
