DROP INDEX "payouts_cutoff";--> statement-breakpoint
CREATE UNIQUE INDEX "payouts_one_per_cutoff" ON "payouts" USING btree ("merchant_id","currency","cutoff_at");