import { useTestDatabase } from "../../support/db";
import { TEST_CARDS } from "~/modules/processors/test-cards";
import { issueRefund } from "~/modules/refunds/refunds.server";
import { reconcilePending } from "~/modules/reconciliation/reconcile.server";
import { api } from "./api-client";
import { dumpTables, fastSandbox, makeMerchant } from "./fixtures";
import { CARD_EXP_YEAR } from "../../support/cards";

useTestDatabase({ seed: "none" });
beforeAll(() => fastSandbox());

describe("card data", () => {
  it("the console's tables never hold a full card number or a CVC", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const cvcs = new Map<string, string>();
    let i = 0;
    for (const tc of TEST_CARDS) {
      // Distinctive CVCs, so finding one in the dump could not be a coincidence.
      const cvc = tc.brand === "amex" ? `9${String(400 + i).padStart(3, "0")}` : `${7 + (i % 2)}${String(10 + i).padStart(2, "0")}`;
      cvcs.set(tc.number, cvc);
      i++;
      const spaced = tc.number.replace(/(\d{4})(?=\d)/g, "$1 ");
      const r = await api("POST", "/payments", {
        key: m.apiKey,
        idempotencyKey: `card-test-${i}`,
        body: {
          amount: 1000,
          currency: "USD",
          card: { number: spaced, exp_month: 11, exp_year: CARD_EXP_YEAR, cvc },
          description: "card data test",
          capture: i % 3 !== 0,
        },
      });
      expect(r.status).toBeLessThan(500);
      if (r.status === 201 && r.json.status === "captured") {
        await issueRefund(m.scope, { paymentId: r.json.id, amount: 100n, actor: { kind: "system" } });
      }
    }
    await reconcilePending({ now: new Date(Date.now() + 3600_000) });

    const consoleDump = await dumpTables((t) => !t.startsWith("sandbox_"));
    expect(consoleDump).toContain("card data test"); // the dump really has the payments
    for (const tc of TEST_CARDS) {
      expect(consoleDump, tc.number).not.toContain(tc.number);
      expect(consoleDump, tc.number).not.toContain(tc.number.replace(/(\d{4})(?=\d)/g, "$1 "));
      const cvc = cvcs.get(tc.number)!;
      expect(consoleDump, `cvc of ${tc.number}`).not.toMatch(new RegExp(`"${cvc}"`));
    }
    expect(consoleDump).not.toMatch(/"cvc"/i);

    // The provider's vault keeps them, but only encrypted.
    const vault = await dumpTables((t) => t.startsWith("sandbox_"));
    expect(vault).toMatch(/pan_ciphertext/);
    for (const tc of TEST_CARDS) expect(vault, tc.number).not.toContain(tc.number);
  });
});
