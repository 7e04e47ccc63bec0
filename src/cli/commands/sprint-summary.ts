import type { Config } from '../../config/config.js';
import { UsageError } from '../../lib/errors.js';
import type { JiraClient } from '../../sources/index.js';
import { andJql, jqlString } from '../../sources/jira/jql.js';
import { withToolUpstreams } from '../tool-upstreams.js';

// `t5g sprint-summary [sprint name]`: cards done per engineer in the previous sprint (the original's
// bin/sprint-summary.py). The previous sprint is the active one's number minus one ("T5GFE Sprint
// 42" → "T5GFE Sprint 41"), as the original derived it; a name given on the command line wins. One
// JQL search for the whole sprint instead of one per engineer.

export interface SprintSummary {
  sprint: string;
  rows: { name: string; done: number }[];
  /** Done cards assigned to someone not in the team file (or to nobody). */
  others: number;
}

/** "Name 42" → "Name 41"; undefined when the name does not end in a number above 1. */
export function previousSprintName(active: string): string | undefined {
  const m = /^(.*?)(\d+)\s*$/.exec(active);
  if (!m || Number(m[2]) <= 1) return undefined;
  return `${m[1]}${Number(m[2]) - 1}`;
}

export async function sprintSummary(
  config: Config,
  jira: JiraClient,
  sprintName?: string,
): Promise<SprintSummary> {
  let name = sprintName;
  if (!name) {
    const board = await jira.findBoard();
    const active = board ? await jira.findActiveSprint(board.id) : undefined;
    if (!active) throw new Error('no active sprint found on JIRA_BOARD; pass the sprint name');
    name = previousSprintName(active.name);
    if (!name)
      throw new Error(`cannot derive the previous sprint from "${active.name}"; pass the sprint name`);
  }
  const jql = andJql(
    config.jira.project ? `project = ${jqlString(config.jira.project)}` : undefined,
    `labels = ${jqlString(config.jira.cardLabel)}`,
    `sprint = ${jqlString(name)}`,
    'statusCategory = Done',
  );
  const counts = new Map<string, number>(config.team.map((m) => [m.name, 0]));
  let others = 0;
  for await (const page of jira.searchIssuePages(jql, ['assignee'])) {
    for (const raw of page) {
      const a =
        (raw as { fields?: { assignee?: Record<string, unknown> | null } }).fields?.assignee ?? undefined;
      const member = a
        ? config.team.find(
            (m) =>
              (m.jira_account_id && m.jira_account_id === a.accountId) ||
              m.jira_user === a.name ||
              m.jira_user === a.emailAddress ||
              m.name === a.displayName,
          )
        : undefined;
      if (member) counts.set(member.name, (counts.get(member.name) ?? 0) + 1);
      else others++;
    }
  }
  return { sprint: name, rows: [...counts].map(([n, done]) => ({ name: n, done })), others };
}

export function formatSprintSummary(s: SprintSummary): string {
  const width = Math.max(8, ...s.rows.map((r) => r.name.length));
  const lines = s.rows.map((r) => `${r.name.padEnd(width)}  ${r.done}`);
  if (s.others) lines.push(`${'(others)'.padEnd(width)}  ${s.others}`);
  return `Cards done in ${s.sprint}\n${lines.join('\n')}`;
}

export async function sprintSummaryCommand(args: string[]): Promise<void> {
  await withToolUpstreams('sprint-summary', async (config, up) => {
    if (!up.jira) throw new UsageError('JIRA_URL is not set: sprint-summary reads the team board from JIRA');
    console.log(formatSprintSummary(await sprintSummary(config, up.jira, args.join(' ') || undefined)));
  });
}
