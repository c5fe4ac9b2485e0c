import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Cadence } from "~/components/console/subscriptions";
import { AmountWithToman, PayLayout } from "~/components/pay/pay-layout";
import { makeFormatter } from "~/lib/format";
import { useT } from "~/lib/i18n/react";
import { translate } from "~/lib/i18n/translate";
import payStyles from "~/styles/pay.css";
import { clientIp, readForm } from "~/web/request.server";
import { serverTranslator } from "~/modules/i18n/preferences.server";
import { mandateText } from "~/modules/subscriptions/customers.server";
import { planClosedReason, resolvePublicPlan, startSubscribeCheckout, subscribePath } from "~/modules/subscriptions/subscribe.server";
import { payPreferences, subscribeRefusalText } from "~/web/subscriptions/public.server";

// A plan's public subscribe page (shared from the console's plan list, with its QR): step one, who subscribes and the mandate.
export const links: LinksFunction = () => [{ rel: "stylesheet", href: payStyles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: translate(data?.prefs.locale ?? "fa", "subscribe.pageTitle", { plan: data?.plan.name ?? "", merchant: data?.merchantName ?? "" }) },
  { name: "robots", content: "noindex" },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const pp = await resolvePublicPlan(params.merchantId ?? "", params.planId ?? "");
  if (!pp) throw new Response(serverTranslator({ locale: "fa", digits: "native" })("pay.notFound"), { status: 404 });
  const { prefs, headers } = payPreferences(request, pp.merchant);
  const closed = planClosedReason(pp);
  return json(
    {
      prefs,
      path: subscribePath(pp.merchant.id, pp.plan.id),
      merchantName: pp.merchant.name,
      plan: { name: pp.plan.name, amount: pp.plan.amount.toString(), currency: pp.plan.currency, interval: pp.plan.interval, intervalCount: pp.plan.intervalCount, trialDays: pp.plan.trialDays },
      // The exact words stored with the consent.
      mandate: mandateText(pp.merchant.name, prefs.locale),
      closed,
    },
    { status: closed ? 410 : 200, headers },
  );
}

export async function action({ request, params }: ActionFunctionArgs) {
  const merchantId = params.merchantId ?? "";
  const planId = params.planId ?? "";
  const pp = await resolvePublicPlan(merchantId, planId);
  if (!pp) throw new Response("Not found", { status: 404 });
  const { prefs } = payPreferences(request, pp.merchant);
  const t = serverTranslator(prefs);
  const fmt = makeFormatter({ ...prefs });
  const form = await readForm(request);
  const text = (k: string, max: number) => {
    const v = form.get(k);
    return typeof v === "string" ? v.slice(0, max) : "";
  };
  const values = { name: text("name", 200), email: text("email", 300), phone: text("phone", 40), consent: text("consent", 10) };
  const r = await startSubscribeCheckout(merchantId, planId, { name: values.name, email: values.email, phone: values.phone, consent: values.consent === "yes", locale: prefs.locale }, { ip: clientIp(request) });
  if (!r.ok) return json({ field: r.field, message: subscribeRefusalText(t, fmt, r), values }, { status: r.status });
  return redirect(`${subscribePath(merchantId, planId)}/${r.checkout.id}`, 303);
}

export default function SubscribePage() {
  const d = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const t = useT();
  const busy = useNavigation().state !== "idle";
  const values: Record<string, string> = failure?.values ?? {};
  const err = (f: string) =>
    failure?.field === f ? (
      <p className="field-error" id={`sub-${f}-error`} role="alert">
        {failure.message}
      </p>
    ) : null;
  const invalid = (f: string) => (failure?.field === f ? { "aria-invalid": true as const, "aria-describedby": `sub-${f}-error` } : {});
  return (
    <PayLayout merchantName={d.merchantName} path={d.path}>
      <section className="pay-card" aria-labelledby="sub-h">
        <h1 id="sub-h">{d.plan.name}</h1>
        <div className="pay-total">
          <span className="muted">
            <Cadence interval={d.plan.interval} count={d.plan.intervalCount} />
          </span>
          <AmountWithToman amount={d.plan.amount} currency={d.plan.currency} />
        </div>
        <p className="hint" data-testid="first-charge">
          {d.plan.trialDays > 0 ? t("subscribe.trialNote", { count: d.plan.trialDays }) : t("subscribe.firstNote")}
        </p>
        {d.closed ? (
          <div className="pay-closed" role="status" data-testid="plan-closed">
            <p>{t("subscribe.closed")}</p>
          </div>
        ) : (
          <Form method="post" className="pay-form" noValidate>
            {failure?.field === "form" ? (
              <p className="error-box" role="alert">
                {failure.message}
              </p>
            ) : null}
            <div className="field">
              <label htmlFor="sub-name">{t("links.field.name")}</label>
              <input id="sub-name" name="name" autoComplete="name" required maxLength={100} defaultValue={values.name ?? ""} {...invalid("name")} />
              {err("name")}
            </div>
            <div className="field">
              <label htmlFor="sub-email">{t("links.field.email")}</label>
              <input id="sub-email" name="email" type="email" autoComplete="email" dir="ltr" maxLength={254} defaultValue={values.email ?? ""} {...invalid("email")} aria-describedby="sub-contact-hint" />
              {err("email")}
            </div>
            <div className="field">
              <label htmlFor="sub-phone">{t("links.field.phone")}</label>
              <input id="sub-phone" name="phone" type="tel" autoComplete="tel" dir="ltr" inputMode="tel" maxLength={20} defaultValue={values.phone ?? ""} {...invalid("phone")} aria-describedby="sub-contact-hint" />
              <p className="hint" id="sub-contact-hint">
                {t("subscribe.contactHint")}
              </p>
              {err("phone")}
            </div>
            <label className="check pay-save-card">
              <input type="checkbox" name="consent" value="yes" required defaultChecked={values.consent === "yes"} {...invalid("consent")} /> {d.mandate}
            </label>
            {err("consent")}
            <button type="submit" className="btn btn-primary pay-submit" disabled={busy}>
              {busy ? t("pay.wait") : t("pay.continue")}
            </button>
          </Form>
        )}
      </section>
    </PayLayout>
  );
}
