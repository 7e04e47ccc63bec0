import pg from 'pg';

// What "the same final state" compares: every synced table, by key and content, without the
// bookkeeping columns that differ between any two runs. Used by the crash-recovery test and by
// `npm run chaos`, which compare a database after faults with one from a clean run.

export const DIGEST_TABLES: Record<string, { key: string; ignore: string[] }> = {
  cases: { key: 'case_number, created_date', ignore: ['synced_at', 'search_vector'] },
  case_details: { key: 'case_number', ignore: ['synced_at'] },
  comments: { key: 'comment_id', ignore: ['id', 'synced_at', 'search_vector'] },
  case_bugs: { key: 'case_number, bug_id', ignore: [] },
  case_issues: { key: 'case_number, issue_key', ignore: [] },
  cards: { key: 'jira_key', ignore: ['synced_at'] },
  jira_comments: { key: 'jira_comment_id', ignore: ['synced_at', 'search_vector'] },
  bugs: { key: 'bug_id', ignore: ['synced_at'] },
  issues: { key: 'issue_key', ignore: ['synced_at'] },
  escalations: { key: 'issue_key', ignore: ['synced_at'] },
};

export type Digest = Record<string, { rows: number; digest: string }>;

/** Row count and an md5 of every row's content (key order) per table. */
export async function digestTables(url: string): Promise<Digest> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const out: Digest = {};
    for (const [table, { key, ignore }] of Object.entries(DIGEST_TABLES)) {
      const strip = ignore.map((c) => ` - '${c}'`).join('');
      const r = await client.query<{ rows: number; digest: string }>(
        `SELECT count(*)::int AS rows, md5(coalesce(string_agg((to_jsonb(t)${strip})::text, '|' ORDER BY ${key}), '')) AS digest
         FROM ${table} t`,
      );
      out[table] = r.rows[0]!;
    }
    return out;
  } finally {
    await client.end();
  }
}
