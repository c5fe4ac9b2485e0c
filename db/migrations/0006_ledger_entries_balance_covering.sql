-- Balances read the merchant_balance postings of one day by this index (getBalances):
-- with the amount in the index they are an index-only scan, not one heap read per
-- posting (a busy merchant posts ~14,000 charges a day at 10M payments a year).
-- Same name and key as before (drizzle's schema cannot say INCLUDE; see db/schema/ledger.ts).
DROP INDEX IF EXISTS "ledger_entries_account";
--> statement-breakpoint
CREATE INDEX "ledger_entries_account" ON "ledger_entries" ("merchant_id", "account", "currency", "available_on") INCLUDE ("amount");
