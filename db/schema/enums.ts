import { pgEnum } from "drizzle-orm/pg-core";

// Statuses are enums so the database refuses a typo; the same lists feed zod
// (`z.enum(paymentStatus.enumValues)`).
export const merchantStatus = pgEnum("merchant_status", ["pending", "active", "suspended"]);
export const role = pgEnum("role", ["owner", "admin", "support", "accountant", "viewer"]);
export const membershipStatus = pgEnum("membership_status", ["invited", "active", "disabled"]);
// "link": the merchant's payment links, one terminal per merchant (the Overview's breakdown counts them apart).
export const terminalKind = pgEnum("terminal_kind", ["virtual", "api", "link"]);
export const terminalStatus = pgEnum("terminal_status", ["active", "inactive"]);
export const paymentStatus = pgEnum("payment_status", [
  "pending",
  "authorized",
  "captured",
  "declined",
  "voided",
  "failed",
]);
export const cardBrand = pgEnum("card_brand", [
  "visa",
  "mastercard",
  "amex",
  "discover",
  "unionpay",
  "shetab",
  "unknown",
]);
export const cardFunding = pgEnum("card_funding", ["credit", "debit", "prepaid", "unknown"]);
export const refundStatus = pgEnum("refund_status", ["pending", "succeeded", "failed", "canceled"]);
export const refundReason = pgEnum("refund_reason", [
  "requested_by_customer",
  "duplicate",
  "fraudulent",
  "other",
]);
export const payoutStatus = pgEnum("payout_status", ["pending", "in_transit", "paid", "failed", "canceled"]);
// Reporting categories of balance transactions (what accountants reconcile).
export const ledgerCategory = pgEnum("ledger_category", [
  "charge",
  "refund",
  "refund_failure",
  "fee",
  "payout",
  "payout_failure",
  "adjustment",
  // Internal: a payout reaching the bank (in transit -> paid out). Net zero for the
  // merchant's balance, so it is not a balance transaction in reports.
  "payout_paid",
]);
// Double-entry accounts per merchant and currency. merchant_balance is what the
// platform owes the merchant (pending until available_on, then available);
// money leaves it into merchant_in_transit for a payout, then to bank_paid_out.
export const ledgerAccount = pgEnum("ledger_account", [
  "card_network",
  "merchant_balance",
  "merchant_in_transit",
  "bank_paid_out",
  "platform_fees",
  "adjustments",
]);
export const bankAccountKind = pgEnum("bank_account_kind", ["sheba", "iban", "aba"]);
export const auditOutcome = pgEnum("audit_outcome", ["success", "failure", "denied"]);
export const idempotencyState = pgEnum("idempotency_state", ["in_progress", "completed"]);
export const paymentLinkStatus = pgEnum("payment_link_status", ["active", "deactivated"]);
export const checkoutStatus = pgEnum("checkout_status", ["open", "paying", "completed", "abandoned"]);
