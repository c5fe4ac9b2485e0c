import { describe, expect, it } from "vitest";
import { runPayoutEngine } from "~/modules/settlements/engine.server";
import { ledgerProblems } from "~/modules/ledger/ledger.server";
import { demoSeededAt, useTestDatabase } from "../../support/db";
import { balancesAgreeWithPayouts, payoutsNotMatchingItems, payoutsOf } from "./helpers";

const t = useTestDatabase({ seed: "demo" });
const merchants = ["mer_demo_coffee", "mer_northwind"].map((id) => ({ id, scope: { merchantId: id }, currency: id === "mer_northwind" ? "USD" : "IRR" }));

describe("the payout engine continues the demo ledger", () => {
  it("finds nothing to pay again for cutoffs the seed already settled", async () => {
    const seededAt = demoSeededAt();
    const report = await runPayoutEngine({ now: seededAt });
    expect(report.runs.filter((r) => r.error)).toEqual([]);
    // Only the bank may move the seed's last payouts along; no cutoff is paid twice.
    const created = report.events.filter((e) => e.kind === "created");
    for (const e of created) expect(e.at.getTime()).toBeGreaterThan(seededAt.getTime() - 15 * 60_000);
  });

  it("settles the next days like the seed would: every payout equals its items, balances tie out", async () => {
    const later = new Date(demoSeededAt().getTime() + 4 * 86400_000);
    const report = await runPayoutEngine({ now: later });
    expect(report.runs.filter((r) => r.error)).toEqual([]);
    for (const m of merchants) {
      const ps = await payoutsOf(m);
      expect(new Set(ps.map((p) => p.cutoffAt.getTime())).size).toBe(ps.length);
      expect(await payoutsNotMatchingItems(m.id)).toEqual([]);
      expect(await ledgerProblems(m.scope)).toEqual([]);
      const { balances, inTransitPayouts, paidPayouts } = await balancesAgreeWithPayouts(m, later);
      expect(balances.inTransit).toBe(inTransitPayouts);
      expect(balances.paidOut).toBe(paidPayouts);
      // Nothing the seed left pending is still waiting for the bank four days on.
      expect(ps.filter((p) => p.status === "pending" && p.cutoffAt.getTime() < later.getTime() - 3 * 86400_000)).toEqual([]);
    }
    void t;
  });
});
