CREATE TABLE "month_closes" (
	"merchant_id" text NOT NULL,
	"calendar" text NOT NULL,
	"year" smallint NOT NULL,
	"month" smallint NOT NULL,
	"time_zone" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"figures" jsonb NOT NULL,
	"closed_at" timestamp with time zone NOT NULL,
	"closed_by_user_id" text,
	CONSTRAINT "month_closes_merchant_id_period_start_pk" PRIMARY KEY("merchant_id","period_start"),
	CONSTRAINT "month_closes_period" CHECK ("month_closes"."period_end" > "month_closes"."period_start")
);
--> statement-breakpoint
ALTER TABLE "month_closes" ADD CONSTRAINT "month_closes_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "month_closes_month" ON "month_closes" USING btree ("merchant_id","calendar","year","month");
--> statement-breakpoint
CREATE TRIGGER month_closes_immutable BEFORE UPDATE OR DELETE ON month_closes
  FOR EACH ROW EXECUTE FUNCTION refuse_mutation();
--> statement-breakpoint
CREATE TRIGGER month_closes_no_truncate BEFORE TRUNCATE ON month_closes
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_mutation();
--> statement-breakpoint
-- A closed month never changes: a posting dated in it (a late correction) is booked at the
-- start of the next open month (past any run of closed months), and says so.
CREATE OR REPLACE FUNCTION book_into_open_month() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  original timestamptz := NEW.created_at;
  closed_end timestamptz;
BEGIN
  LOOP
    SELECT period_end INTO closed_end FROM month_closes
      WHERE merchant_id = NEW.merchant_id AND NEW.created_at >= period_start AND NEW.created_at < period_end;
    EXIT WHEN closed_end IS NULL;
    NEW.created_at := closed_end;
  END LOOP;
  IF NEW.created_at <> original AND TG_TABLE_NAME = 'ledger_transactions' THEN
    NEW.description := concat_ws(' ', NEW.description,
      '(late correction dated ' || to_char(original AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC: its month is closed, booked in the next open month)');
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_transactions_book_into_open_month BEFORE INSERT ON ledger_transactions
  FOR EACH ROW EXECUTE FUNCTION book_into_open_month();
--> statement-breakpoint
CREATE TRIGGER ledger_entries_book_into_open_month BEFORE INSERT ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION book_into_open_month();
