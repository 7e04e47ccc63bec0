import { SIM_DEFAULTS } from './constants.js';
import { createRng } from './rng.js';
import type { SimulatorState } from './state.js';

// A plausible daily stats history for demo mode: what t5g's daily snapshot would have recorded on
// each of the last days, reconstructed from the generated world (a case is open on a day when it
// was created by then and not yet closed). Metric names are t5g's snapshot keys. Only the cases of
// the team's query count, as they are the ones the dashboard stores.

const DAY = 86_400_000;
const WEEK = 7 * DAY;

export interface StatsHistoryDay {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  metrics: Record<string, number | Record<string, number>>;
}

/** One entry per UTC day for the `days` days before `now`'s day (today itself is left out). */
export function statsHistory(state: SimulatorState, opts: { days: number; now: number }): StatsHistoryDay[] {
  const cases = state.cases.filter((c) => c.tags?.includes(SIM_DEFAULTS.caseTag));
  const escalations = state.issues.filter(
    (i) => i.role === 'escalation' && i.projectKey === SIM_DEFAULTS.escalationsProject,
  );
  const engineerOf = new Map<string, string>();
  for (const card of state.cards())
    if (card.caseNumber && card.assignee) engineerOf.set(card.caseNumber, card.assignee.displayName);
  const today = Math.floor(opts.now / DAY) * DAY;
  const out: StatsHistoryDay[] = [];
  for (let d = opts.days; d >= 1; d--) {
    const start = today - d * DAY;
    // The snapshot is taken early in the day: the state at the end of the day before.
    const at = start;
    const rng = createRng(state.seed, 'stats-history', start);
    const open = cases.filter((c) => c.created <= at && (c.closed === undefined || c.closed > at));
    const escalated = new Set(
      escalations
        .filter((e) => e.created <= at && (e.resolutionDate === undefined || e.resolutionDate > at))
        .flatMap((e) => e.sfdcCaseLinks),
    );
    const onPrioList = open.filter((c) => escalated.has(c.number));
    const critSit = open.filter((c) => c.critSit);
    const bugs = new Set(open.flatMap((c) => [...c.bugzillaNumbers, ...c.linkedIssueKeys]));
    const count = (keyOf: (c: (typeof open)[number]) => string | undefined) => {
      const m: Record<string, number> = {};
      for (const c of open) {
        const k = keyOf(c);
        if (k) m[k] = (m[k] ?? 0) + 1;
      }
      return m;
    };
    const between = (t: number | undefined, span: number) => t !== undefined && t > at - span && t <= at;
    out.push({
      day: new Date(start).toISOString().slice(0, 10),
      metrics: {
        open_cases: open.length,
        escalated: onPrioList.length,
        crit_sit: critSit.length,
        total_escalations: new Set([...onPrioList, ...critSit]).size,
        high_prio: open.filter((c) => c.severity <= 2).length,
        daily_opened_cases: cases.filter((c) => between(c.created, DAY)).length,
        weekly_opened_cases: cases.filter((c) => between(c.created, WEEK)).length,
        daily_closed_cases: cases.filter((c) => between(c.closed, DAY)).length,
        weekly_closed_cases: cases.filter((c) => between(c.closed, WEEK)).length,
        // Updates are not kept per day: a steady share of the open cases, as a real team sees.
        no_updates: Math.round(open.length * (0.18 + 0.08 * rng.next())),
        no_bzs: open.filter((c) => c.bugzillaNumbers.length === 0 && c.linkedIssueKeys.length === 0).length,
        bugs_unique: bugs.size,
        bugs_no_target: Math.round(bugs.size * (0.3 + 0.1 * rng.next())),
        by_customer: count((c) => c.account.name),
        by_engineer: count((c) => engineerOf.get(c.number)),
        by_severity: count((c) => ['Urgent', 'High', 'Normal', 'Low'][c.severity - 1]),
      },
    });
  }
  return out;
}
