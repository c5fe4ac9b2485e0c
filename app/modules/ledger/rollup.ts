/**
 * The sales rollup's rules (sales_daily), as pure functions shared by the app and
 * the demo generator. The grain is the merchant's local day, terminal, card brand,
 * issuing bank, funding and currency. Attempts and declines count on the local day
 * the payment was created, captures on the day of capture, refunds on the day issued.
 */
export interface RollupKey {
  merchantId: string;
  day: string; // YYYY-MM-DD in the merchant's time zone
  terminalId: string;
  cardBrand: string;
  issuerBank: string;
  cardFunding: string;
  currency: string;
}

export interface RollupDelta extends RollupKey {
  attemptCount: number;
  capturedCount: number;
  capturedAmount: bigint;
  declinedCount: number;
  feeAmount: bigint;
  refundCount: number;
  refundedAmount: bigint;
}

export function emptyDelta(key: RollupKey): RollupDelta {
  return {
    ...key,
    attemptCount: 0,
    capturedCount: 0,
    capturedAmount: 0n,
    declinedCount: 0,
    feeAmount: 0n,
    refundCount: 0,
    refundedAmount: 0n,
  };
}

export function rollupKeyString(k: RollupKey): string {
  return [k.merchantId, k.day, k.terminalId, k.cardBrand, k.issuerBank, k.cardFunding, k.currency].join("|");
}

/** Adds b into a (same key). */
export function addDelta(a: RollupDelta, b: Omit<RollupDelta, keyof RollupKey>): RollupDelta {
  a.attemptCount += b.attemptCount;
  a.capturedCount += b.capturedCount;
  a.capturedAmount += b.capturedAmount;
  a.declinedCount += b.declinedCount;
  a.feeAmount += b.feeAmount;
  a.refundCount += b.refundCount;
  a.refundedAmount += b.refundedAmount;
  return a;
}

const zero = {
  attemptCount: 0,
  capturedCount: 0,
  capturedAmount: 0n,
  declinedCount: 0,
  feeAmount: 0n,
  refundCount: 0,
  refundedAmount: 0n,
};

/** A payment attempt was made (counted on the local day it was created). */
export function attemptDelta(key: RollupKey): RollupDelta {
  return { ...key, ...zero, attemptCount: 1 };
}
/** A payment was declined or failed. */
export function declineDelta(key: RollupKey): RollupDelta {
  return { ...key, ...zero, declinedCount: 1 };
}
/**
 * A payment was captured: counted on the local day of its capture, the same instant
 * as its ledger charge, so volume on the dashboard equals the ledger's charges.
 */
export function captureDelta(key: RollupKey, amount: bigint, fee: bigint): RollupDelta {
  return { ...key, ...zero, capturedCount: 1, capturedAmount: amount, feeAmount: fee };
}
/** A refund succeeded (its own local day); a failed refund adds the negative. */
export function refundDelta(key: RollupKey, amount: bigint, sign: 1 | -1 = 1): RollupDelta {
  return { ...key, ...zero, refundCount: sign, refundedAmount: amount * BigInt(sign) };
}
