/**
 * Builds the simulated world from (case count, seed, anchor time). Same inputs, same world.
 * Proportions follow what a field-support team sees: mostly Normal severity, most old cases
 * closed, a share of cases opened in the last week, one card per tracked case, a few escalations.
 */
import { SIM_DEFAULTS } from './constants.js';
import type {
  CaseStatus,
  SeverityLevel,
  SimAccount,
  SimBoard,
  SimBug,
  SimCase,
  SimIssue,
  SimProject,
  SimSprint,
  SimTeamMember,
  SimUser,
} from './model.js';
import { createRng, hashParts, type Rng } from './rng.js';
import { SimulatorState } from './state.js';
import { CASE_OWNERS, ENGINEERS, LOCALES, TEAM } from './vocab-names.js';
import { GROUP_NAMES, LOCALIZED_SUMMARIES, PRODUCTS, type ProductDef, TAGS } from './vocab-text.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SPRINT_LENGTH = 21 * DAY;
const CLOSED_SPRINTS = 10;
const FIRST_SPRINT_NUMBER = 178;

export interface GeneratorOptions {
  cases: number;
  seed: number;
  /** Epoch ms that generated "now" is anchored to. */
  anchor: number;
}

export const SEVERITY_LABELS: Record<SeverityLevel, string> = {
  1: '1 (Urgent)',
  2: '2 (High)',
  3: '3 (Normal)',
  4: '4 (Low)',
};

/** portal2jira_sevs from the original. */
export const SEVERITY_TO_PRIORITY: Record<SeverityLevel, string> = {
  1: 'Critical',
  2: 'Major',
  3: 'Normal',
  4: 'Minor',
};

const CARD_CUSTOM_FIELDS = ['contributors', 'releaseNoteText', 'sprint', 'storyPoints'] as const;
const BUG_FIELDS_WITH_KEYWORDS = [
  'qaContact',
  'severity',
  'privateKeywords',
  'internalWhiteboard',
  'sprint',
] as const;
const BUG_FIELDS_WITHOUT_KEYWORDS = ['qaContact', 'severity', 'internalWhiteboard'] as const;

