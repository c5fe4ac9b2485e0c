/**
 * The sales rollup's rules (sales_daily) for the demo generator's bulk load, which writes
 * the rollups itself with triggers off. The app never writes them: the triggers of
 * the triggers of db/migrations/0000_baseline.sql keep every rollup from the rows, and
 * tests/integration/scale/rollups.test.ts proves this twin equal to them on the
 * seeded demo (rollup_discrepancies() is empty). The grain is the merchant's local day, terminal, card brand,
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

/**
 * A row of zeros for a key, built field by field: object spread of an object holding
 * bigints is a slow path in V8, which the bulk generator would pay millions of times.
 */
export function emptyDelta(key: RollupKey): RollupDelta {
  return {
    merchantId: key.merchantId,
    day: key.day,
    terminalId: key.terminalId,
    cardBrand: key.cardBrand,
    issuerBank: key.issuerBank,
    cardFunding: key.cardFunding,
    currency: key.currency,
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

// Each rule once, applied in place (the demo generator adds into its rows without a
// delta object per event); the *Delta functions are the same rules on a new row.

/** A payment attempt was made (counted on the local day it was created). */
export function addAttempt(d: RollupDelta): void {
  d.attemptCount += 1;
}
/** A payment was declined or failed. */
export function addDecline(d: RollupDelta): void {
  d.declinedCount += 1;
}
/**
 * A payment was captured: counted on the local day of its capture, the same instant
 * as its ledger charge, so volume on the dashboard equals the ledger's charges.
 */
export function addCapture(d: RollupDelta, amount: bigint, fee: bigint): void {
  d.capturedCount += 1;
  d.capturedAmount += amount;
  d.feeAmount += fee;
}
/** A refund succeeded (its own local day); a failed refund adds the negative. */
export function addRefund(d: RollupDelta, amount: bigint, sign: 1 | -1 = 1): void {
  d.refundCount += sign;
  d.refundedAmount += sign === 1 ? amount : -amount;
}

export function attemptDelta(key: RollupKey): RollupDelta {
  const d = emptyDelta(key);
  addAttempt(d);
  return d;
}
export function declineDelta(key: RollupKey): RollupDelta {
  const d = emptyDelta(key);
  addDecline(d);
  return d;
}
export function captureDelta(key: RollupKey, amount: bigint, fee: bigint): RollupDelta {
  const d = emptyDelta(key);
  addCapture(d, amount, fee);
  return d;
}
export function refundDelta(key: RollupKey, amount: bigint, sign: 1 | -1 = 1): RollupDelta {
  const d = emptyDelta(key);
  addRefund(d, amount, sign);
  return d;
}
