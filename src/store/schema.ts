import { type SQL, sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  date,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

// The PostgreSQL schema: the truth every page and job reads. The same migrations run on PostgreSQL
// >= 15 and on PGlite (PostgreSQL 18), so nothing here may use 18-only features (uuidv7, virtual
// generated columns, json_exists).
//
// Terminology
//   case        a Customer Portal support case, keyed by (case_number, created_date) as in the
//               original's ER diagram (case numbers have been reused with a new creation date).
//   card        the team's JIRA issue tracking one case; summary "<case#>: <problem>".
//   issue       a JIRA issue in another project linked to a case (e.g. OCPBUGS-123).
//   bug         a Bugzilla bug linked to a case.
//   escalation  an open issue in the escalations ("prio-list") JIRA project naming case numbers.

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });
const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

// Weighted search document; to_tsvector with an explicit configuration is immutable, so it can back
// a stored generated column.
const searchDoc = (...parts: [SQL, 'A' | 'B' | 'C'][]) =>
  sql.join(
    parts.map(
      ([col, weight]) => sql`setweight(to_tsvector('english', coalesce(${col}, '')), '${sql.raw(weight)}')`,
    ),
    sql` || `,
  );

export const cases = pgTable(
  'cases',
  {
    caseNumber: text('case_number').notNull(),
    createdDate: tstz('created_date').notNull(),
    owner: text('owner'),
    severity: smallint('severity').notNull(),
    severityLabel: text('severity_label').notNull(),
    account: text('account').notNull(),
    summary: text('summary').notNull(),
    status: text('status').notNull(),
    lastUpdate: tstz('last_update').notNull(),
    description: text('description').notNull().default(''),
    product: text('product'),
    productVersion: text('product_version'),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    bugNumber: text('bug_number'),
    closedDate: tstz('closed_date'),
    feJiraCard: text('fe_jira_card'),
    raw: jsonb('raw').notNull(),
    searchVector: tsvector('search_vector').generatedAlwaysAs(
      (): SQL =>
        searchDoc(
          [sql`${cases.caseNumber}`, 'A'],
          [sql`${cases.summary}`, 'A'],
          [sql`${cases.account}`, 'B'],
          [sql`${cases.product}`, 'B'],
          [sql`${cases.description}`, 'C'],
        ),
    ),
    syncedAt: tstz('synced_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.caseNumber, t.createdDate] }),
    index('cases_case_number_idx').on(t.caseNumber),
    index('cases_status_idx').on(t.status),
    index('cases_account_idx').on(t.account),
    index('cases_last_update_idx').on(t.lastUpdate),
    uniqueIndex('cases_fe_jira_card_key').on(t.feJiraCard),
    index('cases_search_idx').using('gin', t.searchVector),
  ],
);

const caseRef = {
  caseNumber: text('case_number').notNull(),
  caseCreatedDate: tstz('case_created_date').notNull(),
};

export const caseDetails = pgTable(
  'case_details',
  {
    ...caseRef,
    critSit: boolean('crit_sit').notNull().default(false),
    groupName: text('group_name'),
    notifiedUsers: jsonb('notified_users').notNull().default(sql`'[]'::jsonb`),
    reliefAt: tstz('relief_at'),
    resolvedAt: tstz('resolved_at'),
    entitlementSla: text('entitlement_sla'),
    raw: jsonb('raw').notNull(),
    syncedAt: tstz('synced_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.caseNumber, t.caseCreatedDate] }),
    foreignKey({
      columns: [t.caseNumber, t.caseCreatedDate],
      foreignColumns: [cases.caseNumber, cases.createdDate],
    })
      .onDelete('cascade')
      .onUpdate('cascade'),
  ],
);

export const comments = pgTable(
  'comments',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    commentId: text('comment_id').notNull(),
    ...caseRef,
    author: text('author'),
    authorType: text('author_type'),
    body: text('body').notNull(),
    isPublic: boolean('is_public').notNull().default(true),
    commentedAt: tstz('commented_at').notNull(),
    lastModifiedAt: tstz('last_modified_at'),
    searchVector: tsvector('search_vector').generatedAlwaysAs(
      (): SQL => searchDoc([sql`${comments.body}`, 'C']),
    ),
    syncedAt: tstz('synced_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('comments_comment_id_key').on(t.commentId),
    index('comments_case_idx').on(t.caseNumber, t.caseCreatedDate),
    index('comments_search_idx').using('gin', t.searchVector),
    foreignKey({
      columns: [t.caseNumber, t.caseCreatedDate],
      foreignColumns: [cases.caseNumber, cases.createdDate],
    })
      .onDelete('cascade')
      .onUpdate('cascade'),
  ],
);

export const cards = pgTable(
  'cards',
  {
    jiraKey: text('jira_key').primaryKey(),
    // Nullable: a card whose case has not been synced (or left the query) is still kept.
    caseNumber: text('case_number'),
    caseCreatedDate: tstz('case_created_date'),
    summary: text('summary').notNull(),
    statusRaw: text('status_raw').notNull(),
    status: text('status').notNull(),
    priority: text('priority'),
    assigneeName: text('assignee_name'),
    assignee: jsonb('assignee'),
    contributors: jsonb('contributors').notNull().default(sql`'[]'::jsonb`),
    labels: text('labels').array().notNull().default(sql`'{}'::text[]`),
    sprint: text('sprint'),
    // What the card itself says about its case: the description card creation wrote ("severity
    // of …", "account for the case is …", "internal status of: …"). Shown where the case is not
    // stored (it closed outside the Portal query before the first sync), instead of blanks.
    statedSeverity: text('stated_severity'),
    statedAccount: text('stated_account'),
    statedCaseStatus: text('stated_case_status'),
    createdAt: tstz('created_at').notNull(),
    updatedAt: tstz('updated_at').notNull(),
    isTrends: boolean('is_trends')
      .notNull()
      .generatedAlwaysAs((): SQL => sql`'Trends' = ANY(${cards.labels})`),
    isPotentialEscalation: boolean('is_potential_escalation')
      .notNull()
      .generatedAlwaysAs((): SQL => sql`'PotentialEscalation' = ANY(${cards.labels})`),
    isDailyTelco: boolean('is_daily_telco')
      .notNull()
      .generatedAlwaysAs((): SQL => sql`'Daily_Telco_OCP' = ANY(${cards.labels})`),
    raw: jsonb('raw').notNull(),
    syncedAt: tstz('synced_at').notNull().defaultNow(),
  },
  (t) => [
    index('cards_case_idx').on(t.caseNumber, t.caseCreatedDate),
    index('cards_status_idx').on(t.status),
    index('cards_assignee_idx').on(t.assigneeName),
    index('cards_updated_idx').on(t.updatedAt),
    index('cards_labels_idx').using('gin', t.labels),
    foreignKey({
      columns: [t.caseNumber, t.caseCreatedDate],
      foreignColumns: [cases.caseNumber, cases.createdDate],
    })
      .onDelete('set null')
      .onUpdate('cascade'),
  ],
);

export const jiraComments = pgTable(
  'jira_comments',
  {
    jiraCommentId: text('jira_comment_id').primaryKey(),
    jiraKey: text('jira_key')
      .notNull()
      .references(() => cards.jiraKey, { onDelete: 'cascade' }),
    // The card's case when it is stored; a comment belongs to its card, so a card whose case is not
    // stored keeps its comments with no case reference.
    caseNumber: text('case_number'),
    caseCreatedDate: tstz('case_created_date'),
    author: text('author'),
    body: text('body').notNull(),
    bodyFormat: text('body_format').notNull().default('wiki'),
    createdAt: tstz('created_at').notNull(),
    lastUpdateDate: tstz('last_update_date').notNull(),
    searchVector: tsvector('search_vector').generatedAlwaysAs(
      (): SQL => searchDoc([sql`${jiraComments.body}`, 'C']),
    ),
    syncedAt: tstz('synced_at').notNull().defaultNow(),
  },
  (t) => [
    index('jira_comments_card_idx').on(t.jiraKey, t.lastUpdateDate),
    index('jira_comments_case_idx').on(t.caseNumber, t.caseCreatedDate),
    index('jira_comments_updated_idx').on(t.lastUpdateDate),
    index('jira_comments_search_idx').using('gin', t.searchVector),
    foreignKey({
      columns: [t.caseNumber, t.caseCreatedDate],
      foreignColumns: [cases.caseNumber, cases.createdDate],
    })
      .onDelete('set null')
      .onUpdate('cascade'),
  ],
);

export const bugs = pgTable('bugs', {
  bugId: text('bug_id').primaryKey(),
  summary: text('summary'),
  status: text('status'),
  severity: text('severity'),
  priority: text('priority'),
  component: text('component').array(),
  targetRelease: text('target_release').array(),
  assignee: text('assignee'),
  qaContact: text('qa_contact'),
  lastChangeTime: tstz('last_change_time'),
  internalWhiteboard: text('internal_whiteboard'),
  keywords: text('keywords').array(),
  // Restricted or missing upstream: kept as a row so the UI can say so instead of hiding the link.
  unavailable: boolean('unavailable').notNull().default(false),
  unavailableReason: text('unavailable_reason'),
  raw: jsonb('raw').notNull(),
  syncedAt: tstz('synced_at').notNull().defaultNow(),
});

export const caseBugs = pgTable(
  'case_bugs',
  {
    ...caseRef,
    bugId: text('bug_id').notNull(),
    linkedAt: tstz('linked_at'),
    portalStatus: text('portal_status'),
    portalSummary: text('portal_summary'),
  },
  (t) => [
    primaryKey({ columns: [t.caseNumber, t.caseCreatedDate, t.bugId] }),
    index('case_bugs_bug_idx').on(t.bugId),
    foreignKey({
      columns: [t.caseNumber, t.caseCreatedDate],
      foreignColumns: [cases.caseNumber, cases.createdDate],
    })
      .onDelete('cascade')
      .onUpdate('cascade'),
  ],
);

export const issues = pgTable('issues', {
  issueKey: text('issue_key').primaryKey(),
  url: text('url'),
  title: text('title'),
  status: text('status'),
  updatedAt: tstz('updated_at'),
  qaContact: text('qa_contact'),
  severity: text('severity'),
  issueType: text('issue_type'),
  assignee: text('assignee'),
  fixVersions: text('fix_versions').array(),
  priority: text('priority'),
  privateKeywords: text('private_keywords').array(),
  raw: jsonb('raw').notNull(),
  syncedAt: tstz('synced_at').notNull().defaultNow(),
});

export const caseIssues = pgTable(
  'case_issues',
  {
    ...caseRef,
    issueKey: text('issue_key').notNull(),
    url: text('url'),
    title: text('title'),
    portalStatus: text('portal_status'),
    lastModifiedAt: tstz('last_modified_at'),
  },
  (t) => [
    primaryKey({ columns: [t.caseNumber, t.caseCreatedDate, t.issueKey] }),
    index('case_issues_issue_idx').on(t.issueKey),
    foreignKey({
      columns: [t.caseNumber, t.caseCreatedDate],
      foreignColumns: [cases.caseNumber, cases.createdDate],
    })
      .onDelete('cascade')
      .onUpdate('cascade'),
  ],
);

export const escalations = pgTable(
  'escalations',
  {
    issueKey: text('issue_key').primaryKey(),
    url: text('url'),
    summary: text('summary'),
    status: text('status').notNull(),
    caseNumbers: text('case_numbers').array().notNull().default(sql`'{}'::text[]`),
    updatedAt: tstz('updated_at'),
    raw: jsonb('raw').notNull(),
    syncedAt: tstz('synced_at').notNull().defaultNow(),
  },
  (t) => [index('escalations_case_numbers_idx').using('gin', t.caseNumbers)],
);

// The dashboard's card table, one row per card with what the table filters, sorts, counts and shows
// (the card, its case, crit sit, prio-list, latest JIRA comment), so a filtered, sorted page of 100k
// cards is one index scan instead of a five-table join, and needs no second query to complete it. It is derived data: triggers on the
// source tables only mark the affected cards in card_index_dirty (cheap, inside the writer's
// transaction), and readers recompute the marked rows before they read
// (src/store/read-model/card-index.ts). Recomputing in a statement that sees the mark also sees the
// commit that made it, so the table never keeps a stale row the way an eager trigger racing a
// concurrent write could.
export const cardIndex = pgTable(
  'card_index',
  {
    jiraKey: text('jira_key').primaryKey(),
    caseNumber: text('case_number'),
    caseCreatedDate: tstz('case_created_date'),
    severity: smallint('severity'),
    severityLabel: text('severity_label'),
    account: text('account'),
    product: text('product'),
    caseStatus: text('case_status'),
    summary: text('summary').notNull(),
    caseLastUpdate: tstz('case_last_update'),
    caseClosedDate: tstz('case_closed_date'),
    cardStatus: text('card_status').notNull(),
    assigneeName: text('assignee_name'),
    isTrends: boolean('is_trends').notNull(),
    isPotentialEscalation: boolean('is_potential_escalation').notNull(),
    isDailyTelco: boolean('is_daily_telco').notNull(),
    critSit: boolean('crit_sit').notNull(),
    escalated: boolean('escalated').notNull(),
    // 2 on the prio-list, 1 potentially (label, not escalated), 0 not: the table's sort order.
    prioRank: smallint('prio_rank').notNull(),
    lastCommentAt: tstz('last_comment_at'),
    cardUpdatedAt: tstz('card_updated_at').notNull(),
    // Shown on every row (not filtered on): copied so a page is a single statement. The latest
    // comment is referenced, not copied: its body would widen every row the facet counts scan.
    contributors: jsonb('contributors').notNull().default(sql`'[]'::jsonb`),
    labels: text('labels').array().notNull().default(sql`'{}'::text[]`),
    priority: text('priority'),
    productVersion: text('product_version'),
    lastCommentId: text('last_comment_id'),
    // The card's case's search document (cases.search_vector, copied): full-text `q` on the table
    // is then a GIN bitmap scan of card_index itself, OR-ed with the other conditions, instead of
    // collecting matching case numbers from the wide cases table and probing card_index with them.
    searchVector: tsvector('search_vector'),
  },
  (t) => [
    // The table's default order (most severe, prio-list, crit sit first): a page of 50 stops early.
    index('card_index_default_order_idx').on(
      t.severity.asc().nullsLast(),
      t.prioRank.desc().nullsLast(),
      t.critSit.desc().nullsLast(),
      t.jiraKey.asc().nullsLast(),
    ),
    index('card_index_case_idx').on(t.caseNumber, t.caseCreatedDate),
    index('card_index_account_idx').on(t.account),
    index('card_index_case_status_idx').on(t.caseStatus),
    index('card_index_card_status_idx').on(t.cardStatus),
    index('card_index_assignee_idx').on(t.assigneeName),
    index('card_index_last_comment_idx').on(t.lastCommentAt),
    index('card_index_case_last_update_idx').on(t.caseLastUpdate),
    index('card_index_search_idx').using('gin', t.searchVector),
  ],
);

/** Cards whose card_index row must be recomputed before the next read. */
export const cardIndexDirty = pgTable('card_index_dirty', {
  jiraKey: text('jira_key').primaryKey(),
});

export const statsSnapshots = pgTable('stats_snapshots', {
  day: date('day', { mode: 'string' }).primaryKey(),
  metrics: jsonb('metrics').notNull(),
  takenAt: tstz('taken_at').notNull().defaultNow(),
});

export const syncState = pgTable('sync_state', {
  source: text('source').primaryKey(),
  cursor: tstz('cursor'),
  lastFullAt: tstz('last_full_at'),
  details: jsonb('details').notNull().default(sql`'{}'::jsonb`),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});

export const syncRuns = pgTable(
  'sync_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    job: text('job').notNull(),
    trigger: text('trigger').notNull(),
    status: text('status').notNull(),
    startedAt: tstz('started_at').notNull().defaultNow(),
    finishedAt: tstz('finished_at'),
    fetched: integer('fetched').notNull().default(0),
    changed: integer('changed').notNull().default(0),
    quarantined: integer('quarantined').notNull().default(0),
    upstreamRequests: integer('upstream_requests').notNull().default(0),
    progress: jsonb('progress').notNull().default(sql`'{}'::jsonb`),
    error: text('error'),
    // What a job that writes upstream did, would have done under READ_ONLY, or refused and why
    // (`runOutcomeSchema` in src/shared/api/sync.ts); null for jobs that only read.
    outcome: jsonb('outcome'),
    /** Set on a run that succeeded while a job it reads from had failed: done, but not fresh. */
    inputError: text('input_error'),
  },
  (t) => [
    index('sync_runs_job_started_idx').on(t.job, t.startedAt),
    index('sync_runs_started_idx').on(t.startedAt),
  ],
);

export const quarantine = pgTable(
  'quarantine',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    source: text('source').notNull(),
    externalId: text('external_id').notNull(),
    payload: jsonb('payload').notNull(),
    reason: text('reason').notNull(),
    firstSeen: tstz('first_seen').notNull().defaultNow(),
    lastSeen: tstz('last_seen').notNull().defaultNow(),
    occurrences: integer('occurrences').notNull().default(1),
    runId: uuid('run_id'),
    // Set when a later run stored the same record successfully.
    resolvedAt: tstz('resolved_at'),
  },
  (t) => [uniqueIndex('quarantine_source_external_id_key').on(t.source, t.externalId)],
);

