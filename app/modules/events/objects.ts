/**
 * The objects events carry, as the API shows them. Payments and refunds use the
 * public API's serializers; payouts, terminals, staff and bank accounts have their
 * shapes here (the API has no endpoints for them yet: these are those shapes).
 */
import type { merchantBankAccounts, payouts } from "~db/schema";
import { serializePayment, serializeRefund } from "~/modules/payments/serialize";

export { serializePayment, serializeRefund };

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function serializePayout(p: typeof payouts.$inferSelect) {
  return {
    id: p.id,
    object: "payout" as const,
    status: p.status,
    amount: p.amount.toString(),
    currency: p.currency,
    bank_account: { id: p.bankAccountId, masked: p.bankAccountMask, bank_name: p.bankName },
    expected_arrival_date: p.expectedArrivalDate,
    item_count: p.itemCount,
    trace_number: p.traceNumber,
    failure_code: p.failureCode,
    failure_message: p.failureMessage,
    cutoff_at: iso(p.cutoffAt),
    sent_at: iso(p.sentAt),
    paid_at: iso(p.paidAt),
    failed_at: iso(p.failedAt),
    created_at: iso(p.createdAt),
  };
}

export function serializeBankAccount(a: typeof merchantBankAccounts.$inferSelect) {
  const n = a.accountNumber;
  return {
    id: a.id,
    object: "bank_account" as const,
    currency: a.currency,
    holder_name: a.holderName,
    bank_name: a.bankName,
    account_last4: n.slice(-4),
    verified: a.verified,
    active: a.active,
    created_at: iso(a.createdAt),
  };
}
