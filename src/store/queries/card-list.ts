import { z } from 'zod';
import { dateTime, type Served } from '../../shared/api/common.js';
import type { DashboardFilter } from '../../shared/api/tables.js';
import { cardItemSchema } from '../../shared/api/tables.js';
import type { Queryable } from '../db.js';
import { flushCardIndex, OPEN_ESCALATION } from '../read-model/card-index.js';
import type { JiraUser } from '../repositories/cards.js';
import { type OrderTerm, pageQuery, SqlParams, type SqlSource, withClause } from './dashboard-filter.js';
import { countFacets } from './facet-counts.js';

// The card table (/table views, account and engineer pages, CSV): a page of card_index rows with
// what the row and its "most recent comment" cell need, and the total and facet counts.

type CardItem = Served<typeof cardItemSchema>;

export const CARD_SOURCE: SqlSource = { ctes: [], from: 'card_index r', tiebreak: ['r.jira_key'] };

export interface ListOptions {
  filter: DashboardFilter;
  sort: readonly OrderTerm[];
  limit: number;
  offset: number;
  now: Date;
  /** JIRA key prefix of the escalations project ("RHOCPPRIO"), for the prio-list link. */
  escalationProject?: string | undefined;
}

/** Card item fields read from a card_index column of another name, or through an expression. */
const RENAMED: { [K in keyof CardItem]?: string } = {
  key: 'r.jira_key',
  caseCreated: 'r.case_created_date',
  severity: 'r.severity_label',
  internalStatus: 'r.card_status',
  assignee: 'r.assignee_name',
  caseLastUpdated: 'r.case_last_update',
  cardUpdated: 'r.card_updated_at',
  dailyTelco: 'r.is_daily_telco',
  trends: 'r.is_trends',
  // As json: JSON.parse is cheaper than node-postgres's array parser.
  labels: 'to_json(r.labels)',
};

/** Card item fields the presenter computes from the row (escalationUrl: a second query, below). */
const COMPUTED = [
  'jiraUrl',
  'caseUrl',
  'severityOrder',
  'prioList',
  'escalationUrl',
  'contributors',
  'lastComment',
  'daysOpen',
  'sla',
] as const satisfies readonly (keyof CardItem)[];
type Computed = (typeof COMPUTED)[number];

/** A selected value that is not a card item field: its SQL, its type, and whether it is a timestamp. */
interface Input<T> {
  sql: string;
  date: boolean;
  /** Only carries the type. */
  type?: T;
}
const input = <T>(sql: string): Input<T> => ({ sql, date: false });
const timestamp = (sql: string): Input<Date | null> => ({ sql, date: true });

/** What the presenter computes those from. */
const INPUTS = {
  caseClosedDate: timestamp('r.case_closed_date'),
  contributorUsers: input<JiraUser[]>('r.contributors'),
  isPotentialEscalation: input<boolean>('r.is_potential_escalation'),
  escalated: input<boolean>('r.escalated'),
  lastCommentAt: timestamp('r.last_comment_at'),
  lastCommentBody: input<string | null>('lc.body'),
  lastCommentFormat: input<string | null>('lc.body_format'),
  lastCommentAuthor: input<string | null>('lc.author'),
};

/**
 * A card row: every card item field that is stored as is (its card_index column is the field's
 * name in snake_case unless RENAMED says otherwise), and the inputs of the computed ones. A plain
 * column added to card_index and to the card item schema is selected with no change here.
 */
export type CardRow = Omit<CardItem, Computed> & { escalationUrl: string | null } & {
  [K in keyof typeof INPUTS]: Exclude<(typeof INPUTS)[K]['type'], undefined>;
};

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const isDateField = (schema: z.ZodType): boolean =>
  schema === dateTime || (schema instanceof z.ZodNullable && schema.unwrap() === dateTime);

/** Every selected field: its name in the row, its SQL, and whether it is a timestamp. */
const FIELDS: readonly { name: string; sql: string; date: boolean }[] = [
  ...Object.entries(cardItemSchema.shape)
    .filter(([name]) => !(COMPUTED as readonly string[]).includes(name))
    .map(([name, schema]) => ({
      name,
      sql: RENAMED[name as keyof CardItem] ?? `r.${snakeCase(name)}`,
      date: isDateField(schema),
    })),
  ...Object.entries(INPUTS).map(([name, { sql, date }]) => ({ name, sql, date })),
];

