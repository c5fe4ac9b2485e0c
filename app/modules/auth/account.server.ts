import type { Client } from "~/lib/vocabulary";
import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import { db } from "~db/client.server";
import { memberships, merchants, sessions, users } from "~db/schema";
import { deviceParts, type DeviceParts } from "~/lib/user-agent";
import type { AppContext } from "~/modules/access/context";
import { audit } from "~/modules/audit/audit.server";
import { Refusal } from "~/lib/refusal";
import { hashPassword, passwordProblem, passwordProblemLocalized, verifyPassword } from "./password.server";
import { IDLE_TIMEOUT_MS, revokeUserSessions } from "./session.server";
import {
  consumeTotp,
  issueRecoveryCodes,
  newTotpSecret,
  otpauthUri,
  qrSvg,
  remainingRecoveryCodes,
} from "./totp.server";

/** A refusal of a change to one's own account (see Refusal). */
export class AccountError extends Refusal {}

export interface SessionView {
  id: string;
  /** Browser and system names; the page words them (deviceLabel). */
  device: DeviceParts;
  ip: string | null;
  merchantName: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  current: boolean;
}

/** The user's sessions that could still be used (not ended, not timed out). */
export async function listActiveSessions(ctx: AppContext, now = new Date()): Promise<SessionView[]> {
  const list = await db()
    .select({ s: sessions, merchantName: merchants.name })
    .from(sessions)
    .leftJoin(merchants, eq(merchants.id, sessions.merchantId))
    .where(
      and(
        eq(sessions.userId, ctx.user.id),
        isNull(sessions.revokedAt),
        eq(sessions.pendingSecondFactor, false),
        gt(sessions.expiresAt, now),
        gt(sessions.lastSeenAt, new Date(now.getTime() - IDLE_TIMEOUT_MS)),
      ),
    )
    .orderBy(desc(sessions.lastSeenAt));
  return list.map(({ s, merchantName }) => ({
    // The session id is already a hash of the cookie; a prefix is enough to name it.
    id: s.id.slice(0, 16),
    device: deviceParts(s.userAgent),
    ip: s.ip,
    merchantName,
    createdAt: s.createdAt,
    lastSeenAt: s.lastSeenAt,
    current: s.id === ctx.session.id,
  }));
}

export async function revokeOwnSession(ctx: AppContext, idPrefix: string, client: Client): Promise<{ current: boolean }> {
  if (!/^[0-9a-f]{16}$/.test(idPrefix)) throw new AccountError("That session was not found.", 404, undefined, { key: "security.error.sessionNotFound" });
  const dbx = db();
  const ended = await dbx
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(sessions.userId, ctx.user.id), sql`left(${sessions.id}, 16) = ${idPrefix}`, isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  if (ended.length === 0) throw new AccountError("That session has already ended.", 404, undefined, { key: "security.error.sessionEnded" });
  await audit(dbx, {
    actor: ctx,
    action: "auth.session_revoke",
    outcome: "success",
    targetType: "session",
    targetId: idPrefix,
    client,
  });
  return { current: ended.some((e) => e.id === ctx.session.id) };
}

export async function signOutEverywhere(ctx: AppContext, client: Client): Promise<number> {
  const dbx = db();
  const n = await revokeUserSessions(dbx, ctx.user.id);
  await audit(dbx, { actor: ctx, action: "auth.sign_out_everywhere", outcome: "success", details: { sessionsEnded: n }, client });
  return n;
}

export interface TwoFactorView {
  enabled: boolean;
  enabledAt: Date | null;
  recoveryCodesLeft: number;
  /** While enrolling: what the authenticator app needs. */
  enrollment: { secret: string; uri: string; qrSvg: string } | null;
  /** Merchants of this user that require 2FA (turning it off is refused then). */
  requiredBy: string[];
}

