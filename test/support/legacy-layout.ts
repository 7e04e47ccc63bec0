// Data in the original dashboard's Redis layout (what its fake-data generator and its jobs wrote),
// with its quirks: int issue ids, nulls, JIRA `+0000` dates, "YYYY-MM-DD HH:MM" case update times,
// epoch-ms relief times, the partial card shape card creation merged in, HTML comment bodies.

export type LegacyLayout = Record<string, unknown>;

const SEVERITIES = ['1 (Urgent)', '2 (High)', '3 (Normal)', '4 (Low)'] as const;
const STATUSES = ['Waiting on Red Hat', 'Waiting on Customer', 'Closed'] as const;
const CARD_STATUSES = ['Backlog', 'Debugging', 'Eng Working', 'Ready To Close', 'Done'] as const;

export const caseNumberOf = (i: number) => String(40_000_000 + i);
export const cardKeyOf = (i: number) => `RUOX-${1000 + i}`;

export function legacyCase(i: number) {
  const status = STATUSES[i % 3]!;
  return {
    account: `Account ${i % 7}`,
    createdate: `2024-0${(i % 9) + 1}-1${i % 10}T10:00:00Z`,
    description: `Description of case ${i}`,
    last_update: `2025-01-0${(i % 9) + 1}T12:30:00Z`,
    owner: i % 5 === 0 ? null : `Owner ${i % 4}`,
    problem: `Problem number ${i}`,
    product: 'OpenShift 4.14',
    severity: SEVERITIES[i % 4]!,
    status,
    ...(i % 2 === 0 ? { bug: String(2_000_000 + i) } : {}),
    ...(i % 3 === 0 ? { tags: ['telco', `t${i}`] } : {}),
    ...(status === 'Closed' ? { closeddate: '2025-02-01T00:00:00Z' } : {}),
  };
}

export function legacyBug(i: number) {
  return {
    bugzillaLink: `https://bugzilla.redhat.com/show_bug.cgi?id=${2_000_000 + i}`,
    bugzillaNumber: String(2_000_000 + i),
    caseNumber: caseNumberOf(i),
    linkedAt: '2024-05-01T00:00:00Z',
    status: 'NEW',
    summary: `Bug ${i}`,
    target_release: [i % 2 ? '4.14.z' : '---'],
    assignee: 'dev@example.com',
    last_change_time: '2025-01-02',
    internal_whiteboard: null,
    qa_contact: 'qa@example.com',
    severity: 'high',
  };
}

export function legacyIssue(i: number) {
  return {
    // An int, as the original's fake data has it.
    id: 700 + i,
    url: `https://issues.example.com/browse/OCPBUGS-${700 + i}`,
    title: `Issue ${i}`,
    status: 'New',
    updated: '2025-01-03',
    qa_contact: null,
    jira_severity: 'Important',
    jira_type: 'Bug',
    assignee: null,
    fix_versions: i % 2 ? null : ['---'],
    priority: 'Major',
    private_keywords: i % 2 ? ['Telco:Priority-1', 'x'] : null,
  };
}

export function legacyCard(i: number, opts: { summarySuffix?: string } = {}) {
  const c = legacyCase(i);
  return {
    card_status: CARD_STATUSES[i % CARD_STATUSES.length]!,
    card_created: '2024-12-30T17:37:18.000+0000',
    account: c.account,
    summary: `${c.problem}${opts.summarySuffix ?? ''}`,
    description: c.description,
    comments: [
      [`<p>First &amp; <b>only</b> note on ${i}</p>`, '2025-01-05T10:00:00.000+0000'],
      ['Second note<br/>two lines', '2025-01-06T10:00:00.000+0000'],
    ],
    assignee:
      i % 10 === 9
        ? { displayName: null, accountId: null, emailAddress: null }
        : {
            displayName: `Engineer ${i % 3}`,
            accountId: `acc-${i % 3}`,
            emailAddress: `e${i % 3}@example.com`,
          },
    contributor: [{ displayName: 'Helper', accountId: 'acc-h', emailAddress: 'h@example.com' }],
    case_number: caseNumberOf(i),
    tags: [],
    labels: ['field', ...(i % 4 === 0 ? ['Trends'] : [])],
    bugzilla: i % 2 === 0 ? [legacyBug(i)] : null,
    issues: i % 3 === 0 ? [legacyIssue(i)] : null,
    severity: c.severity.replace(/^\d \((\w+)\)$/, '$1'),
    priority: 'Major',
    escalated: i % 5 === 0,
    escalated_link: i % 5 === 0 ? `https://issues.example.com/browse/RHOCPPRIO-${i}` : null,
    potential_escalation: false,
    daily_telco: false,
    product: c.product,
    case_status: c.status,
    crit_sit: i % 6 === 0,
    group_name: null,
    case_updated_date: '2025-01-01 12:30',
    case_days_open: 300,
    case_created: c.createdate,
    notified_users: [{ ssoUsername: 'watcher', title: 'SRE' }],
    relief_at: i % 2 ? 1_735_689_600_000 : null,
    resolved_at: i % 2 ? '2025-01-10T00:00:00Z' : null,
  };
}

