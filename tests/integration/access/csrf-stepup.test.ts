import { eq, sql } from "drizzle-orm";
import { useTestDatabase } from "../../support/db";
import { useTeam } from "../../support/fixtures";
import { as, DEMO_PASSWORD, request, signIn } from "../../support/auth";
import { body, thrown } from "../../support/responses";
import { rows } from "../../../db/client.server";
import { memberships, sessions } from "../../../db/schema";
import { assertStepUp, requireAction, requireContext } from "../../../app/web/guard.server";
import { refundCapOf } from "../../../app/modules/refunds/refunds.server";
import { can } from "../../../app/lib/permissions";
import { action as staffAction } from "../../../app/routes/_app.staff";
import { action as loginAction } from "../../../app/routes/login";

const t = useTestDatabase({ seed: "none" });
const team = useTeam("csrf");

describe("CSRF", () => {
  it("refuses a replayed form without its token, with a wrong token, or from another origin (403, audited)", async () => {
    const owner = await signIn(team.members.owner.email);
    const form = { intent: "invite", email: "new@csrf.test", role: "viewer" };
    const cases: [string, Request][] = [
      ["no token", request("/staff", { method: "POST", cookie: owner.cookie, form })],
      ["wrong token", request("/staff", { method: "POST", cookie: owner.cookie, form: { ...form, _csrf: "x".repeat(43) } })],
      ["foreign origin", request("/staff", { method: "POST", cookie: owner.cookie, csrf: owner.csrf, form, headers: { origin: "https://evil.example" } })],
      ["no origin", request("/staff", { method: "POST", cookie: owner.cookie, csrf: owner.csrf, form, noOrigin: true })],
    ];
    for (const [name, req] of cases) {
      const res = await thrown(staffAction({ request: req, params: {}, context: {} }));
      expect(res.status, name).toBe(403);
      expect(await res.text(), name).toMatch(/refused/);
    }
    const [{ n }] = (await rows<{ n: string }>(t.db, sql`select count(*)::text n from audit_events where action = 'security.csrf_refused'`)) as [{ n: string }];
    expect(Number(n)).toBe(4);
    const outbox = await rows(t.db, sql`select 1 from outbound_emails`);
    expect(outbox).toHaveLength(0);
    // The same form with its token goes through.
    const ok = await staffAction({ request: as(owner, "/staff", { form }), params: {}, context: {} });
    expect(ok.status).toBe(200);
  });

  it("a token from another session does not work", async () => {
    const a = await signIn(team.members.owner.email);
    const b = await signIn(team.members.admin.email);
    const res = await thrown(requireAction(request("/staff", { cookie: a.cookie, csrf: b.csrf, form: {} }), "staff:manage"));
    expect(res.status).toBe(403);
  });

  it("refuses a login form posted from another site", async () => {
    const res = await thrown(
      loginAction({
        request: request("/login", { form: { intent: "password", email: team.members.owner.email, password: DEMO_PASSWORD }, headers: { origin: "https://evil.example" } }),
        params: {},
        context: {},
      }),
    );
    expect(res.status).toBe(403);
  });
});

describe("step-up", () => {
  async function stale(sessionId: string) {
    await t.db.update(sessions).set({ verifiedAt: new Date(Date.now() - 6 * 60_000) }).where(eq(sessions.id, sessionId));
  }

  it("passes within 5 minutes of sign-in, then asks for the password again", async () => {
    const admin = await signIn(team.members.admin.email);
    const fresh = await requireContext(as(admin, "/"));
    await expect(assertStepUp(fresh, new FormData(), as(admin, "/"))).resolves.toBeUndefined();

    await stale(admin.sessionId);
    const ctx = await requireContext(as(admin, "/x"));
    const refused = await thrown(assertStepUp(ctx, new FormData(), as(admin, "/")));
    expect(refused.status).toBe(403);
    expect(await body(refused)).toEqual({ error: { code: "step_up_required", message: "Confirm your password to continue", reason: "missing" } });

    const wrong = new FormData();
    wrong.set("stepUpPassword", "not-my-password");
    const bad = await thrown(assertStepUp(ctx, wrong, as(admin, "/")));
    expect((await body(bad)).error.code).toBe("step_up_required");

    const right = new FormData();
    right.set("stepUpPassword", DEMO_PASSWORD);
    await assertStepUp(ctx, right, as(admin, "/"));
    // Verified now: the next sensitive action within 5 minutes needs nothing.
    const later = await requireContext(as(admin, "/y"));
    await expect(assertStepUp(later, new FormData(), as(admin, "/"))).resolves.toBeUndefined();
    const audits = await rows<{ outcome: string }>(t.db, sql`select outcome from audit_events where action = 'auth.step_up' order by id`);
    expect(audits.map((a) => a.outcome)).toEqual(["failure", "success"]);
  });

  it("a role change needs step-up; the form says so and works once the password is given", async () => {
    const owner = await signIn(team.members.owner.email);
    await stale(owner.sessionId);
    const form = { intent: "change-role", userId: team.members.viewer.id, role: "support" };
    const asked = await staffAction({ request: as(owner, "/staff", { form }), params: {}, context: {} });
    expect(asked.status).toBe(403);
    // The step-up fields are shown without an error yet, and the form keeps who and which role.
    expect(await body(asked)).toEqual({ ok: false, intent: "change-role", errors: {}, stepUp: "missing", values: form });
    const m1 = await t.db.query.memberships.findFirst({ where: eq(memberships.userId, team.members.viewer.id) });
    expect(m1!.role).toBe("viewer");

    const done = await staffAction({ request: as(owner, "/staff", { form: { ...form, stepUpPassword: DEMO_PASSWORD } }), params: {}, context: {} });
    expect(done.status).toBe(302);
    const m2 = await t.db.query.memberships.findFirst({ where: eq(memberships.userId, team.members.viewer.id) });
    expect(m2!.role).toBe("support");
    await staffAction({ request: as(owner, "/staff", { form: { ...form, role: "viewer" } }), params: {}, context: {} });
  });
});

describe("refund limits by role", () => {
  it("support is capped at the merchant's limit, admin and owner are not, and an accountant may not refund", async () => {
    const ctxOf = async (email: string) => requireContext(as(await signIn(email), "/"));
    const support = await ctxOf(team.members.support.email);
    expect(support.merchant.supportRefundLimit).toBe(500000n);
    expect(refundCapOf(support)).toBe(500000n);
    expect(refundCapOf(await ctxOf(team.members.admin.email))).toBeNull();
    expect(refundCapOf(await ctxOf(team.members.owner.email))).toBeNull();
    const accountant = await ctxOf(team.members.accountant.email);
    expect(can(accountant.role, "refunds:create")).toBe(false);
  });
});
