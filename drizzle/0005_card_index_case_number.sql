-- card_index now keeps the case number of a card whose case is not stored: recompute those rows.
INSERT INTO card_index_dirty (jira_key)
SELECT jira_key FROM card_index WHERE case_number IS NULL
ON CONFLICT DO NOTHING;
