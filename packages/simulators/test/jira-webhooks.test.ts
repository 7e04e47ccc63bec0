import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../src/index.js';
import { call, cloudAuth, dcAuth, jsonInit, startTestSimulator } from './helpers.js';

// The simulator's JIRA webhooks: a change through /_sim/mutate or the JIRA API reaches a receiver
// as the events JIRA sends, signed with the configured secret over the raw body.

interface Delivery {
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  body: {
    webhookEvent: string;
    timestamp: number;
    issue?: { key: string; fields: Record<string, unknown> };
    comment?: { id: string; body: unknown; author: Record<string, unknown> };
    changelog?: { items: { field: string; fromString: string | null; toString: string | null }[] };
  };
}

const SECRET = 'sim-webhook-test-secret';

describe('JIRA webhooks from the simulator', () => {
  let sim: RunningSimulator;
  let receiver: Server;
  let url: string;
  let status = 200;
  const deliveries: Delivery[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        deliveries.push({ headers: req.headers, raw, body: JSON.parse(raw) });
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    sim = await startTestSimulator({ jiraWebhook: { url, secret: SECRET } });
  });

  afterAll(async () => {
    await sim?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  beforeEach(() => {
    deliveries.length = 0;
    status = 200;
  });

  const flush = () => call(`${sim.url}/_sim/webhooks/flush`, { method: 'POST' });
  const card = () => sim.state.cards().find((c) => c.status === 'To Do' && c.caseNumber);

  it('sends jira:issue_updated with a changelog for a status change, signed over the raw body', async () => {
    const target = card();
    if (!target) throw new Error('fixture: no To Do card');
    await call(
      `${sim.url}/_sim/mutate`,
      jsonInit('POST', { setCardStatus: { key: target.key, status: 'In Progress' } }),
    );
    await flush();
    expect(deliveries).toHaveLength(1);
    const [d] = deliveries;
    expect(d?.body.webhookEvent).toBe('jira:issue_updated');
    expect(d?.body.issue?.key).toBe(target.key);
    expect(d?.body.issue?.fields.status).toMatchObject({ name: 'In Progress' });
    expect(d?.body.issue?.fields).not.toHaveProperty('comment');
    expect(d?.body.changelog?.items).toContainEqual(
      expect.objectContaining({ field: 'status', fromString: 'To Do', toString: 'In Progress' }),
    );
    expect(typeof d?.body.timestamp).toBe('number');
    const expected = `sha256=${createHmac('sha256', SECRET)
      .update(d?.raw ?? '')
      .digest('hex')}`;
    expect(d?.headers['x-hub-signature']).toBe(expected);
    expect(d?.headers['x-atlassian-webhook-identifier']).toBeTruthy();
  });

  it('sends comment_created (and the issue update) for a comment added through the API', async () => {
    const target = card();
    if (!target) throw new Error('fixture: no To Do card');
    const res = await call<{ id: string }>(
      `${sim.urls.jira}/rest/api/2/issue/${target.key}/comment`,
      jsonInit('POST', { body: 'webhook comment' }, cloudAuth()),
    );
    expect(res.status).toBe(201);
    await flush();
    const events = deliveries.map((d) => d.body.webhookEvent).sort();
    expect(events).toEqual(['comment_created', 'jira:issue_updated']);
    const comment = deliveries.find((d) => d.body.webhookEvent === 'comment_created')?.body;
    expect(comment?.comment?.id).toBe(res.body.id);
    expect(comment?.comment?.body).toBe('webhook comment');
    expect(comment?.issue?.key).toBe(target.key);
    expect(comment?.comment?.author).toHaveProperty('accountId');
  });

  it('sends Data Center payloads (users by name) when set to dc, and sends nothing without a URL', async () => {
    await call(`${sim.url}/_sim/webhooks`, jsonInit('PUT', { url, secret: SECRET, flavor: 'dc' }));
    const target = card();
    if (!target) throw new Error('fixture: no To Do card');
    await call(
      `${sim.urls.jira}/rest/api/2/issue/${target.key}/comment`,
      jsonInit('POST', { body: 'dc comment' }, dcAuth()),
    );
    await flush();
    const comment = deliveries.find((d) => d.body.webhookEvent === 'comment_created')?.body;
    expect(comment?.comment?.author).toHaveProperty('name');
    expect(comment?.comment?.author).not.toHaveProperty('accountId');

    deliveries.length = 0;
    await call(`${sim.url}/_sim/webhooks`, jsonInit('PUT', { url: null }));
    await call(`${sim.url}/_sim/mutate`, jsonInit('POST', { newCardComments: 2 }));
    await flush();
    expect(deliveries).toHaveLength(0);
    // Re-enabling does not replay what changed while it was off.
    await call(`${sim.url}/_sim/webhooks`, jsonInit('PUT', { url, secret: SECRET }));
    await flush();
    expect(deliveries).toHaveLength(0);
  });

  it('counts a refused delivery and does not retry a 4xx', async () => {
    status = 401;
    await call(`${sim.url}/_sim/mutate`, jsonInit('POST', { newCardComments: 1 }));
    const stats = await flush();
    expect(deliveries).toHaveLength(2);
    expect((stats.body as { refused: Record<string, number> }).refused['401']).toBeGreaterThanOrEqual(2);
  });

  it('rejects invalid settings with 400', async () => {
    const res = await call(`${sim.url}/_sim/webhooks`, jsonInit('PUT', { url: 'ftp://x' }));
    expect(res.status).toBe(400);
  });
});
