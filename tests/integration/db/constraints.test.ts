import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rows } from "../../../db/client.server";
import { useTestDatabase } from "../../support/db";

const t = useTestDatabase();

async function expectRefused(query: ReturnType<typeof sql>, pattern: RegExp) {
  let error: unknown;
  try {
    await t.db.execute(query);
  } catch (e) {
    error = e;
  }
  expect(error, "the database should refuse this").toBeDefined();
  const message = String((error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message);
  expect(message).toMatch(pattern);
}

describe("the database refuses bad rows", () => {
  it("sets up a merchant, terminal and payment", async () => {
    await t.db.execute(sql`insert into merchants (id, name, time_zone, currency) values ('mer_a', 'A', 'UTC', 'USD')`);
    await t.db.execute(sql`insert into terminals (merchant_id, id, name, kind) values ('mer_a', 'term_a', 'T', 'api')`);
    await t.db.execute(sql`insert into payments (merchant_id, id, terminal_id, amount, currency, status, idempotency_key)
      values ('mer_a', 'pay_1', 'term_a', 1000, 'USD', 'captured', 'key-1')`);
  });

  it("refuses a negative or zero amount", async () => {
    await expectRefused(
      sql`insert into payments (merchant_id, id, terminal_id, amount, currency, status) values ('mer_a', 'pay_neg', 'term_a', -5, 'USD', 'captured')`,
      /payments_amount_positive/,
    );
    await expectRefused(
      sql`insert into payments (merchant_id, id, terminal_id, amount, currency, status) values ('mer_a', 'pay_zero', 'term_a', 0, 'USD', 'captured')`,
      /payments_amount_positive/,
    );
  });

  it("refuses an over-refund through the column", async () => {
    await expectRefused(sql`update payments set amount_refunded = 1001 where id = 'pay_1'`, /payments_refunded_range/);
    await t.db.execute(sql`update payments set amount_refunded = 1000 where id = 'pay_1'`);
  });

  it("refuses a payment of a merchant that does not exist, or of another merchant's terminal (the terminal's key)", async () => {
    await expectRefused(
      sql`insert into payments (merchant_id, id, terminal_id, amount, currency, status) values ('mer_nobody', 'pay_x', 'term_a', 5, 'USD', 'captured')`,
      /payments_merchant_id_terminal_id_terminals_merchant_id_id_fk/,
    );
    await t.db.execute(sql`insert into merchants (id, name, time_zone, currency) values ('mer_b', 'B', 'UTC', 'USD')`);
    await expectRefused(
      sql`insert into payments (merchant_id, id, terminal_id, amount, currency, status) values ('mer_b', 'pay_x', 'term_a', 5, 'USD', 'captured')`,
      /payments_merchant_id_terminal_id_terminals_merchant_id_id_fk/,
    );
    // And the merchant cannot go while its terminal (and so its payments) is there.
    await expectRefused(sql`delete from merchants where id = 'mer_a'`, /terminals_merchant_id_merchants_id_fk/);
  });

  it("refuses a lower-case or malformed currency code", async () => {
    await expectRefused(
      sql`insert into payments (merchant_id, id, terminal_id, amount, currency, status) values ('mer_a', 'pay_cur', 'term_a', 5, 'usd', 'captured')`,
      /payments_currency_iso/,
    );
  });

  it("refuses a duplicate idempotency key for the same merchant", async () => {
    await expectRefused(
      sql`insert into payments (merchant_id, id, terminal_id, amount, currency, status, idempotency_key) values ('mer_a', 'pay_2', 'term_a', 5, 'USD', 'captured', 'key-1')`,
      /payments_idempotency/,
    );
  });

  it("refuses an unbalanced ledger transaction and accepts a balanced one", async () => {
    await t.db.execute(sql`insert into ledger_transactions (merchant_id, id, category, currency, gross, fee, net, source_type, source_id, available_on)
      values ('mer_a', 'txn_1', 'charge', 'USD', 1000, 30, 970, 'payment', 'pay_1', now())`);
    await expectRefused(
      sql`insert into ledger_entries (merchant_id, transaction_id, line, account, currency, amount, available_on)
        values ('mer_a', 'txn_1', 1, 'card_network', 'USD', -1000, now()), ('mer_a', 'txn_1', 2, 'merchant_balance', 'USD', 970, now())`,
      /does not balance/,
    );
    await t.db.execute(sql`insert into ledger_entries (merchant_id, transaction_id, line, account, currency, amount, available_on)
        values ('mer_a', 'txn_1', 1, 'card_network', 'USD', -1000, now()), ('mer_a', 'txn_1', 2, 'merchant_balance', 'USD', 970, now()),
               ('mer_a', 'txn_1', 3, 'platform_fees', 'USD', 30, now())`);
  });

  it("checks each statement's postings: later lines of a balanced transaction must balance among themselves", async () => {
    // The check sums the statement's own postings (the ones already there sum to zero and cannot change).
    await t.db.execute(sql`insert into ledger_transactions (merchant_id, id, category, currency, gross, fee, net, source_type, source_id, available_on)
      values ('mer_a', 'txn_later', 'adjustment', 'USD', 0, 0, 0, 'payment', 'pay_1', now())`);
    await t.db.execute(sql`insert into ledger_entries (merchant_id, transaction_id, line, account, currency, amount, available_on)
        values ('mer_a', 'txn_later', 1, 'adjustments', 'USD', -50, now()), ('mer_a', 'txn_later', 2, 'merchant_balance', 'USD', 50, now())`);
    await expectRefused(
      sql`insert into ledger_entries (merchant_id, transaction_id, line, account, currency, amount, available_on)
        values ('mer_a', 'txn_later', 3, 'adjustments', 'USD', -7, now())`,
      /ledger transaction txn_later of merchant mer_a does not balance in USD: postings sum to -7/,
    );
    await t.db.execute(sql`insert into ledger_entries (merchant_id, transaction_id, line, account, currency, amount, available_on)
        values ('mer_a', 'txn_later', 3, 'adjustments', 'USD', -7, now()), ('mer_a', 'txn_later', 4, 'merchant_balance', 'USD', 7, now())`);
    const [sum] = await rows<{ total: string }>(t.db, sql`select sum(amount)::text as total from ledger_entries where transaction_id = 'txn_later'`);
    expect(sum!.total).toBe("0");
  });

  it("refuses net that is not gross minus fee", async () => {
    await expectRefused(
      sql`insert into ledger_transactions (merchant_id, id, category, currency, gross, fee, net, source_type, source_id, available_on)
        values ('mer_a', 'txn_2', 'charge', 'USD', 1000, 30, 1000, 'payment', 'pay_1', now())`,
      /ledger_transactions_net/,
    );
  });

  it("refuses UPDATE and DELETE of ledger rows", async () => {
    await expectRefused(sql`update ledger_entries set amount = amount * 2 where transaction_id = 'txn_1'`, /append-only/);
    await expectRefused(sql`delete from ledger_entries where transaction_id = 'txn_1'`, /append-only/);
    await expectRefused(sql`update ledger_transactions set gross = 1 where id = 'txn_1'`, /append-only/);
    await expectRefused(sql`delete from ledger_transactions where id = 'txn_1'`, /append-only/);
    await expectRefused(sql`truncate ledger_entries cascade`, /append-only/);
  });
});
