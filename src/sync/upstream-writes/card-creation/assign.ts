import type { TeamMember } from '../../../config/config.js';
import type { AssigneeLoad } from '../../../store/queries/card-creation.js';

// Who gets a new card. Pure and deterministic, so every edge case is a unit test.
//
// 1. Account affinity first: the first active member (team order) with an `accounts` entry that is
//    a case-insensitive substring of the case's account; one engineer may get several cases.
// 2. The rest by fair rotation: the least-loaded active engineer (open cards in the store plus what
//    this batch already gave), ties broken by team order. Engineers who got an account case in this
//    batch are left out while others remain, as the original did; when every active engineer got
//    one (the original's ZeroDivisionError) the whole active team is used again.
// 3. No active member: the case is created unassigned.

export interface CaseToAssign {
  caseNumber: string;
  account: string;
}

export interface Assignment {
  member: TeamMember | undefined;
  reason: 'account' | 'rotation' | 'unassigned';
}

/** The member a stored card's assignee is, by Cloud account id, DC user name, e-mail or name. */
export function memberOfAssignee(team: readonly TeamMember[], a: AssigneeLoad): TeamMember | undefined {
  return team.find(
    (m) =>
      (a.accountId && m.jira_account_id === a.accountId) ||
      (a.userName && m.jira_user === a.userName) ||
      (a.email && m.jira_user.toLowerCase() === a.email.toLowerCase()) ||
      (a.displayName && m.name === a.displayName),
  );
}

/** Open cards per member name. */
export function loadByMember(
  team: readonly TeamMember[],
  loads: readonly AssigneeLoad[],
): Map<string, number> {
  const out = new Map<string, number>(team.map((m) => [m.name, 0]));
  for (const l of loads) {
    const m = memberOfAssignee(team, l);
    if (m) out.set(m.name, (out.get(m.name) ?? 0) + l.open);
  }
  return out;
}

export function accountMatch(team: readonly TeamMember[], account: string): TeamMember | undefined {
  const acc = account.toLowerCase();
  return team.find((m) => m.accounts.some((a) => a.trim() !== '' && acc.includes(a.trim().toLowerCase())));
}

export function assignCases(
  cases: readonly CaseToAssign[],
  team: readonly TeamMember[],
  openLoad: ReadonlyMap<string, number> = new Map(),
): Map<string, Assignment> {
  const active = team.filter((m) => m.active);
  const load = new Map(active.map((m) => [m.name, openLoad.get(m.name) ?? 0]));
  const out = new Map<string, Assignment>();
  const byAccount = new Set<string>();
  const unmatched: CaseToAssign[] = [];

  for (const c of cases) {
    const m = accountMatch(active, c.account);
    if (m) {
      out.set(c.caseNumber, { member: m, reason: 'account' });
      byAccount.add(m.name);
      load.set(m.name, (load.get(m.name) ?? 0) + 1);
    } else unmatched.push(c);
  }

  const rest = active.filter((m) => !byAccount.has(m.name));
  const pool = rest.length > 0 ? rest : active;
  for (const c of unmatched) {
    let pick: TeamMember | undefined;
    for (const m of pool) if (!pick || (load.get(m.name) ?? 0) < (load.get(pick.name) ?? 0)) pick = m;
    if (pick) {
      load.set(pick.name, (load.get(pick.name) ?? 0) + 1);
      out.set(c.caseNumber, { member: pick, reason: 'rotation' });
    } else out.set(c.caseNumber, { member: undefined, reason: 'unassigned' });
  }
  return out;
}
