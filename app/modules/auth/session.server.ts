import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, eq, isNull, ne } from "drizzle-orm";
import { sessions } from "~db/schema";
import type { DbOrTx } from "~db/client.server";
import type { Client } from "~/lib/vocabulary";

export const IDLE_TIMEOUT_MS = 15 * 60 * 1000;
export const ABSOLUTE_LIFETIME_MS = 12 * 60 * 60 * 1000;
/** A half-finished sign-in (password given, second factor owed) lives this long. */
export const PENDING_LIFETIME_MS = 5 * 60 * 1000;
/** last_seen_at is written at most this often, so reads stay cheap. */
export const TOUCH_INTERVAL_MS = 60 * 1000;


export type SessionRow = typeof sessions.$inferSelect;

function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/** The table keeps only the SHA-256 of the cookie's token: a leaked table is no login. */
export function sessionIdFor(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface NewSession {
  token: string;
  id: string;
  csrfToken: string;
  /** How long the browser should keep the cookie (the web edge writes it: app/web/session-cookie.server.ts). */
  maxAgeMs: number;
  row: SessionRow;
}

/** A fresh session id every time: a sign-in never reuses a token the browser had before. */
export async function createSession(
  dbx: DbOrTx,
  client: Client,
  input: { userId: string; merchantId: string | null; pendingSecondFactor?: boolean; verified?: boolean; now?: Date },
): Promise<NewSession> {
  const now = input.now ?? new Date();
  const token = randomToken();
  const id = sessionIdFor(token);
  const lifetime = input.pendingSecondFactor ? PENDING_LIFETIME_MS : ABSOLUTE_LIFETIME_MS;
  const [row] = await dbx
    .insert(sessions)
    .values({
      id,
      userId: input.userId,
      merchantId: input.merchantId,
      csrfToken: randomToken(),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + lifetime),
      verifiedAt: input.verified ? now : null,
      pendingSecondFactor: !!input.pendingSecondFactor,
      ip: client.ip,
      userAgent: client.userAgent,
    })
    .returning();
  return { token, id, csrfToken: row!.csrfToken, maxAgeMs: lifetime, row: row! };
}

export type SessionState =
  | { status: "none" }
  | { status: "revoked"; row: SessionRow }
  | { status: "idle"; row: SessionRow }
  | { status: "expired"; row: SessionRow }
  | { status: "pending"; row: SessionRow }
  | { status: "active"; row: SessionRow };

/** Reads the session a browser's cookie names (its token) and says what state it is in. */
export async function readSession(dbx: DbOrTx, token: string | null, now = new Date()): Promise<SessionState> {
  if (!token) return { status: "none" };
  const row = await dbx.query.sessions.findFirst({ where: eq(sessions.id, sessionIdFor(token)) });
  return sessionState(row, now);
}

/** What state a session row is in at `now` (no row: no session). */
export function sessionState(row: SessionRow | undefined, now: Date): SessionState {
  if (!row) return { status: "none" };
  if (row.revokedAt) return { status: "revoked", row };
  if (row.expiresAt.getTime() <= now.getTime()) return { status: "expired", row };
  if (row.pendingSecondFactor) return { status: "pending", row };
  if (now.getTime() - row.lastSeenAt.getTime() > IDLE_TIMEOUT_MS) return { status: "idle", row };
  return { status: "active", row };
}

export async function touchSession(dbx: DbOrTx, row: SessionRow, now = new Date()): Promise<void> {
  if (now.getTime() - row.lastSeenAt.getTime() < TOUCH_INTERVAL_MS) return;
  await dbx.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, row.id));
}

/** True when this call ended the session (false when it had already ended). */
export async function revokeSession(dbx: DbOrTx, id: string, now = new Date()): Promise<boolean> {
  const ended = await dbx
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.id, id), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return ended.length === 1;
}

/** Ends every session of a user (optionally on one merchant, optionally sparing one). */
export async function revokeUserSessions(
  dbx: DbOrTx,
  userId: string,
  opts: { merchantId?: string; exceptId?: string; now?: Date } = {},
): Promise<number> {
  const conds = [eq(sessions.userId, userId), isNull(sessions.revokedAt)];
  if (opts.merchantId) conds.push(eq(sessions.merchantId, opts.merchantId));
  if (opts.exceptId) conds.push(ne(sessions.id, opts.exceptId));
  const ended = await dbx
    .update(sessions)
    .set({ revokedAt: opts.now ?? new Date() })
    .where(and(...conds))
    .returning({ id: sessions.id });
  return ended.length;
}

export async function markVerified(dbx: DbOrTx, id: string, now = new Date()): Promise<void> {
  await dbx.update(sessions).set({ verifiedAt: now }).where(eq(sessions.id, id));
}

export async function setSessionMerchant(dbx: DbOrTx, id: string, merchantId: string): Promise<void> {
  await dbx.update(sessions).set({ merchantId }).where(eq(sessions.id, id));
}
