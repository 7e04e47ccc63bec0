import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { RunningSimulator, SimIssue } from '@t5g/simulators';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import type { Config } from '../../src/config/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { JobParams } from '../../src/sync/engine/types.js';
import { cardsJob } from '../../src/sync/jobs/cards.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeJobContext } from '../support/job-context.js';
import { simControl, simulatorConfig, strictSimulator } from '../support/sim-config.js';
import { seedFromSimulator } from './fixtures/sim-seed.js';

// Webhooks and polling agree: two stores follow one simulated JIRA, one through its webhooks
// only, the other through cards passes only. After comments are edited and deleted and a card is
// deleted upstream (through the JIRA API), the next cards pass leaves the polling store exactly
// where the webhooks left the other: same cards, same comments, the deleted card kept and
// recorded as gone. A search cannot return a deleted issue, so polling sees a deletion at the
// daily full pass (the incremental pass asks only for what changed).

const SECRET = 'test-webhook-secret-polling-agrees';
const DEMO_AUTH = `Basic ${Buffer.from('demo@example.com:demo-api-token').toString('base64')}`;

describe.each(['pglite', 'postgres'] as const)('webhooks and polling agree on %s', (backend) => {
  let sim: RunningSimulator;
  let hooked: TestStore;
  let polled: TestStore;
  let config: Config;
  let app: FastifyInstance;

  const run = (ts: TestStore, params: JobParams = {}) =>
    cardsJob.handler(makeJobContext(ts.store, config, { job: cardsJob.name, runId: randomUUID(), params }));
  const jiraApi = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sim.urls.jira}/rest/api/2/${path}`, {
      method,
      headers: {
        authorization: DEMO_AUTH,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  /** What the dashboard shows of cards and their comments (not the raw payloads or sync times). */
  const snapshot = async (ts: TestStore) => ({
    cards: (
      await ts.store.db.query(
        `SELECT jira_key, case_number, summary, status_raw, status, priority, assignee_name, labels, updated_at
         FROM cards ORDER BY jira_key`,
      )
    ).rows,
    comments: (
      await ts.store.db.query(
        `SELECT jira_comment_id, jira_key, author, body, body_format, created_at, last_update_date
         FROM jira_comments ORDER BY jira_comment_id`,
      )
    ).rows,
    gone: (
      await ts.store.db.query(
        "SELECT entity_key, changes->'gone_upstream' AS gone FROM change_log WHERE op = 'gone' ORDER BY entity_key",
      )
    ).rows,
  });
  const teamCards = () =>
    sim.state.cards().filter((c) => c.labels.includes('field') && c.caseNumber && c.baseCommentCount >= 2);

  beforeAll(async () => {
    sim = await strictSimulator({ cases: 120, seed: 6 });
    config = simulatorConfig(sim, { JIRA_WEBHOOK_SECRET: SECRET });
    hooked = await openTestStore(backend, 'hooks-hooked');
    polled = await openTestStore(backend, 'hooks-polled');
    for (const ts of [hooked, polled]) {
      await seedFromSimulator(ts.store, sim.state);
      await run(ts);
    }
    app = await buildApp({ config, store: hooked.store, metrics: hooked.metrics, logger: silentLogger });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    sim.webhooks.configure({ url: `http://127.0.0.1:${port}/api/v1/webhooks/jira`, secret: SECRET });
  });

  afterAll(async () => {
    await app?.close();
    await hooked?.close();
    await polled?.close();
    await sim?.close();
  });

  it('the next cards pass gives the stored state the webhooks gave', async () => {
    expect(await snapshot(polled)).toEqual(await snapshot(hooked));
    const [edited, trimmed, deleted] = teamCards() as [SimIssue, SimIssue, SimIssue];
    const [first] = sim.state.issueComments(edited);
    const [, second] = sim.state.issueComments(trimmed);
    await jiraApi('PUT', `issue/${edited.key}/comment/${first?.id}`, { body: 'edited upstream' });
    await jiraApi('DELETE', `issue/${trimmed.key}/comment/${second?.id}`);
    const added = (await (
      await jiraApi('POST', `issue/${trimmed.key}/comment`, { body: 'added' })
    ).json()) as {
      id: string;
    };
    await jiraApi('PUT', `issue/${trimmed.key}/comment/${added.id}`, { body: 'added, then edited' });
    await jiraApi('DELETE', `issue/${deleted.key}`);
    const stats = await simControl<{ delivered: number; refused: Record<string, number> }>(
      sim,
      'webhooks/flush',
      {
        method: 'POST',
      },
    );
    expect(stats.refused).toEqual({});

    // The webhooks did it all, with nothing left for a pass to re-read.
    const viaHooks = await snapshot(hooked);
    const comment = (id: string | undefined) =>
      viaHooks.comments.find((c) => (c as { jira_comment_id: string }).jira_comment_id === id) as
        | { body: string }
        | undefined;
    expect(comment(first?.id)?.body).toBe('edited upstream');
    expect(comment(second?.id)).toBeUndefined();
    expect(comment(added.id)?.body).toBe('added, then edited');
    expect(viaHooks.gone).toEqual([{ entity_key: deleted.key, gone: [false, true] }]);

    // Polling: the incremental pass reads the cards changed since its cursor with all their comments.
    await run(polled);
    const incremental = await snapshot(polled);
    expect(incremental.cards).toEqual(viaHooks.cards);
    expect(incremental.comments).toEqual(viaHooks.comments);
    expect(incremental.gone).toEqual([]);
    // The deleted card: the full pass no longer finds it, keeps it and records it gone.
    await run(polled, { full: true });
    expect(await snapshot(polled)).toEqual(viaHooks);
    // And the webhook store's own full pass has nothing to add.
    await run(hooked, { full: true });
    expect(await snapshot(hooked)).toEqual(viaHooks);
  });
});
