import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { CardForm } from "~/components/pay/card-form";
import { AmountWithToman, PayLayout } from "~/components/pay/pay-layout";
import { makeFormatter } from "~/lib/format";
import type { MessageKey } from "~/lib/i18n/en";
import { useFormat, useT } from "~/lib/i18n/react";
import { translate } from "~/lib/i18n/translate";
import payStyles from "~/styles/pay.css";
import { readForm } from "~/web/request.server";
import { clientIp } from "~/web/request.server";
import { serverTranslator } from "~/modules/i18n/preferences.server";
import {
  linkClosedReason,
  merchantRedirect,
  payCheckout,
  receiptOf,
  receiptPath,
  resolveCheckout,
  type PayOutcome,
} from "~/modules/payment-links/checkout.server";
import { declineReason, payPreferences, refusalText, sendReceipt } from "~/web/payment-links/public.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: payStyles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => {
  const locale = data?.prefs.locale ?? "fa";
  return [{ title: translate(locale, "pay.pageTitle", { merchant: data?.merchantName ?? "" }) }, { name: "robots", content: "noindex" }];
};

/** The provider's page speaks the cardholder's language and tells the time in the merchant's zone. */
function authUrl(to: string, prefs: { locale: string; timeZone: string }): string {
  return `${to}${to.includes("?") ? "&" : "?"}lang=${prefs.locale}&tz=${encodeURIComponent(prefs.timeZone)}`;
}

async function load(request: Request, linkId: string, checkoutId: string) {
  const found = await resolveCheckout(linkId, checkoutId, { ip: clientIp(request) });
  if (!found) throw new Response("Not found", { status: 404 });
  return found;
}

function outcomeRedirect(o: Extract<PayOutcome, { ok: true }>, self: string, prefs: { locale: string; timeZone: string }) {
  return redirect(o.kind === "authenticate" ? authUrl(o.redirectUrl, prefs) : self, 303);
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const linkId = params.linkId ?? "";
  const checkoutId = params.checkoutId ?? "";
  const self = `/pay/${linkId}/${checkoutId}`;
  const url = new URL(request.url);
  let found = await load(request, linkId, checkoutId);
  const { prefs, headers } = payPreferences(request, found.pl.merchant);
  const t = serverTranslator(prefs);
  const fmt = makeFormatter({ ...prefs });
  let cardError: string | null = null;
  // Without JavaScript the card went to the provider's form, which sends the browser back here with its token.
  const token = url.searchParams.get("token");
  if (token && !found.payment) {
    const r = await payCheckout(linkId, checkoutId, token, { ip: clientIp(request) });
    if (r.ok) throw outcomeRedirect(r, self, prefs);
    cardError = refusalText(t, fmt, r);
    found = await load(request, linkId, checkoutId);
  }
  const code = url.searchParams.get("card_error");
  if (code && !cardError) cardError = cardErrorText(t, code);
  const p = found.payment;
  const receipt = p && p.status !== "pending" ? receiptOf(p, found.pl.merchant) : null;
  const back = p && p.status !== "pending" ? await merchantRedirect(found.pl, p) : null;
  return json(
    {
      prefs,
      linkId,
      checkoutId,
      merchantName: found.pl.merchant.name,
      description: found.pl.link.description,
      amount: found.checkout.amount.toString(),
      currency: found.checkout.currency,
      state: !p ? ("card" as const) : p.status === "pending" ? ("pending" as const) : p.status === "captured" || p.status === "authorized" ? ("paid" as const) : ("declined" as const),
      receipt,
      reason: p && (p.status === "declined" || p.status === "failed") ? declineReason(t, p.declineCode) : null,
      back,
      canRetry: !!p && p.status !== "pending" && p.status !== "captured" && p.status !== "authorized" && !linkClosedReason(found.pl),
      closed: !p ? linkClosedReason(found.pl) : null,
      cardError,
      expired: !p && found.checkout.expiresAt.getTime() < Date.now(),
      sentTo: url.searchParams.get("sent"),
    },
    { headers },
  );
}