export function generateState(opts: GeneratorOptions): SimulatorState {
  const { seed, anchor } = opts;
  // Generated history ends a few minutes before the anchor, so "changed since start" queries
  // (incremental syncs) see only what the simulator changed while running.
  const latest = anchor - 10 * MINUTE;
  const rng = createRng(seed, 'world');
  const users = buildUsers();
  const team = TEAM.map((m) => ({ ...m, accounts: [...m.accounts] }));
  const teamUsers = team.map((m) => mustFind(users, m.jira_account_id));
  const engineerUsers = users.filter((u) => !team.some((m) => m.jira_account_id === u.accountId));
  const accounts = buildAccounts(rng.fork('accounts'), opts.cases);
  const projects = buildProjects();
  const board: SimBoard = {
    id: SIM_DEFAULTS.boardId,
    name: SIM_DEFAULTS.boardName,
    type: 'scrum',
    projectKey: SIM_DEFAULTS.jiraProject,
  };
  const boards: SimBoard[] = [
    board,
    { id: 1301, name: 'RHOCPPRIO Prio List', type: 'kanban', projectKey: 'RHOCPPRIO' },
  ];
  const sprints = buildSprints(anchor);
  const activeSprint = sprints.find((s) => s.state === 'active');
  if (!activeSprint) throw new Error('generator: no active sprint');

  const cases = buildCases(rng.fork('cases'), opts.cases, latest, accounts, team);
  const issues: SimIssue[] = [];
  const bugs = new Map<number, SimBug>();
  let nextIssueId = 15_000_000;
  const usedKeys = new Map<string, Set<number>>();
  const uniqueKeyNumber = (r: Rng, project: string): number => {
    let set = usedKeys.get(project);
    if (!set) {
      set = new Set();
      usedKeys.set(project, set);
    }
    for (;;) {
      const n = r.int(1000, 99999);
      if (!set.has(n)) {
        set.add(n);
        return n;
      }
    }
  };

  // Linked engineering issues and Bugzilla bugs.
  const linkedPools = new Map<string, SimIssue[]>();
  const bugPool: SimBug[] = [];
  for (const c of cases) {
    const r = createRng(seed, 'links', c.number);
    const product = productOf(c);
    const wantsLinks = c.status === 'Closed' ? r.chance(0.2) : r.chance(0.4);
    if (wantsLinks) {
      const count = r.weighted([
        [1, 70],
        [2, 22],
        [3, 8],
      ] as const);
      for (let k = 0; k < count; k++) {
        let issue: SimIssue;
        const pool = linkedPools.get(product.jiraProject) ?? [];
        linkedPools.set(product.jiraProject, pool);
        // Some engineering issues are shared by several cases, as in real life.
        if (pool.length > 0 && r.chance(0.2)) issue = r.pick(pool.slice(-50));
        else {
          issue = buildLinkedIssue(
            r,
            nextIssueId++,
            uniqueKeyNumber(r, product.jiraProject),
            c,
            product,
            engineerUsers,
            latest,
          );
          pool.push(issue);
          issues.push(issue);
        }
        if (!c.linkedIssueKeys.includes(issue.key)) c.linkedIssueKeys.push(issue.key);
      }
    }
    const wantsBug = r.chance(c.created < anchor - 365 * DAY ? 0.3 : 0.15);
    if (wantsBug) {
      const count = r.chance(0.2) ? 2 : 1;
      for (let k = 0; k < count; k++) {
        let bug: SimBug;
        if (bugPool.length > 0 && r.chance(0.2)) bug = r.pick(bugPool.slice(-50));
        else {
          bug = buildBug(r, bugs, c, product, latest);
          bugs.set(bug.id, bug);
          bugPool.push(bug);
        }
        if (!c.bugzillaNumbers.includes(String(bug.id))) {
          c.bugzillaNumbers.push(String(bug.id));
          bug.caseNumbers.push(c.number);
        }
      }
    }
  }

  // Escalations: a few open cases are on the prio-list; some closed ones were.
  const escProject = SIM_DEFAULTS.escalationsProject;
  for (const c of cases) {
    const r = createRng(seed, 'escalation', c.number);
    const open = c.status !== 'Closed';
    if (!(open ? r.chance(0.06) : r.chance(0.015))) continue;
    const issue = buildEscalation(
      r,
      nextIssueId++,
      uniqueKeyNumber(r, escProject),
      c,
      open,
      engineerUsers,
      latest,
    );
    // A few escalations list a second case; the rendered field then reads "a, b".
    const other = cases[r.int(0, cases.length - 1)];
    if (r.chance(0.08) && other && other.number !== c.number) issue.sfdcCaseLinks.push(other.number);
    issues.push(issue);
    if (r.chance(0.7)) c.linkedIssueKeys.push(issue.key);
  }
  // Even a tiny data set shows one prio-list entry, so the escalation views have something.
  const firstOpen = cases.find((c) => c.status !== 'Closed');
  if (firstOpen && !issues.some((i) => i.role === 'escalation' && i.status !== 'Closed')) {
    const r = createRng(seed, 'escalation-fallback');
    const issue = buildEscalation(
      r,
      nextIssueId++,
      uniqueKeyNumber(r, escProject),
      firstOpen,
      true,
      engineerUsers,
      latest,
    );
    issues.push(issue);
    firstOpen.linkedIssueKeys.push(issue.key);
  }
  // Some prio-list issues belong to other teams (no Telco5g label) so the label filter matters.
  const otherRng = createRng(seed, 'other-escalations');
  for (let k = 0; k < Math.max(2, Math.floor(cases.length / 100)); k++) {
    const c = otherRng.pick(cases);
    const issue = buildEscalation(
      otherRng,
      nextIssueId++,
      uniqueKeyNumber(otherRng, escProject),
      c,
      true,
      engineerUsers,
      latest,
    );
    issue.labels = ['CNV-prio'];
    issues.push(issue);
  }

  // Team cards: one per tracked case, in case creation order so keys grow with time.
  let cardNumber = 1000;
  const openCases = cases.filter((c) => c.status !== 'Closed');
  // At least one open case (and ~8%) deliberately has no card so card creation has work to do.
  const noCard = new Set<string>();
  for (const c of openCases) if (createRng(seed, 'no-card', c.number).chance(0.08)) noCard.add(c.number);
  const lastOpen = openCases[openCases.length - 1];
  if (noCard.size === 0 && lastOpen) noCard.add(lastOpen.number);
  for (const c of cases) {
    const r = createRng(seed, 'card', c.number);
    const ageDays = (anchor - c.created) / DAY;
    const tracked = c.status !== 'Closed' ? !noCard.has(c.number) : r.chance(ageDays < 365 ? 0.5 : 0.15);
    if (!tracked) continue;
    // A team tracks the cases of its query; only a few cards track a case outside it (its tag was
    // dropped after the card was made), so about 1% of cards have a case the dashboard does not store.
    if (!c.tags?.includes(SIM_DEFAULTS.caseTag) && !r.chance(0.05)) continue;
    const card = buildCard(r, nextIssueId++, cardNumber++, c, team, teamUsers, sprints, activeSprint, latest);
    issues.push(card);
  }

  // Likewise one card always has more comments than a search result embeds.
  const cards = issues.filter((i) => i.role === 'card');
  const busiest = cards.find((i) => i.status !== 'Done' && i.status !== 'Closed') ?? cards[0];
  if (busiest && !cards.some((i) => i.baseCommentCount > SIM_DEFAULTS.jiraEmbeddedComments))
    busiest.baseCommentCount = 27;

  return new SimulatorState({
    seed,
    anchor,
    cases,
    issues,
    projects,
    boards,
    sprints,
    users,
    team,
    bugs: [...bugs.values()],
    escalationsProject: SIM_DEFAULTS.escalationsProject,
    escalationsLabel: SIM_DEFAULTS.escalationsLabel,
  });
}

