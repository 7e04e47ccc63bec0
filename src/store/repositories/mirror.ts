import { bulkPatcher, bulkUpserter } from '../bulk-upsert.js';
import type { Database, Queryable } from '../db.js';

// The Redis mirror's SQL: what it mirrored last per record (hashes), the tables only it writes
// (mirrored users), the stats history import, and the look-ups reconciliation compares with.

/** A user the original dashboard knew (its `users` key). */
export interface MirroredUserRecord {
  userId: string;
  displayName: string | null;
  email: string | null;
  groups: string[];
  attributes: unknown;
}

export const upsertMirroredUsers = bulkUpserter({
  table: 'mirrored_users',
  entity: 'mirrored_user',
  key: ['user_id'],
  columns: [
    { name: 'user_id', field: 'userId', type: 'text' },
    { name: 'display_name', field: 'displayName', type: 'text' },
    { name: 'email', type: 'text' },
    { name: 'groups', type: 'text[]' },
    { name: 'attributes', type: 'jsonb', logAsFlag: true },
  ],
});

/** Days of stats history; the same day again replaces its metrics (and is logged as a change). */
export const upsertStatsSnapshots = bulkUpserter({
  table: 'stats_snapshots',
  entity: 'stats_snapshot',
  key: ['day'],
  touchColumn: 'taken_at',
  columns: [
    { name: 'day', type: 'date' },
    { name: 'metrics', type: 'jsonb', logAsFlag: true },
  ],
});

/** Marks escalations closed (a key with no row is skipped). */
export const patchEscalationStatus = bulkPatcher({
  table: 'escalations',
  entity: 'escalation',
  key: ['issue_key'],
  columns: [
    { name: 'issue_key', field: 'issueKey', type: 'text' },
    { name: 'status', type: 'text' },
  ],
});

export interface MirroredHash {
  hash: string;
  quarantined: boolean;
}

export async function loadMirrorHashes(q: Queryable, redisKey: string): Promise<Map<string, MirroredHash>> {
  const r = await q.query<{ record_id: string; hash: string; quarantined: boolean }>(
    'SELECT record_id, hash, quarantined FROM mirror_records WHERE redis_key = $1',
    [redisKey],
  );
  return new Map(r.rows.map((x) => [x.record_id, { hash: x.hash, quarantined: x.quarantined }]));
}