export const changeLog = pgTable(
  'change_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    entity: text('entity').notNull(),
    entityKey: text('entity_key').notNull(),
    op: text('op').notNull(),
    changes: jsonb('changes').notNull(),
    changedAt: tstz('changed_at').notNull().defaultNow(),
    runId: uuid('run_id'),
  },
  (t) => [
    index('change_log_entity_idx').on(t.entity, t.entityKey),
    index('change_log_changed_at_idx').on(t.changedAt),
  ],
);

// One row per job that has alerted: when the last alert went out and how many were held back since,
// so the alert rate limit holds across every worker process, not per process.
// Short-lived upstream access tokens (the Red Hat SSO exchange of the Portal's offline token), shared
// by every run and process until shortly before they expire, so a loop of refreshes makes one
// exchange instead of one per run. `cache_key` is a hash of the token endpoint, client id and offline
// token: a changed credential never reads a token issued for the old one. Never logged.
export const accessTokens = pgTable('access_tokens', {
  cacheKey: text('cache_key').primaryKey(),
  accessToken: text('access_token').notNull(),
  validUntil: tstz('valid_until').notNull(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});

export const alertThrottle = pgTable('alert_throttle', {
  job: text('job').primaryKey(),
  lastSentAt: tstz('last_sent_at').notNull(),
  suppressed: integer('suppressed').notNull().default(0),
});

// One row per case that card creation has claimed: the guarantee that a case gets at most one card,
// even across crashed runs and concurrent workers, is this primary key. A run claims the case here
// (committed) BEFORE it calls JIRA, records the key as soon as JIRA answers, and moves `step` on as
// each follow-up (sprint, transition, links, watcher, stored, notified) is done, so a crashed or
// failed run is resumed where it stopped instead of creating a second card. `run_id` + `claimed_at`
// are a lease: another run may take over a claim only when it was released (run_id null, after a
// failure) or is older than the lease. A reopen re-uses the row (kind 'reopen'); `reopen_log_id` is
// the change_log row of the Closed → open transition it acted on, so one reopening is handled once.
export const cardCreations = pgTable(
  'card_creations',
  {
    caseNumber: text('case_number').primaryKey(),
    kind: text('kind').notNull().default('create'),
    runId: text('run_id'),
    claimedAt: tstz('claimed_at').notNull().defaultNow(),
    jiraKey: text('jira_key'),
    step: text('step').notNull().default('claimed'),
    assignee: text('assignee'),
    attempts: integer('attempts').notNull().default(1),
    lastError: text('last_error'),
    reopenLogId: bigint('reopen_log_id', { mode: 'number' }),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('card_creations_step_idx').on(t.step),
    uniqueIndex('card_creations_jira_key_key').on(t.jiraKey),
  ],
);

// The "New Card(s)" notifications of card creation, one row per card and channel (`mail`, `slack`),
// claimed like the card itself in `card_creations`: a run may claim a card's notification only while
// it holds that card's claim, and a sent one is never claimed again. So a worker that was paused
// past its lease (and whose cards another run finished and announced) sends nothing when it wakes.
export const cardNotifications = pgTable(
  'card_notifications',
  {
    caseNumber: text('case_number').notNull(),
    channel: text('channel').notNull(),
    runId: text('run_id'),
    claimedAt: tstz('claimed_at').notNull().defaultNow(),
    sentAt: tstz('sent_at'),
    // `sent`, `blocked` (READ_ONLY), `failed`, `skipped` (no recipient/channel); null while claimed.
    result: text('result'),
    error: text('error'),
  },
  (t) => [primaryKey({ columns: [t.caseNumber, t.channel] })],
);

// What the Redis mirror last wrote for each record of a Redis key (a blob such as `cards` holds
// thousands): the record's content hash, so a change to one card in the blob rewrites that card
// only. `quarantined` records failed validation; they are not retried until their content changes.
export const mirrorRecords = pgTable(
  'mirror_records',
  {
    redisKey: text('redis_key').notNull(),
    recordId: text('record_id').notNull(),
    hash: text('hash').notNull(),
    quarantined: boolean('quarantined').notNull().default(false),
    mirroredAt: tstz('mirrored_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.redisKey, t.recordId] })],
);

// The users the original dashboard knew (its just-in-time SAML logins, the `users` Redis key),
// brought over by the mirror with every attribute the identity provider sent.
export const mirroredUsers = pgTable('mirrored_users', {
  userId: text('user_id').primaryKey(),
  displayName: text('display_name'),
  email: text('email'),
  groups: text('groups').array().notNull().default(sql`'{}'::text[]`),
  attributes: jsonb('attributes').notNull(),
  syncedAt: tstz('synced_at').notNull().defaultNow(),
});

// Sign-in. A user row is created at the first login and its role re-evaluated at every login from
// the identity provider's groups; `role` is null while none of the groups maps to a role.
export const users = pgTable('users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email'),
  groups: text('groups').array().notNull().default(sql`'{}'::text[]`),
  role: text('role'),
  attributes: jsonb('attributes').notNull().default(sql`'{}'::jsonb`),
  firstLoginAt: tstz('first_login_at').notNull().defaultNow(),
  lastLoginAt: tstz('last_login_at').notNull().defaultNow(),
});

// A session row per signed-in browser. `id_hash` is an HMAC of the cookie's value under the session
// secret, so reading the table does not give anyone a usable session.
export const sessions = pgTable(
  'sessions',
  {
    idHash: text('id_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: tstz('created_at').notNull().defaultNow(),
    lastSeenAt: tstz('last_seen_at').notNull().defaultNow(),
    // What the identity provider's logout needs: the OIDC ID token, or the SAML NameID and SessionIndex (JSON).
    idToken: text('id_token'),
  },
  (t) => [index('sessions_user_idx').on(t.userId), index('sessions_last_seen_idx').on(t.lastSeenAt)],
);

// Outstanding SAML sign-ins, shared by every web process: a row per AuthnRequest sent to the IdP.
// `answered_at` marks the request redeemed (a replayed response is refused); the validated identity
// waits in `identity` until the browser that began the sign-in (its cookie names the request id)
// collects it, so a response posted from another browser signs nobody in.
export const samlRequests = pgTable(
  'saml_requests',
  {
    id: text('id').primaryKey(),
    createdAt: tstz('created_at').notNull().defaultNow(),
    answeredAt: tstz('answered_at'),
    identity: jsonb('identity'),
    returnTo: text('return_to'),
  },
  (t) => [index('saml_requests_created_idx').on(t.createdAt)],
);

// Fixed-window request counters for the rate-limited routes (sign-in, tokens, refresh), shared by
// every web process so a limit means the same with one process or ten.
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  windowStart: tstz('window_start').notNull().defaultNow(),
  hits: integer('hits').notNull(),
});

// Personal API tokens: only the SHA-256 of the token is kept; the token itself is shown once.
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    role: text('role').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
    expiresAt: tstz('expires_at').notNull(),
    lastUsedAt: tstz('last_used_at'),
    revokedAt: tstz('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash_key').on(t.tokenHash), index('api_tokens_user_idx').on(t.userId)],
);

// Who did what: logins, denials, refresh triggers, upstream-writing jobs, token changes.
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: tstz('at').notNull().defaultNow(),
    actor: text('actor'),
    action: text('action').notNull(),
    target: text('target'),
    ip: text('ip'),
    detail: jsonb('detail').notNull().default(sql`'{}'::jsonb`),
  },
  (t) => [index('audit_log_at_idx').on(t.at), index('audit_log_action_idx').on(t.action, t.at)],
);
