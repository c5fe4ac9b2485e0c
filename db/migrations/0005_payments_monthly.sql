CREATE TABLE "payments_monthly" (
	"merchant_id" text NOT NULL,
	"month" date NOT NULL,
	"status" "payment_status" NOT NULL,
	"terminal_id" text NOT NULL,
	"currency" char(3) NOT NULL,
	"payment_count" bigint DEFAULT 0 NOT NULL,
	"amount" bigint DEFAULT 0 NOT NULL,
	"amount_refunded" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "payments_monthly_merchant_id_month_status_terminal_id_currency_pk" PRIMARY KEY("merchant_id","month","status","terminal_id","currency")
);
--> statement-breakpoint
-- payments_daily's rows by month, kept by the same trigger function in the same transaction.
CREATE OR REPLACE FUNCTION payments_rollup_add(r payments, k int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  local_day date;
BEGIN
  SELECT (r.created_at AT TIME ZONE m.time_zone)::date INTO local_day FROM merchants m WHERE m.id = r.merchant_id;
  INSERT INTO payments_daily AS d (merchant_id, day, status, terminal_id, currency, payment_count, amount, amount_refunded)
    VALUES (r.merchant_id, local_day, r.status, r.terminal_id, r.currency, k, k * r.amount, k * r.amount_refunded)
    ON CONFLICT (merchant_id, day, status, terminal_id, currency) DO UPDATE SET
      payment_count = d.payment_count + excluded.payment_count, amount = d.amount + excluded.amount,
      amount_refunded = d.amount_refunded + excluded.amount_refunded;
  INSERT INTO payments_monthly AS d (merchant_id, month, status, terminal_id, currency, payment_count, amount, amount_refunded)
    VALUES (r.merchant_id, date_trunc('month', local_day)::date, r.status, r.terminal_id, r.currency, k, k * r.amount, k * r.amount_refunded)
    ON CONFLICT (merchant_id, month, status, terminal_id, currency) DO UPDATE SET
      payment_count = d.payment_count + excluded.payment_count, amount = d.amount + excluded.amount,
      amount_refunded = d.amount_refunded + excluded.amount_refunded;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION rebuild_payments_monthly(p_merchant text DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM payments_monthly WHERE p_merchant IS NULL OR merchant_id = p_merchant;
  INSERT INTO payments_monthly (merchant_id, month, status, terminal_id, currency, payment_count, amount, amount_refunded)
    SELECT merchant_id, date_trunc('month', day)::date, status, terminal_id, currency, sum(payment_count), sum(amount), sum(amount_refunded)
    FROM payments_daily WHERE p_merchant IS NULL OR merchant_id = p_merchant GROUP BY 1, 2, 3, 4, 5;
END;
$$;
--> statement-breakpoint
-- The rebuild covers the new rollup too (after payments_daily, which it is summed from).
CREATE OR REPLACE FUNCTION rebuild_all_derived_rollups(p_merchant text DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rebuild_derived_rollups(p_merchant);
  PERFORM rebuild_payments_monthly(p_merchant);
END;
$$;
--> statement-breakpoint
SELECT rebuild_payments_monthly();
