ALTER TABLE "jira_comments" DROP CONSTRAINT "jira_comments_case_number_case_created_date_cases_case_number_created_date_fk";
--> statement-breakpoint
ALTER TABLE "jira_comments" ALTER COLUMN "case_number" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "jira_comments" ALTER COLUMN "case_created_date" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "cards" ADD COLUMN "stated_severity" text;--> statement-breakpoint
ALTER TABLE "cards" ADD COLUMN "stated_account" text;--> statement-breakpoint
ALTER TABLE "cards" ADD COLUMN "stated_case_status" text;--> statement-breakpoint
ALTER TABLE "jira_comments" ADD CONSTRAINT "jira_comments_case_number_case_created_date_cases_case_number_created_date_fk" FOREIGN KEY ("case_number","case_created_date") REFERENCES "public"."cases"("case_number","created_date") ON DELETE set null ON UPDATE cascade;