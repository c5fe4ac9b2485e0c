/**
 * What we know about the caller. The express server (app/server/security-headers.ts)
 * overwrites CLIENT_IP_HEADER with the socket address (or the proxy's, when express
 * is told to trust one), so a client cannot pick its own IP to dodge the login limit.
 * Without the server (tests, other adapters) the first X-Forwarded-For hop is used.
 */
import { checkForm } from "./edge/input-guard";
import { badInputSentence } from "./edge/bad-input.server";
import { readerLocale } from "./edge/unavailable.server";
import type { Client } from "~/lib/vocabulary";
import { env } from "~/lib/env.server";

export const CLIENT_IP_HEADER = "x-mc-client-ip";

/** What the domain may know about where a request came from (audit, sessions, throttles, links in mail). */
export function clientOf(request: Request): Client {
  return { ip: clientIp(request), userAgent: userAgent(request), origin: publicOrigin(request) };
}

export function clientIp(request: Request): string | null {
  const direct = request.headers.get(CLIENT_IP_HEADER);
  if (direct) return direct.slice(0, 100);
  const xff = request.headers.get("x-forwarded-for");
  if (xff) return xff.split(",")[0]!.trim().slice(0, 100) || null;
  return null;
}

export function userAgent(request: Request): string | null {
  const ua = request.headers.get("user-agent");
  return ua ? ua.slice(0, 500) : null;
}

/** HTTPS as the browser sees it (directly, or behind a TLS-terminating proxy). */
export function isHttps(request: Request): boolean {
  const url = new URL(request.url);
  if (url.protocol === "https:") return true;
  return (request.headers.get("x-forwarded-proto") ?? "").split(",")[0]?.trim() === "https";
}

const REDIRECT_BASE = new URL("http://console.invalid");

/**
 * A redirect target we are willing to follow: what the WHATWG URL parser (the one every
 * browser uses) resolves against our own origin to our own origin and a path. Anything
 * else is `fallback`. Control characters are refused outright: browsers strip TAB and
 * newlines, so "/\t/evil.example" would reach them as "//evil.example". The answer is
 * the parser's own normalised path, query and fragment, so what we send in Location is
 * what the browser will follow.
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.length > 2048) return fallback;
  if (/[\u0000-\u001f\u007f\\]/.test(to)) return fallback;
  let u: URL;
  try {
    u = new URL(to, REDIRECT_BASE);
  } catch {
    return fallback;
  }
  if (u.origin !== REDIRECT_BASE.origin || u.username || u.password) return fallback;
  const out = u.pathname + u.search + u.hash;
  // "/.//evil.example" normalises to the path "//evil.example": a scheme-relative URL in Location.
  if (!out.startsWith("/") || out.startsWith("//")) return fallback;
  return out;
}

/** The posted form, or an empty one when the body is missing or not a form (never a 500). */
export async function readForm(request: Request, opts: { dates?: boolean } = {}): Promise<FormData> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return new FormData();
  }
  // The edge's one check of every field (NUL and controls, broken characters, impossible
  // dates, over-long text): a 400 naming the field, in the reader's language.
  // A form whose schema reads its own days (`dates: false`) names a bad one beside its field.
  const problem = checkForm(form, opts);
  if (problem) {
    console.warn(`${request.method} ${new URL(request.url).pathname}: refused form input: ${problem.message}`);
    throw new Response(badInputSentence(problem, readerLocale(request)), { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  return form;
}

/** Where links in mail point: the configured public URL, else the request's own origin. */
export function publicOrigin(request: Request): string {
  const configured = env.PUBLIC_URL;
  if (configured) return configured.replace(/\/+$/, "");
  const url = new URL(request.url);
  const proto = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  return `${proto ?? url.protocol.replace(":", "")}://${url.host}`;
}
