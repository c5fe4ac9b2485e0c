/**
 * The tables the bulk writer (copy.ts) fills with COPY ... FROM, their columns in the
 * order both encodings write them (CSV in copy.ts, binary in copy-binary.ts), and the
 * order the tables are written in. A module of its own: both encoders read it.
 */

export const COPY_COLUMNS = {
  payments: [
    "merchant_id", "id", "terminal_id", "amount", "currency", "status", "amount_refunded", "fee", "card_token",
    "card_brand", "card_funding", "card_bin", "card_last4", "card_exp_month", "card_exp_year", "issuer_bank",
    "processor_id", "provider_reference", "decline_code", "failure_message", "description", "customer_reference",
    "created_at", "authorized_at", "captured_at", "voided_at", "updated_at",
  ],
  refunds: [
    "merchant_id", "id", "payment_id", "amount", "currency", "reason", "note", "status", "provider_reference",
    "failure_code", "created_by_user_id", "created_at", "updated_at",
  ],
  payouts: [
    "merchant_id", "id", "amount", "currency", "status", "bank_account_id", "bank_account_mask", "bank_name",
    "cutoff_at", "expected_arrival_date", "item_count", "created_at", "sent_at", "paid_at", "failed_at",
    "failure_code", "failure_message", "trace_number", "updated_at",
  ],
  ledger_transactions: [
    "merchant_id", "id", "category", "currency", "gross", "fee", "net", "source_type", "source_id", "payout_id",
    "description", "created_at", "available_on",
  ],
  ledger_entries: ["merchant_id", "transaction_id", "line", "account", "currency", "amount", "available_on", "created_at"],
  payout_items: ["merchant_id", "ledger_transaction_id", "payout_id", "created_at"],
  sales_daily: [
    "merchant_id", "day", "terminal_id", "card_brand", "issuer_bank", "card_funding", "currency", "attempt_count",
    "captured_count", "captured_amount", "declined_count", "fee_amount", "refund_count", "refunded_amount",
  ],
} as const;

export type CopyTable = keyof typeof COPY_COLUMNS;
/** Parent tables first: the order batches are written in. */
export const COPY_ORDER: CopyTable[] = ["payments", "refunds", "payouts", "ledger_transactions", "ledger_entries", "payout_items", "sales_daily"];
