CREATE TABLE "outbound_sms" (
	"id" text NOT NULL,
	"merchant_id" text NOT NULL,
	"to" text NOT NULL,
	"body" text NOT NULL,
	"locale" text,
	"kind" text,
	"dedupe_key" text,
	"sent_at" timestamp with time zone,
	"provider_message_id" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "outbound_sms_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "outbound_sms_dedupe" ON "outbound_sms" USING btree ("merchant_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "outbound_sms_merchant_created" ON "outbound_sms" USING btree ("merchant_id","created_at");