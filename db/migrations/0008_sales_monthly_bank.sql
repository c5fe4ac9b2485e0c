-- The issuing banks a merchant has sold through (the payments page's bank filter) are read
-- by skipping through this index, one probe per bank, instead of reading every monthly
-- rollup row of the merchant.
CREATE INDEX IF NOT EXISTS "sales_monthly_bank" ON "sales_monthly" USING btree ("merchant_id","issuer_bank");
