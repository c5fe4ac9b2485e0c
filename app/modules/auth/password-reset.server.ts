/**
 * Password reset by e-mail.
 *
 * - Asking: the same answer whether or not the address has an account (nothing tells an
 *   attacker which addresses exist), and the same work: the request only queues a job, which
 *   looks the address up, so the answer's timing tells nothing either; rate limited per network and per address (the address's
 *   counter runs for unknown addresses too, so the limit tells nothing either).
 * - The mail carries a random token valid one hour and once; the table keeps its SHA-256.
 *   A newer link replaces older ones.
 * - Setting the new password ends every session of the account (a thief signed in somewhere
 *   is out), clears a lockout, and is audited, as are the requests.
 */
import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull, ne, sql } from "drizzle-orm";
import { passwordResets, users } from "~db/schema";
import type { DbOrTx } from "~db/client.server";
import { intlLocale, normalizeLocale, type Locale } from "~/lib/i18n/locales";
import type { Localized } from "~/lib/i18n/messages";
import { translator } from "~/lib/i18n/translate";
import { newId } from "~/lib/ids";
import type { Client } from "~/lib/vocabulary";
import { audit } from "~/modules/audit/audit.server";
import { enqueueJob } from "~/modules/jobs/queue.server";
import { sendMail } from "~/modules/mail/mailer.server";
import { consoleUrl } from "~/modules/notifications/recipients.server";
import { hashPassword, passwordProblemLocalized } from "./password.server";
import { hit } from "./rate-limit.server";
import { revokeUserSessions } from "./session.server";

export const RESET_LIFETIME_MS = 60 * 60 * 1000;
/** Requests one network may make per window, and requests for one address per window. */
export const RESET_IP_LIMIT = 10;
export const RESET_EMAIL_LIMIT = 3;
export const RESET_WINDOW_MS = 60 * 60 * 1000;

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{40,64}$/;

export type ResetRequestResult = { kind: "sent" } | { kind: "rate_limited"; retryAfterSeconds: number };

/** What the request handler hands the password_reset job: the same for every address. */
export interface ResetJobPayload {
  /** The reset's id, chosen at the request: a re-run of the job finds it done and does nothing. */
  resetId: string;
  email: string;
  locale: Locale;
  client: Client;
  requestedAt: string;
}

/**
 * Someone asks for a reset link for `email`. "sent" means: if the address has an account, a
 * link is on its way (the page says exactly that, whatever the case).
 *
 * The request does the same work for every address (the rate limit, then one
 * password_reset job in the queue) and never looks the address up: whether an account
 * exists is decided by the job (processResetRequest), so the answer's timing cannot tell.
 */
export async function requestPasswordReset(
  dbx: DbOrTx,
  client: Client,
  input: { email: string; locale: Locale },
  now = new Date(),
): Promise<ResetRequestResult> {
  const email = input.email.trim().toLowerCase().slice(0, 320);
  const byIp = await hit(dbx, `reset:ip:${client.ip ?? "unknown"}`, RESET_WINDOW_MS, now);
  const byEmail = await hit(dbx, `reset:email:${email}`, RESET_WINDOW_MS, now);
  if (byIp.count > RESET_IP_LIMIT || byEmail.count > RESET_EMAIL_LIMIT) {
    const until = Math.max(byIp.count > RESET_IP_LIMIT ? byIp.resetsAt.getTime() : 0, byEmail.count > RESET_EMAIL_LIMIT ? byEmail.resetsAt.getTime() : 0);
    const retryAfterSeconds = Math.max(1, Math.ceil((until - now.getTime()) / 1000));
    await audit(dbx, { action: "auth.password_reset_request", outcome: "denied", actor: { email }, details: { reason: "rate_limited", retryAfterSeconds }, client });
    return { kind: "rate_limited", retryAfterSeconds };
  }
  const payload: ResetJobPayload = {
    resetId: newId("pwr", now),
    email,
    locale: input.locale,
    client: { ip: client.ip, userAgent: client.userAgent, ...(client.origin ? { origin: client.origin } : {}) },
    requestedAt: now.toISOString(),
  };
  await enqueueJob(dbx, "password_reset", payload as unknown as Record<string, unknown>, { maxAttempts: 10 });
  return { kind: "sent" };
}

/**
 * The password_reset job: looks the address up and, for an account, stores the link's hash
 * and puts the mail in the outbox in one transaction; for an unknown address it only audits.
 * Idempotent: the reset's id was chosen at the request, so a re-run after a crash sends nothing twice.
 */
