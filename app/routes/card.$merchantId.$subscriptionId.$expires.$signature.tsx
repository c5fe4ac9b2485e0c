import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { CardForm } from "~/components/pay/card-form";
import { AmountWithToman, PayLayout } from "~/components/pay/pay-layout";
import { makeFormatter } from "~/lib/format";
import { useFormat, useT } from "~/lib/i18n/react";
import { translate } from "~/lib/i18n/translate";
import payStyles from "~/styles/pay.css";
import { clientIp, readForm } from "~/web/request.server";
import { serverTranslator } from "~/modules/i18n/preferences.server";
import { receiptOf } from "~/modules/payment-links/checkout.server";
import { checkCardLink } from "~/modules/subscriptions/card-link.server";
import { cardUpdateView, newCardUpdateId, payWithNewCard, resolveCardUpdate, type NewCardOutcome } from "~/modules/subscriptions/card-updates.server";
import { mandateText } from "~/modules/subscriptions/customers.server";
import { declineReason, payPreferences, subscribeRefusalText } from "~/web/subscriptions/public.server";

// The customer's update-card page, from the signed link in a dunning notice: pay the open invoice with another card, which then replaces the saved one.
export const links: LinksFunction = () => [{ rel: "stylesheet", href: payStyles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: translate(data?.prefs.locale ?? "fa", "cardUpdate.pageTitle", { merchant: data?.merchantName ?? "" }) },
  { name: "robots", content: "noindex" },
];

type Params = { merchantId?: string; subscriptionId?: string; expires?: string; signature?: string };

async function open(request: Request, params: Params) {
  const parts = { merchantId: params.merchantId ?? "", subscriptionId: params.subscriptionId ?? "", expires: params.expires ?? "", signature: params.signature ?? "" };
  const link = await checkCardLink(parts, new Date());
  if (!link.ok && link.reason === "invalid") throw new Response(serverTranslator({ locale: "fa", digits: "native" })("pay.notFound"), { status: 404 });
  const view = await cardUpdateView({ merchantId: parts.merchantId }, parts.subscriptionId);
  if (!view) throw new Response("Not found", { status: 404 });
  const { prefs, headers } = payPreferences(request, view.merchant);
  const self = `/card/${encodeURIComponent(parts.merchantId)}/${encodeURIComponent(parts.subscriptionId)}/${parts.expires}/${parts.signature}`;
  return { link, view, prefs, headers, self, scope: { merchantId: parts.merchantId } };
}

function authUrl(to: string, prefs: { locale: string; timeZone: string }): string {
  return `${to}${to.includes("?") ? "&" : "?"}lang=${prefs.locale}&tz=${encodeURIComponent(prefs.timeZone)}`;
}

function outcomeRedirect(o: Extract<NewCardOutcome, { ok: true }>, self: string, prefs: { locale: string; timeZone: string }) {
  return redirect(o.kind === "authenticate" ? authUrl(o.redirectUrl, prefs) : `${self}?u=${o.updateId}`, 303);
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const o = await open(request, params);
  const { view, prefs, headers, self, scope } = o;
  const t = serverTranslator(prefs);
  const fmt = makeFormatter({ ...prefs });
  const url = new URL(request.url);
  const base = {
    prefs,
    self,
    merchantName: view.merchant.name,
    planName: view.plan.name,
    currency: view.plan.currency,
    mandate: mandateText(view.merchant.name, prefs.locale),
  };
  // The result of one submitted form (also where the provider's authentication returns: ?u= is in the return URL).
  const u = url.searchParams.get("u") ?? url.searchParams.get("md_u");
  let cardError: string | null = null;
  if (u && url.searchParams.get("token") && o.link.ok) {
    // Without JavaScript: back from the provider's card form with the token and the echoed md_* fields.
    const r = await payWithNewCard(scope, view.subscription.id, { updateId: u, token: url.searchParams.get("token")!, consent: url.searchParams.get("md_consent") === "yes", locale: prefs.locale, ip: clientIp(request), returnUrl: `${self}?u=${u}` });
    if (r.ok) throw outcomeRedirect(r, self, prefs);
    cardError = subscribeRefusalText(t, fmt, r);
  } else if (u) {
    const found = await resolveCardUpdate(scope, view.subscription.id, u);
    if (found) {
      const p = found.payment;
      return json(
        {
          ...base,
          state: found.update.status === "completed" ? ("paid" as const) : p?.status === "pending" ? ("pending" as const) : found.update.status === "declined" ? ("declined" as const) : ("pending" as const),
          receipt: p && found.update.status === "completed" ? receiptOf(p, view.merchant) : null,
          reason: p && (p.status === "declined" || p.status === "failed") ? declineReason(t, p.declineCode) : null,
          amount: found.invoice?.amount.toString() ?? null,
          updateId: u,
          newUpdateId: newCardUpdateId(),
          cardError: null,
        },
        { headers },
      );
    }
  }
  if (!o.link.ok) return json({ ...base, state: "expired" as const, receipt: null, reason: null, amount: null, updateId: null, newUpdateId: null, cardError: null }, { status: 410, headers });
  if (url.searchParams.get("card_error") && !cardError) cardError = t("pay.error.card");
  return json(
    {
      ...base,
      state: view.due ? ("card" as const) : view.inFlight ? ("busy" as const) : ("nothing" as const),
      receipt: null,
      reason: null,
      amount: view.due?.amount.toString() ?? null,
      updateId: null,
      newUpdateId: newCardUpdateId(),
      cardError,
    },
    { headers },
  );
}

