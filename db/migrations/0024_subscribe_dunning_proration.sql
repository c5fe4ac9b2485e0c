CREATE TABLE "card_updates" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"subscription_id" text NOT NULL,
	"invoice_id" text,
	"payment_id" text,
	"payment_method_id" text,
	"mandate_text" text NOT NULL,
	"mandate_locale" text NOT NULL,
	"mandate_accepted_at" timestamp with time zone NOT NULL,
	"client_ip" text,
	"status" text DEFAULT 'paying' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "card_updates_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "card_updates_status" CHECK ("card_updates"."status" in ('paying', 'completed', 'declined'))
);
--> statement-breakpoint
CREATE TABLE "subscribe_checkouts" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"plan_id" text NOT NULL,
	"customer_name" text NOT NULL,
	"customer_email" text,
	"customer_phone" text,
	"mandate_text" text NOT NULL,
	"mandate_locale" text NOT NULL,
	"mandate_accepted_at" timestamp with time zone NOT NULL,
	"client_ip" text,
	"locale" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"payment_id" text,
	"customer_id" text,
	"subscription_id" text,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "subscribe_checkouts_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "subscribe_checkouts_status" CHECK ("subscribe_checkouts"."status" in ('open', 'paying', 'completed', 'declined'))
);
--> statement-breakpoint
CREATE TABLE "subscription_plan_changes" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"subscription_id" text NOT NULL,
	"from_plan_id" text NOT NULL,
	"to_plan_id" text NOT NULL,
	"from_quantity" integer NOT NULL,
	"to_quantity" integer NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"seconds_left" integer NOT NULL,
	"period_seconds" integer NOT NULL,
	"proration" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"invoice_id" text,
	"idempotency_key" text,
	"created_by_user_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "subscription_plan_changes_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
ALTER TABLE "invoices" DROP CONSTRAINT "invoices_amount_positive";--> statement-breakpoint
ALTER TABLE "invoices" DROP CONSTRAINT "invoices_paid_has_payment";--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "kind" text DEFAULT 'period' NOT NULL;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "credit_applied" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "customer_attempts" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "credit_balance" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "card_updates" ADD CONSTRAINT "card_updates_merchant_id_subscription_id_subscriptions_merchant_id_id_fk" FOREIGN KEY ("merchant_id","subscription_id") REFERENCES "public"."subscriptions"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscribe_checkouts" ADD CONSTRAINT "subscribe_checkouts_merchant_id_plan_id_plans_merchant_id_id_fk" FOREIGN KEY ("merchant_id","plan_id") REFERENCES "public"."plans"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscription_plan_changes" ADD CONSTRAINT "subscription_plan_changes_merchant_id_subscription_id_subscriptions_merchant_id_id_fk" FOREIGN KEY ("merchant_id","subscription_id") REFERENCES "public"."subscriptions"("merchant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "card_updates_subscription" ON "card_updates" USING btree ("merchant_id","subscription_id","created_at");--> statement-breakpoint
CREATE INDEX "subscribe_checkouts_ip" ON "subscribe_checkouts" USING btree ("merchant_id","client_ip","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "subscription_plan_changes_idempotency" ON "subscription_plan_changes" USING btree ("merchant_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "subscription_plan_changes_subscription" ON "subscription_plan_changes" USING btree ("merchant_id","subscription_id","changed_at");--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_credit_applied" CHECK ("invoices"."credit_applied" >= 0);--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_kind" CHECK ("invoices"."kind" in ('period', 'proration'));--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_amount_positive" CHECK ("invoices"."amount" > 0 or ("invoices"."amount" = 0 and "invoices"."credit_applied" > 0));--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_paid_has_payment" CHECK ("invoices"."status" <> 'paid' or "invoices"."payment_id" is not null or "invoices"."amount" = 0);--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_credit_balance" CHECK ("subscriptions"."credit_balance" >= 0);