/**
 * The console's vocabulary: the values the database stores (enums of db/schema/enums.ts).
 * Pure, so filters, tables and badges on both the server and the browser use the same
 * lists. The words people read for them are in the catalogs, keyed by the stored value:
 * t(`paymentStatus.${status}`), t(`cardBrand.${brand}`), t(`ledgerCategory.${category}`).
 */
import { IRANIAN_BANKS } from "~/lib/card";

export const PAYMENT_STATUSES = ["pending", "authorized", "captured", "declined", "voided", "failed"] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const CARD_BRANDS = ["visa", "mastercard", "amex", "discover", "unionpay", "shetab", "unknown"] as const;
export type CardBrand = (typeof CARD_BRANDS)[number];

export const CARD_FUNDINGS = ["debit", "credit", "prepaid", "unknown"] as const;
export type CardFunding = (typeof CARD_FUNDINGS)[number];

export const REFUND_STATUSES = ["pending", "succeeded", "failed", "canceled"] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export const REFUND_REASONS = ["requested_by_customer", "duplicate", "fraudulent", "other"] as const;
export type RefundReason = (typeof REFUND_REASONS)[number];

export const PAYOUT_STATUSES = ["pending", "in_transit", "paid", "failed", "canceled"] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

export const TERMINAL_KINDS = ["virtual", "api"] as const;
export type TerminalKind = (typeof TERMINAL_KINDS)[number];

/** Issuing bank in English, for files and logs (pages use fmt.bankName): Iranian bank code ("017") -> its name; foreign issuers are stored by name. */
export function bankLabel(code: string): string {
  if (!code) return "Unknown";
  return IRANIAN_BANKS[code]?.en ?? code;
}

/** The Overview's range presets (app/modules/reporting/overview.server.ts resolves them). */
export const OVERVIEW_RANGES = ["today", "7d", "30d", "90d", "12m", "mtd", "jalali_month", "last_jalali_month", "jalali_ytd", "year", "last_year", "custom"] as const;
export type OverviewRange = (typeof OVERVIEW_RANGES)[number];

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
