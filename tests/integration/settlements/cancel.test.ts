/**
 * Canceling a payout not yet sent to the bank: what the owner sees on the payout page,
 * where the money goes (the available balance, then the next payout), the event and the
 * audit entry, and the race with the payout engine sending it at the same moment.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, openPostgres, rows } from "~db/client.server";
import * as s from "~db/schema";
import { getBalances, ledgerProblems } from "~/modules/ledger/ledger.server";
import { runPayoutEngine } from "~/modules/settlements/engine.server";
import { balanceOverview } from "~/modules/settlements/balances.server";
import { cancelPayout } from "~/modules/settlements/cancel.server";
import { createEndpoint } from "~/modules/webhooks/endpoints.server";
import { verifySignature } from "~/modules/webhooks/signing";
import { startWorker, type WorkerHandle } from "~/server/worker";
import { action as payoutAction, loader as payoutLoader } from "~/routes/_app.payouts.$payoutId";
import { useTestDatabase } from "../../support/db";
import { createUser } from "../../support/fixtures";
import { as, signIn, type SignedIn } from "../../support/auth";
import { settle } from "../../support/responses";
import { charge, makeMerchant, payoutsNotMatchingItems, payoutsOf, type TestMerchant } from "./helpers";
import { publishEvents } from "~/modules/events/events.server";

const t = useTestDatabase({ seed: "none" });

/** A Tehran wall-clock time (+03:30). */
const tehran = (local: string) => new Date(`${local}+03:30`);
const member = { user: { id: "usr_test", email: "owner@test" }, role: "owner" as const, merchant: { supportRefundLimit: 0n } };
const actor = { kind: "member" as const, member };

/** A merchant with one pending payout (created at the 2025-10-18 cutoff, sent at 08:00 on the 19th). */
async function withPendingPayout(): Promise<{ m: TestMerchant; payoutId: string; amount: bigint }> {
  const m = await makeMerchant();
  await charge(m, tehran("2025-10-18T10:00:00"), 1_000_000n, 4_000n);
  await runPayoutEngine({ now: tehran("2025-10-19T00:00:00"), merchantIds: [m.id] });
  const [p] = await payoutsOf(m);
  expect(p!.status).toBe("pending");
  expect(p!.sentAt).toBeNull();
  return { m, payoutId: p!.id, amount: p!.amount };
}

async function bankTransfers(payoutId: string) {
  return db().select().from(s.sandboxBankTransfers).where(eq(s.sandboxBankTransfers.merchantReference, payoutId));
}

