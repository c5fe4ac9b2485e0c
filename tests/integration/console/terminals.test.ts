import { sql } from "drizzle-orm";
import { demoSeededAt, useTestDatabase } from "../../support/db";
import { coffee } from "../../support/demo";
import { as, signIn } from "../../support/auth";
import { action as terminalsAction } from "../../../app/routes/_app.terminals._index";
import { action as terminalAction } from "../../../app/routes/_app.terminals.$terminalId";
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
const actor = { kind: "member" as const, member: { user: { id: "usr_coffee_owner", email: "owner@coffee.test" }, role: "owner" as const, merchant: { supportRefundLimit: 0n } } };

describe("terminals", () => {
  it("lists terminals with today's volume from the rollup and a 14-day sparkline", async () => {
    const now = demoSeededAt();
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
    const before = await authenticateApiKey("sk_test_coffee_web_0001");
    expect(before.ok).toBe(true);
    const off = await deactivateTerminal(coffee, actor, "term_coffee_web");
    expect(off).toEqual({ ok: true, revokedKeys: 1 });
    const after = await authenticateApiKey("sk_test_coffee_web_0001");
    expect(after).toMatchObject({ ok: false, error: { status: 401, code: "api_key_invalid" } });
    const on = await reactivateTerminal(coffee, actor, "term_coffee_web");
    expect(on).toEqual({ ok: true, needsKey: true });
    expect((await authenticateApiKey("sk_test_coffee_web_0001")).ok).toBe(false);

    const rotated = await rotateTerminalKey(coffee, actor, "term_coffee_web");
    if (!rotated.ok) throw new Error(rotated.message);
    expect(rotated.key).toMatch(/^sk_test_[0-9A-Za-z]{32}$/);
    const ok = await authenticateApiKey(rotated.key);
    expect(ok).toMatchObject({ ok: true, principal: { terminalId: "term_coffee_web", merchantId: coffee.merchantId } });

    // Rotating again revokes the first new key.
    const again = await rotateTerminalKey(coffee, actor, "term_coffee_web");
    if (!again.ok) throw new Error(again.message);
    expect((await authenticateApiKey(rotated.key)).ok).toBe(false);
    expect((await authenticateApiKey(again.key)).ok).toBe(true);
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

  it("the terminal forms refuse beside the field, in the reader's language, keeping what was typed", async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const body = (r: Response): Promise<any> => r.json();
    const owner = await signIn("owner@coffee.test");
    const create = (form: Record<string, string>) => terminalsAction({ request: as(owner, "/terminals", { form }), params: {}, context: {} });
    const blank = await create({ name: "  ", location: "Tabriz", kind: "api" });
    expect(blank.status).toBe(400);
    expect(await body(blank)).toEqual({
      ok: false,
      errors: { name: "Give the terminal a name of at most 80 characters." },
      values: { name: "  ", location: "Tabriz", kind: "api" },
    });
    await create({ name: "Tabriz bazaar", location: "", kind: "virtual" });
    const taken = await create({ name: "tabriz BAZAAR", location: "", kind: "api" });
    expect(taken.status).toBe(409);
    expect((await body(taken)).errors).toEqual({ name: "An active terminal is already called “tabriz BAZAAR”: choose another name." });

    const fa = await signIn("fa@coffee.test");
    const path = "/terminals/term_coffee_virtual";
    const detail = (form: Record<string, string>) => terminalAction({ request: as(fa, path, { form }), params: { terminalId: "term_coffee_virtual" }, context: {} });
    const unconfirmed = await detail({ intent: "deactivate" });
    expect(unconfirmed.status).toBe(400);
    expect((await body(unconfirmed)).errors).toEqual({ confirm: "برای تأیید، گزینه را علامت بزنید: کلید API پایانه بی‌درنگ از کار می‌افتد." });
    const long = await detail({ intent: "rename", name: "x".repeat(81), location: "Tehran" });
    expect(long.status).toBe(400);
    const refused = await body(long);
    expect(refused.errors).toEqual({ name: "برای پایانه نامی با حداکثر ۸۰ نویسه بگذارید." });
    expect(refused.values).toMatchObject({ name: "x".repeat(81), location: "Tehran" });
    const nothing = await detail({ intent: "explode" });
    expect(nothing.status).toBe(400);
    expect(Object.keys((await body(nothing)).errors)).toEqual(["form"]);
  });
});
