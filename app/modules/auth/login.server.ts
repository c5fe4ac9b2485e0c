import { and, asc, desc, eq, isNotNull, sql } from "drizzle-orm";
import { memberships, merchants, sessions, users } from "~db/schema";
import type { DbOrTx } from "~db/client.server";
import { homePath, type Role } from "~/lib/permissions";
import { audit } from "~/modules/audit/audit.server";
import { burnPasswordCheck, verifyPassword } from "./password.server";
import type { Browser } from "~/lib/vocabulary";
import { hit, peek } from "./rate-limit.server";
import { recognizeBrowser } from "./browsers.server";
import { createSession, readSession, revokeSession, type NewSession } from "./session.server";
import { consumeRecoveryCode, consumeTotp, looksLikeRecoveryCode } from "./totp.server";

export const MAX_FAILED_LOGINS = 10;
export const LOCKOUT_MS = 30 * 60 * 1000;
/** Failed sign-ins one IP may make across all accounts per window. */
export const IP_FAILURE_LIMIT = 30;
export const IP_WINDOW_MS = 15 * 60 * 1000;

export const INVALID_CREDENTIALS = "The email or password is not correct.";

export type UserRow = typeof users.$inferSelect;

export type LoginResult =
  | {
      kind: "signed_in";
      session: NewSession;
      userId: string;
      merchantId: string;
      home: string;
      browserToken: string;
      /** The language the console will speak to this member (theirs, else the merchant's default). */
      locale: string;
    }
  | { kind: "second_factor"; session: NewSession; userId: string }
  /** `code` names the sentence (login.error.<code> in the catalogs); `message` is the English one. */
  | { kind: "invalid"; code: "invalidCredentials" | "signInExpired" | "codeReused" | "codeInvalid"; message: string }
  | { kind: "locked"; message: string; retryAfterSeconds: number }
  | { kind: "rate_limited"; message: string; retryAfterSeconds: number }
  | { kind: "no_access"; code: "noAccess"; message: string };

function ipKey(from: Browser): string {
  return `login:ip:${from.ip ?? "unknown"}`;
}

function minutes(ms: number): number {
  return Math.max(1, Math.ceil(ms / 60000));
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

export async function findUserByEmail(dbx: DbOrTx, email: string): Promise<UserRow | undefined> {
  return dbx.query.users.findFirst({ where: sql`lower(${users.email}) = ${email.trim().toLowerCase()}` });
}

/** Refuses before any password is checked when this IP has failed too often lately. */
async function ipThrottle(dbx: DbOrTx, from: Browser, email: string, now: Date): Promise<LoginResult | null> {
  const state = await peek(dbx, ipKey(from), IP_WINDOW_MS, now);
  if (state.count < IP_FAILURE_LIMIT) return null;
  const wait = state.resetsAt.getTime() - now.getTime();
  await audit(dbx, {
    action: "auth.rate_limited",
    outcome: "denied",
    actor: { email },
    details: { failuresFromIp: state.count, retryAfterSeconds: seconds(wait) },
    client: from,
  });
  return {
    kind: "rate_limited",
    message: `Too many failed sign-ins from your network. Try again in ${minutes(wait)} minutes.`,
    retryAfterSeconds: seconds(wait),
  };
}

function lockedResult(user: UserRow, now: Date): LoginResult {
  const wait = user.lockedUntil!.getTime() - now.getTime();
  return {
    kind: "locked",
    message: `This account is locked after too many failed sign-ins. Try again in ${minutes(wait)} minutes.`,
    retryAfterSeconds: seconds(wait),
  };
}

/** Counts a failure against the IP and the account; locks the account at the limit. */
async function recordFailure(
  dbx: DbOrTx,
  from: Browser,
  input: { email: string; user?: UserRow; reason: string; action?: string },
  now: Date,
): Promise<{ locked: boolean }> {
  await hit(dbx, ipKey(from), IP_WINDOW_MS, now);
  let locked = false;
  if (input.user) {
    const [row] = await dbx
      .update(users)
      .set({ failedLoginCount: sql`${users.failedLoginCount} + 1` })
      .where(eq(users.id, input.user.id))
      .returning({ count: users.failedLoginCount });
    if ((row?.count ?? 0) >= MAX_FAILED_LOGINS) {
      locked = true;
      await dbx
        .update(users)
        .set({ failedLoginCount: 0, lockedUntil: new Date(now.getTime() + LOCKOUT_MS) })
        .where(eq(users.id, input.user.id));
    }
  }
  await audit(dbx, {
    action: input.action ?? "auth.login",
    outcome: "failure",
    actor: { userId: input.user?.id ?? null, email: input.user?.email ?? input.email },
    details: { reason: input.reason },
    client: from,
  });
  if (locked) {
    await audit(dbx, {
      action: "auth.lockout",
      outcome: "denied",
      actor: { userId: input.user!.id, email: input.user!.email },
      targetType: "user",
      targetId: input.user!.id,
      details: { failedAttempts: MAX_FAILED_LOGINS, lockedMinutes: LOCKOUT_MS / 60000 },
      client: from,
    });
  }
  return { locked };
}

/** The merchant a new session opens on: the one used last, else the first by name. */
export async function defaultMerchantFor(dbx: DbOrTx, userId: string): Promise<string | null> {
  const active = await dbx
    .select({ merchantId: memberships.merchantId })
    .from(memberships)
    .innerJoin(merchants, eq(merchants.id, memberships.merchantId))
    .where(and(eq(memberships.userId, userId), eq(memberships.status, "active")))
    .orderBy(asc(merchants.name));
  if (active.length === 0) return null;
  const [last] = await dbx
    .select({ merchantId: sessions.merchantId })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNotNull(sessions.merchantId), eq(sessions.pendingSecondFactor, false)))
    .orderBy(desc(sessions.createdAt))
    .limit(1);
  const preferred = active.find((m) => m.merchantId === last?.merchantId);
  return (preferred ?? active[0]!).merchantId;
}