export async function twoFactorView(ctx: AppContext): Promise<TwoFactorView> {
  const dbx = db();
  const user = (await dbx.query.users.findFirst({ where: eq(users.id, ctx.user.id) }))!;
  const requiredBy = await dbx
    .select({ name: merchants.name })
    .from(memberships)
    .innerJoin(merchants, eq(merchants.id, memberships.merchantId))
    .where(and(eq(memberships.userId, ctx.user.id), eq(memberships.status, "active"), eq(merchants.require2fa, true)));
  let enrollment: TwoFactorView["enrollment"] = null;
  if (!user.totpEnabledAt && user.totpSecret) {
    const uri = otpauthUri(user.totpSecret, user.email);
    enrollment = { secret: user.totpSecret, uri, qrSvg: await qrSvg(uri) };
  }
  return {
    enabled: !!user.totpEnabledAt,
    enabledAt: user.totpEnabledAt,
    recoveryCodesLeft: user.totpEnabledAt ? await remainingRecoveryCodes(dbx, user.id) : 0,
    enrollment,
    requiredBy: requiredBy.map((r) => r.name),
  };
}

/** Creates a new (not yet active) secret; it counts only once a code from it is confirmed. */
export async function startTotpEnrollment(ctx: AppContext, client: Client): Promise<void> {
  const dbx = db();
  const user = (await dbx.query.users.findFirst({ where: eq(users.id, ctx.user.id) }))!;
  if (user.totpEnabledAt) throw new AccountError("Two-factor sign-in is already on.", 409, undefined, { key: "security.error.alreadyOn" });
  await dbx
    .update(users)
    .set({ totpSecret: newTotpSecret(), totpLastStep: null, updatedAt: new Date() })
    .where(eq(users.id, ctx.user.id));
  await audit(dbx, { actor: ctx, action: "auth.2fa_enroll_start", outcome: "success", targetType: "user", targetId: ctx.user.id, client });
}

export async function confirmTotpEnrollment(ctx: AppContext, code: string, client: Client): Promise<string[]> {
  const dbx = db();
  const user = (await dbx.query.users.findFirst({ where: eq(users.id, ctx.user.id) }))!;
  if (user.totpEnabledAt) throw new AccountError("Two-factor sign-in is already on.", 409, undefined, { key: "security.error.alreadyOn" });
  if (!user.totpSecret) throw new AccountError("Start the set-up again: no secret is waiting to be confirmed.", 409, undefined, { key: "security.error.noSecret" });
  const check = await consumeTotp(dbx, user, code);
  if (check !== "ok") {
    await audit(dbx, { actor: ctx, action: "auth.2fa_enable", outcome: "failure", targetType: "user", targetId: user.id, details: { reason: check }, client });
    throw new AccountError(
      "That code does not match. Scan the QR code again, check your phone's clock, and enter the current 6-digit code.",
      400,
      "code",
      { key: "security.error.codeMismatch", params: { digits: 6 } },
    );
  }
  const now = new Date();
  const codes = await dbx.transaction(async (tx) => {
    await tx.update(users).set({ totpEnabledAt: now, updatedAt: now }).where(eq(users.id, user.id));
    const codes = await issueRecoveryCodes(tx, user.id);
    await audit(tx, { actor: ctx, action: "auth.2fa_enable", outcome: "success", targetType: "user", targetId: user.id, client });
    return codes;
  });
  return codes;
}

/** Call after step-up. Refused while a merchant of this person requires 2FA. */
export async function disableTotp(ctx: AppContext, client: Client): Promise<void> {
  const view = await twoFactorView(ctx);
  if (!view.enabled) throw new AccountError("Two-factor sign-in is already off.", 409, undefined, { key: "security.error.alreadyOff" });
  if (view.requiredBy.length > 0) {
    await audit(db(), { actor: ctx, action: "auth.2fa_disable", outcome: "denied", targetType: "user", targetId: ctx.user.id, details: { requiredBy: view.requiredBy }, client });
    throw new AccountError(`${view.requiredBy.join(", ")} requires two-factor sign-in, so it cannot be turned off.`, 409, undefined, {
      key: "security.error.requiredBy",
      params: { merchants: view.requiredBy.join(", ") },
    });
  }
  const dbx = db();
  await dbx.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ totpSecret: null, totpEnabledAt: null, totpLastStep: null, updatedAt: new Date() })
      .where(eq(users.id, ctx.user.id));
    await tx.execute(sql`delete from recovery_codes where user_id = ${ctx.user.id}`);
    await audit(tx, { actor: ctx, action: "auth.2fa_disable", outcome: "success", targetType: "user", targetId: ctx.user.id, client });
  });
}