function cardErrorText(t: ReturnType<typeof serverTranslator>, code: string): string {
  switch (code) {
    case "invalid_number":
      return t("pay.card.error.number");
    case "invalid_expiry":
    case "expired_card":
      return t("pay.card.error.expiry");
    case "invalid_cvc":
      return t("pay.card.error.cvc");
    default:
      return t("pay.error.card");
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const linkId = params.linkId ?? "";
  const checkoutId = params.checkoutId ?? "";
  const self = `/pay/${linkId}/${checkoutId}`;
  const found = await load(request, linkId, checkoutId);
  const { prefs } = payPreferences(request, found.pl.merchant);
  const t = serverTranslator(prefs);
  const fmt = makeFormatter({ ...prefs });
  const form = await readForm(request);
  const intent = form.get("intent");
  if (intent === "pay" || intent === "resume") {
    const token = intent === "resume" ? found.payment?.cardToken ?? "" : String(form.get("token") ?? "");
    const r = await payCheckout(linkId, checkoutId, token, { ip: clientIp(request) });
    if (r.ok) return outcomeRedirect(r, self, prefs);
    return json({ field: "form", message: refusalText(t, fmt, r) }, { status: r.status });
  }
  if (intent === "send") {
    const p = found.payment;
    if (!p || p.status === "pending") return json({ field: "to", message: t("pay.error.generic") }, { status: 409 });
    const channel = form.get("channel") === "sms" ? "sms" : "email";
    const r = await sendReceipt(request, prefs, receiptOf(p, found.pl.merchant), found.pl.merchant.id, await receiptPath(found.pl.merchant.id, p.id), channel, String(form.get("to") ?? "").slice(0, 300));
    if (!r.ok) return json({ field: r.field, message: r.message }, { status: r.status });
    return redirect(`${self}?sent=${channel}`, 303);
  }
  return json({ field: "form", message: t("pay.error.generic") }, { status: 400 });
}

function Receipt({ d }: { d: ReturnType<typeof useLoaderData<typeof loader>> }) {
  const t = useT();
  const fmt = useFormat();
  const r = d.receipt!;
  const failure = useActionData<typeof action>();
  const [channel, setChannel] = useState<"email" | "sms">("sms");
  return (
    <div className="pay-receipt" data-testid="receipt">
      <h2 role="status" className={d.state === "paid" ? "pay-ok" : "pay-bad"}>
        {d.state === "paid" ? t("pay.result.paid") : t("pay.result.declined")}
      </h2>
      {d.reason ? <p className="error-box">{d.reason}</p> : null}
      <dl className="dl pay-dl">
        <dt>{t("pay.receipt.amount")}</dt>
        <dd>
          <AmountWithToman amount={r.amount} currency={r.currency} />
        </dd>
        <dt>{t("pay.receipt.merchant")}</dt>
        <dd>{r.merchantName}</dd>
        <dt>{t("pay.receipt.card")}</dt>
        <dd className="mono" dir="ltr">
          {r.maskedCard ? fmt.digits(r.maskedCard) : "–"}
        </dd>
        <dt>{t("pay.receipt.trace")}</dt>
        <dd className="mono" data-testid="trace">
          {fmt.digits(r.traceNumber)}
        </dd>
        <dt>{t("pay.receipt.reference")}</dt>
        <dd className="mono" dir="ltr">
          {r.reference ?? "–"}
        </dd>
        <dt>{t("pay.receipt.paymentId")}</dt>
        <dd className="mono" dir="ltr">
          {r.paymentId}
        </dd>
        <dt>{t("pay.receipt.when")}</dt>
        <dd>{fmt.dateTime(r.createdAt)}</dd>
      </dl>
      <p className="form-actions no-print">
        {d.back ? (
          <a className="btn btn-primary" href={d.back} data-testid="back-to-merchant">
            {t("pay.backToMerchant", { merchant: d.merchantName })}
          </a>
        ) : null}
        {d.canRetry ? (
          <a className="btn" href={`/pay/${d.linkId}`}>
            {t("pay.tryAgain")}
          </a>
        ) : null}
      </p>
      {d.state === "paid" ? (
        <Form method="post" className="pay-send no-print">
          <input type="hidden" name="intent" value="send" />
          <fieldset>
            <legend>{t("pay.send.title")}</legend>
            <label className="check">
              <input type="radio" name="channel" value="sms" checked={channel === "sms"} onChange={() => setChannel("sms")} /> {t("pay.send.sms")}
            </label>
            <label className="check">
              <input type="radio" name="channel" value="email" checked={channel === "email"} onChange={() => setChannel("email")} /> {t("pay.send.email")}
            </label>
          </fieldset>
          <div className="field">
            <label htmlFor="send-to">{channel === "sms" ? t("links.field.phone") : t("links.field.email")}</label>
            <input id="send-to" name="to" dir="ltr" required maxLength={254} aria-invalid={failure?.field === "to" ? true : undefined} />
            {failure?.field === "to" ? <p className="field-error">{failure.message}</p> : null}
          </div>
          {d.sentTo ? <p className="notice">{t("pay.send.done")}</p> : null}
          <button type="submit" className="btn">
            {t("pay.send.button")}
          </button>
        </Form>
      ) : null}
    </div>
  );
}

export default function CheckoutPage() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  const failure = useActionData<typeof action>();
  return (
    <PayLayout merchantName={d.merchantName} path={`/pay/${d.linkId}/${d.checkoutId}`}>
      <section className="pay-card" aria-labelledby="pay-h">
        <h1 id="pay-h">{d.description}</h1>
        {d.state === "card" ? (
          <>
            <div className="pay-total">
              <span className="muted">{t("pay.amountToPay")}</span>
              <AmountWithToman amount={d.amount} currency={d.currency} />
            </div>
            {d.closed || d.expired ? (
              <div className="pay-closed" role="status">
                <p>{d.closed ? t(`pay.closed.${d.closed}.body` as MessageKey, { merchant: d.merchantName }) : t("pay.error.checkoutExpired")}</p>
                <a className="btn" href={`/pay/${d.linkId}`}>
                  {t("pay.startAgain")}
                </a>
              </div>
            ) : (
              <CardForm self={`/pay/${d.linkId}/${d.checkoutId}`} serverError={d.cardError ?? (failure?.field === "form" ? failure.message : null)} />
            )}
          </>
        ) : d.state === "pending" ? (
          <div className="pay-pending" role="status" data-testid="pending">
            <h2>{t("pay.pending.title")}</h2>
            <p>{t("pay.pending.body")}</p>
            <p className="form-actions">
              <a className="btn" href={`/pay/${d.linkId}/${d.checkoutId}`}>
                {t("pay.pending.check")}
              </a>
            </p>
            <Form method="post">
              <input type="hidden" name="intent" value="resume" />
              <button type="submit" className="btn btn-primary">
                {t("pay.pending.resume")}
              </button>
            </Form>
          </div>
        ) : (
          <Receipt d={d} />
        )}
      </section>
    </PayLayout>
  );
}
