/**
 * The objects events carry, as the API shows them. Payments and refunds carry the
 * public API's serializers (modules/payments/serialize.ts, imported from there); payouts, terminals, staff and bank accounts have their
 * shapes here (the API has no endpoints for them yet: these are those shapes).
 */
import type { invitations, merchantBankAccounts, payouts, terminals } from "~db/schema";
import { isoOrNull } from "~/lib/dates/format";

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
    cutoff_at: isoOrNull(p.cutoffAt),
    sent_at: isoOrNull(p.sentAt),
    paid_at: isoOrNull(p.paidAt),
    failed_at: isoOrNull(p.failedAt),
    canceled_at: isoOrNull(p.canceledAt),
    created_at: isoOrNull(p.createdAt),
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
    created_at: isoOrNull(a.createdAt),
  };
}

/** A terminal: never its API key, only the key's visible start and end. */
export function serializeTerminal(t: typeof terminals.$inferSelect) {
  return {
    id: t.id,
    object: "terminal" as const,
    name: t.name,
    location: t.location,
    kind: t.kind,
    status: t.status,
    api_key: t.apiKeyPrefix ? { prefix: t.apiKeyPrefix, last4: t.apiKeyLast4, created_at: isoOrNull(t.apiKeyCreatedAt) } : null,
    created_at: isoOrNull(t.createdAt),
    deactivated_at: isoOrNull(t.deactivatedAt),
  };
}

/** A person's membership of the merchant (id: the user's id). */
export function serializeStaffMember(m: { userId: string; email: string; name: string | null; role: string; status: string; createdAt: Date }) {
  return {
    id: m.userId,
    object: "staff_member" as const,
    email: m.email,
    name: m.name,
    role: m.role,
    status: m.status,
    created_at: isoOrNull(m.createdAt),
  };
}

/** An invitation: never its token. */
export function serializeInvitation(i: typeof invitations.$inferSelect) {
  return {
    id: i.id,
    object: "staff_invitation" as const,
    email: i.email,
    role: i.role,
    status: i.acceptedAt ? "accepted" : i.revokedAt ? "revoked" : "open",
    invited_by: i.invitedByUserId,
    expires_at: isoOrNull(i.expiresAt),
    created_at: isoOrNull(i.createdAt),
  };
}
