/**
 * The session cookie: its name (__Host- on HTTPS), reading the token from a request and
 * writing Set-Cookie headers. The session itself (rows, states, expiry) is the domain's
 * (app/modules/auth/session.server.ts); this is only how a browser carries its token.
 */
import { isHttps } from "~/web/request.server";
import { BROWSER_COOKIE, readCookie, SECURE_BROWSER_COOKIE, SECURE_SESSION_COOKIE, SESSION_COOKIE, setCookie } from "~/web/cookies.server";
import { env } from "~/lib/env.server";

/** Secure cookies on HTTPS and in production; SESSION_COOKIE_SECURE=true|false overrides. */
export function secureCookies(request: Request): boolean {
  const forced = env.SESSION_COOKIE_SECURE;
  if (forced === "true") return true;
  if (forced === "false") return false;
  return isHttps(request) || env.NODE_ENV === "production";
}

export function cookieName(request: Request): string {
  return secureCookies(request) ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

export function sessionTokenFrom(request: Request): string | null {
  const token = readCookie(request, SECURE_SESSION_COOKIE) ?? readCookie(request, SESSION_COOKIE);
  return token && /^[A-Za-z0-9_-]{20,100}$/.test(token) ? token : null;
}

export function sessionCookie(request: Request, token: string, maxAgeMs: number): string {
  return setCookie(cookieName(request), token, { maxAgeSeconds: Math.floor(maxAgeMs / 1000), secure: secureCookies(request) });
}

export function clearSessionCookie(request: Request): string {
  return setCookie(cookieName(request), "", { maxAgeSeconds: 0, secure: secureCookies(request) });
}

// The browser's own long-lived token (new-browser sign-in notices); never a session.
export function browserTokenFrom(request: Request): string | null {
  const token = readCookie(request, SECURE_BROWSER_COOKIE) ?? readCookie(request, BROWSER_COOKIE);
  return token && /^[A-Za-z0-9_-]{20,100}$/.test(token) ? token : null;
}

export function browserCookie(request: Request, token: string, maxAgeMs: number): string {
  const secure = secureCookies(request);
  return setCookie(secure ? SECURE_BROWSER_COOKIE : BROWSER_COOKIE, token, { maxAgeSeconds: Math.floor(maxAgeMs / 1000), secure });
}
