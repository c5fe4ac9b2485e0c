import { noticeRealServerOnly, useTestDatabase } from "../../support/db";
import { and, asc, eq } from "drizzle-orm";
import * as s from "~db/schema";
import { db } from "~db/client.server";
import { createPayment, getPayment } from "~/modules/payments/payments.server";
import { getBalances } from "~/modules/ledger/ledger.server";
import { issueRefund } from "~/modules/refunds/refunds.server";
import { CARD, card, expectLedgerTiesOut, fastSandbox, makeMerchant, type TestMerchant } from "./fixtures";

const t = useTestDatabase({ seed: "none" });

beforeAll(() => fastSandbox());

async function captured(m: TestMerchant, amount: bigint, number: string = CARD.approve) {
  const r = await createPayment(m.scope, { amount, currency: m.currency, card: card(number) }, { terminalId: m.terminalId });
  if (!r.ok || r.payment.status !== "captured") throw new Error(`payment not captured: ${JSON.stringify(r.ok ? r.payment.status : r.error)}`);
  return r.payment;
}

describe("refunds", () => {
  it("allows several partials and exactly the remainder, then refuses more naming what is refundable", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const p = await captured(m, 100_000n);
    const a = await issueRefund(m.scope, { paymentId: p.id, amount: 30_000n, reason: "requested_by_customer", note: "one", actor: { kind: "system" } });
    const b = await issueRefund(m.scope, { paymentId: p.id, amount: 30_000n, reason: "duplicate", note: null, actor: { kind: "system" } });
    expect(a.ok && a.refund.status).toBe("succeeded");
    expect(b.ok && b.refund.status).toBe("succeeded");
    const tooMuch = await issueRefund(m.scope, { paymentId: p.id, amount: 60_000n, actor: { kind: "system" } });
    expect(tooMuch.ok).toBe(false);
    if (!tooMuch.ok) {
      expect(tooMuch.error.code).toBe("amount_exceeds_refundable");
      expect(tooMuch.error.refundable).toBe(40_000n);
      expect(tooMuch.error.message).toContain("40,000");
      expect(tooMuch.error.param).toBe("amount");
    }
    const rest = await issueRefund(m.scope, { paymentId: p.id, amount: 40_000n, actor: { kind: "system" } });
    expect(rest.ok && rest.payment.amountRefunded).toBe(100_000n);
    const none = await issueRefund(m.scope, { paymentId: p.id, actor: { kind: "system" } });
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.error.code).toBe("payment_fully_refunded");
    await expectLedgerTiesOut(m);
  });

  it("refunds the whole remainder when the amount is omitted", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const p = await captured(m, 10_000n);
    await issueRefund(m.scope, { paymentId: p.id, amount: 2_500n, actor: { kind: "system" } });
    const r = await issueRefund(m.scope, { paymentId: p.id, actor: { kind: "system" } });
    expect(r.ok && r.refund.amount).toBe(7_500n);
    await expectLedgerTiesOut(m);
  });

  it("refuses zero and negative amounts, unknown payments and other merchants' payments", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const other = await makeMerchant({ currency: "USD" });
    const p = await captured(m, 1_000n);
    for (const amount of [0n, -1n]) {
      const r = await issueRefund(m.scope, { paymentId: p.id, amount, actor: { kind: "system" } });
      expect(!r.ok && r.error.code).toBe("amount_invalid");
    }
    const unknown = await issueRefund(m.scope, { paymentId: "pay_nope", actor: { kind: "system" } });
    expect(!unknown.ok && unknown.error.status).toBe(404);
    const cross = await issueRefund(other.scope, { paymentId: p.id, actor: { kind: "system" } });
    expect(!cross.ok && cross.error.status).toBe(404);
    expect((await getPayment(m.scope, p.id))?.amountRefunded).toBe(0n);
  });

  it("caps a support member by the merchant's limit with no limit passed by the caller; owners and API terminals are not capped; members are audited", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const p = await captured(m, 50_000n);
    const support = { kind: "member" as const, member: { user: { id: "usr_support", email: "support@example.test" }, role: "support" as const, merchant: { supportRefundLimit: 20_000n } } };
    const message = "Your role can refund at most $200.00 at a time; ask an owner or administrator for this $500.00 refund.";
    const r = await issueRefund(m.scope, { paymentId: p.id, actor: support });
    expect(!r.ok && r.error).toMatchObject({ status: 403, code: "amount_exceeds_limit", param: "amount", message, details: { limit: "20000" } });
    // The same with the payment as read by the caller (the unlocked way first): the same refusal.
    const known = await issueRefund(m.scope, { paymentId: p.id, actor: support, known: p });
    expect(!known.ok && known.error.message).toBe(message);
    const ok = await issueRefund(m.scope, { paymentId: p.id, amount: 20_000n, actor: support, known: p });
    expect(ok.ok && ok.payment.amountRefunded).toBe(20_000n);
    expect(ok.ok && ok.refund.createdByUserId).toBe("usr_support");
    // Every member's attempt is in the audit trail, refused or not.
    const trail = await db()
      .select({ outcome: s.auditEvents.outcome, actor: s.auditEvents.actorUserId, targetId: s.auditEvents.targetId, details: s.auditEvents.details })
      .from(s.auditEvents)
      .where(and(eq(s.auditEvents.merchantId, m.scope.merchantId), eq(s.auditEvents.action, "refund.create")))
      .orderBy(asc(s.auditEvents.id));
    expect(trail.map((e) => [e.outcome, e.actor, e.targetId, (e.details as { code?: string }).code ?? null])).toEqual([
      ["failure", "usr_support", p.id, "amount_exceeds_limit"],
      ["failure", "usr_support", p.id, "amount_exceeds_limit"],
      ["success", "usr_support", ok.ok ? ok.refund.id : "", null],
    ]);
    // An owner (no cap) and an API terminal (no cap, no audit row: its refund.created event records it).
    const owner = { kind: "member" as const, member: { ...support.member, role: "owner" as const } };
    expect((await issueRefund(m.scope, { paymentId: p.id, amount: 25_000n, actor: owner, known: { ...p, amountRefunded: 20_000n } })).ok).toBe(true);
    const api = await issueRefund(m.scope, { paymentId: p.id, actor: { kind: "terminal", terminalId: m.terminalId } });
    expect(api.ok && api.refund.amount).toBe(5_000n);
    expect(await db().select().from(s.auditEvents).where(and(eq(s.auditEvents.merchantId, m.scope.merchantId), eq(s.auditEvents.action, "refund.create")))).toHaveLength(4);
    await expectLedgerTiesOut(m);
  });

  it("a refund the provider fails ends failed and its money returns to the balance", async () => {
    const m = await makeMerchant({ currency: "IRR", feeBps: 0 });
    const p = await captured(m, 500_000n, CARD.refundFails);
    const before = await getBalances(m.scope);
    const r = await issueRefund(m.scope, { paymentId: p.id, amount: 200_000n, reason: "other", actor: { kind: "system" }, known: p });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.refund.status).toBe("failed");
    expect(r.refund.failureCode).toBe("expired_or_canceled_card");
    expect(r.payment.amountRefunded).toBe(0n);
    const after = await getBalances(m.scope);
    expect(after.pending + after.available).toBe(before.pending + before.available);
    // The whole amount is still refundable (and still fails at the provider).
    const again = await issueRefund(m.scope, { paymentId: p.id, actor: { kind: "system" } });
    expect(again.ok && again.refund.amount).toBe(500_000n);
    await expectLedgerTiesOut(m);
  });

  it("returns the first refund for a repeated idempotency key", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const p = await captured(m, 9_000n);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        issueRefund(m.scope, { paymentId: p.id, amount: 1_000n, actor: { kind: "system" }, idempotencyKey: "rk-1", known: i % 2 === 0 ? p : undefined }),
      ),
    );
    const ids = new Set(results.map((r) => (r.ok ? r.refund.id : r.error.code)));
    expect(ids.size).toBe(1);
    expect((await getPayment(m.scope, p.id))?.amountRefunded).toBe(1_000n);
    await expectLedgerTiesOut(m);
  });
});

