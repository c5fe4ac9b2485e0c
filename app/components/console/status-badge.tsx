import type { MessageKey } from "~/lib/i18n/en";
import { useT } from "~/lib/i18n/react";

type Vocabulary = "paymentStatus" | "refundStatus" | "payoutStatus" | "terminalStatus";

/** A status as a coloured pill with its word (colour is never the only cue). */
export function StatusBadge({ kind, status }: { kind: Vocabulary; status: string }) {
  const t = useT();
  const key = `${kind}.${status}` as MessageKey;
  return <span className={`badge badge-${status}`}>{t(key)}</span>;
}
