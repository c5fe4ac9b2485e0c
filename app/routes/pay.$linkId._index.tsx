import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { CheckField, ErrorSummary, Field, useFormFailure } from "~/components/form";
import { parseForm, refuse, textIssue } from "~/web/form.server";
import { ticked, typed } from "~/lib/form-fields";
import type { Translator } from "~/lib/i18n/translate";
import { useState } from "react";
import { AmountWithToman, PayLayout } from "~/components/pay/pay-layout";
import { PaySubmit } from "~/components/pay/pay-fields";
import type { Formatter } from "~/lib/format";
import type { MessageKey } from "~/lib/i18n/en";
import { useFormat, useT } from "~/lib/i18n/react";
import { translate } from "~/lib/i18n/translate";
import { formatMoney, isCurrencyCode, parseAmount } from "~/lib/money";
import { amountErrorMessage } from "~/lib/i18n/messages";
import payStyles from "~/styles/pay.css";
import { readForm } from "~/web/request.server";
import { clientIp } from "~/web/request.server";
import { serverTranslator } from "~/modules/i18n/preferences.server";
import { cardholderContext } from "~/web/cardholder-pages.server";
import { linkClosedReason, resolvePublicLink, startCheckout } from "~/modules/payment-links/checkout.server";
import { mandateText } from "~/modules/subscriptions/customers.server";
import { payPreferences, refusalText } from "~/web/payment-links/public.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: payStyles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => {
  const locale = data?.prefs.locale ?? "fa";
  return [
    { title: data?.merchantName ? translate(locale, "pay.pageTitle", { merchant: data.merchantName }) : translate(locale, "pay.notFound") },
    { name: "robots", content: "noindex" },
  ];
};

export async function loader({ request, params }: LoaderFunctionArgs) {
  const pl = await resolvePublicLink(params.linkId ?? "");
  if (!pl) {
    const t = serverTranslator({ locale: "fa", digits: "native" });
    throw new Response(t("pay.notFound"), { status: 404 });
  }
  const { prefs, headers } = payPreferences(request, pl.merchant);
  const closed = linkClosedReason(pl);
  return json(
    {
      prefs,
      linkId: pl.link.id,
      merchantName: pl.merchant.name,
      currency: pl.link.currency,
      description: pl.link.description,
      amount: pl.link.amount?.toString() ?? null,
      minAmount: pl.link.minAmount?.toString() ?? null,
      maxAmount: pl.link.maxAmount?.toString() ?? null,
      fields: pl.link.customerFields,
      // "Save this card for future payments to <merchant>": the exact words stored with the consent.
      saveCardMandate: mandateText(pl.merchant.name, prefs.locale),
      closed,
    },
    { status: closed ? 410 : 200, headers },
  );
}

/** The cardholder's form: the amount (when the link leaves it to them) in the link's currency, and what the link asks for. */
function payFormSchema(currency: string, open: boolean, t: Translator, fmt: Formatter) {
  return z.object({
    amount: typed(60).transform((raw, issue): bigint | null => {
      if (!open || raw.trim() === "" || !isCurrencyCode(currency)) return null;
      const r = parseAmount(raw, currency);
      if (r.ok) return r.minor;
      issue.addIssue(textIssue(amountErrorMessage(t, fmt, r)));
      return z.NEVER;
    }),
    name: typed(200),
    phone: typed(40),
    email: typed(300),
    note: typed(600),
    saveCard: ticked(),
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const linkId = params.linkId ?? "";
  const pl = await resolvePublicLink(linkId);
  if (!pl) throw new Response("Not found", { status: 404 });
  const { prefs, t, fmt } = cardholderContext(request, pl.merchant);
  const form = await readForm(request);
  const parsed = parseForm(payFormSchema(pl.link.currency, pl.link.amount === null, t, fmt), form, t, "pay.error.generic");
  if (!parsed.ok) return refuse(parsed.errors, { values: form });
  const r = await startCheckout(linkId, { ...parsed.data, locale: prefs.locale }, { ip: clientIp(request) });
  if (!r.ok) return refuse({ [r.field]: refusalText(t, fmt, r) }, { status: r.status, values: form });
  return redirect(`/pay/${linkId}/${r.checkout.id}`, 303);
}

export default function PayLinkPage() {
  const d = useLoaderData<typeof loader>();
  const form = useFormFailure();
  const t = useT();
  const fmt = useFormat();
  const navigation = useNavigation();
  const [amountText, setAmountText] = useState(form.values.amount ?? "");
  const busy = navigation.state !== "idle";
  const values = form.values;
  let preview: string | null = null;
  if (d.currency === "IRR" && amountText.trim() !== "") {
    const r = parseAmount(amountText, "IRR");
    if (r.ok) preview = formatMoney(r.minor, "IRR", { locale: fmt.locale, display: "toman" });
  }
  return (
    <PayLayout merchantName={d.merchantName} path={`/pay/${d.linkId}`}>
      <section className="pay-card" aria-labelledby="pay-h">
        <h1 id="pay-h">{d.description}</h1>
        {d.closed ? (
          <div className="pay-closed" role="status" data-testid="link-closed">
            <h2>{t(`pay.closed.${d.closed}.title` as MessageKey)}</h2>
            <p>{t(`pay.closed.${d.closed}.body` as MessageKey, { merchant: d.merchantName })}</p>
          </div>
        ) : (
          <Form method="post" className="pay-form" noValidate>
            <ErrorSummary form={form} />
            {d.amount ? (
              <div className="pay-total">
                <span className="muted">{t("pay.amountToPay")}</span>
                <AmountWithToman amount={d.amount} currency={d.currency} />
              </div>
            ) : (
              <Field
                form={form}
                id="pay-amount"
                name="amount"
                label={t("pay.enterAmount", { unit: d.currency === "IRR" ? t("money.unit.rial") : d.currency })}
                hint={
                  <span aria-live="polite">
                    {preview ? t("pay.tomanEquivalent", { amount: preview }) : t("pay.amountRange", { min: fmt.money(d.minAmount ?? "0"), max: fmt.money(d.maxAmount ?? "0") })}
                  </span>
                }
                inputMode="numeric"
                dir="ltr"
                required
                maxLength={30}
                value={amountText}
                onChange={(e) => setAmountText(e.target.value)}
              />
            )}
            {d.fields.includes("name") ? <Field form={form} id="pay-name" name="name" label={t("links.field.name")} autoComplete="name" required maxLength={100} /> : null}
            {d.fields.includes("phone") ? (
              <Field form={form} id="pay-phone" name="phone" label={t("links.field.phone")} type="tel" autoComplete="tel" dir="ltr" inputMode="tel" required maxLength={20} />
            ) : null}
            {d.fields.includes("email") ? (
              <Field form={form} id="pay-email" name="email" label={t("links.field.email")} type="email" autoComplete="email" dir="ltr" required maxLength={254} />
            ) : null}
            {d.fields.includes("note") ? (
              <Field form={form} id="pay-note" name="note" label={<>{t("links.field.note")} <span className="muted">({t("common.optional")})</span></>}>
                {(c) => <textarea {...c} maxLength={500} rows={3} defaultValue={values.note ?? ""} />}
              </Field>
            ) : null}
            <CheckField form={form} name="saveCard" label={d.saveCardMandate} />
            <PaySubmit busy={busy} label={t("pay.continue")} />
          </Form>
        )}
      </section>
    </PayLayout>
  );
}
