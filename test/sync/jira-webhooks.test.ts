import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RunningSimulator, type SimIssue, signJiraWebhook } from '@t5g/simulators';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import type { Config } from '../../src/config/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import type { JobDefinition } from '../../src/sync/engine/types.js';
import { cardsJob } from '../../src/sync/jobs/cards.js';
import { issuesJob } from '../../src/sync/jobs/issues.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeJobContext } from '../support/job-context.js';
import { simControl, simulatorConfig, strictSimulator } from '../support/sim-config.js';
import { seedFromSimulator } from './fixtures/sim-seed.js';

// JIRA webhooks end to end: the simulator's real, signed deliveries reach t5g's receiver, which
// applies them through the store's normal write path (so an SSE client sees the change); forged
// deliveries are refused with 401 and counted; a replayed old delivery changes nothing; deletions,
// comments, linked issues and issues t5g does not track are handled as the cards pass would. Every
// change is made through the simulator's JIRA API or /_sim/mutate, so the payloads are the ones
// JIRA sends; only the forged and malformed requests are made by hand.

const SECRET = 'test-webhook-secret-0123456789';
const DEMO_AUTH = `Basic ${Buffer.from('demo@example.com:demo-api-token').toString('base64')}`;
const PATH = '/api/v1/webhooks/jira';

interface Delivery {
  raw: string;
  signature: string | undefined;
  body: {
    webhookEvent: string;
    issue?: { key: string; fields: Record<string, unknown> };
    comment?: { id: string };
  };
  status: number;
  answer: { outcome?: string; key?: string | null };
}

