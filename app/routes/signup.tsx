import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { LOCALES, LOCALE_AUTONYMS, localeDir } from "~/lib/i18n/locales";
import { localize } from "~/lib/i18n/messages";
import { useFormat, useI18n, useT } from "~/lib/i18n/react";
import { translate, type Translator } from "~/lib/i18n/translate";
import { getOptionalContext, originAllowed, refuseCsrf } from "~/web/guard.server";
import { readForm } from "~/web/request.server";
import { MIN_PASSWORD_LENGTH, passwordProblemLocalized } from "~/modules/auth/password.server";
import { serverTranslator } from "~/modules/i18n/preferences.server";
import { localeCookie, publicPreferences } from "~/web/locale-cookie.server";
import { SIGNUP_COUNTRIES, signUp } from "~/modules/merchants/signup.server";
import { clientOf } from "~/web/request.server";
import { withCookie } from "~/web/sign-in.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => {
  const locale = data?.prefs.locale ?? "en";
  return [{ title: translate(locale, "app.pageTitle", { page: translate(locale, "signup.title") }) }];
};

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getOptionalContext(request)) throw redirect("/");
  // Before sign-in the language is the one asked for (?lang) or remembered (cookie), else English.
  const prefs = publicPreferences(request);
  const headers = new Headers({ "Cache-Control": "no-store" });
  if (new URL(request.url).searchParams.has("lang")) headers.append("Set-Cookie", localeCookie(request, prefs.locale));
  return json(
    {
      countries: Object.entries(SIGNUP_COUNTRIES).map(([code, c]) => ({ code, ...c })),
      minPassword: MIN_PASSWORD_LENGTH,
      prefs,
    },
    { headers }
  );
}

/** The module's refusals are English sentences; the reader gets the same reason in their language, by field. */
function fieldMessage(t: Translator, field: string, english: string, password: string): string {
  switch (field) {
    case "businessName":
      return t("signup.error.businessName", { max: 100 });
    case "ownerName":
      return t("signup.error.ownerName", { max: 100 });
    case "email":
      return /exists/.test(english) ? t("signup.error.emailTaken") : t("staff.error.emailInvalid", { example: "name@example.com" });
    case "password": {
      const problem = passwordProblemLocalized(password);
      return problem ? localize(t, problem) : t("password.error.tooLong", { max: 1024 });
    }
    case "country":
      return t("signup.error.country");
    case "timeZone":
      return t("signup.error.timeZone", { example: "Asia/Tehran" });
    default:
      return english;
  }
}

type ActionData = { error: { message: string; field?: string }; values: Record<string, string> };

export async function action({ request }: ActionFunctionArgs) {
  // No session yet, so no CSRF token: the Origin check stops another site from
  // creating an account in a visitor's browser.
  if (!originAllowed(request)) await refuseCsrf(request, "origin");
  const t = serverTranslator(publicPreferences(request));
  // readForm: the edge's check of every field (400 naming it); an unreadable body is an empty form.
  const form: Record<string, FormDataEntryValue> = Object.fromEntries(await readForm(request));
  if (Object.keys(form).length === 0) {
    return json<ActionData>({ error: { message: t("signup.error.fillForm") }, values: {} }, { status: 400 });
  }
  const input = Object.fromEntries(Object.entries(form).map(([k, v]) => [k, typeof v === "string" ? v : ""]));
  const result = await signUp(clientOf(request), {
    businessName: input.businessName ?? "",
    ownerName: input.ownerName ?? "",
    email: input.email ?? "",
    password: input.password ?? "",
    country: (input.country ?? "") as never,
    timeZone: input.timeZone || undefined,
    locale: input.locale === "fa" ? "fa" : "en",
  });
  const { password: _omit, ...values } = input;
  switch (result.kind) {
    case "created":
      return redirect("/onboarding", { headers: { "Set-Cookie": withCookie(request, result.session).cookie } });
    case "invalid":
      return json<ActionData>(
        { error: { message: fieldMessage(t, result.field, result.message, input.password ?? ""), field: result.field }, values },
        { status: result.field === "email" && /exists/.test(result.message) ? 409 : 400 }
      );
    case "rate_limited":
      return json<ActionData>(
        { error: { message: t("signup.error.rateLimited", { minutes: Math.max(1, Math.ceil(result.retryAfterSeconds / 60)) }) }, values },
        { status: 429, headers: { "Retry-After": String(result.retryAfterSeconds) } }
      );
  }
}

function FieldError({ id, data, field }: { id: string; data?: ActionData; field: string }) {
  if (data?.error.field !== field) return null;
  return (
    <span className="field-error" id={id} role="alert">
      {data.error.message}
    </span>
  );
}

