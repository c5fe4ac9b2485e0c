ALTER TABLE "events" DROP CONSTRAINT "events_merchant_id_seq_pk";--> statement-breakpoint
ALTER TABLE "events" ALTER COLUMN "seq" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "gid" bigint NOT NULL GENERATED ALWAYS AS IDENTITY (sequence name "events_gid_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1);--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_merchant_id_gid_pk" PRIMARY KEY("merchant_id","gid");--> statement-breakpoint
CREATE UNIQUE INDEX "events_seq" ON "events" USING btree ("merchant_id","seq");--> statement-breakpoint
CREATE INDEX "events_unnumbered" ON "events" USING btree ("merchant_id","gid") WHERE "events"."seq" is null;--> statement-breakpoint
-- Events stay append-only; the one update allowed is the publisher's numbering: seq from null to a number, nothing else changed.
CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
     AND NEW.gid = OLD.gid AND NEW.merchant_id = OLD.merchant_id AND NEW.id = OLD.id AND NEW.type = OLD.type
     AND NEW.data = OLD.data AND NEW.created_at = OLD.created_at THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'events are append-only (% refused)', TG_OP USING ERRCODE = 'restrict_violation';
END $$;
