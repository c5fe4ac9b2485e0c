import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { publicPageTitle } from "~/components/console/meta";
import { AuthCard } from "~/components/auth-card";
import { ErrorSummary, Field, NewPasswordFields, useFormFailure } from "~/components/form";
import { FORM_ERROR } from "~/lib/forms";
import { z } from "zod";
import { RouteErrorBoundary } from "~/components/route-error";
import { errorText, localize } from "~/lib/i18n/messages";
import { useT } from "~/lib/i18n/react";
import { MIN_PASSWORD_LENGTH } from "~/lib/password-policy";
import { originAllowed, refuseCsrf } from "~/web/guard.server";
import { signInAfterInvitation } from "~/modules/auth/invite-sign-in.server";
import { parseForm, refuse } from "~/web/form.server";
import { readForm } from "~/web/request.server";
import { serverTranslator } from "~/modules/i18n/preferences.server";
import { localeCookie, publicPreferences } from "~/web/locale-cookie.server";
import { acceptInvitation, findInvitation, invitationProblemLocalized, StaffError } from "~/modules/staff/staff.server";
import { clientOf } from "~/web/request.server";
import { browserOf, withCookie } from "~/web/sign-in.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => publicPageTitle(data, "invite.pageTitle");

export async function loader({ request, params }: LoaderFunctionArgs) {
  // Before sign-in the language is the one asked for (?lang) or remembered (cookie), else English.
  const prefs = publicPreferences(request);
  const t = serverTranslator(prefs);
  const found = await findInvitation(params.merchantId ?? "", params.token ?? "");
  if (found.status !== "open") {
    throw new Response(localize(t, invitationProblemLocalized(found.status)), {
      status: found.status === "unknown" ? 404 : 410,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const inv = found.invitation;
  // The URL carries a secret: keep it out of caches and Referer headers.
  const headers = new Headers({
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
  });
  if (new URL(request.url).searchParams.has("lang")) headers.append("Set-Cookie", localeCookie(request, prefs.locale));
  return json(
    {
      email: inv.email,
      merchantName: inv.merchantName,
      role: inv.role,
      existingUser: inv.existingUser,
      expiresAt: inv.expiresAt,
      prefs,
    },
    { headers }
  );
}

const acceptForm = z.object({
  name: z.string().max(200).optional(),
  // Messages are catalog keys, translated in the action.
  password: z.string().min(1, "invite.error.passwordRequired").max(1024),
  confirm: z.string().max(1024).optional(),
});

export async function action({ request, params }: ActionFunctionArgs) {
  // No session yet: the token in the URL and the Origin check are what protect this form.
  if (!originAllowed(request)) await refuseCsrf(request, "origin");
  const t = serverTranslator(publicPreferences(request));
  const form = await readForm(request);
  const parsed = parseForm(acceptForm, form, t, "staff.error.checkForm");
  if (!parsed.ok) return refuse(parsed.errors, { values: form });
  const input = parsed.data;
  if (input.confirm !== undefined && input.confirm !== input.password) {
    return refuse({ confirm: t("invite.error.confirmMismatch") }, { values: form });
  }
  try {
    const accepted = await acceptInvitation(params.merchantId ?? "", params.token ?? "", input, clientOf(request));
    const session = withCookie(request, await signInAfterInvitation(browserOf(request), accepted));
    return redirect("/", { headers: { "Set-Cookie": session.cookie } });
  } catch (e) {
    if (e instanceof StaffError) return refuse({ [e.field ?? FORM_ERROR]: errorText(t, e) }, { status: e.status, values: form });
    throw e;
  }
}

export default function AcceptInvitation() {
  const data = useLoaderData<typeof loader>();
  const form = useFormFailure();
  const t = useT();
  return (
    <AuthCard titleId="invite-title" title={t("invite.title", { merchant: data.merchantName })}>
      <p>
        {t("invite.invitedAs", {
          role: t(`role.${data.role}`),
          email: data.email,
        })}
      </p>
      <ErrorSummary form={form} />
      <Form method="post">
        {data.existingUser ? (
          <Field
            form={form}
            name="password"
            label={t("login.password")}
            hint={t("invite.existingHint")}
            type="password"
            autoComplete="current-password"
            required
          />
        ) : (
          <>
            <Field form={form} name="name" label={t("invite.name")} autoComplete="name" required />
            <NewPasswordFields form={form} label={t("login.password")} hint={t("invite.passwordHint", { min: MIN_PASSWORD_LENGTH })} confirmLabel={t("invite.confirm")} />
          </>
        )}
        <button type="submit" className="btn btn-primary">
          {t("invite.submit")}
        </button>
      </Form>
    </AuthCard>
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
