/**
 * The sandbox bank: a deterministic stand-in for the interbank rail. It keeps its own
 * record of transfers (sandbox_bank_transfers) like a separate service would, and
 * decides each transfer's fate from the account number alone (sandbox-bank.ts).
 */
import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { sandboxBankTransfers } from "~db/schema";
import { db } from "~db/client.server";
import type { BankSendResult, BankTransferRequest, BankTransferStatus, PayoutBank } from "./bank";
import { RETURN_AFTER_MS, sandboxBankBehaviour } from "./sandbox-bank";

function traceNumberFor(reference: string): string {
  const hex = createHash("sha256").update(`trace:${reference}`).digest("hex");
  return `TRC${(BigInt(`0x${hex.slice(0, 15)}`) % 10_000_000_000n).toString().padStart(10, "0")}`;
}

async function send(req: BankTransferRequest): Promise<BankSendResult> {
  const behaviour = sandboxBankBehaviour(req.accountNumber);
  const rejected = behaviour.kind === "rejected";
  // The reference is unique at the bank: a second send of the same payout changes nothing.
  await db()
    .insert(sandboxBankTransfers)
    .values({
      id: `sbt_${req.reference}`,
      merchantReference: req.reference,
      accountNumber: req.accountNumber,
      amount: req.amount,
      currency: req.currency,
      status: rejected ? "rejected" : "accepted",
      failureCode: rejected ? behaviour.code : null,
      traceNumber: rejected ? null : traceNumberFor(req.reference),
      createdAt: req.sentAt,
      settledAt: rejected ? null : req.valueAt,
    })
    .onConflictDoNothing();
  const [row] = await db().select().from(sandboxBankTransfers).where(eq(sandboxBankTransfers.merchantReference, req.reference));
  if (!row) throw new Error(`sandbox bank lost transfer ${req.reference}`);
  if (row.status === "rejected") {
    const b = sandboxBankBehaviour(row.accountNumber);
    return { accepted: false, code: row.failureCode ?? "could_not_process", message: b.kind === "paid" ? "The bank could not process this payout." : b.message };
  }
  return { accepted: true, traceNumber: row.traceNumber ?? traceNumberFor(req.reference) };
}

async function inquire(reference: string, at: Date): Promise<BankTransferStatus> {
  const [row] = await db().select().from(sandboxBankTransfers).where(eq(sandboxBankTransfers.merchantReference, reference));
  if (!row) return { status: "not_found" };
  const behaviour = sandboxBankBehaviour(row.accountNumber);
  if (row.status === "rejected") {
    return {
      status: "failed",
      at: row.createdAt,
      code: row.failureCode ?? "could_not_process",
      message: behaviour.kind === "paid" ? "The bank could not process this payout." : behaviour.message,
    };
  }
  const valueAt = row.settledAt ?? row.createdAt;
  const traceNumber = row.traceNumber ?? traceNumberFor(reference);
  if (at.getTime() < valueAt.getTime()) return { status: "in_transit", traceNumber };
  switch (behaviour.kind) {
    case "fails_in_transit":
    case "rejected":
      return { status: "failed", at: valueAt, code: behaviour.code, message: behaviour.message };
    case "returned": {
      const returnedAt = new Date(valueAt.getTime() + RETURN_AFTER_MS);
      if (at.getTime() < returnedAt.getTime()) return { status: "paid", at: valueAt, traceNumber };
      return { status: "returned", paidAt: valueAt, at: returnedAt, code: behaviour.code, message: behaviour.message };
    }
    case "paid":
      return { status: "paid", at: valueAt, traceNumber };
  }
}

export const sandboxBank: PayoutBank = { send, inquire };
