/**
 * A payment's net on its page is money that moved: a captured payment shows amount less
 * refunds and fee; every other status (pending, authorized, declined, failed, voided) shows
 * none, as its ledger (no balance transaction) and the payments export (net 0) say.
 */
import { sql } from "drizzle-orm";
import { useTestDatabase } from "../../support/db";
import { coffee } from "../../support/demo";
import { rows } from "../../../db/client.server";
import { PAYMENT_STATUSES } from "../../../app/lib/labels";
import { paymentNet } from "../../../app/modules/payments/net";
import { paymentView } from "../../../app/modules/payments/detail.server";

const t = useTestDatabase({ seed: "demo" });

describe("net on the payment page", () => {
  for (const status of PAYMENT_STATUSES) {
    it(`a ${status} payment`, async () => {
      const [p] = await rows<{ id: string; amount: string; amount_refunded: string; fee: string }>(
        t.db,
        sql`select id, amount::text as amount, amount_refunded::text as amount_refunded, fee::text as fee from payments
            where merchant_id = ${coffee.merchantId} and status = ${status}
            order by amount_refunded desc, created_at limit 1`,
      );
      if (!p) {
        // The demo has no payment in this status: the rule itself still answers for it.
        expect(paymentNet({ status, amount: 1000n, amountRefunded: 0n, fee: 10n })).toBe(status === "captured" ? 990n : null);
        return;
      }
      const view = await paymentView(coffee, p.id);
      const ledgerNet = view!.ledger.reduce((s, l) => s + BigInt(l.net), 0n);
      if (status === "captured") {
        expect(view!.payment.net).toBe((BigInt(p.amount) - BigInt(p.amount_refunded) - BigInt(p.fee)).toString());
        // What the ledger says the payment and its refunds left in the balance.
        expect(BigInt(view!.payment.net!)).toBe(ledgerNet);
      } else {
        expect(view!.payment.net).toBeNull();
        expect(view!.ledger).toEqual([]);
      }
    });
  }
});
