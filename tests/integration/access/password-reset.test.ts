/**
 * Password reset by e-mail: the same answer for any address, a one-hour single-use link
 * (only its hash stored), rate limited, every session ended, audited.
 */
import { createHash } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as s from "~db/schema";
import { db, rows } from "~db/client.server";
import { processResetRequest, resetPassword, type ResetJobPayload } from "~/modules/auth/password-reset.server";
import { readSession } from "~/modules/auth/session.server";
import { action as forgotAction } from "~/routes/forgot-password";
import { action as resetAction, loader as resetLoader } from "~/routes/reset-password.$token";
import { useTestDatabase } from "../../support/db";
import { createUser } from "../../support/fixtures";
import { request, signIn } from "../../support/auth";
import { createMerchant } from "../../support/fixtures";
import { settle } from "../../support/responses";

useTestDatabase({ seed: "none" });

/** The password_reset jobs waiting in the queue (graphile-worker's table), oldest first. */
async function queuedResets(): Promise<{ id: string; payload: ResetJobPayload }[]> {
  return rows<{ id: string; payload: ResetJobPayload }>(
    db(),
    sql`select j.id::text as id, j.payload from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
        where t.identifier = 'password_reset' order by j.id`,
  );
}

/** What the worker does with them: the same function its password_reset task calls. */
async function runResetJobs(): Promise<number> {
  const jobs = await queuedResets();
  for (const j of jobs) {
    await processResetRequest(db(), j.payload);
    await db().execute(sql`delete from graphile_worker._private_jobs where id = ${j.id}::bigint`);
  }
  return jobs.length;
}

const forgotOnly = (email: string, headers: Record<string, string> = {}) =>
  settle(forgotAction({ request: request("/forgot-password", { form: { email }, headers }), params: {}, context: {} }));
/** Asks, then lets the queue run (as the worker would within moments). */
const forgot = async (email: string, headers: Record<string, string> = {}) => {
  const res = await forgotOnly(email, headers);
  await runResetJobs();
  return res;
};
const linkIn = (body: string) => /\/reset-password\/([A-Za-z0-9_-]{40,64})/.exec(body)?.[1] ?? null;

