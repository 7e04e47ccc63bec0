/**
 * The simulator's world plus the indexes and lazy content the routes need. Route modules read and
 * change it directly; every change calls `touch()` so cached search results are invalidated.
 */
import { LRUCache } from 'lru-cache';
import type {
  SimBoard,
  SimBug,
  SimCase,
  SimCaseComment,
  SimIssue,
  SimJiraComment,
  SimMail,
  SimProject,
  SimSlackMessage,
  SimSprint,
  SimTeamMember,
  SimUser,
} from './model.js';
import { caseDescription, generateCaseComments, generateIssueComments } from './text-gen.js';

export interface StateSummary {
  cases: number;
  openCases: number;
  closedCases: number;
  /** Portal comments over all cases. */
  comments: number;
  cards: number;
  openCards: number;
  cardComments: number;
  /** Distinct non-card Jira issues linked from cases (GET /cases/{n}/jiras). */
  linkedIssues: number;
  caseIssueLinks: number;
  bugs: number;
  caseBugLinks: number;
  /** Escalation issues in the escalations project with the escalations label that are not Closed. */
  escalations: number;
  escalatedCases: number;
  critSits: number;
  openCasesWithoutCard: number;
}

export interface StateInit {
  seed: number;
  anchor: number;
  cases: SimCase[];
  issues: SimIssue[];
  projects: SimProject[];
  boards: SimBoard[];
  sprints: SimSprint[];
  users: SimUser[];
  team: SimTeamMember[];
  bugs: SimBug[];
  escalationsProject: string;
  escalationsLabel: string;
}

export class SimulatorState {
  readonly seed: number;
  readonly cases: SimCase[];
  readonly caseByNumber = new Map<string, SimCase>();
  readonly issues: SimIssue[];
  readonly issueByKey = new Map<string, SimIssue>();
  readonly issueById = new Map<number, SimIssue>();
  readonly projects = new Map<string, SimProject>();
  readonly boards: SimBoard[];
  readonly sprints: SimSprint[];
  readonly users: SimUser[];
  readonly team: SimTeamMember[];
  readonly bugs = new Map<number, SimBug>();
  readonly mail: SimMail[] = [];
  readonly slackMessages: SimSlackMessage[] = [];
  /** Bumped on every change; search caches key on it. */
  version = 0;
  private readonly anchor: number;
  private readonly startedAt = Date.now();
  private readonly escalationsProject: string;
  private readonly escalationsLabel: string;
  private readonly caseCommentCache = new LRUCache<string, SimCaseComment[]>({ max: 5000 });
  private readonly issueCommentCache = new LRUCache<string, SimJiraComment[]>({ max: 5000 });

  constructor(init: StateInit) {
    this.seed = init.seed;
    this.anchor = init.anchor;
    this.cases = init.cases;
    this.issues = init.issues;
    this.boards = init.boards;
    this.sprints = init.sprints;
    this.users = init.users;
    this.team = init.team;
    this.escalationsProject = init.escalationsProject;
    this.escalationsLabel = init.escalationsLabel;
    for (const c of init.cases) this.caseByNumber.set(c.number, c);
    for (const i of init.issues) this.indexIssue(i);
    for (const p of init.projects) this.projects.set(p.key, p);
    for (const b of init.bugs) this.bugs.set(b.id, b);
  }

  /**
   * Simulated wall clock: the generation anchor plus real elapsed time, so times written by the
   * simulator are always later than generated ones even when a test pins the anchor.
   */
  now(): number {
    return this.anchor + (Date.now() - this.startedAt);
  }

  touch(): void {
    this.version++;
  }

  indexIssue(issue: SimIssue): void {
    this.issueByKey.set(issue.key, issue);
    this.issueById.set(issue.id, issue);
  }

  addIssue(issue: SimIssue): void {
    this.issues.push(issue);
    this.indexIssue(issue);
    this.touch();
  }

  /** Deletes an issue, named by key or itself (JIRA deletes for good: it leaves search, lookups and boards). */
  removeIssue(issueOrKey: SimIssue | string): boolean {
    const issue = typeof issueOrKey === 'string' ? this.findIssue(issueOrKey) : issueOrKey;
    const at = issue ? this.issues.indexOf(issue) : -1;
    if (!issue || at < 0) return false;
    this.issues.splice(at, 1);
    this.issueByKey.delete(issue.key);
    this.issueById.delete(issue.id);
    this.issueCommentCache.delete(issue.key);
    this.touch();
    return true;
  }

  addCase(c: SimCase): void {
    this.cases.push(c);
    this.caseByNumber.set(c.number, c);
    this.touch();
  }

  /** Looks an issue up by key (case-insensitive, like Jira) or numeric id. */
  findIssue(keyOrId: string): SimIssue | undefined {
    if (/^\d+$/.test(keyOrId)) return this.issueById.get(Number(keyOrId));
    return this.issueByKey.get(keyOrId.toUpperCase());
  }

