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
  return delta(key, {});
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

// Built field by field: object spread of an object holding bigints is a slow path in
// V8 (about 10 µs a call), which the bulk generator would pay millions of times.
function delta(key: RollupKey, d: Partial<Omit<RollupDelta, keyof RollupKey>>): RollupDelta {
  return {
    merchantId: key.merchantId,
    day: key.day,
    terminalId: key.terminalId,
    cardBrand: key.cardBrand,
    issuerBank: key.issuerBank,
    cardFunding: key.cardFunding,
    currency: key.currency,
    attemptCount: d.attemptCount ?? 0,
    capturedCount: d.capturedCount ?? 0,
    capturedAmount: d.capturedAmount ?? 0n,
    declinedCount: d.declinedCount ?? 0,
    feeAmount: d.feeAmount ?? 0n,
    refundCount: d.refundCount ?? 0,
    refundedAmount: d.refundedAmount ?? 0n,
  };
}

/** A payment attempt was made (counted on the local day it was created). */
export function attemptDelta(key: RollupKey): RollupDelta {
  return delta(key, { attemptCount: 1 });
}
/** A payment was declined or failed. */
export function declineDelta(key: RollupKey): RollupDelta {
  return delta(key, { declinedCount: 1 });
}
/**
 * A payment was captured: counted on the local day of its capture, the same instant
 * as its ledger charge, so volume on the dashboard equals the ledger's charges.
 */
export function captureDelta(key: RollupKey, amount: bigint, fee: bigint): RollupDelta {
  return delta(key, { capturedCount: 1, capturedAmount: amount, feeAmount: fee });
}
/** A refund succeeded (its own local day); a failed refund adds the negative. */
export function refundDelta(key: RollupKey, amount: bigint, sign: 1 | -1 = 1): RollupDelta {
  return delta(key, { refundCount: sign, refundedAmount: amount * BigInt(sign) });
}
