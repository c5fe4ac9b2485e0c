/**
 * Signing in and out over HTTP: the web edge reads the browser (its address and session
 * cookie), calls the domain's sign-in functions (app/modules/auth/login.server.ts) and
 * writes the session cookie they ask for.
 */
import { db, type DbOrTx } from "~db/client.server";
import type { Browser } from "~/lib/vocabulary";
import {
  abandonSignIn,
  pendingSecondFactor,
  signInWithPassword as signInWithPasswordFrom,
  signInWithSecondFactor as signInWithSecondFactorFrom,
  signOut,
  type LoginResult as DomainLoginResult,
} from "~/modules/auth/login.server";
import type { NewSession } from "~/modules/auth/session.server";
import { clientOf } from "~/web/request.server";
import { BROWSER_TOKEN_MAX_AGE_MS } from "~/modules/auth/browsers.server";
import { browserCookie, browserTokenFrom, sessionCookie, sessionTokenFrom } from "~/web/session-cookie.server";

/** A new session and the Set-Cookie header that hands its token to the browser. */
export type WebSession = NewSession & { cookie: string };

type WithCookie<R> = R extends { session: NewSession; browserToken: string }
  ? Omit<R, "session"> & { session: WebSession; browserCookie: string }
  : R extends { session: NewSession }
    ? Omit<R, "session"> & { session: WebSession }
    : R;
export type LoginResult = WithCookie<DomainLoginResult>;

export function browserOf(request: Request): Browser {
  return { ...clientOf(request), sessionToken: sessionTokenFrom(request), browserToken: browserTokenFrom(request) };
}

export function withCookie(request: Request, session: NewSession): WebSession {
  return { ...session, cookie: sessionCookie(request, session.token, session.maxAgeMs) };
}

function cookied<R extends DomainLoginResult>(request: Request, r: R): WithCookie<R> {
  if (!("session" in r)) return r as WithCookie<R>;
  const out: Record<string, unknown> = { ...r, session: withCookie(request, r.session) };
  if ("browserToken" in r) out.browserCookie = browserCookie(request, r.browserToken, BROWSER_TOKEN_MAX_AGE_MS);
  return out as WithCookie<R>;
}

export async function signInWithPassword(
  dbx: DbOrTx,
  request: Request,
  input: { email: string; password: string },
  now?: Date,
): Promise<LoginResult> {
  return cookied(request, await signInWithPasswordFrom(dbx, browserOf(request), input, now));
}

export async function signInWithSecondFactor(dbx: DbOrTx, request: Request, input: { code: string }, now?: Date): Promise<LoginResult> {
  return cookied(request, await signInWithSecondFactorFrom(dbx, browserOf(request), input, now));
}

// Route-facing entry points on the process database (routes never import db/).
export const loginFlow = {
  password: (request: Request, input: { email: string; password: string }) => signInWithPassword(db(), request, input),
  code: (request: Request, input: { code: string }) => signInWithSecondFactor(db(), request, input),
  pending: (request: Request) => pendingSecondFactor(db(), browserOf(request)),
  abandon: (request: Request) => abandonSignIn(db(), browserOf(request)),
  signOut: (request: Request) => signOut(db(), browserOf(request)),
};
