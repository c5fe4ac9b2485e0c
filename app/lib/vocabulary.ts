/**
 * The console's shared vocabulary, in one place: the values the database stores (the
 * enums of db/schema/enums.ts are made from these lists), the scope every domain function
 * is called with, who acts and from where, and the shape of a refusal.
 *
 * Pure and dependency-free, so the schema (drizzle-kit loads it on its own), the domain,
 * the web edge and the browser all import the same lists. The words people read for the
 * values are in the catalogs, keyed by the stored value: t(`paymentStatus.${status}`).
 */

/* ------------------------------ stored values ------------------------------ */

export const MERCHANT_STATUSES = ["pending", "active", "suspended"] as const;
export type MerchantStatus = (typeof MERCHANT_STATUSES)[number];

export const ROLES = ["owner", "admin", "support", "accountant", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export const MEMBERSHIP_STATUSES = ["invited", "active", "disabled"] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

// "link": the merchant's payment links, one terminal per merchant (the Overview's breakdown counts them apart).
export const TERMINAL_KINDS = ["virtual", "api", "link"] as const;
export type TerminalKind = (typeof TERMINAL_KINDS)[number];

export const TERMINAL_STATUSES = ["active", "inactive"] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

export const PAYMENT_STATUSES = ["pending", "authorized", "captured", "declined", "voided", "failed"] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const CARD_BRANDS = ["visa", "mastercard", "amex", "discover", "unionpay", "shetab", "unknown"] as const;
export type CardBrand = (typeof CARD_BRANDS)[number];

export const CARD_FUNDINGS = ["credit", "debit", "prepaid", "unknown"] as const;
export type CardFunding = (typeof CARD_FUNDINGS)[number];

export const REFUND_STATUSES = ["pending", "succeeded", "failed", "canceled"] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export const REFUND_REASONS = ["requested_by_customer", "duplicate", "fraudulent", "other"] as const;
export type RefundReason = (typeof REFUND_REASONS)[number];

export const PAYOUT_STATUSES = ["pending", "in_transit", "paid", "failed", "canceled"] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

/** Reporting categories of balance transactions (what accountants reconcile). */
export const LEDGER_CATEGORIES = [
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
] as const;
export type LedgerCategory = (typeof LEDGER_CATEGORIES)[number];

/**
 * Double-entry accounts per merchant and currency. merchant_balance is what the
 * platform owes the merchant (pending until available_on, then available); money
 * leaves it into merchant_in_transit for a payout, then to bank_paid_out.
 */
export const LEDGER_ACCOUNTS = [
  "card_network",
  "merchant_balance",
  "merchant_in_transit",
  "bank_paid_out",
  "platform_fees",
  "adjustments",
] as const;
export type LedgerAccount = (typeof LEDGER_ACCOUNTS)[number];

export const BANK_ACCOUNT_KINDS = ["sheba", "iban", "aba"] as const;
export type BankAccountKind = (typeof BANK_ACCOUNT_KINDS)[number];

export const AUDIT_OUTCOMES = ["success", "failure", "denied"] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const IDEMPOTENCY_STATES = ["in_progress", "completed"] as const;
export type IdempotencyState = (typeof IDEMPOTENCY_STATES)[number];

/** Subscriptions (issue #19). scheduled: starts on a later date; trialing: in its free trial. */
export const SUBSCRIPTION_STATUSES = ["scheduled", "trialing", "active", "past_due", "paused", "canceled", "unpaid"] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** One invoice per subscription and period: draft -> open -> paid, or uncollectible (retries exhausted), or void (canceled). */
export const INVOICE_STATUSES = ["draft", "open", "paid", "uncollectible", "void"] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/** What a subscription becomes when the last retry of a renewal fails (the merchant chooses). */
export const DUNNING_FINAL_STATES = ["canceled", "unpaid"] as const;
export type DunningFinalState = (typeof DUNNING_FINAL_STATES)[number];

/* ------------------------------ who, for whom, from where ------------------------------ */

/** The merchant a domain call is for. Every query the call makes filters by it. */
export interface Scope {
  merchantId: string;
}

/**
 * Where a request came from, as the web edge read it (the domain never sees the
 * Request): recorded on audit events, sessions and sign-in throttles.
 */
export interface Client {
  ip: string | null;
  userAgent: string | null;
  /** The public origin links in e-mail point to (PUBLIC_URL, else the request's own). */
  origin?: string;
}

/** A browser signing in or out: where it is, and the session token its cookie carries (null: none). */
export interface Browser extends Client {
  sessionToken: string | null;
  /** The long-lived token that tells this browser from others at sign-in (null: none yet). */
  browserToken?: string | null;
}

/** A signed-in member as an action needs them (an AppContext is one): who, in which role, under which merchant's limits. */
export interface Member {
  user: { id: string; email?: string | null };
  role: Role;
  merchant: { supportRefundLimit: bigint };
}

/**
 * Who acts: every domain function that changes something on someone's behalf takes one.
 * - `member`: a signed-in member in the console;
 * - `terminal`: an API key's terminal (the merchant's own integration);
 * - `system`: jobs, the demo generator, tests.
 * `client` is where the request came from, as the web edge read it (audited with the change).
 * The audit trail records an actor one way (app/modules/audit/audit.server.ts); a rule that
 * depends on the actor stays in its capability (the support refund cap: issueRefund).
 */
export type Actor =
  | { kind: "member"; member: Member; client?: Client }
  | { kind: "terminal"; terminalId: string; client?: Client }
  | { kind: "system"; client?: Client };

export type MemberActor = Extract<Actor, { kind: "member" }>;

/** The signed-in member (an AppContext) as the actor of a domain call. */
export function memberActor(member: Member, client?: Client): MemberActor {
  return client ? { kind: "member", member, client } : { kind: "member", member };
}

/* ------------------------------ refusals ------------------------------ */

export type FailureType =
  | "invalid_request_error"
  | "card_error"
  | "authentication_error"
  | "permission_error"
  | "idempotency_error"
  | "api_error";

/**
 * A refusal a client can act on: HTTP status, a stable machine code, a sentence for
 * people and the field it is about. Domain functions return these (never throw them);
 * the web edge renders them (the API as { "error": { type, code, message, param } }).
 */
export interface Failure {
  status: number;
  type: FailureType;
  code: string;
  message: string;
  param: string | null;
  /** Extra machine-readable facts (e.g. refundable for amount_exceeds_refundable). */
  details?: Record<string, string | number | boolean | null>;
}

export type Result<T> = ({ ok: true } & T) | { ok: false; error: Failure };

export function failure(
  status: number,
  code: string,
  message: string,
  param: string | null = null,
  type: FailureType = "invalid_request_error",
  details?: Failure["details"],
): { ok: false; error: Failure } {
  return { ok: false, error: { status, type, code, message, param, ...(details ? { details } : {}) } };
}

/** The reports, each as CSV and workbook (app/modules/exports/reports); pages name them without the exports module. */
export const REPORT_IDS = [
  "payments",
  "refunds",
  "payouts",
  "payout-reconciliation",
  "balance-summary",
  "audit-log",
  "subscriptions",
  "invoices",
] as const;
export type ReportId = (typeof REPORT_IDS)[number];