export async function processResetRequest(dbx: DbOrTx, p: ResetJobPayload): Promise<"sent" | "unknown_email" | "already_done"> {
  const now = new Date(p.requestedAt);
  const email = p.email;
  const client = p.client;
  const [done] = await dbx.select({ id: passwordResets.id }).from(passwordResets).where(eq(passwordResets.id, p.resetId));
  if (done) return "already_done";
  const user = await dbx.query.users.findFirst({ where: sql`lower(${users.email}) = ${email}` });
  if (!user) {
    await audit(dbx, { action: "auth.password_reset_request", outcome: "failure", actor: { email }, details: { reason: "unknown_email" }, client });
    return "unknown_email";
  }
  const token = randomBytes(32).toString("base64url");
  // The person's own language, else the one the page was read in.
  const lang = normalizeLocale(user.locale ?? p.locale);
  const t = translator(intlLocale(lang));
  const link = `${(client.origin ?? consoleUrl("")).replace(/\/+$/, "")}/reset-password/${token}`;
  const id = p.resetId;
  const sent = await dbx.transaction(async (tx) => {
    const inserted = await tx
      .insert(passwordResets)
      .values({ id, userId: user.id, tokenHash: hashOf(token), expiresAt: new Date(now.getTime() + RESET_LIFETIME_MS), ip: client.ip ?? null, createdAt: now })
      .onConflictDoNothing()
      .returning({ id: passwordResets.id });
    if (inserted.length === 0) return false;
    // A new link replaces any older one still open.
    await tx
      .update(passwordResets)
      .set({ usedAt: now })
      .where(and(eq(passwordResets.userId, user.id), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, now), ne(passwordResets.id, id)));
    await sendMail(tx, {
      to: user.email,
      locale: lang === "fa" ? "fa" : "en",
      kind: "password_reset",
      subject: t("mail.reset.subject"),
      body: `${t("mail.reset.intro", { email: user.email, minutes: RESET_LIFETIME_MS / 60_000 })}\n${link}\n\n${t("mail.reset.ignore", { ip: client.ip ?? "—" })}`,
    });
    await audit(tx, {
      action: "auth.password_reset_request",
      outcome: "success",
      actor: { userId: user.id, email: user.email },
      targetType: "user",
      targetId: user.id,
      details: { resetId: id, expiresAt: new Date(now.getTime() + RESET_LIFETIME_MS) },
      client,
    });
    return true;
  });
  return sent ? "sent" : "already_done";
}

export type ResetTokenState = "valid" | "expired" | "used" | "unknown";

/** What the link's page should say before asking for a password. */
export async function resetTokenState(dbx: DbOrTx, token: string, now = new Date()): Promise<{ state: ResetTokenState; email?: string }> {
  if (!TOKEN_PATTERN.test(token)) return { state: "unknown" };
  const [row] = await dbx
    .select({ usedAt: passwordResets.usedAt, expiresAt: passwordResets.expiresAt, email: users.email })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .where(eq(passwordResets.tokenHash, hashOf(token)));
  if (!row) return { state: "unknown" };
  if (row.usedAt) return { state: "used" };
  if (row.expiresAt.getTime() <= now.getTime()) return { state: "expired" };
  return { state: "valid", email: row.email };
}

export type ResetResult =
  | { ok: true; userId: string; sessionsEnded: number }
  | { ok: false; field: "token"; state: Exclude<ResetTokenState, "valid"> }
  | { ok: false; field: "password" | "confirm"; message: Localized };

/** Sets the new password with a valid link: once; every session of the account ends. */
export async function resetPassword(
  dbx: DbOrTx,
  client: Client,
  input: { token: string; password: string; confirm: string },
  now = new Date(),
): Promise<ResetResult> {
  if (!TOKEN_PATTERN.test(input.token)) return { ok: false, field: "token", state: "unknown" };
  const problem = passwordProblemLocalized(input.password);
  if (problem) return { ok: false, field: "password", message: problem };
  if (input.password !== input.confirm) return { ok: false, field: "confirm", message: { key: "reset.error.mismatch" } };
  const passwordHash = await hashPassword(input.password);
  return dbx.transaction(async (tx): Promise<ResetResult> => {
    const [row] = await tx.select().from(passwordResets).where(eq(passwordResets.tokenHash, hashOf(input.token))).for("update");
    if (!row) return { ok: false, field: "token", state: "unknown" };
    if (row.usedAt) return { ok: false, field: "token", state: "used" };
    if (row.expiresAt.getTime() <= now.getTime()) return { ok: false, field: "token", state: "expired" };
    await tx.update(passwordResets).set({ usedAt: now }).where(eq(passwordResets.id, row.id));
    const [user] = await tx
      .update(users)
      .set({ passwordHash, passwordChangedAt: now, failedLoginCount: 0, lockedUntil: null, updatedAt: now })
      .where(eq(users.id, row.userId))
      .returning({ id: users.id, email: users.email });
    const sessionsEnded = await revokeUserSessions(tx, row.userId, { now });
    await audit(tx, {
      action: "auth.password_reset",
      outcome: "success",
      actor: { userId: user!.id, email: user!.email },
      targetType: "user",
      targetId: user!.id,
      details: { resetId: row.id, sessionsEnded },
      client,
    });
    return { ok: true, userId: user!.id, sessionsEnded };
  });
}
