import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { RouteErrorBoundary } from "~/components/route-error";
import { LOCALES, LOCALE_AUTONYMS, localeDir } from "~/lib/i18n/locales";
import { errorText, localize } from "~/lib/i18n/messages";
import { useI18n, useT } from "~/lib/i18n/react";
import { isMessageKey, translate } from "~/lib/i18n/translate";
import { MIN_PASSWORD_LENGTH } from "~/lib/password-policy";
import { originAllowed, refuseCsrf } from "~/web/guard.server";
import { signInAfterInvitation } from "~/modules/auth/invite-sign-in.server";
import { readForm } from "~/web/request.server";
import { serverTranslator } from "~/modules/i18n/preferences.server";
import { localeCookie, publicPreferences } from "~/web/locale-cookie.server";
import { acceptInvitation, findInvitation, invitationProblemLocalized, StaffError } from "~/modules/staff/staff.server";
import { clientOf } from "~/web/request.server";
import { browserOf, withCookie } from "~/web/sign-in.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => {
  const locale = data?.prefs.locale ?? "en";
  return [{ title: translate(locale, "app.pageTitle", { page: translate(locale, "invite.pageTitle") }) }];
};

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
  const headers = new Headers({ "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" });
  if (new URL(request.url).searchParams.has("lang")) headers.append("Set-Cookie", localeCookie(request, prefs.locale));
  return json(
    { email: inv.email, merchantName: inv.merchantName, role: inv.role, existingUser: inv.existingUser, expiresAt: inv.expiresAt, prefs },
    { headers },
  );
}

const acceptForm = z.object({
  name: z.string().max(200).optional(),
  // Messages are catalog keys, translated in the action.
  password: z.string().min(1, "invite.error.passwordRequired").max(1024),
  confirm: z.string().max(1024).optional(),
});

type ActionData = { error: { message: string; field?: string } };

export async function action({ request, params }: ActionFunctionArgs) {
  // No session yet: the token in the URL and the Origin check are what protect this form.
  if (!originAllowed(request)) await refuseCsrf(request, "origin");
  const t = serverTranslator(publicPreferences(request));
  const parsed = acceptForm.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const message = issue && isMessageKey(issue.message) ? t(issue.message) : t("staff.error.checkForm");
    return json<ActionData>({ error: { message, field: issue?.path[0]?.toString() } }, { status: 400 });
  }
  const input = parsed.data;
  if (input.confirm !== undefined && input.confirm !== input.password) {
    return json<ActionData>({ error: { message: t("invite.error.confirmMismatch"), field: "confirm" } }, { status: 400 });
  }
  try {
    const accepted = await acceptInvitation(params.merchantId ?? "", params.token ?? "", input, clientOf(request));
    const session = withCookie(request, await signInAfterInvitation(browserOf(request), accepted));
    return redirect("/", { headers: { "Set-Cookie": session.cookie } });
  } catch (e) {
    if (e instanceof StaffError) return json<ActionData>({ error: { message: errorText(t, e), field: e.field } }, { status: e.status });
    throw e;
  }
}

export default function AcceptInvitation() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const error = result?.error;
  const t = useT();
  const { prefs } = useI18n();
  return (
    <main className="auth-page">
      <section className="card auth-card" aria-labelledby="invite-title">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={28} height={28} /> {t("app.name")}
        </div>
        <h1 id="invite-title">{t("invite.title", { merchant: data.merchantName })}</h1>
        <p>{t("invite.invitedAs", { role: t(`role.${data.role}`), email: data.email })}</p>
        {error ? (
          <p className="error-box error" role="alert">
            {error.message}
          </p>
        ) : null}
        <Form method="post">
          {data.existingUser ? (
            <div className="field">
              <label htmlFor="password">{t("login.password")}</label>
              <input id="password" name="password" type="password" autoComplete="current-password" required aria-describedby="pw-hint" />
              <span className="hint" id="pw-hint">
                {t("invite.existingHint")}
              </span>
            </div>
          ) : (
            <>
              <div className="field">
                <label htmlFor="name">{t("invite.name")}</label>
                <input id="name" name="name" autoComplete="name" required />
              </div>
              <div className="field">
                <label htmlFor="password">{t("login.password")}</label>
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
                  {t("invite.passwordHint", { min: MIN_PASSWORD_LENGTH })}
                </span>
              </div>
              <div className="field">
                <label htmlFor="confirm">{t("invite.confirm")}</label>
                <input id="confirm" name="confirm" type="password" autoComplete="new-password" required />
              </div>
            </>
          )}
          <button type="submit" className="btn btn-primary">
            {t("invite.submit")}
          </button>
        </Form>
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

export function ErrorBoundary() {
  return (
    <main className="auth-page">
      <section className="card auth-card">
        <RouteErrorBoundary />
      </section>
    </main>
  );
}
