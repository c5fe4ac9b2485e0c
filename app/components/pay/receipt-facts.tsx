/** A payment's receipt as the cardholder's pages show it: the facts a customer or support asks for. */
import { AmountWithToman } from "~/components/pay/pay-layout";
import { useFormat, useT } from "~/lib/i18n/react";
import type { PublicReceipt } from "~/modules/payment-links/checkout.server";

type Fact = "merchant" | "description" | "reference" | "paymentId";

/**
 * The receipt's rows of a `dl.pay-dl`: amount, card, trace number and time always; the
 * merchant, the link's description, the provider's reference and the payment's id where
 * `with` asks for them.
 */
export function ReceiptFacts({
  receipt: r,
  with: shown = [],
}: {
  receipt: Pick<PublicReceipt, "amount" | "currency" | "merchantName" | "description" | "maskedCard" | "traceNumber" | "reference" | "paymentId" | "createdAt">;
  with?: readonly Fact[];
}) {
  const t = useT();
  const fmt = useFormat();
  const has = (f: Fact) => shown.includes(f);
  return (
    <>
      <dt>{t("pay.receipt.amount")}</dt>
      <dd>
        <AmountWithToman amount={r.amount} currency={r.currency} />
      </dd>
      {has("merchant") ? (
        <>
          <dt>{t("pay.receipt.merchant")}</dt>
          <dd>{r.merchantName}</dd>
        </>
      ) : null}
      {has("description") && r.description ? (
        <>
          <dt>{t("links.description")}</dt>
          <dd>{r.description}</dd>
        </>
      ) : null}
      <dt>{t("pay.receipt.card")}</dt>
      <dd className="mono" dir="ltr">
        {r.maskedCard ? fmt.digits(r.maskedCard) : "–"}
      </dd>
      <dt>{t("pay.receipt.trace")}</dt>
      <dd className="mono" data-testid="trace">
        {fmt.digits(r.traceNumber)}
      </dd>
      {has("reference") ? (
        <>
          <dt>{t("pay.receipt.reference")}</dt>
          <dd className="mono" dir="ltr">
            {r.reference ?? "–"}
          </dd>
        </>
      ) : null}
      {has("paymentId") ? (
        <>
          <dt>{t("pay.receipt.paymentId")}</dt>
          <dd className="mono" dir="ltr">
            {r.paymentId}
          </dd>
        </>
      ) : null}
      <dt>{t("pay.receipt.when")}</dt>
      <dd>{fmt.dateTime(r.createdAt)}</dd>
    </>
  );
}