describe.skipIf(!t.realServer)("refunds under concurrency (real PostgreSQL)", () => {
  it("50 concurrent partial refunds of one payment never exceed its amount, and the ledger balances", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const p = await captured(m, 1_000_000n);
    // 50 x 30,000 = 1,500,000 asked for; only 33 fit (990,000), then a 10,000 remainder.
    // Half of them give the payment as read before the race (as the API and the form do):
    // they go the unlocked, guarded way first, the others the locking way.
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        issueRefund(m.scope, {
          paymentId: p.id,
          amount: 30_000n,
          reason: "requested_by_customer",
          note: `race ${i}`,
          actor: { kind: "system" },
          known: i % 2 === 0 ? p : undefined,
        }),
      ),
    );
    const ok = results.filter((r) => r.ok);
    const refused = results.filter((r) => !r.ok);
    expect(ok.length).toBe(33);
    expect(refused.length).toBe(17);
    for (const r of refused) {
      if (!r.ok) {
        expect(r.error.code).toBe("amount_exceeds_refundable");
        expect(r.error.status).toBeLessThan(500);
      }
    }
    const after = await getPayment(m.scope, p.id);
    expect(after?.amountRefunded).toBe(990_000n);
    // Exactly the remainder still fits, concurrently with more attempts that do not.
    const last = await Promise.all(
      Array.from({ length: 10 }, (_, i) => issueRefund(m.scope, { paymentId: p.id, actor: { kind: "system" }, known: i % 2 === 0 ? after : undefined })),
    );
    expect(last.filter((r) => r.ok).length).toBe(1);
    expect((await getPayment(m.scope, p.id))?.amountRefunded).toBe(1_000_000n);
    await expectLedgerTiesOut(m);
  });

  it("refunds racing on several payments at once keep every payment within its amount", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const ps = await Promise.all(Array.from({ length: 5 }, () => captured(m, 10_000n)));
    await Promise.all(
      ps.flatMap((p) => Array.from({ length: 16 }, () => issueRefund(m.scope, { paymentId: p.id, amount: 1_000n, actor: { kind: "system" } }))),
    );
    for (const p of ps) expect((await getPayment(m.scope, p.id))?.amountRefunded).toBe(10_000n);
    await expectLedgerTiesOut(m);
  });
});

noticeRealServerOnly(t.realServer, "concurrent refunds");
