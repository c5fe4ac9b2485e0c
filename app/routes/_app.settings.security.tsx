import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { CsrfInput } from "~/components/csrf";
import { PreferencesForm } from "~/components/preferences-form";
import { RouteErrorBoundary } from "~/components/route-error";
import { StepUpFields } from "~/components/step-up";
import { checkStepUp, requireAction, requireContext } from "~/modules/access/guard.server";
import {
  AccountError,
  cancelTotpEnrollment,
  changePassword,
  confirmTotpEnrollment,
  disableTotp,
  listActiveSessions,
  regenerateRecoveryCodes,
  revokeOwnSession,
  setRequire2fa,
  signOutEverywhere,
  startTotpEnrollment,
  twoFactorView,
} from "~/modules/auth/account.server";
import { MIN_PASSWORD_LENGTH } from "~/lib/password-policy";
import { clearSessionCookie } from "~/modules/auth/session.server";

export const meta: MetaFunction = () => [{ title: "Security · Merchant Console" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request);
  const [sessions, twoFactor] = await Promise.all([listActiveSessions(ctx), twoFactorView(ctx)]);
  return json(
    {
      email: ctx.user.email,
      merchantName: ctx.merchant.name,
      isOwner: ctx.role === "owner",
      require2fa: ctx.merchant.require2fa,
      sessions,
      twoFactor,
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

const securityForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("revoke-session"), sessionId: z.string().min(1).max(64) }),
  z.object({ intent: z.literal("sign-out-everywhere") }),
  z.object({ intent: z.literal("totp-start") }),
  z.object({ intent: z.literal("totp-cancel") }),
  z.object({ intent: z.literal("totp-confirm"), code: z.string().trim().min(1, "Enter the 6-digit code from your app.").max(20) }),
  z.object({ intent: z.literal("totp-disable") }),
  z.object({ intent: z.literal("recovery-regenerate") }),
  z.object({ intent: z.literal("require-2fa"), on: z.enum(["true", "false"]) }),
  z.object({
    intent: z.literal("change-password"),
    current: z.string().min(1, "Enter your current password.").max(1024),
    next: z.string().max(1024),
    confirm: z.string().max(1024),
  }),
]);

type ActionData =
  | { recoveryCodes: string[]; intent: string }
  | { error: { message: string; field?: string; code?: string }; intent: string };

export async function action({ request }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, null);
  const parsed = securityForm.safeParse(Object.fromEntries(form));
  const intent = String(form.get("intent") ?? "");
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return json<ActionData>({ error: { message: issue?.message ?? "Check the form.", field: issue?.path[0]?.toString() }, intent }, { status: 400 });
  }
  const input = parsed.data;
  const signedOut = () =>
    redirect("/login?reason=signed_out", { headers: { "Set-Cookie": clearSessionCookie(request) } });
  try {
    switch (input.intent) {
      case "revoke-session": {
        const { current } = await revokeOwnSession(ctx, input.sessionId, request);
        return current ? signedOut() : redirect("/settings/security?done=session-ended");
      }
      case "sign-out-everywhere":
        await signOutEverywhere(ctx, request);
        return signedOut();
      case "totp-start":
        await startTotpEnrollment(ctx, request);
        return redirect("/settings/security#two-factor");
      case "totp-cancel":
        await cancelTotpEnrollment(ctx);
        return redirect("/settings/security");
      case "totp-confirm":
        return json<ActionData>({ recoveryCodes: await confirmTotpEnrollment(ctx, input.code, request), intent });
      case "totp-disable":
      case "recovery-regenerate": {
        const problem = await checkStepUp(ctx, form, request);
        if (problem) return json<ActionData>({ error: problem, intent }, { status: 403 });
        if (input.intent === "totp-disable") {
          await disableTotp(ctx, request);
          return redirect("/settings/security?done=2fa-off");
        }
        return json<ActionData>({ recoveryCodes: await regenerateRecoveryCodes(ctx, request), intent });
      }
      case "require-2fa":
        await setRequire2fa(ctx, input.on === "true", request);
        return redirect(`/settings/security?done=${input.on === "true" ? "required-on" : "required-off"}`);
      case "change-password":
        if (input.next !== input.confirm) {
          return json<ActionData>({ error: { message: "The two new passwords are not the same.", field: "confirm" }, intent }, { status: 400 });
        }
        await changePassword(ctx, { current: input.current, next: input.next }, request);
        return redirect("/settings/security?done=password");
    }
  } catch (e) {
    if (e instanceof AccountError) return json<ActionData>({ error: { message: e.message, field: e.field }, intent }, { status: e.status });
    throw e;
  }
}