/** Like `rng.weighted`, but with a precomputed cumulative table for long lists (accounts). */
function weightedPicker<T>(entries: readonly (readonly [T, number])[]): (r: Rng) => T {
  const cumulative: number[] = [];
  let total = 0;
  for (const [, w] of entries) {
    total += w;
    cumulative.push(total);
  }
  return (r) => {
    const roll = r.next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] ?? 0) > roll) hi = mid;
      else lo = mid + 1;
    }
    const entry = entries[lo];
    if (!entry) throw new Error('weightedPicker: empty list');
    return entry[0];
  };
}

function mustFind(users: SimUser[], accountId: string): SimUser {
  const u = users.find((x) => x.accountId === accountId);
  if (!u) throw new Error(`generator: unknown user ${accountId}`);
  return u;
}

function slug(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, '');
}

export function userFromName(displayName: string, sequence: number): SimUser {
  const parts = displayName.split(' ');
  const first = parts[0] ?? displayName;
  const last = parts[parts.length - 1] ?? displayName;
  const login = `${slug(first).slice(0, 1)}${slug(last)}`;
  const h = hashParts([displayName]).toString(16).padStart(8, '0');
  return {
    accountId: `5f${h}${String(sequence).padStart(4, '0')}a1b2c3d4e5f6a7`,
    name: login,
    key: `JIRAUSER${100200 + sequence}`,
    displayName,
    email: `${login}@redhat.com`,
    active: true,
    timeZone: USER_TIME_ZONES[sequence % USER_TIME_ZONES.length] as string,
  };
}

/** A distributed team: JIRA reads each user's JQL dates in their own profile zone, on both sides of UTC. */
const USER_TIME_ZONES = [
  'Europe/Prague',
  'America/New_York',
  'Asia/Kolkata',
  'America/Los_Angeles',
  'Etc/UTC',
];

function buildUsers(): SimUser[] {
  const users: SimUser[] = TEAM.map((m, i) => ({
    accountId: m.jira_account_id,
    name: m.jira_user,
    key: `JIRAUSER${100100 + i}`,
    displayName: m.name,
    email: `${m.jira_user.replace('rhn-support-', '')}@redhat.com`,
    active: m.active,
    timeZone: USER_TIME_ZONES[i % USER_TIME_ZONES.length] as string,
  }));
  ENGINEERS.forEach((name, i) => {
    users.push(userFromName(name, i));
  });
  return users;
}

