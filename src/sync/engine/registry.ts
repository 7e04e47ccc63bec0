import type { MirrorSource } from '../../shared/vocabulary.js';
import { bugsJob } from '../jobs/bugs.js';
import { cardsJob } from '../jobs/cards.js';
import { casesJob } from '../jobs/cases.js';
import { detailsJob } from '../jobs/details.js';
import { escalationsJob } from '../jobs/escalations.js';
import { issuesJob } from '../jobs/issues.js';
import { statsSnapshotJob } from '../jobs/stats-snapshot.js';
import { bugTaggingJob } from '../upstream-writes/bug-tagging/job.js';
import { cardCreationJob } from '../upstream-writes/card-creation/job.js';
import { prioritySyncJob } from '../upstream-writes/priority-sync.js';
import type { JobDefinition } from './types.js';

/**
 * While the Redis mirror owns a source, t5g's own job for it is off, so the two never fight over
 * the same rows; card creation is off with the cards (the original dashboard still creates them).
 */
export function mirroredAway(job: string, mirrored: readonly MirrorSource[]): boolean {
  if (job === 'card-creation') return mirrored.includes('cards');
  return (mirrored as readonly string[]).includes(job);
}

// The jobs this build can run: one file per handler in ./jobs, one line each here. A job that has no
// handler yet is simply absent, so it is neither scheduled nor refreshable (no placeholders).
export const BUILT_IN_JOBS: readonly JobDefinition[] = [
  casesJob,
  detailsJob,
  cardsJob,
  issuesJob,
  bugsJob,
  escalationsJob,
  statsSnapshotJob,
  cardCreationJob,
  prioritySyncJob,
  bugTaggingJob,
];

const NAME = /^[a-z][a-z0-9-]*$/;

/** Job definitions by name, in registration order. */
export class JobRegistry {
  private readonly byName = new Map<string, JobDefinition>();

  constructor(definitions: readonly JobDefinition[]) {
    for (const def of definitions) {
      if (!NAME.test(def.name)) throw new Error(`job name "${def.name}" must match ${NAME}`);
      if (this.byName.has(def.name)) throw new Error(`job "${def.name}" is registered twice`);
      this.byName.set(def.name, def);
    }
    this.checkOrder();
  }

  /** Prerequisites of `name` among `within` (a full refresh's jobs), without itself. */
  prerequisites(name: string, within: ReadonlySet<string>): string[] {
    return (this.byName.get(name)?.after ?? []).filter((p) => p !== name && within.has(p));
  }

  /** A cycle in `after` would leave a full refresh waiting forever; refuse it up front. */
  private checkOrder(): void {
    const all = new Set(this.byName.keys());
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string, path: string[]) => {
      if (state.get(name) === 'done') return;
      if (state.get(name) === 'visiting')
        throw new Error(`jobs wait for each other: ${[...path, name].join(' → ')}`);
      state.set(name, 'visiting');
      for (const p of this.prerequisites(name, all)) visit(p, [...path, name]);
      state.set(name, 'done');
    };
    for (const name of all) visit(name, []);
  }

  get(name: string): JobDefinition | undefined {
    return this.byName.get(name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  list(): JobDefinition[] {
    return [...this.byName.values()];
  }

  /** A registry with more jobs (tests register their own; later modules may add optional ones). */
  with(...definitions: JobDefinition[]): JobRegistry {
    return new JobRegistry([...this.list(), ...definitions]);
  }
}

export function createJobRegistry(
  extra: readonly JobDefinition[] = [],
  mirrored: readonly MirrorSource[] = [],
): JobRegistry {
  return new JobRegistry([...BUILT_IN_JOBS, ...extra].filter((job) => !mirroredAway(job.name, mirrored)));
}
