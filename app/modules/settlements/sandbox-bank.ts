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

/** What happens to a payout sent to the account, in words (the bank pages translate them: sandboxOutcomeText). */
function outcomeOf(accountNumber: string): string {
  const b = sandboxBankBehaviour(accountNumber);
  switch (b.kind) {
    case "paid":
      return "paid on the expected date";
    case "fails_in_transit":
      return `fails in transit: ${b.code}`;
    case "rejected":
      return `rejected when sent: ${b.code}`;
    case "returned":
      return `paid, then returned ${RETURN_AFTER_MS / 86_400_000} days later: ${b.code}`;
  }
}

function testAccounts(kind: SandboxTestAccount["kind"], currency: string, accountNumbers: string[], routingNumber?: string): SandboxTestAccount[] {
  return accountNumbers.map((accountNumber) => ({
    kind,
    currency,
    ...(routingNumber === undefined ? {} : { routingNumber }),
    accountNumber,
    outcome: outcomeOf(accountNumber),
  }));
}

/** Real-format numbers (valid check digits) for each outcome: paid, then one per rule above. */
export const SANDBOX_TEST_ACCOUNTS: SandboxTestAccount[] = [
  ...testAccounts("sheba", "IRR", [
    "IR200170000000000123456789",
    "IR180170000000000001111113",
    "IR340170000000000001111116",
    "IR030170000000000002222227",
    "IR530170000000000003333335",
  ]),
  ...testAccounts("iban", "EUR", ["DE82370400440123456789", "DE80370400440001111113", "DE96370400440001111116", "DE65370400440002222227", "DE18370400440003333335"]),
  ...testAccounts("aba", "USD", ["000123456789", "000111111113", "000111111116", "000222222227", "000333333335"], "110000000"),
];