describe.each(['pglite', 'postgres'] as const)('JIRA webhooks on %s', (backend) => {
  let sim: RunningSimulator;
  let ts: TestStore;
  let config: Config;
  let app: FastifyInstance;
  let base: string;
  let relay: Server;
  const deliveries: Delivery[] = [];

  const rows = async <T>(sql: string, params: unknown[] = []) =>
    (await ts.store.db.query<T>(sql, params)).rows;
  const run = (job: JobDefinition) =>
    job.handler(makeJobContext(ts.store, config, { job: job.name, runId: randomUUID() }));
  const post = (raw: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: raw,
    });
  const signed = (raw: string, secret = SECRET) =>
    post(raw, { 'x-hub-signature': signJiraWebhook(raw, secret) });
  const flush = () => simControl(sim, 'webhooks/flush', { method: 'POST' });
  const counted = async (outcome: string) => {
    const metric = await ts.metrics.registry.getSingleMetric('t5g_webhook_requests_total')?.get();
    return metric?.values.find((v) => v.labels.outcome === outcome && v.labels.source === 'jira')?.value ?? 0;
  };
  const cardRow = async (key: string) =>
    (
      await rows<{ status_raw: string; updated_at: Date; summary: string }>(
        'SELECT status_raw, updated_at, summary FROM cards WHERE jira_key = $1',
        [key],
      )
    )[0];
  const teamCards = () =>
    sim.state.cards().filter((c) => c.projectKey === 'KNIECO' && c.labels.includes('field') && c.caseNumber);
  const mutateStatus = (key: string, status: string) =>
    simControl(sim, 'mutate', { body: { setCardStatus: { key, status } } });
  const lastOf = (event: string, key: string) =>
    [...deliveries].reverse().find((d) => d.body.webhookEvent === event && d.body.issue?.key === key);
  const commentDelivery = (event: string, id: string) =>
    [...deliveries].reverse().find((d) => d.body.webhookEvent === event && d.body.comment?.id === id);
  /** A call to the simulated JIRA's REST API as the demo user (strict auth accepts only it). */
  const jiraApi = (method: string, path: string, body?: unknown) =>
    fetch(`${sim.urls.jira}/rest/api/2/${path}`, {
      method,
      headers: {
        authorization: DEMO_AUTH,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const replay = async (d: Delivery | undefined) => {
    if (!d) throw new Error('no delivery recorded');
    const res = await post(d.raw, { 'x-hub-signature': d.signature ?? '' });
    expect(res.status).toBe(200);
    return ((await res.json()) as { outcome: string }).outcome;
  };
  const commentRow = async (id: string) =>
    (
      await rows<{ body: string; last_update_date: Date }>(
        'SELECT body, last_update_date FROM jira_comments WHERE jira_comment_id = $1',
        [id],
      )
    )[0];
  const logCount = async (entity: string, key: string) =>
    (
      await rows<{ n: number }>(
        'SELECT count(*)::int AS n FROM change_log WHERE entity = $1 AND entity_key = $2',
        [entity, key],
      )
    )[0]?.n ?? 0;

  /** Reads `change` events of the change feed until one names `key`; resolves with the time it arrived. */
  async function sseWaitFor(key: string, entity = 'card', timeoutMs = 10_000): Promise<number> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const res = await fetch(`${base}/api/v1/events?entities=${entity}`, { signal: controller.signal });
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      return await new Promise<number>((resolve, reject) => {
        const pump = async () => {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) return reject(new Error('stream ended'));
            text += decoder.decode(value, { stream: true });
            if (text.includes(`"${key}"`)) return resolve(Date.now());
          }
        };
        pump().catch(reject);
      });
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  }

  /** Opens the stream first (so nothing is missed), then runs `change`. */
  async function changeSeenOnSse(key: string, change: () => Promise<unknown>, entity = 'card') {
    const seen = sseWaitFor(key, entity);
    await new Promise((r) => setTimeout(r, 150));
    await change();
    return seen;
  }

  beforeAll(async () => {
    sim = await strictSimulator({ cases: 120, seed: 5 });
    ts = await openTestStore(backend, 'jira-webhooks');
    config = simulatorConfig(sim, { JIRA_WEBHOOK_SECRET: SECRET });
    await seedFromSimulator(ts.store, sim.state);
    await run(cardsJob);
    await run(issuesJob);
    app = await buildApp({ config, store: ts.store, metrics: ts.metrics, logger: silentLogger });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    // A relay between the simulator and t5g keeps every delivery, so a test can replay one.
    relay = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const signature = req.headers['x-hub-signature'] as string | undefined;
        const answer = await post(raw, signature ? { 'x-hub-signature': signature } : {});
        const text = await answer.text();
        deliveries.push({
          raw,
          signature,
          body: JSON.parse(raw),
          status: answer.status,
          answer: JSON.parse(text),
        });
        res.statusCode = answer.status;
        res.end(text);
      });
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    sim.webhooks.configure({
      url: `http://127.0.0.1:${(relay.address() as AddressInfo).port}/relay`,
      secret: SECRET,
    });
  });

  afterAll(async () => {
    await app?.close();
    await new Promise((resolve) => (relay ? relay.close(resolve) : resolve(undefined)));
    await ts?.close();
    await sim?.close();
  });

  it('applies a simulator change through the write path and an SSE client sees it', async () => {
    const card = teamCards()[0] as SimIssue;
    const from = card.status;
    const to = from === 'In Progress' ? 'Open' : 'In Progress';
    const started = Date.now();
    const seenAt = await changeSeenOnSse(card.key, () => mutateStatus(card.key, to));
    await flush();
    expect(seenAt - started).toBeLessThan(10_000);
    expect((await cardRow(card.key))?.status_raw).toBe(to);
    const delivery = lastOf('jira:issue_updated', card.key);
    expect(delivery?.status).toBe(200);
    expect(delivery?.answer.outcome).toBe('applied');
    // The same change_log row a sync run writes, without a run.
    const log = await rows<{ changes: Record<string, unknown>; run_id: string | null }>(
      "SELECT changes, run_id FROM change_log WHERE entity = 'card' AND entity_key = $1 ORDER BY id DESC LIMIT 1",
      [card.key],
    );
    expect(log[0]?.changes).toHaveProperty('status_raw', [from, to]);
    expect(log[0]?.run_id).toBeNull();
    // And the card read model follows.
    const index = await rows<{ status: string }>('SELECT status FROM cards WHERE jira_key = $1', [card.key]);
    expect(index[0]?.status).toBe(config.jira.statusMap[to]);
  });

  it('refuses forged deliveries (no signature, wrong signature, other secret) with 401 and counts them', async () => {
    const card = teamCards()[0] as SimIssue;
    const genuine = lastOf('jira:issue_updated', card.key);
    if (!genuine) throw new Error('no delivery recorded');
    const forged = genuine.raw.replace(`"name":"${card.status}"`, '"name":"Done"');
    expect(forged).not.toBe(genuine.raw);
    const before = { unsigned: await counted('unsigned'), bad: await counted('bad_signature') };
    const stored = await cardRow(genuine.body.issue?.key ?? '');

    const unsigned = await post(forged);
    expect(unsigned.status).toBe(401);
    expect((await unsigned.json()).message).toMatch(/X-Hub-Signature/);
    // The genuine signature over different bytes, a malformed header, another secret.
    expect((await post(forged, { 'x-hub-signature': genuine.signature ?? '' })).status).toBe(401);
    expect((await post(forged, { 'x-hub-signature': 'sha256=zz' })).status).toBe(401);
    expect((await signed(forged, 'another-secret-of-some-length')).status).toBe(401);

    expect(await counted('unsigned')).toBe(before.unsigned + 1);
    expect(await counted('bad_signature')).toBe(before.bad + 3);
    expect(await cardRow(genuine.body.issue?.key ?? '')).toEqual(stored);
  });

  it('answers 400 to a signed body that is not JSON or not a JIRA delivery', async () => {
    const before = await counted('bad_request');
    expect((await signed('{not json')).status).toBe(400);
    const res = await signed(JSON.stringify({ webhookEvent: 'jira:issue_updated', timestamp: 1 }));
    expect(res.status).toBe(400);
    expect((await res.json()).message).toMatch(/issue/);
    expect(await counted('bad_request')).toBe(before + 2);
  });

  it('a replayed old delivery changes nothing', async () => {
    const card = teamCards()[1] as SimIssue;
    await mutateStatus(card.key, 'Code Review');
    await flush();
    const old = lastOf('jira:issue_updated', card.key);
    await new Promise((r) => setTimeout(r, 5));
    await mutateStatus(card.key, 'QE Review');
    await flush();
    expect((await cardRow(card.key))?.status_raw).toBe('QE Review');
    const [{ n: logBefore } = { n: 0 }] = await rows<{ n: number }>(
      "SELECT count(*)::int AS n FROM change_log WHERE entity = 'card' AND entity_key = $1",
      [card.key],
    );
    const stale = await counted('stale');

    // The older delivery, byte for byte with its valid signature, arrives again.
    const replay = await post(old?.raw ?? '', { 'x-hub-signature': old?.signature ?? '' });
    expect(replay.status).toBe(200);
    expect((await replay.json()).outcome).toBe('stale');
    // So does the newest one: the same version as stored.
    const latest = lastOf('jira:issue_updated', card.key);
    const again = await post(latest?.raw ?? '', { 'x-hub-signature': latest?.signature ?? '' });
    expect((await again.json()).outcome).toBe('stale');

    expect((await cardRow(card.key))?.status_raw).toBe('QE Review');
    const [{ n: logAfter } = { n: 0 }] = await rows<{ n: number }>(
      "SELECT count(*)::int AS n FROM change_log WHERE entity = 'card' AND entity_key = $1",
      [card.key],
    );
    expect(logAfter).toBe(logBefore);
    expect(await counted('stale')).toBe(stale + 2);
  });

  it('stores a comment added, edited and deleted upstream; replays of older deliveries change nothing', async () => {
    const card = teamCards()[2] as SimIssue;
    const added = await jiraApi('POST', `issue/${card.key}/comment`, { body: 'seen through a webhook' });
    expect(added.status).toBe(201);
    const { id } = (await added.json()) as { id: string };
    await flush();
    expect((await commentRow(id))?.body).toBe('seen through a webhook');
    expect(commentDelivery('comment_created', id)?.answer.outcome).toBe('applied');

    // Edited upstream: comment_updated through the write path (change_log, the change feed).
    const logBefore = await logCount('jira_comment', id);
    const seen = changeSeenOnSse(
      id,
      async () =>
        expect(
          (await jiraApi('PUT', `issue/${card.key}/comment/${id}`, { body: 'edited upstream' })).status,
        ).toBe(200),
      'jira_comment',
    );
    await seen;
    await flush();
    expect((await commentRow(id))?.body).toBe('edited upstream');
    expect(commentDelivery('comment_updated', id)?.answer.outcome).toBe('applied');
    expect(await logCount('jira_comment', id)).toBe(logBefore + 1);
    // The older delivery (the comment as created) arriving again changes nothing.
    const stored = await commentRow(id);
    expect(await replay(commentDelivery('comment_created', id))).toBe('stale');
    expect(await commentRow(id)).toEqual(stored);
    expect(await logCount('jira_comment', id)).toBe(logBefore + 1);

    // A generated comment (one the first sync stored) edited through /_sim/mutate.
    const mutated = await simControl<{ editedComments: { id: string }[] }>(sim, 'mutate', {
      body: {
        editComment: { key: card.key, id: sim.state.issueComments(card)[0]?.id, body: 'first, edited' },
      },
    });
    await flush();
    const first = mutated.editedComments[0]?.id ?? '';
    expect((await commentRow(first))?.body).toBe('first, edited');

    // Deleted upstream: gone from the store; the same deletion again changes nothing.
    expect((await jiraApi('DELETE', `issue/${card.key}/comment/${id}`)).status).toBe(204);
    await flush();
    const deletion = commentDelivery('comment_deleted', id);
    expect(deletion?.answer.outcome).toBe('applied');
    expect(await commentRow(id)).toBeUndefined();
    expect(await replay(deletion)).toBe('stale');
    // Nor does the edit arriving again, seconds after the card was stamped by the deletion.
    expect(await replay(commentDelivery('comment_updated', id))).toBe('stale');
    expect(await commentRow(id)).toBeUndefined();
  });

  it('a card deleted upstream is kept as it is, listed and recorded once; untracked issues are ignored and counted', async () => {
    const card = teamCards()[1] as SimIssue;
    const stored = await cardRow(card.key);
    const olderUpdate = lastOf('jira:issue_updated', card.key);
    const seenAt = await changeSeenOnSse(card.key, async () =>
      expect((await jiraApi('DELETE', `issue/${card.key}`)).status).toBe(204),
    );
    expect(seenAt).toBeGreaterThan(0);
    await flush();
    const deletion = lastOf('jira:issue_deleted', card.key);
    expect(deletion?.answer.outcome).toBe('deleted');
    expect(await cardRow(card.key)).toEqual(stored);
    const gone = await rows<{ op: string; changes: Record<string, unknown>; run_id: string | null }>(
      "SELECT op, changes, run_id FROM change_log WHERE entity = 'card' AND entity_key = $1 AND op = 'gone'",
      [card.key],
    );
    expect(gone).toEqual([
      {
        op: 'gone',
        changes: { gone_upstream: [false, true], reason: 'deleted in JIRA (webhook)' },
        run_id: null,
      },
    ]);
    // The deletion replayed, and an older update of the card, change nothing more.
    const logBefore = await logCount('card', card.key);
    expect(await replay(deletion)).toBe('deleted');
    expect(await replay(olderUpdate)).toBe('stale');
    expect(await logCount('card', card.key)).toBe(logBefore);
    expect(await cardRow(card.key)).toEqual(stored);

    // An issue in the project without the team's label is not a card: ignored, counted.
    const ignored = await counted('ignored');
    const created = await jiraApi('POST', 'issue', {
      fields: { project: { key: 'KNIECO' }, summary: 'Not a team card', issuetype: { name: 'Task' } },
    });
    expect(created.status).toBe(201);
    const { key: otherKey } = (await created.json()) as { key: string };
    await flush();
    expect(lastOf('jira:issue_created', otherKey)?.answer.outcome).toBe('ignored');
    expect(await counted('ignored')).toBe(ignored + 1);
    expect(await cardRow(otherKey)).toBeUndefined();

    const status = await (await fetch(`${base}/api/v1/webhooks`)).json();
    const jira = status.sources[0];
    expect(jira).toMatchObject({ source: 'jira', enabled: true, path: PATH, lastOutcome: 'ignored' });
    expect(jira.deletedKeys).toContain(card.key);
    expect(Date.now() - Date.parse(jira.lastReceivedAt)).toBeLessThan(60_000);
    expect(jira.received).toBeGreaterThan(3);
  });

  it('updates a tracked linked issue from its webhook', async () => {
    const [tracked] = await rows<{ issue_key: string }>(
      'SELECT issue_key FROM issues ORDER BY issue_key LIMIT 1',
    );
    if (!tracked) throw new Error('fixture: no linked issue stored');
    const key = tracked.issue_key;
    const seen = changeSeenOnSse(
      key,
      () => jiraApi('PUT', `issue/${key}`, { fields: { summary: 'Renamed upstream' } }),
      'issue',
    );
    await seen;
    await flush();
    const [row] = await rows<{ title: string }>('SELECT title FROM issues WHERE issue_key = $1', [key]);
    expect(row?.title).toBe('Renamed upstream');
  });

  it('re-reads in the next cards pass the comments of cards a webhook changed (polling is the net)', async () => {
    // A comment whose own delivery was lost: only the issue update arrived.
    const card = teamCards()[3] as SimIssue;
    sim.webhooks.configure({});
    await simControl(sim, 'mutate', { body: { setCardStatus: { key: card.key, status: 'Blocked' } } });
    const comment = {
      id: `${card.id}999`,
      author: card.reporter,
      body: 'lost webhook',
      created: sim.state.now(),
      updated: sim.state.now(),
    };
    card.extraComments.push(comment);
    card.updated = sim.state.now();
    sim.webhooks.afterChange();
    const issueUpdate = {
      timestamp: Date.now(),
      webhookEvent: 'jira:issue_updated',
      issue: (await (await jiraApi('GET', `issue/${card.key}?fields=*navigable`)).json()) as unknown,
    };
    expect((await (await signed(JSON.stringify(issueUpdate))).json()).outcome).toBe('applied');
    expect(await rows('SELECT 1 FROM jira_comments WHERE jira_comment_id = $1', [comment.id])).toEqual([]);
    const status = await (await fetch(`${base}/api/v1/webhooks`)).json();
    expect(status.sources[0].pendingCommentChecks).toBeGreaterThan(0);

    await run(cardsJob);
    expect(await rows('SELECT 1 FROM jira_comments WHERE jira_comment_id = $1', [comment.id])).toHaveLength(
      1,
    );
    const after = await (await fetch(`${base}/api/v1/webhooks`)).json();
    expect(after.sources[0].pendingCommentChecks).toBe(0);
  });

  it('answers 404 while no secret is configured', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const off = await buildApp({
      config: { ...config, jira: { ...config.jira, webhookSecret: undefined } },
      store: ts.store,
      metrics,
      logger: silentLogger,
    });
    try {
      const res = await off.inject({
        method: 'POST',
        url: PATH,
        payload: '{}',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.statusCode).toBe(404);
      expect(res.json().message).toMatch(/JIRA_WEBHOOK_SECRET/);
      const metric = await metrics.registry.getSingleMetric('t5g_webhook_requests_total')?.get();
      expect(metric?.values).toContainEqual(
        expect.objectContaining({ labels: { source: 'jira', outcome: 'disabled' }, value: 1 }),
      );
    } finally {
      await off.close();
    }
  });
});
