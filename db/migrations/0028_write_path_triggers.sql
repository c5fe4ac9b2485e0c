-- A payment's insert checked its merchant twice: (merchant_id, terminal_id) references the terminal,
-- whose merchant_id references merchants, so this key said nothing more; it added a check and a
-- key-share lock of the merchant's row (one row that all of a merchant's concurrent payments lock:
-- a multixact per payment) to every insert. docs/write-path.md, "PostgreSQL's share (wpg)".
ALTER TABLE "payments" DROP CONSTRAINT "payments_merchant_id_merchants_id_fk";--> statement-breakpoint
-- A statement's postings, checked and added to ledger_balances_daily by one statement-level trigger
-- (was two). The balance check sums the statement's own postings per transaction and currency: the
-- postings already there summed to zero (every insert was checked; postings are append-only, no
-- update, delete or truncate), so the transaction's sum after the statement is zero exactly when its
-- new postings sum to zero. It no longer reads the transaction's postings back from ledger_entries.
CREATE OR REPLACE FUNCTION ledger_entries_derive() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT merchant_id, transaction_id, currency, sum(amount) AS total INTO bad
  FROM new_rows
  GROUP BY merchant_id, transaction_id, currency
  HAVING sum(amount) <> 0
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger transaction % of merchant % does not balance in %: postings sum to %',
      bad.transaction_id, bad.merchant_id, bad.currency, bad.total
      USING ERRCODE = 'check_violation';
  END IF;
  INSERT INTO ledger_balances_daily AS b (merchant_id, currency, account, day, slot, amount)
    SELECT merchant_id, currency, account, (available_on AT TIME ZONE 'UTC')::date, rollup_slot(), sum(amount)
    FROM new_rows GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (merchant_id, currency, account, day, slot) DO UPDATE SET amount = b.amount + excluded.amount;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
DROP TRIGGER ledger_entries_balanced ON ledger_entries;
--> statement-breakpoint
DROP FUNCTION ledger_entries_balanced();
