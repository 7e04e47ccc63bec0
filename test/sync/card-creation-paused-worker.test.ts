import { randomUUID } from 'node:crypto';
import type { RunningSimulator, SimCase } from '@t5g/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import type { JobOutcome } from '../../src/sync/engine/types.js';
import { cardCreationJob } from '../../src/sync/upstream-writes/card-creation/job.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeJobContext } from '../support/job-context.js';
import { simControl, simulatorConfig, strictSimulator } from '../support/sim-config.js';
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
interface Holder {
  runId: string;
  attempt: number;
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
    sim = await strictSimulator({ cases: 150, seed: 11, smtpPort: 0 });
    ts = await openTestStore(backend, 'card-creation-paused');
    config = simulatorConfig(sim, { READ_ONLY: 'false', MAX_CARDS_PER_RUN: '50' });
    await seedCasesAndCards(ts.store, sim.state, config);
    expected = casesWithoutCard(sim.state);
    // JIRA Cloud's search is eventually consistent: just-created cards are missing from it for a while.
    await simControl(sim, 'faults', { method: 'PUT', body: { jira: { consistencyLagMs: 1_500 } } });
  }, 60_000);

  afterAll(async () => {
    await ts?.close();
    await sim?.close();
  });

  /**
   * The first run (`slow`) stalls when it links its third card to the case: two cards are stored by
   * then, waiting for the notifications, and the third is half done. Meanwhile `fast` runs to the
   * end; then `slow` wakes. `agePastLease` plays a stall longer than the claim lease.
   */
  async function race(slow: Holder, fast: Holder, agePastLease: boolean) {
    await simControl(sim, 'mail', { method: 'DELETE' });
    await simControl(sim, 'slack', { method: 'DELETE' });
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
    const late = cardCreationJob.handler(
      makeJobContext(ts.store, config, {
        job: cardCreationJob.name,
        ...slow,
        network,
        services: { upstreamRetry: { baseDelayMs: 20, maxDelayMs: 250, timeoutMs: 60_000 } },
      }),
    ) as Promise<JobOutcome>;
    await stalled.wait();
    const holding = await rows<{ case_number: string }>(
      `UPDATE card_creations SET claimed_at = claimed_at - ($2 || ' seconds')::interval
       WHERE run_id = $1 RETURNING case_number`,
      [`${slow.runId}/${slow.attempt}`, agePastLease ? 3600 : 0],
    );
    expect(holding).toHaveLength(3);
    const early = (await cardCreationJob.handler(
      makeJobContext(ts.store, config, { job: cardCreationJob.name, ...fast }),
    )) as JobOutcome;
    wake.open();
    return { fast: early, slow: await late };
  }

  /** One card per case in JIRA, each announced once: one mail naming it, one Slack post (+ reply). */
  async function expectAnnouncedOnce(cases: readonly SimCase[], by: Holder) {
    for (const c of cases)
      expect(
        teamCards(sim.state).filter((i) => i.caseNumber === c.number),
        c.number,
      ).toHaveLength(1);
    const mails = await simControl<SimMailMessage[]>(sim, 'mail');
    const named = mails.flatMap((m) =>
      cases.filter((c) => m.subject.includes(c.number)).map((c) => c.number),
    );
    expect(named.sort()).toEqual(cases.map((c) => c.number).sort());
    const posts = (await simControl<SimSlackMessage[]>(sim, 'slack')).filter((p) => !p.threadTs);
    for (const c of cases)
      expect(
        posts.filter((p) => p.text.includes(c.number)),
        `Slack posts for ${c.number}`,
      ).toHaveLength(1);
    const notified = await rows<{ channel: string; n: number }>(
      `SELECT channel, count(*)::int AS n FROM card_notifications
       WHERE run_id = $1 AND sent_at IS NOT NULL GROUP BY channel ORDER BY channel`,
      [`${by.runId}/${by.attempt}`],
    );
    expect(notified).toEqual([
      { channel: 'mail', n: cases.length },
      { channel: 'slack', n: cases.length },
    ]);
    const claims = await rows<{ run_id: string }>(
      `SELECT run_id FROM card_creations WHERE case_number = ANY($1::text[]) AND step = 'done'`,
      [cases.map((c) => c.number)],
    );
    expect(claims.map((c) => c.run_id)).toEqual(cases.map(() => `${by.runId}/${by.attempt}`));
  }

  /** What each run records: the one that finished says so, the stalled one that it handed over. */
  function expectTruthfulRecords(cases: readonly SimCase[], r: { fast: JobOutcome; slow: JobOutcome }) {
    const numbers = cases.map((c) => c.number).sort();
    expect(r.fast.finalProgress).toEqual({ current: cases.length, total: cases.length });
    expect(r.fast.outcome?.result).toBe('wrote');
    expect(r.fast.outcome?.handedOver).toEqual([]);
    expect(r.fast.outcome?.did.filter((a) => a.action === 'finish card')).toHaveLength(3);
    expect(r.fast.outcome?.did.some((a) => a.action === 'mail sent')).toBe(true);
    // It created two issues in JIRA, saw none through, handed every case over; no mail, no failure.
    expect(r.slow.finalProgress).toEqual({ current: 0, total: cases.length });
    expect(r.slow.outcome?.did.map((a) => a.action)).toEqual(['create card', 'create card']);
    expect(r.slow.outcome?.failed).toEqual([]);
    expect(r.slow.outcome?.handedOver.map((a) => a.target).sort()).toEqual(numbers);
    expect(r.slow.outcome?.summary).toContain(`0/${cases.length} seen through`);
    expect(r.slow.outcome?.summary).toContain(`${cases.length} taken over by another run`);
  }

  it('a run paused past its lease: no duplicate New Card(s) mail or Slack post, and truthful records', async () => {
    expect(expected.length).toBeGreaterThanOrEqual(4);
    const slow = { runId: randomUUID(), attempt: 1 };
    const fast = { runId: randomUUID(), attempt: 1 };
    const r = await race(slow, fast, true);
    await expectAnnouncedOnce(expected, fast);
    expectTruthfulRecords(expected, r);
  }, 60_000);

  it('a run whose worker pg-boss took for dead: its next attempt takes over at once, the old one announces nothing', async () => {
    await simControl(sim, 'mutate', { body: { newCases: 5 } });
    await seedCasesAndCards(ts.store, sim.state, config);
    const fresh = casesWithoutCard(sim.state);
    expect(fresh.length).toBeGreaterThanOrEqual(4);
    // The same run: attempt 2 starts while attempt 1 is paused (no heartbeat), within the lease.
    const runId = randomUUID();
    const r = await race({ runId, attempt: 1 }, { runId, attempt: 2 }, false);
    await expectAnnouncedOnce(fresh, { runId, attempt: 2 });
    expectTruthfulRecords(fresh, r);
  }, 60_000);
});