async function endPreviousSession(dbx: DbOrTx, from: Browser, now: Date): Promise<void> {
  const prev = await readSession(dbx, from.sessionToken, now);
  if (prev.status !== "none") await revokeSession(dbx, prev.row.id, now);
}

async function finishSignIn(
  dbx: DbOrTx,
  from: Browser,
  user: UserRow,
  merchantId: string,
  method: string,
  now: Date,
): Promise<LoginResult> {
  await endPreviousSession(dbx, from, now);
  const session = await createSession(dbx, from, { userId: user.id, merchantId, verified: true, now });
  const browser = await recognizeBrowser(dbx, from, { userId: user.id, merchantId, firstSignIn: user.lastLoginAt === null }, now);
  await dbx
    .update(users)
    .set({ failedLoginCount: 0, lockedUntil: null, lastLoginAt: now })
    .where(eq(users.id, user.id));
  await audit(dbx, {
    merchantId,
    action: "auth.login",
    outcome: "success",
    actor: { userId: user.id, email: user.email },
    details: { method },
    client: from,
  });
  const membership = await dbx.query.memberships.findFirst({
    where: and(eq(memberships.userId, user.id), eq(memberships.merchantId, merchantId)),
  });
  const merchant = user.locale ? null : await dbx.query.merchants.findFirst({ where: eq(merchants.id, merchantId), columns: { defaultLocale: true } });
  return {
    kind: "signed_in",
    session,
    userId: user.id,
    merchantId,
    home: membership ? homePath(membership.role as Role) : "/",
    browserToken: browser.token,
    locale: user.locale ?? merchant?.defaultLocale ?? "en",
  };
}

/** Step one: email and password. */
export async function signInWithPassword(
  dbx: DbOrTx,
  from: Browser,
  input: { email: string; password: string },
  now = new Date(),
): Promise<LoginResult> {
  const email = input.email.trim().toLowerCase();
  const throttled = await ipThrottle(dbx, from, email, now);
  if (throttled) return throttled;

  const user = await findUserByEmail(dbx, email);
  if (user?.lockedUntil && user.lockedUntil.getTime() > now.getTime()) {
    await hit(dbx, ipKey(from), IP_WINDOW_MS, now);
    await audit(dbx, {
      action: "auth.login",
      outcome: "denied",
      actor: { userId: user.id, email: user.email },
      details: { reason: "locked", lockedUntil: user.lockedUntil },
      client: from,
    });
    return lockedResult(user, now);
  }

  const ok = user ? await verifyPassword(user.passwordHash, input.password) : (await burnPasswordCheck(input.password), false);
  if (!ok) {
    const { locked } = await recordFailure(
      dbx,
      from,
      { email, user, reason: user ? "wrong_password" : "unknown_email" },
      now,
    );
    if (locked && user) {
      return lockedResult({ ...user, lockedUntil: new Date(now.getTime() + LOCKOUT_MS) }, now);
    }
    return { kind: "invalid", code: "invalidCredentials", message: INVALID_CREDENTIALS };
  }

  const merchantId = await defaultMerchantFor(dbx, user!.id);
  if (!merchantId) {
    await audit(dbx, {
      action: "auth.login",
      outcome: "denied",
      actor: { userId: user!.id, email: user!.email },
      details: { reason: "no_active_membership" },
      client: from,
    });
    return {
      kind: "no_access",
      code: "noAccess",
      message: "Your access to every merchant has been removed. Ask an owner to invite you again.",
    };
  }

  if (user!.totpEnabledAt) {
    await endPreviousSession(dbx, from, now);
    const session = await createSession(dbx, from, {
      userId: user!.id,
      merchantId,
      pendingSecondFactor: true,
      now,
    });
    return { kind: "second_factor", session, userId: user!.id };
  }
  return finishSignIn(dbx, from, user!, merchantId, "password", now);
}

