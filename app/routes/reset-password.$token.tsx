import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { LOCALES, LOCALE_AUTONYMS, localeDir } from "~/lib/i18n/locales";
import { localize } from "~/lib/i18n/messages";
import { useI18n, useT } from "~/lib/i18n/react";
import { translate } from "~/lib/i18n/translate";
import { MIN_PASSWORD_LENGTH } from "~/lib/password-policy";
import { serverTranslator } from "~/modules/i18n/preferences.server";
import { originAllowed, refuseCsrf } from "~/web/guard.server";
import { localeCookie, publicLocale, publicPreferences } from "~/web/locale-cookie.server";
import { resetFlow } from "~/web/password-reset.server";
import { readForm } from "~/web/request.server";
import { clearSessionCookie } from "~/web/session-cookie.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => {
  const locale = data?.prefs.locale ?? "en";
  return [{ title: translate(locale, "app.pageTitle", { page: translate(locale, "reset.pageTitle") }) }];
};

export async function loader({ request, params }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const prefs = publicPreferences(request);
  // The token is in the path: never cached, never sent on as a Referer.
  const headers = new Headers({ "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" });
  if (url.searchParams.has("lang")) headers.append("Set-Cookie", localeCookie(request, prefs.locale));
  const { state, email } = await resetFlow.state(params.token ?? "");
  return json({ prefs, state, email: email ?? null }, { headers, status: state === "valid" ? 200 : 410 });
}

type ActionData = { error: { message: string; field?: "password" | "confirm" | "token" } };

export async function action({ request, params }: ActionFunctionArgs) {
  if (!originAllowed(request)) await refuseCsrf(request, "origin");
  const t = serverTranslator({ locale: publicLocale(request), digits: "native" });
  const f = await readForm(request);
  const str = (k: string) => {
    const v = f.get(k);
    return typeof v === "string" ? v.slice(0, 1024) : "";
  };
  const r = await resetFlow.reset(request, { token: params.token ?? "", password: str("password"), confirm: str("confirm") });
  if (r.ok) {
    // Every session ended, this browser's too: sign in with the new password.
    return redirect("/login?reason=password_reset", { headers: { "Set-Cookie": clearSessionCookie(request), "Referrer-Policy": "no-referrer" } });
  }
  if (r.field === "token") return json<ActionData>({ error: { field: "token", message: t(`reset.state.${r.state}`) } }, { status: 410 });
  return json<ActionData>({ error: { field: r.field, message: localize(t, r.message) } }, { status: 400 });
}

export default function ResetPassword() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const busy = useNavigation().state !== "idle";
  const t = useT();
  const { prefs } = useI18n();
  const error = result?.error;
  const tokenProblem = error?.field === "token" ? error.message : data.state !== "valid" ? t(`reset.state.${data.state}`) : null;
  return (
    <main className="auth-page">
      <section className="card auth-card" aria-labelledby="reset-title">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={28} height={28} /> {t("app.name")}
        </div>
        <h1 id="reset-title">{t("reset.title")}</h1>
        {tokenProblem ? (
          <>
            <p className="error-box error" role="alert">
              {tokenProblem}
            </p>
            <p>
              <Link to="/forgot-password" className="btn btn-primary">
                {t("reset.requestNew")}
              </Link>
            </p>
          </>
        ) : (
          <>
            <p>{t("reset.intro", { email: data.email ?? "" })}</p>
            {error ? (
              <p className="error-box error" role="alert" id="reset-error">
                {error.message}
              </p>
            ) : null}
            <Form method="post" replace>
              <input type="text" name="username" autoComplete="username" value={data.email ?? ""} readOnly hidden />
              <div className="field">
                <label htmlFor="password">{t("reset.password")}</label>
                <input
                  id="password"
                  name="password"
                  type="password"
                  autoComplete="new-password"
                  minLength={MIN_PASSWORD_LENGTH}
                  required
                  autoFocus
                  aria-invalid={error?.field === "password" ? true : undefined}
                  aria-describedby={error?.field === "password" ? "reset-error reset-hint" : "reset-hint"}
                />
                <span className="hint" id="reset-hint">
                  {t("reset.hint", { min: MIN_PASSWORD_LENGTH })}
                </span>
              </div>
              <div className="field">
                <label htmlFor="confirm">{t("reset.confirm")}</label>
                <input
                  id="confirm"
                  name="confirm"
                  type="password"
                  autoComplete="new-password"
                  required
                  aria-invalid={error?.field === "confirm" ? true : undefined}
                  aria-describedby={error?.field === "confirm" ? "reset-error" : undefined}
                />
              </div>
              <button type="submit" className="btn btn-primary" disabled={busy}>
                {t("reset.submit")}
              </button>
            </Form>
          </>
        )}
        <p className="auth-alt">
          <Link to="/login">{t("forgot.back")}</Link>
        </p>
        <nav className="language-switcher auth-languages" aria-label={t("login.otherLanguage")}>
          {LOCALES.filter((l) => l !== prefs.locale).map((l) => (
            <Link key={l} to={`?lang=${l}`} lang={l} dir={localeDir(l)} hrefLang={l}>
              {LOCALE_AUTONYMS[l]}
            </Link>
          ))}
        </nav>
      </section>
    </main>
  );
}
