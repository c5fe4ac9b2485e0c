CREATE TYPE "public"."checkout_status" AS ENUM('open', 'paying', 'completed', 'abandoned');--> statement-breakpoint
CREATE TYPE "public"."payment_link_status" AS ENUM('active', 'deactivated');--> statement-breakpoint
ALTER TYPE "public"."terminal_kind" ADD VALUE 'link';--> statement-breakpoint
CREATE TABLE "sandbox_sms_messages" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"to" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "checkout_blocks" (
	"merchant_id" text NOT NULL,
	"client_ip" text NOT NULL,
	"declines" integer NOT NULL,
	"blocked_at" timestamp with time zone NOT NULL,
	"blocked_until" timestamp with time zone NOT NULL,
	CONSTRAINT "checkout_blocks_merchant_id_client_ip_blocked_at_pk" PRIMARY KEY("merchant_id","client_ip","blocked_at")
);
--> statement-breakpoint
CREATE TABLE "checkout_secrets" (
	"merchant_id" text PRIMARY KEY NOT NULL,
	"secret" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "checkouts" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"link_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"customer_name" text,
	"customer_phone" text,
	"customer_email" text,
	"customer_note" text,
	"status" "checkout_status" DEFAULT 'open' NOT NULL,
	"payment_id" text,
	"holds_link" boolean DEFAULT false NOT NULL,
	"client_ip" text,
	"locale" text DEFAULT 'fa' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "checkouts_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "checkouts_amount_positive" CHECK ("checkouts"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "payment_link_routes" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payment_links" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"terminal_id" text NOT NULL,
	"currency" char(3) NOT NULL,
	"amount" bigint,
	"min_amount" bigint,
	"max_amount" bigint,
	"description" text NOT NULL,
	"customer_fields" text[] DEFAULT '{}'::text[] NOT NULL,
	"reusable" boolean DEFAULT false NOT NULL,
	"expires_at" timestamp with time zone,
	"redirect_url" text,
	"status" "payment_link_status" DEFAULT 'active' NOT NULL,
	"created_by_user_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deactivated_at" timestamp with time zone,
	CONSTRAINT "payment_links_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "payment_links_amount_shape" CHECK (("payment_links"."amount" is not null and "payment_links"."amount" > 0 and "payment_links"."min_amount" is null and "payment_links"."max_amount" is null)
        or ("payment_links"."amount" is null and "payment_links"."min_amount" > 0 and "payment_links"."max_amount" >= "payment_links"."min_amount")),
	CONSTRAINT "payment_links_currency_iso" CHECK ("payment_links"."currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "payment_link_id" text;--> statement-breakpoint
ALTER TABLE "sandbox_authorizations" ADD COLUMN "channel" text DEFAULT 'api' NOT NULL;--> statement-breakpoint
ALTER TABLE "sandbox_authorizations" ADD COLUMN "auth_method" text;--> statement-breakpoint
ALTER TABLE "sandbox_authorizations" ADD COLUMN "auth_state" text;--> statement-breakpoint
ALTER TABLE "sandbox_authorizations" ADD COLUMN "auth_code" text;--> statement-breakpoint
ALTER TABLE "sandbox_authorizations" ADD COLUMN "auth_code_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sandbox_authorizations" ADD COLUMN "auth_attempts" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sandbox_authorizations" ADD COLUMN "auth_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sandbox_authorizations" ADD COLUMN "return_url" text;--> statement-breakpoint
ALTER TABLE "sandbox_authorizations" ADD COLUMN "merchant_label" text;--> statement-breakpoint
ALTER TABLE "checkout_secrets" ADD CONSTRAINT "checkout_secrets_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_links" ADD CONSTRAINT "payment_links_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sandbox_sms_messages_to" ON "sandbox_sms_messages" USING btree ("to","created_at");--> statement-breakpoint
CREATE INDEX "checkout_blocks_until" ON "checkout_blocks" USING btree ("merchant_id","blocked_until");--> statement-breakpoint
CREATE UNIQUE INDEX "checkouts_link_holder" ON "checkouts" USING btree ("merchant_id","link_id") WHERE "checkouts"."holds_link";--> statement-breakpoint
CREATE UNIQUE INDEX "checkouts_payment" ON "checkouts" USING btree ("merchant_id","payment_id");--> statement-breakpoint
CREATE INDEX "checkouts_link" ON "checkouts" USING btree ("merchant_id","link_id","created_at");--> statement-breakpoint
CREATE INDEX "checkouts_ip" ON "checkouts" USING btree ("merchant_id","client_ip","created_at");--> statement-breakpoint
CREATE INDEX "payment_links_created" ON "payment_links" USING btree ("merchant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "payments_link" ON "payments" USING btree ("merchant_id","payment_link_id","created_at") WHERE "payments"."payment_link_id" is not null;