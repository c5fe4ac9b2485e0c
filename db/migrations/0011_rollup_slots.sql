ALTER TABLE "payments_daily" ADD COLUMN "slot" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payments_monthly" ADD COLUMN "slot" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "ledger_balances_daily" ADD COLUMN "slot" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sales_daily" ADD COLUMN "slot" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sales_daily_totals" ADD COLUMN "slot" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sales_monthly" ADD COLUMN "slot" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payments_daily" DROP CONSTRAINT "payments_daily_merchant_id_day_status_terminal_id_currency_pk";
--> statement-breakpoint
ALTER TABLE "payments_daily" ADD CONSTRAINT "payments_daily_merchant_id_day_status_terminal_id_currency_pk" PRIMARY KEY("merchant_id","day","status","terminal_id","currency","slot");--> statement-breakpoint
ALTER TABLE "payments_monthly" DROP CONSTRAINT "payments_monthly_merchant_id_month_status_terminal_id_currency_pk";
--> statement-breakpoint
ALTER TABLE "payments_monthly" ADD CONSTRAINT "payments_monthly_merchant_id_month_status_terminal_id_currency_pk" PRIMARY KEY("merchant_id","month","status","terminal_id","currency","slot");--> statement-breakpoint
ALTER TABLE "ledger_balances_daily" DROP CONSTRAINT "ledger_balances_daily_merchant_id_currency_account_day_pk";
--> statement-breakpoint
ALTER TABLE "ledger_balances_daily" ADD CONSTRAINT "ledger_balances_daily_merchant_id_currency_account_day_pk" PRIMARY KEY("merchant_id","currency","account","day","slot") INCLUDE ("amount");--> statement-breakpoint
ALTER TABLE "sales_daily" DROP CONSTRAINT "sales_daily_merchant_id_day_terminal_id_card_brand_issuer_bank_card_funding_currency_pk";
--> statement-breakpoint
ALTER TABLE "sales_daily" ADD CONSTRAINT "sales_daily_merchant_id_day_terminal_id_card_brand_issuer_bank_card_funding_currency_pk" PRIMARY KEY("merchant_id","day","terminal_id","card_brand","issuer_bank","card_funding","currency","slot");--> statement-breakpoint
ALTER TABLE "sales_daily_totals" DROP CONSTRAINT "sales_daily_totals_merchant_id_currency_day_pk";
--> statement-breakpoint
ALTER TABLE "sales_daily_totals" ADD CONSTRAINT "sales_daily_totals_merchant_id_currency_day_pk" PRIMARY KEY("merchant_id","currency","day","slot");--> statement-breakpoint
ALTER TABLE "sales_monthly" DROP CONSTRAINT "sales_monthly_merchant_id_month_terminal_id_card_brand_issuer_bank_card_funding_currency_pk";
--> statement-breakpoint
ALTER TABLE "sales_monthly" ADD CONSTRAINT "sales_monthly_merchant_id_month_terminal_id_card_brand_issuer_bank_card_funding_currency_pk" PRIMARY KEY("merchant_id","month","terminal_id","card_brand","issuer_bank","card_funding","currency","slot");--> statement-breakpoint

