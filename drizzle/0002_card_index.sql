CREATE TABLE "card_index" (
	"jira_key" text PRIMARY KEY NOT NULL,
	"case_number" text,
	"case_created_date" timestamp with time zone,
	"severity" smallint,
	"severity_label" text,
	"account" text,
	"product" text,
	"case_status" text,
	"summary" text NOT NULL,
	"case_last_update" timestamp with time zone,
	"case_closed_date" timestamp with time zone,
	"card_status" text NOT NULL,
	"assignee_name" text,
	"is_trends" boolean NOT NULL,
	"is_potential_escalation" boolean NOT NULL,
	"is_daily_telco" boolean NOT NULL,
	"crit_sit" boolean NOT NULL,
	"escalated" boolean NOT NULL,
	"prio_rank" smallint NOT NULL,
	"last_comment_at" timestamp with time zone,
	"card_updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "card_index_dirty" (
	"jira_key" text PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE INDEX "card_index_default_order_idx" ON "card_index" USING btree ("severity","prio_rank" DESC NULLS LAST,"crit_sit" DESC NULLS LAST,"jira_key");--> statement-breakpoint
CREATE INDEX "card_index_case_idx" ON "card_index" USING btree ("case_number","case_created_date");--> statement-breakpoint
CREATE INDEX "card_index_account_idx" ON "card_index" USING btree ("account");--> statement-breakpoint
CREATE INDEX "card_index_case_status_idx" ON "card_index" USING btree ("case_status");--> statement-breakpoint
CREATE INDEX "card_index_card_status_idx" ON "card_index" USING btree ("card_status");--> statement-breakpoint
CREATE INDEX "card_index_assignee_idx" ON "card_index" USING btree ("assignee_name");--> statement-breakpoint
CREATE INDEX "card_index_last_comment_idx" ON "card_index" USING btree ("last_comment_at");--> statement-breakpoint
CREATE INDEX "card_index_case_last_update_idx" ON "card_index" USING btree ("case_last_update");--> statement-breakpoint
-- Hand-written below: the triggers that mark the cards whose card_index row a write made stale.
-- They run once per statement over its transition table, so a 5,000-row bulk upsert adds one
-- INSERT … SELECT; the recomputation itself happens on read (src/store/queries/card-index.ts).
CREATE FUNCTION card_index_mark_by_jira_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO card_index_dirty (jira_key)
  SELECT DISTINCT jira_key FROM changed_rows
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION card_index_mark_by_case_number() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO card_index_dirty (jira_key)
  SELECT k.jira_key FROM cards k
  WHERE k.case_number IN (SELECT case_number FROM changed_rows)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION card_index_mark_by_case_numbers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO card_index_dirty (jira_key)
  SELECT k.jira_key FROM cards k
  WHERE k.case_number IN (SELECT unnest(case_numbers) FROM changed_rows)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER card_index_cards_ins AFTER INSERT ON cards REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION card_index_mark_by_jira_key();--> statement-breakpoint
CREATE TRIGGER card_index_cards_upd AFTER UPDATE ON cards REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION card_index_mark_by_jira_key();--> statement-breakpoint
CREATE TRIGGER card_index_cards_del AFTER DELETE ON cards REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION card_index_mark_by_jira_key();--> statement-breakpoint
CREATE TRIGGER card_index_cases_ins AFTER INSERT ON cases REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION card_index_mark_by_case_number();--> statement-breakpoint
CREATE TRIGGER card_index_cases_upd AFTER UPDATE ON cases REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION card_index_mark_by_case_number();--> statement-breakpoint
CREATE TRIGGER card_index_cases_del AFTER DELETE ON cases REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION card_index_mark_by_case_number();--> statement-breakpoint
CREATE TRIGGER card_index_details_ins AFTER INSERT ON case_details REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION card_index_mark_by_case_number();--> statement-breakpoint
CREATE TRIGGER card_index_details_upd AFTER UPDATE ON case_details REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION card_index_mark_by_case_number();--> statement-breakpoint
CREATE TRIGGER card_index_details_del AFTER DELETE ON case_details REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION card_index_mark_by_case_number();--> statement-breakpoint
CREATE TRIGGER card_index_jira_comments_ins AFTER INSERT ON jira_comments REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION card_index_mark_by_jira_key();--> statement-breakpoint
CREATE TRIGGER card_index_jira_comments_upd AFTER UPDATE ON jira_comments REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION card_index_mark_by_jira_key();--> statement-breakpoint
CREATE TRIGGER card_index_jira_comments_del AFTER DELETE ON jira_comments REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION card_index_mark_by_jira_key();--> statement-breakpoint
-- An escalation that names other cases, or closes, changes both its old and its new cases.
CREATE TRIGGER card_index_escalations_ins AFTER INSERT ON escalations REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION card_index_mark_by_case_numbers();--> statement-breakpoint
CREATE TRIGGER card_index_escalations_upd_new AFTER UPDATE ON escalations REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION card_index_mark_by_case_numbers();--> statement-breakpoint
CREATE TRIGGER card_index_escalations_upd_old AFTER UPDATE ON escalations REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION card_index_mark_by_case_numbers();--> statement-breakpoint
CREATE TRIGGER card_index_escalations_del AFTER DELETE ON escalations REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION card_index_mark_by_case_numbers();--> statement-breakpoint
-- Cards stored before this migration: all of them are computed on the first read.
INSERT INTO card_index_dirty (jira_key) SELECT jira_key FROM cards;
