/**
 * The card form of the cardholder's pages (hosted payment, subscribe, update card). Its
 * action is the provider's form endpoint, so without JavaScript the card goes to the
 * provider and never here (the provider sends the browser back to `self` with a token and
 * the form's md_* fields); with JavaScript the card fields lose their names, the browser
 * asks the provider for a token itself, and only the token (with the md_* fields) is
 * posted to `self`.
 */
import { useNavigation, useSubmit } from "@remix-run/react";
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { detectCard, formatPanGroups, normalizePan, parseExpiry } from "~/lib/card";
import type { MessageKey } from "~/lib/i18n/en";
import { useT } from "~/lib/i18n/react";

function useHydrated(): boolean {
  const [h, setH] = useState(false);
  useEffect(() => setH(true), []);
  return h;
}

export function CardForm({
  self,
  serverError,
  hidden = {},
  children,
  submitLabel,
}: {
  /** The page the token is posted to (and the provider's form returns to). */
  self: string;
  serverError: string | null;
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
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const expRef = useRef<HTMLInputElement>(null);
  const cvcRef = useRef<HTMLInputElement>(null);
  const info = detectCard(normalizePan(pan));

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    const extra: Record<string, string> = {};
    new FormData(e.currentTarget).forEach((v, k) => {
      if (k.startsWith("md_") && typeof v === "string") extra[k] = v;
    });
    const exp = parseExpiry(expRef.current?.value ?? "");
    if (!exp) {
      setError(t("pay.card.error.expiry"));
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
        const code = body.error?.code ?? "";
        setError(
          code === "invalid_number" ? t("pay.card.error.number") : code === "invalid_cvc" ? t("pay.card.error.cvc") : code.includes("expir") ? t("pay.card.error.expiry") : t("pay.error.card"),
        );
        setBusy(false);
        return;
      }
      // The card fields are cleared before anything is posted here: only the token leaves this page.
      setPan("");
      if (cvcRef.current) cvcRef.current.value = "";
      submit({ intent: "pay", token: body.id, ...extra }, { method: "post", action: self });
    } catch {
      setError(t("pay.error.provider"));
      setBusy(false);
    }
  }

  const working = busy || navigation.state !== "idle";
  return (
    <form method="post" action="/sandbox/v1/token-forms" className="pay-form" onSubmit={hydrated ? onSubmit : undefined} autoComplete="off" data-testid="card-form">
      <input type="hidden" name="return_url" value={self} />
      {Object.entries(hidden).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      {error || serverError ? (
        <p className="error-box" role="alert">
          {error ?? serverError}
        </p>
      ) : null}
      <div className="field">
        <label htmlFor="card-number">{t("card.number")}</label>
        <input
          id="card-number"
          name={hydrated ? undefined : "number"}
          inputMode="numeric"
          autoComplete="cc-number"
          dir="ltr"
          className="mono"
          required
          maxLength={23}
          value={pan}
          onChange={(e) => setPan(formatPanGroups(e.target.value))}
        />
        {info.brand !== "unknown" ? <p className="hint">{t(`cardBrand.${info.brand}` as MessageKey)}</p> : null}
      </div>
      <div className="pay-row">
        <div className="field">
          <label htmlFor="card-exp">{t("card.expiry")}</label>
          <input id="card-exp" ref={expRef} name={hydrated ? undefined : "exp"} inputMode="numeric" autoComplete="cc-exp" dir="ltr" required maxLength={7} placeholder={t("vt.expiryPlaceholder")} />
        </div>
        <div className="field">
          <label htmlFor="card-cvc">{t("pay.card.cvv2")}</label>
          <input id="card-cvc" ref={cvcRef} name={hydrated ? undefined : "cvc"} type="password" inputMode="numeric" autoComplete="cc-csc" dir="ltr" required maxLength={4} />
        </div>
      </div>
      {children}
      <p className="hint">{t("pay.card.secureHint")}</p>
      <button type="submit" className="btn btn-primary pay-submit" disabled={working}>
        {working ? t("pay.wait") : (submitLabel ?? t("pay.payAmount"))}
      </button>
    </form>
  );
}
