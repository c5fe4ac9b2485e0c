/**
 * The console's vocabulary: the values the database stores (enums of db/schema/enums.ts)
 * and the words people read for them. Pure, so filters, tables and badges on both the
 * server and the browser use the same lists.
 */
import { IRANIAN_BANKS } from "~/lib/card";

export const PAYMENT_STATUSES = ["pending", "authorized", "captured", "declined", "voided", "failed"] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
export const PAYMENT_STATUS_LABELS: Record<PaymentStatus, string> = {
  pending: "Pending",
  authorized: "Authorized",
  captured: "Succeeded",
  declined: "Declined",
  voided: "Voided",
  failed: "Failed",
};

export const CARD_BRANDS = ["visa", "mastercard", "amex", "discover", "unionpay", "shetab", "unknown"] as const;
export type CardBrand = (typeof CARD_BRANDS)[number];
export const CARD_BRAND_LABELS: Record<CardBrand, string> = {
  visa: "Visa",
  mastercard: "Mastercard",
  amex: "American Express",
  discover: "Discover",
  unionpay: "UnionPay",
  shetab: "Shetab",
  unknown: "Unknown",
};

export const CARD_FUNDINGS = ["debit", "credit", "prepaid", "unknown"] as const;
export type CardFunding = (typeof CARD_FUNDINGS)[number];
export const CARD_FUNDING_LABELS: Record<CardFunding, string> = {
  debit: "Debit",
  credit: "Credit",
  prepaid: "Prepaid",
  unknown: "Unknown",
};

export const REFUND_STATUSES = ["pending", "succeeded", "failed", "canceled"] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];
export const REFUND_STATUS_LABELS: Record<RefundStatus, string> = {
  pending: "Pending",
  succeeded: "Succeeded",
  failed: "Failed",
  canceled: "Canceled",
};

export const REFUND_REASONS = ["requested_by_customer", "duplicate", "fraudulent", "other"] as const;
export type RefundReason = (typeof REFUND_REASONS)[number];
export const REFUND_REASON_LABELS: Record<RefundReason, string> = {
  requested_by_customer: "Requested by customer",
  duplicate: "Duplicate",
  fraudulent: "Fraudulent",
  other: "Other",
};

export const PAYOUT_STATUSES = ["pending", "in_transit", "paid", "failed", "canceled"] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];
export const PAYOUT_STATUS_LABELS: Record<PayoutStatus, string> = {
  pending: "Pending",
  in_transit: "In transit",
  paid: "Paid",
  failed: "Failed",
  canceled: "Canceled",
};

export const TERMINAL_KINDS = ["virtual", "api"] as const;
export type TerminalKind = (typeof TERMINAL_KINDS)[number];
export const TERMINAL_KIND_LABELS: Record<TerminalKind, string> = {
  virtual: "Virtual terminal (console)",
  api: "API (website, app or shop)",
};
export const TERMINAL_STATUS_LABELS: Record<string, string> = { active: "Active", inactive: "Deactivated" };

export const CATEGORY_LABELS: Record<string, string> = {
  charge: "Charge",
  refund: "Refund",
  refund_failure: "Refund failure",
  fee: "Fee",
  payout: "Payout",
  payout_failure: "Payout returned",
  adjustment: "Adjustment",
  payout_paid: "Payout paid",
};

export const ACCOUNT_LABELS: Record<string, string> = {
  card_network: "Card network",
  merchant_balance: "Merchant balance",
  merchant_in_transit: "In transit to bank",
  bank_paid_out: "Paid out to bank",
  platform_fees: "Platform fees",
  adjustments: "Adjustments",
};

/** Issuing bank: Iranian bank code ("017") -> its name; foreign issuers are stored by name. */
export function bankLabel(code: string): string {
  if (!code) return "Unknown";
  return IRANIAN_BANKS[code]?.en ?? code;
}

export function labelOf(map: Record<string, string>, value: string | null | undefined): string {
  if (!value) return "–";
  return map[value] ?? value.replace(/_/g, " ");
}

/** The Overview's range presets (app/modules/reporting/overview.server.ts resolves them). */
export const OVERVIEW_RANGES = ["today", "7d", "30d", "90d", "12m", "mtd", "custom"] as const;
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
