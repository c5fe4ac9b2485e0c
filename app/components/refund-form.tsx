import { Form, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { useEffect, useId, useRef, useState } from "react";
import { CsrfInput } from "~/components/csrf";
import { StepUpFields } from "~/components/step-up";
import type { MessageKey } from "~/lib/i18n/en";
import { REFUND_REASONS } from "~/lib/vocabulary";
import { isCurrencyCode, parseAmount } from "~/lib/money";
import { useFormat, useT } from "~/lib/i18n/react";

const NOTE_MAX = 1000;

interface ActionShape {
  ok?: false;
  errors?: Partial<Record<"amount" | "reason" | "note" | "form", string>>;
  stepUp?: string;
  values?: { amount: string; reason: string; note: string };
}

export interface RefundFormProps {
  paymentId: string;
  currency: string;
  /** Still refundable, minor units as a decimal string. */
  refundable: string;
  /** The role's per-refund cap (minor units), or null when uncapped. */
  limit: string | null;
  /**
   * A fresh key from newRefundFormKey() in the page's loader: a double click or a
   * re-sent form then refunds once. Without it one is made in the browser.
   */
  formKey?: string;
}

/**
 * Full or partial refund of a payment: empty amount = everything still refundable.
 * Posts to the payment page's own action (refundFormAction). With scripts, "Refund" first
 * asks to confirm the amount in words (focus moves to "Confirm refund"; "Back" returns to
 * the form); an amount that does not parse goes straight to the server, which names the
 * problem. Without JavaScript the form posts at once, as before.
 */
export function RefundForm({ paymentId, currency, refundable, limit, formKey }: RefundFormProps) {
  const t = useT();
  const fmt = useFormat();
  const id = useId();
  const data = useActionData() as ActionShape | undefined;
  const navigation = useNavigation();
  const [search] = useSearchParams();
  const [clientKey, setClientKey] = useState<string>("");
  useEffect(() => {
    if (!formKey && typeof crypto !== "undefined" && "randomUUID" in crypto) setClientKey(crypto.randomUUID());
  }, [formKey]);
  const key = formKey ?? clientKey;
  const [confirming, setConfirming] = useState<string | null>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const refundButton = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
    else if (wasConfirming.current) refundButton.current?.focus();
    wasConfirming.current = confirming !== null;
  }, [confirming]);
  const busy = navigation.state === "submitting" && navigation.formData?.get("intent") === "refund";
  const errors = data?.errors ?? {};
  const values = data?.values;
  const done = search.get("refundStatus");
  const doneKey = done && ["succeeded", "pending", "failed"].includes(done) ? (`refundForm.done.${done}` as MessageKey) : null;
  const err = (field: keyof NonNullable<ActionShape["errors"]>) =>
    errors[field] ? (
      <p className="field-error" id={`${id}-${field}-error`} role="alert">
        {errors[field]}
      </p>
    ) : null;

  return (
    <div className="refund-form">
      {doneKey ? (
        <p className={done === "failed" ? "error-box" : "success-box"} role="status">
          {t(doneKey)}
        </p>
      ) : null}
      <h3>{t("refundForm.title")}</h3>
      {errors.form ? (
        <p className="error-box" role="alert">
          {errors.form}
        </p>
      ) : null}
      {/* A new key after each refund remounts the form, so the last amount is not left in it. */}
      <Form
        key={key || "form"}
        method="post"
        action={`/payments/${paymentId}`}
        replace
        onSubmit={(e) => {
          const submitter = (e.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
          if (submitter?.name === "confirmed") {
            setConfirming(null);
            return;
          }
          const typed = String(new FormData(e.currentTarget).get("amount") ?? "").trim();
          let minor: bigint | null = BigInt(refundable);
          if (typed) {
            const parsed = isCurrencyCode(currency) ? parseAmount(typed, currency) : null;
            minor = parsed?.ok ? parsed.minor : null;
          }
          if (minor === null) return;
          e.preventDefault();
          setConfirming(fmt.money(minor.toString(), currency));
        }}
      >
        <CsrfInput />
        <input type="hidden" name="intent" value="refund" />
        {key ? <input type="hidden" name="key" value={key} /> : null}
        <div className="form-row">
          <div className="field">
            <label htmlFor={`${id}-amount`}>{t("refundForm.amount", { currency: currency === "IRR" ? t("money.unit.rial") : currency })}</label>
            <input
              id={`${id}-amount`}
              name="amount"
              inputMode="decimal"
              autoComplete="off"
              maxLength={40}
              defaultValue={values?.amount ?? ""}
              placeholder={fmt.money(refundable, currency)}
              aria-invalid={errors.amount ? true : undefined}
              aria-describedby={`${id}-amount-hint${errors.amount ? ` ${id}-amount-error` : ""}`}
            />
            <p className="hint" id={`${id}-amount-hint`}>
              {t("refundForm.amountHint", { amount: fmt.money(refundable, currency) })}
              {limit !== null ? ` ${t("refundForm.limitHint", { amount: fmt.money(limit, currency) })}` : null}
            </p>
            {err("amount")}
          </div>
          <div className="field">
            <label htmlFor={`${id}-reason`}>{t("refundForm.reason")}</label>
            <select id={`${id}-reason`} name="reason" defaultValue={values?.reason || "requested_by_customer"} aria-invalid={errors.reason ? true : undefined}>
              {REFUND_REASONS.map((r) => (
                <option key={r} value={r}>
                  {t(`refundReason.${r}` as MessageKey)}
                </option>
              ))}
            </select>
            {err("reason")}
          </div>
        </div>
        <div className="field">
          <label htmlFor={`${id}-note`}>
            {t("refundForm.note")} <span className="muted">({t("common.optional")})</span>
          </label>
          <textarea id={`${id}-note`} name="note" rows={2} maxLength={NOTE_MAX} defaultValue={values?.note ?? ""} aria-invalid={errors.note ? true : undefined} />
          {err("note")}
        </div>
        {/* Only owners and admins can refund above the support limit, where step-up applies. */}
        {limit === null ? <StepUpFields error={data?.stepUp ?? null} /> : null}
        {confirming ? (
          <div className="refund-confirm" role="group" aria-labelledby={`${id}-confirm`}>
            <p id={`${id}-confirm`}>{t("refundForm.confirm", { amount: confirming })}</p>
            <div className="form-row">
              <button ref={confirmButton} type="submit" name="confirmed" value="1" className="btn btn-danger" disabled={busy}>
                {busy ? t("refundForm.submitting") : t("refundForm.confirmSubmit")}
              </button>
              <button type="button" className="btn" onClick={() => setConfirming(null)}>
                {t("refundForm.back")}
              </button>
            </div>
          </div>
        ) : (
          <button ref={refundButton} type="submit" className="btn btn-danger" disabled={busy}>
            {busy ? t("refundForm.submitting") : t("refundForm.submit")}
          </button>
        )}
      </Form>
    </div>
  );
}
