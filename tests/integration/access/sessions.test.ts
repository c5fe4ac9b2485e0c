import { eq, sql } from "drizzle-orm";
import { useTestDatabase } from "../../support/db";
import { useTeam } from "../../support/fixtures";
import { as, request, signIn } from "../../support/auth";
import { thrown } from "../../support/responses";
import { rows } from "../../../db/client.server";
import { sessions } from "../../../db/schema";
import { requireContext } from "../../../app/web/guard.server";
import { ABSOLUTE_LIFETIME_MS, IDLE_TIMEOUT_MS } from "../../../app/modules/auth/session.server";
import { loader as appLoader } from "../../../app/routes/_app";
import { action as staffAction } from "../../../app/routes/_app.staff";
import { action as securityAction, loader as securityLoader } from "../../../app/routes/_app.settings.security";
import { action as logoutAction } from "../../../app/routes/logout";
import { loader as loginLoader } from "../../../app/routes/login";

const t = useTestDatabase({ seed: "none" });
const team = useTeam("sess");

async function events(action: string) {
  return rows<{ outcome: string; details: Record<string, unknown> }>(t.db, sql`select outcome, details from audit_events where action = ${action} order by id`);
}

describe("sessions", () => {
  it("sends a signed-out visitor to the login page and back to the page they wanted", async () => {
    const res = await thrown(appLoader({ request: request("/payments?status=captured"), params: {}, context: {} }));
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login?redirectTo=%2Fpayments%3Fstatus%3Dcaptured");
  });

  it("times out after 15 idle minutes, says so on the login page, and records it", async () => {
    const me = await signIn(team.members.viewer.email);
    // Active a little under the limit: still signed in (and last seen moves on).
    await t.db.update(sessions).set({ lastSeenAt: new Date(Date.now() - IDLE_TIMEOUT_MS + 60_000) }).where(eq(sessions.id, me.sessionId));
    await requireContext(as(me, "/payouts"));
    const touched = await t.db.query.sessions.findFirst({ where: eq(sessions.id, me.sessionId) });
    expect(Date.now() - touched!.lastSeenAt.getTime()).toBeLessThan(5_000);

    await t.db.update(sessions).set({ lastSeenAt: new Date(Date.now() - IDLE_TIMEOUT_MS - 1000) }).where(eq(sessions.id, me.sessionId));
    const res = await thrown(requireContext(as(me, "/payouts/po_123")));
    expect(res.headers.get("location")).toBe("/login?redirectTo=%2Fpayouts%2Fpo_123&reason=idle");
    expect(res.headers.get("set-cookie")).toMatch(/Max-Age=0/);
    // The session is over for good, not just this once.
    const again = await thrown(requireContext(as(me, "/payouts")));
    expect(again.headers.get("location")).toContain("reason=revoked");
    expect((await events("auth.session_timeout")).map((e) => e.details.kind)).toEqual(["idle"]);

    const page = await loginLoader({ request: request("/login?redirectTo=%2Fpayouts%2Fpo_123&reason=idle"), params: {}, context: {} });
    const body = await page.json();
    expect(body.notice).toMatch(/15 minutes without activity/);
    expect(body.redirectTo).toBe("/payouts/po_123");
  });

  it("ends a session 12 hours after sign-in however busy it is", async () => {
    const me = await signIn(team.members.viewer.email);
    const created = new Date(Date.now() - ABSOLUTE_LIFETIME_MS - 1000);
    await t.db.update(sessions).set({ createdAt: created, expiresAt: new Date(Date.now() - 1000), lastSeenAt: new Date() }).where(eq(sessions.id, me.sessionId));
    const res = await thrown(requireContext(as(me, "/")));
    expect(res.headers.get("location")).toBe("/login?reason=expired");
    expect((await events("auth.session_timeout")).map((e) => e.details.kind)).toContain("absolute");
  });

  it("signs out on the server: the old cookie is useless afterwards", async () => {
    const me = await signIn(team.members.support.email);
    const res = await logoutAction({ request: as(me, "/logout", { form: {} }), params: {}, context: {} });
    expect(res.status).toBe(302);
    expect(res.headers.get("set-cookie")).toMatch(/Max-Age=0/);
    const after = await thrown(requireContext(as(me, "/payments")));
    expect(after.headers.get("location")).toContain("/login");
  });

  it("lists my sessions and revokes one, or all of them", async () => {
    const laptop = await signIn(team.members.admin.email);
    const phone = await signIn(team.members.admin.email, undefined, { ip: "198.51.100.7" });
    const page = await securityLoader({ request: as(laptop, "/settings/security"), params: {}, context: {} });
    const data = await page.json();
    expect(data.sessions).toHaveLength(2);
    const other = data.sessions.find((s: { current: boolean }) => !s.current)!;
    expect(other.ip).toBe("198.51.100.7");

    const revoked = await securityAction({
      request: as(laptop, "/settings/security", { form: { intent: "revoke-session", sessionId: other.id } }),
      params: {},
      context: {},
    });
    expect(revoked.status).toBe(302);
    await thrown(requireContext(as(phone, "/"))).then((r) => expect(r.headers.get("location")).toContain("reason=revoked"));
    await requireContext(as(laptop, "/"));

    const third = await signIn(team.members.admin.email);
    const everywhere = await securityAction({
      request: as(laptop, "/settings/security", { form: { intent: "sign-out-everywhere" } }),
      params: {},
      context: {},
    });
    expect(everywhere.headers.get("location")).toContain("/login");
    for (const s of [laptop, third]) await thrown(requireContext(as(s, "/")));
  });

  it("a disabled member loses access on their very next request", async () => {
    const victim = await signIn(team.members.accountant.email);
    await requireContext(as(victim, "/payouts"), "payouts:view");
    const owner = await signIn(team.members.owner.email);
    const res = await staffAction({
      request: as(owner, "/staff", { form: { intent: "disable", userId: team.members.accountant.id } }),
      params: {},
      context: {},
    });
    expect(res.status).toBe(302);
    const next = await thrown(requireContext(as(victim, "/payouts"), "payouts:view"));
    expect(next.status).toBe(302);
    expect(next.headers.get("location")).toContain("/login");
    // And signing in again is refused with a reason.
    await expect(signIn(team.members.accountant.email)).rejects.toThrow(/no_access/);
    // Re-enable for the other tests in this file.
    await staffAction({ request: as(owner, "/staff", { form: { intent: "enable", userId: team.members.accountant.id } }), params: {}, context: {} });
  });

  it("sets the cookie HttpOnly and SameSite=Lax, and Secure with __Host- over HTTPS", async () => {
    const { createSession } = await import("../../../app/modules/auth/session.server");
    const { clientOf } = await import("../../../app/web/request.server");
    const { withCookie } = await import("../../../app/web/sign-in.server");
    const http = new Request("http://localhost/login");
    const plain = withCookie(http, await createSession(t.db, clientOf(http), { userId: team.members.viewer.id, merchantId: team.shop.id }));
    expect(plain.cookie).toMatch(/^mc_session=[\w-]+; Max-Age=43200; Path=\/; HttpOnly; SameSite=Lax$/);
    const https = new Request("http://localhost/login", { headers: { "x-forwarded-proto": "https" } });
    const secure = withCookie(https, await createSession(t.db, clientOf(https), { userId: team.members.viewer.id, merchantId: team.shop.id }));
    expect(secure.cookie).toMatch(/^__Host-mc_session=[\w-]+; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
  });
});
