import { pgEnum } from "drizzle-orm/pg-core";
import {
  MERCHANT_STATUSES,
  ROLES,
  MEMBERSHIP_STATUSES,
  TERMINAL_KINDS,
  TERMINAL_STATUSES,
  PAYMENT_STATUSES,
  CARD_BRANDS,
  CARD_FUNDINGS,
  REFUND_STATUSES,
  REFUND_REASONS,
  PAYOUT_STATUSES,
  LEDGER_CATEGORIES,
  LEDGER_ACCOUNTS,
  BANK_ACCOUNT_KINDS,
  AUDIT_OUTCOMES,
  IDEMPOTENCY_STATES,
  SUBSCRIPTION_STATUSES,
  INVOICE_STATUSES,
} from "../../app/lib/vocabulary";

// Statuses are enums so the database refuses a typo. The lists are the shared vocabulary
// (app/lib/vocabulary.ts): the domain, the web edge and the browser use the same ones.
export const merchantStatus = pgEnum("merchant_status", MERCHANT_STATUSES);
export const role = pgEnum("role", ROLES);
export const membershipStatus = pgEnum("membership_status", MEMBERSHIP_STATUSES);
export const terminalKind = pgEnum("terminal_kind", TERMINAL_KINDS);
export const terminalStatus = pgEnum("terminal_status", TERMINAL_STATUSES);
export const paymentStatus = pgEnum("payment_status", PAYMENT_STATUSES);
export const cardBrand = pgEnum("card_brand", CARD_BRANDS);
export const cardFunding = pgEnum("card_funding", CARD_FUNDINGS);
export const refundStatus = pgEnum("refund_status", REFUND_STATUSES);
export const refundReason = pgEnum("refund_reason", REFUND_REASONS);
export const payoutStatus = pgEnum("payout_status", PAYOUT_STATUSES);
export const ledgerCategory = pgEnum("ledger_category", LEDGER_CATEGORIES);
export const ledgerAccount = pgEnum("ledger_account", LEDGER_ACCOUNTS);
export const bankAccountKind = pgEnum("bank_account_kind", BANK_ACCOUNT_KINDS);
export const auditOutcome = pgEnum("audit_outcome", AUDIT_OUTCOMES);
export const idempotencyState = pgEnum("idempotency_state", IDEMPOTENCY_STATES);
export const paymentLinkStatus = pgEnum("payment_link_status", ["active", "deactivated"]);
export const checkoutStatus = pgEnum("checkout_status", ["open", "paying", "completed", "abandoned"]);
export const subscriptionStatus = pgEnum("subscription_status", SUBSCRIPTION_STATUSES);
export const invoiceStatus = pgEnum("invoice_status", INVOICE_STATUSES);
