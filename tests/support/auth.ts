import { db } from "../../db/client.server";
import { signInWithPassword, signInWithSecondFactor } from "../../app/web/sign-in.server";
import { totpCodeAt } from "../../app/modules/auth/totp.server";

export const TEST_ORIGIN = "http://localhost";
export const DEMO_PASSWORD = "demo-password-123";

export interface SignedIn {
  /** The Cookie header value: `name=token`. */
  cookie: string;
  csrf: string;
  sessionId: string;
  userId: string;
}

function cookiePair(setCookie: string): string {
  return setCookie.split(";")[0]!;
}

/**
 * Signs in through the same domain function the login page uses (lockout, audit and
 * all), against the test database. Pass `totpSecret` for accounts with two-factor.
 */
export async function signIn(
  email: string,
  password = DEMO_PASSWORD,
  opts: { totpSecret?: string; ip?: string; now?: Date; /** The browser's own token cookie (default: one browser per address). */ browser?: string | null } = {},
): Promise<SignedIn> {
  // Each test person signs in from one browser unless told otherwise, so repeated sign-ins
  // are not "a new browser" (which mails them).
  const browser = opts.browser === undefined ? `test-browser-${Buffer.from(email.toLowerCase()).toString("hex").slice(0, 60)}` : opts.browser;
  const headers: Record<string, string> = { "x-forwarded-for": opts.ip ?? "203.0.113.10", "user-agent": "vitest" };
  if (browser) headers.cookie = `mc_browser=${browser}`;
  let result = await signInWithPassword(
    db(),
    new Request(`${TEST_ORIGIN}/login`, { method: "POST", headers }),
    { email, password },
    opts.now,
  );
  if (result.kind === "second_factor") {
    if (!opts.totpSecret) throw new Error(`${email} has two-factor sign-in: pass totpSecret`);
    const pending = cookiePair(result.session.cookie);
    result = await signInWithSecondFactor(
      db(),
      new Request(`${TEST_ORIGIN}/login`, { method: "POST", headers: { ...headers, cookie: [pending, headers.cookie].filter(Boolean).join("; ") } }),
      { code: totpCodeAt(opts.totpSecret, opts.now) },
      opts.now,
    );
  }
  if (result.kind !== "signed_in") throw new Error(`sign-in of ${email} failed: ${result.kind}`);
  return {
    cookie: cookiePair(result.session.cookie),
    csrf: result.session.csrfToken,
    sessionId: result.session.id,
    userId: result.userId,
  };
}

export interface RequestOptions {
  method?: string;
  cookie?: string;
  csrf?: string;
  /** The form's fields; a list is one field sent many times (ticked checkboxes). */
  form?: Record<string, string | readonly string[]>;
  headers?: Record<string, string>;
  /** Leave the Origin header out (to test the refusal). */
  noOrigin?: boolean;
}

/** A Request for calling a loader or action directly, as a same-origin browser would send it. */
export function request(path: string, opts: RequestOptions = {}): Request {
  const method = opts.method ?? (opts.form || opts.csrf ? "POST" : "GET");
  const headers = new Headers({ "user-agent": "vitest", "x-forwarded-for": "203.0.113.10" });
  if (!opts.noOrigin) headers.set("origin", TEST_ORIGIN);
  if (opts.cookie) headers.set("cookie", opts.cookie);
  for (const [k, v] of Object.entries(opts.headers ?? {})) headers.set(k, v);
  let body: URLSearchParams | undefined;
  if (method !== "GET" && method !== "HEAD") {
    body = new URLSearchParams(Object.entries(opts.form ?? {}).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : v.map((x) => [k, x]))));
    if (opts.csrf !== undefined && !body.has("_csrf")) body.set("_csrf", opts.csrf);
    headers.set("content-type", "application/x-www-form-urlencoded");
  }
  return new Request(`${TEST_ORIGIN}${path}`, { method, headers, body });
}

/** Shorthand: a request carrying a signed-in user's cookie (and CSRF token for POSTs). */
export function as(user: SignedIn, path: string, opts: Omit<RequestOptions, "cookie"> = {}): Request {
  const method = opts.method ?? (opts.form ? "POST" : "GET");
  return request(path, { ...opts, method, cookie: user.cookie, csrf: method === "GET" ? undefined : opts.csrf ?? user.csrf });
}
