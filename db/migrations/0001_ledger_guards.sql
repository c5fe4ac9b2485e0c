-- The ledger and the audit trail are append-only: the database itself refuses
-- UPDATE and DELETE (corrections are new entries). TRUNCATE is refused as well.
CREATE OR REPLACE FUNCTION refuse_mutation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
  FOR EACH ROW EXECUTE FUNCTION refuse_mutation();
--> statement-breakpoint
CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_mutation();
--> statement-breakpoint
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION refuse_mutation();
--> statement-breakpoint
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_mutation();
--> statement-breakpoint
CREATE TRIGGER payout_items_append_only BEFORE UPDATE OR DELETE ON payout_items
  FOR EACH ROW EXECUTE FUNCTION refuse_mutation();
--> statement-breakpoint
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION refuse_mutation();
--> statement-breakpoint
-- Double entry: the postings of one ledger transaction sum to zero per currency.
-- Checked per statement over the transactions it touched, so all the lines of a
-- transaction are inserted together (postLedgerTransaction does exactly that).
CREATE OR REPLACE FUNCTION ledger_entries_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT e.merchant_id, e.transaction_id, e.currency, sum(e.amount) AS total INTO bad
  FROM ledger_entries e
  JOIN (SELECT DISTINCT merchant_id, transaction_id FROM new_rows) n
    ON n.merchant_id = e.merchant_id AND n.transaction_id = e.transaction_id
  GROUP BY e.merchant_id, e.transaction_id, e.currency
  HAVING sum(e.amount) <> 0
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger transaction % of merchant % does not balance in %: postings sum to %',
      bad.transaction_id, bad.merchant_id, bad.currency, bad.total
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_balanced();
--> statement-breakpoint
INSERT INTO processors (id, name, description) VALUES
  ('sandbox', 'Sandbox', 'Built-in test provider: deterministic test cards, no real money moves.')
ON CONFLICT (id) DO NOTHING;
