import { json, redirect } from "@remix-run/node";
import { db } from "~db/client.server";
import { isMessageKey } from "~/lib/i18n/translate";
import { can, type Permission, type Role } from "~/lib/permissions";
import type { AppContext } from "~/modules/access/context";
import { resolveSession, type SessionResolution } from "~/modules/access/session-context.server";
import { audit } from "~/modules/audit/audit.server";
import { safeEqual } from "~/modules/auth/session.server";
import { verifyStepUp } from "~/modules/auth/step-up.server";
import { clientOf, readForm } from "~/web/request.server";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { publicPreferences } from "~/web/locale-cookie.server";
import { clearSessionCookie, sessionTokenFrom } from "~/web/session-cookie.server";
import { requestScope } from "~/web/request-scope.server";
import { env } from "~/lib/env.server";

export type { AppContext, Permission, Role };

export const STEP_UP_WINDOW_MS = 5 * 60 * 1000;

/** Pages a member may still open while the merchant requires 2FA they have not set up. */
const TWO_FACTOR_SETUP_PATHS = ["/settings/security", "/logout", "/switch-merchant", "/preferences"];

// Parent and child loaders of one navigation resolve the same request; do it once. Each
// loader gets its own Request object, so a GET's resolution is kept in the store of its
// HTTP request (app/web/request-scope.server.ts); without one (tests calling a loader, or a
// POST, whose action may change the session) the Request object is the key.
const resolved = new WeakMap<Request, Promise<SessionResolution>>();
const SCOPE_KEY = Symbol("resolved session");

function resolve(request: Request): Promise<SessionResolution> {
  const store = request.method === "GET" || request.method === "HEAD" ? requestScope().getStore() : undefined;
  let p = (store?.get(SCOPE_KEY) as Promise<SessionResolution> | undefined) ?? resolved.get(request);
  if (!p) {
    p = resolveSession(sessionTokenFrom(request), { client: clientOf(request), path: new URL(request.url).pathname });
    resolved.set(request, p);
    store?.set(SCOPE_KEY, p);
  }
  return p;
}

/** The signed-in context, or null (no session, timed out, revoked, or no longer a member). */
export async function getOptionalContext(request: Request): Promise<AppContext | null> {
  const r = await resolve(request);
  return r.kind === "ok" ? r.ctx : null;
}

function loginRedirect(request: Request, r: Extract<SessionResolution, { kind: "signed_out" }>): Response {
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
    client: clientOf(request),
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
  const forwarded = env.TRUST_PROXY ? request.headers.get("x-forwarded-host")?.split(",")[0]?.trim() : undefined;
  return host === own || (!!forwarded && host === forwarded);
}

export async function refuseCsrf(request: Request, reason: string, ctx?: AppContext | null): Promise<never> {
  await audit(db(), {
    actor: ctx ?? undefined,
    merchantId: ctx ? undefined : null,
    action: "security.csrf_refused",
    outcome: "denied",
    details: { reason, method: request.method, path: new URL(request.url).pathname },
    client: clientOf(request),
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
  /** `dates: false`: the action's schema checks the days it reads (see readForm). */
  opts: { dates?: boolean } = {},
): Promise<{ ctx: AppContext; form: FormData }> {
  const ctx = await signedIn(request);
  if (!originAllowed(request)) await refuseCsrf(request, "origin", ctx);
  const form = await readForm(request, opts);
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
  const proof = { password: form.get("stepUpPassword"), code: form.get("stepUpCode") };
  const { ok, method } = await verifyStepUp(
    ctx,
    { password: typeof proof.password === "string" ? proof.password : null, code: typeof proof.code === "string" ? proof.code : null },
    { client: clientOf(request), path: new URL(request.url).pathname },
    now,
  );
  if (ok) return null;
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
    client: clientOf(request),
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
