import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { publicPageTitle } from "~/components/console/meta";
import { AuthCard } from "~/components/auth-card";
import { ErrorSummary, Field, SubmitButton, useFormFailure } from "~/components/form";
import { z } from "zod";
import { useT } from "~/lib/i18n/react";
import { RESET_LIFETIME_MS } from "~/modules/auth/password-reset.server";
import { serverTranslator } from "~/modules/i18n/preferences.server";
import { getOptionalContext, originAllowed, refuseCsrf } from "~/web/guard.server";
import { localeCookie, publicLocale, publicPreferences } from "~/web/locale-cookie.server";
import { resetFlow } from "~/web/password-reset.server";
import { refuse } from "~/web/form.server";
import { readForm } from "~/web/request.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => publicPageTitle(data, "forgot.pageTitle");

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

const form = z.object({
  email: z
    .string()
    .trim()
    .min(3)
    .max(320)
    .regex(/^[^\s@]+@[^\s@]+$/),
});

export async function action({ request }: ActionFunctionArgs) {
  // No session: the Origin check keeps other sites from filling someone's mailbox with links.
  if (!originAllowed(request)) await refuseCsrf(request, "origin");
  const locale = publicLocale(request);
  const t = serverTranslator({ locale, digits: "native" });
  const submitted = await readForm(request);
  const parsed = form.safeParse(Object.fromEntries(submitted));
  if (!parsed.success) return refuse({ email: t("forgot.error.email", { example: "name@example.com" }) }, { values: submitted });
  const r = await resetFlow.request(request, {
    email: parsed.data.email,
    locale,
  });
  if (r.kind === "rate_limited") {
    return refuse(
      t("forgot.rateLimited", {
        minutes: Math.max(1, Math.ceil(r.retryAfterSeconds / 60)),
      }),
      {
        status: 429,
        headers: { "Retry-After": String(r.retryAfterSeconds) },
        values: submitted,
      }
    );
  }
  // The same answer whether or not the address has an account.
  return json({
    sent: t("forgot.sent", {
      email: parsed.data.email,
      minutes: RESET_LIFETIME_MS / 60_000,
    }),
  });
}

export default function ForgotPassword() {
  useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const form = useFormFailure();
  const busy = useNavigation().state !== "idle";
  const t = useT();
  return (
    <AuthCard titleId="forgot-title" title={t("forgot.title")} languageHref={(l) => `/forgot-password?lang=${l}`} backToLogin>
      {result && "sent" in result ? (
        <p className="success-box" role="status">
          {result.sent}
        </p>
      ) : (
        <>
          <p>{t("forgot.intro")}</p>
          <ErrorSummary form={form} />
          <Form method="post" replace>
            <Field form={form} name="email" label={t("forgot.email")} type="email" dir="ltr" autoComplete="username" required autoFocus />
            <SubmitButton busy={busy}>{t("forgot.submit")}</SubmitButton>
          </Form>
        </>
      )}
    </AuthCard>
  );
}
