/**
 * The benchmark's loader (tests/bench/load.ts) generates on a worker thread and COPYs
 * on two sessions: what lands must be exactly what the demo generator yields for the
 * same merchants, seed and clock, every payment, ledger posting and payout item, with
 * every key, index and constraint back in place afterwards. Needs a real server.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rows } from "../../../db/client.server";
import { generateMerchantDays } from "../../../app/demo/generate";
import { calendarFor } from "../../../app/demo/seed";
import { loadBenchLedger } from "../../bench/load";
import { BENCH_USER, BIG, smallMerchant } from "../../bench/merchants";
import { useTestDatabase } from "../../support/db";

const t = useTestDatabase({ seed: "none" });

const opts = { payments: 12_000, days: 60, smallMerchants: 3, smallPayments: 400, seed: 11, now: new Date("2026-10-01T09:30:00Z") };

/** What the generator yields, summed the way the database is queried below. */
function expected() {
  const per = new Map<string, { payments: number; amount: bigint; entries: number; entrySum: bigint; items: number; ids: string[] }>();
  const merchants = [[BIG, opts.payments] as const, ...Array.from({ length: opts.smallMerchants }, (_, i) => [smallMerchant(i + 1), opts.smallPayments] as const)];
  for (const [spec, count] of merchants) {
    const m = { payments: 0, amount: 0n, entries: 0, entrySum: 0n, items: 0, ids: [] as string[] };
    for (const day of generateMerchantDays(spec, {
      seed: opts.seed,
      payments: count,
      days: opts.days,
      now: opts.now,
      calendar: calendarFor(spec),
      bankAccountId: `ba_${spec.id.slice(4)}`,
      bankAccountMask: "•••• 9012",
      refundUserIds: spec.id === BIG.id ? [BENCH_USER.id] : [],
    })) {
      for (const p of day.payments) {
        m.payments++;
        m.amount += p.amount;
        m.ids.push(p.id);
      }
      for (const l of day.ledger) {
        m.entries += l.postings.length;
        for (const e of l.postings) m.entrySum += e.amount < 0n ? -e.amount : e.amount;
      }
      m.items += day.payoutItems.length;
    }
    per.set(spec.id, m);
  }
  return per;
}

describe.skipIf(!t.realServer)("the benchmark loader writes what the generator yields", () => {
  it("every merchant's payments, postings and payout items, with keys and constraints back", async () => {
    const report = await loadBenchLedger(t.url!, { ...opts, log: () => {} });
    const want = expected();
    const got = await rows<{ merchant_id: string; payments: string; amount: string; first_id: string; last_id: string }>(
      t.db,
      sql`select merchant_id, count(*)::text as payments, sum(amount)::text as amount, min(id) as first_id, max(id) as last_id
          from payments group by merchant_id`,
    );
    const entries = await rows<{ merchant_id: string; n: string; s: string }>(
      t.db,
      sql`select merchant_id, count(*)::text as n, sum(abs(amount))::text as s from ledger_entries group by merchant_id`,
    );
    const items = await rows<{ merchant_id: string; n: string }>(t.db, sql`select merchant_id, count(*)::text as n from payout_items group by merchant_id`);
    expect(got).toHaveLength(want.size);
    let total = 0;
    for (const [id, w] of want) {
      const g = got.find((r) => r.merchant_id === id)!;
      const sorted = [...w.ids].sort();
      expect({ payments: Number(g.payments), amount: BigInt(g.amount), first: g.first_id, last: g.last_id }).toEqual({
        payments: w.payments,
        amount: w.amount,
        first: sorted[0],
        last: sorted[sorted.length - 1],
      });
      const e = entries.find((r) => r.merchant_id === id)!;
      expect({ n: Number(e.n), s: BigInt(e.s) }).toEqual({ n: w.entries, s: w.entrySum });
      expect(Number(items.find((r) => r.merchant_id === id)?.n ?? 0)).toBe(w.items);
      total += w.payments;
    }
    expect(report.payments).toBe(total);
    // Keys, foreign keys and CHECK constraints dropped for the load are all back.
    const [c] = await rows<{ pk: string; fk: string; ck: string }>(
      t.db,
      sql`select count(*) filter (where contype = 'p')::text as pk, count(*) filter (where contype = 'f')::text as fk,
            count(*) filter (where contype = 'c')::text as ck
          from pg_constraint where conrelid in ('payments'::regclass, 'ledger_entries'::regclass, 'payout_items'::regclass)`,
    );
    expect(Number(c!.pk)).toBe(3);
    expect(Number(c!.fk)).toBeGreaterThanOrEqual(3);
    expect(Number(c!.ck)).toBeGreaterThan(0);
  }, 300_000);
});
