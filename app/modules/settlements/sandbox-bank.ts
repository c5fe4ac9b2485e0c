/**
 * The sandbox bank's rules (pure): what happens to a payout sent to an account,
 * decided only by the account number, so a test or a demo can make a payout fail on
 * purpose and always the same way. The numbers are documented in README.md
 * ("Sandbox bank accounts") and shown on the bank account page.
 */

export type SandboxBankBehaviour =
  | { kind: "paid" }
  /** Refused when sent (the payout fails at once). */
  | { kind: "rejected"; code: string; message: string }
  /** Accepted, then fails on its value date instead of being credited. */
  | { kind: "fails_in_transit"; code: string; message: string }
  /** Credited, then returned by the receiving bank two days later. */
  | { kind: "returned"; code: string; message: string };

/** A returned payout comes back this long after it was credited. */
export const RETURN_AFTER_MS = 2 * 24 * 3600_000;

// Keyed by the last seven characters of the account number, like the US test
// accounts of the best-known PSP (000111111113 and friends).
const RULES: Record<string, Exclude<SandboxBankBehaviour, { kind: "paid" }>> = {
  "1111113": { kind: "fails_in_transit", code: "account_closed", message: "The bank account has been closed." },
  "1111116": { kind: "fails_in_transit", code: "no_account", message: "The bank could not find an account with this number." },
  "2222227": { kind: "rejected", code: "invalid_account_number", message: "The bank rejected the account number." },
  "3333335": { kind: "returned", code: "account_frozen", message: "The bank returned the payout: the account is frozen." },
};

export function sandboxBankBehaviour(accountNumber: string): SandboxBankBehaviour {
  const normalized = accountNumber.replace(/[\s-]/g, "").toUpperCase();
  return RULES[normalized.slice(-7)] ?? { kind: "paid" };
}

export interface SandboxTestAccount {
  kind: "sheba" | "iban" | "aba";
  currency: string;
  accountNumber: string;
  routingNumber?: string;
  outcome: string;
}

/** Real-format numbers (valid check digits) for each outcome. */
export const SANDBOX_TEST_ACCOUNTS: SandboxTestAccount[] = [
  { kind: "sheba", currency: "IRR", accountNumber: "IR200170000000000123456789", outcome: "paid on the expected date" },
  { kind: "sheba", currency: "IRR", accountNumber: "IR180170000000000001111113", outcome: "fails in transit: account_closed" },
  { kind: "sheba", currency: "IRR", accountNumber: "IR340170000000000001111116", outcome: "fails in transit: no_account" },
  { kind: "sheba", currency: "IRR", accountNumber: "IR030170000000000002222227", outcome: "rejected when sent: invalid_account_number" },
  { kind: "sheba", currency: "IRR", accountNumber: "IR530170000000000003333335", outcome: "paid, then returned 2 days later: account_frozen" },
  { kind: "iban", currency: "EUR", accountNumber: "DE82370400440123456789", outcome: "paid on the expected date" },
  { kind: "iban", currency: "EUR", accountNumber: "DE80370400440001111113", outcome: "fails in transit: account_closed" },
  { kind: "iban", currency: "EUR", accountNumber: "DE96370400440001111116", outcome: "fails in transit: no_account" },
  { kind: "iban", currency: "EUR", accountNumber: "DE65370400440002222227", outcome: "rejected when sent: invalid_account_number" },
  { kind: "iban", currency: "EUR", accountNumber: "DE18370400440003333335", outcome: "paid, then returned 2 days later: account_frozen" },
  { kind: "aba", currency: "USD", routingNumber: "110000000", accountNumber: "000123456789", outcome: "paid on the expected date" },
  { kind: "aba", currency: "USD", routingNumber: "110000000", accountNumber: "000111111113", outcome: "fails in transit: account_closed" },
  { kind: "aba", currency: "USD", routingNumber: "110000000", accountNumber: "000111111116", outcome: "fails in transit: no_account" },
  { kind: "aba", currency: "USD", routingNumber: "110000000", accountNumber: "000222222227", outcome: "rejected when sent: invalid_account_number" },
  { kind: "aba", currency: "USD", routingNumber: "110000000", accountNumber: "000333333335", outcome: "paid, then returned 2 days later: account_frozen" },
];
