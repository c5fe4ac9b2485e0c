import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, useFormFailure } from "~/components/form";
import { AmountWithToman } from "~/components/pay/pay-layout";
import { PaySubmit } from "~/components/pay/pay-fields";
import { maskPan } from "~/lib/card";
import { toLatinDigits } from "~/lib/digits";
import type { FieldErrors } from "~/lib/forms";
import { localeFromTag } from "~/lib/i18n/locales";
import { resolvePreferencesFrom } from "~/lib/i18n/preferences";
import { useFormat, useT } from "~/lib/i18n/react";
import { translate, type Translator } from "~/lib/i18n/translate";
import payStyles from "~/styles/pay.css";
import { serverTranslator } from "~/modules/i18n/preferences.server";
import { parseForm, refuse } from "~/web/form.server";
import { readForm } from "~/web/request.server";
import {
  sandboxAuthenticationView,
  sandboxCancelAuthentication,
  sandboxRequestCode,
  sandboxSubmitCode,
  type AuthenticationStep,
  type AuthenticationView,
} from "~/modules/processors/sandbox/sandbox.server";

// The sandbox provider's own cardholder-authentication page: Shetab's dynamic second
// PIN, or a 3-D Secure challenge. Not a console page: the console only ever redirects here.
export const links: LinksFunction = () => [{ rel: "stylesheet", href: payStyles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: translate(data?.prefs.locale ?? "fa", "sbxAuth.pageTitle") }];

/**
 * The cardholder's language (?lang) and the zone the merchant's page asked for (?tz,
 * an IANA zone; anything else falls back to the currency's default), so the deadline
 * reads in local time and, in Persian, in Persian digits.
 */
function prefsOf(request: Request, currency: string) {
  const q = new URL(request.url).searchParams;
  return resolvePreferencesFrom({ user: { locale: localeFromTag(q.get("lang")) ?? "fa" }, merchant: { timeZone: q.get("tz")?.slice(0, 60) ?? null, currency } });
}

function back(view: AuthenticationView): Response {
  return redirect(view.returnUrl ?? "/", 303);
}

function viewData(v: AuthenticationView) {
  return {
    id: v.id,
    method: v.method,
    amount: v.amount.toString(),
    currency: v.currency,
    merchantName: v.merchantName,
    card: v.bin && v.last4 ? maskPan(v.bin, v.last4) : "",
    brand: v.brand,
    sentCode: v.sentCode,
    codeExpiresAt: v.codeExpiresAt?.toISOString() ?? null,
    bankSilent: v.bankSilent,
    triesLeft: v.triesLeft,
    expiresAt: v.expiresAt?.toISOString() ?? null,
  };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const v = await sandboxAuthenticationView(params.authorizationId ?? "");
  if (!v) throw new Response("No such authentication.", { status: 404 });
  if (v.status !== "authenticating") throw back(v);
  return json({ prefs: prefsOf(request, v.currency), view: viewData(v) }, { headers: { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" } });
}

/** The page's three buttons; the code as typed (Persian digits allowed), which the bank then judges. */
const authenticationSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("request_code") }),
  z.object({ intent: z.literal("cancel") }),
  z.object({
    intent: z.literal("submit"),
    code: z.preprocess((v) => (typeof v === "string" ? toLatinDigits(v.slice(0, 20)).trim() : ""), z.string().min(1, "sbxAuth.error.codeMissing")),
  }),
]);

