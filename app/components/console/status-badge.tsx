import type { MessageKey } from "~/lib/i18n/en";
import { useT } from "~/lib/i18n/react";

type Vocabulary = "paymentStatus" | "refundStatus" | "payoutStatus" | "terminalStatus";

/** A status as a coloured pill with its word (colour is never the only cue). */
export function StatusBadge({ kind, status }: { kind: Vocabulary; status: string }) {
  const t = useT();
  const key = `${kind}.${status}` as MessageKey;
  return <span className={`badge badge-${status}`}>{t(key)}</span>;
}

/** A payment's refunds as a badge (refunded, partially refunded); nothing while none is refunded. */
export function RefundedBadge({ amount, refunded }: { amount: string; refunded: string }) {
  const t = useT();
  const r = BigInt(refunded);
  if (r <= 0n) return null;
  const whole = r >= BigInt(amount);
  return <span className={`badge badge-${whole ? "refunded" : "partially_refunded"}`}>{t(whole ? "payments.refunded" : "payments.partiallyRefunded")}</span>;
}
