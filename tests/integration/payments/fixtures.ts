import { sql } from "drizzle-orm";
import * as s from "../../../db/schema";
import { db, rows } from "../../../db/client.server";
import { hashApiKey } from "~/modules/terminals/api-auth.server";
import { configureProcessor } from "~/modules/processors/sandbox-processor.server";
import { configureSandbox } from "~/modules/processors/sandbox/sandbox.server";
import { ledgerProblems } from "~/modules/ledger/ledger.server";
import { CARD_EXP_YEAR } from "../../support/cards";

export interface TestMerchant {
  merchantId: string;
  terminalId: string;
  apiKey: string;
  currency: string;
  scope: { merchantId: string };
}

let counter = 0;

/**
 * Every row of the database's tables that `keep` takes, as JSON text under a `# <table>`
 * line: what a test searches for what must never be stored (a card number, a CVC).
 */
export async function dumpTables(keep: (table: string) => boolean): Promise<string> {
  const names = await rows<{ table_name: string }>(
    db(),
    sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
  );
  let out = "";
  for (const { table_name } of names.filter((n) => keep(n.table_name))) {
    const r = await rows<{ j: string }>(db(), sql`select row_to_json(t)::text as j from ${sql.identifier(table_name)} t`);
    out += `\n# ${table_name}\n` + r.map((x) => x.j).join("\n");
  }
  return out;
}

/** Short provider delays so timeouts and slow cards do not slow the suite down. */
export function fastSandbox(): void {
  configureProcessor({ deadlineMs: 3000, silentTimeoutMs: 30 });
  configureSandbox({ slowMs: 40, lateAnswerMs: 0 });
}

/** A fresh active merchant with one API terminal and its key. */
export async function makeMerchant(opts: {
  currency?: "IRR" | "USD";
  feeBps?: number;
  feeFixed?: bigint;
  timeZone?: string;
  name?: string;
} = {}): Promise<TestMerchant> {
  const n = ++counter;
  const currency = opts.currency ?? "IRR";
  const merchantId = `mer_t${n}_${Math.random().toString(36).slice(2, 8)}`;
  const terminalId = `term_${merchantId}`;
  const apiKey = `sk_test_${merchantId}_key`;
  await db().insert(s.merchants).values({
    id: merchantId,
    name: opts.name ?? `Test merchant ${n}`,
    status: "active",
    country: currency === "IRR" ? "IR" : "US",
    timeZone: opts.timeZone ?? (currency === "IRR" ? "Asia/Tehran" : "America/New_York"),
    currency,
    settlementCutoff: currency === "IRR" ? "23:30" : "00:00",
    settlementDelayDays: 1,
    weekendDays: currency === "IRR" ? [5] : [0, 6],
    holidayCalendar: currency === "IRR" ? "IR" : "US",
    feeBps: opts.feeBps ?? (currency === "IRR" ? 40 : 290),
    feeFixed: opts.feeFixed ?? (currency === "IRR" ? 0n : 30n),
    supportRefundLimit: currency === "IRR" ? 20_000_000n : 20_000n,
    processorId: "sandbox",
    activatedAt: new Date(),
  });
  await db().insert(s.terminals).values({ merchantId, id: terminalId, name: "API terminal", kind: "api", status: "active" });
  await db().insert(s.apiKeys).values({ keyHash: hashApiKey(apiKey), merchantId, terminalId });
  return { merchantId, terminalId, apiKey, currency, scope: { merchantId } };
}

export const CARD = {
  approve: "4242424242424242",
  approveIr: "6037990000000006",
  insufficient: "4000000000009995",
  doNotHonor: "4000000000000002",
  lost: "4000000000009987",
  stolen: "4000000000009979",
  expired: "4000000000000069",
  cvc: "4000000000000127",
  processingError: "4000000000000119",
  timeoutApproved: "4000000000007700",
  timeoutLost: "4000000000007718",
  slow: "4000000000002008",
  refundFails: "4000000000005126",
} as const;

export function card(number: string) {
  const cvc = number.startsWith("37") ? "1234" : "123";
  return { number, expMonth: 12, expYear: CARD_EXP_YEAR, cvc };
}

