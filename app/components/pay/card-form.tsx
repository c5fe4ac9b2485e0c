/**
 * The card form of the cardholder's pages (hosted payment, subscribe, update card). Its
 * action is the provider's form endpoint, so without JavaScript the card goes to the
 * provider and never here (the provider sends the browser back to `self` with a token and
 * the form's md_* fields); with JavaScript the card fields lose their names, the browser
 * asks the provider for a token itself, and only the token (with the md_* fields) is
 * posted to `self`.
 *
 * Its refusals are the one form shape's errors by field: `number`, `exp`, `cvc` (what the
 * provider said about the card, here or through `card_error`), `form` (the rest).
 */
import { useNavigation, useSubmit } from "@remix-run/react";
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { ErrorSummary, Field, type FormState } from "~/components/form";
import { PaySubmit } from "~/components/pay/pay-fields";
import { cardFormErrorOf, detectCard, formatPanGroups, normalizePan, parseExpiry } from "~/lib/card";
import type { FieldErrors } from "~/lib/forms";
import type { MessageKey } from "~/lib/i18n/en";
import { useT } from "~/lib/i18n/react";

function useHydrated(): boolean {
  const [h, setH] = useState(false);
  useEffect(() => setH(true), []);
  return h;
}

export function CardForm({
  self,
  errors,
  hidden = {},
  children,
  submitLabel,
}: {
  /** The page the token is posted to (and the provider's form returns to). */
  self: string;
  /** The server's refusal of the card step, by field. */
  errors: FieldErrors;
  /** md_* fields sent with the token (echoed by the provider's form without JavaScript). */
  hidden?: Record<string, string>;
  /** More md_* fields (a consent checkbox), above the button. */
  children?: ReactNode;
  submitLabel?: string;
}) {
  const t = useT();
  const hydrated = useHydrated();
  const submit = useSubmit();
  const navigation = useNavigation();
  const [pan, setPan] = useState("");
  // What the provider said when this browser asked it for a token (it replaces the server's answer).
  const [local, setLocal] = useState<FieldErrors | null>(null);
  const [busy, setBusy] = useState(false);
  const expRef = useRef<HTMLInputElement>(null);
  const cvcRef = useRef<HTMLInputElement>(null);
  const info = detectCard(normalizePan(pan));
  const form: FormState = { summaryId: "card-error", failure: null, errors: local ?? errors, values: {} };

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setLocal(null);
    const extra: Record<string, string> = {};
    new FormData(e.currentTarget).forEach((v, k) => {
      if (k.startsWith("md_") && typeof v === "string") extra[k] = v;
    });
    const exp = parseExpiry(expRef.current?.value ?? "");
    if (!exp) {
      setLocal({ exp: t("pay.card.error.expiry") });
      return;
    }
    setBusy(true);
    try {
      const res = await fetch("/sandbox/v1/tokens", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ number: normalizePan(pan), exp_month: exp.month, exp_year: exp.year, cvc: cvcRef.current?.value ?? "" }),
        credentials: "omit",
      });
      const body = (await res.json()) as { id?: string; error?: { code?: string } };
      if (res.status !== 201 || !body.id) {
        const e = cardFormErrorOf(body.error?.code ?? "");
        setLocal({ [e.field]: t(e.key) });
        setBusy(false);
        return;
      }
      // The card fields are cleared before anything is posted here: only the token leaves this page.
      setPan("");
      if (cvcRef.current) cvcRef.current.value = "";
      submit({ intent: "pay", token: body.id, ...extra }, { method: "post", action: self });
    } catch {
      setLocal({ form: t("pay.error.provider") });
      setBusy(false);
    }
  }

  const working = busy || navigation.state !== "idle";
  // Without JavaScript the card fields keep their names and go to the provider's form; with it they have none.
  const named = (name: string) => (hydrated ? undefined : name);
  return (
    <form method="post" action="/sandbox/v1/token-forms" className="pay-form" onSubmit={hydrated ? onSubmit : undefined} autoComplete="off" data-testid="card-form">
      <input type="hidden" name="return_url" value={self} />
      {Object.entries(hidden).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <ErrorSummary form={form} />
      <Field form={form} id="card-number" name="number" label={t("card.number")} hint={info.brand !== "unknown" ? t(`cardBrand.${info.brand}` as MessageKey) : undefined}>
        {(c) => (
          <input
            {...c}
            name={named("number")}
            inputMode="numeric"
            autoComplete="cc-number"
            dir="ltr"
            className="mono"
            required
            maxLength={23}
            value={pan}
            onChange={(e) => setPan(formatPanGroups(e.target.value))}
          />
        )}
      </Field>
      <div className="pay-row">
        <Field form={form} id="card-exp" name="exp" label={t("card.expiry")}>
          {(c) => <input {...c} ref={expRef} name={named("exp")} inputMode="numeric" autoComplete="cc-exp" dir="ltr" required maxLength={7} placeholder={t("vt.expiryPlaceholder")} />}
        </Field>
        <Field form={form} id="card-cvc" name="cvc" label={t("pay.card.cvv2")}>
          {(c) => <input {...c} ref={cvcRef} name={named("cvc")} type="password" inputMode="numeric" autoComplete="cc-csc" dir="ltr" required maxLength={4} />}
        </Field>
      </div>
      {children}
      <p className="hint">{t("pay.card.secureHint")}</p>
      <PaySubmit busy={working} label={submitLabel ?? t("pay.payAmount")} />
    </form>
  );
}