export default function Signup() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const busy = useNavigation().state !== "idle";
  const v = result?.values ?? {};
  const invalid = (field: string) => (result?.error.field === field ? true : undefined);
  const describedBy = (field: string, hint?: string) =>
    [result?.error.field === field ? `${field}-error` : null, hint].filter(Boolean).join(" ") || undefined;
  const t = useT();
  const fmt = useFormat();
  const { prefs } = useI18n();
  const regionName = new Intl.DisplayNames(fmt.locale, { type: "region" });
  const currencyName = new Intl.DisplayNames(fmt.locale, { type: "currency" });
  return (
    <main className="auth-page">
      <section className="card auth-card" aria-labelledby="signup-title">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={28} height={28} /> {t("app.name")}
        </div>
        <h1 id="signup-title">{t("signup.title")}</h1>
        <p className="muted">{t("signup.intro")}</p>
        {result?.error && !result.error.field ? (
          <p className="error-box error" role="alert">
            {result.error.message}
          </p>
        ) : null}
        <Form method="post" replace noValidate>
          <div className="field">
            <label htmlFor="businessName">{t("settings.details.name")}</label>
            <input
              id="businessName"
              name="businessName"
              required
              defaultValue={v.businessName}
              autoComplete="organization"
              aria-invalid={invalid("businessName")}
              aria-describedby={describedBy("businessName")}
            />
            <FieldError id="businessName-error" data={result} field="businessName" />
          </div>
          <div className="field">
            <label htmlFor="ownerName">{t("invite.name")}</label>
            <input
              id="ownerName"
              name="ownerName"
              required
              defaultValue={v.ownerName}
              autoComplete="name"
              aria-invalid={invalid("ownerName")}
              aria-describedby={describedBy("ownerName")}
            />
            <FieldError id="ownerName-error" data={result} field="ownerName" />
          </div>
          <div className="field">
            <label htmlFor="email">{t("login.email")}</label>
            <input
              id="email"
              name="email"
              type="email"
              dir="ltr"
              required
              defaultValue={v.email}
              autoComplete="username"
              aria-invalid={invalid("email")}
              aria-describedby={describedBy("email")}
            />
            <FieldError id="email-error" data={result} field="email" />
          </div>
          <div className="field">
            <label htmlFor="password">{t("login.password")}</label>
            <input
              id="password"
              name="password"
              type="password"
              required
              minLength={data.minPassword}
              autoComplete="new-password"
              aria-invalid={invalid("password")}
              aria-describedby={describedBy("password", "password-hint")}
            />
            <span className="hint" id="password-hint">
              {t("signup.passwordHint", { min: data.minPassword })}
            </span>
            <FieldError id="password-error" data={result} field="password" />
          </div>
          <div className="field">
            <label htmlFor="country">{t("signup.country")}</label>
            <select
              id="country"
              name="country"
              defaultValue={v.country ?? "IR"}
              aria-invalid={invalid("country")}
              aria-describedby={describedBy("country", "country-hint")}
            >
              {data.countries.map((c) => (
                <option key={c.code} value={c.code}>
                  {regionName.of(c.code) ?? c.name} ({currencyName.of(c.currency) ?? c.currency})
                </option>
              ))}
            </select>
            <span className="hint" id="country-hint">
              {t("signup.countryHint")}
            </span>
            <FieldError id="country-error" data={result} field="country" />
          </div>
          <div className="field">
            <label htmlFor="timeZone">{t("signup.timeZone")}</label>
            <input
              id="timeZone"
              name="timeZone"
              dir="ltr"
              defaultValue={v.timeZone}
              placeholder={t("signup.timeZonePlaceholder", { example: "Asia/Tehran" })}
              aria-invalid={invalid("timeZone")}
              aria-describedby={describedBy("timeZone")}
            />
            <FieldError id="timeZone-error" data={result} field="timeZone" />
          </div>
          <div className="field">
            <label htmlFor="locale">{t("signup.language")}</label>
            <select id="locale" name="locale" defaultValue={v.locale ?? prefs.locale}>
              {LOCALES.map((l) => (
                <option key={l} value={l} lang={l}>
                  {LOCALE_AUTONYMS[l]}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t("signup.submitting") : t("signup.submit")}
          </button>
        </Form>
        <p>
          {t("signup.haveAccount")} <Link to="/login">{t("login.submit")}</Link>
        </p>
        <nav className="language-switcher auth-languages" aria-label={t("login.otherLanguage")}>
          {LOCALES.filter((l) => l !== prefs.locale).map((l) => (
            <Link key={l} to={`/signup?lang=${l}`} lang={l} dir={localeDir(l)} hrefLang={l}>
              {LOCALE_AUTONYMS[l]}
            </Link>
          ))}
        </nav>
      </section>
    </main>
  );
}
