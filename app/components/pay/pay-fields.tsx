/** The controls the cardholder's pages share besides the card form: their main button and the consent tick. */
import type { ReactNode } from "react";
import { FieldError } from "~/components/form";
import type { FieldErrors } from "~/lib/forms";
import { useT } from "~/lib/i18n/react";

/** The page's main button: says "please wait" and takes no second press while the form is on its way. */
export function PaySubmit({ busy, label }: { busy: boolean; label: string }) {
  const t = useT();
  return (
    <button type="submit" className="btn btn-primary pay-submit" disabled={busy}>
      {busy ? t("pay.wait") : label}
    </button>
  );
}

/**
 * A tick box whose sentence is what the cardholder agrees to (the save-card or subscription
 * mandate), at the start of its line, with its refusal beside it (`errors[name]`).
 */
export function ConsentCheck({ name, errors, checked, required, children }: { name: string; errors?: FieldErrors; checked?: boolean; required?: boolean; children: ReactNode }) {
  const id = `${name}-check`;
  const error = errors?.[name];
  return (
    <>
      <label className="check pay-save-card">
        <input type="checkbox" id={id} name={name} value="yes" required={required} defaultChecked={checked} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} /> {children}
      </label>
      <FieldError id={`${id}-error`} message={error} />
    </>
  );
}