export async function action({ request, params }: ActionFunctionArgs) {
  const o = await open(request, params);
  const { prefs, self, scope, view } = o;
  const t = serverTranslator(prefs);
  const fmt = makeFormatter({ ...prefs });
  if (!o.link.ok) return json({ field: "form", message: t("cardUpdate.expired") }, { status: 410 });
  const form = await readForm(request);
  const updateId = String(form.get("md_u") ?? "").slice(0, 60);
  const r = await payWithNewCard(scope, view.subscription.id, {
    updateId,
    token: String(form.get("token") ?? "").slice(0, 100),
    consent: form.get("md_consent") === "yes",
    locale: prefs.locale,
    ip: clientIp(request),
    returnUrl: `${self}?u=${updateId}`,
  });
  if (r.ok) return outcomeRedirect(r, self, prefs);
  return json({ field: r.field, message: subscribeRefusalText(t, fmt, r) }, { status: r.status });
}

export default function CardUpdatePage() {
  const d = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const t = useT();
  const fmt = useFormat();
  const again = d.newUpdateId ? (
    <a className="btn" href={d.self}>
      {t("cardUpdate.tryAnother")}
    </a>
  ) : null;
  return (
    <PayLayout merchantName={d.merchantName} path={d.self}>
      <section className="pay-card" aria-labelledby="cu-h">
        <h1 id="cu-h">{t("cardUpdate.title")}</h1>
        <p className="muted">{d.planName}</p>
        {d.state === "card" ? (
          <>
            <div className="pay-total">
              <span className="muted">{t("cardUpdate.due")}</span>
              <AmountWithToman amount={d.amount!} currency={d.currency} />
            </div>
            <p className="hint">{t("cardUpdate.intro", { merchant: d.merchantName })}</p>
            <CardForm self={d.self} serverError={d.cardError ?? (failure?.field === "form" ? failure.message : null)} hidden={{ md_u: d.newUpdateId! }} submitLabel={t("cardUpdate.submit")}>
              <label className="check pay-save-card">
                <input type="checkbox" name="md_consent" value="yes" required /> {d.mandate}
              </label>
              {failure?.field === "consent" ? (
                <p className="field-error" role="alert">
                  {failure.message}
                </p>
              ) : null}
            </CardForm>
          </>
        ) : d.state === "paid" ? (
          <div className="pay-receipt" data-testid="card-updated">
            <h2 role="status" className="pay-ok">
              {t("cardUpdate.done")}
            </h2>
            {d.receipt ? (
              <dl className="dl pay-dl">
                <dt>{t("pay.receipt.amount")}</dt>
                <dd>
                  <AmountWithToman amount={d.receipt.amount} currency={d.receipt.currency} />
                </dd>
                <dt>{t("pay.receipt.card")}</dt>
                <dd className="mono" dir="ltr">
                  {d.receipt.maskedCard ? fmt.digits(d.receipt.maskedCard) : "–"}
                </dd>
                <dt>{t("pay.receipt.trace")}</dt>
                <dd className="mono">{fmt.digits(d.receipt.traceNumber)}</dd>
                <dt>{t("pay.receipt.when")}</dt>
                <dd>{fmt.dateTime(d.receipt.createdAt)}</dd>
              </dl>
            ) : null}
            <p className="hint">{t("cardUpdate.doneNote", { merchant: d.merchantName })}</p>
          </div>
        ) : d.state === "declined" ? (
          <div className="pay-receipt" data-testid="declined">
            <h2 role="status" className="pay-bad">
              {t("pay.result.declined")}
            </h2>
            {d.reason ? <p className="error-box">{d.reason}</p> : null}
            <p className="form-actions">{again}</p>
          </div>
        ) : d.state === "pending" || d.state === "busy" ? (
          <div className="pay-pending" role="status" data-testid="pending">
            <h2>{t("pay.pending.title")}</h2>
            <p>{d.state === "busy" ? t("cardUpdate.error.inProgress") : t("pay.pending.body")}</p>
            <p className="form-actions">
              <a className="btn" href={d.updateId ? `${d.self}?u=${d.updateId}` : d.self}>
                {t("pay.pending.check")}
              </a>
            </p>
          </div>
        ) : d.state === "expired" ? (
          <div className="pay-closed" role="status" data-testid="link-expired">
            <p>{t("cardUpdate.expired")}</p>
          </div>
        ) : (
          <div className="pay-closed" role="status" data-testid="nothing-due">
            <p>{t("cardUpdate.error.nothingDue")}</p>
          </div>
        )}
      </section>
    </PayLayout>
  );
}
