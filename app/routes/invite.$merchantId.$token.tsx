import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { RouteErrorBoundary } from "~/components/route-error";
import { MIN_PASSWORD_LENGTH } from "~/lib/password-policy";
import { ROLE_LABELS } from "~/lib/permissions";
import { originAllowed, refuseCsrf } from "~/modules/access/guard.server";
import { signInAfterInvitation } from "~/modules/auth/invite-sign-in.server";
import { readForm } from "~/modules/auth/request.server";
import { acceptInvitation, findInvitation, invitationProblem, StaffError } from "~/modules/staff/staff.server";

export const meta: MetaFunction = () => [{ title: "Join a merchant · Merchant Console" }];

export async function loader({ params }: LoaderFunctionArgs) {
  const found = await findInvitation(params.merchantId ?? "", params.token ?? "");
  if (found.status !== "open") {
    throw new Response(invitationProblem(found.status), {
      status: found.status === "unknown" ? 404 : 410,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const inv = found.invitation;
  return json(
    { email: inv.email, merchantName: inv.merchantName, role: inv.role, existingUser: inv.existingUser, expiresAt: inv.expiresAt },
    // The URL carries a secret: keep it out of caches and Referer headers.
    { headers: { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" } },
  );
}

const acceptForm = z.object({
  name: z.string().max(200).optional(),
  password: z.string().min(1, "Enter a password.").max(1024),
  confirm: z.string().max(1024).optional(),
});

type ActionData = { error: { message: string; field?: string } };

export async function action({ request, params }: ActionFunctionArgs) {
  // No session yet: the token in the URL and the Origin check are what protect this form.
  if (!originAllowed(request)) await refuseCsrf(request, "origin");
  const parsed = acceptForm.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return json<ActionData>({ error: { message: issue?.message ?? "Check the form.", field: issue?.path[0]?.toString() } }, { status: 400 });
  }
  const input = parsed.data;
  if (input.confirm !== undefined && input.confirm !== input.password) {
    return json<ActionData>({ error: { message: "The two passwords are not the same.", field: "confirm" } }, { status: 400 });
  }
  try {
    const accepted = await acceptInvitation(params.merchantId ?? "", params.token ?? "", input, request);
    const cookie = await signInAfterInvitation(request, accepted);
    return redirect("/", { headers: { "Set-Cookie": cookie } });
  } catch (e) {
    if (e instanceof StaffError) return json<ActionData>({ error: { message: e.message, field: e.field } }, { status: e.status });
    throw e;
  }
}

export default function AcceptInvitation() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const error = result?.error;
  return (
    <main className="auth-page">
      <section className="card auth-card" aria-labelledby="invite-title">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={28} height={28} /> Merchant Console
        </div>
        <h1 id="invite-title">Join {data.merchantName}</h1>
        <p>
          You were invited as <strong>{ROLE_LABELS[data.role]}</strong> ({data.email}).
        </p>
        {error ? (
          <p className="error-box error" role="alert">
            {error.message}
          </p>
        ) : null}
        <Form method="post">
          {data.existingUser ? (
            <div className="field">
              <label htmlFor="password">Password</label>
              <input id="password" name="password" type="password" autoComplete="current-password" required aria-describedby="pw-hint" />
              <span className="hint" id="pw-hint">
                You already have an account: enter its password to accept.
              </span>
            </div>
          ) : (
            <>
              <div className="field">
                <label htmlFor="name">Your name</label>
                <input id="name" name="name" autoComplete="name" required />
              </div>
              <div className="field">
                <label htmlFor="password">Password</label>
                <input
                  id="password"
                  name="password"
                  type="password"
                  autoComplete="new-password"
                  minLength={MIN_PASSWORD_LENGTH}
                  required
                  aria-describedby="pw-hint"
                />
                <span className="hint" id="pw-hint">
                  At least {MIN_PASSWORD_LENGTH} characters.
                </span>
              </div>
              <div className="field">
                <label htmlFor="confirm">Password again</label>
                <input id="confirm" name="confirm" type="password" autoComplete="new-password" required />
              </div>
            </>
          )}
          <button type="submit" className="btn btn-primary">
            Accept and sign in
          </button>
        </Form>
      </section>
    </main>
  );
}

export function ErrorBoundary() {
  return (
    <main className="auth-page">
      <section className="card auth-card">
        <RouteErrorBoundary />
      </section>
    </main>
  );
}