-- Every rollup is kept the same way: by triggers on the rows it summarises, in the
-- writing transaction (sales_daily too, which the app used to write itself), and each
-- one can be rebuilt from those rows; rollup_discrepancies() compares them.
--
-- Slots: one merchant's concurrent payments would all update the same rollup rows
-- (today's totals, today's balance, ...) and queue on their row locks until each
-- commits. A transaction adds into the row of its slot instead (the backend's pid
-- modulo 8, so all rows one transaction touches share a slot and writers take their
-- locks in the same order), and readers sum the slots of a key.
CREATE OR REPLACE FUNCTION rollup_slot() RETURNS smallint LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT (pg_backend_pid() % 8)::smallint
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION sales_rollup_add(r sales_daily, k int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sales_daily_totals AS t (merchant_id, day, currency, slot, attempt_count, captured_count, captured_amount,
      declined_count, fee_amount, refund_count, refunded_amount)
    VALUES (r.merchant_id, r.day, r.currency, r.slot, k * r.attempt_count, k * r.captured_count, k * r.captured_amount,
      k * r.declined_count, k * r.fee_amount, k * r.refund_count, k * r.refunded_amount)
    ON CONFLICT (merchant_id, currency, day, slot) DO UPDATE SET
      attempt_count = t.attempt_count + excluded.attempt_count, captured_count = t.captured_count + excluded.captured_count,
      captured_amount = t.captured_amount + excluded.captured_amount, declined_count = t.declined_count + excluded.declined_count,
      fee_amount = t.fee_amount + excluded.fee_amount, refund_count = t.refund_count + excluded.refund_count,
      refunded_amount = t.refunded_amount + excluded.refunded_amount;
  INSERT INTO sales_monthly AS t (merchant_id, month, terminal_id, card_brand, issuer_bank, card_funding, currency, slot,
      attempt_count, captured_count, captured_amount, declined_count, fee_amount, refund_count, refunded_amount)
    VALUES (r.merchant_id, date_trunc('month', r.day)::date, r.terminal_id, r.card_brand, r.issuer_bank, r.card_funding, r.currency, r.slot,
      k * r.attempt_count, k * r.captured_count, k * r.captured_amount, k * r.declined_count, k * r.fee_amount,
      k * r.refund_count, k * r.refunded_amount)
    ON CONFLICT (merchant_id, month, terminal_id, card_brand, issuer_bank, card_funding, currency, slot) DO UPDATE SET
      attempt_count = t.attempt_count + excluded.attempt_count, captured_count = t.captured_count + excluded.captured_count,
      captured_amount = t.captured_amount + excluded.captured_amount, declined_count = t.declined_count + excluded.declined_count,
      fee_amount = t.fee_amount + excluded.fee_amount, refund_count = t.refund_count + excluded.refund_count,
      refunded_amount = t.refunded_amount + excluded.refunded_amount;
END;
$$;
--> statement-breakpoint
-- sales_daily and what derives from it, one delta (the rules of app/modules/ledger/rollup.ts).
CREATE OR REPLACE FUNCTION sales_add(p payments, p_day date, attempts int, captured int, captured_amount bigint,
    declined int, fee bigint, refunds int, refunded bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  d sales_daily;
BEGIN
  d := ROW(p.merchant_id, p_day, p.terminal_id, p.card_brand, p.issuer_bank, p.card_funding, p.currency,
    attempts, captured, captured_amount, declined, fee, refunds, refunded, rollup_slot());
  INSERT INTO sales_daily AS t (merchant_id, day, terminal_id, card_brand, issuer_bank, card_funding, currency,
      attempt_count, captured_count, captured_amount, declined_count, fee_amount, refund_count, refunded_amount, slot)
    VALUES (d.merchant_id, d.day, d.terminal_id, d.card_brand, d.issuer_bank, d.card_funding, d.currency,
      d.attempt_count, d.captured_count, d.captured_amount, d.declined_count, d.fee_amount, d.refund_count, d.refunded_amount, d.slot)
    ON CONFLICT (merchant_id, day, terminal_id, card_brand, issuer_bank, card_funding, currency, slot) DO UPDATE SET
      attempt_count = t.attempt_count + excluded.attempt_count, captured_count = t.captured_count + excluded.captured_count,
      captured_amount = t.captured_amount + excluded.captured_amount, declined_count = t.declined_count + excluded.declined_count,
      fee_amount = t.fee_amount + excluded.fee_amount, refund_count = t.refund_count + excluded.refund_count,
      refunded_amount = t.refunded_amount + excluded.refunded_amount;
  PERFORM sales_rollup_add(d, 1);
END;
$$;
--> statement-breakpoint
-- sales_daily is no longer written by anyone but sales_add (and bulk loads, which rebuild).
DROP TRIGGER IF EXISTS sales_daily_derive ON sales_daily;
--> statement-breakpoint
DROP FUNCTION IF EXISTS sales_daily_derive();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION payments_status_add(r payments, tz text, k int, amount bigint, refunded bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  local_day date := (r.created_at AT TIME ZONE tz)::date;
  s smallint := rollup_slot();
BEGIN
  INSERT INTO payments_daily AS d (merchant_id, day, status, terminal_id, currency, slot, payment_count, amount, amount_refunded)
    VALUES (r.merchant_id, local_day, r.status, r.terminal_id, r.currency, s, k, amount, refunded)
    ON CONFLICT (merchant_id, day, status, terminal_id, currency, slot) DO UPDATE SET
      payment_count = d.payment_count + excluded.payment_count, amount = d.amount + excluded.amount,
      amount_refunded = d.amount_refunded + excluded.amount_refunded;
  INSERT INTO payments_monthly AS d (merchant_id, month, status, terminal_id, currency, slot, payment_count, amount, amount_refunded)
    VALUES (r.merchant_id, date_trunc('month', local_day)::date, r.status, r.terminal_id, r.currency, s, k, amount, refunded)
    ON CONFLICT (merchant_id, month, status, terminal_id, currency, slot) DO UPDATE SET
      payment_count = d.payment_count + excluded.payment_count, amount = d.amount + excluded.amount,
      amount_refunded = d.amount_refunded + excluded.amount_refunded;
END;
$$;
--> statement-breakpoint
-- A payment's contribution: to payments_daily/monthly by status (its local day of creation);
-- to sales_daily an attempt (and a decline) on its day of creation and, once captured, the
-- capture with its fee on its day of capture (of creation for a row captured without a
-- capture time). An update adds only what changed.
CREATE OR REPLACE FUNCTION payments_derive() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  o payments;
  n payments;
  tz text;
  o_declined int := 0;
  n_declined int := 0;
  o_captured boolean := false;
  n_captured boolean := false;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    o := OLD;
    o_declined := (o.status IN ('declined', 'failed'))::int;
    o_captured := o.status = 'captured';
  END IF;
  IF TG_OP <> 'DELETE' THEN
    n := NEW;
    n_declined := (n.status IN ('declined', 'failed'))::int;
    n_captured := n.status = 'captured';
  END IF;
  IF TG_OP = 'UPDATE' AND (n.merchant_id, n.created_at, n.status, n.terminal_id, n.currency, n.amount, n.amount_refunded,
        n.fee, n.captured_at, n.card_brand, n.issuer_bank, n.card_funding)
      IS NOT DISTINCT FROM (o.merchant_id, o.created_at, o.status, o.terminal_id, o.currency, o.amount, o.amount_refunded,
        o.fee, o.captured_at, o.card_brand, o.issuer_bank, o.card_funding) THEN
    RETURN NULL;
  END IF;
  SELECT m.time_zone INTO tz FROM merchants m WHERE m.id = coalesce(n.merchant_id, o.merchant_id);

  -- payments_daily / payments_monthly
  IF TG_OP = 'UPDATE' AND (n.merchant_id, n.created_at, n.status, n.terminal_id, n.currency)
      IS NOT DISTINCT FROM (o.merchant_id, o.created_at, o.status, o.terminal_id, o.currency) THEN
    IF (n.amount, n.amount_refunded) IS DISTINCT FROM (o.amount, o.amount_refunded) THEN
      PERFORM payments_status_add(n, tz, 0, n.amount - o.amount, n.amount_refunded - o.amount_refunded);
    END IF;
  ELSE
    IF TG_OP <> 'INSERT' THEN PERFORM payments_status_add(o, tz, -1, -o.amount, -o.amount_refunded); END IF;
    IF TG_OP <> 'DELETE' THEN PERFORM payments_status_add(n, tz, 1, n.amount, n.amount_refunded); END IF;
  END IF;

  -- sales_daily: the attempt (and decline) on the day of creation
  IF TG_OP = 'UPDATE' AND (n.merchant_id, n.created_at, n.terminal_id, n.card_brand, n.issuer_bank, n.card_funding, n.currency)
      IS NOT DISTINCT FROM (o.merchant_id, o.created_at, o.terminal_id, o.card_brand, o.issuer_bank, o.card_funding, o.currency) THEN
    IF n_declined <> o_declined THEN
      PERFORM sales_add(n, (n.created_at AT TIME ZONE tz)::date, 0, 0, 0, n_declined - o_declined, 0, 0, 0);
    END IF;
  ELSE
    IF TG_OP <> 'INSERT' THEN PERFORM sales_add(o, (o.created_at AT TIME ZONE tz)::date, -1, 0, 0, -o_declined, 0, 0, 0); END IF;
    IF TG_OP <> 'DELETE' THEN PERFORM sales_add(n, (n.created_at AT TIME ZONE tz)::date, 1, 0, 0, n_declined, 0, 0, 0); END IF;
  END IF;

  -- sales_daily: the capture on the day of capture
  IF o_captured AND n_captured AND (n.merchant_id, n.captured_at, n.terminal_id, n.card_brand, n.issuer_bank, n.card_funding, n.currency)
      IS NOT DISTINCT FROM (o.merchant_id, o.captured_at, o.terminal_id, o.card_brand, o.issuer_bank, o.card_funding, o.currency) THEN
    IF (n.amount, n.fee) IS DISTINCT FROM (o.amount, o.fee) THEN
      PERFORM sales_add(n, (coalesce(n.captured_at, n.created_at) AT TIME ZONE tz)::date, 0, 0, n.amount - o.amount, 0, n.fee - o.fee, 0, 0);
    END IF;
  ELSE
    IF o_captured THEN PERFORM sales_add(o, (coalesce(o.captured_at, o.created_at) AT TIME ZONE tz)::date, 0, -1, -o.amount, 0, -o.fee, 0, 0); END IF;
    IF n_captured THEN PERFORM sales_add(n, (coalesce(n.captured_at, n.created_at) AT TIME ZONE tz)::date, 0, 1, n.amount, 0, n.fee, 0, 0); END IF;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- A refund counts on its day of creation (the money is reserved then); a failed refund
-- takes it back on the day it failed (its updated_at), like its refund_failure posting.
CREATE OR REPLACE FUNCTION refunds_derive() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  o refunds;
  n refunds;
  p payments;
  tz text;
  o_failed boolean := false;
  n_failed boolean := false;
BEGIN
  IF TG_OP <> 'INSERT' THEN o := OLD; o_failed := o.status = 'failed'; END IF;
  IF TG_OP <> 'DELETE' THEN n := NEW; n_failed := n.status = 'failed'; END IF;
  IF TG_OP = 'UPDATE' AND (n.merchant_id, n.payment_id, n.created_at, n.amount) IS NOT DISTINCT FROM (o.merchant_id, o.payment_id, o.created_at, o.amount)
      AND n_failed = o_failed AND (NOT n_failed OR n.updated_at IS NOT DISTINCT FROM o.updated_at) THEN
    RETURN NULL;
  END IF;
  SELECT m.time_zone INTO tz FROM merchants m WHERE m.id = coalesce(n.merchant_id, o.merchant_id);
  IF TG_OP <> 'INSERT' THEN
    SELECT * INTO p FROM payments WHERE merchant_id = o.merchant_id AND id = o.payment_id;
    IF TG_OP = 'DELETE' OR (n.merchant_id, n.payment_id, n.created_at, n.amount) IS DISTINCT FROM (o.merchant_id, o.payment_id, o.created_at, o.amount) THEN
      PERFORM sales_add(p, (o.created_at AT TIME ZONE tz)::date, 0, 0, 0, 0, 0, -1, -o.amount);
      IF o_failed THEN PERFORM sales_add(p, (o.updated_at AT TIME ZONE tz)::date, 0, 0, 0, 0, 0, 1, o.amount); END IF;
      o_failed := false;
      IF TG_OP = 'UPDATE' THEN
        SELECT * INTO p FROM payments WHERE merchant_id = n.merchant_id AND id = n.payment_id;
        PERFORM sales_add(p, (n.created_at AT TIME ZONE tz)::date, 0, 0, 0, 0, 0, 1, n.amount);
      END IF;
    ELSIF o_failed THEN
      PERFORM sales_add(p, (o.updated_at AT TIME ZONE tz)::date, 0, 0, 0, 0, 0, 1, o.amount);
      o_failed := false;
    END IF;
    IF TG_OP = 'UPDATE' AND n_failed THEN PERFORM sales_add(p, (n.updated_at AT TIME ZONE tz)::date, 0, 0, 0, 0, 0, -1, -n.amount); END IF;
  ELSE
    SELECT * INTO p FROM payments WHERE merchant_id = n.merchant_id AND id = n.payment_id;
    PERFORM sales_add(p, (n.created_at AT TIME ZONE tz)::date, 0, 0, 0, 0, 0, 1, n.amount);
    IF n_failed THEN PERFORM sales_add(p, (n.updated_at AT TIME ZONE tz)::date, 0, 0, 0, 0, 0, -1, -n.amount); END IF;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER refunds_derive AFTER INSERT OR UPDATE OR DELETE ON refunds
  FOR EACH ROW EXECUTE FUNCTION refunds_derive();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION ledger_entries_derive() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ledger_balances_daily AS b (merchant_id, currency, account, day, slot, amount)
    SELECT merchant_id, currency, account, (available_on AT TIME ZONE 'UTC')::date, rollup_slot(), sum(amount)
    FROM new_rows GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (merchant_id, currency, account, day, slot) DO UPDATE SET amount = b.amount + excluded.amount;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- What sales_daily must hold, from the rows (payments, refunds) alone.
CREATE OR REPLACE VIEW sales_daily_from_rows AS
  SELECT merchant_id, day, terminal_id, card_brand, issuer_bank, card_funding, currency,
    sum(attempt_count)::bigint AS attempt_count, sum(captured_count)::bigint AS captured_count, sum(captured_amount)::bigint AS captured_amount,
    sum(declined_count)::bigint AS declined_count, sum(fee_amount)::bigint AS fee_amount, sum(refund_count)::bigint AS refund_count,
    sum(refunded_amount)::bigint AS refunded_amount
  FROM (
    SELECT p.merchant_id, (p.created_at AT TIME ZONE m.time_zone)::date AS day, p.terminal_id, p.card_brand, p.issuer_bank, p.card_funding, p.currency,
      1 AS attempt_count, 0 AS captured_count, 0::bigint AS captured_amount, (p.status IN ('declined', 'failed'))::int AS declined_count,
      0::bigint AS fee_amount, 0 AS refund_count, 0::bigint AS refunded_amount
    FROM payments p JOIN merchants m ON m.id = p.merchant_id
    UNION ALL
    SELECT p.merchant_id, (coalesce(p.captured_at, p.created_at) AT TIME ZONE m.time_zone)::date, p.terminal_id, p.card_brand, p.issuer_bank, p.card_funding, p.currency,
      0, 1, p.amount, 0, p.fee, 0, 0
    FROM payments p JOIN merchants m ON m.id = p.merchant_id WHERE p.status = 'captured'
    UNION ALL
    SELECT r.merchant_id, (r.created_at AT TIME ZONE m.time_zone)::date, p.terminal_id, p.card_brand, p.issuer_bank, p.card_funding, p.currency,
      0, 0, 0, 0, 0, 1, r.amount
    FROM refunds r JOIN payments p ON p.merchant_id = r.merchant_id AND p.id = r.payment_id JOIN merchants m ON m.id = r.merchant_id
    UNION ALL
    SELECT r.merchant_id, (r.updated_at AT TIME ZONE m.time_zone)::date, p.terminal_id, p.card_brand, p.issuer_bank, p.card_funding, p.currency,
      0, 0, 0, 0, 0, -1, -r.amount
    FROM refunds r JOIN payments p ON p.merchant_id = r.merchant_id AND p.id = r.payment_id JOIN merchants m ON m.id = r.merchant_id
    WHERE r.status = 'failed'
  ) x
  GROUP BY 1, 2, 3, 4, 5, 6, 7;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION rebuild_sales_daily(p_merchant text DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM sales_daily WHERE p_merchant IS NULL OR merchant_id = p_merchant;
  INSERT INTO sales_daily (merchant_id, day, terminal_id, card_brand, issuer_bank, card_funding, currency, attempt_count,
      captured_count, captured_amount, declined_count, fee_amount, refund_count, refunded_amount)
    SELECT * FROM sales_daily_from_rows WHERE p_merchant IS NULL OR merchant_id = p_merchant;
END;
$$;
--> statement-breakpoint
-- Every rollup rebuilt from the rows (sales_daily first: the others are summed from it).
CREATE OR REPLACE FUNCTION rebuild_rollups_from_rows(p_merchant text DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rebuild_sales_daily(p_merchant);
  PERFORM rebuild_all_derived_rollups(p_merchant);
END;
$$;
--> statement-breakpoint
-- Each rollup (its slots summed) against the same figures computed from the rows; the
-- differences, none when every trigger did its job. A key whose measures are all zero
-- counts as absent.
CREATE OR REPLACE FUNCTION rollup_discrepancies(p_merchant text DEFAULT NULL)
  RETURNS TABLE (rollup text, key text, stored text, from_rows text) LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN QUERY
  WITH sd AS (SELECT * FROM sales_daily_from_rows WHERE p_merchant IS NULL OR merchant_id = p_merchant),
  stored AS (
    SELECT 'sales_daily' AS r, concat_ws('|', merchant_id, day, terminal_id, card_brand, issuer_bank, card_funding, currency) AS k,
      array[sum(attempt_count), sum(captured_count), sum(captured_amount), sum(declined_count), sum(fee_amount), sum(refund_count), sum(refunded_amount)]::numeric[] AS v
      FROM sales_daily WHERE p_merchant IS NULL OR merchant_id = p_merchant GROUP BY merchant_id, day, terminal_id, card_brand, issuer_bank, card_funding, currency
    UNION ALL
    SELECT 'sales_daily_totals', concat_ws('|', merchant_id, currency, day),
      array[sum(attempt_count), sum(captured_count), sum(captured_amount), sum(declined_count), sum(fee_amount), sum(refund_count), sum(refunded_amount)]::numeric[]
      FROM sales_daily_totals WHERE p_merchant IS NULL OR merchant_id = p_merchant GROUP BY merchant_id, currency, day
    UNION ALL
    SELECT 'sales_monthly', concat_ws('|', merchant_id, month, terminal_id, card_brand, issuer_bank, card_funding, currency),
      array[sum(attempt_count), sum(captured_count), sum(captured_amount), sum(declined_count), sum(fee_amount), sum(refund_count), sum(refunded_amount)]::numeric[]
      FROM sales_monthly WHERE p_merchant IS NULL OR merchant_id = p_merchant GROUP BY merchant_id, month, terminal_id, card_brand, issuer_bank, card_funding, currency
    UNION ALL
    SELECT 'payments_daily', concat_ws('|', merchant_id, day, status, terminal_id, currency), array[sum(payment_count), sum(amount), sum(amount_refunded)]::numeric[]
      FROM payments_daily WHERE p_merchant IS NULL OR merchant_id = p_merchant GROUP BY merchant_id, day, status, terminal_id, currency
    UNION ALL
    SELECT 'payments_monthly', concat_ws('|', merchant_id, month, status, terminal_id, currency), array[sum(payment_count), sum(amount), sum(amount_refunded)]::numeric[]
      FROM payments_monthly WHERE p_merchant IS NULL OR merchant_id = p_merchant GROUP BY merchant_id, month, status, terminal_id, currency
    UNION ALL
    SELECT 'ledger_balances_daily', concat_ws('|', merchant_id, currency, account, day), array[sum(amount)]::numeric[]
      FROM ledger_balances_daily WHERE p_merchant IS NULL OR merchant_id = p_merchant GROUP BY merchant_id, currency, account, day
    UNION ALL
    SELECT 'payout_item_totals', concat_ws('|', merchant_id, payout_id, category), array[sum(item_count), sum(gross), sum(fee), sum(net)]::numeric[]
      FROM payout_item_totals WHERE p_merchant IS NULL OR merchant_id = p_merchant GROUP BY merchant_id, payout_id, category
  ),
  pd AS (
    SELECT p.merchant_id, (p.created_at AT TIME ZONE m.time_zone)::date AS day, p.status, p.terminal_id, p.currency,
      count(*) AS n, sum(p.amount) AS amount, sum(p.amount_refunded) AS refunded
    FROM payments p JOIN merchants m ON m.id = p.merchant_id WHERE p_merchant IS NULL OR p.merchant_id = p_merchant
    GROUP BY 1, 2, 3, 4, 5
  ),
  expected AS (
    SELECT 'sales_daily' AS r, concat_ws('|', merchant_id, day, terminal_id, card_brand, issuer_bank, card_funding, currency) AS k,
      array[attempt_count, captured_count, captured_amount, declined_count, fee_amount, refund_count, refunded_amount]::numeric[] AS v
      FROM sd
    UNION ALL
    SELECT 'sales_daily_totals', concat_ws('|', merchant_id, currency, day),
      array[sum(attempt_count), sum(captured_count), sum(captured_amount), sum(declined_count), sum(fee_amount), sum(refund_count), sum(refunded_amount)]::numeric[]
      FROM sd GROUP BY merchant_id, currency, day
    UNION ALL
    SELECT 'sales_monthly', concat_ws('|', merchant_id, date_trunc('month', day)::date, terminal_id, card_brand, issuer_bank, card_funding, currency),
      array[sum(attempt_count), sum(captured_count), sum(captured_amount), sum(declined_count), sum(fee_amount), sum(refund_count), sum(refunded_amount)]::numeric[]
      FROM sd GROUP BY merchant_id, date_trunc('month', day)::date, terminal_id, card_brand, issuer_bank, card_funding, currency
    UNION ALL
    SELECT 'payments_daily', concat_ws('|', merchant_id, day, status, terminal_id, currency), array[n, amount, refunded]::numeric[] FROM pd
    UNION ALL
    SELECT 'payments_monthly', concat_ws('|', merchant_id, date_trunc('month', day)::date, status, terminal_id, currency), array[sum(n), sum(amount), sum(refunded)]::numeric[]
      FROM pd GROUP BY merchant_id, date_trunc('month', day)::date, status, terminal_id, currency
    UNION ALL
    SELECT 'ledger_balances_daily', concat_ws('|', merchant_id, currency, account, (available_on AT TIME ZONE 'UTC')::date), array[sum(amount)]::numeric[]
      FROM ledger_entries WHERE p_merchant IS NULL OR merchant_id = p_merchant GROUP BY merchant_id, currency, account, (available_on AT TIME ZONE 'UTC')::date
    UNION ALL
    SELECT 'payout_item_totals', concat_ws('|', i.merchant_id, i.payout_id, lt.category), array[count(*), sum(lt.gross), sum(lt.fee), sum(lt.net)]::numeric[]
      FROM payout_items i JOIN ledger_transactions lt ON lt.merchant_id = i.merchant_id AND lt.id = i.ledger_transaction_id
      WHERE p_merchant IS NULL OR i.merchant_id = p_merchant GROUP BY i.merchant_id, i.payout_id, lt.category
  )
  SELECT coalesce(s.r, e.r), coalesce(s.k, e.k), s.v::text, e.v::text
  FROM stored s FULL JOIN expected e ON e.r = s.r AND e.k = s.k
  WHERE coalesce(s.v, array_fill(0::numeric, array[cardinality(e.v)])) IS DISTINCT FROM coalesce(e.v, array_fill(0::numeric, array[cardinality(s.v)]))
  ORDER BY 1, 2;
END;
$$;
