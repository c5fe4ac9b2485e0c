CREATE TABLE "payments_daily" (
	"merchant_id" text NOT NULL,
	"day" date NOT NULL,
	"status" "payment_status" NOT NULL,
	"terminal_id" text NOT NULL,
	"currency" char(3) NOT NULL,
	"payment_count" bigint DEFAULT 0 NOT NULL,
	"amount" bigint DEFAULT 0 NOT NULL,
	"amount_refunded" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "payments_daily_merchant_id_day_status_terminal_id_currency_pk" PRIMARY KEY("merchant_id","day","status","terminal_id","currency")
);
--> statement-breakpoint
CREATE TABLE "ledger_balances_daily" (
	"merchant_id" text NOT NULL,
	"currency" char(3) NOT NULL,
	"account" "ledger_account" NOT NULL,
	"day" date NOT NULL,
	"amount" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "ledger_balances_daily_merchant_id_currency_account_day_pk" PRIMARY KEY("merchant_id","currency","account","day")
);
--> statement-breakpoint
CREATE TABLE "payout_item_totals" (
	"merchant_id" text NOT NULL,
	"payout_id" text NOT NULL,
	"category" "ledger_category" NOT NULL,
	"item_count" bigint DEFAULT 0 NOT NULL,
	"gross" bigint DEFAULT 0 NOT NULL,
	"fee" bigint DEFAULT 0 NOT NULL,
	"net" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "payout_item_totals_merchant_id_payout_id_category_pk" PRIMARY KEY("merchant_id","payout_id","category")
);
--> statement-breakpoint
CREATE TABLE "sales_daily_totals" (
	"merchant_id" text NOT NULL,
	"day" date NOT NULL,
	"currency" char(3) NOT NULL,
	"attempt_count" bigint DEFAULT 0 NOT NULL,
	"captured_count" bigint DEFAULT 0 NOT NULL,
	"captured_amount" bigint DEFAULT 0 NOT NULL,
	"declined_count" bigint DEFAULT 0 NOT NULL,
	"fee_amount" bigint DEFAULT 0 NOT NULL,
	"refund_count" bigint DEFAULT 0 NOT NULL,
	"refunded_amount" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "sales_daily_totals_merchant_id_currency_day_pk" PRIMARY KEY("merchant_id","currency","day")
);
--> statement-breakpoint
CREATE TABLE "sales_monthly" (
	"merchant_id" text NOT NULL,
	"month" date NOT NULL,
	"terminal_id" text NOT NULL,
	"card_brand" "card_brand" NOT NULL,
	"issuer_bank" text NOT NULL,
	"card_funding" "card_funding" NOT NULL,
	"currency" char(3) NOT NULL,
	"attempt_count" bigint DEFAULT 0 NOT NULL,
	"captured_count" bigint DEFAULT 0 NOT NULL,
	"captured_amount" bigint DEFAULT 0 NOT NULL,
	"declined_count" bigint DEFAULT 0 NOT NULL,
	"fee_amount" bigint DEFAULT 0 NOT NULL,
	"refund_count" bigint DEFAULT 0 NOT NULL,
	"refunded_amount" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "sales_monthly_merchant_id_month_terminal_id_card_brand_issuer_bank_card_funding_currency_pk" PRIMARY KEY("merchant_id","month","terminal_id","card_brand","issuer_bank","card_funding","currency")
);
--> statement-breakpoint
CREATE INDEX "payments_customer_ref_lower" ON "payments" USING btree ("merchant_id",lower("customer_reference") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "payments_description_words" ON "payments" USING gin (to_tsvector('simple', coalesce("description", '')));--> statement-breakpoint
-- Derived rollups, kept in the same transaction as the rows they summarise, so every
-- writer keeps them without knowing about them. Multi-row upserts take their row locks
-- in key order (ORDER BY), so concurrent writers of one merchant queue on a row rather
-- than deadlock. Bulk loads that run with triggers off (session_replication_role =
-- replica) call rebuild_derived_rollups() afterwards.
CREATE OR REPLACE FUNCTION sales_rollup_add(r sales_daily, k int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sales_daily_totals AS t (merchant_id, day, currency, attempt_count, captured_count, captured_amount,
      declined_count, fee_amount, refund_count, refunded_amount)
    VALUES (r.merchant_id, r.day, r.currency, k * r.attempt_count, k * r.captured_count, k * r.captured_amount,
      k * r.declined_count, k * r.fee_amount, k * r.refund_count, k * r.refunded_amount)
    ON CONFLICT (merchant_id, currency, day) DO UPDATE SET
      attempt_count = t.attempt_count + excluded.attempt_count, captured_count = t.captured_count + excluded.captured_count,
      captured_amount = t.captured_amount + excluded.captured_amount, declined_count = t.declined_count + excluded.declined_count,
      fee_amount = t.fee_amount + excluded.fee_amount, refund_count = t.refund_count + excluded.refund_count,
      refunded_amount = t.refunded_amount + excluded.refunded_amount;
  INSERT INTO sales_monthly AS t (merchant_id, month, terminal_id, card_brand, issuer_bank, card_funding, currency,
      attempt_count, captured_count, captured_amount, declined_count, fee_amount, refund_count, refunded_amount)
    VALUES (r.merchant_id, date_trunc('month', r.day)::date, r.terminal_id, r.card_brand, r.issuer_bank, r.card_funding, r.currency,
      k * r.attempt_count, k * r.captured_count, k * r.captured_amount, k * r.declined_count, k * r.fee_amount,
      k * r.refund_count, k * r.refunded_amount)
    ON CONFLICT (merchant_id, month, terminal_id, card_brand, issuer_bank, card_funding, currency) DO UPDATE SET
      attempt_count = t.attempt_count + excluded.attempt_count, captured_count = t.captured_count + excluded.captured_count,
      captured_amount = t.captured_amount + excluded.captured_amount, declined_count = t.declined_count + excluded.declined_count,
      fee_amount = t.fee_amount + excluded.fee_amount, refund_count = t.refund_count + excluded.refund_count,
      refunded_amount = t.refunded_amount + excluded.refunded_amount;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION sales_daily_derive() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d sales_daily;
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM sales_rollup_add(NEW, 1);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM sales_rollup_add(OLD, -1);
  ELSIF (NEW.merchant_id, NEW.day, NEW.terminal_id, NEW.card_brand, NEW.issuer_bank, NEW.card_funding, NEW.currency)
      IS NOT DISTINCT FROM (OLD.merchant_id, OLD.day, OLD.terminal_id, OLD.card_brand, OLD.issuer_bank, OLD.card_funding, OLD.currency) THEN
    -- The usual case (applyRollup's upsert): the difference, one row each.
    d := NEW;
    d.attempt_count := NEW.attempt_count - OLD.attempt_count;
    d.captured_count := NEW.captured_count - OLD.captured_count;
    d.captured_amount := NEW.captured_amount - OLD.captured_amount;
    d.declined_count := NEW.declined_count - OLD.declined_count;
    d.fee_amount := NEW.fee_amount - OLD.fee_amount;
    d.refund_count := NEW.refund_count - OLD.refund_count;
    d.refunded_amount := NEW.refunded_amount - OLD.refunded_amount;
    PERFORM sales_rollup_add(d, 1);
  ELSE
    PERFORM sales_rollup_add(OLD, -1);
    PERFORM sales_rollup_add(NEW, 1);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER sales_daily_derive AFTER INSERT OR UPDATE OR DELETE ON sales_daily
  FOR EACH ROW EXECUTE FUNCTION sales_daily_derive();
--> statement-breakpoint
-- Postings per account and UTC day of available_on (ledger_entries is insert-only).
CREATE OR REPLACE FUNCTION ledger_entries_derive() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ledger_balances_daily AS b (merchant_id, currency, account, day, amount)
    SELECT merchant_id, currency, account, (available_on AT TIME ZONE 'UTC')::date, sum(amount)
    FROM new_rows GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (merchant_id, currency, account, day) DO UPDATE SET amount = b.amount + excluded.amount;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_entries_derive AFTER INSERT ON ledger_entries
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_derive();
--> statement-breakpoint
-- What each payout carries per category (payout_items is insert-only).
CREATE OR REPLACE FUNCTION payout_items_derive() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO payout_item_totals AS p (merchant_id, payout_id, category, item_count, gross, fee, net)
    SELECT n.merchant_id, n.payout_id, lt.category, count(*), sum(lt.gross), sum(lt.fee), sum(lt.net)
    FROM new_rows n JOIN ledger_transactions lt ON lt.merchant_id = n.merchant_id AND lt.id = n.ledger_transaction_id
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (merchant_id, payout_id, category) DO UPDATE SET
      item_count = p.item_count + excluded.item_count, gross = p.gross + excluded.gross,
      fee = p.fee + excluded.fee, net = p.net + excluded.net;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER payout_items_derive AFTER INSERT ON payout_items
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION payout_items_derive();
--> statement-breakpoint
-- Payments per merchant-local creation day, status and terminal (the list's totals).
CREATE OR REPLACE FUNCTION payments_rollup_add(r payments, k int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO payments_daily AS d (merchant_id, day, status, terminal_id, currency, payment_count, amount, amount_refunded)
    SELECT r.merchant_id, (r.created_at AT TIME ZONE m.time_zone)::date, r.status, r.terminal_id, r.currency,
      k, k * r.amount, k * r.amount_refunded
    FROM merchants m WHERE m.id = r.merchant_id
    ON CONFLICT (merchant_id, day, status, terminal_id, currency) DO UPDATE SET
      payment_count = d.payment_count + excluded.payment_count, amount = d.amount + excluded.amount,
      amount_refunded = d.amount_refunded + excluded.amount_refunded;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION payments_derive() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (NEW.merchant_id, NEW.created_at, NEW.status, NEW.terminal_id, NEW.currency, NEW.amount, NEW.amount_refunded)
      IS NOT DISTINCT FROM (OLD.merchant_id, OLD.created_at, OLD.status, OLD.terminal_id, OLD.currency, OLD.amount, OLD.amount_refunded) THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM payments_rollup_add(OLD, -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM payments_rollup_add(NEW, 1);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER payments_derive AFTER INSERT OR UPDATE OR DELETE ON payments
  FOR EACH ROW EXECUTE FUNCTION payments_derive();
--> statement-breakpoint
-- Recomputes every derived rollup of one merchant (or all) from the rows themselves:
-- after a bulk load with triggers off, or to prove the triggers right.
CREATE OR REPLACE FUNCTION rebuild_derived_rollups(p_merchant text DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM sales_daily_totals WHERE p_merchant IS NULL OR merchant_id = p_merchant;
  INSERT INTO sales_daily_totals (merchant_id, day, currency, attempt_count, captured_count, captured_amount,
      declined_count, fee_amount, refund_count, refunded_amount)
    SELECT merchant_id, day, currency, sum(attempt_count), sum(captured_count), sum(captured_amount), sum(declined_count),
      sum(fee_amount), sum(refund_count), sum(refunded_amount)
    FROM sales_daily WHERE p_merchant IS NULL OR merchant_id = p_merchant GROUP BY 1, 2, 3;

  DELETE FROM sales_monthly WHERE p_merchant IS NULL OR merchant_id = p_merchant;
  INSERT INTO sales_monthly (merchant_id, month, terminal_id, card_brand, issuer_bank, card_funding, currency,
      attempt_count, captured_count, captured_amount, declined_count, fee_amount, refund_count, refunded_amount)
    SELECT merchant_id, date_trunc('month', day)::date, terminal_id, card_brand, issuer_bank, card_funding, currency,
      sum(attempt_count), sum(captured_count), sum(captured_amount), sum(declined_count), sum(fee_amount),
      sum(refund_count), sum(refunded_amount)
    FROM sales_daily WHERE p_merchant IS NULL OR merchant_id = p_merchant GROUP BY 1, 2, 3, 4, 5, 6, 7;

  DELETE FROM ledger_balances_daily WHERE p_merchant IS NULL OR merchant_id = p_merchant;
  INSERT INTO ledger_balances_daily (merchant_id, currency, account, day, amount)
    SELECT merchant_id, currency, account, (available_on AT TIME ZONE 'UTC')::date, sum(amount)
    FROM ledger_entries WHERE p_merchant IS NULL OR merchant_id = p_merchant GROUP BY 1, 2, 3, 4;

  DELETE FROM payout_item_totals WHERE p_merchant IS NULL OR merchant_id = p_merchant;
  INSERT INTO payout_item_totals (merchant_id, payout_id, category, item_count, gross, fee, net)
    SELECT i.merchant_id, i.payout_id, lt.category, count(*), sum(lt.gross), sum(lt.fee), sum(lt.net)
    FROM payout_items i JOIN ledger_transactions lt ON lt.merchant_id = i.merchant_id AND lt.id = i.ledger_transaction_id
    WHERE p_merchant IS NULL OR i.merchant_id = p_merchant GROUP BY 1, 2, 3;

  DELETE FROM payments_daily WHERE p_merchant IS NULL OR merchant_id = p_merchant;
  INSERT INTO payments_daily (merchant_id, day, status, terminal_id, currency, payment_count, amount, amount_refunded)
    SELECT p.merchant_id, (p.created_at AT TIME ZONE m.time_zone)::date, p.status, p.terminal_id, p.currency,
      count(*), sum(p.amount), sum(p.amount_refunded)
    FROM payments p JOIN merchants m ON m.id = p.merchant_id
    WHERE p_merchant IS NULL OR p.merchant_id = p_merchant GROUP BY 1, 2, 3, 4, 5;
END;
$$;
