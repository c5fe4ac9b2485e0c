import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { publicPageTitle } from "~/components/console/meta";
import { AuthCard } from "~/components/auth-card";
import { ErrorSummary, Field, SubmitButton, useFormFailure } from "~/components/form";
import { keptValues } from "~/lib/forms";
import { LOCALES, LOCALE_AUTONYMS } from "~/lib/i18n/locales";
import { localize } from "~/lib/i18n/messages";
import { useFormat, useI18n, useT } from "~/lib/i18n/react";
import type { Translator } from "~/lib/i18n/translate";
import { getOptionalContext, originAllowed, refuseCsrf } from "~/web/guard.server";
import { refuse } from "~/web/form.server";
import { readForm } from "~/web/request.server";
import { MIN_PASSWORD_LENGTH, passwordProblemLocalized } from "~/modules/auth/password.server";
import { serverTranslator } from "~/modules/i18n/preferences.server";
import { localeCookie, publicPreferences } from "~/web/locale-cookie.server";
import { SIGNUP_COUNTRIES, signUp } from "~/modules/merchants/signup.server";
import { clientOf } from "~/web/request.server";
import { withCookie } from "~/web/sign-in.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => publicPageTitle(data, "signup.title");

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getOptionalContext(request)) throw redirect("/");
  // Before sign-in the language is the one asked for (?lang) or remembered (cookie), else English.
  const prefs = publicPreferences(request);
  const headers = new Headers({ "Cache-Control": "no-store" });
  if (new URL(request.url).searchParams.has("lang")) headers.append("Set-Cookie", localeCookie(request, prefs.locale));
  return json(
    {
      countries: Object.entries(SIGNUP_COUNTRIES).map(([code, c]) => ({
        code,
        ...c,
      })),
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

export async function action({ request }: ActionFunctionArgs) {
  // No session yet, so no CSRF token: the Origin check stops another site from
  // creating an account in a visitor's browser.
  if (!originAllowed(request)) await refuseCsrf(request, "origin");
  const t = serverTranslator(publicPreferences(request));
  // readForm: the edge's check of every field (400 naming it); an unreadable body is an empty form.
  const form = await readForm(request);
  if ([...form.keys()].length === 0) return refuse(t("signup.error.fillForm"));
  const input = keptValues(form);
  const password = form.get("password");
  const result = await signUp(clientOf(request), {
    businessName: input.businessName ?? "",
    ownerName: input.ownerName ?? "",
    email: input.email ?? "",
    password: typeof password === "string" ? password : "",
    country: (input.country ?? "") as never,
    timeZone: input.timeZone || undefined,
    locale: input.locale === "fa" ? "fa" : "en",
  });
  switch (result.kind) {
    case "created":
      return redirect("/onboarding", {
        headers: { "Set-Cookie": withCookie(request, result.session).cookie },
      });
    case "invalid":
      return refuse(
        {
          [result.field]: fieldMessage(t, result.field, result.message, typeof password === "string" ? password : ""),
        },
        {
          values: input,
          status: result.field === "email" && /exists/.test(result.message) ? 409 : 400,
        }
      );
    case "rate_limited":
      return refuse(
        t("signup.error.rateLimited", {
          minutes: Math.max(1, Math.ceil(result.retryAfterSeconds / 60)),
        }),
        {
          values: input,
          status: 429,
          headers: { "Retry-After": String(result.retryAfterSeconds) },
        }
      );
  }
}

export default function Signup() {
  const data = useLoaderData<typeof loader>();
  const form = useFormFailure();
  const busy = useNavigation().state !== "idle";
  const t = useT();
  const fmt = useFormat();
  const { prefs } = useI18n();
  const regionName = new Intl.DisplayNames(fmt.locale, { type: "region" });
  const currencyName = new Intl.DisplayNames(fmt.locale, { type: "currency" });
  return (
    <AuthCard titleId="signup-title" title={t("signup.title")} languageHref={(l) => `/signup?lang=${l}`}>
      <p className="muted">{t("signup.intro")}</p>
      <ErrorSummary form={form} />
      <Form method="post" replace noValidate>
        <Field form={form} name="businessName" label={t("settings.details.name")} required autoComplete="organization" />
        <Field form={form} name="ownerName" label={t("invite.name")} required autoComplete="name" />
        <Field form={form} name="email" label={t("login.email")} type="email" dir="ltr" required autoComplete="username" />
        <Field
          form={form}
          name="password"
          label={t("login.password")}
          hint={t("signup.passwordHint", { min: data.minPassword })}
          type="password"
          required
          minLength={data.minPassword}
          autoComplete="new-password"
        />
        <Field
          form={form}
          name="country"
          label={t("signup.country")}
          hint={t("signup.countryHint")}
          defaultValue="IR"
          options={data.countries.map((c) => ({
            value: c.code,
            label: `${regionName.of(c.code) ?? c.name} (${currencyName.of(c.currency) ?? c.currency})`,
          }))}
        />
        <Field
          form={form}
          name="timeZone"
          label={t("signup.timeZone")}
          dir="ltr"
          placeholder={t("signup.timeZonePlaceholder", {
            example: "Asia/Tehran",
          })}
        />
        <Field name="locale" label={t("signup.language")}>
          {(control) => (
            <select {...control} defaultValue={form.values.locale ?? prefs.locale}>
              {LOCALES.map((l) => (
                <option key={l} value={l} lang={l}>
                  {LOCALE_AUTONYMS[l]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <SubmitButton busy={busy} busyLabel={t("signup.submitting")}>{t("signup.submit")}</SubmitButton>
      </Form>
      <p>
        {t("signup.haveAccount")} <Link to="/login">{t("login.submit")}</Link>
      </p>
    </AuthCard>
  );
}
