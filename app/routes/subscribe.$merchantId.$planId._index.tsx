import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { Cadence } from "~/components/console/subscriptions";
import { CheckField, ErrorSummary, Field, useFormFailure } from "~/components/form";
import { AmountWithToman, PayLayout } from "~/components/pay/pay-layout";
import { PaySubmit } from "~/components/pay/pay-fields";
import { ticked, typed } from "~/lib/form-fields";
import { useT } from "~/lib/i18n/react";
import { translate } from "~/lib/i18n/translate";
import payStyles from "~/styles/pay.css";
import { clientIp, readForm } from "~/web/request.server";
import { serverTranslator } from "~/modules/i18n/preferences.server";
import { cardholderContext } from "~/web/cardholder-pages.server";
import { mandateText } from "~/modules/subscriptions/customers.server";
import { planClosedReason, resolvePublicPlan, startSubscribeCheckout, subscribePath } from "~/modules/subscriptions/subscribe.server";
import { payPreferences, subscribeRefusalText } from "~/web/subscriptions/public.server";
import { parseForm, refuse } from "~/web/form.server";

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

/** Who subscribes and their consent to the mandate, as typed: the domain says what is missing. */
const subscriberSchema = z.object({ name: typed(200), email: typed(300), phone: typed(40), consent: ticked() });

export async function action({ request, params }: ActionFunctionArgs) {
  const merchantId = params.merchantId ?? "";
  const planId = params.planId ?? "";
  const pp = await resolvePublicPlan(merchantId, planId);
  if (!pp) throw new Response("Not found", { status: 404 });
  const { prefs, t, fmt } = cardholderContext(request, pp.merchant);
  const form = await readForm(request);
  const parsed = parseForm(subscriberSchema, form, t, "pay.error.generic");
  if (!parsed.ok) return refuse(parsed.errors, { values: form });
  const r = await startSubscribeCheckout(merchantId, planId, { ...parsed.data, locale: prefs.locale }, { ip: clientIp(request) });
  if (!r.ok) return refuse({ [r.error.param ?? "form"]: subscribeRefusalText(t, fmt, r) }, { status: r.error.status, values: form });
  return redirect(`${subscribePath(merchantId, planId)}/${r.checkout.id}`, 303);
}

export default function SubscribePage() {
  const d = useLoaderData<typeof loader>();
  const form = useFormFailure();
  const t = useT();
  const busy = useNavigation().state !== "idle";
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
            <ErrorSummary form={form} />
            <Field form={form} id="sub-name" name="name" label={t("links.field.name")} autoComplete="name" required maxLength={100} />
            {/* The hint under the phone says what both are for. */}
            <Field form={form} id="sub-email" name="email" label={t("links.field.email")} type="email" autoComplete="email" dir="ltr" maxLength={254} describedBy="sub-phone-hint" />
            <Field form={form} id="sub-phone" name="phone" label={t("links.field.phone")} hint={t("subscribe.contactHint")} type="tel" autoComplete="tel" dir="ltr" inputMode="tel" maxLength={20} />
            <CheckField form={form} name="consent" label={d.mandate} required />
            <PaySubmit busy={busy} label={t("pay.continue")} />
          </Form>
        )}
      </section>
    </PayLayout>
  );
}