/** Step two, when the account has two-factor sign-in: a TOTP code or a recovery code. */
export async function signInWithSecondFactor(
  dbx: DbOrTx,
  from: Browser,
  input: { code: string },
  now = new Date(),
): Promise<LoginResult> {
  const state = await readSession(dbx, from.sessionToken, now);
  if (state.status !== "pending") {
    return { kind: "invalid", code: "signInExpired", message: "Your sign-in took too long. Enter your email and password again." };
  }
  const user = await dbx.query.users.findFirst({ where: eq(users.id, state.row.userId) });
  if (!user) return { kind: "invalid", code: "invalidCredentials", message: INVALID_CREDENTIALS };
  const throttled = await ipThrottle(dbx, from, user.email, now);
  if (throttled) return throttled;
  if (user.lockedUntil && user.lockedUntil.getTime() > now.getTime()) {
    await revokeSession(dbx, state.row.id, now);
    return lockedResult(user, now);
  }

  let method: "totp" | "recovery_code" = "totp";
  let ok = false;
  let reason = "invalid_code";
  if (looksLikeRecoveryCode(input.code)) {
    method = "recovery_code";
    ok = await consumeRecoveryCode(dbx, user.id, input.code, now);
    reason = "invalid_recovery_code";
  } else {
    const check = await consumeTotp(dbx, user, input.code, now);
    ok = check === "ok";
    if (check === "reused") reason = "reused_code";
  }
  if (!ok) {
    const { locked } = await recordFailure(dbx, from, { email: user.email, user, reason, action: "auth.2fa" }, now);
    if (locked) {
      await revokeSession(dbx, state.row.id, now);
      return lockedResult({ ...user, lockedUntil: new Date(now.getTime() + LOCKOUT_MS) }, now);
    }
    return {
      kind: "invalid",
      code: reason === "reused_code" ? "codeReused" : "codeInvalid",
      message:
        reason === "reused_code"
          ? "That code was already used. Wait for the next code in your authenticator app."
          : "That code is not correct. Check the time on your phone and try the current code.",
    };
  }
  if (method === "recovery_code") {
    await audit(dbx, {
      action: "auth.recovery_code_used",
      outcome: "success",
      actor: { userId: user.id, email: user.email },
      client: from,
    });
  }
  const merchantId = state.row.merchantId ?? (await defaultMerchantFor(dbx, user.id));
  if (!merchantId) {
    return { kind: "no_access", code: "noAccess", message: "Your access to every merchant has been removed. Ask an owner to invite you again." };
  }
  return finishSignIn(dbx, from, user, merchantId, method, now);
}

/** Whether this browser has given the password and still owes the second factor. */
export async function pendingSecondFactor(dbx: DbOrTx, from: Browser): Promise<boolean> {
  return (await readSession(dbx, from.sessionToken)).status === "pending";
}

/** "Start over" on the code step: forget the half-finished sign-in. */
export async function abandonSignIn(dbx: DbOrTx, from: Browser): Promise<void> {
  const state = await readSession(dbx, from.sessionToken);
  if (state.status === "pending") await revokeSession(dbx, state.row.id);
}

/** Signing out: the session ends on the server, not just in the browser. */
export async function signOut(dbx: DbOrTx, from: Browser): Promise<void> {
  const state = await readSession(dbx, from.sessionToken);
  if (state.status === "none") return;
  if (await revokeSession(dbx, state.row.id)) {
    await audit(dbx, {
      merchantId: state.row.merchantId,
      actor: { userId: state.row.userId },
      action: "auth.logout",
      outcome: "success",
      client: from,
    });
  }
}