/** The partial shape card creation writes (no case dates, no details, comments null). */
export function partialCard(i: number) {
  const c = legacyCase(i);
  return {
    card_status: 'New',
    card_created: '2025-03-01T09:00:00.000+0000',
    account: c.account,
    summary: `${caseNumberOf(i)}: ${c.problem}`,
    description: c.description,
    comments: null,
    assignee: {
      name: 'Robin Fernandez',
      jira_user: 'rfernand',
      slack_user: 'U123',
      accounts: [],
      displayName: 'Robin Fernandez',
    },
    case_number: caseNumberOf(i),
    tags: [],
    labels: ['field'],
    bugzilla: String(2_000_000 + i),
    severity: c.severity.replace(/^\d \((\w+)\)$/, '$1'),
    priority: 'Major',
    case_status: c.status,
    escalated: false,
    crit_sit: false,
  };
}

/** `cases` cases with one card each; cases ≥ `withCases` appear only inside their card. */
export function legacyLayout(n: number, opts: { cardsOnly?: number; partial?: number[] } = {}): LegacyLayout {
  const cases: Record<string, unknown> = {};
  const cards: Record<string, unknown> = {};
  const bugs: Record<string, unknown> = {};
  const issues: Record<string, unknown> = {};
  const details: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    if (i < n - (opts.cardsOnly ?? 0)) cases[caseNumberOf(i)] = legacyCase(i);
    cards[cardKeyOf(i)] = opts.partial?.includes(i) ? partialCard(i) : legacyCard(i);
    if (i % 2 === 0) bugs[caseNumberOf(i)] = [legacyBug(i)];
    if (i % 3 === 0) issues[caseNumberOf(i)] = [legacyIssue(i)];
    if (i % 4 === 1)
      details[caseNumberOf(i)] = {
        crit_sit: true,
        group_name: 'Telco',
        notified_users: [],
        relief_at: null,
        resolved_at: 1_735_689_600_000,
      };
  }
  return {
    cases,
    cards,
    bugs,
    issues,
    details,
    case_bz: { [caseNumberOf(0)]: [legacyBug(0)] },
    escalations: [`https://access.redhat.com/support/cases/#/case/${caseNumberOf(1)}`],
    stats: {
      '2025-01-01': {
        open_cases: 10,
        escalated: 1,
        bugs: { unique: 3, no_target: 1 },
        daily_opened_cases: 2,
      },
      '2025-01-02': {
        open_cases: 12,
        escalated: 2,
        bugs: { unique: 4, no_target: 1 },
        daily_opened_cases: 3,
      },
    },
    users: {
      'uuid-1': {
        rhatUUID: ['uuid-1'],
        givenName: ['Ada'],
        sn: ['Lovelace'],
        mail: ['ada@example.com'],
        memberOf: ['team'],
      },
    },
    timestamp: '2026-07-30 14:21:03.123456+00:00',
  };
}

/** Writes the layout as the original did: one JSON string per key, with MSET. */
export async function writeLayout(
  redis: { mset(...args: string[]): Promise<unknown> },
  layout: LegacyLayout,
): Promise<void> {
  await redis.mset(...Object.entries(layout).flatMap(([k, v]) => [k, JSON.stringify(v)]));
}
