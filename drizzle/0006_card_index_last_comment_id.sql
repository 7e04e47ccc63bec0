ALTER TABLE "card_index" ADD COLUMN "last_comment_id" text;--> statement-breakpoint
-- Hand-written: the latest comment is referenced instead of copied (its body widened every row the
-- facet counts and text search scan). Filled as the flush (src/store/queries/card-index.ts) picks it.
UPDATE "card_index" i SET "last_comment_id" = lc."jira_comment_id"
FROM (
  SELECT DISTINCT ON ("jira_key") "jira_key", "jira_comment_id" FROM "jira_comments"
  ORDER BY "jira_key", "last_update_date" DESC, "created_at" DESC, "jira_comment_id" DESC
) lc WHERE lc."jira_key" = i."jira_key";--> statement-breakpoint
ALTER TABLE "card_index" DROP COLUMN "last_comment_body";--> statement-breakpoint
ALTER TABLE "card_index" DROP COLUMN "last_comment_format";--> statement-breakpoint
ALTER TABLE "card_index" DROP COLUMN "last_comment_author";