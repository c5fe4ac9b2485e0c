import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { LOCALES, LOCALE_AUTONYMS, localeDir } from "~/lib/i18n/locales";
import { useI18n, useT } from "~/lib/i18n/react";
import { translate } from "~/lib/i18n/translate";
import { RESET_LIFETIME_MS } from "~/modules/auth/password-reset.server";
import { serverTranslator } from "~/modules/i18n/preferences.server";
import { getOptionalContext, originAllowed, refuseCsrf } from "~/web/guard.server";
import { localeCookie, publicLocale, publicPreferences } from "~/web/locale-cookie.server";
import { resetFlow } from "~/web/password-reset.server";
import { readForm } from "~/web/request.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => {
  const locale = data?.prefs.locale ?? "en";
  return [{ title: translate(locale, "app.pageTitle", { page: translate(locale, "forgot.pageTitle") }) }];
};

export const headers: HeadersFunction = ({ actionHeaders }) => {
  const out = new Headers({ "Cache-Control": "no-store" });
  const retry = actionHeaders.get("Retry-After");
  if (retry) out.set("Retry-After", retry);
  return out;
};

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getOptionalContext(request)) throw redirect("/settings/security");
  const url = new URL(request.url);
  const prefs = publicPreferences(request);
  const headers = new Headers({ "Cache-Control": "no-store" });
  if (url.searchParams.has("lang")) headers.append("Set-Cookie", localeCookie(request, prefs.locale));
  return json({ prefs }, { headers });
}

const form = z.object({ email: z.string().trim().min(3).max(320).regex(/^[^\s@]+@[^\s@]+$/) });

type ActionData = { sent: string } | { error: { message: string; field?: "email" } };

export async function action({ request }: ActionFunctionArgs) {
  // No session: the Origin check keeps other sites from filling someone's mailbox with links.
  if (!originAllowed(request)) await refuseCsrf(request, "origin");
  const locale = publicLocale(request);
  const t = serverTranslator({ locale, digits: "native" });
  const parsed = form.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) {
    return json<ActionData>({ error: { message: t("forgot.error.email", { example: "name@example.com" }), field: "email" } }, { status: 400 });
  }
  const r = await resetFlow.request(request, { email: parsed.data.email, locale });
  if (r.kind === "rate_limited") {
    return json<ActionData>(
      { error: { message: t("forgot.rateLimited", { minutes: Math.max(1, Math.ceil(r.retryAfterSeconds / 60)) }) } },
      { status: 429, headers: { "Retry-After": String(r.retryAfterSeconds) } },
    );
  }
  // The same answer whether or not the address has an account.
  return json<ActionData>({ sent: t("forgot.sent", { email: parsed.data.email, minutes: RESET_LIFETIME_MS / 60_000 }) });
}

export default function ForgotPassword() {
  useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const busy = useNavigation().state !== "idle";
  const t = useT();
  const { prefs } = useI18n();
  const error = result && "error" in result ? result.error : null;
  return (
    <main className="auth-page">
      <section className="card auth-card" aria-labelledby="forgot-title">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={28} height={28} /> {t("app.name")}
        </div>
        <h1 id="forgot-title">{t("forgot.title")}</h1>
        {result && "sent" in result ? (
          <p className="success-box" role="status">
            {result.sent}
          </p>
        ) : (
          <>
            <p>{t("forgot.intro")}</p>
            {error ? (
              <p className="error-box error" role="alert" id="forgot-error">
                {error.message}
              </p>
            ) : null}
            <Form method="post" replace>
              <div className="field">
                <label htmlFor="email">{t("forgot.email")}</label>
                <input
                  id="email"
                  name="email"
                  type="email"
                  dir="ltr"
                  autoComplete="username"
                  required
                  autoFocus
                  aria-invalid={error?.field === "email" ? true : undefined}
                  aria-describedby={error ? "forgot-error" : undefined}
                />
              </div>
              <button type="submit" className="btn btn-primary" disabled={busy}>
                {t("forgot.submit")}
              </button>
            </Form>
          </>
        )}
        <p className="auth-alt">
          <Link to="/login">{t("forgot.back")}</Link>
        </p>
        <nav className="language-switcher auth-languages" aria-label={t("login.otherLanguage")}>
          {LOCALES.filter((l) => l !== prefs.locale).map((l) => (
            <Link key={l} to={`/forgot-password?lang=${l}`} lang={l} dir={localeDir(l)} hrefLang={l}>
              {LOCALE_AUTONYMS[l]}
            </Link>
          ))}
        </nav>
      </section>
    </main>
  );
}
