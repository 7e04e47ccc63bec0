import { randomUUID } from 'node:crypto';
import { type RunningSimulator, type SimCase, startSimulator } from '@t5g/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import type { JobOutcome } from '../../src/sync/engine/types.js';
import { cardCreationJob } from '../../src/sync/upstream-writes/card-creation/job.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeJobContext } from '../support/job-context.js';
import { simControl, simulatorConfig } from '../support/sim-config.js';
import { casesWithoutCard, seedCasesAndCards, teamCards } from './fixtures/card-creation-seed.js';
import { Latch } from './support.js';

// A card-creation worker that stalls mid-run (paused, or its link to JIRA hangs) for longer than
// the claim lease, while a second run takes its claims over and finishes every card. When the
// first one wakes it must announce nothing the second already announced (the "New Card(s)" mail and
// the Slack posts are exactly-once per card), and each run's record must say what really happened
// instead of "succeeded" with every card counted.

interface SimMailMessage {
  subject: string;
}
interface SimSlackMessage {
  text: string;
  threadTs?: string;
}

describe.each(['pglite', 'postgres'] as const)('a paused card-creation worker on %s', (backend) => {
  let sim: RunningSimulator;
  let ts: TestStore;
  let config: Config;
  let expected: SimCase[];
  const rows = async <T>(sql: string, params: unknown[] = []) =>
    (await ts.store.db.query<T>(sql, params)).rows;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, cases: 150, seed: 11, smtpPort: 0 });
    ts = await openTestStore(backend, 'card-creation-paused');
    config = simulatorConfig(sim, { READ_ONLY: 'false', MAX_CARDS_PER_RUN: '50' });
    await seedCasesAndCards(ts.store, sim.state, config);
    expected = casesWithoutCard(sim.state);
  }, 60_000);

  afterAll(async () => {
    await ts?.close();
    await sim?.close();
  });

  it('sends no duplicate New Card(s) mail or Slack post, and both runs record what they really did', async () => {
    expect(expected.length).toBeGreaterThanOrEqual(4);
    await simControl(sim, 'mail', { method: 'DELETE' });
    await simControl(sim, 'slack', { method: 'DELETE' });

    // The first run stalls when it links its third card to the case: two cards are stored by then,
    // waiting for the notifications, and the third is half done.
    const stalled = new Latch();
    const wake = new Latch();
    const linked = new Set<string>();
    let held = false;
    const network =
      (inner: typeof globalThis.fetch): typeof globalThis.fetch =>
      async (input, init) => {
        const request = input instanceof Request ? input : undefined;
        const url = new URL(request ? request.url : String(input));
        const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
        const key = /\/issue\/([^/]+)\/remotelink$/.exec(url.pathname)?.[1];
        if (key && method === 'POST') {
          linked.add(key);
          if (linked.size === 3 && !held) {
            held = true;
            stalled.open();
            await wake.wait();
          }
        }
        return inner(input, init);
      };
    const slowRun = randomUUID();
    const slowCtx = makeJobContext(ts.store, config, {
      job: cardCreationJob.name,
      runId: slowRun,
      network,
      services: { upstreamRetry: { baseDelayMs: 20, maxDelayMs: 250, timeoutMs: 60_000 } },
    });
    const slow = cardCreationJob.handler(slowCtx) as Promise<JobOutcome>;
    await stalled.wait();

    // The stall outlasts the lease: the claims of the first run are up for takeover.
    const aged = await rows<{ case_number: string }>(
      `UPDATE card_creations SET claimed_at = now() - interval '1 hour' WHERE run_id = $1 RETURNING case_number`,
      [slowRun],
    );
    expect(aged).toHaveLength(3);
    const fastRun = randomUUID();
    const fast = (await cardCreationJob.handler(
      makeJobContext(ts.store, config, { job: cardCreationJob.name, runId: fastRun }),
    )) as JobOutcome;
    wake.open();
    const late = await slow;

    // One card per case in JIRA, each announced once: one mail naming it, one Slack post (+ reply).
    for (const c of expected)
      expect(
        teamCards(sim.state).filter((i) => i.caseNumber === c.number),
        c.number,
      ).toHaveLength(1);
    const mails = (await simControl<SimMailMessage[]>(sim, 'mail')).filter((m) =>
      expected.some((c) => m.subject.includes(c.number)),
    );
    const named = mails.flatMap((m) =>
      expected.filter((c) => m.subject.includes(c.number)).map((c) => c.number),
    );
    expect(named.sort()).toEqual(expected.map((c) => c.number).sort());
    const posts = (await simControl<SimSlackMessage[]>(sim, 'slack')).filter((p) => !p.threadTs);
    for (const c of expected)
      expect(
        posts.filter((p) => p.text.includes(c.number)),
        `Slack posts for ${c.number}`,
      ).toHaveLength(1);
    const notified = await rows<{ channel: string; n: number }>(
      `SELECT channel, count(*)::int AS n FROM card_notifications
       WHERE run_id = $1 AND sent_at IS NOT NULL GROUP BY channel ORDER BY channel`,
      [fastRun],
    );
    expect(notified).toEqual([
      { channel: 'mail', n: expected.length },
      { channel: 'slack', n: expected.length },
    ]);

    // The run that finished the work says so: every case seen through, three finished for the other.
    expect(fast.finalProgress).toEqual({ current: expected.length, total: expected.length });
    expect(fast.outcome?.result).toBe('wrote');
    expect(fast.outcome?.handedOver).toEqual([]);
    expect(fast.outcome?.did.filter((a) => a.action === 'finish card').map((a) => a.target)).toHaveLength(3);
    expect(fast.outcome?.did.some((a) => a.action === 'mail sent')).toBe(true);

    // The stalled run: it created two issues in JIRA, saw none through, and handed every case over;
    // no mail, no failure.
    expect(late.finalProgress).toEqual({ current: 0, total: expected.length });
    expect(late.outcome?.did.map((a) => a.action)).toEqual(['create card', 'create card']);
    expect(late.outcome?.failed).toEqual([]);
    expect(late.outcome?.handedOver.map((a) => a.target).sort()).toEqual(
      expected.map((c) => c.number).sort(),
    );
    expect(late.outcome?.summary).toContain(`0/${expected.length} seen through`);
    expect(late.outcome?.summary).toContain(`${expected.length} taken over by another run`);
    const claims = await rows<{ step: string; run_id: string }>('SELECT step, run_id FROM card_creations');
    expect(claims.every((c) => c.step === 'done' && c.run_id === fastRun)).toBe(true);
  }, 60_000);
});
