/**
 * rows(…, { prepare: true }) (db/client.server.ts): the Overview's fixed lookups go to
 * PostgreSQL as named prepared statements, parsed once per connection, and return
 * exactly what the unprepared statement returns, bigints, NULLs and arrays as each driver
 * returns them.
 * On PGlite the option changes nothing but must still work.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openPostgres, rows, setDb, type DbHandle } from "../../../db/client.server";
import { recentRefunds } from "../../../app/modules/refunds/list.server";
import { useTestDatabase } from "../../support/db";

const t = useTestDatabase({ seed: "demo" });
const MERCHANT = "mer_demo_coffee";
const SCOPE = { merchantId: MERCHANT, merchantName: "Demo Coffee Roasters", timeZone: "Asia/Tehran", currency: "IRR" } as Parameters<typeof recentRefunds>[0];

const lookup = (id: string) =>
  sql`select m.id, m.minimum_payout as minimum, m.weekend_days as weekend, null::text as nothing,
        (select count(*) from payments p where p.merchant_id = m.id) as payments
      from merchants m where m.id = ${id}`;

describe("prepared statements for fixed lookups", () => {
  it("return the same rows as the unprepared statement, types included", async () => {
    const plain = await rows(t.db, lookup(MERCHANT));
    const prepared = await rows(t.db, lookup(MERCHANT), { prepare: true });
    expect(prepared).toEqual(plain);
    expect(prepared).toHaveLength(1);
    expect(String(prepared[0]!.minimum)).toMatch(/^\d+$/);
    expect(prepared[0]!.nothing).toBeNull();
    // Another value for the same statement.
    expect(await rows(t.db, lookup("mer_nobody"), { prepare: true })).toEqual([]);
  });

  it("the latest refunds, prepared, are the refunds list's first rows", async () => {
    const latest = await recentRefunds(SCOPE, 5);
    const expected = await rows<{ id: string }>(
      t.db,
      sql`select id from refunds where merchant_id = ${MERCHANT} order by created_at desc, id desc limit 5`,
    );
    expect(latest.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    expect(latest).toHaveLength(5);
  });

  it.skipIf(!t.realServer)("are parsed once per connection on a real server, with the limit in the statement", async () => {
    const one: DbHandle = await openPostgres(t.url!, { max: 1 });
    try {
      for (let i = 0; i < 3; i++) await rows(one.db, lookup(MERCHANT), { prepare: true });
      await rows(one.db, lookup(MERCHANT));
      const held = await rows<{ statement: string; n: string }>(
        one.db,
        sql`select statement, count(*) over ()::text as n from pg_prepared_statements where statement like '%minimum_payout as minimum%'`,
      );
      // One named statement for three prepared runs, none for the unprepared one.
      expect(held).toHaveLength(1);
      expect(held[0]!.n).toBe("1");
      // The latest five refunds: prepared with the limit written into the statement, so
      // PostgreSQL can keep one plan for it (LIMIT $n would be planned for any limit).
      setDb(one);
      await recentRefunds(SCOPE, 5);
      const [refundStatement] = await rows<{ statement: string }>(
        one.db,
        sql`select statement from pg_prepared_statements where statement like '%from "refunds"%'`,
      );
      expect(refundStatement?.statement).toMatch(/limit 6\s*$/);
    } finally {
      setDb(t.handle);
      await one.close();
    }
  });
});
