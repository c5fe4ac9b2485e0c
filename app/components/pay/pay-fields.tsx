/** The main button of the cardholder's pages. */
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
