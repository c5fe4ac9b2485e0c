CREATE TABLE "outbound_email_attachments" (
	"mail_id" text NOT NULL,
	"n" integer NOT NULL,
	"filename" text NOT NULL,
	"content_type" text NOT NULL,
	"content" "bytea" NOT NULL,
	"size" integer NOT NULL,
	CONSTRAINT "outbound_email_attachments_mail_id_n_pk" PRIMARY KEY("mail_id","n")
);
--> statement-breakpoint
ALTER TABLE "outbound_emails" ADD COLUMN "locale" text;--> statement-breakpoint
ALTER TABLE "outbound_emails" ADD COLUMN "kind" text;--> statement-breakpoint
ALTER TABLE "outbound_emails" ADD COLUMN "dedupe_key" text;--> statement-breakpoint
ALTER TABLE "outbound_emails" ADD COLUMN "sent_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "outbound_emails" ADD COLUMN "message_id" text;--> statement-breakpoint
ALTER TABLE "outbound_emails" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "outbound_emails" ADD COLUMN "last_error" text;--> statement-breakpoint
ALTER TABLE "outbound_email_attachments" ADD CONSTRAINT "outbound_email_attachments_mail_id_outbound_emails_id_fk" FOREIGN KEY ("mail_id") REFERENCES "public"."outbound_emails"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "outbound_emails_dedupe" ON "outbound_emails" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "outbound_emails_created" ON "outbound_emails" USING btree ("created_at");