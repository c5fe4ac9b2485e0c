CREATE TYPE "public"."invoice_status" AS ENUM('draft', 'open', 'paid', 'uncollectible', 'void');--> statement-breakpoint
CREATE TYPE "public"."subscription_status" AS ENUM('scheduled', 'trialing', 'active', 'past_due', 'paused', 'canceled', 'unpaid');--> statement-breakpoint
CREATE TABLE "customers" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"email" text,
	"phone" text,
	"reference" text,
	"notes" text,
	"source" text DEFAULT 'console' NOT NULL,
	"idempotency_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customers_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "customers_source" CHECK ("customers"."source" in ('console', 'api', 'hosted_page'))
);
--> statement-breakpoint
CREATE TABLE "invoices" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"subscription_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"period_index" integer NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"status" "invoice_status" NOT NULL,
	"amount" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"attempt_count" smallint DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"first_failed_at" timestamp with time zone,
	"payment_id" text,
	"paid_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "invoices_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "invoices_amount_positive" CHECK ("invoices"."amount" > 0),
	CONSTRAINT "invoices_paid_has_payment" CHECK ("invoices"."status" <> 'paid' or "invoices"."payment_id" is not null)
);
--> statement-breakpoint
CREATE TABLE "payment_methods" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"customer_id" text NOT NULL,
	"processor_id" text DEFAULT 'sandbox' NOT NULL,
	"card_token" text NOT NULL,
	"card_brand" text NOT NULL,
	"card_last4" text NOT NULL,
	"card_exp_month" smallint NOT NULL,
	"card_exp_year" smallint NOT NULL,
	"mandate_text" text NOT NULL,
	"mandate_locale" text NOT NULL,
	"mandate_accepted_at" timestamp with time zone NOT NULL,
	"mandate_ip" text,
	"status" text DEFAULT 'active' NOT NULL,
	"removed_at" timestamp with time zone,
	"removed_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payment_methods_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "payment_methods_status" CHECK ("payment_methods"."status" in ('active', 'removed')),
	CONSTRAINT "payment_methods_last4" CHECK ("payment_methods"."card_last4" ~ '^[0-9]{4}$')
);
--> statement-breakpoint
CREATE TABLE "plans" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"interval" text NOT NULL,
	"interval_count" smallint DEFAULT 1 NOT NULL,
	"calendar" text NOT NULL,
	"trial_days" smallint DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"idempotency_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "plans_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "plans_amount_positive" CHECK ("plans"."amount" > 0),
	CONSTRAINT "plans_currency_iso" CHECK ("plans"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "plans_interval" CHECK ("plans"."interval" in ('week', 'month', 'year')),
	CONSTRAINT "plans_interval_count" CHECK ("plans"."interval_count" between 1 and 104),
	CONSTRAINT "plans_calendar" CHECK ("plans"."calendar" in ('persian', 'gregory')),
	CONSTRAINT "plans_trial_days" CHECK ("plans"."trial_days" between 0 and 730)
);
--> statement-breakpoint
CREATE TABLE "subscriptions" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"customer_id" text NOT NULL,
	"plan_id" text NOT NULL,
	"payment_method_id" text,
	"status" "subscription_status" NOT NULL,
	"quantity" integer DEFAULT 1 NOT NULL,
	"anchor_at" timestamp with time zone NOT NULL,
	"calendar" text NOT NULL,
	"time_zone" text NOT NULL,
	"interval" text NOT NULL,
	"interval_count" smallint NOT NULL,
	"start_at" timestamp with time zone NOT NULL,
	"trial_end_at" timestamp with time zone,
	"current_period_index" integer,
	"current_period_start" timestamp with time zone,
	"current_period_end" timestamp with time zone,
	"next_renewal_at" timestamp with time zone,
	"cancel_at_period_end" boolean DEFAULT false NOT NULL,
	"canceled_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"paused_at" timestamp with time zone,
	"idempotency_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "subscriptions_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "subscriptions_quantity" CHECK ("subscriptions"."quantity" between 1 and 10000)
);
--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "dunning_retry_days" smallint[] DEFAULT '{1,3,5,7}'::smallint[] NOT NULL;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "dunning_final_state" text DEFAULT 'canceled' NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "customer_id" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "invoice_id" text;--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_merchant_id_subscription_id_subscriptions_merchant_id_id_fk" FOREIGN KEY ("merchant_id","subscription_id") REFERENCES "public"."subscriptions"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_methods" ADD CONSTRAINT "payment_methods_merchant_id_customer_id_customers_merchant_id_id_fk" FOREIGN KEY ("merchant_id","customer_id") REFERENCES "public"."customers"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plans" ADD CONSTRAINT "plans_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_merchant_id_customer_id_customers_merchant_id_id_fk" FOREIGN KEY ("merchant_id","customer_id") REFERENCES "public"."customers"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_merchant_id_plan_id_plans_merchant_id_id_fk" FOREIGN KEY ("merchant_id","plan_id") REFERENCES "public"."plans"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_merchant_id_payment_method_id_payment_methods_merchant_id_id_fk" FOREIGN KEY ("merchant_id","payment_method_id") REFERENCES "public"."payment_methods"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "customers_idempotency" ON "customers" USING btree ("merchant_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "customers_created" ON "customers" USING btree ("merchant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "customers_name_lower" ON "customers" USING btree ("merchant_id",lower("name") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "customers_email_lower" ON "customers" USING btree ("merchant_id",lower("email") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "customers_reference" ON "customers" USING btree ("merchant_id","reference");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_one_per_period" ON "invoices" USING btree ("merchant_id","subscription_id","period_start");--> statement-breakpoint
CREATE INDEX "invoices_subscription" ON "invoices" USING btree ("merchant_id","subscription_id","period_index");--> statement-breakpoint
CREATE INDEX "invoices_created" ON "invoices" USING btree ("merchant_id","created_at");--> statement-breakpoint
CREATE INDEX "invoices_attempt_due" ON "invoices" USING btree ("next_attempt_at") WHERE "invoices"."status" = 'open' and "invoices"."next_attempt_at" is not null;--> statement-breakpoint
CREATE INDEX "invoices_in_flight" ON "invoices" USING btree ("merchant_id") WHERE "invoices"."status" = 'open' and "invoices"."next_attempt_at" is null;--> statement-breakpoint
CREATE INDEX "payment_methods_customer" ON "payment_methods" USING btree ("merchant_id","customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "plans_idempotency" ON "plans" USING btree ("merchant_id","idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "subscriptions_idempotency" ON "subscriptions" USING btree ("merchant_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "subscriptions_customer" ON "subscriptions" USING btree ("merchant_id","customer_id");--> statement-breakpoint
CREATE INDEX "subscriptions_status_created" ON "subscriptions" USING btree ("merchant_id","status","created_at");--> statement-breakpoint
CREATE INDEX "subscriptions_due" ON "subscriptions" USING btree ("next_renewal_at") WHERE "subscriptions"."next_renewal_at" is not null;--> statement-breakpoint
CREATE INDEX "payments_customer" ON "payments" USING btree ("merchant_id","customer_id","created_at") WHERE "payments"."customer_id" is not null;--> statement-breakpoint
CREATE INDEX "payments_invoice" ON "payments" USING btree ("merchant_id","invoice_id") WHERE "payments"."invoice_id" is not null;--> statement-breakpoint
ALTER TABLE "merchants" ADD CONSTRAINT "merchants_dunning_final_state" CHECK ("merchants"."dunning_final_state" in ('canceled', 'unpaid'));