describe("password reset by e-mail", () => {
  it("answers the same for an address with and without an account; only the account gets a link, its hash stored", async () => {
    const m = await createMerchant({ name: "Reset Shop" });
    await createUser({ email: "Known.Person@reset.test", memberships: [{ merchantId: m.id, role: "owner" }] });
    const known = await forgot("known.person@reset.test");
    const unknown = await forgot("nobody@reset.test");
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    const a = (await known.json()).sent as string;
    const b = (await unknown.json()).sent as string;
    expect(a).toBe("If known.person@reset.test has an account, a link to reset its password is on its way. It works once, for 60 minutes. No mail after a few minutes? Check the spam folder, or ask again.");
    expect(b).toBe(a.replace("known.person@reset.test", "nobody@reset.test"));

    expect(await db().select().from(s.outboundEmails).where(eq(s.outboundEmails.to, "nobody@reset.test"))).toHaveLength(0);
    const [mail] = await db().select().from(s.outboundEmails).where(eq(s.outboundEmails.to, "Known.Person@reset.test"));
    expect(mail).toMatchObject({ kind: "password_reset", locale: "en", subject: "Reset your Merchant Console password" });
    const token = linkIn(mail!.body)!;
    expect(mail!.body).toContain(`http://localhost/reset-password/${token}`);
    const [stored] = await db().select().from(s.passwordResets);
    expect(stored!.tokenHash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(JSON.stringify(await db().select().from(s.passwordResets))).not.toContain(token);
    expect(stored!.expiresAt.getTime() - stored!.createdAt.getTime()).toBe(3600_000);
    const audited = await rows<{ outcome: string; actor_email: string }>(db(), sql`select outcome, actor_email from audit_events where action = 'auth.password_reset_request' order by created_at`);
    expect(audited.map((r) => [r.outcome, r.actor_email])).toEqual([
      ["success", "Known.Person@reset.test"],
      ["failure", "nobody@reset.test"],
    ]);
  });

  it("the link sets a new password once: every session ends, the old password stops working, the new one works", async () => {
    const m = await createMerchant({ name: "Reset Two" });
    const u = await createUser({ email: "two@reset.test", memberships: [{ merchantId: m.id, role: "admin" }] });
    const laptop = await signIn("two@reset.test");
    const phone = await signIn("two@reset.test", undefined, { browser: "phone-browser-token-000000000" });
    await forgot("two@reset.test");
    const [mail] = await db().select().from(s.outboundEmails).where(and(eq(s.outboundEmails.to, "two@reset.test"), eq(s.outboundEmails.kind, "password_reset")));
    const token = linkIn(mail!.body)!;

    const page = await settle(resetLoader({ request: request(`/reset-password/${token}`), params: { token }, context: {} }));
    expect(page.status).toBe(200);
    expect(page.headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(await page.json()).toMatchObject({ state: "valid", email: "two@reset.test" });

    const short = await settle(resetAction({ request: request(`/reset-password/${token}`, { form: { password: "short", confirm: "short" } }), params: { token }, context: {} }));
    expect(short.status).toBe(400);
    expect((await short.json()).errors).toEqual({ password: "Use at least 12 characters." });
    const mismatch = await settle(
      resetAction({ request: request(`/reset-password/${token}`, { form: { password: "a-new-password-1", confirm: "a-new-password-2" } }), params: { token }, context: {} }),
    );
    expect((await mismatch.json()).errors).toEqual({ confirm: "The two passwords are not the same. Type the new password twice." });

    const done = await settle(
      resetAction({ request: request(`/reset-password/${token}`, { form: { password: "a-new-password-1", confirm: "a-new-password-1" } }), params: { token }, context: {} }),
    );
    expect(done.status).toBe(302);
    expect(done.headers.get("location")).toBe("/login?reason=password_reset");
    for (const sess of [laptop, phone]) {
      const state = await readSession(db(), sess.cookie.split("=")[1]!);
      expect(state.status).toBe("revoked");
    }
    await expect(signIn("two@reset.test")).rejects.toThrow("sign-in of two@reset.test failed: invalid");
    expect((await signIn("two@reset.test", "a-new-password-1")).userId).toBe(u.id);

    const again = await settle(
      resetAction({ request: request(`/reset-password/${token}`, { form: { password: "another-password-9", confirm: "another-password-9" } }), params: { token }, context: {} }),
    );
    expect(again.status).toBe(410);
    expect((await again.json()).errors.token).toBe("This reset link was already used, or a newer link replaced it. Ask for a new one if you still need it.");
    const [audit] = await rows<{ details: { sessionsEnded: number } }>(db(), sql`select details from audit_events where action = 'auth.password_reset' and actor_user_id = ${u.id}`);
    expect(audit!.details.sessionsEnded).toBe(2);
  });

  it("a link is dead after an hour, and a newer link replaces an older one", async () => {
    const m = await createMerchant({ name: "Reset Three" });
    await createUser({ email: "three@reset.test", memberships: [{ merchantId: m.id, role: "viewer" }] });
    await db().update(s.users).set({ locale: "fa" }).where(eq(s.users.email, "three@reset.test"));
    await forgot("three@reset.test");
    await forgot("three@reset.test");
    const mails = await db().select().from(s.outboundEmails).where(eq(s.outboundEmails.to, "three@reset.test")).orderBy(s.outboundEmails.createdAt);
    expect(mails).toHaveLength(2);
    expect(mails[0]).toMatchObject({ locale: "fa", subject: "بازنشانی گذرواژهٔ پنل پذیرنده" });
    const [older, newer] = mails.map((x) => linkIn(x.body)!);
    const stale = await settle(resetLoader({ request: request(`/reset-password/${older}`), params: { token: older }, context: {} }));
    expect(stale.status).toBe(410);
    expect((await stale.json()).state).toBe("used");
    const late = await resetPassword(db(), { ip: null, userAgent: null }, { token: newer!, password: "late-password-123", confirm: "late-password-123" }, new Date(Date.now() + 3600_000 + 1000));
    expect(late).toEqual({ ok: false, field: "token", state: "expired" });
    const bogus = await settle(resetLoader({ request: request("/reset-password/not-a-token"), params: { token: "not-a-token" }, context: {} }));
    expect((await bogus.json()).state).toBe("unknown");
  });

  it("limits requests per address (known or not): the fourth in an hour is refused with Retry-After", async () => {
    for (let i = 0; i < 3; i++) expect((await forgot("flood@reset.test")).status).toBe(200);
    const refused = await forgot("flood@reset.test");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(3000);
    expect((await refused.json()).errors.form).toBe("Too many reset requests. Try again in 60 minutes.");
  });
  it("the request handler does the same work for an address with and without an account: one queued job, no lookup, no mail yet", async () => {
    const m = await createMerchant({ name: "Timing Shop" });
    await createUser({ email: "exists@timing.test", memberships: [{ merchantId: m.id, role: "owner" }] });
    const mailsBefore = await db().select().from(s.outboundEmails);
    const from = { "x-forwarded-for": "198.51.100.77" };
    const known = await forgotOnly("exists@timing.test", from);
    const unknown = await forgotOnly("missing@timing.test", from);
    expect([known.status, unknown.status]).toEqual([200, 200]);
    // Exactly one job each, with the same shape: nothing in the answer's path depended on the account.
    const jobs = await queuedResets();
    expect(jobs.map((j) => j.payload.email)).toEqual(["exists@timing.test", "missing@timing.test"]);
    expect(Object.keys(jobs[0]!.payload).sort()).toEqual(Object.keys(jobs[1]!.payload).sort());
    // Nothing was looked up or written for either yet: no link, no mail, no audit of the outcome.
    expect(await rows(db(), sql`select 1 from password_resets r join users u on u.id = r.user_id where u.email = 'exists@timing.test'`)).toHaveLength(0);
    expect(await db().select().from(s.outboundEmails)).toHaveLength(mailsBefore.length);
    expect(await rows(db(), sql`select 1 from audit_events where action = 'auth.password_reset_request' and actor_email like '%@timing.test'`)).toHaveLength(0);
    // The worker then mails the account only; a re-run of the same job (after a crash) sends nothing twice.
    const again = jobs[0]!.payload;
    expect(await runResetJobs()).toBe(2);
    expect(await processResetRequest(db(), again)).toBe("already_done");
    expect(await db().select().from(s.outboundEmails).where(eq(s.outboundEmails.to, "exists@timing.test"))).toHaveLength(1);
    expect(await db().select().from(s.outboundEmails).where(eq(s.outboundEmails.to, "missing@timing.test"))).toHaveLength(0);
  });
});
