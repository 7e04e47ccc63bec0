ALTER TABLE "card_index" ADD COLUMN "search_vector" "tsvector";--> statement-breakpoint
-- Hand-written: existing rows take their case's document (the case the row was computed from);
-- every later write recomputes it with the row.
UPDATE "card_index" i SET "search_vector" = c."search_vector"
FROM "cases" c WHERE c."case_number" = i."case_number" AND c."created_date" = i."case_created_date";--> statement-breakpoint
CREATE INDEX "card_index_search_idx" ON "card_index" USING gin ("search_vector");