function buildAccounts(rng: Rng, caseCount: number): { account: SimAccount; weight: number }[] {
  const out: { account: SimAccount; weight: number }[] = [];
  let number = 5_400_000;
  for (const pool of LOCALES) {
    for (const name of pool.accounts) {
      number += rng.int(1, 900);
      out.push({
        account: { name, number: String(number), locale: pool.locale },
        weight: pool.locale === 'en' ? 6 : 4,
      });
    }
  }
  // Larger data sets get a long tail of smaller accounts.
  const wanted = Math.min(600, Math.floor(caseCount / 40));
  const seen = new Set(out.map((a) => a.account.name));
  for (let attempts = 0; out.length < wanted && attempts < wanted * 20; attempts++) {
    const pool = rng.pick(LOCALES);
    const name = `${rng.pick(pool.stems)} ${rng.pick(pool.suffixes)}`;
    if (seen.has(name)) continue;
    seen.add(name);
    number += rng.int(1, 900);
    out.push({ account: { name, number: String(number), locale: pool.locale }, weight: 1 });
  }
  return out;
}

function personName(rng: Rng, locale: string): string {
  const pool = LOCALES.find((l) => l.locale === locale) ?? LOCALES[0];
  if (!pool) return 'Jordan Doe';
  return `${rng.pick(pool.firstNames)} ${rng.pick(pool.lastNames)}`;
}

function productOf(c: SimCase): ProductDef {
  return PRODUCTS.find((p) => p.name === c.product) ?? (PRODUCTS[0] as ProductDef);
}

function buildProjects(): SimProject[] {
  const bugTypes = ['Bug', 'Story', 'Task', 'Epic', 'Feature', 'Vulnerability'];
  const projects: SimProject[] = [
    {
      id: SIM_DEFAULTS.jiraProjectId,
      key: SIM_DEFAULTS.jiraProject,
      name: SIM_DEFAULTS.jiraProjectName,
      issueTypes: ['Story', 'Task', 'Bug', 'Epic'],
      components: [SIM_DEFAULTS.cardComponent, 'KNI Partner Labs'],
      fields: CARD_CUSTOM_FIELDS,
    },
    {
      id: '12810',
      key: SIM_DEFAULTS.escalationsProject,
      name: 'OCP Prioritization',
      issueTypes: ['Bug', 'Story', 'Task'],
      components: [],
      fields: ['sfdcCaseLinks'],
    },
  ];
  let id = 12000;
  for (const p of PRODUCTS) {
    const withKeywords = !['RHEL', 'OSPRH'].includes(p.jiraProject);
    projects.push({
      id: String(id++),
      key: p.jiraProject,
      name: p.name,
      issueTypes: bugTypes,
      components: [...p.components],
      // RHEL and OSPRH issues have no Private Keywords field, so taggers must fall back to
      // the Internal Whiteboard, as the original does.
      fields: withKeywords ? BUG_FIELDS_WITH_KEYWORDS : BUG_FIELDS_WITHOUT_KEYWORDS,
    });
  }
  return projects;
}

function buildSprints(anchor: number): SimSprint[] {
  // The active sprint started 0–20 days ago depending on the anchor, so sprint edges move
  // with time like a real board's.
  const activeStart = anchor - (Math.floor(anchor / DAY) % 21) * DAY - 9 * HOUR;
  const sprints: SimSprint[] = [];
  for (let k = CLOSED_SPRINTS; k >= -1; k--) {
    const start = activeStart - k * SPRINT_LENGTH;
    const number = FIRST_SPRINT_NUMBER + CLOSED_SPRINTS - k;
    const state = k > 0 ? 'closed' : k === 0 ? 'active' : 'future';
    const sprint: SimSprint = {
      id: 7000 + number,
      name: `${SIM_DEFAULTS.sprintNamePrefix} ${number}`,
      state,
      start,
      end: start + SPRINT_LENGTH,
      boardId: SIM_DEFAULTS.boardId,
      goal: state === 'future' ? '' : `Sprint ${number}: keep the prio-list moving`,
    };
    if (state === 'closed') sprint.complete = start + SPRINT_LENGTH + 2 * HOUR;
    sprints.push(sprint);
  }
  return sprints;
}

