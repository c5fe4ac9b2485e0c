/**
 * The bank account's fields, the same on the bank settings page and in onboarding: the kind
 * (when the currency allows more than one), the Sheba/IBAN/account number, the routing number
 * for US accounts and the holder's name, each with its error beside it (components/form.tsx).
 */
import { useState } from "react";
import { validateSheba } from "~/lib/bank-account";
import { toLatinDigits } from "~/lib/digits";
import { shebaErrorMessage } from "~/lib/i18n/messages";
import { useFormat, useT } from "~/lib/i18n/react";
import { isMessageKey } from "~/lib/i18n/translate";
import { Field, type FormState } from "./form";

/** The bank of a Sheba as it is typed (its 5th to 7th characters), once they are there. */
function ShebaBank({ value }: { value: string }) {
  const t = useT();
  const fmt = useFormat();
  const compact = toLatinDigits(value).replace(/[\s-]/g, "").toUpperCase();
  if (!/^IR\d{5}/.test(compact)) return null;
  const code = compact.slice(4, 7);
  const known = fmt.bankName(code) !== code;
  const result = compact.length >= 26 ? validateSheba(compact) : null;
  return (
    <span className="hint" aria-live="polite" data-testid="sheba-bank">
      {known ? t("bankPage.shebaBank", { bank: fmt.bankName(code) }) : t("bankPage.shebaBankUnknown", { code: fmt.digits(code) })}
      {result && !result.ok ? ` ${shebaErrorMessage(t, fmt, result, value)}` : null}
    </span>
  );
}

export function useBankKindLabel() {
  const t = useT();
  return (kind: string) => (isMessageKey(`bankKind.${kind}`) ? t(`bankKind.${kind}` as "bankKind.sheba") : kind);
}

export function BankAccountFields({
  form,
  currency,
  kinds,
  holderName,
  idPrefix = "",
  guide = false,
  placeholder,
}: {
  form: FormState;
  currency: string;
  kinds: readonly string[];
  /** The holder's name to start from. */
  holderName?: string;
  idPrefix?: string;
  /** Show the expected length and, for a Sheba, its bank as it is typed. */
  guide?: boolean;
  placeholder?: string;
}) {
  const t = useT();
  const kindLabel = useBankKindLabel();
  const [typed, setTyped] = useState(form.values.accountNumber ?? "");
  return (
    <>
      {kinds.length > 1 ? (
        <Field
          form={form}
          id={`${idPrefix}kind`}
          name="kind"
          label={t("bankPage.type")}
          defaultValue={kinds[0]}
          options={kinds.map((k) => ({ value: k, label: kindLabel(k) }))}
        />
      ) : (
        <input type="hidden" name="kind" value={kinds[0]} />
      )}
      <div className="grid grid-2">
        <Field
          form={form}
          id={`${idPrefix}accountNumber`}
          name="accountNumber"
          label={currency === "IRR" ? t("bank.sheba") : kinds.length > 1 ? t("bankPage.ibanOrAccount") : t("bankKind.iban")}
          hint={guide ? (currency === "IRR" ? t("bankPage.shebaHint", { length: 24 }) : t("bankPage.ibanHint")) : undefined}
        >
          {(control) => (
            <>
              <input
                {...control}
                className="mono"
                dir="ltr"
                autoComplete="off"
                spellCheck={false}
                placeholder={placeholder}
                defaultValue={form.values.accountNumber}
                onChange={(e) => setTyped(e.currentTarget.value)}
              />
              {guide && currency === "IRR" ? <ShebaBank value={typed} /> : null}
            </>
          )}
        </Field>
        {kinds.includes("aba") ? (
          <Field form={form} id={`${idPrefix}routingNumber`} name="routingNumber" label={t("bankPage.routing")} inputMode="numeric" dir="ltr" />
        ) : null}
        <Field form={form} id={`${idPrefix}holderName`} name="holderName" label={t("bank.holder")} defaultValue={holderName} />
      </div>
    </>
  );
}
