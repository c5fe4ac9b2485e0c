/**
 * An Idempotency-Key's claim and a paying card's vault row commit without waiting for their WAL
 * flush (commitWithoutFlushWait, db/prepared.server.ts): the setting is their own
 * transaction's and no other's, so every other commit on the same pooled connection (a
 * payment, its capture, a stored answer) still waits for the flush. On PGlite and on a real
 * server, on one connection.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openPostgres, rows, type DbHandle } from "../../../db/client.server";
import { commitWithoutFlushWait } from "../../../db/prepared.server";
import { sandboxTokenize } from "../../../app/modules/processors/sandbox/sandbox.server";
import { open } from "../../../app/modules/processors/sandbox/vault.server";
import { useTestDatabase } from "../../support/db";

const t = useTestDatabase({ seed: "none" });

const setting = async (h: DbHandle) => (await rows<{ s: string }>(h.db, sql`select current_setting('synchronous_commit') as s`))[0]!.s;

describe("a commit without its flush wait", () => {
  it("does not wait for the flush, and only in the claim's own transaction", async () => {
    const one = t.realServer ? await openPostgres(t.url!, { max: 1 }) : t.handle;
    try {
      const before = await setting(one);
      expect(before).toBe("on");
      // Inside a transaction: off until its end.
      await one.db.transaction(async (tx) => {
        const [r] = await rows<{ ok: boolean }>(tx, sql`select ${commitWithoutFlushWait} as ok`);
        expect(r!.ok).toBe(true);
        expect((await rows<{ s: string }>(tx, sql`select current_setting('synchronous_commit') as s`))[0]!.s).toBe("off");
      });
      expect(await setting(one)).toBe(before);
      // As its own statement (the claims are): the next statement of the connection is back to the default.
      await rows(one.db, sql`select ${commitWithoutFlushWait} as ok`);
      expect(await setting(one)).toBe(before);
    } finally {
      if (one !== t.handle) await one.close();
    }
  });

  it("the vault row of a card being paid with is the card, read back from the table (both drivers' bytea)", async () => {
    const now = new Date("2026-12-06T21:30:00Z");
    const r = await sandboxTokenize({ number: "4242 4242 4242 4242", expMonth: 12, expYear: 2030, cvc: "123" }, now, { forPayment: true });
    if (!r.ok) throw new Error(r.message);
    const [row] = await rows<{ pan_ciphertext: Uint8Array; pan_iv: Uint8Array; pan_tag: Uint8Array; key_id: string; bin: string; last4: string; exp_month: number }>(
      t.db,
      sql`select pan_ciphertext, pan_iv, pan_tag, key_id, bin, last4, exp_month from sandbox_cards where token = ${r.card.token}`,
    );
    expect({ bin: row!.bin, last4: row!.last4, exp_month: Number(row!.exp_month) }).toEqual({ bin: "424242", last4: "4242", exp_month: 12 });
    expect(open({ ciphertext: row!.pan_ciphertext, iv: row!.pan_iv, tag: row!.pan_tag, keyId: row!.key_id }, r.card.token)).toBe("4242424242424242");
    // The connection's next commit waits for its flush again.
    expect(await setting(t.handle)).toBe("on");
  });
});
