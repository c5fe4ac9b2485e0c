import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Cadence } from "~/components/console/subscriptions";
import { useFormFailure } from "~/components/form";
import { CardForm } from "~/components/pay/card-form";
import { AmountWithToman, PayLayout } from "~/components/pay/pay-layout";
import { PendingNotice, ReceiptFacts, ResultHeading } from "~/components/pay/result";
import { typed } from "~/lib/form-fields";
import { useFormat, useT } from "~/lib/i18n/react";
import { translate } from "~/lib/i18n/translate";
import payStyles from "~/styles/pay.css";
import { clientIp, readForm } from "~/web/request.server";
import { receiptOf } from "~/modules/payment-links/checkout.server";
import { firstCharge, paySubscribeCheckout, resolveSubscribeCheckout, subscribePath } from "~/modules/subscriptions/subscribe.server";
import { cardholderContext, outcomeRedirect, returnedCard } from "~/web/cardholder-pages.server";
import { parseForm, refuse } from "~/web/form.server";
import { declineReason, subscribeRefusalText } from "~/web/subscriptions/public.server";

// Step two of subscribing: the card (tokenized by the provider), the provider's authentication, then the result and receipt.
export const links: LinksFunction = () => [{ rel: "stylesheet", href: payStyles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: translate(data?.prefs.locale ?? "fa", "subscribe.pageTitle", { plan: data?.plan.name ?? "", merchant: data?.merchantName ?? "" }) },
  { name: "robots", content: "noindex" },
];

/** The card step's forms: the card's token, or the card already given again (after the provider's authentication). */
const cardStepSchema = z.discriminatedUnion("intent", [z.object({ intent: z.literal("pay"), token: typed(100) }), z.object({ intent: z.literal("resume") })]);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const merchantId = params.merchantId ?? "";
  const planId = params.planId ?? "";
  const checkoutId = params.checkoutId ?? "";
  const self = `${subscribePath(merchantId, planId)}/${checkoutId}`;
  const url = new URL(request.url);
  let found = await resolveSubscribeCheckout(merchantId, planId, checkoutId);
  if (!found) throw new Response("Not found", { status: 404 });
  const c = cardholderContext(request, found.pp.merchant);
  const { prefs, headers, t } = c;
  const take = found.payment ? null : (token: string) => paySubscribeCheckout(merchantId, planId, checkoutId, token, { ip: clientIp(request) });
  const cardErrors = await returnedCard(url, c, take, () => self, (r) => ({ form: subscribeRefusalText(t, c.fmt, r) }));
  if (take && url.searchParams.has("token")) found = (await resolveSubscribeCheckout(merchantId, planId, checkoutId))!;
  const p = found.payment;
  const first = firstCharge(found.pp.plan);
  const s = found.subscription;
  return json(
    {
      prefs,
      self,
      start: subscribePath(merchantId, planId),
      merchantName: found.pp.merchant.name,
      plan: { name: found.pp.plan.name, amount: found.pp.plan.amount.toString(), currency: found.pp.plan.currency, interval: found.pp.plan.interval, intervalCount: found.pp.plan.intervalCount, trialDays: found.pp.plan.trialDays },
      charge: first.amount.toString(),
      trial: !first.capture,
      state: s ? ("subscribed" as const) : !p ? ("card" as const) : p.status === "pending" ? ("pending" as const) : ("declined" as const),
      receipt: p && s && first.capture ? receiptOf(p, found.pp.merchant) : null,
      subscription: s ? { id: s.id, nextRenewalAt: s.nextRenewalAt?.toISOString() ?? null, trialEndAt: s.trialEndAt?.toISOString() ?? null } : null,
      reason: p && (p.status === "declined" || p.status === "failed") ? declineReason(t, p.declineCode) : null,
      expired: !p && found.checkout.expiresAt.getTime() < Date.now(),
      cardErrors,
    },
    { headers },
  );
}

