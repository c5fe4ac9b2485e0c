import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { publicPageTitle } from "~/components/console/meta";
import { AuthCard } from "~/components/auth-card";
import { ErrorSummary, NewPasswordFields, SubmitButton, useFormFailure } from "~/components/form";
import { localize } from "~/lib/i18n/messages";
import { useT } from "~/lib/i18n/react";
import { MIN_PASSWORD_LENGTH } from "~/lib/password-policy";
import { serverTranslator } from "~/modules/i18n/preferences.server";
import { originAllowed, refuseCsrf } from "~/web/guard.server";
import { localeCookie, publicLocale, publicPreferences } from "~/web/locale-cookie.server";
import { resetFlow } from "~/web/password-reset.server";
import { refuse } from "~/web/form.server";
import { readForm } from "~/web/request.server";
import { clearSessionCookie } from "~/web/session-cookie.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => publicPageTitle(data, "reset.pageTitle");

export async function loader({ request, params }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const prefs = publicPreferences(request);
  // The token is in the path: never cached, never sent on as a Referer.
  const headers = new Headers({
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
  });
  if (url.searchParams.has("lang")) headers.append("Set-Cookie", localeCookie(request, prefs.locale));
  const { state, email } = await resetFlow.state(params.token ?? "");
  return json({ prefs, state, email: email ?? null }, { headers, status: state === "valid" ? 200 : 410 });
}

export async function action({ request, params }: ActionFunctionArgs) {
  if (!originAllowed(request)) await refuseCsrf(request, "origin");
  const t = serverTranslator({
    locale: publicLocale(request),
    digits: "native",
  });
  const f = await readForm(request);
  const str = (k: string) => {
    const v = f.get(k);
    return typeof v === "string" ? v.slice(0, 1024) : "";
  };
  const r = await resetFlow.reset(request, {
    token: params.token ?? "",
    password: str("password"),
    confirm: str("confirm"),
  });
  if (r.ok) {
    // Every session ended, this browser's too: sign in with the new password.
    return redirect("/login?reason=password_reset", {
      headers: {
        "Set-Cookie": clearSessionCookie(request),
        "Referrer-Policy": "no-referrer",
      },
    });
  }
  if (r.field === "token") return refuse({ token: t(`reset.state.${r.state}`) }, { status: 410 });
  return refuse({ [r.field]: localize(t, r.message) });
}

export default function ResetPassword() {
  const data = useLoaderData<typeof loader>();
  const form = useFormFailure();
  const { errors } = form;
  const busy = useNavigation().state !== "idle";
  const t = useT();
  const tokenProblem = errors.token ?? (data.state !== "valid" ? t(`reset.state.${data.state}`) : null);
  return (
    <AuthCard titleId="reset-title" title={t("reset.title")} backToLogin>
      {tokenProblem ? (
        <>
          <ErrorSummary errors={{ form: tokenProblem }} />
          <p>
            <Link to="/forgot-password" className="btn btn-primary">
              {t("reset.requestNew")}
            </Link>
          </p>
        </>
      ) : (
        <>
          <p>{t("reset.intro", { email: data.email ?? "" })}</p>
          <ErrorSummary form={form} />
          <Form method="post" replace>
            <input type="text" name="username" autoComplete="username" value={data.email ?? ""} readOnly hidden />
            <NewPasswordFields form={form} label={t("reset.password")} hint={t("reset.hint", { min: MIN_PASSWORD_LENGTH })} confirmLabel={t("reset.confirm")} autoFocus />
            <SubmitButton busy={busy}>{t("reset.submit")}</SubmitButton>
          </Form>
        </>
      )}
    </AuthCard>
  );
}
