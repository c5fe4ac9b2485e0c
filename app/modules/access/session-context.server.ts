/**
 * The signed-in member behind a session token: the session, its user, its merchant and
 * the user's memberships in one round trip (a prepared statement per database handle).
 * The web edge reads the token from the cookie (app/web/guard.server.ts).
 */
import { eq, sql } from "drizzle-orm";
import { db } from "~db/client.server";
import { memberships, merchants, sessions, users } from "~db/schema";
import { ROLE_PERMISSIONS, type Role } from "~/lib/permissions";
import type { Client } from "~/lib/vocabulary";
import type { AppContext } from "~/modules/access/context";
import { audit } from "~/modules/audit/audit.server";
import { revokeSession, sessionIdFor, sessionState, touchSession, type SessionRow } from "~/modules/auth/session.server";

export type SessionResolution =
  | { kind: "ok"; ctx: AppContext; row: SessionRow }
  | { kind: "signed_out"; reason?: "idle" | "expired" | "revoked" | "access_removed"; clearCookie: boolean };

type MembershipListRow = { merchantId: string; merchantName: string; role: string; status: string };

/**
 * The whole merchant row the session's statement read with the context, for a write of the
 * same request that needs more of it than the context carries (the virtual terminal's
 * payment: fees, calendar, provider), so it is not read again (as the API's key lookup
 * hands its merchant to the payment).
 */
const merchantRows = new WeakMap<AppContext, typeof merchants.$inferSelect>();
export function merchantRowOf(ctx: AppContext): typeof merchants.$inferSelect | undefined {
  return merchantRows.get(ctx);
}

/**
 * The session, its user, its merchant and the user's memberships: one round trip per
 * page. Built once per database handle as a prepared statement, so neither drizzle nor
 * PostgreSQL plans it again on every request.
 */
function contextQuery(dbx: ReturnType<typeof db>) {
  return dbx
    .select({
      session: sessions,
      user: users,
      merchant: merchants,
      list: sql<MembershipListRow[] | string | null>`(
        select json_agg(json_build_object('merchantId', ms.merchant_id, 'merchantName', mm.name, 'role', ms.role, 'status', ms.status) order by mm.name)
        from ${memberships} ms join ${merchants} mm on mm.id = ms.merchant_id
        where ms.user_id = ${sessions.userId})`,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(merchants, eq(merchants.id, sessions.merchantId))
    .where(eq(sessions.id, sql.placeholder("id")))
    .limit(1)
    .prepare("session_context");
}
const contextQueries = new WeakMap<object, ReturnType<typeof contextQuery>>();

/**
 * Who a session token belongs to, now: the member's context, or why they are signed out
 * (a timed-out or revoked session, or a membership that ended, is revoked and audited here).
 */
export async function resolveSession(
  token: string | null,
  from: { client: Client; path: string },
  now = new Date(),
  dbx: ReturnType<typeof db> = db(),
): Promise<SessionResolution> {
  let query = contextQueries.get(dbx);
  if (!query) {
    query = contextQuery(dbx);
    contextQueries.set(dbx, query);
  }
  const [found] = token ? await query.execute({ id: sessionIdFor(token) }) : [];
  const state = sessionState(found?.session, now);
  switch (state.status) {
    case "none":
      return { kind: "signed_out", clearCookie: false };
    case "pending":
      return { kind: "signed_out", clearCookie: false };
    case "revoked":
      return { kind: "signed_out", reason: "revoked", clearCookie: true };
    case "idle":
    case "expired": {
      // Only the request that ends the session records it, so parallel loaders don't double up.
      if (await revokeSession(dbx, state.row.id, now)) {
        await audit(dbx, {
          merchantId: state.row.merchantId,
          actor: { userId: state.row.userId },
          action: "auth.session_timeout",
          outcome: "success",
          targetType: "session",
          targetId: state.row.id.slice(0, 12),
          details: { kind: state.status === "idle" ? "idle" : "absolute", lastSeenAt: state.row.lastSeenAt },
          client: from.client,
        });
      }
      return { kind: "signed_out", reason: state.status, clearCookie: true };
    }
    case "active":
      break;
  }
  const row = state.row;
  const user = found!.user;
  if (!row.merchantId) return { kind: "signed_out", clearCookie: true };
  const rawList = found!.list;
  const list: MembershipListRow[] = (typeof rawList === "string" ? (JSON.parse(rawList) as MembershipListRow[]) : rawList) ?? [];
  const current = list.find((m) => m.merchantId === row.merchantId);
  if (!current || current.status !== "active") {
    // Disabled (or removed) on this merchant: the session ends on this very request.
    if (await revokeSession(dbx, row.id, now)) {
      await audit(dbx, {
        merchantId: row.merchantId,
        actor: { userId: user.id, email: user.email },
        action: "access.membership_inactive",
        outcome: "denied",
        details: { path: from.path },
        client: from.client,
      });
    }
    return { kind: "signed_out", reason: "access_removed", clearCookie: true };
  }
  const merchant = found!.merchant;
  if (!merchant) return { kind: "signed_out", clearCookie: true };

  await touchSession(dbx, row, now);
  const role = current.role as Role;
  const ctx: AppContext = {
    user: {
      id: user.id,
      email: user.email,
      name: user.name,
      locale: user.locale,
      digits: user.digits,
      irrDisplay: user.irrDisplay,
      twoFactorEnabled: !!user.totpEnabledAt,
    },
    merchant: {
      id: merchant.id,
      name: merchant.name,
      currency: merchant.currency,
      timeZone: merchant.timeZone,
      status: merchant.status,
      defaultLocale: merchant.defaultLocale,
      country: merchant.country,
      supportRefundLimit: merchant.supportRefundLimit,
      require2fa: merchant.require2fa,
    },
    role,
    permissions: [...ROLE_PERMISSIONS[role]],
    scope: { merchantId: merchant.id },
    session: { id: row.id, csrfToken: row.csrfToken, verifiedAt: row.verifiedAt },
    memberships: list
      .filter((m) => m.status === "active")
      .map((m) => ({ merchantId: m.merchantId, merchantName: m.merchantName, role: m.role as Role })),
  };
  merchantRows.set(ctx, merchant);
  return { kind: "ok", ctx, row };
}
