import { sql } from "drizzle-orm";
import { useTestDatabase } from "../../support/db";
import { createMerchant, createUser, useTeam } from "../../support/fixtures";
import { as, signIn } from "../../support/auth";
import { body, thrown } from "../../support/responses";
import { rows } from "../../../db/client.server";
import { memberships } from "../../../db/schema";
import { requireContext } from "../../../app/web/guard.server";
import { signInWithPassword } from "../../../app/web/sign-in.server";
import { loader as auditLoader } from "../../../app/routes/_app.audit";
import { action as switchAction } from "../../../app/routes/switch-merchant";
import { loader as appLoader } from "../../../app/routes/_app";

const t = useTestDatabase({ seed: "none" });
const team = useTeam("audit");

describe("audit log page", () => {
  it("shows this merchant's events (with its members' sign-ins), filters them, and hides other merchants'", async () => {
    // A failed sign-in of a member, and activity at the other merchant.
    await signInWithPassword(t.db, new Request("http://localhost/login", { method: "POST", headers: { "x-forwarded-for": "192.0.2.77", "user-agent": "Mozilla/5.0 (Windows NT 10.0) Firefox/121.0" } }), {
      email: team.members.support.email,
      password: "wrong password!!",
    });
    const outsider = await signIn(team.outsider.email);
    await thrown(requireContext(as(await signIn(team.members.viewer.email), "/staff"), "staff:manage"));

    const owner = await signIn(team.members.owner.email);
    const all = await body(await auditLoader({ request: as(owner, "/audit"), params: {}, context: {} }));
    const actions = all.rows.map((r: { action: string; actorEmail: string }) => `${r.action} ${r.actorEmail}`);
    expect(actions).toContain(`auth.login ${team.members.support.email}`);
    expect(actions).toContain(`access.denied ${team.members.viewer.email}`);
    expect(actions.join("\n")).not.toContain(team.outsider.email);
    const failed = all.rows.find((r: { outcome: string }) => r.outcome === "failure");
    expect(failed).toMatchObject({ ip: "192.0.2.77", device: { browser: "Firefox", os: "Windows" }, details: { reason: "wrong_password" } });

    const denied = await body(await auditLoader({ request: as(owner, "/audit?outcome=denied&action=access"), params: {}, context: {} }));
    expect(denied.rows.length).toBeGreaterThan(0);
    expect(denied.rows.every((r: { outcome: string; action: string }) => r.outcome === "denied" && r.action.startsWith("access."))).toBe(true);
    const byActor = await body(await auditLoader({ request: as(owner, `/audit?actor=${encodeURIComponent("support@")}`), params: {}, context: {} }));
    expect(byActor.rows.every((r: { actorEmail: string }) => r.actorEmail.includes("support@"))).toBe(true);
    const future = await body(await auditLoader({ request: as(owner, "/audit?from=2099-01-01"), params: {}, context: {} }));
    expect(future.rows).toEqual([]);
    // Past the ledger's years the day is refused beside its field (the edge refused it before).
    const beyond = (await auditLoader({ request: as(owner, "/audit?from=2999-01-01"), params: {}, context: {} })) as Response;
    expect(beyond.status).toBe(400);
    expect(((await beyond.json()) as { errors: Record<string, string> }).errors).toEqual({ from: "Enter a date between 1970-01-01 and 2100-12-31" });

    // Named beside the date field on the page (not a bare error page), the format said.
    const bad = (await auditLoader({ request: as(owner, "/audit?from=yesterday"), params: {}, context: {} })) as Response;
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: Record<string, string> }).errors).toEqual({ from: "Enter a date as YYYY-MM-DD, for example 2025-03-21" });

    // The other merchant's owner sees none of this merchant's trail.
    const theirs = await body(await auditLoader({ request: as(outsider, "/audit"), params: {}, context: {} }));
    expect(JSON.stringify(theirs.rows)).not.toContain(team.members.support.email);
  });

  it("the trail cannot be edited, even by the database user", async () => {
    await expect(t.db.execute(sql`update audit_events set outcome = 'success'`)).rejects.toThrow();
    await expect(t.db.execute(sql`delete from audit_events`)).rejects.toThrow();
  });
});

describe("several merchants per person", () => {
  it("switches between merchants of the person's memberships, each with its own role", async () => {
    const second = await createMerchant({ name: "Audit Second Shop" });
    const both = await createUser({
      email: "both@audit.test",
      memberships: [
        { merchantId: team.shop.id, role: "accountant" },
        { merchantId: second.id, role: "admin" },
      ],
    });
    const me = await signIn(both.email);
    const shell = await body(await appLoader({ request: as(me, "/"), params: {}, context: {} }));
    expect(shell.memberships.map((m: { merchantName: string; role: string }) => `${m.merchantName}:${m.role}`).sort()).toEqual([
      "Audit Second Shop:admin",
      `${team.shop.name}:accountant`,
    ]);
    const start = shell.merchant.id;
    const target = start === team.shop.id ? second.id : team.shop.id;
    const res = await switchAction({ request: as(me, "/switch-merchant", { form: { merchantId: target } }), params: {}, context: {} });
    expect(res.status).toBe(302);
    const ctx = await requireContext(as(me, "/"));
    expect(ctx.scope.merchantId).toBe(target);
    expect(ctx.role).toBe(target === second.id ? "admin" : "accountant");

    // Not a member: refused and recorded.
    const other = await thrown(switchAction({ request: as(me, "/switch-merchant", { form: { merchantId: team.other.id } }), params: {}, context: {} }));
    expect(other.status).toBe(403);
    expect(await other.text()).toMatch(/not a member/);
    expect((await requireContext(as(me, "/"))).scope.merchantId).toBe(target);
    const recorded = await rows(t.db, sql`select 1 from audit_events where action = 'access.switch_merchant' and outcome = 'denied'`);
    expect(recorded).toHaveLength(1);

    // A disabled membership disappears from the switcher.
    await t.db.update(memberships).set({ status: "disabled" }).where(sql`user_id = ${both.id} and merchant_id = ${second.id}`);
    const me2 = await signIn(both.email);
    const after = await requireContext(as(me2, "/"));
    expect(after.memberships.map((m) => m.merchantId)).toEqual([team.shop.id]);
    expect(after.scope.merchantId).toBe(team.shop.id);
  });
});
