/**
 * The session cookie: its name (__Host- on HTTPS), reading the token from a request and
 * writing Set-Cookie headers. The session itself (rows, states, expiry) is the domain's
 * (app/modules/auth/session.server.ts); this is only how a browser carries its token.
 */
import { isHttps } from "~/web/request.server";

const PLAIN_COOKIE = "mc_session";
// __Host-: the browser only accepts it with Secure, Path=/ and no Domain, so a
// sibling subdomain cannot plant or overwrite our session cookie.
const HOST_COOKIE = "__Host-mc_session";

export function secureCookies(request: Request): boolean {
  const forced = process.env.SESSION_COOKIE_SECURE;
  if (forced === "true") return true;
  if (forced === "false") return false;
  return isHttps(request) || process.env.NODE_ENV === "production";
}

export function cookieName(request: Request): string {
  return secureCookies(request) ? HOST_COOKIE : PLAIN_COOKIE;
}

function parseCookies(header: string | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    if (k && !out.has(k)) out.set(k, decodeURIComponent(v));
  }
  return out;
}

export function sessionTokenFrom(request: Request): string | null {
  const cookies = parseCookies(request.headers.get("cookie"));
  const token = cookies.get(HOST_COOKIE) ?? cookies.get(PLAIN_COOKIE) ?? null;
  return token && /^[A-Za-z0-9_-]{20,100}$/.test(token) ? token : null;
}

export function sessionCookie(request: Request, token: string, maxAgeMs: number): string {
  const parts = [
    `${cookieName(request)}=${token}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Max-Age=${Math.floor(maxAgeMs / 1000)}`,
  ];
  if (secureCookies(request)) parts.push("Secure");
  return parts.join("; ");
}

export function clearSessionCookie(request: Request): string {
  const parts = [`${cookieName(request)}=`, "Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=0"];
  if (secureCookies(request)) parts.push("Secure");
  return parts.join("; ");
}


// The browser's own long-lived token (new-browser sign-in notices); never a session.
const BROWSER_PLAIN = "mc_browser";
const BROWSER_HOST = "__Host-mc_browser";

export function browserTokenFrom(request: Request): string | null {
  const cookies = parseCookies(request.headers.get("cookie"));
  const token = cookies.get(BROWSER_HOST) ?? cookies.get(BROWSER_PLAIN) ?? null;
  return token && /^[A-Za-z0-9_-]{20,100}$/.test(token) ? token : null;
}

export function browserCookie(request: Request, token: string, maxAgeMs: number): string {
  const parts = [
    `${secureCookies(request) ? BROWSER_HOST : BROWSER_PLAIN}=${token}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Max-Age=${Math.floor(maxAgeMs / 1000)}`,
  ];
  if (secureCookies(request)) parts.push("Secure");
  return parts.join("; ");
}
