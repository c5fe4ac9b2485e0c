/** A payment's result as the cardholder's pages show it: its heading, the receipt's facts, or that it is still with the bank. */
import type { ReactNode } from "react";
import { AmountWithToman } from "~/components/pay/pay-layout";
import { useFormat, useT } from "~/lib/i18n/react";

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
  /** What a receipt shows (the checkout's PublicReceipt has these and more). */
  receipt: {
    amount: string;
    currency: string;
    merchantName: string;
    description: string | null;
    maskedCard: string | null;
    traceNumber: string;
    reference: string | null;
    paymentId: string;
    createdAt: string;
  };
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

/** A result's heading (said to screen readers as it arrives) and, for a decline, the bank's reason. */
export function ResultHeading({ ok, children, reason }: { ok: boolean; children: ReactNode; reason?: string | null }) {
  return (
    <>
      <h2 role="status" className={ok ? "pay-ok" : "pay-bad"}>
        {children}
      </h2>
      {reason ? <p className="error-box">{reason}</p> : null}
    </>
  );
}

/** The payment is with the bank: say so, offer to look again (`check`), and any other way on (`children`). */
export function PendingNotice({ check, body, children }: { check: string; body?: string; children?: ReactNode }) {
  const t = useT();
  return (
    <div className="pay-pending" role="status" data-testid="pending">
      <h2>{t("pay.pending.title")}</h2>
      <p>{body ?? t("pay.pending.body")}</p>
      <p className="form-actions">
        <a className="btn" href={check}>
          {t("pay.pending.check")}
        </a>
      </p>
      {children}
    </div>
  );
}
