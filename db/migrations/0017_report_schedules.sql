CREATE TABLE "report_schedule_runs" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"schedule_id" text NOT NULL,
	"period_key" text NOT NULL,
	"period_start" text NOT NULL,
	"period_end" text NOT NULL,
	"scheduled_for" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"rows" integer,
	"bytes" bigint,
	"file_name" text,
	"params" text,
	"format" text NOT NULL,
	"report" text NOT NULL,
	"delivery" text,
	"sent_to" text[] DEFAULT '{}'::text[] NOT NULL,
	"left_out" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"failure" text,
	"link_token_hash" text,
	"link_expires_at" timestamp with time zone,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "report_schedule_runs_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "report_schedule_runs_status" CHECK ("report_schedule_runs"."status" in ('running', 'sent', 'failed', 'skipped'))
);
--> statement-breakpoint
CREATE TABLE "report_schedules" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"owner_user_id" text NOT NULL,
	"name" text NOT NULL,
	"report" text NOT NULL,
	"format" text NOT NULL,
	"filters" text DEFAULT '' NOT NULL,
	"columns" text[] NOT NULL,
	"time_zone" text NOT NULL,
	"amounts" text DEFAULT 'major' NOT NULL,
	"excel" boolean DEFAULT false NOT NULL,
	"jalali" boolean DEFAULT false NOT NULL,
	"frequency" text NOT NULL,
	"weekday" smallint,
	"month_day" smallint,
	"local_time" text NOT NULL,
	"calendar" text NOT NULL,
	"recipient_user_ids" text[] NOT NULL,
	"origin" text NOT NULL,
	"paused" boolean DEFAULT false NOT NULL,
	"next_run_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "report_schedules_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "report_schedules_format" CHECK ("report_schedules"."format" in ('csv', 'xlsx')),
	CONSTRAINT "report_schedules_frequency" CHECK ("report_schedules"."frequency" in ('daily', 'weekly', 'monthly')),
	CONSTRAINT "report_schedules_calendar" CHECK ("report_schedules"."calendar" in ('gregorian', 'jalali')),
	CONSTRAINT "report_schedules_time" CHECK ("report_schedules"."local_time" ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$')
);
--> statement-breakpoint
ALTER TABLE "report_schedule_runs" ADD CONSTRAINT "report_schedule_runs_merchant_id_schedule_id_report_schedules_merchant_id_id_fk" FOREIGN KEY ("merchant_id","schedule_id") REFERENCES "public"."report_schedules"("merchant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_schedules" ADD CONSTRAINT "report_schedules_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "report_schedule_runs_period" ON "report_schedule_runs" USING btree ("merchant_id","schedule_id","period_key");--> statement-breakpoint
CREATE INDEX "report_schedules_due" ON "report_schedules" USING btree ("next_run_at") WHERE not "report_schedules"."paused";