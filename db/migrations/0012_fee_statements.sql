CREATE TABLE "fee_statement_lines" (
	"merchant_id" text NOT NULL,
	"statement_id" text NOT NULL,
	"line_no" integer NOT NULL,
	"ledger_transaction_id" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"category" text NOT NULL,
	"source_id" text NOT NULL,
	"description" text,
	"gross" bigint NOT NULL,
	"fee" bigint NOT NULL,
	"rate_bps" integer NOT NULL,
	CONSTRAINT "fee_statement_lines_merchant_id_statement_id_line_no_pk" PRIMARY KEY("merchant_id","statement_id","line_no")
);
--> statement-breakpoint
CREATE TABLE "fee_statements" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"number" integer NOT NULL,
	"calendar" text NOT NULL,
	"year" smallint NOT NULL,
	"month" smallint NOT NULL,
	"time_zone" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"currency" char(3) NOT NULL,
	"line_count" integer NOT NULL,
	"fee_total" bigint NOT NULL,
	"vat_total" bigint NOT NULL,
	"total" bigint NOT NULL,
	"vat_breakdown" jsonb NOT NULL,
	"merchant_details" jsonb NOT NULL,
	"provider_details" jsonb NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"issued_by_user_id" text,
	CONSTRAINT "fee_statements_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "fee_statements_calendar" CHECK ("fee_statements"."calendar" in ('gregorian', 'jalali')),
	CONSTRAINT "fee_statements_month_range" CHECK ("fee_statements"."month" between 1 and 12),
	CONSTRAINT "fee_statements_total" CHECK ("fee_statements"."total" = "fee_statements"."fee_total" + "fee_statements"."vat_total")
);
--> statement-breakpoint
CREATE TABLE "vat_rates" (
	"country" text NOT NULL,
	"effective_from" date NOT NULL,
	"rate_bps" integer NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "vat_rates_country_effective_from_pk" PRIMARY KEY("country","effective_from"),
	CONSTRAINT "vat_rates_country_iso" CHECK ("vat_rates"."country" ~ '^[A-Z]{2}$'),
	CONSTRAINT "vat_rates_rate_range" CHECK ("vat_rates"."rate_bps" between 0 and 10000)
);
--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "statement_calendar" text;--> statement-breakpoint
ALTER TABLE "fee_statements" ADD CONSTRAINT "fee_statements_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "fee_statement_lines_txn" ON "fee_statement_lines" USING btree ("merchant_id","ledger_transaction_id");--> statement-breakpoint
CREATE UNIQUE INDEX "fee_statements_number" ON "fee_statements" USING btree ("merchant_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "fee_statements_month" ON "fee_statements" USING btree ("merchant_id","calendar","year","month","currency");--> statement-breakpoint
ALTER TABLE "merchants" ADD CONSTRAINT "merchants_statement_calendar" CHECK ("merchants"."statement_calendar" in ('gregorian', 'jalali'));--> statement-breakpoint
-- An issued fee statement is a tax document: it never changes (a correction is a later statement).
CREATE TRIGGER fee_statements_immutable BEFORE UPDATE OR DELETE ON fee_statements
  FOR EACH ROW EXECUTE FUNCTION refuse_mutation();
--> statement-breakpoint
CREATE TRIGGER fee_statements_no_truncate BEFORE TRUNCATE ON fee_statements
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_mutation();
--> statement-breakpoint
CREATE TRIGGER fee_statement_lines_immutable BEFORE UPDATE OR DELETE ON fee_statement_lines
  FOR EACH ROW EXECUTE FUNCTION refuse_mutation();
--> statement-breakpoint
CREATE TRIGGER fee_statement_lines_no_truncate BEFORE TRUNCATE ON fee_statement_lines
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_mutation();
--> statement-breakpoint
-- VAT on our fees. Iran: 9 % until the end of 1402, 10 % from 1 Farvardin 1403 (2024-03-20),
-- the rate of the 1403 budget law (value added tax law, article 7, raised by the annual budget).
-- The United States has no VAT on payment processing fees. The operator keeps this table
-- (npm run vat -- list | set <country> <rate %> <from YYYY-MM-DD> [note]).
INSERT INTO vat_rates (country, effective_from, rate_bps, note) VALUES
  ('IR', '2000-01-01', 900, 'VAT 9 % (value added tax law)'),
  ('IR', '2024-03-20', 1000, 'VAT 10 % from 1 Farvardin 1403'),
  ('US', '2000-01-01', 0, 'No VAT on processing fees');
