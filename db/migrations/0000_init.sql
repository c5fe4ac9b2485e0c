CREATE TYPE "public"."audit_outcome" AS ENUM('success', 'failure', 'denied');--> statement-breakpoint
CREATE TYPE "public"."bank_account_kind" AS ENUM('sheba', 'iban', 'aba');--> statement-breakpoint
CREATE TYPE "public"."card_brand" AS ENUM('visa', 'mastercard', 'amex', 'discover', 'unionpay', 'shetab', 'unknown');--> statement-breakpoint
CREATE TYPE "public"."card_funding" AS ENUM('credit', 'debit', 'prepaid', 'unknown');--> statement-breakpoint
CREATE TYPE "public"."idempotency_state" AS ENUM('in_progress', 'completed');--> statement-breakpoint
CREATE TYPE "public"."ledger_account" AS ENUM('card_network', 'merchant_balance', 'merchant_in_transit', 'bank_paid_out', 'platform_fees', 'adjustments');--> statement-breakpoint
CREATE TYPE "public"."ledger_category" AS ENUM('charge', 'refund', 'refund_failure', 'fee', 'payout', 'payout_failure', 'adjustment', 'payout_paid');--> statement-breakpoint
CREATE TYPE "public"."membership_status" AS ENUM('invited', 'active', 'disabled');--> statement-breakpoint
CREATE TYPE "public"."merchant_status" AS ENUM('pending', 'active', 'suspended');--> statement-breakpoint
CREATE TYPE "public"."payment_status" AS ENUM('pending', 'authorized', 'captured', 'declined', 'voided', 'failed');--> statement-breakpoint
CREATE TYPE "public"."payout_status" AS ENUM('pending', 'in_transit', 'paid', 'failed', 'canceled');--> statement-breakpoint
CREATE TYPE "public"."refund_reason" AS ENUM('requested_by_customer', 'duplicate', 'fraudulent', 'other');--> statement-breakpoint
CREATE TYPE "public"."refund_status" AS ENUM('pending', 'succeeded', 'failed', 'canceled');--> statement-breakpoint
CREATE TYPE "public"."role" AS ENUM('owner', 'admin', 'support', 'accountant', 'viewer');--> statement-breakpoint
CREATE TYPE "public"."terminal_kind" AS ENUM('virtual', 'api');--> statement-breakpoint
CREATE TYPE "public"."terminal_status" AS ENUM('active', 'inactive');--> statement-breakpoint
CREATE TABLE "holidays" (
	"calendar" text NOT NULL,
	"day" date NOT NULL,
	"name" text NOT NULL,
	"name_fa" text,
	CONSTRAINT "holidays_calendar_day_pk" PRIMARY KEY("calendar","day")
);
--> statement-breakpoint
CREATE TABLE "merchant_bank_accounts" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"kind" "bank_account_kind" NOT NULL,
	"account_number" text NOT NULL,
	"routing_number" text,
	"holder_name" text NOT NULL,
	"bank_code" text,
	"bank_name" text,
	"currency" char(3) NOT NULL,
	"verified" boolean DEFAULT false NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_by_user_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deactivated_at" timestamp with time zone,
	CONSTRAINT "merchant_bank_accounts_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "merchant_bank_accounts_currency_iso" CHECK ("merchant_bank_accounts"."currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
