import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { publicPageTitle } from "~/components/console/meta";
import { AuthCard } from "~/components/auth-card";
import { ErrorSummary, Field, SubmitButton, useFormFailure } from "~/components/form";
import { keptValues } from "~/lib/forms";
import { z } from "zod";
import { isLocale } from "~/lib/i18n/locales";
import { useI18n, useT } from "~/lib/i18n/react";
import type { Translator } from "~/lib/i18n/translate";
import { parseForm, refuse } from "~/web/form.server";
import { getOptionalContext, originAllowed, refuseCsrf } from "~/web/guard.server";
import { loginFlow, type LoginResult } from "~/web/sign-in.server";
import { readForm, safeRedirect } from "~/web/request.server";
import { ABSOLUTE_LIFETIME_MS, IDLE_TIMEOUT_MS } from "~/modules/auth/session.server";
import { clearSessionCookie } from "~/web/session-cookie.server";
import { serverTranslator } from "~/modules/i18n/preferences.server";
import { localeCookie, publicLocale, publicPreferences } from "~/web/locale-cookie.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => publicPageTitle(data, "login.pageTitle");

// A document POST (no JavaScript) answers with these: the 429's Retry-After must reach the browser.
export const headers: HeadersFunction = ({ actionHeaders, loaderHeaders }) => {
  const out = new Headers({ "Cache-Control": "no-store" });
  const retry = actionHeaders.get("Retry-After") ?? loaderHeaders.get("Retry-After");
  if (retry) out.set("Retry-After", retry);
  return out;
};

const REASONS = ["idle", "expired", "revoked", "access_removed", "signed_out", "password_reset"] as const;
type Reason = (typeof REASONS)[number];
const isReason = (r: string | null): r is Reason => r !== null && (REASONS as readonly string[]).includes(r);

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const redirectTo = safeRedirect(url.searchParams.get("redirectTo"), "/");
  if (await getOptionalContext(request)) throw redirect(redirectTo);
  const reason = url.searchParams.get("reason");
  // Before sign-in the language is the one asked for (?lang) or remembered (cookie), else English.
  const prefs = publicPreferences(request);
  const t = serverTranslator(prefs);
  const headers = new Headers({ "Cache-Control": "no-store" });
  if (url.searchParams.has("lang")) headers.append("Set-Cookie", localeCookie(request, prefs.locale));
  return json(
    {
      redirectTo,
      step: (await loginFlow.pending(request)) ? ("code" as const) : ("password" as const),
      notice: isReason(reason)
        ? t(`login.reason.${reason}`, {
            minutes: IDLE_TIMEOUT_MS / 60_000,
            hours: ABSOLUTE_LIFETIME_MS / 3_600_000,
          })
        : null,
      prefs,
    },
    { headers }
  );
}

const passwordForm = z.object({
  intent: z.literal("password"),
  // Messages are catalog keys, translated in the action.
  email: z.string().trim().min(1, "login.error.emailRequired").max(254).email("login.error.emailInvalid"),
  password: z.string().min(1, "login.error.passwordRequired").max(1024),
  redirectTo: z.string().optional(),
});
const codeForm = z.object({
  intent: z.literal("code"),
  code: z.string().trim().min(1, "login.error.codeRequired").max(40),
  redirectTo: z.string().optional(),
});
const cancelForm = z.object({ intent: z.literal("cancel") });
const loginForm = z.discriminatedUnion("intent", [passwordForm, codeForm, cancelForm]);

function minutesOf(seconds: number): number {
  return Math.max(1, Math.ceil(seconds / 60));
}

function answer(request: Request, result: LoginResult, redirectTo: string, t: Translator, values: Record<string, string>) {
  switch (result.kind) {
    case "signed_in":
      // No page asked for: the role's home (support has no overview, for instance).
      // The session, and the browser's own token (a later sign-in from another browser is news to its owner).
      // And the member's language as the browser's: pages answered before any session is
      // read (the edge's 400 and 503 pages) then speak it too.
      return redirect(redirectTo === "/" ? result.home : redirectTo, {
        headers: [
          ["Set-Cookie", result.session.cookie],
          ["Set-Cookie", result.browserCookie],
          ["Set-Cookie", localeCookie(request, isLocale(result.locale) ? result.locale : "en")],
        ],
      });
    case "second_factor":
      return redirect(`/login?redirectTo=${encodeURIComponent(redirectTo)}`, {
        headers: { "Set-Cookie": result.session.cookie },
      });
    case "invalid":
      return refuse(t(`login.error.${result.code}`), { status: 401, values });
    case "locked":
    case "rate_limited":
      return refuse(
        t(result.kind === "locked" ? "login.error.locked" : "login.error.rateLimited", { minutes: minutesOf(result.retryAfterSeconds) }),
        {
          status: 429,
          headers: { "Retry-After": String(result.retryAfterSeconds) },
          values,
        }
      );
    case "no_access":
      return refuse(t(`login.error.${result.code}`), { status: 403, values });
  }
}

