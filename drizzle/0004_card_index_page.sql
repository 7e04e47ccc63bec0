ALTER TABLE "card_index" ADD COLUMN "contributors" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "card_index" ADD COLUMN "labels" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "card_index" ADD COLUMN "priority" text;--> statement-breakpoint
ALTER TABLE "card_index" ADD COLUMN "product_version" text;--> statement-breakpoint
ALTER TABLE "card_index" ADD COLUMN "last_comment_body" text;--> statement-breakpoint
ALTER TABLE "card_index" ADD COLUMN "last_comment_format" text;--> statement-breakpoint
ALTER TABLE "card_index" ADD COLUMN "last_comment_author" text;--> statement-breakpoint
-- Hand-written below: fill the new columns of the rows already built, as the flush
-- (src/store/queries/card-index.ts) computes them, so the first read after the upgrade does not
-- rebuild every row; one UPDATE, so each row gets one new version. Rows marked dirty are
-- recomputed by the next flush anyway.
UPDATE "card_index" i SET
  "contributors" = x."contributors", "labels" = x."labels", "priority" = x."priority",
  "product_version" = x."product_version", "last_comment_body" = x."body",
  "last_comment_format" = x."body_format", "last_comment_author" = x."author"
FROM (
  SELECT r."jira_key", k."contributors", k."labels", k."priority", c."product_version",
         lc."body", lc."body_format", lc."author"
  FROM "card_index" r
  JOIN "cards" k ON k."jira_key" = r."jira_key"
  LEFT JOIN "cases" c ON c."case_number" = r."case_number" AND c."created_date" = r."case_created_date"
  LEFT JOIN (
    SELECT DISTINCT ON ("jira_key") "jira_key", "body", "body_format", "author" FROM "jira_comments"
    ORDER BY "jira_key", "last_update_date" DESC, "created_at" DESC, "jira_comment_id" DESC
  ) lc ON lc."jira_key" = r."jira_key"
) x
WHERE x."jira_key" = i."jira_key";