const DONE: Record<string, string> = {
  "session-ended": "That session was signed out.",
  "2fa-off": "Two-factor sign-in is off. Your recovery codes no longer work.",
  "required-on": "Every member now needs two-factor sign-in to use this merchant.",
  "required-off": "Two-factor sign-in is no longer required (members may still use it).",
  password: "Your password was changed. Your other sessions were signed out.",
};

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC" : "—";
}

function ErrorFor({ result, intent }: { result: ActionData | undefined; intent: string | string[] }) {
  const list = Array.isArray(intent) ? intent : [intent];
  if (!result || !("error" in result) || !list.includes(result.intent)) return null;
  return (
    <p className="error-box error" role="alert">
      {result.error.message}
    </p>
  );
}

function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <div className="success-box" role="status">
      <p>
        <strong>Save these recovery codes now.</strong> Each works once, if you lose your phone. They will not be shown
        again.
      </p>
      <ol className="recovery-codes" style={{ fontFamily: "monospace", columns: 2 }}>
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ol>
    </div>
  );
}

export default function Security() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const busy = useNavigation().state === "submitting";
  const [params] = useSearchParams();
  const done = params.get("done");
  const tf = data.twoFactor;
  const codes = result && "recoveryCodes" in result ? result.recoveryCodes : null;
  const stepUpError =
    result && "error" in result && result.error.code === "step_up_required" && result.error.message !== "Confirm your password to continue"
      ? result.error.message
      : null;

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Security</h1>
          <p>Your sign-in, two-factor and sessions ({data.email}).</p>
        </div>
      </div>
      {params.get("required") === "2fa" && !tf.enabled ? (
        <p className="notice" role="status">
          {data.merchantName} requires two-factor sign-in. Set it up below to continue using the console.
        </p>
      ) : null}
      {done && DONE[done] ? (
        <p className="success-box" role="status">
          {DONE[done]}
        </p>
      ) : null}

      <section className="card" id="two-factor" aria-labelledby="tf-title">
        <h2 id="tf-title">Two-factor sign-in</h2>
        <ErrorFor result={result} intent={["totp-start", "totp-confirm", "totp-disable", "recovery-regenerate"]} />
        {codes ? <RecoveryCodes codes={codes} /> : null}
        {tf.enabled ? (
          <>
            <p>
              <span className="badge badge-active">On</span> since {when(tf.enabledAt)}. Recovery codes left: {tf.recoveryCodesLeft} of 10.
            </p>
            {tf.requiredBy.length > 0 ? (
              <p className="muted">Required by {tf.requiredBy.join(", ")}, so it cannot be turned off.</p>
            ) : null}
            <Form method="post">
              <CsrfInput />
              <StepUpFields error={stepUpError} />
              <div className="form-row">
                <button type="submit" name="intent" value="recovery-regenerate" className="btn" disabled={busy}>
                  New recovery codes
                </button>
                {tf.requiredBy.length === 0 ? (
                  <button type="submit" name="intent" value="totp-disable" className="btn btn-danger" disabled={busy}>
                    Turn off two-factor
                  </button>
                ) : null}
              </div>
            </Form>
          </>
        ) : tf.enrollment ? (
          <>
            <ol>
              <li>Open an authenticator app (Google Authenticator, 1Password, Authy…).</li>
              <li>Scan this QR code, or type the secret below.</li>
              <li>Enter the 6-digit code the app shows.</li>
            </ol>
            <div
              className="qr"
              role="img"
              aria-label="QR code for your authenticator app"
              style={{ width: 200, height: 200, background: "#fff" }}
              dangerouslySetInnerHTML={{ __html: tf.enrollment.qrSvg }}
            />
            <p>
              Secret: <code data-testid="totp-secret">{tf.enrollment.secret}</code>
            </p>
            <Form method="post" className="form-row">
              <CsrfInput />
              <input type="hidden" name="intent" value="totp-confirm" />
              <div className="field">
                <label htmlFor="totp-code">Code from the app</label>
                <input id="totp-code" name="code" inputMode="numeric" autoComplete="one-time-code" required maxLength={7} />
              </div>
              <button type="submit" className="btn btn-primary" disabled={busy}>
                Turn on
              </button>
            </Form>
            <Form method="post">
              <CsrfInput />
              <button type="submit" name="intent" value="totp-cancel" className="btn-link">
                Cancel set-up
              </button>
            </Form>
          </>
        ) : (
          <>
            <p>
              <span className="badge">Off</span> Add a code from your phone to your password, so a stolen password alone
              cannot sign in.
            </p>
            <Form method="post">
              <CsrfInput />
              <button type="submit" name="intent" value="totp-start" className="btn btn-primary" disabled={busy}>
                Set up two-factor sign-in
              </button>
            </Form>
          </>
        )}
      </section>

      {data.isOwner ? (
        <section className="card" aria-labelledby="req-title">
          <h2 id="req-title">Require two-factor for {data.merchantName}</h2>
          <ErrorFor result={result} intent="require-2fa" />
          <p>
            {data.require2fa
              ? "Every member must use two-factor sign-in. Members without it are sent here to set it up."
              : "Members may choose whether to use two-factor sign-in."}
          </p>
          <Form method="post">
            <CsrfInput />
            <input type="hidden" name="intent" value="require-2fa" />
            <button type="submit" name="on" value={data.require2fa ? "false" : "true"} className="btn" disabled={busy}>
              {data.require2fa ? "Stop requiring two-factor" : "Require two-factor for all staff"}
            </button>
          </Form>
        </section>
      ) : null}

      <section className="card" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Where you are signed in</h2>
        <ErrorFor result={result} intent={["revoke-session", "sign-out-everywhere"]} />
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">IP address</th>
                <th scope="col">Merchant</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last seen</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.sessions.map((s) => (
                <tr key={s.id}>
                  <td>
                    {s.device}
                    {s.current ? <span className="badge badge-active"> This device</span> : null}
                  </td>
                  <td>{s.ip ?? "—"}</td>
                  <td>{s.merchantName ?? "—"}</td>
                  <td>{when(s.createdAt)}</td>
                  <td>{when(s.lastSeenAt)}</td>
                  <td>
                    <Form method="post" className="inline-form">
                      <CsrfInput />
                      <input type="hidden" name="sessionId" value={s.id} />
                      <button type="submit" name="intent" value="revoke-session" className="btn">
                        {s.current ? "Sign out" : "Revoke"}
                      </button>
                    </Form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Form method="post" style={{ marginBlockStart: "1rem" }}>
          <CsrfInput />
          <button type="submit" name="intent" value="sign-out-everywhere" className="btn btn-danger">
            Sign out everywhere
          </button>
        </Form>
      </section>

      <section className="card" aria-labelledby="pw-title">
        <h2 id="pw-title">Change password</h2>
        <ErrorFor result={result} intent="change-password" />
        <Form method="post">
          <CsrfInput />
          <input type="hidden" name="intent" value="change-password" />
          <div className="field">
            <label htmlFor="pw-current">Current password</label>
            <input id="pw-current" name="current" type="password" autoComplete="current-password" required />
          </div>
          <div className="field">
            <label htmlFor="pw-next">New password</label>
            <input id="pw-next" name="next" type="password" autoComplete="new-password" minLength={MIN_PASSWORD_LENGTH} required aria-describedby="pw-hint" />
            <span className="hint" id="pw-hint">
              At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words make a strong, memorable password.
            </span>
          </div>
          <div className="field">
            <label htmlFor="pw-confirm">New password again</label>
            <input id="pw-confirm" name="confirm" type="password" autoComplete="new-password" required />
          </div>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Change password
          </button>
        </Form>
      </section>

      <section className="card" id="preferences">
        <PreferencesForm />
      </section>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