function buildCases(
  rng: Rng,
  count: number,
  anchor: number,
  accounts: { account: SimAccount; weight: number }[],
  team: SimTeamMember[],
): SimCase[] {
  const pickAccount = weightedPicker(accounts.map((a) => [a.account, a.weight] as const));
  const productWeights = PRODUCTS.map((p) => [p, p.weight] as const);
  // Creation times first, sorted, so case numbers grow with time like real ones.
  const ages: number[] = [];
  for (let i = 0; i < count; i++) {
    const age = rng.chance(0.05) ? rng.next() * 7 * DAY : 7 * DAY + (3 * 365 - 7) * DAY * rng.next() ** 1.4;
    ages.push(age);
  }
  ages.sort((a, b) => b - a);
  const cases: SimCase[] = [];
  let caseNumber = 3_300_000;
  for (let index = 0; index < count; index++) {
    const r = rng.fork('case', index);
    caseNumber += r.int(1, 37);
    const number = String(caseNumber).padStart(8, '0');
    const created = Math.floor((anchor - (ages[index] ?? 0)) / 1000) * 1000;
    const ageDays = (anchor - created) / DAY;
    const closedChance =
      ageDays < 7 ? 0.08 : ageDays < 30 ? 0.25 : ageDays < 90 ? 0.5 : ageDays < 365 ? 0.8 : 0.95;
    const status: CaseStatus = r.chance(closedChance)
      ? 'Closed'
      : r.weighted([
          ['Waiting on Red Hat', 55],
          ['Waiting on Customer', 40],
          ['Open', 5],
        ] as const);
    const severity = r.weighted([
      [1, 5],
      [2, 22],
      [3, 58],
      [4, 15],
    ] as const) as SeverityLevel;
    const account = pickAccount(r);
    const product = r.weighted(productWeights);
    const version = r.pick(product.versions);
    const localized = LOCALIZED_SUMMARIES[account.locale];
    const summary =
      localized && r.chance(0.25)
        ? r.pick(localized)
        : r.pick(product.summaries).replaceAll('{ver}', version);
    let tags: string[] | undefined;
    const tagRoll = r.next();
    if (tagRoll < 0.88) tags = [SIM_DEFAULTS.caseTag, ...r.sample(TAGS.slice(0, -1), r.int(0, 2))];
    else if (tagRoll < 0.95) tags = ['cnv'];
    const contactName = personName(r, account.locale);
    const open = status !== 'Closed';
    let closed: number | undefined;
    let lastModified: number;
    if (open) {
      lastModified = Math.max(created, anchor - r.int(0, Math.min(ageDays, 30)) * DAY - r.int(0, 23) * HOUR);
    } else {
      const resolution = Math.min(
        anchor - created - MINUTE,
        r.int(1, 24) * HOUR + r.int(0, 120) * DAY * r.next(),
      );
      closed = created + Math.max(MINUTE, Math.floor(resolution / 1000) * 1000);
      lastModified = Math.min(anchor, closed + r.int(0, 48) * HOUR);
    }
    const relief = ageDays > 1 && r.chance(0.6) ? created + r.int(2, 240) * HOUR : undefined;
    const c: SimCase = {
      index,
      number,
      account,
      summary,
      status,
      severity,
      owner: r.pick(CASE_OWNERS),
      contactName,
      contactSso: `${slug(contactName)}-${account.number}`,
      product: product.name,
      version,
      tagsJoined: tags !== undefined && tags.length > 1 && r.chance(0.4),
      bugzillaNumbers: [],
      created,
      lastModified,
      critSit: r.chance(open ? 0.04 : 0.01),
      epochTimes: r.chance(0.3),
      forbidden: r.chance(0.01),
      notifiedUsers: r
        .sample(
          team,
          r.weighted([
            [0, 50],
            [1, 35],
            [2, 15],
          ] as const),
        )
        .map((m) => ({
          ssoUsername: m.jira_user,
          title: m.name,
        })),
      linkedIssueKeys: [],
      caseType: r.weighted([
        ['Defect / Bug', 50],
        ['Configuration', 25],
        ['Usage / Documentation Help', 15],
        ['RCA Only', 10],
      ] as const),
      baseCommentCount: open ? r.int(1, 10) : r.int(2, 14),
      commentSpanEnd: lastModified,
      extraComments: [],
    };
    if (tags) c.tags = tags;
    if (closed !== undefined) {
      c.closed = closed;
      c.resolvedAt = closed - r.int(0, 59) * 1000;
    }
    if (relief !== undefined && relief < (closed ?? anchor)) c.reliefAt = relief;
    if (r.chance(0.6)) {
      c.groupName = r.pick(GROUP_NAMES);
      c.groupNumber = String(74_000 + GROUP_NAMES.indexOf(c.groupName));
    }
    cases.push(c);
  }
  // Small data sets must still show a crit sit or two; the demo and the tests rely on one.
  const open = cases.filter((c) => c.status !== 'Closed');
  if (!open.some((c) => c.critSit)) for (const c of open.slice(-2)) c.critSit = true;
  return cases;
}

