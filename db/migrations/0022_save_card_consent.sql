ALTER TABLE "checkouts" ADD COLUMN "save_card_mandate" text;--> statement-breakpoint
ALTER TABLE "checkouts" ADD COLUMN "save_card_locale" text;--> statement-breakpoint
ALTER TABLE "checkouts" ADD COLUMN "save_card_consent_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "payment_methods_one_active" ON "payment_methods" USING btree ("merchant_id","customer_id","card_token") WHERE "payment_methods"."status" = 'active';