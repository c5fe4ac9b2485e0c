/**
 * A payment's net: what it left in the merchant's balance after its fee and its refunds.
 * Only a captured payment moved money; a pending, authorized (not captured), declined,
 * failed or voided one has no net at all (null), as its ledger and the payments export say.
 * The one rule for the payment page, its loader and anything else that shows a net.
 */
export interface NetInput {
  status: string;
  amount: bigint;
  amountRefunded: bigint;
  fee: bigint;
}

export function paymentMovedMoney(status: string): boolean {
  return status === "captured";
}

export function paymentNet(p: NetInput): bigint | null {
  if (!paymentMovedMoney(p.status)) return null;
  return p.amount - p.amountRefunded - p.fee;
}