function baseIssue(
  partial: Pick<SimIssue, 'id' | 'key' | 'projectKey' | 'role' | 'summary' | 'reporter'>,
): SimIssue {
  return {
    ...partial,
    description: '',
    status: 'New',
    issueType: 'Bug',
    priority: 'Normal',
    labels: [],
    components: [],
    fixVersions: [],
    created: 0,
    updated: 0,
    contributors: [],
    sfdcCaseLinks: [],
    sprintIds: [],
    baseCommentCount: 0,
    commentSpanStart: 0,
    commentSpanEnd: 0,
    extraComments: [],
    remoteLinks: [],
    history: [],
  };
}

const DONE_STATUSES = new Set(['Done', 'Closed', "Won't Fix / Obsolete", 'Verified']);

function buildLinkedIssue(
  r: Rng,
  id: number,
  keyNumber: number,
  c: SimCase,
  product: ProductDef,
  engineers: SimUser[],
  anchor: number,
): SimIssue {
  const key = `${product.jiraProject}-${keyNumber}`;
  const issue = baseIssue({
    id,
    key,
    projectKey: product.jiraProject,
    role: 'linked',
    summary: `[${c.version}] ${r.pick(product.summaries).replaceAll('{ver}', c.version)}`,
    reporter: r.pick(engineers),
  });
  issue.description = `Customer case ${c.number} reports this problem.\n\nSteps to reproduce:\n# Deploy ${c.product} ${c.version}\n# Apply the performance profile\n# Observe the failure`;
  issue.status = r.weighted([
    ['New', 15],
    ['ASSIGNED', 20],
    ['POST', 12],
    ['MODIFIED', 10],
    ['ON_QA', 13],
    ['Verified', 10],
    ['Closed', 20],
  ] as const);
  issue.issueType = r.weighted([
    ['Bug', 70],
    ['Story', 12],
    ['Task', 6],
    ['Epic', 4],
    ['Feature', 3],
    ['Vulnerability', 5],
  ] as const);
  issue.priority = r.weighted([
    ['Critical', 10],
    ['Major', 35],
    ['Normal', 35],
    ['Minor', 10],
    ['Undefined', 10],
  ] as const);
  issue.components = [r.pick(product.components)];
  const fix = r.next();
  issue.fixVersions = fix < 0.55 ? [`${c.version}.z`] : fix < 0.7 ? ['---'] : [];
  if (r.chance(0.85)) issue.assignee = r.pick(engineers);
  if (r.chance(0.7)) issue.qaContact = r.pick(engineers);
  if (r.chance(0.9)) issue.severity = r.pick(['Critical', 'Important', 'Moderate', 'Low', 'Informational']);
  if (!['RHEL', 'OSPRH'].includes(product.jiraProject)) {
    const kw = r.next();
    if (kw < 0.4) issue.privateKeywords = `Telco:Priority-${r.int(1, 4)},Telco,Telco:Case`;
    else if (kw < 0.65) issue.privateKeywords = `Priority-${r.int(1, 3)},Regression`;
    else if (kw < 0.8) issue.privateKeywords = '';
  }
  if (r.chance(0.4)) issue.internalWhiteboard = r.pick(['Telco', 'Telco Telco:Case', 'NeedsTriage', '']);
  issue.labels = r.sample(
    ['Telco', 'ptp', 'sriov', 'dpdk', 'customer-escalation', 'releasenotes'],
    r.int(0, 2),
  );
  issue.created = Math.min(anchor - HOUR, c.created + r.int(1, 20) * DAY);
  issue.updated = Math.min(anchor, issue.created + r.int(1, 90) * DAY);
  if (DONE_STATUSES.has(issue.status)) issue.resolutionDate = issue.updated;
  issue.baseCommentCount = r.int(0, 6);
  issue.commentSpanStart = issue.created;
  issue.commentSpanEnd = issue.updated;
  return issue;
}