describe("canceling a pending payout", () => {
  it("returns its money to the available balance at once; the ledger stays balanced; the bank never hears of it; the next payout carries it", async () => {
    const { m, payoutId, amount } = await withPendingPayout();
    const at = tehran("2025-10-19T01:00:00");
    const before = await getBalances(m.scope, m.currency, { at });
    expect(before.available).toBe(0n);
    expect(before.inTransit).toBe(amount);

    const r = await cancelPayout(m.scope, { ...actor, client: { ip: "203.0.113.9", userAgent: "vitest" } }, payoutId, at);
    expect(r.ok).toBe(true);
    const [p] = await payoutsOf(m);
    expect(p!.status).toBe("canceled");
    expect(p!.canceledAt?.toISOString()).toBe(at.toISOString());

    const after = await getBalances(m.scope, m.currency, { at });
    expect(after.available).toBe(amount);
    expect(after.inTransit).toBe(0n);
    expect(after.pending).toBe(before.pending);
    expect(await ledgerProblems(m.scope)).toEqual([]);
    // The Overview's balances and upcoming payouts say the same.
    const overview = await balanceOverview({ merchantId: m.id, currency: m.currency, timeZone: "Asia/Tehran" }, at);
    expect(overview.available).toBe(amount.toString());
    expect(overview.inTransit).toBe("0");
    expect(overview.upcoming.map((x) => x.id)).not.toContain(payoutId);

    // The event, as the API and webhooks show it, and the audit entry.
    const evs = await db().select().from(s.events).where(and(eq(s.events.merchantId, m.id), eq(s.events.type, "payout.canceled")));
    expect(evs).toHaveLength(1);
    expect(evs[0]!.data).toMatchObject({ id: payoutId, object: "payout", status: "canceled", amount: amount.toString(), canceled_at: at.toISOString() });
    const audits = await db().select().from(s.auditEvents).where(and(eq(s.auditEvents.merchantId, m.id), eq(s.auditEvents.action, "payout.cancel")));
    expect(audits.map((a) => [a.outcome, a.targetId, a.ip])).toEqual([["success", payoutId, "203.0.113.9"]]);

    // The engine passes its send time: nothing goes to the bank; the next cutoff pays the money out with the new day's.
    await charge(m, tehran("2025-10-19T10:00:00"), 500_000n);
    await runPayoutEngine({ now: tehran("2025-10-20T00:00:00"), merchantIds: [m.id] });
    expect(await bankTransfers(payoutId)).toEqual([]);
    const ps = await payoutsOf(m);
    expect(ps.map((x) => [x.status, x.amount])).toEqual([
      ["canceled", amount],
      ["pending", amount + 500_000n],
    ]);
    expect(await payoutsNotMatchingItems(m.id)).toEqual([]);
    expect(await ledgerProblems(m.scope)).toEqual([]);
    const later = await getBalances(m.scope, m.currency, { at: tehran("2025-10-20T00:00:00") });
    expect(later.available).toBe(0n);
    expect(later.inTransit).toBe(amount + 500_000n);
  });

  it("refuses a payout already sent, or already canceled, saying why, and audits the refusal", async () => {
    const { m, payoutId } = await withPendingPayout();
    await runPayoutEngine({ now: tehran("2025-10-19T09:00:00"), merchantIds: [m.id] });
    expect((await payoutsOf(m))[0]!.status).toBe("in_transit");
    const sent = await cancelPayout(m.scope, actor, payoutId);
    expect(sent.ok).toBe(false);
    if (!sent.ok) expect([sent.error.status, sent.error.code]).toEqual([409, "payout_not_cancelable"]);
    expect((await payoutsOf(m))[0]!.status).toBe("in_transit");

    const other = await withPendingPayout();
    expect((await cancelPayout(other.m.scope, actor, other.payoutId)).ok).toBe(true);
    const again = await cancelPayout(other.m.scope, actor, other.payoutId);
    if (again.ok) throw new Error("canceled twice");
    expect([again.error.status, again.error.code]).toEqual([409, "payout_already_canceled"]);
    // One reversal only.
    expect(await getBalances(other.m.scope, other.m.currency, { at: new Date() }).then((b) => b.available)).toBe(other.amount);
    // Another merchant's payout is not found.
    const foreign = await cancelPayout(other.m.scope, actor, payoutId);
    if (foreign.ok) throw new Error("canceled another merchant's payout");
    expect(foreign.error.code).toBe("resource_missing");
    const denied = await db().select().from(s.auditEvents).where(and(eq(s.auditEvents.action, "payout.cancel"), eq(s.auditEvents.outcome, "denied")));
    expect(denied.map((a) => (a.details as { code: string }).code).sort()).toEqual(["payout_already_canceled", "payout_not_cancelable"]);
  });

  it("a payout the engine has claimed for sending (sent_at set, still pending) can no longer be canceled", async () => {
    const { m, payoutId } = await withPendingPayout();
    await db().update(s.payouts).set({ sentAt: tehran("2025-10-19T08:00:00") }).where(and(eq(s.payouts.merchantId, m.id), eq(s.payouts.id, payoutId)));
    const r = await cancelPayout(m.scope, actor, payoutId);
    if (r.ok) throw new Error("canceled a payout being sent");
    expect(r.error.code).toBe("payout_being_sent");
    expect((await payoutsOf(m))[0]!.status).toBe("pending");
  });
});

describe("the payout page", () => {
  let owner: SignedIn;
  let admin: SignedIn;
  let accountant: SignedIn;
  let fixture: { m: TestMerchant; payoutId: string; amount: bigint };

  beforeAll(async () => {
    fixture = await withPendingPayout();
    const tag = fixture.m.id.slice(-6).toLowerCase();
    for (const role of ["owner", "admin", "accountant"] as const) {
      await createUser({ email: `${role}@po-${tag}.test`, memberships: [{ merchantId: fixture.m.id, role }] });
    }
    owner = await signIn(`owner@po-${tag}.test`);
    admin = await signIn(`admin@po-${tag}.test`);
    accountant = await signIn(`accountant@po-${tag}.test`);
    await db().update(s.users).set({ locale: "fa" }).where(eq(s.users.email, `admin@po-${tag}.test`));
  });

  const path = () => `/payouts/${fixture.payoutId}`;
  const load = async (who: SignedIn) => {
    const res = await settle(payoutLoader({ request: as(who, path()), params: { payoutId: fixture.payoutId }, context: {} }));
    expect(res.status).toBe(200);
    return res.json();
  };
  const post = (who: SignedIn, form: Record<string, string>) =>
    settle(payoutAction({ request: as(who, path(), { form }), params: { payoutId: fixture.payoutId }, context: {} }));

  it("offers Cancel to the owner only; admins and accountants are refused by the server too", async () => {
    expect((await load(owner)).canCancel).toBe(true);
    expect((await load(admin)).canCancel).toBe(false);
    expect((await load(accountant)).canCancel).toBe(false);
    expect((await post(admin, { intent: "cancel", confirm: "yes" })).status).toBe(403);
    expect((await post(accountant, { intent: "cancel", confirm: "yes" })).status).toBe(403);
    expect((await payoutsOf(fixture.m))[0]!.status).toBe("pending");
  });

  it("asks for the confirmation tick first, then cancels and says where the money went", async () => {
    const unconfirmed = await post(owner, { intent: "cancel" });
    expect(unconfirmed.status).toBe(400);
    expect((await unconfirmed.json()).errors.confirm).toBe('Tick "Yes, cancel this payout" to confirm.');
    expect((await payoutsOf(fixture.m))[0]!.status).toBe("pending");

    const done = await post(owner, { intent: "cancel", confirm: "yes" });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe(`${path()}?done=canceled`);
    const page = await load(owner);
    expect(page.payout.status).toBe("canceled");
    expect(page.canCancel).toBe(false);

    // A second try (another tab, a resubmitted form) is refused, in words.
    const again = await post(owner, { intent: "cancel", confirm: "yes" });
    expect(again.status).toBe(409);
    expect((await again.json()).errors.form).toBe("This payout is already canceled.");
  });
});

