import { randomBytes } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { CLIENT_IP_HEADER } from "../modules/auth/request.server";

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
  const development = opts.development ?? process.env.NODE_ENV === "development";
  return function securityHeadersMiddleware(req: Request, res: Response, next: NextFunction) {
    const nonce = randomBytes(16).toString("base64");
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
    next();
  };
}