function buildEscalation(
  r: Rng,
  id: number,
  keyNumber: number,
  c: SimCase,
  open: boolean,
  engineers: SimUser[],
  anchor: number,
): SimIssue {
  const issue = baseIssue({
    id,
    key: `${SIM_DEFAULTS.escalationsProject}-${keyNumber}`,
    projectKey: SIM_DEFAULTS.escalationsProject,
    role: 'escalation',
    summary: `[${c.account.name}] ${c.summary}`,
    reporter: r.pick(engineers),
  });
  issue.description = `Prio-list entry for case ${c.number} (${c.account.name}).`;
  issue.status = open ? r.pick(['New', 'In Progress', 'Blocked']) : 'Closed';
  issue.issueType = 'Bug';
  issue.priority = r.pick(['Critical', 'Major']);
  issue.labels = [SIM_DEFAULTS.escalationsLabel];
  issue.sfdcCaseLinks = [c.number];
  if (r.chance(0.8)) issue.assignee = r.pick(engineers);
  issue.created = Math.min(anchor - HOUR, c.created + r.int(1, 10) * DAY);
  issue.updated = Math.min(anchor, issue.created + r.int(1, 30) * DAY);
  if (!open) issue.resolutionDate = issue.updated;
  issue.baseCommentCount = r.int(0, 4);
  issue.commentSpanStart = issue.created;
  issue.commentSpanEnd = issue.updated;
  return issue;
}

function assignee(r: Rng, c: SimCase, team: SimTeamMember[], teamUsers: SimUser[]): SimUser | undefined {
  if (r.chance(0.05)) return undefined;
  const acct = c.account.name.toLowerCase();
  const byAccount = team.findIndex((m) => m.active && m.accounts.some((a) => acct.includes(a.toLowerCase())));
  if (byAccount >= 0 && r.chance(0.9)) return teamUsers[byAccount];
  const active = teamUsers.filter((_, i) => team[i]?.active);
  return r.pick(active.length > 0 ? active : teamUsers);
}

export function cardDescription(c: SimCase, description: string): string {
  return (
    'This card was automatically created from the Case Dashboard Sync Job.\r\n\r\n' +
    `This card was created because it had a severity of ${SEVERITY_LABELS[c.severity]}\r\n` +
    `The account for the case is ${c.account.name}\r\n` +
    `The case had an internal status of: ${c.status}\r\n\r\n*Description:* \r\n\r\n${description}\r\n`
  );
}

function buildCard(
  r: Rng,
  id: number,
  keyNumber: number,
  c: SimCase,
  team: SimTeamMember[],
  teamUsers: SimUser[],
  sprints: SimSprint[],
  activeSprint: SimSprint,
  anchor: number,
): SimIssue {
  const owner = assignee(r, c, team, teamUsers);
  const card = baseIssue({
    id,
    key: `${SIM_DEFAULTS.jiraProject}-${keyNumber}`,
    projectKey: SIM_DEFAULTS.jiraProject,
    role: 'card',
    summary: `${c.number}: ${c.summary}`,
    reporter: owner ?? (teamUsers[0] as SimUser),
  });
  card.caseNumber = c.number;
  card.description = cardDescription(c, `${c.summary}.`);
  card.issueType = SIM_DEFAULTS.cardIssueType;
  card.components = [SIM_DEFAULTS.cardComponent];
  const open = c.status !== 'Closed';
  card.status = open
    ? r.weighted([
        ['New', 4],
        ['To Do', 15],
        ['Open', 10],
        ['In Progress', 30],
        ['Code Review', 8],
        ['QE Review', 6],
        ['Blocked', 5],
      ] as const)
    : r.weighted([
        ['Done', 60],
        ['Closed', 20],
        ["Won't Fix / Obsolete", 8],
        ['In Progress', 6],
        ['QE Review', 6],
      ] as const);
  // Mostly in sync with the case severity; some drift so the priority sync has work.
  card.priority = r.chance(0.9)
    ? SEVERITY_TO_PRIORITY[c.severity]
    : r.pick(['Critical', 'Major', 'Normal', 'Minor']);
  card.labels = [SIM_DEFAULTS.cardLabel];
  if (r.chance(0.08)) card.labels.push(SIM_DEFAULTS.trendsLabel);
  if (r.chance(0.06)) card.labels.push(SIM_DEFAULTS.potentialEscalationLabel);
  if (r.chance(0.07)) card.labels.push(SIM_DEFAULTS.dailyTelcoLabel);
  if (r.chance(0.3)) card.labels.push('no-qe', 'no-doc');
  if (owner) card.assignee = owner;
  card.contributors = r.sample(
    teamUsers.filter((u) => u !== owner),
    r.weighted([
      [0, 55],
      [1, 30],
      [2, 15],
    ] as const),
  );
  card.releaseNoteText = 'TRACK';
  card.storyPoints = 3;
  card.created = Math.min(anchor - MINUTE, c.created + r.int(5, 120) * MINUTE);
  card.updated = open
    ? Math.max(card.created, anchor - r.int(0, 14) * DAY - r.int(0, 23) * HOUR)
    : Math.max(card.created, Math.min(anchor, (c.closed ?? anchor) + r.int(0, 72) * HOUR));
  if (DONE_STATUSES.has(card.status)) card.resolutionDate = card.updated;
  if (open) {
    card.sprintIds = r.chance(0.9) ? [activeSprint.id] : [];
    const previous = sprints.find((s) => s.end === activeSprint.start);
    if (previous && card.created < previous.end && r.chance(0.5)) card.sprintIds.unshift(previous.id);
  } else {
    const sprint = sprints.find((s) => s.start <= card.updated && card.updated < s.end);
    if (sprint) card.sprintIds = [sprint.id];
  }
  card.baseCommentCount = r.weighted([
    [0, 10],
    [r.int(1, 5), 45],
    [r.int(6, 20), 38],
    [r.int(21, 45), 7],
  ] as const);
  card.commentSpanStart = card.created;
  card.commentSpanEnd = card.updated;
  card.remoteLinks.push({
    id: id * 10 + 1,
    url: `${SIM_DEFAULTS.portalCaseUrl}${c.number}`,
    title: 'Support Case',
  });
  if (card.status !== 'New' && card.status !== 'To Do') {
    card.history.push({
      id: String(id * 10 + 1),
      author: owner ?? card.reporter,
      created: Math.min(card.updated, card.created + HOUR),
      items: [{ field: 'status', fromString: 'To Do', toString: card.status }],
    });
  }
  return card;
}