/** Every ledger invariant for one merchant, plus the payments/refunds/rollup tie-out. */
export async function ledgerReport(m: { merchantId: string; currency: string }) {
  const problems = await ledgerProblems({ merchantId: m.merchantId });
  const [t] = await rows<Record<string, string>>(
    db(),
    sql`select
      (select coalesce(sum(amount), 0) from ledger_entries where merchant_id = ${m.merchantId})::text as all_entries,
      (select coalesce(sum(amount), 0) from ledger_entries where merchant_id = ${m.merchantId} and account = 'merchant_balance')::text as balance,
      (select coalesce(sum(amount), 0) from ledger_entries where merchant_id = ${m.merchantId} and account = 'card_network')::text as network,
      (select coalesce(sum(amount), 0) from ledger_entries where merchant_id = ${m.merchantId} and account = 'platform_fees')::text as fees,
      (select coalesce(sum(amount), 0) from payments where merchant_id = ${m.merchantId} and status = 'captured')::text as captured,
      (select coalesce(sum(fee), 0) from payments where merchant_id = ${m.merchantId} and status = 'captured')::text as captured_fees,
      (select coalesce(sum(amount_refunded), 0) from payments where merchant_id = ${m.merchantId})::text as refunded_on_payments,
      (select coalesce(sum(amount), 0) from refunds where merchant_id = ${m.merchantId} and status in ('pending', 'succeeded'))::text as refunds_live,
      (select count(*) from payments where merchant_id = ${m.merchantId})::text as payment_count,
      (select count(*) from payments where merchant_id = ${m.merchantId} and status = 'captured')::text as captured_count,
      (select count(*) from payments where merchant_id = ${m.merchantId} and status in ('declined', 'failed'))::text as declined_count,
      (select count(*) from refunds where merchant_id = ${m.merchantId} and status in ('pending', 'succeeded'))::text as refund_count,
      (select count(*) from ledger_transactions where merchant_id = ${m.merchantId} and category = 'charge')::text as charge_txns,
      (select count(distinct source_id) from ledger_transactions where merchant_id = ${m.merchantId} and category = 'charge')::text as charged_payments,
      (select coalesce(sum(attempt_count), 0) from sales_daily where merchant_id = ${m.merchantId})::text as r_attempts,
      (select coalesce(sum(captured_count), 0) from sales_daily where merchant_id = ${m.merchantId})::text as r_captured_count,
      (select coalesce(sum(captured_amount), 0) from sales_daily where merchant_id = ${m.merchantId})::text as r_captured,
      (select coalesce(sum(fee_amount), 0) from sales_daily where merchant_id = ${m.merchantId})::text as r_fees,
      (select coalesce(sum(declined_count), 0) from sales_daily where merchant_id = ${m.merchantId})::text as r_declined,
      (select coalesce(sum(refund_count), 0) from sales_daily where merchant_id = ${m.merchantId})::text as r_refund_count,
      (select coalesce(sum(refunded_amount), 0) from sales_daily where merchant_id = ${m.merchantId})::text as r_refunded,
      (select count(*) from payments where merchant_id = ${m.merchantId} and (amount_refunded < 0 or amount_refunded > amount))::text as bad_refunded,
      (select count(*) from payments p where merchant_id = ${m.merchantId} and amount_refunded <> coalesce((select sum(r.amount) from refunds r where r.merchant_id = p.merchant_id and r.payment_id = p.id and r.status in ('pending','succeeded')), 0))::text as refund_mismatch`,
  );
  const b = (k: string) => BigInt(t![k]!);
  return {
    problems,
    allEntries: b("all_entries"),
    balance: b("balance"),
    network: b("network"),
    fees: b("fees"),
    captured: b("captured"),
    capturedFees: b("captured_fees"),
    refundedOnPayments: b("refunded_on_payments"),
    refundsLive: b("refunds_live"),
    paymentCount: b("payment_count"),
    capturedCount: b("captured_count"),
    declinedCount: b("declined_count"),
    refundCount: b("refund_count"),
    chargeTxns: b("charge_txns"),
    chargedPayments: b("charged_payments"),
    rollup: {
      attempts: b("r_attempts"),
      capturedCount: b("r_captured_count"),
      captured: b("r_captured"),
      fees: b("r_fees"),
      declined: b("r_declined"),
      refundCount: b("r_refund_count"),
      refunded: b("r_refunded"),
    },
    badRefunded: b("bad_refunded"),
    refundMismatch: b("refund_mismatch"),
  };
}

/** Asserts the ledger, payments, refunds and the rollup all tie out to the last unit. */
export async function expectLedgerTiesOut(m: { merchantId: string; currency: string }): Promise<void> {
  const r = await ledgerReport(m);
  const { expect } = await import("vitest");
  expect(r.problems).toEqual([]);
  expect(r.allEntries).toBe(0n);
  expect(r.badRefunded).toBe(0n);
  expect(r.refundMismatch).toBe(0n);
  expect(r.refundedOnPayments).toBe(r.refundsLive);
  // merchant_balance = captured - fees - refunds (pending and succeeded)
  expect(r.balance).toBe(r.captured - r.capturedFees - r.refundsLive);
  expect(r.network).toBe(-r.captured + r.refundsLive);
  expect(r.fees).toBe(r.capturedFees);
  expect(r.chargeTxns).toBe(r.capturedCount);
  expect(r.chargedPayments).toBe(r.capturedCount);
  expect(r.rollup.attempts).toBe(r.paymentCount);
  expect(r.rollup.capturedCount).toBe(r.capturedCount);
  expect(r.rollup.captured).toBe(r.captured);
  expect(r.rollup.fees).toBe(r.capturedFees);
  expect(r.rollup.declined).toBe(r.declinedCount);
  expect(r.rollup.refundCount).toBe(r.refundCount);
  expect(r.rollup.refunded).toBe(r.refundsLive);
}
