/**
 * An Idempotency-Key's claim commits without waiting for its WAL flush
 * (claimCommitsWithoutFlushWait, idempotency.server.ts): the setting is its own
 * transaction's and no other's, so every other commit on the same pooled connection (a
 * payment, its capture, a stored answer) still waits for the flush. On PGlite and on a real
 * server, on one connection.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openPostgres, rows, type DbHandle } from "../../../db/client.server";
import { claimCommitsWithoutFlushWait } from "../../../app/modules/idempotency/idempotency.server";
import { useTestDatabase } from "../../support/db";

const t = useTestDatabase({ seed: "none" });

const setting = async (h: DbHandle) => (await rows<{ s: string }>(h.db, sql`select current_setting('synchronous_commit') as s`))[0]!.s;

describe("a claim's commit", () => {
  it("does not wait for the flush, and only in the claim's own transaction", async () => {
    const one = t.realServer ? await openPostgres(t.url!, { max: 1 }) : t.handle;
    try {
      const before = await setting(one);
      expect(before).toBe("on");
      // Inside a transaction: off until its end.
      await one.db.transaction(async (tx) => {
        const [r] = await rows<{ ok: boolean }>(tx, sql`select ${claimCommitsWithoutFlushWait} as ok`);
        expect(r!.ok).toBe(true);
        expect((await rows<{ s: string }>(tx, sql`select current_setting('synchronous_commit') as s`))[0]!.s).toBe("off");
      });
      expect(await setting(one)).toBe(before);
      // As its own statement (the claims are): the next statement of the connection is back to the default.
      await rows(one.db, sql`select ${claimCommitsWithoutFlushWait} as ok`);
      expect(await setting(one)).toBe(before);
    } finally {
      if (one !== t.handle) await one.close();
    }
  });
});