export async function regenerateRecoveryCodes(ctx: AppContext, client: Client): Promise<string[]> {
  const dbx = db();
  const user = (await dbx.query.users.findFirst({ where: eq(users.id, ctx.user.id) }))!;
  if (!user.totpEnabledAt) throw new AccountError("Turn on two-factor sign-in first.", 409, undefined, { key: "security.error.turnOnFirst" });
  return dbx.transaction(async (tx) => {
    const codes = await issueRecoveryCodes(tx, user.id);
    await audit(tx, { actor: ctx, action: "auth.recovery_codes_regenerate", outcome: "success", targetType: "user", targetId: user.id, client });
    return codes;
  });
}

/** The owner's switch: every member must use two-factor sign-in on this merchant. */
export async function setRequire2fa(ctx: AppContext, on: boolean, client: Client): Promise<void> {
  const dbx = db();
  if (ctx.role !== "owner") {
    await audit(dbx, { actor: ctx, action: "settings.require_2fa", outcome: "denied", targetType: "merchant", targetId: ctx.scope.merchantId, client });
    throw new AccountError("Only an owner can require two-factor sign-in for the team.", 403, undefined, { key: "security.error.ownerOnlyRequire" });
  }
  if (on && !ctx.user.twoFactorEnabled) {
    throw new AccountError("Turn on two-factor sign-in for your own account first.", 409, undefined, { key: "security.error.ownFirst" });
  }
  await dbx.update(merchants).set({ require2fa: on, updatedAt: new Date() }).where(eq(merchants.id, ctx.scope.merchantId));
  await audit(dbx, {
    actor: ctx,
    action: "settings.require_2fa",
    outcome: "success",
    targetType: "merchant",
    targetId: ctx.scope.merchantId,
    details: { from: ctx.merchant.require2fa, to: on },
    client,
  });
}

/** Changing the password ends every other session (a thief's included). */
export async function changePassword(
  ctx: AppContext,
  input: { current: string; next: string },
  client: Client,
): Promise<void> {
  const dbx = db();
  const user = (await dbx.query.users.findFirst({ where: eq(users.id, ctx.user.id) }))!;
  if (!(await verifyPassword(user.passwordHash, input.current))) {
    await audit(dbx, { actor: ctx, action: "auth.password_change", outcome: "failure", targetType: "user", targetId: user.id, details: { reason: "wrong_current_password" }, client });
    throw new AccountError("Your current password is not correct.", 400, "current", { key: "security.error.currentWrong" });
  }
  const problem = passwordProblem(input.next);
  if (problem) throw new AccountError(problem, 400, "next", passwordProblemLocalized(input.next) ?? undefined);
  if (input.next === input.current) {
    throw new AccountError("Choose a password different from the current one.", 400, "next", { key: "security.error.samePassword" });
  }
  const now = new Date();
  await dbx.update(users).set({ passwordHash: await hashPassword(input.next), passwordChangedAt: now, updatedAt: now }).where(eq(users.id, user.id));
  const ended = await revokeUserSessions(dbx, user.id, { exceptId: ctx.session.id });
  await audit(dbx, { actor: ctx, action: "auth.password_change", outcome: "success", targetType: "user", targetId: user.id, details: { otherSessionsEnded: ended }, client });
}

export async function cancelTotpEnrollment(ctx: AppContext): Promise<void> {
  await db()
    .update(users)
    .set({ totpSecret: null, updatedAt: new Date() })
    .where(and(eq(users.id, ctx.user.id), isNull(users.totpEnabledAt)));
}
