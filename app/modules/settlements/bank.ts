/**
 * The boundary between the payout engine and a bank rail (PAYA / ACH / SEPA). The
 * engine only sends transfers and asks about them; a bank answers by the console's
 * own reference (the payout id), so a repeated send after a lost answer is the same
 * transfer, and a transfer whose fate is unknown is asked about, never guessed.
 */

export interface BankTransferRequest {
  /** The payout id: the same reference twice is one transfer. */
  reference: string;
  accountNumber: string;
  routingNumber: string | null;
  currency: string;
  amount: bigint;
  /** When the transfer is handed to the bank. */
  sentAt: Date;
  /** The value date: when the receiving account is to be credited. */
  valueAt: Date;
}

export type BankSendResult =
  | { accepted: true; traceNumber: string }
  | { accepted: false; code: string; message: string };

export type BankTransferStatus =
  | { status: "not_found" }
  | { status: "in_transit"; traceNumber: string }
  | { status: "paid"; at: Date; traceNumber: string }
  | { status: "failed"; at: Date; code: string; message: string }
  /** Credited at `paidAt`, then sent back by the receiving bank at `at`. */
  | { status: "returned"; paidAt: Date; at: Date; code: string; message: string };

export interface PayoutBank {
  send(req: BankTransferRequest): Promise<BankSendResult>;
  /** The transfer's state as the bank sees it at `at`. */
  inquire(reference: string, at: Date): Promise<BankTransferStatus>;
}

/**
 * Failures that say the account itself is wrong: payouts to it pause until the owner
 * enters another account (sending the next payout to a closed account would only fail
 * again). Other failures (a bank's processing error) leave the account in use.
 */
export const ACCOUNT_FAILURE_CODES: ReadonlySet<string> = new Set([
  "account_closed",
  "no_account",
  "invalid_account_number",
  "account_frozen",
]);
