import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { getOptionalContext, originAllowed, refuseCsrf } from "~/modules/access/guard.server";
import { loginFlow, type LoginResult } from "~/modules/auth/login.server";
import { readForm, safeRedirect } from "~/modules/auth/request.server";
import { clearSessionCookie } from "~/modules/auth/session.server";

export const meta: MetaFunction = () => [{ title: "Sign in · Merchant Console" }];

// A document POST (no JavaScript) answers with these: the 429's Retry-After must reach the browser.
export const headers: HeadersFunction = ({ actionHeaders, loaderHeaders }) => {
  const out = new Headers({ "Cache-Control": "no-store" });
  const retry = actionHeaders.get("Retry-After") ?? loaderHeaders.get("Retry-After");
  if (retry) out.set("Retry-After", retry);
  return out;
};

const REASONS: Record<string, string> = {
  idle: "You were signed out after 15 minutes without activity. Sign in again to continue where you were.",
  expired: "Your session reached its 12-hour limit. Sign in again to continue.",
  revoked: "Your session was ended (signed out here or from another device). Sign in again.",
  access_removed: "Your access to that merchant was removed. Sign in again to use another one.",
  signed_out: "You are signed out.",
};

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const redirectTo = safeRedirect(url.searchParams.get("redirectTo"), "/");
  if (await getOptionalContext(request)) throw redirect(redirectTo);
  const reason = url.searchParams.get("reason");
  return json(
    {
      redirectTo,
      step: (await loginFlow.pending(request)) ? ("code" as const) : ("password" as const),
      notice: reason ? (REASONS[reason] ?? null) : null,
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

const passwordForm = z.object({
  intent: z.literal("password"),
  email: z.string().trim().min(1, "Enter your email.").max(254).email("Enter an email address like name@example.com."),
  password: z.string().min(1, "Enter your password.").max(1024),
  redirectTo: z.string().optional(),
});
const codeForm = z.object({
  intent: z.literal("code"),
  code: z.string().trim().min(1, "Enter the code from your authenticator app or a recovery code.").max(40),
  redirectTo: z.string().optional(),
});
const cancelForm = z.object({ intent: z.literal("cancel") });
const loginForm = z.discriminatedUnion("intent", [passwordForm, codeForm, cancelForm]);

type ActionData = { error: { message: string; field?: string } };

function answer(result: LoginResult, redirectTo: string) {
  switch (result.kind) {
    case "signed_in":
      // No page asked for: the role's home (support has no overview, for instance).
      return redirect(redirectTo === "/" ? result.home : redirectTo, { headers: { "Set-Cookie": result.session.cookie } });
    case "second_factor":
      return redirect(`/login?redirectTo=${encodeURIComponent(redirectTo)}`, {
        headers: { "Set-Cookie": result.session.cookie },
      });
    case "invalid":
      return json<ActionData>({ error: { message: result.message } }, { status: 401 });
    case "locked":
    case "rate_limited":
      return json<ActionData>(
        { error: { message: result.message } },
        { status: 429, headers: { "Retry-After": String(result.retryAfterSeconds) } },
      );
    case "no_access":
      return json<ActionData>({ error: { message: result.message } }, { status: 403 });
  }
}

export async function action({ request }: ActionFunctionArgs) {
  // No session yet, so no token: the Origin check alone stops a foreign site from
  // signing a browser into an account of the attacker's choosing.
  if (!originAllowed(request)) await refuseCsrf(request, "origin");
  const parsed = loginForm.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return json<ActionData>(
      { error: { message: issue?.message ?? "Fill in the form.", field: issue?.path[0]?.toString() } },
      { status: 400 },
    );
  }
  const form = parsed.data;
  if (form.intent === "cancel") {
    await loginFlow.abandon(request);
    return redirect("/login", { headers: { "Set-Cookie": clearSessionCookie(request) } });
  }
  const redirectTo = safeRedirect(form.redirectTo, "/");
  if (form.intent === "password") {
    return answer(await loginFlow.password(request, { email: form.email, password: form.password }), redirectTo);
  }
  return answer(await loginFlow.code(request, { code: form.code }), redirectTo);
}

export default function Login() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const busy = useNavigation().state !== "idle";
  const error = result?.error;
  return (
    <main className="auth-page">
      <section className="card auth-card" aria-labelledby="login-title">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={28} height={28} /> Merchant Console
        </div>
        {data.step === "password" ? (
          <>
            <h1 id="login-title">Sign in</h1>
            {data.notice ? (
              <p className="notice" role="status">
                {data.notice}
              </p>
            ) : null}
            {error ? (
              <p className="error-box error" role="alert" id="login-error">
                {error.message}
              </p>
            ) : null}
            <Form method="post" replace>
              <input type="hidden" name="intent" value="password" />
              <input type="hidden" name="redirectTo" value={data.redirectTo} />
              <div className="field">
                <label htmlFor="email">Email</label>
                <input
                  id="email"
                  name="email"
                  type="email"
                  autoComplete="username"
                  required
                  autoFocus
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? "login-error" : undefined}
                />
              </div>
              <div className="field">
                <label htmlFor="password">Password</label>
                <input
                  id="password"
                  name="password"
                  type="password"
                  autoComplete="current-password"
                  required
                  aria-invalid={error ? true : undefined}
                />
              </div>
              <button type="submit" className="btn btn-primary" disabled={busy}>
                {busy ? "Signing in…" : "Sign in"}
              </button>
            </Form>
          </>
        ) : (
          <>
            <h1 id="login-title">Two-factor sign-in</h1>
            <p>Open your authenticator app and enter the 6-digit code for Merchant Console.</p>
            {error ? (
              <p className="error-box error" role="alert" id="code-error">
                {error.message}
              </p>
            ) : null}
            <Form method="post" replace>
              <input type="hidden" name="intent" value="code" />
              <input type="hidden" name="redirectTo" value={data.redirectTo} />
              <div className="field">
                <label htmlFor="code">Authentication code</label>
                <input
                  id="code"
                  name="code"
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  required
                  autoFocus
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? "code-error code-hint" : "code-hint"}
                />
                <span className="hint" id="code-hint">
                  Lost your phone? Enter one of your recovery codes instead (like abcde-fghjk).
                </span>
              </div>
              <button type="submit" className="btn btn-primary" disabled={busy}>
                Verify
              </button>
            </Form>
            <Form method="post">
              <input type="hidden" name="intent" value="cancel" />
              <p>
                <button type="submit" className="btn-link">
                  Start over with another account
                </button>
              </p>
            </Form>
          </>
        )}
      </section>
    </main>
  );
}
