CREATE TABLE "bugs" (
	"bug_id" text PRIMARY KEY NOT NULL,
	"summary" text,
	"status" text,
	"severity" text,
	"priority" text,
	"component" text[],
	"target_release" text[],
	"assignee" text,
	"qa_contact" text,
	"last_change_time" timestamp with time zone,
	"internal_whiteboard" text,
	"keywords" text[],
	"unavailable" boolean DEFAULT false NOT NULL,
	"unavailable_reason" text,
	"raw" jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cards" (
	"jira_key" text PRIMARY KEY NOT NULL,
	"case_number" text,
	"case_created_date" timestamp with time zone,
	"summary" text NOT NULL,
	"status_raw" text NOT NULL,
	"status" text NOT NULL,
	"priority" text,
	"assignee_name" text,
	"assignee" jsonb,
	"contributors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"labels" text[] DEFAULT '{}'::text[] NOT NULL,
	"sprint" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"is_trends" boolean GENERATED ALWAYS AS ('Trends' = ANY("cards"."labels")) STORED NOT NULL,
	"is_potential_escalation" boolean GENERATED ALWAYS AS ('PotentialEscalation' = ANY("cards"."labels")) STORED NOT NULL,
	"is_daily_telco" boolean GENERATED ALWAYS AS ('Daily_Telco_OCP' = ANY("cards"."labels")) STORED NOT NULL,
	"raw" jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "case_bugs" (
	"case_number" text NOT NULL,
	"case_created_date" timestamp with time zone NOT NULL,
	"bug_id" text NOT NULL,
	"linked_at" timestamp with time zone,
	"portal_status" text,
	"portal_summary" text,
	CONSTRAINT "case_bugs_case_number_case_created_date_bug_id_pk" PRIMARY KEY("case_number","case_created_date","bug_id")
);
--> statement-breakpoint
CREATE TABLE "case_details" (
	"case_number" text NOT NULL,
	"case_created_date" timestamp with time zone NOT NULL,
	"crit_sit" boolean DEFAULT false NOT NULL,
	"group_name" text,
	"notified_users" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"relief_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"entitlement_sla" text,
	"raw" jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "case_details_case_number_case_created_date_pk" PRIMARY KEY("case_number","case_created_date")
);
--> statement-breakpoint
CREATE TABLE "case_issues" (
	"case_number" text NOT NULL,
	"case_created_date" timestamp with time zone NOT NULL,
	"issue_key" text NOT NULL,
	"url" text,
	"title" text,
	"portal_status" text,
	"last_modified_at" timestamp with time zone,
	CONSTRAINT "case_issues_case_number_case_created_date_issue_key_pk" PRIMARY KEY("case_number","case_created_date","issue_key")
);
--> statement-breakpoint
CREATE TABLE "cases" (
	"case_number" text NOT NULL,
	"created_date" timestamp with time zone NOT NULL,
	"owner" text,
	"severity" smallint NOT NULL,
	"severity_label" text NOT NULL,
	"account" text NOT NULL,
	"summary" text NOT NULL,
	"status" text NOT NULL,
	"last_update" timestamp with time zone NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"product" text,
	"product_version" text,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"bug_number" text,
	"closed_date" timestamp with time zone,
	"fe_jira_card" text,
	"raw" jsonb NOT NULL,
	"search_vector" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('english', coalesce("cases"."case_number", '')), 'A') || setweight(to_tsvector('english', coalesce("cases"."summary", '')), 'A') || setweight(to_tsvector('english', coalesce("cases"."account", '')), 'B') || setweight(to_tsvector('english', coalesce("cases"."product", '')), 'B') || setweight(to_tsvector('english', coalesce("cases"."description", '')), 'C')) STORED,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cases_case_number_created_date_pk" PRIMARY KEY("case_number","created_date")
);
--> statement-breakpoint
CREATE TABLE "change_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "change_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"entity" text NOT NULL,
	"entity_key" text NOT NULL,
	"op" text NOT NULL,
	"changes" jsonb NOT NULL,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"run_id" uuid
);
--> statement-breakpoint
CREATE TABLE "comments" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "comments_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"comment_id" text NOT NULL,
	"case_number" text NOT NULL,
	"case_created_date" timestamp with time zone NOT NULL,
	"author" text,
	"author_type" text,
	"body" text NOT NULL,
	"is_public" boolean DEFAULT true NOT NULL,
	"commented_at" timestamp with time zone NOT NULL,
	"last_modified_at" timestamp with time zone,
	"search_vector" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('english', coalesce("comments"."body", '')), 'C')) STORED,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "escalations" (
	"issue_key" text PRIMARY KEY NOT NULL,
	"url" text,
	"summary" text,
	"status" text NOT NULL,
	"case_numbers" text[] DEFAULT '{}'::text[] NOT NULL,
	"updated_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "issues" (
	"issue_key" text PRIMARY KEY NOT NULL,
	"url" text,
	"title" text,
	"status" text,
	"updated_at" timestamp with time zone,
	"qa_contact" text,
	"severity" text,
	"issue_type" text,
	"assignee" text,
	"fix_versions" text[],
	"priority" text,
	"private_keywords" text[],
	"raw" jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "jira_comments" (
	"jira_comment_id" text PRIMARY KEY NOT NULL,
	"jira_key" text NOT NULL,
	"case_number" text NOT NULL,
	"case_created_date" timestamp with time zone NOT NULL,
	"author" text,
	"body" text NOT NULL,
	"body_format" text DEFAULT 'wiki' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"last_update_date" timestamp with time zone NOT NULL,
	"search_vector" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('english', coalesce("jira_comments"."body", '')), 'C')) STORED,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "quarantine" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "quarantine_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"source" text NOT NULL,
	"external_id" text NOT NULL,
	"payload" jsonb NOT NULL,
	"reason" text NOT NULL,
	"first_seen" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen" timestamp with time zone DEFAULT now() NOT NULL,
	"occurrences" integer DEFAULT 1 NOT NULL,
	"run_id" uuid,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "stats_snapshots" (
	"day" date PRIMARY KEY NOT NULL,
	"metrics" jsonb NOT NULL,
	"taken_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"job" text NOT NULL,
	"trigger" text NOT NULL,
	"status" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"fetched" integer DEFAULT 0 NOT NULL,
	"changed" integer DEFAULT 0 NOT NULL,
	"quarantined" integer DEFAULT 0 NOT NULL,
	"upstream_requests" integer DEFAULT 0 NOT NULL,
	"progress" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "sync_state" (
	"source" text PRIMARY KEY NOT NULL,
	"cursor" timestamp with time zone,
	"last_full_at" timestamp with time zone,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cards" ADD CONSTRAINT "cards_case_number_case_created_date_cases_case_number_created_date_fk" FOREIGN KEY ("case_number","case_created_date") REFERENCES "public"."cases"("case_number","created_date") ON DELETE set null ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "case_bugs" ADD CONSTRAINT "case_bugs_case_number_case_created_date_cases_case_number_created_date_fk" FOREIGN KEY ("case_number","case_created_date") REFERENCES "public"."cases"("case_number","created_date") ON DELETE cascade ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "case_details" ADD CONSTRAINT "case_details_case_number_case_created_date_cases_case_number_created_date_fk" FOREIGN KEY ("case_number","case_created_date") REFERENCES "public"."cases"("case_number","created_date") ON DELETE cascade ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "case_issues" ADD CONSTRAINT "case_issues_case_number_case_created_date_cases_case_number_created_date_fk" FOREIGN KEY ("case_number","case_created_date") REFERENCES "public"."cases"("case_number","created_date") ON DELETE cascade ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "comments" ADD CONSTRAINT "comments_case_number_case_created_date_cases_case_number_created_date_fk" FOREIGN KEY ("case_number","case_created_date") REFERENCES "public"."cases"("case_number","created_date") ON DELETE cascade ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "jira_comments" ADD CONSTRAINT "jira_comments_jira_key_cards_jira_key_fk" FOREIGN KEY ("jira_key") REFERENCES "public"."cards"("jira_key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jira_comments" ADD CONSTRAINT "jira_comments_case_number_case_created_date_cases_case_number_created_date_fk" FOREIGN KEY ("case_number","case_created_date") REFERENCES "public"."cases"("case_number","created_date") ON DELETE cascade ON UPDATE cascade;--> statement-breakpoint
CREATE INDEX "cards_case_idx" ON "cards" USING btree ("case_number","case_created_date");--> statement-breakpoint
CREATE INDEX "cards_status_idx" ON "cards" USING btree ("status");--> statement-breakpoint
CREATE INDEX "cards_assignee_idx" ON "cards" USING btree ("assignee_name");--> statement-breakpoint
CREATE INDEX "cards_updated_idx" ON "cards" USING btree ("updated_at");--> statement-breakpoint
CREATE INDEX "cards_labels_idx" ON "cards" USING gin ("labels");--> statement-breakpoint
CREATE INDEX "case_bugs_bug_idx" ON "case_bugs" USING btree ("bug_id");--> statement-breakpoint
CREATE INDEX "case_issues_issue_idx" ON "case_issues" USING btree ("issue_key");--> statement-breakpoint
CREATE INDEX "cases_case_number_idx" ON "cases" USING btree ("case_number");--> statement-breakpoint
CREATE INDEX "cases_status_idx" ON "cases" USING btree ("status");--> statement-breakpoint
CREATE INDEX "cases_account_idx" ON "cases" USING btree ("account");--> statement-breakpoint
CREATE INDEX "cases_last_update_idx" ON "cases" USING btree ("last_update");--> statement-breakpoint
CREATE UNIQUE INDEX "cases_fe_jira_card_key" ON "cases" USING btree ("fe_jira_card");--> statement-breakpoint
CREATE INDEX "cases_search_idx" ON "cases" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "change_log_entity_idx" ON "change_log" USING btree ("entity","entity_key");--> statement-breakpoint
CREATE INDEX "change_log_changed_at_idx" ON "change_log" USING btree ("changed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "comments_comment_id_key" ON "comments" USING btree ("comment_id");--> statement-breakpoint
CREATE INDEX "comments_case_idx" ON "comments" USING btree ("case_number","case_created_date");--> statement-breakpoint
CREATE INDEX "comments_search_idx" ON "comments" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "escalations_case_numbers_idx" ON "escalations" USING gin ("case_numbers");--> statement-breakpoint
CREATE INDEX "jira_comments_card_idx" ON "jira_comments" USING btree ("jira_key","last_update_date");--> statement-breakpoint
CREATE INDEX "jira_comments_case_idx" ON "jira_comments" USING btree ("case_number","case_created_date");--> statement-breakpoint
CREATE INDEX "jira_comments_updated_idx" ON "jira_comments" USING btree ("last_update_date");--> statement-breakpoint
CREATE INDEX "jira_comments_search_idx" ON "jira_comments" USING gin ("search_vector");--> statement-breakpoint
CREATE UNIQUE INDEX "quarantine_source_external_id_key" ON "quarantine" USING btree ("source","external_id");--> statement-breakpoint
CREATE INDEX "sync_runs_job_started_idx" ON "sync_runs" USING btree ("job","started_at");--> statement-breakpoint
CREATE INDEX "sync_runs_started_idx" ON "sync_runs" USING btree ("started_at");