function buildBug(
  r: Rng,
  existing: Map<number, SimBug>,
  c: SimCase,
  product: ProductDef,
  anchor: number,
): SimBug {
  let id = r.int(1_900_000, 2_350_000);
  while (existing.has(id)) id++;
  const status = r.weighted([
    ['NEW', 10],
    ['ASSIGNED', 15],
    ['POST', 10],
    ['MODIFIED', 8],
    ['ON_DEV', 5],
    ['ON_QA', 12],
    ['VERIFIED', 10],
    ['RELEASE_PENDING', 5],
    ['CLOSED', 25],
  ] as const);
  const created = Math.min(anchor - DAY, c.created + r.int(0, 15) * DAY);
  const visibilityRoll = r.next();
  return {
    id,
    summary: r.pick(product.summaries).replaceAll('{ver}', c.version),
    status,
    resolution: status === 'CLOSED' ? r.pick(['ERRATA', 'CURRENTRELEASE', 'NOTABUG', 'DUPLICATE']) : '',
    severity: r.pick(['urgent', 'high', 'medium', 'low', 'unspecified']),
    priority: r.pick(['urgent', 'high', 'medium', 'low', 'unspecified']),
    product: product.bugzillaProduct,
    component: [r.pick(product.components)],
    version: [c.version],
    targetRelease: r.chance(0.3) ? ['---'] : [r.chance(0.6) ? `${c.version}.z` : `${c.version}.0`],
    assignedTo: `${slug(r.pick(ENGINEERS))}@redhat.com`,
    qaContact: r.chance(0.8) ? `${slug(r.pick(ENGINEERS))}@redhat.com` : '',
    created,
    lastChange: Math.min(anchor, created + r.int(1, 200) * DAY),
    keywords: r.sample(['Triaged', 'Regression', 'TestBlocker', 'ZStream', 'Reopened'], r.int(0, 2)),
    whiteboard: '',
    internalWhiteboard: r.pick(['', '', 'Telco', 'Telco Telco:Case', 'NeedsQE']),
    visibility: visibilityRoll < 0.05 ? 'private' : visibilityRoll < 0.17 ? 'internal' : 'public',
    caseNumbers: [],
    pmScore: r.int(0, 300),
    docType: r.pick(['Bug Fix', 'No Doc Update', 'Known Issue']),
  };
}
