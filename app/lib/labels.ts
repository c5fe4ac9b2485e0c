/**
 * Labels for the console's vocabulary (the stored values are listed once, in
 * app/lib/vocabulary.ts, and re-exported here for filters, tables and badges). The words people read for them are in the catalogs, keyed by the stored value:
 * t(`paymentStatus.${status}`), t(`cardBrand.${brand}`), t(`ledgerCategory.${category}`).
 */
import { IRANIAN_BANKS } from "~/lib/card";

export {
  CARD_BRANDS,
  CARD_FUNDINGS,
  PAYMENT_STATUSES,
  PAYOUT_STATUSES,
  REFUND_REASONS,
  REFUND_STATUSES,
  TERMINAL_KINDS,
  type CardBrand,
  type CardFunding,
  type PaymentStatus,
  type PayoutStatus,
  type RefundReason,
  type RefundStatus,
  type TerminalKind,
} from "~/lib/vocabulary";

/** Issuing bank in English, for files and logs (pages use fmt.bankName): Iranian bank code ("017") -> its name; foreign issuers are stored by name. */
export function bankLabel(code: string): string {
  if (!code) return "Unknown";
  return IRANIAN_BANKS[code]?.en ?? code;
}

/** The Overview's range presets are the report presets (app/lib/dates/ranges.ts; app/modules/reporting/overview/range.server.ts resolves them). */
export { RANGE_PRESETS as OVERVIEW_RANGES, type RangePreset as OverviewRange } from "./dates/ranges";

/** Columns of the payments table a person may show or hide. */
export const PAYMENT_COLUMNS = [
  "created",
  "amount",
  "status",
  "card",
  "bank",
  "funding",
  "terminal",
  "customer",
  "description",
  "refunded",
  "fee",
  "id",
] as const;
export type PaymentColumn = (typeof PAYMENT_COLUMNS)[number];
export const DEFAULT_PAYMENT_COLUMNS: readonly PaymentColumn[] = ["created", "amount", "status", "card", "terminal", "customer", "description"];
