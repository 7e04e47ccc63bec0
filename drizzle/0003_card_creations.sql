CREATE TABLE "card_creations" (
	"case_number" text PRIMARY KEY NOT NULL,
	"kind" text DEFAULT 'create' NOT NULL,
	"run_id" text,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"jira_key" text,
	"step" text DEFAULT 'claimed' NOT NULL,
	"assignee" text,
	"attempts" integer DEFAULT 1 NOT NULL,
	"last_error" text,
	"reopen_log_id" bigint,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "card_creations_step_idx" ON "card_creations" USING btree ("step");--> statement-breakpoint
CREATE UNIQUE INDEX "card_creations_jira_key_key" ON "card_creations" USING btree ("jira_key");