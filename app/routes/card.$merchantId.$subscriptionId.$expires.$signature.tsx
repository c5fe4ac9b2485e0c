import type { Failure } from "~/lib/vocabulary";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { CheckField, useFormFailure } from "~/components/form";
import { CardForm } from "~/components/pay/card-form";
import { AmountWithToman, PayLayout } from "~/components/pay/pay-layout";
import { PendingNotice, ReceiptFacts, ResultHeading } from "~/components/pay/result";
import { ticked, typed } from "~/lib/form-fields";
import type { FieldErrors } from "~/lib/forms";
import type { Formatter } from "~/lib/format";
import type { Translator } from "~/lib/i18n/translate";
import { useT } from "~/lib/i18n/react";
import { translate } from "~/lib/i18n/translate";
import payStyles from "~/styles/pay.css";
import { clientIp, readForm } from "~/web/request.server";
import { serverTranslator } from "~/modules/i18n/preferences.server";
import { receiptOf } from "~/modules/payment-links/checkout.server";
import { checkCardLink } from "~/modules/subscriptions/card-link.server";
import { cardUpdateView, newCardUpdateId, payWithNewCard, resolveCardUpdate } from "~/modules/subscriptions/card-updates.server";
import { mandateText } from "~/modules/subscriptions/customers.server";
import { declineReason, subscribeRefusalText } from "~/web/subscriptions/public.server";
import { cardholderContext, outcomeRedirect, returnedCard } from "~/web/cardholder-pages.server";
import { parseForm, refuse } from "~/web/form.server";

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
  const self = `/card/${encodeURIComponent(parts.merchantId)}/${encodeURIComponent(parts.subscriptionId)}/${parts.expires}/${parts.signature}`;
  return { link, view, self, scope: { merchantId: parts.merchantId }, ...cardholderContext(request, view.merchant) };
}

/** The card form's own fields: its update's id, the card's token, and the mandate's tick. */
const newCardSchema = z.object({ md_u: typed(60), token: typed(100), md_consent: ticked() });

/** A refusal by the card form's field (the consent tick is `md_consent`, echoed by the provider's form). */
function refusalErrors(t: Translator, fmt: Formatter, r: { error: Failure }): FieldErrors {
  return { [r.error.param === "consent" ? "md_consent" : "form"]: subscribeRefusalText(t, fmt, r) };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const o = await open(request, params);
  const { view, prefs, headers, self, scope, t, fmt } = o;
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
  // Without JavaScript: back from the provider's card form with the token (or card_error) and the echoed md_* fields.
  const taking = !!u && !!url.searchParams.get("token") && o.link.ok;
  const take = (token: string) =>
    payWithNewCard(scope, view.subscription.id, { updateId: u!, token, consent: url.searchParams.get("md_consent") === "yes", locale: prefs.locale, ip: clientIp(request), returnUrl: `${self}?u=${u}` });
  const cardErrors = await returnedCard(url, o, taking ? take : null, (r) => `${self}?u=${r.updateId}`, (r) => refusalErrors(t, fmt, r));
  if (u && !taking) {
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
          cardErrors: null,
        },
        { headers },
      );
    }
  }
  if (!o.link.ok) return json({ ...base, state: "expired" as const, receipt: null, reason: null, amount: null, updateId: null, newUpdateId: null, cardErrors: null }, { status: 410, headers });
  return json(
    {
      ...base,
      state: view.due ? ("card" as const) : view.inFlight ? ("busy" as const) : ("nothing" as const),
      receipt: null,
      reason: null,
      amount: view.due?.amount.toString() ?? null,
      updateId: null,
      newUpdateId: newCardUpdateId(),
      cardErrors,
    },
    { headers },
  );
}

export async function action({ request, params }: ActionFunctionArgs) {
  const o = await open(request, params);
  const { prefs, self, scope, view, t, fmt } = o;
  if (!o.link.ok) return refuse(t("cardUpdate.expired"), { status: 410 });
  const parsed = parseForm(newCardSchema, await readForm(request), t, "pay.error.generic");
  if (!parsed.ok) return refuse(parsed.errors);
  const { md_u: updateId, token, md_consent: consent } = parsed.data;
  const r = await payWithNewCard(scope, view.subscription.id, { updateId, token, consent, locale: prefs.locale, ip: clientIp(request), returnUrl: `${self}?u=${updateId}` });
  if (r.ok) return outcomeRedirect(r, `${self}?u=${r.updateId}`, prefs);
  return refuse(refusalErrors(t, fmt, r), { status: r.error.status });
}

export default function CardUpdatePage() {
  const d = useLoaderData<typeof loader>();
  const form = useFormFailure();
  const errors = form.failure ? form.errors : (d.cardErrors ?? {});
  const t = useT();
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
            <CardForm self={d.self} errors={errors} hidden={{ md_u: d.newUpdateId! }} submitLabel={t("cardUpdate.submit")}>
              <CheckField form={{ ...form, errors }} name="md_consent" label={d.mandate} required />
            </CardForm>
          </>
        ) : d.state === "paid" ? (
          <div className="pay-receipt" data-testid="card-updated">
            <ResultHeading ok>{t("cardUpdate.done")}</ResultHeading>
            {d.receipt ? (
              <dl className="dl pay-dl">
                <ReceiptFacts receipt={d.receipt} />
              </dl>
            ) : null}
            <p className="hint">{t("cardUpdate.doneNote", { merchant: d.merchantName })}</p>
          </div>
        ) : d.state === "declined" ? (
          <div className="pay-receipt" data-testid="declined">
            <ResultHeading ok={false} reason={d.reason}>
              {t("pay.result.declined")}
            </ResultHeading>
            <p className="form-actions">{again}</p>
          </div>
        ) : d.state === "pending" || d.state === "busy" ? (
          <PendingNotice check={d.updateId ? `${d.self}?u=${d.updateId}` : d.self} body={d.state === "busy" ? t("cardUpdate.error.inProgress") : undefined} />
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
