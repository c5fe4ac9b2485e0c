import { eq, sql } from "drizzle-orm";
import { useTestDatabase } from "../../support/db";
import { createUser, useTeam } from "../../support/fixtures";
import { as, request, signIn } from "../../support/auth";
import { body, thrown } from "../../support/responses";
import { rows } from "../../../db/client.server";
import { invitations, memberships, outboundEmails } from "../../../db/schema";
import { requireContext } from "../../../app/web/guard.server";
import { action as staffAction, loader as staffLoader } from "../../../app/routes/_app.staff";
import { action as acceptAction, loader as acceptLoader } from "../../../app/routes/invite.$merchantId.$token";

const t = useTestDatabase({ seed: "none" });
const team = useTeam("staff");

const call = (req: Request) => staffAction({ request: req, params: {}, context: {} });

async function roleOf(userId: string) {
  const m = await t.db.query.memberships.findFirst({ where: eq(memberships.userId, userId) });
  return m!;
}

describe("staff management", () => {
  it("shows members, invitations and the role matrix to owner and admin only", async () => {
    const owner = await signIn(team.members.owner.email);
    const data = await body(await staffLoader({ request: as(owner, "/staff"), params: {}, context: {} }));
    expect(data.members.map((m: { email: string }) => m.email).sort()).toEqual(Object.values(team.members).map((m) => m.email).sort());
    expect(data.grantable).toContain("owner");
    const admin = await signIn(team.members.admin.email);
    const asAdmin = await body(await staffLoader({ request: as(admin, "/staff"), params: {}, context: {} }));
    expect(asAdmin.grantable).not.toContain("owner");
    const support = await signIn(team.members.support.email);
    const refused = await thrown(staffLoader({ request: as(support, "/staff"), params: {}, context: {} }));
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/does not allow this: Manage staff/);
  });

  it("nobody can demote or disable the last owner", async () => {
    const owner = await signIn(team.members.owner.email);
    const demote = await call(as(owner, "/staff", { form: { intent: "change-role", userId: team.members.owner.id, role: "admin" } }));
    expect(demote.status).toBe(409);
    expect((await body(demote)).errors).toEqual({ role: `${team.members.owner.email} is the last owner of ${team.shop.name}. Make someone else an owner first.` });
    const admin = await signIn(team.members.admin.email);
    const disable = await call(as(admin, "/staff", { form: { intent: "disable", userId: team.members.owner.id } }));
    expect(disable.status).toBe(403);
    expect((await roleOf(team.members.owner.id)).role).toBe("owner");
    expect((await roleOf(team.members.owner.id)).status).toBe("active");
    const denied = await rows(t.db, sql`select 1 from audit_events where action in ('staff.role_change', 'staff.disable') and outcome = 'denied'`);
    expect(denied).toHaveLength(2);
  });

  it("with a second owner, one owner may step down", async () => {
    const owner = await signIn(team.members.owner.email);
    const second = await createUser({ email: "second-owner@staff.test", memberships: [{ merchantId: team.shop.id, role: "owner" }] });
    const res = await call(as(owner, "/staff", { form: { intent: "change-role", userId: second.id, role: "viewer" } }));
    expect(res.status).toBe(302);
    expect((await roleOf(second.id)).role).toBe("viewer");
  });

  it("an admin cannot grant owner, by invitation or by role change", async () => {
    const admin = await signIn(team.members.admin.email);
    const invite = await call(as(admin, "/staff", { form: { intent: "invite", email: "boss@staff.test", role: "owner" } }));
    expect(invite.status).toBe(403);
    expect((await body(invite)).errors).toEqual({ role: "Only an owner can make someone an owner." });
    const promote = await call(as(admin, "/staff", { form: { intent: "change-role", userId: team.members.viewer.id, role: "owner" } }));
    expect(promote.status).toBe(403);
    const self = await call(as(admin, "/staff", { form: { intent: "change-role", userId: team.members.admin.id, role: "owner" } }));
    expect(self.status).toBe(403);
    expect((await roleOf(team.members.admin.id)).role).toBe("admin");
  });

  it("a refused invitation or limit names the field and keeps what was typed", async () => {
    const owner = await signIn(team.members.owner.email);
    const bad = await call(as(owner, "/staff", { form: { intent: "invite", email: "not-an-address", role: "support" } }));
    expect(bad.status).toBe(400);
    expect(await body(bad)).toEqual({
      ok: false,
      intent: "invite",
      errors: { email: "Enter an email address like name@example.com." },
      values: { intent: "invite", email: "not-an-address", role: "support" },
    });
    const limit = await call(as(owner, "/staff", { form: { intent: "refund-limit", limit: "lots" } }));
    expect(limit.status).toBe(400);
    const refused = await body(limit);
    expect(Object.keys(refused.errors)).toEqual(["limit"]);
    expect(refused.values.limit).toBe("lots");
    expect(await t.db.select().from(invitations).where(eq(invitations.email, "not-an-address"))).toHaveLength(0);
  });

  it("invites by a one-time link valid 7 days, mailed and shown; accepting sets the password and signs in", async () => {
    const owner = await signIn(team.members.owner.email);
    const res = await call(as(owner, "/staff", { form: { intent: "invite", email: "New.Person@Staff.test", role: "support" } }));
    expect(res.status).toBe(200);
    const invite = await body(res);
    expect(invite.link).toMatch(new RegExp(`^http://localhost/invite/${team.shop.id}/[\\w-]{40,}$`));
    const mail = await t.db.select().from(outboundEmails).where(eq(outboundEmails.to, "new.person@staff.test"));
    expect(mail).toHaveLength(1);
    expect(mail[0]!.body).toContain(invite.link);
    const inv = await t.db.query.invitations.findFirst({ where: eq(invitations.email, "new.person@staff.test") });
    const days = (inv!.expiresAt.getTime() - inv!.createdAt.getTime()) / 86_400_000;
    expect(days).toBeCloseTo(7, 5);
    expect(inv!.tokenHash).not.toContain(invite.link.split("/").pop());

    const path = new URL(invite.link).pathname;
    const [, , merchantId, token] = path.split("/");
    const params = { merchantId: merchantId!, token: token! };
    const page = await body(await acceptLoader({ request: request(path), params, context: {} }));
    expect(page).toMatchObject({ email: "new.person@staff.test", role: "support", existingUser: false });

    const short = await acceptAction({ request: request(path, { form: { name: "New Person", password: "short", confirm: "short" } }), params, context: {} });
    expect(short.status).toBe(400);
    const refused = await body(short);
    expect(refused.errors).toEqual({ password: expect.stringMatching(/at least 12 characters/) });
    // The name typed is kept; the passwords are not sent back.
    expect(refused.values).toEqual({ name: "New Person" });

    const ok = await acceptAction({
      request: request(path, { form: { name: "New Person", password: "a long enough passphrase", confirm: "a long enough passphrase" } }),
      params,
      context: {},
    });
    expect(ok.status).toBe(302);
    const cookie = ok.headers.get("set-cookie")!.split(";")[0]!;
    const ctx = await requireContext(request("/payments", { cookie }));
    expect(ctx.role).toBe("support");
    expect(ctx.scope.merchantId).toBe(team.shop.id);
    // And the password works for a normal sign-in.
    await signIn("new.person@staff.test", "a long enough passphrase");

    // Single use.
    const again = await acceptAction({ request: request(path, { form: { name: "X", password: "another passphrase!", confirm: "another passphrase!" } }), params, context: {} });
    expect(again.status).toBe(409);
    const gone = await thrown(acceptLoader({ request: request(path), params, context: {} }));
    expect(gone.status).toBe(410);
    expect(await gone.text()).toMatch(/already been used/);
  });

  it("an expired invitation is refused", async () => {
    const owner = await signIn(team.members.owner.email);
    const late = await body(await call(as(owner, "/staff", { form: { intent: "invite", email: "late@staff.test", role: "viewer" } })));
    await t.db.update(invitations).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(invitations.email, "late@staff.test"));
    const [, , merchantId, token] = new URL(late.link).pathname.split("/");
    const res = await thrown(acceptLoader({ request: request("/invite"), params: { merchantId: merchantId!, token: token! }, context: {} }));
    expect(res.status).toBe(410);
    expect(await res.text()).toMatch(/expired/);
  });

  it("an outsider cannot manage this merchant's staff by guessing ids", async () => {
    const outsider = await signIn(team.outsider.email);
    const res = await call(as(outsider, "/staff", { form: { intent: "disable", userId: team.members.support.id } }));
    expect(res.status).toBe(404);
    expect((await roleOf(team.members.support.id)).status).toBe("active");
  });
});
