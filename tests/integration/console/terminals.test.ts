import { sql } from "drizzle-orm";
import { useTestDatabase } from "../../support/db";
import { rows } from "../../../db/client.server";
import { localDateKey } from "../../../app/lib/dates/zones";
import { authenticateApiKey } from "../../../app/modules/terminals/api-auth.server";
import {
  createTerminal,
  deactivateTerminal,
  listTerminals,
  reactivateTerminal,
  renameTerminal,
  rotateTerminalKey,
} from "../../../app/modules/terminals/terminals.server";

const t = useTestDatabase({ seed: "demo" });
const coffee = { merchantId: "mer_demo_coffee", timeZone: "Asia/Tehran", currency: "IRR" };
const actor = { userId: "usr_coffee_owner", email: "owner@coffee.test" };

/** The Authorization header an API client sends with this key. */
function bearer(key: string) {
  return `Bearer ${key}`;
}

describe("terminals", () => {
  it("lists terminals with today's volume from the rollup and a 14-day sparkline", async () => {
    const now = new Date();
    const list = await listTerminals(coffee, now);
    expect(list.map((x) => x.id).sort()).toEqual(["term_coffee_isfahan", "term_coffee_links", "term_coffee_tajrish", "term_coffee_virtual", "term_coffee_web"]);
    const today = localDateKey(now, coffee.timeZone);
    const oracle = await rows<{ terminal_id: string; gross: string }>(
      t.db,
      sql`select terminal_id, sum(amount)::text as gross from payments
          where merchant_id = ${coffee.merchantId} and status = 'captured'
            and (captured_at at time zone 'Asia/Tehran')::date = ${today}::date group by terminal_id`,
    );
    for (const term of list) {
      expect(term.todayGross, term.id).toBe(oracle.find((o) => o.terminal_id === term.id)?.gross ?? "0");
      expect(term.spark).toHaveLength(14);
      expect(term.spark[13]!.day).toBe(today);
      expect(term.spark[13]!.gross).toBe(term.todayGross);
    }
    const web = list.find((x) => x.id === "term_coffee_web")!;
    expect(web.hasActiveKey).toBe(true);
    expect(web.lastUsedAt).not.toBeNull();
  });

  it("deactivating refuses the terminal's key at once; reactivating needs a new key", async () => {
    const before = await authenticateApiKey(bearer("sk_test_coffee_web_0001"));
    expect(before.ok).toBe(true);
    const off = await deactivateTerminal(coffee, actor, "term_coffee_web");
    expect(off).toEqual({ ok: true, revokedKeys: 1 });
    const after = await authenticateApiKey(bearer("sk_test_coffee_web_0001"));
    expect(after).toMatchObject({ ok: false, status: 401 });
    const on = await reactivateTerminal(coffee, actor, "term_coffee_web");
    expect(on).toEqual({ ok: true, needsKey: true });
    expect((await authenticateApiKey(bearer("sk_test_coffee_web_0001"))).ok).toBe(false);

    const rotated = await rotateTerminalKey(coffee, actor, "term_coffee_web");
    if (!rotated.ok) throw new Error(rotated.message);
    expect(rotated.key).toMatch(/^sk_test_[0-9A-Za-z]{32}$/);
    const ok = await authenticateApiKey(bearer(rotated.key));
    expect(ok).toMatchObject({ ok: true, principal: { terminalId: "term_coffee_web", merchantId: coffee.merchantId } });

    // Rotating again revokes the first new key.
    const again = await rotateTerminalKey(coffee, actor, "term_coffee_web");
    if (!again.ok) throw new Error(again.message);
    expect((await authenticateApiKey(bearer(rotated.key))).ok).toBe(false);
    expect((await authenticateApiKey(bearer(again.key))).ok).toBe(true);
    // Only the hash is stored.
    const stored = await rows<{ n: string }>(t.db, sql`select count(*)::text as n from api_keys where key_hash = ${again.key}`);
    expect(stored[0]!.n).toBe("0");

    const audit = await rows<{ action: string }>(
      t.db,
      sql`select action from audit_events where merchant_id = ${coffee.merchantId} and target_id = 'term_coffee_web' order by id`,
    );
    expect(audit.map((a) => a.action)).toEqual([
      "terminal.deactivate",
      "terminal.reactivate",
      "terminal.api_key_rotate",
      "terminal.api_key_rotate",
    ]);
  });

  it("creates and renames terminals, refusing a duplicate active name", async () => {
    const created = await createTerminal(coffee, actor, { name: "Shiraz café", location: "Shiraz", kind: "api" });
    if (!created.ok) throw new Error(created.message);
    const dup = await createTerminal(coffee, actor, { name: "shiraz CAFÉ", location: null, kind: "virtual" });
    expect(dup.ok).toBe(false);
    const renamed = await renameTerminal(coffee, actor, created.id, { name: "Shiraz roastery", location: "Shiraz, Zand" });
    expect(renamed.ok).toBe(true);
    const list = await listTerminals(coffee);
    expect(list.find((x) => x.id === created.id)).toMatchObject({ name: "Shiraz roastery", location: "Shiraz, Zand", hasActiveKey: false, todayGross: "0" });
    const virtualKey = await rotateTerminalKey(coffee, actor, "term_coffee_virtual");
    expect(virtualKey.ok).toBe(false);
    expect(await renameTerminal({ merchantId: "mer_northwind" }, actor, created.id, { name: "x", location: null })).toMatchObject({ ok: false, status: 404 });
  });
});
