import { sql } from "drizzle-orm";
import { useTestDatabase } from "../../support/db";
import { userRow, useTeam } from "../../support/fixtures";
import { as, DEMO_PASSWORD, signIn } from "../../support/auth";
import { rows } from "../../../db/client.server";
import {
  IP_FAILURE_LIMIT,
  INVALID_CREDENTIALS,
  LOCKOUT_MS,
  MAX_FAILED_LOGINS,
} from "../../../app/modules/auth/login.server";
import { signInWithPassword } from "../../../app/web/sign-in.server";
import { requireContext } from "../../../app/web/guard.server";

const t = useTestDatabase({ seed: "none" });

function loginRequest(ip: string) {
  return new Request("http://localhost/login", { method: "POST", headers: { "x-forwarded-for": ip, "user-agent": "vitest" } });
}

async function auditActions(where = sql`true`) {
  return rows<{ action: string; outcome: string; actor_email: string | null; ip: string | null; details: unknown }>(
    t.db,
    sql`select action, outcome, actor_email, ip, details from audit_events where ${where} order by id`,
  );
}

describe("sign-in", () => {
  const team = useTeam("login");

  it("says the same thing for an unknown email and a wrong password", async () => {
    const unknown = await signInWithPassword(t.db, loginRequest("198.51.100.1"), { email: "nobody@x.test", password: "whatever-password" });
    const wrong = await signInWithPassword(t.db, loginRequest("198.51.100.1"), { email: team.members.viewer.email, password: "not-the-password" });
    expect(unknown).toEqual({ kind: "invalid", code: "invalidCredentials", message: INVALID_CREDENTIALS });
    expect(wrong).toEqual({ kind: "invalid", code: "invalidCredentials", message: INVALID_CREDENTIALS });
    const events = await auditActions(sql`action = 'auth.login' and outcome = 'failure'`);
    expect(events.map((e) => e.actor_email)).toEqual(["nobody@x.test", team.members.viewer.email]);
    expect(events[0]!.ip).toBe("198.51.100.1");
  });

  it("gives every sign-in a new session id and CSRF token", async () => {
    const a = await signIn(team.members.viewer.email);
    const b = await signIn(team.members.viewer.email);
    expect(a.sessionId).not.toBe(b.sessionId);
    expect(a.csrf).not.toBe(b.csrf);
    const ctx = await requireContext(as(b, "/payments"));
    expect(ctx.role).toBe("viewer");
    expect(ctx.scope.merchantId).toBe(team.shop.id);
  });

  it("locks the account after 10 failures for 30 minutes, then lets the right password in", async () => {
    const email = team.members.accountant.email;
    const t0 = new Date("2030-01-01T10:00:00Z");
    for (let i = 1; i < MAX_FAILED_LOGINS; i++) {
      const r = await signInWithPassword(t.db, loginRequest(`192.0.2.${i}`), { email, password: "wrong-password-x" }, t0);
      expect(r.kind).toBe("invalid");
    }
    const tenth = await signInWithPassword(t.db, loginRequest("192.0.2.50"), { email, password: "wrong-password-x" }, t0);
    expect(tenth.kind).toBe("locked");
    // Even the right password is refused while locked.
    const during = await signInWithPassword(t.db, loginRequest("192.0.2.51"), { email, password: DEMO_PASSWORD }, new Date(t0.getTime() + LOCKOUT_MS - 60_000));
    expect(during).toMatchObject({ kind: "locked", message: expect.stringContaining("locked") });
    if (during.kind === "locked") expect(during.retryAfterSeconds).toBe(60);
    const after = await signInWithPassword(t.db, loginRequest("192.0.2.52"), { email, password: DEMO_PASSWORD }, new Date(t0.getTime() + LOCKOUT_MS + 1000));
    expect(after.kind).toBe("signed_in");
    expect((await userRow(team.members.accountant.id)).failedLoginCount).toBe(0);
    const lockouts = await auditActions(sql`action = 'auth.lockout'`);
    expect(lockouts).toHaveLength(1);
    expect(lockouts[0]).toMatchObject({ outcome: "denied", actor_email: email });
  });

  it("slows one IP guessing across accounts with 429 and Retry-After", async () => {
    const ip = "203.0.113.99";
    const now = new Date("2031-01-01T00:00:00Z");
    for (let i = 0; i < IP_FAILURE_LIMIT; i++) {
      const r = await signInWithPassword(t.db, loginRequest(ip), { email: `guess${i}@x.test`, password: "password-guess" }, now);
      expect(r.kind).toBe("invalid");
    }
    const blocked = await signInWithPassword(t.db, loginRequest(ip), { email: team.members.owner.email, password: DEMO_PASSWORD }, now);
    expect(blocked.kind).toBe("rate_limited");
    if (blocked.kind === "rate_limited") expect(blocked.retryAfterSeconds).toBe(15 * 60);
    // Another IP is not affected.
    const other = await signInWithPassword(t.db, loginRequest("203.0.113.100"), { email: team.members.owner.email, password: DEMO_PASSWORD }, now);
    expect(other.kind).toBe("signed_in");
    expect(await auditActions(sql`action = 'auth.rate_limited'`)).toHaveLength(1);
  });
});
