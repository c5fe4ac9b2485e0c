import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import { ErrorSummary, Field, RadioFieldset, useFormFailure } from "~/components/form";
import { CardForm } from "~/components/pay/card-form";
import { AmountWithToman, PayLayout } from "~/components/pay/pay-layout";
import { PendingNotice, ReceiptFacts, ResultHeading } from "~/components/pay/result";
import { typed } from "~/lib/form-fields";
import type { MessageKey } from "~/lib/i18n/en";
import { useT } from "~/lib/i18n/react";
import { translate } from "~/lib/i18n/translate";
import payStyles from "~/styles/pay.css";
import { readForm } from "~/web/request.server";
import { clientIp } from "~/web/request.server";
import {
  linkClosedReason,
  merchantRedirect,
  payCheckout,
  receiptOf,
  resolveCheckout,
} from "~/modules/payment-links/checkout.server";
import { receiptPath } from "~/modules/payments/receipts.server";
import { declineReason, refusalText, sendReceipt } from "~/web/payment-links/public.server";
import { cardholderContext, outcomeRedirect, returnedCard } from "~/web/cardholder-pages.server";
import { parseForm, refuse } from "~/web/form.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: payStyles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => {
  const locale = data?.prefs.locale ?? "fa";
  return [{ title: translate(locale, "pay.pageTitle", { merchant: data?.merchantName ?? "" }) }, { name: "robots", content: "noindex" }];
};

async function load(request: Request, linkId: string, checkoutId: string) {
  const found = await resolveCheckout(linkId, checkoutId, { ip: clientIp(request) });
  if (!found) throw new Response("Not found", { status: 404 });
  return found;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const linkId = params.linkId ?? "";
  const checkoutId = params.checkoutId ?? "";
  const self = `/pay/${linkId}/${checkoutId}`;
  const url = new URL(request.url);
  let found = await load(request, linkId, checkoutId);
  const c = cardholderContext(request, found.pl.merchant);
  const { prefs, headers, t } = c;
  const take = found.payment ? null : (token: string) => payCheckout(linkId, checkoutId, token, { ip: clientIp(request) });
  const cardErrors = await returnedCard(url, c, take, () => self, (r) => ({ form: refusalText(t, c.fmt, r) }));
  if (take && url.searchParams.has("token")) found = await load(request, linkId, checkoutId);
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
      cardErrors,
      expired: !p && found.checkout.expiresAt.getTime() < Date.now(),
      sentTo: url.searchParams.get("sent"),
    },
    { headers },
  );
}

/** The checkout's forms: the card's token (or the saved one again), and the receipt's recipient. */
const checkoutSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("pay"), token: typed(100) }),
  z.object({ intent: z.literal("resume") }),
  z.object({ intent: z.literal("send"), channel: z.enum(["sms", "email"]).catch("email"), to: typed(300) }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const linkId = params.linkId ?? "";
  const checkoutId = params.checkoutId ?? "";
  const self = `/pay/${linkId}/${checkoutId}`;
  const found = await load(request, linkId, checkoutId);
  const { prefs, t, fmt } = cardholderContext(request, found.pl.merchant);
  const form = await readForm(request);
  const parsed = parseForm(checkoutSchema, form, t, "pay.error.generic");
  if (!parsed.ok) return refuse(parsed.errors);
  const input = parsed.data;
  if (input.intent === "send") {
    const p = found.payment;
    if (!p || p.status === "pending") return refuse({ to: t("pay.error.generic") }, { status: 409, intent: "send", values: form });
    const r = await sendReceipt(request, prefs, receiptOf(p, found.pl.merchant), found.pl.merchant.id, await receiptPath(found.pl.merchant.id, p.id), input.channel, input.to);
    if (!r.ok) return refuse({ [r.field]: r.message }, { status: r.status, intent: "send", values: form });
    return redirect(`${self}?sent=${input.channel}`, 303);
  }
  const token = input.intent === "resume" ? (found.payment?.cardToken ?? "") : input.token;
  const r = await payCheckout(linkId, checkoutId, token, { ip: clientIp(request) });
  if (r.ok) return outcomeRedirect(r, self, prefs);
  // The card step shows every refusal above the card (its fields never reach this server).
  return refuse({ form: refusalText(t, fmt, r) }, { status: r.status, intent: input.intent });
}

function Receipt({ d }: { d: ReturnType<typeof useLoaderData<typeof loader>> }) {
  const t = useT();
  const r = d.receipt!;
  const form = useFormFailure("send");
  const [channel, setChannel] = useState<"email" | "sms">(form.values.channel === "email" ? "email" : "sms");
  return (
    <div className="pay-receipt" data-testid="receipt">
      <ResultHeading ok={d.state === "paid"} reason={d.reason}>
        {d.state === "paid" ? t("pay.result.paid") : t("pay.result.declined")}
      </ResultHeading>
      <dl className="dl pay-dl">
        <ReceiptFacts receipt={r} with={["merchant", "reference", "paymentId"]} />
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
        <Form method="post" className="pay-send no-print" noValidate>
          <input type="hidden" name="intent" value="send" />
          <ErrorSummary form={form} />
          <RadioFieldset name="channel" legend={t("pay.send.title")} className="check" options={[{ value: "sms", label: t("pay.send.sms") }, { value: "email", label: t("pay.send.email") }]} checked={channel} onChange={setChannel} />
          <Field
            form={form}
            id="send-to"
            name="to"
            label={channel === "sms" ? t("links.field.phone") : t("links.field.email")}
            type={channel === "sms" ? "tel" : "email"}
            inputMode={channel === "sms" ? "tel" : "email"}
            autoComplete={channel === "sms" ? "tel" : "email"}
            dir="ltr"
            required
            maxLength={254}
          />
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
  const pay = useFormFailure("pay");
  const resume = useFormFailure("resume");
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
              <CardForm self={`/pay/${d.linkId}/${d.checkoutId}`} errors={pay.failure ? pay.errors : (d.cardErrors ?? {})} />
            )}
          </>
        ) : d.state === "pending" ? (
          <PendingNotice check={`/pay/${d.linkId}/${d.checkoutId}`}>
            <Form method="post">
              <ErrorSummary form={resume} />
              <input type="hidden" name="intent" value="resume" />
              <button type="submit" className="btn btn-primary">
                {t("pay.pending.resume")}
              </button>
            </Form>
          </PendingNotice>
        ) : (
          <Receipt d={d} />
        )}
      </section>
    </PayLayout>
  );
}
