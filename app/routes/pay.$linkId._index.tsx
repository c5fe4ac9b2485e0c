import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { AmountWithToman, PayLayout } from "~/components/pay/pay-layout";
import { makeFormatter } from "~/lib/format";
import type { MessageKey } from "~/lib/i18n/en";
import { useFormat, useT } from "~/lib/i18n/react";
import { translate } from "~/lib/i18n/translate";
import { formatMoney, isCurrencyCode, parseAmount } from "~/lib/money";
import { amountErrorMessage } from "~/lib/i18n/messages";
import payStyles from "~/styles/pay.css";
import { readForm } from "~/web/request.server";
import { clientIp } from "~/web/request.server";
import { serverTranslator } from "~/modules/i18n/preferences.server";
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

export async function action({ request, params }: ActionFunctionArgs) {
  const linkId = params.linkId ?? "";
  const pl = await resolvePublicLink(linkId);
  if (!pl) throw new Response("Not found", { status: 404 });
  const { prefs } = payPreferences(request, pl.merchant);
  const t = serverTranslator(prefs);
  const fmt = makeFormatter({ ...prefs });
  const form = await readForm(request);
  const text = (k: string, max = 600) => {
    const v = form.get(k);
    return typeof v === "string" ? v.slice(0, max) : "";
  };
  let amount: bigint | null = null;
  if (pl.link.amount === null) {
    const raw = text("amount", 60);
    if (raw.trim() !== "" && isCurrencyCode(pl.link.currency)) {
      const r = parseAmount(raw, pl.link.currency);
      if (!r.ok) return json({ field: "amount", message: amountErrorMessage(t, fmt, r), values: Object.fromEntries(form) as Record<string, string> }, { status: 400 });
      amount = r.minor;
    }
  }
  const r = await startCheckout(
    linkId,
    { amount, name: text("name", 200), phone: text("phone", 40), email: text("email", 300), note: text("note", 600), locale: prefs.locale, saveCard: text("saveCard", 10) === "yes" },
    { ip: clientIp(request) },
  );
  if (!r.ok) return json({ field: r.field, message: refusalText(t, fmt, r), values: Object.fromEntries(form) as Record<string, string> }, { status: r.status });
  return redirect(`/pay/${linkId}/${r.checkout.id}`, 303);
}

export default function PayLinkPage() {
  const d = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const t = useT();
  const fmt = useFormat();
  const navigation = useNavigation();
  const [amountText, setAmountText] = useState(failure?.values?.amount ?? "");
  const busy = navigation.state !== "idle";
  const values = failure?.values ?? {};
  const err = (f: string) =>
    failure?.field === f ? (
      <p className="field-error" id={`pay-${f}-error`} role="alert">
        {failure.message}
      </p>
    ) : null;
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
            {failure?.field === "form" ? (
              <p className="error-box" role="alert">
                {failure.message}
              </p>
            ) : null}
            {d.amount ? (
              <div className="pay-total">
                <span className="muted">{t("pay.amountToPay")}</span>
                <AmountWithToman amount={d.amount} currency={d.currency} />
              </div>
            ) : (
              <div className="field">
                <label htmlFor="pay-amount">{t("pay.enterAmount", { unit: d.currency === "IRR" ? t("money.unit.rial") : d.currency })}</label>
                <input
                  id="pay-amount"
                  name="amount"
                  inputMode="numeric"
                  dir="ltr"
                  required
                  maxLength={30}
                  value={amountText}
                  onChange={(e) => setAmountText(e.target.value)}
                  aria-invalid={failure?.field === "amount" ? true : undefined}
                  aria-describedby="pay-amount-hint"
                />
                <p className="hint" id="pay-amount-hint" aria-live="polite">
                  {preview ? t("pay.tomanEquivalent", { amount: preview }) : t("pay.amountRange", { min: fmt.money(d.minAmount ?? "0"), max: fmt.money(d.maxAmount ?? "0") })}
                </p>
                {err("amount")}
              </div>
            )}
            {d.fields.includes("name") ? (
              <div className="field">
                <label htmlFor="pay-name">{t("links.field.name")}</label>
                <input id="pay-name" name="name" autoComplete="name" required maxLength={100} defaultValue={values.name ?? ""} aria-invalid={failure?.field === "name" ? true : undefined} />
                {err("name")}
              </div>
            ) : null}
            {d.fields.includes("phone") ? (
              <div className="field">
                <label htmlFor="pay-phone">{t("links.field.phone")}</label>
                <input id="pay-phone" name="phone" type="tel" autoComplete="tel" dir="ltr" inputMode="tel" required maxLength={20} defaultValue={values.phone ?? ""} aria-invalid={failure?.field === "phone" ? true : undefined} />
                {err("phone")}
              </div>
            ) : null}
            {d.fields.includes("email") ? (
              <div className="field">
                <label htmlFor="pay-email">{t("links.field.email")}</label>
                <input id="pay-email" name="email" type="email" autoComplete="email" dir="ltr" required maxLength={254} defaultValue={values.email ?? ""} aria-invalid={failure?.field === "email" ? true : undefined} />
                {err("email")}
              </div>
            ) : null}
            {d.fields.includes("note") ? (
              <div className="field">
                <label htmlFor="pay-note">
                  {t("links.field.note")} <span className="muted">({t("common.optional")})</span>
                </label>
                <textarea id="pay-note" name="note" maxLength={500} rows={3} defaultValue={values.note ?? ""} />
                {err("note")}
              </div>
            ) : null}
            <label className="check pay-save-card">
              <input type="checkbox" name="saveCard" value="yes" defaultChecked={values.saveCard === "yes"} /> {d.saveCardMandate}
            </label>
            <button type="submit" className="btn btn-primary pay-submit" disabled={busy}>
              {busy ? t("pay.wait") : t("pay.continue")}
            </button>
          </Form>
        )}
      </section>
    </PayLayout>
  );
}
