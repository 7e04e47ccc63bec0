import type { Served } from '../../shared/api/common.js';
import type {
  accountPageSchema,
  accountSummarySchema,
  engineerListSchema,
  engineerPageSchema,
} from '../../shared/api/people.js';
import { bugzillaUrl } from '../../shared/rules.js';
import { cardBreakdowns, listAccountBugs, listAccounts, listEngineers } from '../../store/queries/people.js';
import type { ViewDeps } from './deps.js';
import { liveStats, outcomes } from './stats.js';
import { TABLE_ENTITIES } from './tables.js';

// Account and engineer pages: the list with counts, and one account / engineer with its stats,
// outcomes, pie-chart breakdowns (and, for an account, its bugs and JIRA issues). The cases table
// itself is GET /api/v1/cards?account=… (or ?assignee=…).

export function accounts(deps: ViewDeps): Promise<Served<typeof accountSummarySchema>[]> {
  return deps.store.read(TABLE_ENTITIES, 'accounts:list', (q) => listAccounts(q));
}

export async function account(
  deps: ViewDeps,
  name: string,
): Promise<Served<typeof accountPageSchema> | null> {
  const db = deps.store.db;
  const [summary] = await listAccounts(db, name);
  if (!summary) return null;
  const [stats, outcome, breakdowns, links] = await Promise.all([
    liveStats(deps, { account: name }),
    outcomes(deps, { account: name }),
    cardBreakdowns(db, 'account', name),
    listAccountBugs(db, name),
  ]);
  return {
    name,
    summary,
    stats,
    outcomes: outcome,
    cardsBySeverity: breakdowns.bySeverity,
    cardsByCaseStatus: breakdowns.byCaseStatus,
    bugs: links.map((b) => ({
      ...b,
      url: b.kind === 'bug' ? bugzillaUrl(deps.config.bugzilla.url, b.id) : b.url,
      targetRelease: b.targetRelease ?? [],
    })),
  };
}

/** Assignees with cards, and the configured team members without any (shown with zeros). */
export async function engineers(deps: ViewDeps): Promise<Served<typeof engineerListSchema>> {
  const list = await deps.store.read(TABLE_ENTITIES, 'engineers:list', (q) => listEngineers(q));
  const known = new Set(list.map((e) => e.name));
  const team = new Map(deps.config.team.map((m) => [m.name, m.active]));
  const idle = deps.config.team
    .filter((m) => !known.has(m.name))
    .map((m) => ({
      name: m.name,
      cards: 0,
      openCases: 0,
      highPriority: 0,
      escalated: 0,
      critSit: 0,
      lastCommentAt: null,
    }));
  return {
    items: [...list, ...idle].map((e) => ({
      ...e,
      team: team.has(e.name),
      active: team.get(e.name) ?? null,
    })),
  };
}

export async function engineer(
  deps: ViewDeps,
  name: string,
): Promise<Served<typeof engineerPageSchema> | null> {
  const db = deps.store.db;
  const [summary] = await listEngineers(db, name);
  const member = deps.config.team.find((m) => m.name === name);
  if (!summary && !member) return null;
  const [stats, outcome, breakdowns] = await Promise.all([
    liveStats(deps, { engineer: name }),
    outcomes(deps, { engineer: name }),
    cardBreakdowns(db, 'assignee_name', name),
  ]);
  return {
    name,
    summary: summary ?? {
      name,
      cards: 0,
      openCases: 0,
      highPriority: 0,
      escalated: 0,
      critSit: 0,
      lastCommentAt: null,
    },
    team: Boolean(member),
    stats,
    outcomes: outcome,
    cardsBySeverity: breakdowns.bySeverity,
    cardsByCaseStatus: breakdowns.byCaseStatus,
  };
}
