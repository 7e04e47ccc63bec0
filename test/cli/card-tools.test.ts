import type { RunningSimulator } from '@t5g/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedCasesCommand } from '../../src/cli/commands/closed-cases.js';
import { previousSprintName, sprintSummary } from '../../src/cli/commands/sprint-summary.js';
import { watchers } from '../../src/cli/commands/watchers.js';
import type { Config } from '../../src/config/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createUpstreams, type JiraClient } from '../../src/sources/index.js';
import { listOpenCardsOfClosedCases } from '../../src/store/repositories/cards.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { simControl, simulatorConfig, strictSimulator } from '../support/sim-config.js';
import { seedCasesAndCards, teamCards } from '../sync/fixtures/card-creation-seed.js';

// The original's command-line helpers as t5g subcommands, against the simulator.

describe('t5g sprint-summary, closed-cases, watchers', () => {
  let sim: RunningSimulator;
  let ts: TestStore;
  let config: Config;

  beforeAll(async () => {
    sim = await strictSimulator({ cases: 120, seed: 9 });
    ts = await openTestStore('pglite');
    config = simulatorConfig(sim, { READ_ONLY: 'false' });
    await seedCasesAndCards(ts.store, sim.state, config);
  }, 60_000);
  afterAll(async () => {
    await ts?.close();
    await sim?.close();
  });

  it('derives the previous sprint name', () => {
    expect(previousSprintName('T5GFE Sprint 42')).toBe('T5GFE Sprint 41');
    expect(previousSprintName('Backlog')).toBeUndefined();
  });

  it('counts done cards per engineer in the previous sprint', async () => {
    const up = createUpstreams(config, { logger: silentLogger });
    const summary = await sprintSummary(config, up.jira as JiraClient);
    const prev = sim.state.sprints.find((s) => s.name === summary.sprint);
    expect(prev).toBeDefined();
    const done = teamCards(sim.state).filter(
      (i) =>
        prev &&
        i.sprintIds.includes(prev.id) &&
        ['Done', 'Closed', "Won't Fix / Obsolete"].includes(i.status),
    );
    expect(summary.rows.reduce((n, r) => n + r.done, 0) + summary.others).toBe(done.length);
    expect(summary.rows.map((r) => r.name)).toEqual(config.team.map((m) => m.name));
    up.close();
  });

  it('lists open cards whose case is closed, from the store', async () => {
    const rows = await listOpenCardsOfClosedCases(ts.store.db);
    const expected = teamCards(sim.state).filter(
      (i) =>
        sim.state.caseByNumber.get(i.caseNumber ?? '')?.status === 'Closed' &&
        (config.jira.statusMap[i.status] ?? 'Unknown') !== 'Done',
    );
    expect(rows.map((r) => r.jiraKey).sort()).toEqual(expected.map((i) => i.key).sort());
    expect(typeof closedCasesCommand).toBe('function');
  });

  it('lists, adds and removes watchers; READ_ONLY only says what it would do', async () => {
    const c = sim.state.cases.find((x) => !x.forbidden) ?? sim.state.cases[0];
    if (!c) throw new Error('no case');
    const rw = createUpstreams(config, { logger: silentLogger });
    expect(await watchers(rw.portal, ['add', c.number, 'newwatcher'])).toContain('Added');
    expect(await watchers(rw.portal, ['list', c.number])).toContain('newwatcher');
    expect(await watchers(rw.portal, ['remove', c.number, 'newwatcher'])).toContain('Removed');
    await simControl(sim, 'counters/reset', { method: 'POST' });
    const ro = createUpstreams(simulatorConfig(sim, { READ_ONLY: 'true' }), { logger: silentLogger });
    expect(await watchers(ro.portal, ['add', c.number, 'x'])).toMatch(/^READ_ONLY: would add/);
    expect((await simControl<{ totals: { writes: number } }>(sim, 'counters')).totals.writes).toBe(0);
    await expect(watchers(ro.portal, ['add', 'nope'])).rejects.toThrow('Usage');
    rw.close();
    ro.close();
  });
});