// Timestamps come back as epoch milliseconds: parsing float8 and building a Date costs a third of
// node-postgres's timestamptz text parsing, which was the largest CPU cost of a page (250 values).
// Everything a row shows is on card_index or its latest comment (joined on the id card_index keeps),
// so a page is one statement. The last column says whether card_index_dirty held marks in the
// statement's snapshot (an InitPlan, evaluated once): if it did not, every write committed before
// the statement is already in the rows it read.
const ROW_COLUMNS = [
  ...FIELDS.map(({ name, sql, date }) =>
    date ? `(extract(epoch FROM ${sql}) * 1000)::float8 AS "${name}"` : `${sql} AS "${name}"`,
  ),
  '(SELECT EXISTS (SELECT 1 FROM card_index_dirty)) AS "stale"',
].join(', ');
const LAST_COMMENT = 'LEFT JOIN jira_comments lc ON lc.jira_comment_id = r.last_comment_id';

type RawRow = Record<string, unknown> & { stale: boolean };

/** A fresh object of one fixed shape (cheaper to build, read and serialise than the driver's row patched in place). */
function toCardRow(raw: RawRow): CardRow {
  const row: Record<string, unknown> = {};
  for (const { name, date } of FIELDS) {
    const v = raw[name];
    row[name] = date && v !== null ? new Date(v as number) : v;
  }
  row.escalationUrl = null;
  return row as CardRow;
}

/**
 * Runs a card_index read selecting ROW_COLUMNS. In the common case (nothing marked) that is the
 * only statement. When marks were pending, or the read found no row to tell, the marked rows are
 * recomputed and the read runs again; always again, since a concurrent flush (the facet counts'
 * one, say) may have taken the marks and committed their rows after this read's snapshot.
 */
async function readCardIndex(q: Queryable, text: string, values: unknown[]): Promise<RawRow[]> {
  const first = await q.query<RawRow>(text, values);
  if (first.rows[0] && !first.rows[0].stale) return first.rows;
  await flushCardIndex(q);
  return (await q.query<RawRow>(text, values)).rows;
}

/** One page of cards in the requested order. */
export async function listCards(q: Queryable, opts: ListOptions): Promise<CardRow[]> {
  const p = new SqlParams();
  const page = pageQuery(CARD_SOURCE, opts.filter, opts.sort, opts, opts.now, p);
  // An index scan that stops after `limit` rows in the default order.
  const rows = await readCardIndex(
    q,
    `${withClause(page.ctes)}SELECT ${ROW_COLUMNS} FROM (${page.select}) r ${LAST_COMMENT} ORDER BY ${page.order}`,
    p.values,
  );
  return complete(q, rows.map(toCardRow), opts.escalationProject);
}

/** These cards (in key order), with the same fields as a page row; unknown keys are skipped. */
export async function getCardRows(
  q: Queryable,
  keys: readonly string[],
  escalationProject?: string,
): Promise<CardRow[]> {
  if (keys.length === 0) return [];
  const rows = await readCardIndex(
    q,
    `SELECT ${ROW_COLUMNS} FROM card_index r ${LAST_COMMENT} WHERE r.jira_key = ANY($1::text[]) ORDER BY r.jira_key`,
    [keys],
  );
  return complete(q, rows.map(toCardRow), escalationProject);
}

/** Adds the prio-list link of the escalated rows (a few per page at most). */
async function complete(
  q: Queryable,
  rows: CardRow[],
  escalationProject: string | undefined,
): Promise<CardRow[]> {
  const escalated = rows.filter((r) => r.escalated && r.caseNumber);
  if (escalated.length === 0) return rows;
  const links = await escalationLinks(q, escalated, escalationProject);
  for (const r of escalated) r.escalationUrl = links.get(r.key) ?? null;
  return rows;
}

/**
 * The prio-list link of escalated cards: as the original's escalated_link, a linked issue in the
 * escalations project; else the open escalation itself.
 */
async function escalationLinks(q: Queryable, rows: CardRow[], escalationProject: string | undefined) {
  if (rows.length === 0) return new Map<string, string>();
  const r = await q.query<{ jiraKey: string; url: string | null }>(
    `SELECT x.jira_key AS "jiraKey", coalesce(
       (SELECT ci.url FROM case_issues ci
        WHERE ci.case_number = x.case_number AND ci.case_created_date = x.created
          AND ci.issue_key LIKE $4 ORDER BY ci.issue_key LIMIT 1),
       (SELECT e.url FROM escalations e
        WHERE e.case_numbers @> ARRAY[x.case_number] AND ${OPEN_ESCALATION}
        ORDER BY e.updated_at DESC NULLS LAST LIMIT 1)) AS url
     FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS x(jira_key, case_number, created)`,
    [
      rows.map((r) => r.key),
      rows.map((r) => r.caseNumber),
      rows.map((r) => r.caseCreated?.toISOString() ?? null),
      escalationProject ? `${escalationProject}-%` : null,
    ],
  );
  return new Map(r.rows.flatMap((x) => (x.url ? [[x.jiraKey, x.url] as const] : [])));
}

export const countCardFacets = (q: Queryable, filter: DashboardFilter, now: Date) =>
  countFacets(q, CARD_SOURCE, filter, now);
