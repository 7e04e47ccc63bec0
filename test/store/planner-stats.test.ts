import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertCases } from '../../src/store/repositories/cases.js';
import { upsertEscalations } from '../../src/store/repositories/escalations.js';
import { planOfCaseStats } from '../../src/store/repositories/stats.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeCase } from '../support/fixtures.js';

// Planner statistics: a bulk load is analyzed right after it commits, the synced tables carry
// autovacuum thresholds that fit them, and the stats query joins the escalations instead of
// looking them up once per open case.

describe.each(['pglite', 'postgres'] as const)('planner statistics on %s', (backend) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(backend, 'planner_stats');
  });
  afterAll(async () => {
    await t?.close();
  });

  const reltuples = async (table: string) =>
    Number(
      (
        await t.store.db.query<{ n: number }>(
          `SELECT reltuples::float8 AS n FROM pg_class WHERE relname = $1`,
          [table],
        )
      ).rows[0]!.n,
    );

  it('sets per-table autovacuum thresholds on the synced tables', async () => {
    const r = await t.store.db.query<{ relname: string; reloptions: string[] }>(
      `SELECT relname, reloptions FROM pg_class WHERE relname = ANY($1::text[])`,
      [['cases', 'cards', 'card_index', 'escalations', 'card_index_dirty']],
    );
    expect(r.rows).toHaveLength(5);
    for (const row of r.rows)
      expect(row.reloptions, row.relname).toEqual(
        expect.arrayContaining([expect.stringMatching(/^autovacuum_analyze_scale_factor=/)]),
      );
    expect(r.rows.find((x) => x.relname === 'cases')!.reloptions).toContain(
      'autovacuum_analyze_scale_factor=0.02',
    );
  });

  it('analyzes a table after a bulk load, not after a small write', async () => {
    const before = t.store.plannerStats.analyzed;
    await t.store.write(async (tx, ch) => ch.record('case', await upsertCases(tx, [makeCase(1)])));
    await t.store.plannerStats.idle();
    expect(t.store.plannerStats.analyzed).toBe(before);
    const many = Array.from({ length: 1500 }, (_, i) => makeCase(10 + i));
    await t.store.write(async (tx, ch) => ch.record('case', await upsertCases(tx, many)));
    await t.store.plannerStats.idle();
    expect(t.store.plannerStats.analyzed).toBe(before + 1);
    // The planner now knows the table's size.
    expect(await reltuples('cases')).toBeGreaterThanOrEqual(1500);
  });

  it.skipIf(backend === 'pglite')(
    'the stats query joins the escalations (no subplan per open case)',
    async () => {
      await t.store.write(async (tx, ch) =>
        ch.record(
          'escalation',
          await upsertEscalations(tx, [
            {
              issueKey: 'PRIO-1',
              url: 'https://jira.example.com/browse/PRIO-1',
              summary: 'escalated',
              status: 'In Progress',
              caseNumbers: [makeCase(10).caseNumber],
              updatedAt: new Date(),
              raw: {},
            },
          ]),
        ),
      );
      await t.store.db.query('ANALYZE escalations');
      const plan = await planOfCaseStats(t.store.db);
      // Every node under a SubPlan (a per-row lookup), with the relations it reads.
      const subplanRelations: string[] = [];
      const walk = (node: Record<string, unknown>, inSubplan: boolean) => {
        const sub = inSubplan || node['Parent Relationship'] === 'SubPlan';
        if (sub && typeof node['Relation Name'] === 'string') subplanRelations.push(node['Relation Name']);
        for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child, sub);
      };
      walk((plan as { Plan: Record<string, unknown> }[])[0]!.Plan, false);
      expect(JSON.stringify(plan)).toContain('"Relation Name":"escalations"');
      expect(subplanRelations).not.toContain('escalations');
    },
  );
});
