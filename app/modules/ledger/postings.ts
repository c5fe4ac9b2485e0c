/**
 * The ledger's rules, as pure functions: each money movement becomes one balanced
 * ledger transaction (a balance transaction for reports) and its postings.
 * Both the app (ledger.server.ts) and the demo generator (app/demo) build their rows
 * here, so every figure the console shows ties out to the same rules.
 *
 * Accounts (per merchant and currency), signed amounts, postings sum to zero:
 *   card_network        money arriving from / returning to card holders
 *   merchant_balance    owed to the merchant; pending until available_on, then available
 *   merchant_in_transit sent to the merchant's bank, not yet confirmed
 *   bank_paid_out       confirmed in the merchant's bank account
 *   platform_fees       our fees
 *   adjustments         manual corrections
 */
import { LEDGER_CATEGORIES, type LedgerAccount, type LedgerCategory } from "~/lib/vocabulary";

export type { LedgerAccount, LedgerCategory };

/** Categories that are balance transactions in reports (payout_paid is internal). */
export const BALANCE_CATEGORIES = LEDGER_CATEGORIES.filter((c): c is Exclude<LedgerCategory, "payout_paid"> => c !== "payout_paid");

export interface Posting {
  account: LedgerAccount;
  amount: bigint;
}

export interface LedgerTransactionDraft {
  id: string;
  merchantId: string;
  category: LedgerCategory;
  currency: string;
  gross: bigint;
  fee: bigint;
  net: bigint;
  sourceType: "payment" | "refund" | "payout" | "adjustment";
  sourceId: string;
  payoutId: string | null;
  description: string | null;
  createdAt: Date;
  availableOn: Date;
  postings: Posting[];
}

interface Base {
  id: string;
  merchantId: string;
  currency: string;
  createdAt: Date;
  description?: string | null;
}

function finish(d: Omit<LedgerTransactionDraft, "postings" | "description"> & { description?: string | null; postings: Posting[] }): LedgerTransactionDraft {
  const postings = d.postings.filter((p) => p.amount !== 0n);
  const total = postings.reduce((s, p) => s + p.amount, 0n);
  if (total !== 0n) throw new Error(`unbalanced ledger transaction ${d.id}: ${total}`);
  if (d.net !== d.gross - d.fee) throw new Error(`net != gross - fee in ${d.id}`);
  return { ...d, description: d.description ?? null, postings };
}

/** A captured payment: the card network owes us the gross; we keep the fee. */
export function chargePosting(p: Base & { paymentId: string; amount: bigint; fee: bigint; availableOn: Date }): LedgerTransactionDraft {
  if (p.amount <= 0n) throw new Error("charge amount must be positive");
  if (p.fee < 0n || p.fee > p.amount) throw new Error("fee out of range");
  return finish({
    id: p.id,
    merchantId: p.merchantId,
    category: "charge",
    currency: p.currency,
    gross: p.amount,
    fee: p.fee,
    net: p.amount - p.fee,
    sourceType: "payment",
    sourceId: p.paymentId,
    payoutId: null,
    description: p.description,
    createdAt: p.createdAt,
    availableOn: p.availableOn,
    postings: [
      { account: "card_network", amount: -p.amount },
      { account: "merchant_balance", amount: p.amount - p.fee },
      { account: "platform_fees", amount: p.fee },
    ],
  });
}

/**
 * `amount` moves from one account to another, available at once and without a fee. Its
 * effect on the merchant's balance (gross = net) follows from the accounts: money into
 * merchant_balance is positive, out of it negative, between two other accounts zero.
 */
function transfer(
  p: Base,
  t: { category: LedgerCategory; sourceType: LedgerTransactionDraft["sourceType"]; sourceId: string; payoutId: string | null; from: LedgerAccount; to: LedgerAccount; amount: bigint },
): LedgerTransactionDraft {
  const net = t.to === "merchant_balance" ? t.amount : t.from === "merchant_balance" ? -t.amount : 0n;
  return finish({
    id: p.id,
    merchantId: p.merchantId,
    category: t.category,
    currency: p.currency,
    gross: net,
    fee: 0n,
    net,
    sourceType: t.sourceType,
    sourceId: t.sourceId,
    payoutId: t.payoutId,
    description: p.description,
    createdAt: p.createdAt,
    availableOn: p.createdAt,
    postings: [
      { account: t.from, amount: -t.amount },
      { account: t.to, amount: t.amount },
    ],
  });
}

/** A refund leaves the merchant's balance at once (fees are not returned). */
export function refundPosting(p: Base & { refundId: string; amount: bigint }): LedgerTransactionDraft {
  if (p.amount <= 0n) throw new Error("refund amount must be positive");
  return transfer(p, { category: "refund", sourceType: "refund", sourceId: p.refundId, payoutId: null, from: "merchant_balance", to: "card_network", amount: p.amount });
}

/** The provider could not return the money: it comes back to the merchant. */
export function refundFailurePosting(p: Base & { refundId: string; amount: bigint }): LedgerTransactionDraft {
  return transfer(p, { category: "refund_failure", sourceType: "refund", sourceId: p.refundId, payoutId: null, from: "card_network", to: "merchant_balance", amount: p.amount });
}

/** A payout moves the available balance into transit to the bank. */
export function payoutPosting(p: Base & { payoutId: string; amount: bigint }): LedgerTransactionDraft {
  if (p.amount <= 0n) throw new Error("payout amount must be positive");
  return transfer(p, { category: "payout", sourceType: "payout", sourceId: p.payoutId, payoutId: p.payoutId, from: "merchant_balance", to: "merchant_in_transit", amount: p.amount });
}

/** The bank confirmed the payout. */
export function payoutPaidPosting(p: Base & { payoutId: string; amount: bigint }): LedgerTransactionDraft {
  return transfer(p, { category: "payout_paid", sourceType: "payout", sourceId: p.payoutId, payoutId: p.payoutId, from: "merchant_in_transit", to: "bank_paid_out", amount: p.amount });
}

/**
 * A payout failed (while in transit, or returned by the bank after it was paid):
 * the money returns to the balance and is available for the next payout.
 */
export function payoutFailurePosting(p: Base & { payoutId: string; amount: bigint; wasPaid: boolean }): LedgerTransactionDraft {
  const from = p.wasPaid ? "bank_paid_out" : "merchant_in_transit";
  return transfer(p, { category: "payout_failure", sourceType: "payout", sourceId: p.payoutId, payoutId: p.payoutId, from, to: "merchant_balance", amount: p.amount });
}

/** A manual correction of the merchant's balance (positive credits the merchant). */
export function adjustmentPosting(p: Base & { adjustmentId: string; amount: bigint }): LedgerTransactionDraft {
  return transfer(p, { category: "adjustment", sourceType: "adjustment", sourceId: p.adjustmentId, payoutId: null, from: "adjustments", to: "merchant_balance", amount: p.amount });
}

/** Fee plan: basis points of the amount, rounded half up, plus a fixed fee; never above the amount. */
export function computeFee(amount: bigint, plan: { feeBps: number; feeFixed: bigint }): bigint {
  const variable = (amount * BigInt(plan.feeBps) + 5000n) / 10000n;
  const fee = variable + plan.feeFixed;
  return fee > amount ? amount : fee;
}
