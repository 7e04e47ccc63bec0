// One line per benchmark goal on stdout: `goal: {json}`. bench/run-all.ts collects these lines from
// every runner into the Goals table at the top of docs/benchmarks.md.

export interface Goal {
  /** The goal as the issue states it, e.g. "initial sync, 10k cases, PostgreSQL ≤ 15 s". */
  goal: string;
  /** What this run measured. */
  figure: string;
  /** The comparison from the same run (or a labelled constant where the compared thing cannot run here). */
  comparison: string;
  /** Whether the figure meets the goal; null when there is nothing to judge. */
  met: boolean | null;
}

export const GOAL_PREFIX = 'goal: ';

export function printGoal(g: Goal): void {
  console.log(`${GOAL_PREFIX}${JSON.stringify(g)}`);
}
