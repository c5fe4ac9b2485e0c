import { json, redirect } from "@remix-run/node";
import { eq, sql } from "drizzle-orm";
import { db } from "~db/client.server";
import { memberships, merchants, sessions, users } from "~db/schema";
import { makeFormatter } from "~/lib/format";
import { isMessageKey } from "~/lib/i18n/translate";
import { ROLE_PERMISSIONS, can, refundsUncapped, type Permission, type Role } from "~/lib/permissions";
import { audit } from "~/modules/audit/audit.server";
import { verifyPassword } from "~/modules/auth/password.server";
import {
  clearSessionCookie,
  markVerified,
  revokeSession,
  safeEqual,
  sessionIdFor,
  sessionState,
  sessionTokenFrom,
  touchSession,
  type SessionRow,
} from "~/modules/auth/session.server";
import { consumeTotp } from "~/modules/auth/totp.server";
import { readForm } from "~/web/request.server";
import { publicPreferences, resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { requestScope } from "~/server/request-scope";

export type { Permission, Role };

export interface AppContext {
  user: {
    id: string;
    email: string;
    name: string;
    locale: string | null;
    digits: string | null;
    irrDisplay: string | null;
    twoFactorEnabled: boolean;
  };
  merchant: {
    id: string;
    name: string;
    currency: string;
    timeZone: string;
    status: string;
    defaultLocale: string;
    country: string;
    supportRefundLimit: bigint;
    require2fa: boolean;
  };
  role: Role;
  permissions: Permission[];
  scope: { merchantId: string };
  session: { id: string; csrfToken: string; verifiedAt: Date | null };
  memberships: { merchantId: string; merchantName: string; role: Role }[];
}

export const STEP_UP_WINDOW_MS = 5 * 60 * 1000;

/** Pages a member may still open while the merchant requires 2FA they have not set up. */
const TWO_FACTOR_SETUP_PATHS = ["/settings/security", "/logout", "/switch-merchant", "/preferences"];

type Resolution =
  | { kind: "ok"; ctx: AppContext; row: SessionRow }
  | { kind: "signed_out"; reason?: "idle" | "expired" | "revoked" | "access_removed"; clearCookie: boolean };

// Parent and child loaders of one navigation resolve the same request; do it once. Each
// loader gets its own Request object, so a GET's resolution is kept in the store of its
// HTTP request (app/server/request-scope.ts); without one (tests calling a loader, or a
// POST, whose action may change the session) the Request object is the key.
const resolved = new WeakMap<Request, Promise<Resolution>>();
const SCOPE_KEY = Symbol("resolved session");

function resolve(request: Request): Promise<Resolution> {
  const store = request.method === "GET" || request.method === "HEAD" ? requestScope().getStore() : undefined;
  let p = (store?.get(SCOPE_KEY) as Promise<Resolution> | undefined) ?? resolved.get(request);
  if (!p) {
    p = resolveUncached(request);
    resolved.set(request, p);
    store?.set(SCOPE_KEY, p);
  }
  return p;
}

type MembershipListRow = { merchantId: string; merchantName: string; role: string; status: string };

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

async function resolveUncached(request: Request): Promise<Resolution> {
  const dbx = db();
  const now = new Date();
  const token = sessionTokenFrom(request);
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
          request,
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
        details: { path: new URL(request.url).pathname },
        request,
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
  return { kind: "ok", ctx, row };
}

/** The signed-in context, or null (no session, timed out, revoked, or no longer a member). */
export async function getOptionalContext(request: Request): Promise<AppContext | null> {
  const r = await resolve(request);
  return r.kind === "ok" ? r.ctx : null;
}

function loginRedirect(request: Request, r: Extract<Resolution, { kind: "signed_out" }>): Response {
  const url = new URL(request.url);
  const params = new URLSearchParams();
  // After an action the page to come back to is the one the form was on.
  const back = request.method === "GET" ? url.pathname + url.search : refererPath(request) ?? url.pathname;
  if (back !== "/" && !back.startsWith("/login")) params.set("redirectTo", back);
  if (r.reason) params.set("reason", r.reason);
  const qs = params.toString();
  const headers = new Headers();
  if (r.clearCookie) headers.append("Set-Cookie", clearSessionCookie(request));
  return redirect(`/login${qs ? `?${qs}` : ""}`, { headers });
}

function refererPath(request: Request): string | null {
  const ref = request.headers.get("referer");
  if (!ref) return null;
  try {
    const u = new URL(ref);
    return u.host === new URL(request.url).host ? u.pathname + u.search : null;
  } catch {
    return null;
  }
}

/** A refusal the route's ErrorBoundary shows as is (`error.data` is the message). */
export function forbidden(message: string): Response {
  return new Response(message, { status: 403, statusText: "Forbidden", headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

export function notFoundResponse(message: string): Response {
  return new Response(message, { status: 404, statusText: "Not Found", headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

/** Refusals are read by the person refused: in their language and digits. */
function translatorFor(ctx: AppContext) {
  return serverTranslator(resolvePreferences(ctx));
}

export function permissionMessage(ctx: AppContext, permission: Permission): string {
  const t = translatorFor(ctx);
  return t("access.error.permission", {
    merchant: ctx.merchant.name,
    role: t(`role.${ctx.role}`),
    permission: t(`permission.${permission}`),
  });
}

async function denyPermission(ctx: AppContext, request: Request, permission: Permission): Promise<never> {
  const url = new URL(request.url);
  await audit(db(), {
    actor: ctx,
    action: "access.denied",
    outcome: "denied",
    details: { permission, role: ctx.role, method: request.method, path: url.pathname },
    request,
  });
  throw forbidden(permissionMessage(ctx, permission));
}

async function signedIn(request: Request): Promise<AppContext> {
  const r = await resolve(request);
  if (r.kind === "signed_out") throw loginRedirect(request, r);
  const ctx = r.ctx;
  if (ctx.merchant.require2fa && !ctx.user.twoFactorEnabled) {
    const path = new URL(request.url).pathname;
    if (!TWO_FACTOR_SETUP_PATHS.some((p) => path === p || path.startsWith(p + "/"))) {
      throw redirect("/settings/security?required=2fa");
    }
  }
  return ctx;
}

/**
 * For loaders: the signed-in context on the current merchant, with the permission
 * checked. Signed out / timed out -> redirect to the login page (which returns here);
 * role lacks the permission -> 403 with a sentence saying why (and an audit event).
 */
export async function requireContext(request: Request, permission?: Permission): Promise<AppContext> {
  const ctx = await signedIn(request);
  if (permission && !can(ctx.role, permission)) await denyPermission(ctx, request, permission);
  return ctx;
}

/** Same-host check of the Origin header: a cross-site form or script cannot pass it. */
export function originAllowed(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (!origin || origin === "null") return false;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  const own = new URL(request.url).host;
  // A proxy's word only when we are told one is in front of us (TRUST_PROXY=1).
  const forwarded = process.env.TRUST_PROXY === "1" ? request.headers.get("x-forwarded-host")?.split(",")[0]?.trim() : undefined;
  return host === own || (!!forwarded && host === forwarded);
}

export async function refuseCsrf(request: Request, reason: string, ctx?: AppContext | null): Promise<never> {
  await audit(db(), {
    actor: ctx ?? undefined,
    merchantId: ctx ? undefined : null,
    action: "security.csrf_refused",
    outcome: "denied",
    details: { reason, method: request.method, path: new URL(request.url).pathname },
    request,
  });
  const t = ctx ? translatorFor(ctx) : serverTranslator(publicPreferences(request));
  throw forbidden(t(reason === "origin" ? "access.error.csrfOrigin" : "access.error.csrfToken"));
}

/**
 * For actions: signed in, same-origin, carrying this session's CSRF token, and the
 * role has the permission (null: any signed-in member, e.g. signing out).
 */
export async function requireAction(
  request: Request,
  permission: Permission | null,
): Promise<{ ctx: AppContext; form: FormData }> {
  const ctx = await signedIn(request);
  if (!originAllowed(request)) await refuseCsrf(request, "origin", ctx);
  const form = await readForm(request);
  const token = form.get("_csrf");
  if (typeof token !== "string" || !safeEqual(token, ctx.session.csrfToken)) await refuseCsrf(request, "token", ctx);
  if (permission && !can(ctx.role, permission)) await denyPermission(ctx, request, permission);
  return { ctx, form };
}

export type StepUpProblem = {
  code: "step_up_required";
  /** In the reader's language. */
  message: string;
  /** missing: nothing was entered yet (forms show the fields without an error). */
  reason: "missing" | "wrong_password" | "wrong_code";
};

/**
 * Non-throwing step-up check for forms that want to show the problem inline:
 * null when the session is recently verified (or the form proves it now).
 */
export async function checkStepUp(ctx: AppContext, form: FormData, request: Request): Promise<StepUpProblem | null> {
  const now = new Date();
  const v = ctx.session.verifiedAt;
  if (v && now.getTime() - v.getTime() < STEP_UP_WINDOW_MS) return null;
  const password = form.get("stepUpPassword");
  const code = form.get("stepUpCode");
  const dbx = db();
  const user = await dbx.query.users.findFirst({ where: eq(users.id, ctx.user.id) });
  let ok = false;
  let method: string | null = null;
  if (typeof code === "string" && code.trim() && user?.totpEnabledAt) {
    method = "totp";
    ok = (await consumeTotp(dbx, user, code, now)) === "ok";
  } else if (typeof password === "string" && password) {
    method = "password";
    ok = await verifyPassword(user?.passwordHash, password);
  }
  if (method) {
    await audit(dbx, {
      actor: ctx,
      action: "auth.step_up",
      outcome: ok ? "success" : "failure",
      details: { method, path: new URL(request.url).pathname },
      request,
    });
  }
  if (ok) {
    await markVerified(dbx, ctx.session.id, now);
    ctx.session.verifiedAt = now;
    return null;
  }
  const reason = method ? (method === "totp" ? "wrong_code" : "wrong_password") : "missing";
  const t = translatorFor(ctx);
  return {
    code: "step_up_required",
    message: t(reason === "wrong_code" ? "stepUp.error.wrongCode" : reason === "wrong_password" ? "stepUp.error.wrongPassword" : "stepUp.error.missing"),
    reason,
  };
}

/** Throws a 403 json({ error: { code: "step_up_required", message } }) unless verified recently. */
export async function assertStepUp(ctx: AppContext, form: FormData, request: Request): Promise<void> {
  const problem = await checkStepUp(ctx, form, request);
  if (problem) throw json({ error: problem }, { status: 403 });
}

/** Support may refund up to the merchant's per-refund limit; above it only admin/owner. */
export function assertRefundAllowed(ctx: AppContext, amount: bigint): void {
  if (!can(ctx.role, "refunds:create")) throw forbidden(permissionMessage(ctx, "refunds:create"));
  if (refundsUncapped(ctx.role)) return;
  const limit = ctx.merchant.supportRefundLimit;
  if (amount > limit) {
    const prefs = resolvePreferences(ctx);
    const t = serverTranslator(prefs);
    const fmt = makeFormatter({ ...prefs });
    throw forbidden(
      t("access.error.refundLimit", { role: t(`role.${ctx.role}`), limit: fmt.money(limit), amount: fmt.money(amount) }),
    );
  }
}

/** Whether this context may refund `amount` (for hiding or labelling the button). */
export function refundWithinRole(ctx: AppContext, amount: bigint): boolean {
  return can(ctx.role, "refunds:create") && (refundsUncapped(ctx.role) || amount <= ctx.merchant.supportRefundLimit);
}

/**
 * A lookup by id that found nothing in the current merchant: 404 (we never say whether
 * the id exists elsewhere) and an audit event, since guessing ids is what it catches.
 */
export async function notFound(ctx: AppContext, request: Request, what: { type: string; id: string; label?: string }): Promise<never> {
  await audit(db(), {
    actor: ctx,
    action: "access.not_found",
    outcome: "denied",
    targetType: what.type,
    targetId: what.id.slice(0, 100),
    details: { path: new URL(request.url).pathname },
    request,
  });
  const t = translatorFor(ctx);
  const typeKey = `auditTarget.${what.type}`;
  throw notFoundResponse(
    t("access.error.notFound", {
      what: isMessageKey(typeKey) ? t(typeKey) : (what.label ?? what.type),
      id: what.id.slice(0, 100),
      merchant: ctx.merchant.name,
    }),
  );
}