export async function action({ request, params }: ActionFunctionArgs) {
  const merchantId = params.merchantId ?? "";
  const planId = params.planId ?? "";
  const checkoutId = params.checkoutId ?? "";
  const self = `${subscribePath(merchantId, planId)}/${checkoutId}`;
  const found = await resolveSubscribeCheckout(merchantId, planId, checkoutId);
  if (!found) throw new Response("Not found", { status: 404 });
  const { prefs, t, fmt } = cardholderContext(request, found.pp.merchant);
  const parsed = parseForm(cardStepSchema, await readForm(request), t, "pay.error.generic");
  if (!parsed.ok) return refuse(parsed.errors);
  const input = parsed.data;
  const token = input.intent === "resume" ? (found.payment?.cardToken ?? "") : input.token;
  const r = await paySubscribeCheckout(merchantId, planId, checkoutId, token, { ip: clientIp(request) });
  if (r.ok) return outcomeRedirect(r, self, prefs);
  // The card step shows every refusal above the card (its fields never reach this server).
  return refuse({ form: subscribeRefusalText(t, fmt, r) }, { status: r.error.status, intent: input.intent });
}

export default function SubscribeCheckoutPage() {
  const d = useLoaderData<typeof loader>();
  const pay = useFormFailure(["pay", "resume"]);
  const t = useT();
  const fmt = useFormat();
  return (
    <PayLayout merchantName={d.merchantName} path={d.self}>
      <section className="pay-card" aria-labelledby="sub-h">
        <h1 id="sub-h">{d.plan.name}</h1>
        {d.state === "card" ? (
          <>
            <div className="pay-total">
              <span className="muted">{d.trial ? t("subscribe.cardCheck") : t("pay.amountToPay")}</span>
              <AmountWithToman amount={d.charge} currency={d.plan.currency} />
            </div>
            <p className="hint">
              <Cadence interval={d.plan.interval} count={d.plan.intervalCount} /> · {d.trial ? t("subscribe.trialNote", { count: d.plan.trialDays }) : t("subscribe.firstNote")}
            </p>
            {d.expired ? (
              <div className="pay-closed" role="status">
                <p>{t("pay.error.checkoutExpired")}</p>
                <a className="btn" href={d.start}>
                  {t("pay.startAgain")}
                </a>
              </div>
            ) : (
              <CardForm self={d.self} errors={pay.failure ? pay.errors : (d.cardErrors ?? {})} submitLabel={d.trial ? t("subscribe.startTrial") : t("subscribe.payAndSubscribe")} />
            )}
          </>
        ) : d.state === "pending" ? (
          <PendingNotice check={d.self} />
        ) : d.state === "declined" ? (
          <div className="pay-receipt" data-testid="declined">
            <ResultHeading ok={false} reason={d.reason}>
              {t("pay.result.declined")}
            </ResultHeading>
            <p className="form-actions">
              <a className="btn btn-primary" href={d.start}>
                {t("pay.tryAgain")}
              </a>
            </p>
          </div>
        ) : (
          <div className="pay-receipt" data-testid="subscribed">
            <ResultHeading ok>{t("subscribe.done")}</ResultHeading>
            <dl className="dl pay-dl">
              <dt>{t("subs.plan")}</dt>
              <dd>
                {d.plan.name} · <Cadence interval={d.plan.interval} count={d.plan.intervalCount} />
              </dd>
              {d.subscription?.trialEndAt ? (
                <>
                  <dt>{t("subs.trialEnds")}</dt>
                  <dd>{fmt.dateTime(d.subscription.trialEndAt)}</dd>
                </>
              ) : null}
              <dt>{t("subs.next")}</dt>
              <dd data-testid="next-renewal">{d.subscription?.nextRenewalAt ? fmt.dateTime(d.subscription.nextRenewalAt) : "–"}</dd>
              {d.receipt ? <ReceiptFacts receipt={d.receipt} with={["paymentId"]} /> : null}
            </dl>
            <p className="hint">{t("subscribe.doneNote", { merchant: d.merchantName })}</p>
          </div>
        )}
      </section>
    </PayLayout>
  );
}
