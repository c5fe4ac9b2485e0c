import { and, eq, sql } from "drizzle-orm";
import fc from "fast-check";
import { pgTable, text } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import * as s from "~db/schema";
import { db, rows } from "~db/client.server";
import { capturePayment, createPayment, voidPayment } from "~/modules/payments/payments.server";
import { issueRefund } from "~/modules/refunds/refunds.server";
import { listEvents } from "~/modules/events/events.server";
import { useTestDatabase } from "../../support/db";
import { fastSandbox, makeMerchant, type TestMerchant } from "../payments/fixtures";

const t = useTestDatabase({ seed: "none" });

const CARDS = { approve: "4242424242424242", decline: "4000000000000002", refundFails: "4000000000005126" } as const;
const card = (number: string) => ({ number, expMonth: 12, expYear: 2034, cvc: "123" });

type Op =
  | { kind: "pay"; card: keyof typeof CARDS; capture: boolean; amount: number; fault: boolean }
  | { kind: "capture" | "void"; i: number; fault: boolean }
  | { kind: "refund"; i: number; part: number; fault: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("pay" as const), card: fc.constantFrom("approve", "decline", "refundFails") as fc.Arbitrary<keyof typeof CARDS>, capture: fc.boolean(), amount: fc.integer({ min: 1000, max: 900_000 }), fault: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom("capture" as const, "void" as const), i: fc.nat(20), fault: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("refund" as const), i: fc.nat(20), part: fc.integer({ min: 1, max: 120 }), fault: fc.boolean() }) },
);

async function snapshot(m: TestMerchant) {
  const ps = await db().select({ id: s.payments.id, status: s.payments.status }).from(s.payments).where(eq(s.payments.merchantId, m.merchantId));
  const rs = await db().select({ id: s.refunds.id, status: s.refunds.status }).from(s.refunds).where(eq(s.refunds.merchantId, m.merchantId));
  const [ev] = await rows<{ n: number }>(db(), sql`select count(*)::int as n from events where merchant_id = ${m.merchantId}`);
  return { payments: new Map(ps.map((p) => [p.id, p.status as string])), refunds: new Map(rs.map((r) => [r.id, r.status as string])), events: ev!.n };
}

/** State changes between two snapshots: a new object is its creation plus its move out of pending. */
function changes(before: Map<string, string>, after: Map<string, string>): number {
  let n = 0;
  for (const [id, status] of after) {
    const was = before.get(id);
    if (was === undefined) n += status === "pending" ? 1 : 2;
    else if (was !== status) n += 1;
  }
  return n;
}

async function withFault<T>(m: TestMerchant, on: boolean, fn: () => Promise<T>): Promise<T | "rolled back"> {
  if (!on) return fn();
  await db().insert(outboxFaults).values({ merchantId: m.merchantId }).onConflictDoNothing();
  try {
    return await fn();
  } catch (e) {
    if (!String((e as Error).message ?? e).includes("injected fault") && !String((e as { cause?: Error }).cause?.message).includes("injected fault")) throw e;
    return "rolled back";
  } finally {
    await db().delete(outboxFaults).where(eq(outboxFaults.merchantId, m.merchantId));
  }
}

const outboxFaults = pgTable("outbox_faults", { merchantId: text("merchant_id").primaryKey() });

describe("the events outbox", () => {
  it("every committed change has exactly one event, in order; a failing transaction writes none (random operation sequences)", async () => {
    fastSandbox();
    // A fault injected in the database: the event insert fails, so its whole transaction must roll back.
    await db().execute(sql`create table if not exists outbox_faults (merchant_id text primary key)`);
    await db().execute(sql`create or replace function outbox_fault() returns trigger language plpgsql as $$
      begin
        if exists (select 1 from outbox_faults where merchant_id = new.merchant_id) then raise exception 'injected fault'; end if;
        return new;
      end $$`);
    await db().execute(sql`drop trigger if exists outbox_fault on events`);
    await db().execute(sql`create trigger outbox_fault before insert on events for each row execute function outbox_fault()`);

    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 3, maxLength: t.realServer ? 14 : 8 }), async (ops) => {
        const m = await makeMerchant({ currency: "USD" });
        const pays: string[] = [];
        for (const op of ops) {
          const before = await snapshot(m);
          const result = await withFault(m, op.fault, async () => {
            if (op.kind === "pay") {
              const r = await createPayment(m.scope, { amount: BigInt(op.amount), currency: "USD", card: card(CARDS[op.card]), capture: op.capture }, { terminalId: m.terminalId });
              if (r.ok) pays.push(r.payment.id);
              return r.ok;
            }
            const id = pays.length ? pays[op.i % pays.length]! : "pay_missing";
            if (op.kind !== "refund") return (op.kind === "capture" ? await capturePayment(m.scope, id) : await voidPayment(m.scope, id)).ok;
            const [p] = await db().select().from(s.payments).where(and(eq(s.payments.merchantId, m.merchantId), eq(s.payments.id, id)));
            const amount = p ? (p.amount * BigInt(op.part)) / 100n + 1n : 1n;
            return (await issueRefund(m.scope, { paymentId: id, amount, actor: { userId: null } })).ok;
          });
          const after = await snapshot(m);
          const changed = changes(before.payments, after.payments) + changes(before.refunds, after.refunds);
          expect(after.events - before.events, `${JSON.stringify(op)} -> ${String(result)}`).toBe(changed);
          if (result === "rolled back") expect(changed).toBe(0);
        }
        // Sequence numbers 1..n without gaps; each object's latest event shows its current state.
        const all = await listEvents(m.scope, { after: 0, limit: 100, order: "asc" });
        expect(all.events.map((e) => e.seq)).toEqual(all.events.map((_, i) => i + 1));
        const latest = new Map<string, { status: string; type: string }>();
        for (const e of all.events) {
          const o = e.data as { id: string; status: string };
          latest.set(o.id, { status: o.status, type: e.type });
          expect(e.type.split(".")[0]).toBe(o.id.startsWith("pay_") ? "payment" : "refund");
        }
        const final = await snapshot(m);
        for (const [id, status] of [...final.payments, ...final.refunds]) expect(latest.get(id)?.status, id).toBe(status);
      }),
      { numRuns: t.realServer ? 12 : 4 },
    );
    await db().execute(sql`drop trigger outbox_fault on events`);
  }, 240_000);
});
