import { useTestDatabase } from "../../support/db";
import { TEST_CARDS } from "~/modules/processors/test-cards";
import { capturePayment, createPayment, getPayment, voidPayment } from "~/modules/payments/payments.server";
import { getBalances } from "~/modules/ledger/ledger.server";
import { issueRefund } from "~/modules/refunds/refunds.server";
import { reconcilePending } from "~/modules/reconciliation/reconcile.server";
import { configureSandbox } from "~/modules/processors/sandbox/sandbox.server";
import { CARD, card, expectLedgerTiesOut, fastSandbox, makeMerchant } from "./fixtures";

const t = useTestDatabase({ seed: "none" });

beforeAll(() => fastSandbox());

function expected(kind: (typeof TEST_CARDS)[number]["behaviour"]["kind"]) {
  switch (kind) {
    case "approve":
    case "slow":
    case "refund_fails":
    case "renewals_decline":
      return "captured";
    case "decline":
      return "declined";
    case "processing_error":
      return "failed";
    case "timeout_approved":
    case "timeout_lost":
      return "pending";
  }
}

describe("payments through the sandbox provider", () => {
  it("gives every test card its documented outcome", async () => {
    const m = await makeMerchant({ currency: "USD" });
    for (const tc of TEST_CARDS) {
      const r = await createPayment(m.scope, { amount: 1050n, currency: "USD", card: card(tc.number) }, { terminalId: m.terminalId });
      expect(r.ok, tc.number).toBe(true);
      if (!r.ok) continue;
      expect(r.payment.status, `${tc.number}: ${tc.outcome}`).toBe(expected(tc.behaviour.kind));
      expect(r.payment.cardBrand).toBe(tc.brand);
      expect(r.payment.cardFunding).toBe(tc.funding);
      expect(r.payment.cardLast4).toBe(tc.number.slice(-4));
      expect(r.payment.cardBin).toBe(tc.number.slice(0, 6));
      if (tc.behaviour.kind === "decline") expect(r.payment.declineCode).toBe(tc.behaviour.code);
      if (tc.bank) expect(r.payment.issuerBank).toBe(tc.bank);
    }
    await expectLedgerTiesOut(m);
  });

  it("captures with the merchant's fee and makes the net available at the next cutoff", async () => {
    const m = await makeMerchant({ currency: "IRR", feeBps: 40 });
    const r = await createPayment(m.scope, { amount: 2_500_000n, currency: "IRR", card: card(CARD.approveIr) }, { terminalId: m.terminalId });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.payment.status).toBe("captured");
    expect(r.payment.fee).toBe(10_000n);
    expect(r.payment.issuerBank).toBe("017");
    const now = await getBalances(m.scope);
    expect(now.pending).toBe(2_490_000n);
    expect(now.available).toBe(0n);
    const later = await getBalances(m.scope, "IRR", { at: new Date(Date.now() + 2 * 86_400_000) });
    expect(later.available).toBe(2_490_000n);
    expect(later.pending).toBe(0n);
    await expectLedgerTiesOut(m);
  });

  it("authorizes, then captures once; a second capture is refused and posts nothing", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const r = await createPayment(m.scope, { amount: 5000n, currency: "USD", card: card(CARD.approve), capture: false }, { terminalId: m.terminalId });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.payment.status).toBe("authorized");
    const refund = await issueRefund(m.scope, { paymentId: r.payment.id, reason: "other", actor: { kind: "system" } });
    expect(refund.ok).toBe(false);
    if (!refund.ok) expect(refund.error.code).toBe("payment_not_captured");
    const [c1, c2] = await Promise.all([capturePayment(m.scope, r.payment.id), capturePayment(m.scope, r.payment.id)]);
    expect([c1.ok, c2.ok].filter(Boolean).length).toBeGreaterThanOrEqual(1);
    const p = await getPayment(m.scope, r.payment.id);
    expect(p?.status).toBe("captured");
    expect(p?.fee).toBe(5000n * 290n / 10000n + 30n);
    const again = await capturePayment(m.scope, r.payment.id);
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error.code).toBe("payment_already_captured");
    await expectLedgerTiesOut(m);
  });

  it("voids an authorization; a voided or captured payment cannot be voided", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const r = await createPayment(m.scope, { amount: 700n, currency: "USD", card: card(CARD.approve), capture: false }, { terminalId: m.terminalId });
    if (!r.ok) throw new Error(r.error.message);
    const v = await voidPayment(m.scope, r.payment.id);
    expect(v.ok && v.payment.status).toBe("voided");
    const c = await capturePayment(m.scope, r.payment.id);
    expect(c.ok).toBe(false);
    const v2 = await voidPayment(m.scope, r.payment.id);
    expect(v2.ok).toBe(false);
    const captured = await createPayment(m.scope, { amount: 700n, currency: "USD", card: card(CARD.approve) }, { terminalId: m.terminalId });
    if (!captured.ok) throw new Error("x");
    const v3 = await voidPayment(m.scope, captured.payment.id);
    expect(v3.ok).toBe(false);
    if (!v3.ok) expect(v3.error.message).toMatch(/refund it instead/);
    await expectLedgerTiesOut(m);
  });

  it("leaves a timed-out payment pending, and reconciliation settles it without charging twice", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    configureSandbox({ lateAnswerMs: 60_000 });
    const approved = await createPayment(m.scope, { amount: 1_000_000n, currency: "IRR", card: card(CARD.timeoutApproved) }, { terminalId: m.terminalId });
    const lost = await createPayment(m.scope, { amount: 2_000_000n, currency: "IRR", card: card(CARD.timeoutLost) }, { terminalId: m.terminalId });
    if (!approved.ok || !lost.ok) throw new Error("create failed");
    expect(approved.payment.status).toBe("pending");
    expect(lost.payment.status).toBe("pending");

    // The provider has not published its answer yet: stays pending, nothing posted.
    await reconcilePending({ now: new Date(Date.now() + 5_000) });
    expect((await getPayment(m.scope, approved.payment.id))?.status).toBe("pending");
    expect((await getPayment(m.scope, lost.payment.id))?.status).toBe("pending");
    await expectLedgerTiesOut(m);

    configureSandbox({ lateAnswerMs: 0 });
    // Pretend the answer is visible now, and the lost one is old enough to give up on.
    const { db } = await import("../../../db/client.server");
    const { sandboxAuthorizations } = await import("../../../db/schema");
    await db().update(sandboxAuthorizations).set({ visibleAt: new Date(Date.now() - 1000) });
    const later = new Date(Date.now() + 10 * 60_000);
    const first = await reconcilePending({ now: later });
    const second = await reconcilePending({ now: later });
    expect(first.resolved).toBeGreaterThanOrEqual(2);
    expect(second.resolved).toBe(0);
    const a = await getPayment(m.scope, approved.payment.id);
    const l = await getPayment(m.scope, lost.payment.id);
    expect(a?.status).toBe("captured");
    expect(l?.status).toBe("failed");
    expect(l?.declineCode).toBe("provider_no_record");
    await expectLedgerTiesOut(m);
    fastSandbox();
  });

  it("returns the first payment for a repeated idempotency key, even when raced", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const input = { amount: 1234n, currency: "USD", card: card(CARD.approve) };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => createPayment(m.scope, input, { terminalId: m.terminalId, idempotencyKey: "k-1" })),
    );
    const ids = new Set(results.map((r) => (r.ok ? r.payment.id : r.error.code)));
    expect(ids.size).toBe(1);
    await expectLedgerTiesOut(m);
  });

  it("refuses the wrong currency, a bad amount and an inactive terminal, changing nothing", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const bad = [
      await createPayment(m.scope, { amount: 1000n, currency: "USD", card: card(CARD.approve) }, { terminalId: m.terminalId }),
      await createPayment(m.scope, { amount: 0n, currency: "IRR", card: card(CARD.approve) }, { terminalId: m.terminalId }),
      await createPayment(m.scope, { amount: -5n, currency: "IRR", card: card(CARD.approve) }, { terminalId: m.terminalId }),
      await createPayment(m.scope, { amount: 10n ** 30n, currency: "IRR", card: card(CARD.approve) }, { terminalId: m.terminalId }),
      await createPayment(m.scope, { amount: 1000n, currency: "IRR", card: { ...card(CARD.approve), number: "4242424242424241" } }, { terminalId: m.terminalId }),
      await createPayment(m.scope, { amount: 1000n, currency: "IRR", card: { ...card(CARD.approve), expYear: 2020 } }, { terminalId: m.terminalId }),
      await createPayment(m.scope, { amount: 1000n, currency: "IRR", card: card(CARD.approve) }, { terminalId: "term_nope" }),
    ];
    expect(bad.map((r) => (r.ok ? "accepted" : `${r.error.status} ${r.error.code} ${r.error.param}`))).toEqual([
      "400 currency_mismatch currency",
      "400 amount_invalid amount",
      "400 amount_invalid amount",
      "400 amount_too_large amount",
      "400 invalid_number card[number]",
      "400 expired_card card[exp_year]",
      "400 terminal_not_found terminal",
    ]);
    const r = await ledgerReportCount(m.merchantId);
    expect(r).toBe(0);
  });
});

async function ledgerReportCount(merchantId: string): Promise<number> {
  const { db } = await import("../../../db/client.server");
  const { payments } = await import("../../../db/schema");
  const { eq } = await import("drizzle-orm");
  return (await db().select().from(payments).where(eq(payments.merchantId, merchantId))).length;
}

void t;