describe("payout.canceled reaches a webhook endpoint", () => {
  let worker: WorkerHandle;
  const env = { ...process.env };
  beforeAll(async () => {
    process.env.WEBHOOKS_ALLOW_PRIVATE = "1";
    worker = await startWorker({ handle: t.handle, crontab: false, pollInterval: 100, dispatchPollMs: 100, log: () => {} });
  });
  afterAll(async () => {
    await worker?.stop();
    process.env = env;
  });

  it("signed, with the canceled payout", async () => {
    const got: { body: string; signature: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        got.push({ body, signature: String(req.headers["webhook-signature"]) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { m, payoutId } = await withPendingPayout();
      const ep = await createEndpoint(m.scope, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, events: ["payout.canceled"] }, { kind: "system" });
      if (!ep.ok) throw new Error(ep.error.message);
      expect((await cancelPayout(m.scope, actor, payoutId)).ok).toBe(true);
      const end = Date.now() + 5000;
      while (got.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(got).toHaveLength(1);
      const body = JSON.parse(got[0]!.body);
      expect(body.type).toBe("payout.canceled");
      expect(body.data.object).toMatchObject({ id: payoutId, status: "canceled" });
      expect(verifySignature(ep.secret, got[0]!.signature, got[0]!.body)).toBe(true);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe.skipIf(!t.realServer)("cancel racing the payout engine's send (real PostgreSQL)", () => {
  it("exactly one wins: canceled and never sent, or sent and the cancel refused; the ledger balances either way", async () => {
    const other = await openPostgres(t.url!, { max: 5 });
    try {
      const outcomes = { canceled: 0, sent: 0 };
      for (let i = 0; i < 12; i++) {
        const { m, payoutId, amount } = await withPendingPayout();
        const sendTime = tehran("2025-10-19T09:00:00");
        // The engine on its own pool (another server), the owner's cancel on this one, at once.
        const [engine, cancel] = await Promise.all([
          runPayoutEngine({ now: sendTime, merchantIds: [m.id], dbx: other.db }),
          // Staggered over the engine's run, so some cancels land before its claim and some after.
          new Promise((r) => setTimeout(r, i * 12)).then(() => cancelPayout(m.scope, actor, payoutId, sendTime)),
        ]);
        const [p] = await payoutsOf(m);
        const transfers = await bankTransfers(payoutId);
        if (cancel.ok) {
          outcomes.canceled++;
          expect(p!.status).toBe("canceled");
          expect(transfers).toEqual([]);
          expect(engine.events.filter((e) => e.payoutId === payoutId)).toEqual([]);
          expect((await getBalances(m.scope, m.currency, { at: sendTime })).available).toBe(amount);
        } else {
          outcomes.sent++;
          expect(["payout_being_sent", "payout_not_cancelable"]).toContain(cancel.error.code);
          expect(p!.status).toBe("in_transit");
          expect(transfers).toHaveLength(1);
          expect((await getBalances(m.scope, m.currency, { at: sendTime })).inTransit).toBe(amount);
        }
        expect(await ledgerProblems(m.scope)).toEqual([]);
        await publishEvents(m.id); // readers see the events once the publisher has numbered them
        const evs = await rows<{ type: string }>(db(), sql`select type from events where merchant_id = ${m.id} and type like 'payout.%' order by seq`);
        expect(evs.map((e) => e.type)).toEqual(cancel.ok ? ["payout.created", "payout.canceled"] : ["payout.created", "payout.in_transit"]);
      }
      expect(outcomes.canceled + outcomes.sent).toBe(12);
    } finally {
      await other.close();
    }
  });
});
