import { randomText } from "../lib/random.server";
import type { NextFunction, Request, Response } from "express";
import { CLIENT_IP_HEADER } from "../web/request.server";
import { readerLocale } from "../web/edge/unavailable.server";
import { translator } from "../lib/i18n/translate";
import { anonymousPreferences, preferencesTag } from "../lib/i18n/preferences";
import { env } from "../lib/env.server";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * A browser form or script from another site: its Origin names a host other than ours.
 * Remix itself aborts such document requests with an empty 500; we refuse them first,
 * with a 403 and a sentence. The API (/api/) authenticates with keys and has no cookies
 * to abuse, so it is left to its own checks.
 */
export function foreignOrigin(req: Pick<Request, "method" | "path" | "headers">): boolean {
  // The sandbox's tokenization endpoint grants CORS to the origins it allows and refuses the rest itself.
  if (!STATE_CHANGING.has(req.method) || req.path.startsWith("/api/") || req.path === "/sandbox/v1/tokens") return false;
  const origin = req.headers.origin;
  if (!origin) return false;
  // "null": an opaque origin (a sandboxed frame, a data: page, a privacy redirect). Our own
  // pages always send their origin, so a form from such a place is refused like a foreign one.
  if (origin === "null") return true;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return true;
  }
  const forwarded = env.TRUST_PROXY ? String(req.headers["x-forwarded-host"] ?? "").split(",")[0]?.trim() : "";
  const host = forwarded || req.headers.host;
  return !host || originHost !== host;
}

const FORWARDED_HEADERS = ["x-forwarded-host", "x-forwarded-proto", "x-forwarded-for", "x-forwarded-port", "x-forwarded-prefix", "forwarded"];

/**
 * X-Forwarded-* say what a proxy in front of us saw; without one (TRUST_PROXY unset) any
 * client could write them. They are dropped before anything reads them (the CSRF origin
 * check, the request URL, HTTPS detection, the client address of the login limiter).
 */
export function dropUntrustedForwarding(req: Pick<Request, "headers">): void {
  if (env.TRUST_PROXY) return;
  for (const h of FORWARDED_HEADERS) delete req.headers[h];
}

export interface SecurityHeaderOptions {
  /** Remix dev server live reload needs a websocket. */
  development?: boolean;
}

export function contentSecurityPolicy(nonce: string, opts: SecurityHeaderOptions = {}): string {
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    // Remix's inline hydration scripts carry the nonce; its modules load from /build.
    "script-src": ["'self'", `'nonce-${nonce}'`],
    // Charts render style attributes on the server; styles cannot run code.
    "style-src": ["'self'", "'unsafe-inline'"],
    // data: for the 2FA QR code.
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "connect-src": opts.development ? ["'self'", "ws:", "wss:"] : ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
  };
  return Object.entries(directives)
    .map(([k, v]) => `${k} ${v.join(" ")}`)
    .join("; ");
}

/**
 * Express middleware: a fresh CSP nonce per response (res.locals.cspNonce, which the
 * server hands Remix through getLoadContext) and the security headers on every response.
 * It also records the caller's address in a header of our own, replacing whatever the
 * client sent under that name, so the login limiter counts real addresses.
 */
export function securityHeaders(opts: SecurityHeaderOptions = {}) {
  const development = opts.development ?? env.NODE_ENV === "development";
  return function securityHeadersMiddleware(req: Request, res: Response, next: NextFunction) {
    const nonce = randomText(16, "base64");
    res.locals.cspNonce = nonce;
    delete req.headers[CLIENT_IP_HEADER];
    const ip = req.ip ?? req.socket.remoteAddress;
    if (ip) req.headers[CLIENT_IP_HEADER] = ip;

    res.setHeader("Content-Security-Policy", contentSecurityPolicy(nonce, { development }));
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Referrer-Policy", "same-origin");
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    res.setHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
    if (req.secure) res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    dropUntrustedForwarding(req);
    if (foreignOrigin(req)) {
      void recordForeignOrigin(req);
      const locale = readerLocale(new globalThis.Request(`http://localhost${req.originalUrl}`, { headers: { cookie: String(req.headers.cookie ?? "") } }));
      res
        .status(403)
        .type("text/plain")
        .send(translator(preferencesTag(anonymousPreferences(locale)))("badInput.origin"));
      return;
    }
    next();
  };
}

async function recordForeignOrigin(req: Request): Promise<void> {
  try {
    const [{ db }, { audit }] = await Promise.all([import("../../db/client.server"), import("../modules/audit/audit.server")]);
    const header = (name: string) => (typeof req.headers[name] === "string" ? (req.headers[name] as string) : null);
    await audit(db(), {
      action: "security.csrf_refused",
      outcome: "denied",
      details: { reason: "foreign_origin", origin: String(req.headers.origin).slice(0, 200), method: req.method, path: req.path },
      client: { ip: header(CLIENT_IP_HEADER)?.slice(0, 100) ?? null, userAgent: header("user-agent")?.slice(0, 500) ?? null },
    });
  } catch {
    // The refusal stands even if it could not be recorded (e.g. no database in a unit test).
  }
}