/** Why the bank did not take the step, on the code's field when it is about the code typed. */
function stepErrors(t: Translator, code: Extract<AuthenticationStep, { ok: false }>["code"], triesLeft: number): FieldErrors {
  switch (code) {
    case "wrong_code":
      return { code: t("sbxAuth.error.wrong", { count: triesLeft }) };
    case "code_expired":
      return { code: t("sbxAuth.error.expired", { count: triesLeft }) };
    case "bank_silent":
      return { form: t("sbxAuth.error.bankSilent") };
    default:
      return { form: t("sbxAuth.error.noCode") };
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const id = params.authorizationId ?? "";
  const form = await readForm(request);
  const q = new URL(request.url).searchParams;
  const self = `/sandbox/v1/authentication/${id}?lang=${encodeURIComponent(q.get("lang") ?? "fa")}${q.get("tz") ? `&tz=${encodeURIComponent(q.get("tz")!.slice(0, 60))}` : ""}`;
  const view = await sandboxAuthenticationView(id);
  if (!view) throw new Response("No such authentication.", { status: 404 });
  const t = serverTranslator(prefsOf(request, view.currency));
  const parsed = parseForm(authenticationSchema, form, t, "pay.error.generic");
  if (!parsed.ok) return refuse(parsed.errors, { intent: "submit" });
  const input = parsed.data;
  if (input.intent === "cancel") {
    const r = await sandboxCancelAuthentication(id);
    if (r.view) return back(r.view);
    throw new Response("No such authentication.", { status: 404 });
  }
  const r = input.intent === "request_code" ? await sandboxRequestCode(id) : await sandboxSubmitCode(id, input.code);
  if (r.ok && input.intent === "request_code") return redirect(self, 303);
  if (r.ok) return back(r.view);
  if (r.code === "not_found" || !r.view) throw new Response("No such authentication.", { status: 404 });
  if (r.code === "finished" || r.view.status !== "authenticating") return back(r.view);
  return refuse(stepErrors(t, r.code, r.view.triesLeft), { status: input.intent === "request_code" ? 409 : 400, intent: input.intent });
}

export default function SandboxAuthentication() {
  const { view } = useLoaderData<typeof loader>();
  const form = useFormFailure(["submit", "request_code"]);
  const t = useT();
  const fmt = useFormat();
  const navigation = useNavigation();
  const busy = navigation.state !== "idle";
  const pin2 = view.method === "pin2";
  return (
    <div className="pay-page sandbox-auth">
      <header className="pay-header sandbox-header">
        <span className="pay-merchant">{t("sbxAuth.provider")}</span>
        <span className="sandbox-badge">{t("sbxAuth.sandbox")}</span>
      </header>
      <main id="main" className="pay-main">
        <section className="pay-card" aria-labelledby="auth-h">
          <h1 id="auth-h">{pin2 ? t("sbxAuth.pin2.title") : t("sbxAuth.3ds.title")}</h1>
          <dl className="dl pay-dl">
            <dt>{t("pay.receipt.merchant")}</dt>
            <dd>{view.merchantName}</dd>
            <dt>{t("pay.receipt.amount")}</dt>
            <dd>
              <AmountWithToman amount={view.amount} currency={view.currency} />
            </dd>
            <dt>{t("pay.receipt.card")}</dt>
            <dd className="mono" dir="ltr">
              {fmt.digits(view.card)}
            </dd>
          </dl>
          <p>{pin2 ? t("sbxAuth.pin2.explain") : t("sbxAuth.3ds.explain")}</p>
          <ErrorSummary form={form} />
          {view.sentCode ? (
            <p className="notice sandbox-sms" role="status" data-testid="sandbox-code">
              {t("sbxAuth.smsShown", { code: view.sentCode })}
            </p>
          ) : null}
          <Form method="post" className="pay-form">
            <input type="hidden" name="intent" value="request_code" />
            <button type="submit" className="btn" disabled={busy}>
              {view.sentCode ? t("sbxAuth.requestAgain") : pin2 ? t("sbxAuth.requestCode") : t("sbxAuth.requestOtp")}
            </button>
          </Form>
          <Form method="post" className="pay-form">
            <input type="hidden" name="intent" value="submit" />
            <Field form={form} id="auth-code" name="code" label={pin2 ? t("sbxAuth.pin2.label") : t("sbxAuth.3ds.label")}>
              {(c) => <input {...c} inputMode="numeric" autoComplete="one-time-code" dir="ltr" className="mono" required maxLength={8} />}
            </Field>
            <PaySubmit busy={busy} label={t("sbxAuth.confirm")} />
          </Form>
          <Form method="post">
            <input type="hidden" name="intent" value="cancel" />
            <button type="submit" className="btn btn-link">
              {t("sbxAuth.cancel")}
            </button>
          </Form>
          {view.expiresAt ? <p className="hint">{t("sbxAuth.deadline", { time: fmt.time(view.expiresAt) })}</p> : null}
        </section>
      </main>
    </div>
  );
}