export async function action({ request }: ActionFunctionArgs) {
  // No session yet, so no token: the Origin check alone stops a foreign site from
  // signing a browser into an account of the attacker's choosing.
  if (!originAllowed(request)) await refuseCsrf(request, "origin");
  const t = serverTranslator({
    locale: publicLocale(request),
    digits: "native",
  });
  const submitted = await readForm(request);
  const values = keptValues(submitted);
  const parsed = parseForm(loginForm, submitted, t, "login.error.fillForm", {
    example: "name@example.com",
  });
  if (!parsed.ok) return refuse(parsed.errors, { values });
  const form = parsed.data;
  if (form.intent === "cancel") {
    await loginFlow.abandon(request);
    return redirect("/login", {
      headers: { "Set-Cookie": clearSessionCookie(request) },
    });
  }
  const redirectTo = safeRedirect(form.redirectTo, "/");
  if (form.intent === "password") {
    return answer(
      request,
      await loginFlow.password(request, {
        email: form.email,
        password: form.password,
      }),
      redirectTo,
      t,
      values
    );
  }
  return answer(request, await loginFlow.code(request, { code: form.code }), redirectTo, t, values);
}

export default function Login() {
  const data = useLoaderData<typeof loader>();
  const form = useFormFailure();
  const busy = useNavigation().state !== "idle";
  const t = useT();
  const { prefs } = useI18n();
  return (
    <AuthCard
      titleId="login-title"
      title={data.step === "password" ? t("login.title") : t("login.codeTitle")}
      languageHref={(l) => {
        const q = new URLSearchParams({ lang: l });
        if (data.redirectTo !== "/") q.set("redirectTo", data.redirectTo);
        return `/login?${q.toString()}`;
      }}
    >
      {data.step === "password" ? (
        <>
          {data.notice ? (
            <p className="notice" role="status">
              {data.notice}
            </p>
          ) : null}
          <ErrorSummary form={form} />
          <Form method="post" replace>
            <input type="hidden" name="intent" value="password" />
            <input type="hidden" name="redirectTo" value={data.redirectTo} />
            <Field form={form} name="email" label={t("login.email")} type="email" autoComplete="username" required autoFocus />
            <Field form={form} name="password" label={t("login.password")} type="password" autoComplete="current-password" required />
            <SubmitButton busy={busy} busyLabel={t("login.submitting")}>{t("login.submit")}</SubmitButton>
          </Form>
          <p className="auth-help">
            <Link to={prefs.locale === "en" ? "/forgot-password" : `/forgot-password?lang=${prefs.locale}`}>{t("login.forgot")}</Link>
          </p>
          <p className="auth-alt">
            {t("login.noAccount")} <Link to="/signup">{t("login.signUp")}</Link>
          </p>
        </>
      ) : (
        <>
          <p>{t("login.codeIntro", { length: 6 })}</p>
          <ErrorSummary form={form} />
          <Form method="post" replace>
            <input type="hidden" name="intent" value="code" />
            <input type="hidden" name="redirectTo" value={data.redirectTo} />
            <Field
              form={form}
              name="code"
              label={t("login.codeLabel")}
              hint={t("login.codeHint", { example: "abcde-fghjk" })}
              inputMode="numeric"
              autoComplete="one-time-code"
              required
              autoFocus
            />
            <SubmitButton busy={busy}>{t("login.verify")}</SubmitButton>
          </Form>
          <Form method="post">
            <input type="hidden" name="intent" value="cancel" />
            <p>
              <button type="submit" className="btn-link">
                {t("login.startOver")}
              </button>
            </p>
          </Form>
        </>
      )}
    </AuthCard>
  );
}
