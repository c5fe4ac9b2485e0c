/**
 * Event numbering without a per-merchant lock in the writer's transaction: events are
 * inserted unnumbered and the publisher (publishEvents) numbers a merchant's committed
 * ones. What a consumer must see: every event exactly once, numbered 1, 2, 3... without
 * gaps in the order it reads them, even while payments go on and a transaction that
 * started earlier (a smaller gid) commits late.
 */
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as s from "~db/schema";
import { db, rows } from "~db/client.server";
import { createPayment } from "~/modules/payments/payments.server";
import { listEvents, publishEvents, recordEvent, type PublishedEvent } from "~/modules/events/events.server";
import { useTestDatabase } from "../../support/db";
import { CARD, card, fastSandbox, makeMerchant } from "../payments/fixtures";

const t = useTestDatabase({ seed: "none" });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function allEvents(merchantId: string) {
  return rows<{ gid: string; seq: string | null; id: string; type: string; object_id: string }>(
    db(),
    sql`select gid::text, seq::text, id, type, data->>'id' as object_id from events where merchant_id = ${merchantId} order by gid`,
  );
}

describe("event numbering", () => {
  it("an event is numbered by the publisher, once; readers see only numbered events; events stay append-only", async () => {
    fastSandbox();
    const m = await makeMerchant({ currency: "IRR" });
    await db().transaction(async (tx) => {
      await recordEvent(tx, m.merchantId, "terminal.updated", { id: "term_a", object: "terminal" });
      await recordEvent(tx, m.merchantId, "terminal.updated", { id: "term_b", object: "terminal" });
    });
    // Written unnumbered: the writer took no sequence row.
    expect((await allEvents(m.merchantId)).map((e) => e.seq)).toEqual([null, null]);
    expect(await db().select().from(s.eventSequences).where(eq(s.eventSequences.merchantId, m.merchantId))).toEqual([]);

    const page = await listEvents(m.scope, { after: 0, order: "asc" });
    expect(page.events.map((e) => [e.seq, (e.data as { id: string }).id])).toEqual([[1, "term_a"], [2, "term_b"]]);
    expect(await publishEvents(m.merchantId)).toBe(0); // nothing left to number
    const [seqRow] = await db().select().from(s.eventSequences).where(eq(s.eventSequences.merchantId, m.merchantId));
    expect(seqRow!.lastSeq).toBe(2);

    // A rolled-back change leaves no event and takes no number.
    await expect(
      db().transaction(async (tx) => {
        await recordEvent(tx, m.merchantId, "terminal.updated", { id: "term_gone", object: "terminal" });
        throw new Error("rolled back on purpose");
      }),
    ).rejects.toThrow("rolled back on purpose");
    await recordEvent(db(), m.merchantId, "terminal.updated", { id: "term_c", object: "terminal" });
    const next = await listEvents(m.scope, { after: 2, order: "asc" });
    expect(next.events.map((e) => [e.seq, (e.data as { id: string }).id])).toEqual([[3, "term_c"]]);

    // Numbered events are final: no renumbering, no change of their content, no deletion.
    const refuse = async (q: ReturnType<typeof sql>) => {
      const err = await db().execute(q).then(() => null, (e: unknown) => e);
      expect(String((err as { cause?: Error })?.cause?.message ?? (err as Error)?.message)).toContain("events are append-only");
    };
    await refuse(sql`update events set seq = 99 where merchant_id = ${m.merchantId} and seq = 1`);
    await refuse(sql`update events set type = 'terminal.created' where merchant_id = ${m.merchantId} and seq = 1`);
    await refuse(sql`delete from events where merchant_id = ${m.merchantId} and seq = 1`);
    // Nor may an unnumbered event change its content while it is being numbered.
    await recordEvent(db(), m.merchantId, "terminal.updated", { id: "term_d", object: "terminal" });
    await refuse(sql`update events set seq = 4, data = '{"id":"x"}'::jsonb where merchant_id = ${m.merchantId} and seq is null`);
  });

  it.runIf(t.realServer)("a payment of a merchant commits while another of its transactions holding an event is still open", async () => {
    fastSandbox();
    const m = await makeMerchant({ currency: "IRR" });
    // Before, the open transaction held the merchant's sequence row until its commit, and
    // the payment waited for it (here: forever, since the transaction waits for the payment).
    const paid = await db().transaction(async (tx) => {
      await recordEvent(tx, m.merchantId, "terminal.updated", { id: "term_slow", object: "terminal" });
      const r = await createPayment(m.scope, { amount: 10_000n, currency: "IRR", card: card(CARD.approve) }, { terminalId: m.terminalId });
      // A reader meanwhile (on another connection) sees the payment's events, numbered; not the uncommitted one.
      const during = await listEvents(m.scope, { after: 0, order: "asc", limit: 100 });
      expect(during.events.map((e) => [e.seq, e.type])).toEqual([[1, "payment.created"], [2, "payment.succeeded"]]);
      return r;
    });
    expect(paid.ok).toBe(true);
    // The slow transaction's event began first (smaller gid) and committed last: it is number 3,
    // so a reader that had seen 2 and asks for after=2 gets it.
    const { events } = await listEvents(m.scope, { after: 2, order: "asc", limit: 100 });
    expect(events.map((e) => [e.seq, e.type])).toEqual([[3, "terminal.updated"]]);
  });

  it.runIf(t.realServer)("many concurrent payments of one merchant: gap-free numbers in read order, and a paging consumer sees every event exactly once", async () => {
    fastSandbox();
    const m = await makeMerchant({ currency: "IRR" });
    const PAYMENTS = 160;
    const LANES = 16;
    let writing = true;

    // The writers: 16 lanes of API-path payments (two events each, in two transactions).
    let next = 0;
    const paymentIds: string[] = [];
    const writers = Promise.all(
      Array.from({ length: LANES }, async () => {
        for (let i = next++; i < PAYMENTS; i = next++) {
          const r = await createPayment(m.scope, { amount: BigInt(10_000 + i), currency: "IRR", card: card(CARD.approve) }, { terminalId: m.terminalId });
          if (r.ok) paymentIds.push(r.payment.id);
        }
      }),
    );
    // Slow transactions: each records an event (taking its gid now) and commits 150 ms later,
    // after many later events have committed and been numbered and read.
    const slowIds: string[] = [];
    const slow = (async () => {
      for (let k = 0; k < 6; k++) {
        await db().transaction(async (tx) => {
          const e = await recordEvent(tx, m.merchantId, "terminal.updated", { id: `term_slow_${k}`, object: "terminal" });
          slowIds.push(e.id);
          await sleep(150);
        });
        await sleep(20);
      }
    })();
    // A second publisher racing the consumer's own publishing (the workers' poll).
    const publisher = (async () => {
      while (writing) {
        await publishEvents(m.merchantId);
        await sleep(5);
      }
    })();
    // The consumer: pages with a cursor (after = the last sequence it saw), small pages.
    const seen: PublishedEvent[] = [];
    const consumer = (async () => {
      let after = 0;
      for (;;) {
        const stillWriting = writing;
        const page = await listEvents(m.scope, { after, order: "asc", limit: 7 });
        seen.push(...page.events);
        if (page.events.length > 0) after = page.events[page.events.length - 1]!.seq;
        else if (!stillWriting) return;
        else await sleep(3);
      }
    })();

    await Promise.all([writers, slow]);
    writing = false;
    await Promise.all([publisher, consumer]);

    expect(paymentIds).toHaveLength(PAYMENTS);
    const stored = await allEvents(m.merchantId);
    const total = PAYMENTS * 2 + 6;
    expect(stored).toHaveLength(total);
    expect(stored.every((e) => e.seq !== null)).toBe(true);

    // Every event exactly once, numbered 1..N in the order the consumer read them.
    expect(seen.map((e) => e.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(seen.map((e) => e.id)).size).toBe(total);
    expect(new Set(seen.map((e) => e.id))).toEqual(new Set(stored.map((e) => e.id)));
    for (const id of slowIds) expect(seen.some((e) => e.id === id)).toBe(true);
    const [last] = await db().select().from(s.eventSequences).where(eq(s.eventSequences.merchantId, m.merchantId));
    expect(last!.lastSeq).toBe(total);

    // A payment's events keep their order (created before succeeded).
    const seqOf = new Map(stored.map((e) => [`${e.object_id}:${e.type}`, Number(e.seq)]));
    for (const id of paymentIds) expect(seqOf.get(`${id}:payment.created`)!).toBeLessThan(seqOf.get(`${id}:payment.succeeded`)!);

    // The case the design is for did happen: an event with a smaller gid (its transaction
    // began earlier) was committed, numbered and read after one with a larger gid.
    const bySeq = [...stored].sort((a, b) => Number(a.seq) - Number(b.seq));
    const lateCommits = bySeq.filter((e, i) => i > 0 && BigInt(e.gid) < BigInt(bySeq[i - 1]!.gid));
    expect(lateCommits.length).toBeGreaterThan(0);
  });
});
