/**
 * "Remove from team": owners only, after a confirmation tick; the member's sessions end on
 * their very next request; audited; staff.removed is written; the last owner can never go.
 */
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../support/db";
import { createUser, useTeam } from "../../support/fixtures";
import { as, signIn } from "../../support/auth";
import { body, thrown } from "../../support/responses";
import { auditEvents, events, memberships } from "../../../db/schema";
import { requireContext } from "../../../app/web/guard.server";
import { action as staffAction, loader as staffLoader } from "../../../app/routes/_app.staff";

const t = useTestDatabase({ seed: "none" });
const team = useTeam("rm");
const call = (req: Request) => staffAction({ request: req, params: {}, context: {} });

const membership = (userId: string) =>
  t.db.query.memberships.findFirst({ where: and(eq(memberships.userId, userId), eq(memberships.merchantId, team.shop.id)) });

describe("removing a member from the team", () => {
  it("asks for the confirmation tick, then removes them: signed out at once, gone from the list, audited, staff.removed written", async () => {
    const owner = await signIn(team.members.owner.email);
    const victim = await signIn(team.members.support.email);
    await requireContext(as(victim, "/payments"), "payments:view");

    const unconfirmed = await call(as(owner, "/staff", { form: { intent: "remove", userId: team.members.support.id } }));
    expect(unconfirmed.status).toBe(400);
    expect((await body(unconfirmed)).errors).toEqual({ confirm: "Tick the confirmation to remove this member." });
    expect(await membership(team.members.support.id)).toBeDefined();

    const res = await call(as(owner, "/staff", { form: { intent: "remove", userId: team.members.support.id, confirm: "yes" } }));
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/staff?done=removed");
    expect(await membership(team.members.support.id)).toBeUndefined();

    // Their open session ends on its very next request, and they cannot sign in to this merchant again.
    const next = await thrown(requireContext(as(victim, "/payments"), "payments:view"));
    expect(next.status).toBe(302);
    expect(next.headers.get("location")).toContain("/login");
    await expect(signIn(team.members.support.email)).rejects.toThrow(/no_access/);

    const page = await body(await staffLoader({ request: as(owner, "/staff"), params: {}, context: {} }));
    expect(page.members.map((m: { email: string }) => m.email)).not.toContain(team.members.support.email);

    const audit = await t.db.select().from(auditEvents).where(and(eq(auditEvents.action, "staff.remove"), eq(auditEvents.outcome, "success")));
    expect(audit.map((a) => [a.targetId, a.actorEmail, (a.details as { email: string }).email])).toEqual([
      [team.members.support.id, team.members.owner.email, team.members.support.email],
    ]);
    const ev = await t.db.select().from(events).where(and(eq(events.merchantId, team.shop.id), eq(events.type, "staff.removed")));
    expect(ev).toHaveLength(1);
    expect(ev[0]!.data).toMatchObject({ id: team.members.support.id, object: "staff_member", email: team.members.support.email, role: "support", status: "removed" });
  });

  it("is for owners only: an admin is refused (and the refusal audited); disable still works as before", async () => {
    const admin = await signIn(team.members.admin.email);
    const res = await call(as(admin, "/staff", { form: { intent: "remove", userId: team.members.viewer.id, confirm: "yes" } }));
    expect(res.status).toBe(403);
    expect((await body(res)).errors).toEqual({ form: "Only an owner can remove someone from the team." });
    expect(await membership(team.members.viewer.id)).toBeDefined();
    const denied = await t.db.select().from(auditEvents).where(and(eq(auditEvents.action, "staff.remove"), eq(auditEvents.outcome, "denied")));
    expect(denied.map((a) => a.targetId)).toEqual([team.members.viewer.id]);

    const disable = await call(as(admin, "/staff", { form: { intent: "disable", userId: team.members.viewer.id } }));
    expect(disable.status).toBe(302);
    expect((await membership(team.members.viewer.id))!.status).toBe("disabled");
  });

  it("never removes the last owner: not themselves, and of two owners removing each other only one succeeds", async () => {
    const owner = await signIn(team.members.owner.email);
    const self = await call(as(owner, "/staff", { form: { intent: "remove", userId: team.members.owner.id, confirm: "yes" } }));
    expect(self.status).toBe(409);
    expect((await body(self)).errors).toEqual({ form: "You cannot remove yourself from the team." });

    const second = await createUser({ email: "second-owner@rm.test", memberships: [{ merchantId: team.shop.id, role: "owner" }] });
    const other = await signIn("second-owner@rm.test");
    const settle = (p: Promise<unknown>) => p.then((r) => r as Response, (e) => (e instanceof Response ? e : Promise.reject(e)));
    const both = await Promise.all([
      settle(call(as(owner, "/staff", { form: { intent: "remove", userId: second.id, confirm: "yes" } }))),
      settle(call(as(other, "/staff", { form: { intent: "remove", userId: team.members.owner.id, confirm: "yes" } }))),
    ]);
    const removed = both.filter((r) => r.headers.get("location") === "/staff?done=removed");
    expect(removed).toHaveLength(1);
    // The other was refused as the last owner, or (its author removed first) found its session ended.
    const loser = both.find((r) => !removed.includes(r))!;
    if (loser.status === 409) expect((await body(loser)).errors.form).toMatch(/is the last owner of .* and cannot be removed\.$/);
    else expect(loser.headers.get("location")).toContain("/login");
    const owners = await t.db.select().from(memberships).where(and(eq(memberships.merchantId, team.shop.id), eq(memberships.role, "owner")));
    expect(owners).toHaveLength(1);
    expect(owners[0]!.status).toBe("active");
  });
});
