import { and, desc, eq } from "drizzle-orm";
import { useTestDatabase } from "../../support/db";
import { db } from "../../../db/client.server";
import * as s from "../../../db/schema";
import { ledgerProblems } from "~/modules/ledger/ledger.server";
import { capturePayment, getPayment, voidPayment } from "~/modules/payments/payments.server";
import { issueRefund } from "~/modules/refunds/refunds.server";
import { api } from "./api-client";
import { fastSandbox } from "./fixtures";

useTestDatabase({ seed: "demo" });
beforeAll(() => fastSandbox());

const COFFEE = { merchantId: "mer_demo_coffee" };

async function seeded(status: "captured" | "authorized") {
  return db()
    .select()
    .from(s.payments)
    .where(and(eq(s.payments.merchantId, COFFEE.merchantId), eq(s.payments.status, status), eq(s.payments.amountRefunded, 0n)))
    .orderBy(desc(s.payments.createdAt))
    .limit(3);
}

describe("the demo history can be refunded, captured and voided like new payments", () => {
  it("refunds a seeded payment partly, then the rest, and refuses more", async () => {
    const [p] = await seeded("captured");
    if (!p) throw new Error("the demo has no captured payment");
    const half = p.amount / 2n;
    const a = await issueRefund(COFFEE, { paymentId: p.id, amount: half, reason: "requested_by_customer", actor: { kind: "system" } });
    expect(a.ok && a.refund.status).toBe("succeeded");
    const b = await issueRefund(COFFEE, { paymentId: p.id, actor: { kind: "system" } });
    expect(b.ok && b.refund.status).toBe("succeeded");
    expect(b.ok && b.refund.amount).toBe(p.amount - half);
    const c = await issueRefund(COFFEE, { paymentId: p.id, amount: 1n, actor: { kind: "system" } });
    expect(c.ok).toBe(false);
    expect((await getPayment(COFFEE, p.id))?.amountRefunded).toBe(p.amount);
    expect(await ledgerProblems(COFFEE)).toEqual([]);
  });

  it("refunds a seeded payment through the API with the demo key", async () => {
    const [, p] = await seeded("captured");
    if (!p) throw new Error("the demo has no captured payment");
    const r = await api("POST", `/payments/${p.id}/refunds`, { key: "sk_test_coffee_web_0001", body: { amount: "1000" } });
    expect(r.status).toBe(201);
    expect(r.json.status).toBe("succeeded");
  });

  it("captures and voids seeded authorizations", async () => {
    // Authorizations are rare in the small test dataset: write two the way the seed does.
    const [template] = await seeded("captured");
    if (!template) throw new Error("the demo has no captured payment");
    for (const id of ["pay_seededauth0000000001", "pay_seededauth0000000002"]) {
      await db().insert(s.payments).values({
        ...template,
        id,
        status: "authorized",
        fee: 0n,
        capturedAt: null,
        providerReference: `sbx_auth_${id.slice(4)}`,
        idempotencyKey: null,
      });
    }
    const [a, b] = await seeded("authorized");
    if (!a || !b) throw new Error("no authorized payments");
    const c = await capturePayment(COFFEE, a.id);
    expect(c.ok && c.payment.status).toBe("captured");
    const v = await voidPayment(COFFEE, b.id);
    expect(v.ok && v.payment.status).toBe("voided");
    expect(await ledgerProblems(COFFEE)).toEqual([]);
  });
});
