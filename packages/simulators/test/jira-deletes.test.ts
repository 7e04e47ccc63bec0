import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSimulator, SimIssue } from '../src/index.js';
import { call, cloudAuth, dcAuth, jsonInit, startTestSimulator } from './helpers.js';

// Deleting issues and editing or deleting comments through the simulated JIRA API (Cloud v2/v3
// and Data Center) and `/_sim/mutate`: the answers JIRA gives, what search and the comment API
// show afterwards, and the webhook each change raises.

interface Delivery {
  raw: string;
  signature: string | undefined;
  body: {
    webhookEvent: string;
    issue_event_type_name?: string;
    issue?: { key: string; fields: Record<string, unknown> };
    comment?: { id: string; body: unknown; updated: string; author: Record<string, unknown> };
  };
}

interface Comments {
  total: number;
  comments: { id: string; body: unknown; updated: string; updateAuthor: Record<string, unknown> }[];
}

const SECRET = 'sim-delete-test-secret';

const doc = (text: string) => ({
  type: 'doc',
  version: 1,
  content: [{ type: 'paragraph', content: [{ type: 'text', text }] }],
});

describe('JIRA deletes and comment edits in the simulator', () => {
  let sim: RunningSimulator;
  let receiver: Server;
  let url: string;
  const deliveries: Delivery[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        deliveries.push({
          raw,
          signature: req.headers['x-hub-signature'] as string | undefined,
          body: JSON.parse(raw),
        });
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

  beforeEach(async () => {
    // What an earlier test left on the way is not this test's.
    await call(`${sim.url}/_sim/webhooks/flush`, { method: 'POST' });
    deliveries.length = 0;
  });

  const jira = (path: string) => `${sim.urls.jira}${path}`;
  const flush = () => call(`${sim.url}/_sim/webhooks/flush`, { method: 'POST' });
  const setFlavor = (flavor: 'cloud' | 'dc') =>
    call(`${sim.url}/_sim/webhooks`, jsonInit('PUT', { url, secret: SECRET, flavor }));
  const events = () => deliveries.map((d) => d.body.webhookEvent).sort();
  /** Cards with generated comments, a different one per test. */
  let next = 0;
  const aCard = (): SimIssue => {
    const cards = sim.state.cards().filter((c) => c.caseNumber && c.baseCommentCount >= 2);
    const card = cards[next++];
    if (!card) throw new Error('fixture: not enough cards with comments');
    return card;
  };
  const comments = (key: string, auth = cloudAuth(), v = '2') =>
    call<Comments>(jira(`/rest/api/${v}/issue/${key}/comment`), { headers: auth });
  const cloudSearch = (jql: string) =>
    call<{ issues: { key: string }[] }>(
      jira(`/rest/api/3/search/jql?jql=${encodeURIComponent(jql)}&fields=updated`),
      { headers: cloudAuth() },
    );

  it('Cloud v2: edits a generated comment (200, new body, updated and updateAuthor move on) and sends comment_updated', async () => {
    const card = aCard();
    const before = await comments(card.key);
    const target = before.body.comments[0];
    if (!target) throw new Error('fixture: no comment');
    const issueUpdated = card.updated;
    const res = await call<{ id: string; body: string; updated: string }>(
      jira(`/rest/api/2/issue/${card.key}/comment/${target.id}`),
      jsonInit('PUT', { body: 'edited upstream' }, cloudAuth('demo@example.com')),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: target.id, body: 'edited upstream' });
    expect(Date.parse(res.body.updated.replace(/(\d\d)(\d\d)$/, '$1:$2'))).toBeGreaterThan(
      Date.parse(target.updated.replace(/(\d\d)(\d\d)$/, '$1:$2')),
    );
    const after = await comments(card.key);
    expect(after.body.total).toBe(before.body.total);
    const edited = after.body.comments.find((c) => c.id === target.id);
    expect(edited?.body).toBe('edited upstream');
    expect(edited?.updateAuthor).toHaveProperty('emailAddress', 'demo@example.com');
    // The other comments (still generated) are unchanged, in the same order.
    expect(after.body.comments.map((c) => c.id)).toEqual(before.body.comments.map((c) => c.id));
    expect(after.body.comments.slice(1)).toEqual(before.body.comments.slice(1));
    // The issue is stamped, so an `updated >=` search finds it.
    expect(card.updated).toBeGreaterThan(issueUpdated);

    await flush();
    expect(events()).toEqual(['comment_updated', 'jira:issue_updated']);
    const d = deliveries.find((x) => x.body.webhookEvent === 'comment_updated');
    expect(d?.body.comment).toMatchObject({ id: target.id, body: 'edited upstream' });
    expect(d?.body.issue?.key).toBe(card.key);
    expect(d?.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    const issueEvent = deliveries.find((x) => x.body.webhookEvent === 'jira:issue_updated');
    expect(issueEvent?.body.issue_event_type_name).toBe('issue_comment_edited');
  });

  it('Cloud v3: a comment edit takes ADF (and refuses a string); Data Center edits with a PAT', async () => {
    const card = aCard();
    const [first, second] = (await comments(card.key)).body.comments;
    if (!first || !second) throw new Error('fixture: two comments');
    const path = jira(`/rest/api/3/issue/${card.key}/comment/${first.id}`);
    expect((await call(path, jsonInit('PUT', { body: 'plain' }, cloudAuth()))).status).toBe(400);
    const v3 = await call<{ body: unknown }>(path, jsonInit('PUT', { body: doc('in ADF') }, cloudAuth()));
    expect(v3.status).toBe(200);
    expect(v3.body.body).toMatchObject({ type: 'doc' });
    expect((await comments(card.key)).body.comments[0]?.body).toBe('in ADF');

    const dc = await call<{ body: string; updateAuthor: Record<string, unknown> }>(
      jira(`/rest/api/2/issue/${card.key}/comment/${second.id}`),
      jsonInit('PUT', { body: 'from Data Center' }, dcAuth()),
    );
    expect(dc.status).toBe(200);
    expect(dc.body.body).toBe('from Data Center');
    expect(dc.body.updateAuthor).toHaveProperty('name');
    // Data Center has no v3.
    expect(
      (
        await call(
          jira(`/rest/api/3/issue/${card.key}/comment/${second.id}`),
          jsonInit('PUT', { body: doc('x') }, dcAuth()),
        )
      ).status,
    ).toBe(404);
    // Unknown comment, empty body.
    expect(
      (
        await call(
          jira(`/rest/api/2/issue/${card.key}/comment/99`),
          jsonInit('PUT', { body: 'x' }, cloudAuth()),
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await call(
          jira(`/rest/api/2/issue/${card.key}/comment/${second.id}`),
          jsonInit('PUT', { body: ' ' }, cloudAuth()),
        )
      ).status,
    ).toBe(400);
  });

  it('deletes a comment (204, gone from the list, the issue stamped) and sends comment_deleted once', async () => {
    const card = aCard();
    const before = await comments(card.key);
    const target = before.body.comments[1];
    if (!target) throw new Error('fixture: no comment');
    const issueUpdated = card.updated;
    const res = await call(jira(`/rest/api/2/issue/${card.key}/comment/${target.id}`), {
      method: 'DELETE',
      headers: cloudAuth(),
    });
    expect(res.status).toBe(204);
    const after = await comments(card.key);
    expect(after.body.total).toBe(before.body.total - 1);
    expect(after.body.comments.map((c) => c.id)).not.toContain(target.id);
    expect(card.updated).toBeGreaterThan(issueUpdated);
    // Embedded in the issue too.
    const issue = await call<{ fields: { comment: Comments } }>(
      jira(`/rest/api/2/issue/${card.key}?fields=comment`),
      { headers: cloudAuth() },
    );
    expect(issue.body.fields.comment.comments.map((c) => c.id)).not.toContain(target.id);
    // Deleting it again: 404.
    const again = await call(jira(`/rest/api/2/issue/${card.key}/comment/${target.id}`), {
      method: 'DELETE',
      headers: cloudAuth(),
    });
    expect(again.status).toBe(404);

    await flush();
    expect(events()).toEqual(['comment_deleted', 'jira:issue_updated']);
    expect(deliveries.find((d) => d.body.webhookEvent === 'comment_deleted')?.body.comment?.id).toBe(
      target.id,
    );
    // A later unrelated change does not raise the deletion again.
    deliveries.length = 0;
    await call(`${sim.url}/_sim/mutate`, jsonInit('POST', { newCardComments: 1 }));
    await flush();
    expect(events()).not.toContain('comment_deleted');
  });

  it('a new comment after a deletion gets a fresh id', async () => {
    const card = aCard();
    const first = await call<{ id: string }>(
      jira(`/rest/api/2/issue/${card.key}/comment`),
      jsonInit('POST', { body: 'one' }, cloudAuth()),
    );
    await call(jira(`/rest/api/2/issue/${card.key}/comment/${first.body.id}`), {
      method: 'DELETE',
      headers: cloudAuth(),
    });
    const second = await call<{ id: string }>(
      jira(`/rest/api/2/issue/${card.key}/comment`),
      jsonInit('POST', { body: 'two' }, cloudAuth()),
    );
    expect(second.body.id).not.toBe(first.body.id);
    const ids = (await comments(card.key)).body.comments.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('deletes an issue (204; 404 after; gone from search) and sends jira:issue_deleted, Cloud and Data Center', async () => {
    for (const flavor of ['cloud', 'dc'] as const) {
      await setFlavor(flavor);
      await flush();
      deliveries.length = 0;
      const card = aCard();
      const auth = flavor === 'cloud' ? cloudAuth() : dcAuth();
      expect((await cloudSearch(`key = ${card.key}`)).body.issues).toHaveLength(1);
      const res = await call(jira(`/rest/api/2/issue/${card.key}`), { method: 'DELETE', headers: auth });
      expect(res.status).toBe(204);
      expect((await call(jira(`/rest/api/2/issue/${card.key}`), { headers: auth })).status).toBe(404);
      expect(
        (await call(jira(`/rest/api/2/issue/${card.key}`), { method: 'DELETE', headers: auth })).status,
      ).toBe(404);
      // A search naming the deleted key is refused, as JIRA refuses a key that does not exist.
      const gone = await cloudSearch(`key = ${card.key}`);
      expect(gone.status).toBe(400);
      expect(JSON.stringify(gone.body)).toContain(`An issue with key '${card.key}' does not exist`);
      expect(
        (await cloudSearch(`project = KNIECO AND labels = field`)).body.issues.map((i) => i.key),
      ).not.toContain(card.key);

      await flush();
      expect(events()).toEqual(['jira:issue_deleted']);
      const d = deliveries[0];
      expect(d?.body.issue?.key).toBe(card.key);
      expect(d?.body.issue_event_type_name).toBe('issue_deleted');
      const user = (d?.body as { user?: Record<string, unknown> } | undefined)?.user;
      expect(user).toHaveProperty(flavor === 'cloud' ? 'accountId' : 'name');
    }
    await setFlavor('cloud');
  });

  it('/_sim/mutate deletes issues and edits or deletes comments, reporting what changed', async () => {
    const card = aCard();
    const res = await call<{ editedComments: { key: string; id: string }[] }>(
      `${sim.url}/_sim/mutate`,
      jsonInit('POST', { editComment: { key: card.key, body: 'mutated' } }),
    );
    expect(res.status).toBe(200);
    const edited = res.body.editedComments[0];
    expect(edited?.key).toBe(card.key);
    const list = (await comments(card.key)).body.comments;
    expect(list.at(-1)).toMatchObject({ id: edited?.id, body: 'mutated' });

    const del = await call<{ deletedComments: { id: string }[] }>(
      `${sim.url}/_sim/mutate`,
      jsonInit('POST', { deleteComment: { key: card.key, id: list[0]?.id } }),
    );
    expect(del.body.deletedComments).toEqual([{ key: card.key, id: list[0]?.id }]);
    expect((await comments(card.key)).body.total).toBe(list.length - 1);

    const gone = await call<{ deletedIssues: string[] }>(
      `${sim.url}/_sim/mutate`,
      jsonInit('POST', { deleteIssue: { key: card.key } }),
    );
    expect(gone.body.deletedIssues).toEqual([card.key]);
    expect(sim.state.findIssue(card.key)).toBeUndefined();
    expect(
      (await call(`${sim.url}/_sim/mutate`, jsonInit('POST', { deleteIssue: { key: card.key } }))).status,
    ).toBe(400);

    await flush();
    expect(events()).toEqual([
      'comment_deleted',
      'comment_updated',
      'jira:issue_deleted',
      'jira:issue_updated',
      'jira:issue_updated',
    ]);
  });
});
