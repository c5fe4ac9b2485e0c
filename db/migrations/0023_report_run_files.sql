CREATE TABLE "report_run_files" (
	"merchant_id" text NOT NULL,
	"run_id" text NOT NULL,
	"part" integer NOT NULL,
	"content" "bytea" NOT NULL,
	CONSTRAINT "report_run_files_merchant_id_run_id_part_pk" PRIMARY KEY("merchant_id","run_id","part")
);
--> statement-breakpoint
ALTER TABLE "report_schedule_runs" ADD COLUMN "sent_to_user_ids" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "report_run_files" ADD CONSTRAINT "report_run_files_merchant_id_run_id_report_schedule_runs_merchant_id_id_fk" FOREIGN KEY ("merchant_id","run_id") REFERENCES "public"."report_schedule_runs"("merchant_id","id") ON DELETE cascade ON UPDATE no action;