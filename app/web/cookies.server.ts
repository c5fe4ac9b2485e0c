/**
 * Every cookie the console reads or writes, through one codec (the `cookie` package, the
 * same parser and serializer Remix's createCookie uses). Values here are plain tokens and
 * language codes, not signed JSON, so they stay readable in a browser's developer tools and
 * keep their format across releases (a deploy signs nobody out).
 *
 * - the session token: `__Host-mc_session` on HTTPS (the browser only accepts it with Secure,
 *   Path=/ and no Domain, so a sibling subdomain cannot plant or overwrite it), `mc_session`
 *   on plain HTTP in development;
 * - the language of public pages (`mc_lang`: "en" or "fa", nothing personal);
 * - the browser's own token (`__Host-mc_browser` / `mc_browser`, two years): a sign-in from a
 *   browser without a known one is "a new browser" and its owner is told.
 */
import { parse, serialize, type CookieSerializeOptions } from "cookie";

export const SESSION_COOKIE = "mc_session";
export const SECURE_SESSION_COOKIE = "__Host-mc_session";
export const LOCALE_COOKIE = "mc_lang";
export const BROWSER_COOKIE = "mc_browser";
export const SECURE_BROWSER_COOKIE = "__Host-mc_browser";

/** The request's cookies (the first of a repeated name wins; a value that is not valid %-encoding is kept as sent). */
export function cookiesOf(request: Request): Record<string, string> {
  const header = request.headers.get("cookie");
  return header ? parse(header) : {};
}

export function readCookie(request: Request, name: string): string | null {
  return cookiesOf(request)[name] ?? null;
}

/** A Set-Cookie header: HttpOnly, SameSite=Lax, Path=/, and Secure when asked (secureCookies in session-cookie.server.ts decides). */
export function setCookie(name: string, value: string, opts: { maxAgeSeconds: number; secure: boolean }): string {
  const options: CookieSerializeOptions = { path: "/", httpOnly: true, sameSite: "lax", maxAge: opts.maxAgeSeconds };
  if (opts.secure) options.secure = true;
  return serialize(name, value, options);
}
