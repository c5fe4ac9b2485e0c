-- Balances sum a merchant's daily rows (all of its days, a few thousand rows after two
-- years): with the amount in the primary key's index that is an index-only scan of a few
-- dozen pages, not one heap page per row (the rows of one merchant are spread over the
-- table, since every merchant's postings of a day land together). Same name and key as
-- before, so ON CONFLICT and the Citus distribution key are unchanged (drizzle's schema
-- cannot say INCLUDE; see db/schema/ledger.ts).
ALTER TABLE "ledger_balances_daily" DROP CONSTRAINT "ledger_balances_daily_merchant_id_currency_account_day_pk";
--> statement-breakpoint
ALTER TABLE "ledger_balances_daily" ADD CONSTRAINT "ledger_balances_daily_merchant_id_currency_account_day_pk" PRIMARY KEY ("merchant_id","currency","account","day") INCLUDE ("amount");
