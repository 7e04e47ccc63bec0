CREATE TABLE "card_notifications" (
	"case_number" text NOT NULL,
	"channel" text NOT NULL,
	"run_id" text,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"result" text,
	"error" text,
	CONSTRAINT "card_notifications_case_number_channel_pk" PRIMARY KEY("case_number","channel")
);
--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "outcome" jsonb;