export async function saveMirrorHashes(
  q: Queryable,
  redisKey: string,
  rows: readonly { id: string; hash: string; quarantined: boolean }[],
): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO mirror_records AS t (redis_key, record_id, hash, quarantined)
     SELECT $1, u.id, u.hash, u.q FROM unnest($2::text[], $3::text[], $4::boolean[]) AS u(id, hash, q)
     ON CONFLICT (redis_key, record_id) DO UPDATE
       SET hash = EXCLUDED.hash, quarantined = EXCLUDED.quarantined, mirrored_at = now()`,
    [redisKey, rows.map((r) => r.id), rows.map((r) => r.hash), rows.map((r) => r.quarantined)],
  );
}

export async function deleteMirrorHashes(
  q: Queryable,
  redisKey: string,
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0) return;
  await q.query('DELETE FROM mirror_records WHERE redis_key = $1 AND record_id = ANY($2::text[])', [
    redisKey,
    ids,
  ]);
}

/** Of these record ids of a key, those the mirror stored successfully (the key owns them). */
export async function ownedRecordIds(
  q: Queryable,
  redisKey: string,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const r = await q.query<{ record_id: string }>(
    `SELECT record_id FROM mirror_records
     WHERE redis_key = $1 AND record_id = ANY($2::text[]) AND NOT quarantined`,
    [redisKey, ids],
  );
  return new Set(r.rows.map((x) => x.record_id));
}

// Where a record of each key lands, for "is it in PostgreSQL": table and id column (fixed here).
const PRESENCE = {
  cases: ['cases', 'case_number'],
  details: ['case_details', 'case_number'],
  case_bz: ['case_bugs', 'case_number'],
  bugs: ['case_bugs', 'case_number'],
  issues: ['case_issues', 'case_number'],
  escalations: ['escalations', 'issue_key'],
  cards: ['cards', 'jira_key'],
  stats: ['stats_snapshots', "to_char(day, 'YYYY-MM-DD')"],
  users: ['mirrored_users', 'user_id'],
} as const;
export type PresenceKey = keyof typeof PRESENCE;

/** Of these ids, those with a row in the key's table. */
export async function presentRecordIds(
  q: Queryable,
  key: PresenceKey,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const [table, column] = PRESENCE[key];
  const r = await q.query<{ id: string }>(
    `SELECT DISTINCT ${column} AS id FROM ${table} WHERE ${column} = ANY($1::text[])`,
    [ids],
  );
  return new Set(r.rows.map((x) => x.id));
}

/** Of these ids, those stored in `bugs` or `issues` (auto-created entities never overwrite them). */
export async function existingIds(
  q: Queryable,
  table: 'bugs' | 'issues',
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const column = table === 'bugs' ? 'bug_id' : 'issue_key';
  const r = await q.query<{ id: string }>(
    `SELECT ${column} AS id FROM ${table} WHERE ${column} = ANY($1::text[])`,
    [ids],
  );
  return new Set(r.rows.map((x) => x.id));
}

/** Per Redis key: records mirrored, and how many of them are quarantined. */
export async function mirrorCounts(
  q: Queryable,
): Promise<Record<string, { mirrored: number; quarantined: number }>> {
  const r = await q.query<{ redis_key: string; mirrored: number; quarantined: number }>(
    `SELECT redis_key, count(*) FILTER (WHERE NOT quarantined)::int AS mirrored,
            count(*) FILTER (WHERE quarantined)::int AS quarantined
     FROM mirror_records GROUP BY redis_key ORDER BY redis_key`,
  );
  return Object.fromEntries(
    r.rows.map((x) => [x.redis_key, { mirrored: x.mirrored, quarantined: x.quarantined }]),
  );
}

/** The fields of stored records that reconciliation compares with what Redis holds now, per Redis key. */
export interface StoredFields {
  id: string;
  fields: unknown[];
}

const FIELD_SQL = {
  cards: `SELECT jira_key AS id, jsonb_build_array(summary, status, priority, assignee_name, array_to_string(labels, ',')) AS fields
          FROM cards WHERE jira_key = ANY($1::text[])`,
  cases: `SELECT DISTINCT ON (case_number) case_number AS id,
                 jsonb_build_array(summary, status, account, severity, owner) AS fields
          FROM cases WHERE case_number = ANY($1::text[]) ORDER BY case_number, created_date DESC`,
  details: `SELECT DISTINCT ON (case_number) case_number AS id,
                   jsonb_build_array(crit_sit, group_name, entitlement_sla) AS fields
            FROM case_details WHERE case_number = ANY($1::text[]) ORDER BY case_number, case_created_date DESC`,
  // A case's bug list: each linked bug's id, summary and status, in id order.
  bugs: `SELECT cb.case_number AS id,
                jsonb_agg(DISTINCT jsonb_build_array(b.bug_id, b.summary, b.status)) AS fields
         FROM case_bugs cb JOIN bugs b ON b.bug_id = cb.bug_id
         WHERE cb.case_number = ANY($1::text[]) GROUP BY cb.case_number`,
  issues: `SELECT ci.case_number AS id,
                  jsonb_agg(DISTINCT jsonb_build_array(i.issue_key, i.title, i.status)) AS fields
           FROM case_issues ci JOIN issues i ON i.issue_key = ci.issue_key
           WHERE ci.case_number = ANY($1::text[]) GROUP BY ci.case_number`,
  escalations: `SELECT issue_key AS id,
                       jsonb_build_array(summary, status, array_to_string(ARRAY(SELECT unnest(case_numbers) ORDER BY 1), ',')) AS fields
                FROM escalations WHERE issue_key = ANY($1::text[])`,
} as const;

/** The Redis keys whose records reconciliation checks field by field against their stored rows. */
export type DriftKey = keyof typeof FIELD_SQL;
export const DRIFT_KEYS = Object.keys(FIELD_SQL) as DriftKey[];

export async function storedFields(
  q: Queryable,
  key: DriftKey,
  ids: readonly string[],
): Promise<Map<string, StoredFields['fields']>> {
  if (ids.length === 0) return new Map();
  const r = await q.query<StoredFields>(FIELD_SQL[key], [ids]);
  return new Map(r.rows.map((x) => [x.id, x.fields]));
}

/** Reads and writes (then removes) a probe row: fails for a role that cannot write the mirror's tables. */
export async function probeMirrorTablesWritable(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('SELECT 1 FROM mirror_records LIMIT 1');
    await tx.query(
      `INSERT INTO mirror_records (redis_key, record_id, hash) VALUES ('check-setup', 'probe', '')
       ON CONFLICT DO NOTHING`,
    );
    await tx.query(`DELETE FROM mirror_records WHERE redis_key = 'check-setup'`);
  });
}
