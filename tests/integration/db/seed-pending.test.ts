/**
 * The demo's pending payments are timed-out authorizations: the sandbox provider holds
 * their answer, and the reconciliation job applies it (captured, or declined), the way
 * it resolves a real timeout. Before, the provider had no record of them and the job
 * marked every one failed ("the provider never received it") on its first run.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db, rows } from "../../../db/client.server";
import { seedDemo } from "../../../app/demo/seed";
import { reconcilePending } from "~/modules/reconciliation/reconcile.server";
import { useTestDatabase } from "../../support/db";

useTestDatabase({ seed: "none" });

describe("seeded pending payments", () => {
  it("resolve through the provider's answer, never as 'no record', and post to the ledger", async () => {
    // Three busy days ending at 10:00 UTC (the merchants' afternoon) on a pinned ordinary
    // Wednesday: the last three hours hold hundreds of payments, some of them pending.
    const now = new Date("2026-06-10T10:00:00Z");
    await seedDemo(db(), { seed: 3, coffeePayments: 9000, northwindPayments: 300, days: 3, now, passwordHashCost: "fast" });
    const pending = await rows<{ id: string }>(db(), sql`select id from payments where status = 'pending' order by id`);
    expect(pending.length).toBeGreaterThan(3);
    const atProvider = await rows<{ n: number }>(db(), sql`select count(*)::int as n from sandbox_authorizations`);
    expect(atProvider[0]!.n).toBe(pending.length);

    const summary = await reconcilePending({ now: new Date(now.getTime() + 3600_000) });
    expect(summary.errors).toBe(0);
    const after = await rows<{ id: string; status: string; decline_code: string | null; fee: string; provider_reference: string | null }>(
      db(),
      sql`select id, status::text as status, decline_code, fee::text as fee, provider_reference from payments where id in ${pending.map((p) => p.id)} order by id`,
    );
    expect(after).toHaveLength(pending.length);
    for (const p of after) {
      expect(["captured", "declined"]).toContain(p.status);
      expect(p.decline_code).not.toBe("provider_no_record");
      expect(p.provider_reference).toBe(`sbx_auth_${p.id.slice(4)}`);
    }
    const captured = after.filter((p) => p.status === "captured");
    const declined = after.filter((p) => p.status === "declined");
    expect(captured.length).toBeGreaterThan(0);
    expect(declined.every((p) => p.decline_code === "insufficient_funds")).toBe(true);
    // A captured one has its fee and its charge in the ledger, which still balances.
    const charges = await rows<{ n: number }>(
      db(),
      sql`select count(*)::int as n from ledger_transactions where source_type = 'payment' and source_id in ${captured.map((p) => p.id)}`,
    );
    expect(charges[0]!.n).toBe(captured.length);
    expect(captured.every((p) => BigInt(p.fee) > 0n)).toBe(true);
    const unbalanced = await rows(db(), sql`select transaction_id from ledger_entries group by merchant_id, transaction_id, currency having sum(amount) <> 0`);
    expect(unbalanced).toEqual([]);
  });
});