  caseDescription(c: SimCase): string {
    return caseDescription(this.seed, c);
  }

  caseComments(c: SimCase): SimCaseComment[] {
    let base = this.caseCommentCache.get(c.number);
    if (!base) {
      base = generateCaseComments(this.seed, c);
      this.caseCommentCache.set(c.number, base);
    }
    return c.extraComments.length === 0 ? base : [...base, ...c.extraComments];
  }

  caseCommentCount(c: SimCase): number {
    return c.baseCommentCount + c.extraComments.length;
  }

  /** The issue's comments, oldest first; deleted ones are left out. */
  issueComments(issue: SimIssue): SimJiraComment[] {
    let base = this.issueCommentCache.get(issue.key);
    if (!base) {
      const authors = this.team.length > 0 ? this.teamUsers() : this.users;
      base = generateIssueComments(this.seed, issue, authors);
      this.issueCommentCache.set(issue.key, base);
    }
    if (issue.extraComments.length === 0) return base;
    return [...base, ...issue.extraComments.filter((c) => c.deleted === undefined)];
  }

  issueCommentCount(issue: SimIssue): number {
    let live = 0;
    for (const c of issue.extraComments) if (c.deleted === undefined) live++;
    return issue.baseCommentCount + live;
  }

  /**
   * A comment of the issue that may be edited or deleted. Generated comments are regenerated on
   * demand, so the first such call copies them into the issue's own list (marked `generated`).
   */
  editableComment(issue: SimIssue, id: string): SimJiraComment | undefined {
    if (issue.baseCommentCount > 0) {
      const generated = this.issueComments(issue).slice(0, issue.baseCommentCount);
      issue.extraComments = [
        ...generated.map((c): SimJiraComment => ({ ...c, generated: true })),
        ...issue.extraComments,
      ];
      issue.baseCommentCount = 0;
      this.issueCommentCache.delete(issue.key);
    }
    return issue.extraComments.find((c) => c.id === id && c.deleted === undefined);
  }

  /** A fresh comment id for the issue: ids are unique across issues and never reused. */
  nextCommentId(issue: SimIssue): string {
    return String(issue.id * 1000 + 500 + issue.extraComments.length);
  }

  teamUsers(): SimUser[] {
    const ids = new Set(this.team.map((m) => m.jira_account_id));
    return this.users.filter((u) => ids.has(u.accountId));
  }

  findUser(ref: { accountId?: string; name?: string; email?: string }): SimUser | undefined {
    return this.users.find(
      (u) =>
        (ref.accountId !== undefined && u.accountId === ref.accountId) ||
        (ref.name !== undefined && (u.name === ref.name || u.key === ref.name)) ||
        (ref.email !== undefined && u.email.toLowerCase() === ref.email.toLowerCase()),
    );
  }

  cards(): SimIssue[] {
    return this.issues.filter((i) => i.role === 'card');
  }

  isOpenEscalation(issue: SimIssue): boolean {
    return (
      issue.projectKey === this.escalationsProject &&
      issue.labels.includes(this.escalationsLabel) &&
      issue.status !== 'Closed'
    );
  }

  summary(): StateSummary {
    let openCases = 0;
    let comments = 0;
    let caseIssueLinks = 0;
    let caseBugLinks = 0;
    let critSits = 0;
    const linked = new Set<string>();
    const carded = new Set<string>();
    for (const i of this.issues) if (i.role === 'card' && i.caseNumber) carded.add(i.caseNumber);
    let openCasesWithoutCard = 0;
    for (const c of this.cases) {
      if (c.status !== 'Closed') {
        openCases++;
        if (!carded.has(c.number)) openCasesWithoutCard++;
        if (c.critSit) critSits++;
      }
      comments += this.caseCommentCount(c);
      caseIssueLinks += c.linkedIssueKeys.length;
      caseBugLinks += c.bugzillaNumbers.length;
      for (const k of c.linkedIssueKeys) linked.add(k);
    }
    let cards = 0;
    let openCards = 0;
    let cardComments = 0;
    let escalations = 0;
    const escalated = new Set<string>();
    for (const i of this.issues) {
      if (i.role === 'card') {
        cards++;
        if (!['Done', 'Closed', "Won't Fix / Obsolete"].includes(i.status)) openCards++;
        cardComments += this.issueCommentCount(i);
      } else if (this.isOpenEscalation(i)) {
        escalations++;
        for (const n of i.sfdcCaseLinks) escalated.add(n);
      }
    }
    return {
      cases: this.cases.length,
      openCases,
      closedCases: this.cases.length - openCases,
      comments,
      cards,
      openCards,
      cardComments,
      linkedIssues: linked.size,
      caseIssueLinks,
      bugs: this.bugs.size,
      caseBugLinks,
      escalations,
      escalatedCases: escalated.size,
      critSits,
      openCasesWithoutCard,
    };
  }
}
