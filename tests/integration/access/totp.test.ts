import { eq, sql } from "drizzle-orm";
import { useTestDatabase } from "../../support/db";
import { userRow, useTeam } from "../../support/fixtures";
import { as, DEMO_PASSWORD, request, signIn } from "../../support/auth";
import { body, thrown } from "../../support/responses";
import { rows } from "../../../db/client.server";
import { merchants, users } from "../../../db/schema";
import { signInWithPassword, signInWithSecondFactor } from "../../../app/web/sign-in.server";
import { totpCodeAt, TOTP_PERIOD } from "../../../app/modules/auth/totp.server";
import { requireContext } from "../../../app/web/guard.server";
import { action as securityAction, loader as securityLoader } from "../../../app/routes/_app.settings.security";

const t = useTestDatabase({ seed: "none" });
const team = useTeam("totp");

const post = (req: Request) => securityAction({ request: req, params: {}, context: {} });

/** Enrolls through the security page like a person would; returns the secret and recovery codes. */
async function enroll(email: string) {
  const me = await signIn(email);
  expect((await post(as(me, "/settings/security", { form: { intent: "totp-start" } }))).status).toBe(302);
  const page = await body(await securityLoader({ request: as(me, "/settings/security"), params: {}, context: {} }));
  const secret: string = page.twoFactor.enrollment.secret;
  expect(page.twoFactor.enrollment.qrSvg).toMatch(/^<svg/);
  expect(page.twoFactor.enrollment.uri).toMatch(/^otpauth:\/\/totp\//);
  const wrong = await post(as(me, "/settings/security", { form: { intent: "totp-confirm", code: "000000" } }));
  expect(wrong.status).toBe(400);
  const ok = await post(as(me, "/settings/security", { form: { intent: "totp-confirm", code: totpCodeAt(secret) } }));
  const codes: string[] = (await body(ok)).recoveryCodes;
  return { me, secret, codes };
}

function loginReq(cookie?: string) {
  return new Request("http://localhost/login", {
    method: "POST",
    headers: { "x-forwarded-for": "192.0.2.200", ...(cookie ? { cookie } : {}) },
  });
}

async function passwordStep(email: string, now?: Date) {
  const r = await signInWithPassword(t.db, loginReq(), { email, password: DEMO_PASSWORD }, now);
  expect(r.kind).toBe("second_factor");
  if (r.kind !== "second_factor") throw new Error();
  return r.session.cookie.split(";")[0]!;
}

describe("two-factor sign-in", () => {
  it("enrolls with a QR code, gives 10 hashed recovery codes, and asks for a code at login", async () => {
    const { secret, codes } = await enroll(team.members.admin.email);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const stored = await rows<{ code_hash: string }>(t.db, sql`select code_hash from recovery_codes where user_id = ${team.members.admin.id}`);
    expect(stored).toHaveLength(10);
    expect(stored.map((s) => s.code_hash)).not.toContain(codes[0]);

    const pending = await passwordStep(team.members.admin.email);
    // Half signed-in is not signed in.
    const blocked = await thrown(requireContext(request("/", { cookie: pending })));
    expect(blocked.headers.get("location")).toMatch(/^\/login/);
    const done = await signInWithSecondFactor(t.db, loginReq(pending), { code: totpCodeAt(secret, new Date(Date.now() + TOTP_PERIOD * 1000)) });
    expect(done.kind).toBe("signed_in");
  });

  it("refuses wrong, expired and reused codes", async () => {
    const { secret } = await enroll(team.members.support.email);
    const t0 = new Date(Date.now() + 10 * TOTP_PERIOD * 1000);
    // Wrong.
    let pending = await passwordStep(team.members.support.email, t0);
    const wrong = await signInWithSecondFactor(t.db, loginReq(pending), { code: "123456" === totpCodeAt(secret, t0) ? "654321" : "123456" }, t0);
    expect(wrong).toMatchObject({ kind: "invalid", message: expect.stringMatching(/not correct/) });
    // Expired: a code from three periods ago.
    const old = totpCodeAt(secret, new Date(t0.getTime() - 3 * TOTP_PERIOD * 1000));
    const expired = await signInWithSecondFactor(t.db, loginReq(pending), { code: old }, t0);
    expect(expired.kind).toBe("invalid");
    // Good, then the same code again within its window.
    const code = totpCodeAt(secret, t0);
    expect((await signInWithSecondFactor(t.db, loginReq(pending), { code }, t0)).kind).toBe("signed_in");
    pending = await passwordStep(team.members.support.email, t0);
    const reused = await signInWithSecondFactor(t.db, loginReq(pending), { code }, new Date(t0.getTime() + 5000));
    expect(reused).toMatchObject({ kind: "invalid", message: expect.stringMatching(/already used/) });
    expect((await userRow(team.members.support.id)).totpLastStep).toBe(Math.floor(t0.getTime() / 1000 / TOTP_PERIOD));
    const failures = await rows<{ details: { reason: string } }>(t.db, sql`select details from audit_events where action = 'auth.2fa' and outcome = 'failure' order by id`);
    expect(failures.map((f) => f.details.reason)).toEqual(["invalid_code", "invalid_code", "reused_code"]);
  });

  it("a recovery code works once", async () => {
    const { codes } = await enroll(team.members.viewer.email);
    const pending = await passwordStep(team.members.viewer.email);
    expect((await signInWithSecondFactor(t.db, loginReq(pending), { code: codes[3]!.toUpperCase() })).kind).toBe("signed_in");
    const again = await passwordStep(team.members.viewer.email);
    expect((await signInWithSecondFactor(t.db, loginReq(again), { code: codes[3]! })).kind).toBe("invalid");
  });

  it("the owner can require 2FA; members without it are sent to set it up", async () => {
    const accountant = await signIn(team.members.accountant.email);
    const owner = await signIn(team.members.owner.email);
    const refused = await post(as(owner, "/settings/security", { form: { intent: "require-2fa", on: "true" } }));
    expect(refused.status).toBe(409);
    expect((await body(refused)).errors.form).toMatch(/your own account first/);
    const admin = await signIn(team.members.admin.email, DEMO_PASSWORD, {
      totpSecret: (await userRow(team.members.admin.id)).totpSecret!,
      now: new Date(Date.now() + 2 * TOTP_PERIOD * 1000),
    });
    const notOwner = await post(as(admin, "/settings/security", { form: { intent: "require-2fa", on: "true" } }));
    expect(notOwner.status).toBe(403);

    const { secret } = await enroll(team.members.owner.email);
    const owner2 = await signIn(team.members.owner.email, DEMO_PASSWORD, { totpSecret: secret, now: new Date(Date.now() + 2 * TOTP_PERIOD * 1000) });
    const on = await post(as(owner2, "/settings/security", { form: { intent: "require-2fa", on: "true" } }));
    expect(on.status).toBe(302);
    expect((await t.db.query.merchants.findFirst({ where: eq(merchants.id, team.shop.id) }))!.require2fa).toBe(true);

    const sent = await thrown(requireContext(as(accountant, "/payouts"), "payouts:view"));
    expect(sent.headers.get("location")).toBe("/settings/security?required=2fa");
    await requireContext(as(accountant, "/settings/security"));

    // Turning 2FA off is refused while the merchant requires it (after step-up).
    const off = await post(as(owner2, "/settings/security", { form: { intent: "totp-disable" } }));
    expect(off.status).toBe(409);
    await t.db.update(merchants).set({ require2fa: false }).where(eq(merchants.id, team.shop.id));
    void owner;
  });

  it("turning 2FA off needs a recent password or code", async () => {
    const adminRow = await userRow(team.members.admin.id);
    const when = new Date(Date.now() + 4 * TOTP_PERIOD * 1000);
    const admin = await signIn(team.members.admin.email, DEMO_PASSWORD, { totpSecret: adminRow.totpSecret!, now: when });
    await t.db.execute(sql`update sessions set verified_at = now() - interval '10 minutes' where id = ${admin.sessionId}`);
    const asked = await post(as(admin, "/settings/security", { form: { intent: "totp-disable" } }));
    expect(asked.status).toBe(403);
    expect(await body(asked)).toEqual({ ok: false, intent: "totp-disable", errors: {}, stepUp: "missing" });
    const done = await post(as(admin, "/settings/security", { form: { intent: "totp-disable", stepUpPassword: DEMO_PASSWORD } }));
    expect(done.status).toBe(302);
    const row = await t.db.query.users.findFirst({ where: eq(users.id, team.members.admin.id) });
    expect(row!.totpEnabledAt).toBeNull();
    const trail = await rows<{ action: string; outcome: string }>(t.db, sql`select action, outcome from audit_events where action like 'auth.2fa_%' order by id`);
    expect(trail).toContainEqual({ action: "auth.2fa_enable", outcome: "success" });
    expect(trail).toContainEqual({ action: "auth.2fa_disable", outcome: "success" });
  });
});
