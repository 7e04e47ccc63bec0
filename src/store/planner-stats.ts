import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { Database } from './db.js';
import { flushCardIndex } from './read-model/card-index.js';

// The planner's statistics after bulk loads. An initial sync grows a table from nothing to 100k
// rows within minutes; autovacuum's analyze follows only after its naptime and scale factor, and
// until then the planner estimates from an empty (or tiny) table: nested loops over 88k rows, a
// subplan per open case. So the store counts the rows each committed write changed per table and
// analyzes a table once that count reaches a fifth of the table's size as last analyzed (at least
// MIN_ROWS): a few ANALYZEs per table over an initial sync (each one a sample, ~0.1 s at 100k
// rows), none in a steady state of small incremental writes, which autovacuum covers with the
// per-table thresholds of the planner-statistics migration.

/** Change-feed entity → the table its rows are in. */
export const ENTITY_TABLES: Record<string, string> = {
  case: 'cases',
  card: 'cards',
  case_detail: 'case_details',
  jira_comment: 'jira_comments',
  escalation: 'escalations',
  comment: 'comments',
  case_bug: 'case_bugs',
  bug: 'bugs',
  case_issue: 'case_issues',
  issue: 'issues',
};

/** card_index follows cards and cases: it is analyzed with them (after the flush that fills it). */
const DERIVED: Record<string, string[]> = { cards: ['card_index'], cases: ['card_index'] };

const MIN_ROWS = 1000;
const GROWTH = 0.2;

export class PlannerStats {
  private readonly changed = new Map<string, number>();
  /** Rows per table at its last ANALYZE by this process (unknown = 0: the first load counts). */
  private readonly analyzedRows = new Map<string, number>();
  private running: Promise<void> = Promise.resolve();
  /** ANALYZE statements run (tests and benchmarks read it). */
  analyzed = 0;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
  ) {}

  /** Counts a committed write's changed rows; schedules ANALYZE of the tables that grew enough. */
  record(changes: ReadonlyMap<string, ReadonlySet<string>>): void {
    const due: string[] = [];
    for (const [entity, keys] of changes) {
      const table = ENTITY_TABLES[entity];
      if (!table) continue;
      const n = (this.changed.get(table) ?? 0) + keys.size;
      this.changed.set(table, n);
      if (n >= Math.max(MIN_ROWS, GROWTH * (this.analyzedRows.get(table) ?? 0))) due.push(table);
    }
    if (!due.length) return;
    for (const table of due) this.changed.set(table, 0);
    const tables = [...new Set([...due, ...due.flatMap((t) => DERIVED[t] ?? [])])];
    // One after another, off the write path: the writer does not wait for the sample.
    this.running = this.running.then(() => this.analyze(tables));
  }

  /** Resolves once every scheduled ANALYZE has run. */
  idle(): Promise<void> {
    return this.running;
  }

  private async analyze(tables: string[]) {
    try {
      // card_index is recomputed from its sources after their write; analyze what it now holds.
      if (tables.includes('card_index')) await flushCardIndex(this.db);
      // Names come from the fixed map above, never from input.
      await this.db.query(`ANALYZE ${tables.join(', ')}`);
      this.analyzed++;
      const r = await this.db.query<{ relname: string; n: number }>(
        `SELECT relname, greatest(reltuples, 0)::float8 AS n FROM pg_class
         WHERE relname = ANY($1::text[]) AND relkind = 'r' AND relnamespace = current_schema()::regnamespace`,
        [tables],
      );
      for (const row of r.rows) this.analyzedRows.set(row.relname, Number(row.n));
    } catch (err) {
      // Only the plans suffer; autovacuum analyzes later.
      this.logger.warn({ err: errorMessage(err), tables }, 'ANALYZE after a bulk load failed');
    }
  }
}