CREATE TABLE "merchant_holidays" (
	"merchant_id" text NOT NULL,
	"day" date NOT NULL,
	"name" text NOT NULL,
	"closed" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "merchant_holidays_merchant_id_day_pk" PRIMARY KEY("merchant_id","day")
);
--> statement-breakpoint
CREATE TABLE "merchants" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"legal_name" text,
	"status" "merchant_status" DEFAULT 'pending' NOT NULL,
	"country" text DEFAULT 'US' NOT NULL,
	"time_zone" text NOT NULL,
	"currency" char(3) NOT NULL,
	"default_locale" text DEFAULT 'en' NOT NULL,
	"contact_email" text,
	"contact_phone" text,
	"business_type" text,
	"website" text,
	"processor_id" text,
	"settlement_cutoff" time DEFAULT '00:00' NOT NULL,
	"settlement_delay_days" smallint DEFAULT 1 NOT NULL,
	"weekend_days" smallint[] DEFAULT '{0,6}'::smallint[] NOT NULL,
	"holiday_calendar" text DEFAULT 'US' NOT NULL,
	"minimum_payout" bigint DEFAULT 0 NOT NULL,
	"fee_bps" integer DEFAULT 0 NOT NULL,
	"fee_fixed" bigint DEFAULT 0 NOT NULL,
	"support_refund_limit" bigint DEFAULT 0 NOT NULL,
	"require_2fa" boolean DEFAULT false NOT NULL,
	"activated_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "merchants_currency_iso" CHECK ("merchants"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "merchants_country_iso" CHECK ("merchants"."country" ~ '^[A-Z]{2}$'),
	CONSTRAINT "merchants_delay_range" CHECK ("merchants"."settlement_delay_days" between 0 and 30),
	CONSTRAINT "merchants_minimum_payout_nonneg" CHECK ("merchants"."minimum_payout" >= 0),
	CONSTRAINT "merchants_fee_nonneg" CHECK ("merchants"."fee_bps" >= 0 and "merchants"."fee_fixed" >= 0),
	CONSTRAINT "merchants_support_limit_nonneg" CHECK ("merchants"."support_refund_limit" >= 0)
);
--> statement-breakpoint
CREATE TABLE "processors" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invitations" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"email" text NOT NULL,
	"role" "role" NOT NULL,
	"token_hash" text NOT NULL,
	"invited_by_user_id" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"accepted_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "invitations_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "memberships" (
	"merchant_id" text NOT NULL,
	"user_id" text NOT NULL,
	"role" "role" NOT NULL,
	"status" "membership_status" DEFAULT 'active' NOT NULL,
	"invited_by_user_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "memberships_merchant_id_user_id_pk" PRIMARY KEY("merchant_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "outbound_emails" (
	"id" text PRIMARY KEY NOT NULL,
	"to" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "recovery_codes" (
	"user_id" text NOT NULL,
	"id" text NOT NULL,
	"code_hash" text NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "recovery_codes_user_id_id_pk" PRIMARY KEY("user_id","id")
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"merchant_id" text,
	"csrf_token" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"verified_at" timestamp with time zone,
	"pending_second_factor" boolean DEFAULT false NOT NULL,
	"revoked_at" timestamp with time zone,
	"ip" text,
	"user_agent" text
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"password_hash" text,
	"locale" text,
	"digits" text,
	"irr_display" text,
	"totp_secret" text,
	"totp_enabled_at" timestamp with time zone,
	"totp_last_step" bigint,
	"failed_login_count" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"last_login_at" timestamp with time zone,
	"password_changed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"key_hash" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"terminal_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "terminals" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"location" text,
	"kind" "terminal_kind" NOT NULL,
	"status" "terminal_status" DEFAULT 'active' NOT NULL,
	"api_key_prefix" text,
	"api_key_last4" text,
	"api_key_created_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deactivated_at" timestamp with time zone,
	CONSTRAINT "terminals_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"terminal_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"status" "payment_status" NOT NULL,
	"amount_refunded" bigint DEFAULT 0 NOT NULL,
	"fee" bigint DEFAULT 0 NOT NULL,
	"card_token" text,
	"card_brand" "card_brand" DEFAULT 'unknown' NOT NULL,
	"card_funding" "card_funding" DEFAULT 'unknown' NOT NULL,
	"card_bin" text,
	"card_last4" text,
	"card_exp_month" smallint,
	"card_exp_year" smallint,
	"issuer_bank" text DEFAULT '' NOT NULL,
	"processor_id" text DEFAULT 'sandbox' NOT NULL,
	"provider_reference" text,
	"decline_code" text,
	"failure_message" text,
	"description" text,
	"customer_reference" text,
	"idempotency_key" text,
	"created_by_user_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"authorized_at" timestamp with time zone,
	"captured_at" timestamp with time zone,
	"voided_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payments_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "payments_amount_positive" CHECK ("payments"."amount" > 0),
	CONSTRAINT "payments_refunded_range" CHECK ("payments"."amount_refunded" >= 0 and "payments"."amount_refunded" <= "payments"."amount"),
	CONSTRAINT "payments_fee_nonneg" CHECK ("payments"."fee" >= 0),
	CONSTRAINT "payments_currency_iso" CHECK ("payments"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "payments_bin_format" CHECK ("payments"."card_bin" is null or "payments"."card_bin" ~ '^[0-9]{6}$'),
	CONSTRAINT "payments_last4_format" CHECK ("payments"."card_last4" is null or "payments"."card_last4" ~ '^[0-9]{4}$')
);
--> statement-breakpoint
CREATE TABLE "refunds" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"payment_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"reason" "refund_reason" DEFAULT 'requested_by_customer' NOT NULL,
	"note" text,
	"status" "refund_status" NOT NULL,
	"provider_reference" text,
	"failure_code" text,
	"idempotency_key" text,
	"created_by_user_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "refunds_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "refunds_amount_positive" CHECK ("refunds"."amount" > 0),
	CONSTRAINT "refunds_currency_iso" CHECK ("refunds"."currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"merchant_id" text NOT NULL,
	"transaction_id" text NOT NULL,
	"line" integer NOT NULL,
	"account" "ledger_account" NOT NULL,
	"currency" char(3) NOT NULL,
	"amount" bigint NOT NULL,
	"available_on" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_entries_merchant_id_transaction_id_line_pk" PRIMARY KEY("merchant_id","transaction_id","line"),
	CONSTRAINT "ledger_entries_nonzero" CHECK ("ledger_entries"."amount" <> 0),
	CONSTRAINT "ledger_entries_currency_iso" CHECK ("ledger_entries"."currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
CREATE TABLE "ledger_transactions" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"category" "ledger_category" NOT NULL,
	"currency" char(3) NOT NULL,
	"gross" bigint NOT NULL,
	"fee" bigint NOT NULL,
	"net" bigint NOT NULL,
	"source_type" text NOT NULL,
	"source_id" text NOT NULL,
	"payout_id" text,
	"description" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"available_on" timestamp with time zone NOT NULL,
	CONSTRAINT "ledger_transactions_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "ledger_transactions_net" CHECK ("ledger_transactions"."net" = "ledger_transactions"."gross" - "ledger_transactions"."fee"),
	CONSTRAINT "ledger_transactions_currency_iso" CHECK ("ledger_transactions"."currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
CREATE TABLE "payout_items" (
	"merchant_id" text NOT NULL,
	"ledger_transaction_id" text NOT NULL,
	"payout_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payout_items_merchant_id_ledger_transaction_id_pk" PRIMARY KEY("merchant_id","ledger_transaction_id")
);
--> statement-breakpoint
CREATE TABLE "payouts" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"status" "payout_status" DEFAULT 'pending' NOT NULL,
	"bank_account_id" text,
	"bank_account_mask" text,
	"bank_name" text,
	"cutoff_at" timestamp with time zone NOT NULL,
	"expected_arrival_date" date NOT NULL,
	"item_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"paid_at" timestamp with time zone,
	"failed_at" timestamp with time zone,
	"canceled_at" timestamp with time zone,
	"failure_code" text,
	"failure_message" text,
	"trace_number" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payouts_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "payouts_amount_positive" CHECK ("payouts"."amount" > 0),
	CONSTRAINT "payouts_currency_iso" CHECK ("payouts"."currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
CREATE TABLE "sales_daily" (
	"merchant_id" text NOT NULL,
	"day" date NOT NULL,
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
	CONSTRAINT "sales_daily_merchant_id_day_terminal_id_card_brand_issuer_bank_card_funding_currency_pk" PRIMARY KEY("merchant_id","day","terminal_id","card_brand","issuer_bank","card_funding","currency")
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"merchant_id" text,
	"actor_user_id" text,
	"actor_email" text,
	"action" text NOT NULL,
	"outcome" "audit_outcome" NOT NULL,
	"target_type" text,
	"target_id" text,
	"ip" text,
	"user_agent" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"merchant_id" text NOT NULL,
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"method" text NOT NULL,
	"path" text NOT NULL,
	"state" "idempotency_state" DEFAULT 'in_progress' NOT NULL,
	"response_status" integer,
	"response_body" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "idempotency_keys_merchant_id_scope_key_pk" PRIMARY KEY("merchant_id","scope","key")
);
--> statement-breakpoint
CREATE TABLE "system_state" (
	"key" text NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "system_state_key_pk" PRIMARY KEY("key")
);
--> statement-breakpoint
CREATE TABLE "sandbox_authorizations" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_reference" text NOT NULL,
	"account_id" text NOT NULL,
	"card_token" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"status" text NOT NULL,
	"decline_code" text,
	"captured_amount" bigint DEFAULT 0 NOT NULL,
	"refunded_amount" bigint DEFAULT 0 NOT NULL,
	"visible_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sandbox_authorizations_amount_positive" CHECK ("sandbox_authorizations"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "sandbox_bank_transfers" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_reference" text NOT NULL,
	"account_number" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"status" text NOT NULL,
	"failure_code" text,
	"trace_number" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"settled_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sandbox_cards" (
	"token" text PRIMARY KEY NOT NULL,
	"pan_ciphertext" "bytea" NOT NULL,
	"pan_iv" "bytea" NOT NULL,
	"pan_tag" "bytea" NOT NULL,
	"key_id" text NOT NULL,
	"bin" text NOT NULL,
	"last4" text NOT NULL,
	"brand" text NOT NULL,
	"funding" text NOT NULL,
	"exp_month" smallint NOT NULL,
	"exp_year" smallint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox_refunds" (
	"id" text PRIMARY KEY NOT NULL,
	"authorization_id" text NOT NULL,
	"merchant_reference" text NOT NULL,
	"account_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"status" text NOT NULL,
	"failure_code" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "merchant_bank_accounts" ADD CONSTRAINT "merchant_bank_accounts_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "merchant_holidays" ADD CONSTRAINT "merchant_holidays_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "merchants" ADD CONSTRAINT "merchants_processor_id_processors_id_fk" FOREIGN KEY ("processor_id") REFERENCES "public"."processors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recovery_codes" ADD CONSTRAINT "recovery_codes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terminals" ADD CONSTRAINT "terminals_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_merchant_id_terminal_id_terminals_merchant_id_id_fk" FOREIGN KEY ("merchant_id","terminal_id") REFERENCES "public"."terminals"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_merchant_id_payment_id_payments_merchant_id_id_fk" FOREIGN KEY ("merchant_id","payment_id") REFERENCES "public"."payments"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_merchant_id_transaction_id_ledger_transactions_merchant_id_id_fk" FOREIGN KEY ("merchant_id","transaction_id") REFERENCES "public"."ledger_transactions"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_transactions" ADD CONSTRAINT "ledger_transactions_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_items" ADD CONSTRAINT "payout_items_merchant_id_ledger_transaction_id_ledger_transactions_merchant_id_id_fk" FOREIGN KEY ("merchant_id","ledger_transaction_id") REFERENCES "public"."ledger_transactions"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_items" ADD CONSTRAINT "payout_items_merchant_id_payout_id_payouts_merchant_id_id_fk" FOREIGN KEY ("merchant_id","payout_id") REFERENCES "public"."payouts"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payouts" ADD CONSTRAINT "payouts_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "merchant_bank_accounts_one_active" ON "merchant_bank_accounts" USING btree ("merchant_id","currency") WHERE "merchant_bank_accounts"."active";--> statement-breakpoint
CREATE INDEX "merchant_holidays_day" ON "merchant_holidays" USING btree ("merchant_id","day");--> statement-breakpoint
CREATE UNIQUE INDEX "invitations_token" ON "invitations" USING btree ("merchant_id","token_hash");--> statement-breakpoint
CREATE INDEX "memberships_user" ON "memberships" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sessions_user" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_lower" ON "users" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "api_keys_terminal" ON "api_keys" USING btree ("merchant_id","terminal_id");--> statement-breakpoint
CREATE INDEX "terminals_status" ON "terminals" USING btree ("merchant_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_idempotency" ON "payments" USING btree ("merchant_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "payments_created" ON "payments" USING btree ("merchant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "payments_status_created" ON "payments" USING btree ("merchant_id","status","created_at","id");--> statement-breakpoint
CREATE INDEX "payments_terminal_created" ON "payments" USING btree ("merchant_id","terminal_id","created_at","id");--> statement-breakpoint
CREATE INDEX "payments_last4" ON "payments" USING btree ("merchant_id","card_last4","created_at");--> statement-breakpoint
CREATE INDEX "payments_provider_ref" ON "payments" USING btree ("merchant_id","provider_reference");--> statement-breakpoint
CREATE INDEX "payments_customer_ref" ON "payments" USING btree ("merchant_id","customer_reference");--> statement-breakpoint
CREATE INDEX "payments_amount" ON "payments" USING btree ("merchant_id","amount");--> statement-breakpoint
CREATE INDEX "payments_pending" ON "payments" USING btree ("merchant_id","created_at") WHERE "payments"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "refunds_idempotency" ON "refunds" USING btree ("merchant_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "refunds_payment" ON "refunds" USING btree ("merchant_id","payment_id");--> statement-breakpoint
CREATE INDEX "refunds_created" ON "refunds" USING btree ("merchant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "ledger_entries_account" ON "ledger_entries" USING btree ("merchant_id","account","currency","available_on");--> statement-breakpoint
CREATE INDEX "ledger_transactions_created" ON "ledger_transactions" USING btree ("merchant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "ledger_transactions_available" ON "ledger_transactions" USING btree ("merchant_id","currency","available_on");--> statement-breakpoint
CREATE INDEX "ledger_transactions_source" ON "ledger_transactions" USING btree ("merchant_id","source_id");--> statement-breakpoint
CREATE INDEX "payout_items_payout" ON "payout_items" USING btree ("merchant_id","payout_id","ledger_transaction_id");--> statement-breakpoint
CREATE INDEX "payouts_cutoff" ON "payouts" USING btree ("merchant_id","currency","cutoff_at");--> statement-breakpoint
CREATE INDEX "payouts_created" ON "payouts" USING btree ("merchant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "payouts_arrival" ON "payouts" USING btree ("merchant_id","expected_arrival_date","id");--> statement-breakpoint
CREATE INDEX "payouts_status" ON "payouts" USING btree ("merchant_id","status");--> statement-breakpoint
CREATE INDEX "audit_events_merchant" ON "audit_events" USING btree ("merchant_id","created_at");--> statement-breakpoint
CREATE INDEX "audit_events_actor" ON "audit_events" USING btree ("actor_user_id","created_at");--> statement-breakpoint
CREATE INDEX "idempotency_keys_created" ON "idempotency_keys" USING btree ("merchant_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "sandbox_authorizations_ref" ON "sandbox_authorizations" USING btree ("account_id","merchant_reference");--> statement-breakpoint
CREATE UNIQUE INDEX "sandbox_bank_transfers_ref" ON "sandbox_bank_transfers" USING btree ("merchant_reference");--> statement-breakpoint
CREATE INDEX "sandbox_bank_transfers_created" ON "sandbox_bank_transfers" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "sandbox_refunds_ref" ON "sandbox_refunds" USING btree ("account_id","merchant_reference");