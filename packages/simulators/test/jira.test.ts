import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, SIM_DEFAULTS } from '../src/index.js';
import { call, cloudAuth, dcAuth, jsonInit, startTestSimulator } from './helpers.js';

type Issue = {
  id: string;
  key?: string;
  fields?: Record<string, unknown>;
  renderedFields?: Record<string, unknown>;
};
type CloudPage = { issues: Issue[]; nextPageToken?: string; isLast: boolean; total?: number };
type DcPage = { issues: Issue[]; startAt: number; maxResults: number; total: number };
type Comments = {
  startAt: number;
  maxResults: number;
  total: number;
  comments: { id: string; body: unknown }[];
};

const JIRA_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/;
const CARD_JQL = `project = ${SIM_DEFAULTS.jiraProject} AND labels = "${SIM_DEFAULTS.cardLabel}"`;

describe('Jira simulator', () => {
  let sim: RunningSimulator;
  const jira = (path: string) => `${sim.urls.jira}${path}`;

  beforeAll(async () => {
    sim = await startTestSimulator({ cases: 400 });
  });
  afterAll(() => sim.close());

  it('Cloud: search/jql pages with nextPageToken, no total, id-only by default', async () => {
    const cards = sim.state.cards().length;
    const seen = new Set<string>();
    let token: string | undefined;
    let pages = 0;
    do {
      const params = new URLSearchParams({ jql: CARD_JQL, maxResults: '40' });
      if (token) params.set('nextPageToken', token);
      const res = await call<CloudPage>(jira(`/rest/api/3/search/jql?${params}`), { headers: cloudAuth() });
      expect(res.status).toBe(200);
      expect(res.body).not.toHaveProperty('total');
      for (const i of res.body.issues) {
        expect(Object.keys(i)).toEqual(['id']);
        seen.add(i.id);
      }
      token = res.body.nextPageToken;
      expect(res.body.isLast).toBe(token === undefined);
      pages++;
    } while (token);
    expect(seen.size).toBe(cards);
    expect(pages).toBe(Math.ceil(cards / 40));
    const bad = await call(
      jira(`/rest/api/3/search/jql?jql=${encodeURIComponent(CARD_JQL)}&nextPageToken=garbage`),
      { headers: cloudAuth() },
    );
    expect(bad.status).toBe(400);
  });

  it('Cloud: POST search/jql, ADF on v3, wiki on v2, accountId users', async () => {
    const body = {
      jql: CARD_JQL,
      fields: ['summary', 'description', 'assignee', 'comment', 'created', 'updated'],
      maxResults: 5,
    };
    const v3 = await call<CloudPage>(jira('/rest/api/3/search/jql'), jsonInit('POST', body, cloudAuth()));
    const v2 = await call<CloudPage>(jira('/rest/api/2/search/jql'), jsonInit('POST', body, cloudAuth()));
    const a = v3.body.issues.find((i) => i.fields?.assignee);
    expect(a?.fields?.description).toMatchObject({ type: 'doc', version: 1 });
    expect(a?.fields?.assignee).toHaveProperty('accountId');
    expect(a?.fields?.assignee).not.toHaveProperty('name');
    expect(String(a?.fields?.created)).toMatch(JIRA_DATE);
    expect(typeof v2.body.issues[0]?.fields?.description).toBe('string');
  });

  it('Cloud: the old /search endpoints answer 410 with the migration message', async () => {
    for (const v of ['2', '3']) {
      const res = await call<{ errorMessages: string[] }>(jira(`/rest/api/${v}/search?jql=project=KNIECO`), {
        headers: cloudAuth(),
      });
      expect(res.status).toBe(410);
      expect(res.body.errorMessages[0]).toMatch(/migrate to the \/rest\/api\/3\/search\/jql API/);
    }
  });

  it('DC: /rest/api/2/search pages with startAt/total, *navigable default, name/key users; v3 is 404', async () => {
    const res = await call<DcPage>(
      jira(`/rest/api/2/search?jql=${encodeURIComponent(CARD_JQL)}&startAt=10&maxResults=25`),
      { headers: dcAuth() },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ startAt: 10, maxResults: 25, total: sim.state.cards().length });
    expect(res.body.issues).toHaveLength(25);
    const withAssignee = res.body.issues.find((i) => i.fields?.assignee);
    expect(withAssignee?.fields?.assignee).toHaveProperty('name');
    expect(withAssignee?.fields?.assignee).toHaveProperty('key');
    expect(withAssignee?.fields?.assignee).not.toHaveProperty('accountId');
    expect(typeof withAssignee?.fields?.summary).toBe('string');
    expect(withAssignee?.fields).not.toHaveProperty('comment');
    expect(res.headers.get('x-ratelimit-limit')).toBeTruthy();
    const post = await call<DcPage>(
      jira('/rest/api/2/search'),
      jsonInit('POST', { jql: CARD_JQL, maxResults: 1, fields: ['summary'] }, dcAuth()),
    );
    expect(post.body.issues[0]?.fields).toEqual({ summary: expect.any(String) });
    expect(
      (await call(jira('/rest/api/3/search/jql?jql=project=KNIECO'), { headers: dcAuth() })).status,
    ).toBe(404);
    expect((await call(jira('/rest/api/3/issue/KNIECO-1000'), { headers: dcAuth() })).status).toBe(404);
  });

  it('embeds at most 20 comments in search results; the rest is paged via /comment', async () => {
    const busy = sim.state.cards().find((i) => sim.state.issueCommentCount(i) > 20);
    if (!busy) throw new Error('fixture: no card with >20 comments');
    const total = sim.state.issueCommentCount(busy);
    const res = await call<CloudPage>(
      jira(`/rest/api/2/search/jql?jql=${encodeURIComponent(`key = ${busy.key}`)}&fields=comment`),
      { headers: cloudAuth() },
    );
    const embedded = res.body.issues[0]?.fields?.comment as Comments;
    expect(embedded.total).toBe(total);
    expect(embedded.comments).toHaveLength(20);
    const ids: string[] = [];
    for (let startAt = 0; startAt < total; startAt += 10) {
      const page = await call<Comments>(
        jira(`/rest/api/2/issue/${busy.key}/comment?startAt=${startAt}&maxResults=10`),
        { headers: cloudAuth() },
      );
      expect(page.body.total).toBe(total);
      ids.push(...page.body.comments.map((c) => c.id));
    }
    expect(new Set(ids).size).toBe(total);
    const single = await call<Issue>(jira(`/rest/api/2/issue/${busy.key}?fields=comment`), {
      headers: dcAuth(),
    });
    expect((single.body.fields?.comment as Comments | undefined)?.comments).toHaveLength(total);
  });

  it('serves linked issues with renderedFields and restricted custom fields', async () => {
    const linked = sim.state.issues.find(
      (i) => i.role === 'linked' && i.privateKeywords && i.qaContact && i.severity,
    );
    if (!linked) throw new Error('fixture');
    const f = SIM_DEFAULTS.customFields.cloud;
    const res = await call<Issue>(jira(`/rest/api/2/issue/${linked.key}?expand=renderedFields`), {
      headers: cloudAuth(),
    });
    expect(res.status).toBe(200);
    expect(res.body.fields?.[f.qaContact]).toHaveProperty('emailAddress');
    expect(res.body.fields?.[f.severity]).toMatchObject({ value: linked.severity });
    expect(res.body.fields?.issuetype).toMatchObject({ name: linked.issueType });
    expect(res.body.renderedFields?.[f.privateKeywords]).toBe(linked.privateKeywords);
    expect(typeof res.body.renderedFields?.description).toBe('string');
    const esc = await call<CloudPage>(
      jira(
        `/rest/api/3/search/jql?${new URLSearchParams({ jql: 'project = RHOCPPRIO AND labels = "Telco5g" AND status != "Closed"', fields: f.sfdcCaseLinks, expand: 'renderedFields' })}`,
      ),
      { headers: cloudAuth() },
    );
    expect(esc.body.issues.length).toBe(sim.state.summary().escalations);
    for (const i of esc.body.issues) expect(String(i.renderedFields?.[f.sfdcCaseLinks])).toMatch(/^\d{8}/);
    expect((await call(jira('/rest/api/2/issue/NOPE-1'), { headers: cloudAuth() })).status).toBe(404);
  });

  it('creates, edits, transitions, comments on and links a card; adds it to the sprint', async () => {
    const member = sim.team[0];
    if (!member) throw new Error('team');
    const f = SIM_DEFAULTS.customFields.cloud;
    const fields = {
      project: { key: SIM_DEFAULTS.jiraProject },
      issuetype: { name: 'Story' },
      components: [{ name: SIM_DEFAULTS.cardComponent }],
      priority: { name: 'Major' },
      labels: ['field', 'no-qe'],
      summary: '09999999: Test card',
      description: 'Created by a test',
      assignee: { accountId: member.jira_account_id },
      [f.releaseNoteText]: 'TRACK',
    };
    const missing = await call<{ errors: Record<string, string> }>(
      jira('/rest/api/2/issue'),
      jsonInit('POST', { fields: { project: { key: 'KNIECO' } } }, cloudAuth()),
    );
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.body.errors)).toEqual(expect.arrayContaining(['summary', 'issuetype']));
    const wrongUser = await call(
      jira('/rest/api/2/issue'),
      jsonInit('POST', { fields: { ...fields, assignee: { name: member.jira_user } } }, cloudAuth()),
    );
    expect(wrongUser.status).toBe(400);
    const unknownField = await call<{ errors: Record<string, string> }>(
      jira('/rest/api/2/issue'),
      jsonInit('POST', { fields: { ...fields, customfield_99999: 'x' } }, cloudAuth()),
    );
    expect(unknownField.body.errors.customfield_99999).toMatch(/cannot be set/);
    const adfRequired = await call(jira('/rest/api/3/issue'), jsonInit('POST', { fields }, cloudAuth()));
    expect(adfRequired.status).toBe(400);

    const created = await call<{ id: string; key: string; self: string }>(
      jira('/rest/api/2/issue'),
      jsonInit('POST', { fields }, cloudAuth()),
    );
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^KNIECO-\d+$/);
    const key = created.body.key;

    const edit = await call(
      jira(`/rest/api/2/issue/${key}`),
      jsonInit(
        'PUT',
        { fields: { priority: { name: 'Critical' } }, update: { labels: [{ add: 'Trends' }] } },
        cloudAuth(),
      ),
    );
    expect(edit.status).toBe(204);

    const transitions = await call<{ transitions: { id: string; name: string }[] }>(
      jira(`/rest/api/2/issue/${key}/transitions`),
      { headers: cloudAuth() },
    );
    const toDo = transitions.body.transitions.find((t) => t.name === 'To Do');
    expect(toDo?.id).toBe(SIM_DEFAULTS.reopenTransitionId);
    expect(
      (
        await call(
          jira(`/rest/api/2/issue/${key}/transitions`),
          jsonInit('POST', { transition: { id: toDo?.id } }, cloudAuth()),
        )
      ).status,
    ).toBe(204);
    expect(
      (
        await call(
          jira(`/rest/api/2/issue/${key}/transitions`),
          jsonInit('POST', { transition: { id: '999' } }, cloudAuth()),
        )
      ).status,
    ).toBe(400);

    const comment = await call<{ id: string; body: unknown }>(
      jira(`/rest/api/3/issue/${key}/comment`),
      jsonInit(
        'POST',
        {
          body: {
            type: 'doc',
            version: 1,
            content: [{ type: 'paragraph', content: [{ type: 'text', text: 'hello' }] }],
          },
        },
        cloudAuth(),
      ),
    );
    expect(comment.status).toBe(201);
    expect(comment.body.body).toMatchObject({ type: 'doc' });

    const link = await call(
      jira(`/rest/api/2/issue/${key}/remotelink`),
      jsonInit(
        'POST',
        { object: { url: 'https://access.redhat.com/support/cases/09999999', title: 'Support Case' } },
        cloudAuth(),
      ),
    );
    expect(link.status).toBe(201);
    const links = await call<{ object: { title: string } }[]>(jira(`/rest/api/2/issue/${key}/remotelink`), {
      headers: cloudAuth(),
    });
    expect(links.body.map((l) => l.object.title)).toEqual(['Support Case']);

    const boards = await call<{ values: { id: number; name: string }[] }>(
      jira(`/rest/agile/1.0/board?name=${encodeURIComponent(SIM_DEFAULTS.boardName)}`),
      { headers: cloudAuth() },
    );
    const board = boards.body.values[0];
    expect(board?.name).toBe(SIM_DEFAULTS.boardName);
    const sprints = await call<{ values: { id: number; name: string; state: string }[]; isLast: boolean }>(
      jira(`/rest/agile/1.0/board/${board?.id}/sprint?state=active`),
      { headers: cloudAuth() },
    );
    expect(sprints.body.values).toHaveLength(1);
    expect(sprints.body.values[0]?.name.startsWith(SIM_DEFAULTS.sprintNamePrefix)).toBe(true);
    const add = await call(
      jira(`/rest/agile/1.0/sprint/${sprints.body.values[0]?.id}/issue`),
      jsonInit('POST', { issues: [key] }, cloudAuth()),
    );
    expect(add.status).toBe(204);

    const after = await call<Issue>(
      jira(`/rest/api/2/issue/${key}?fields=status,priority,labels,${f.sprint},summary`),
      { headers: cloudAuth() },
    );
    expect(after.body.fields).toMatchObject({
      status: { name: 'To Do' },
      priority: { name: 'Critical' },
      labels: ['field', 'no-qe', 'Trends'],
    });
    const found = await call<CloudPage>(
      jira(
        `/rest/api/3/search/jql?${new URLSearchParams({ jql: `sprint in openSprints() AND summary ~ "09999999"`, fields: 'summary' })}`,
      ),
      { headers: cloudAuth() },
    );
    expect(found.body.issues.map((i) => i.key)).toEqual([key]);
  });

  it('answers JQL errors with 400 errorMessages', async () => {
    const res = await call<{ errorMessages: string[]; errors: object }>(
      jira(`/rest/api/3/search/jql?jql=${encodeURIComponent('foo = bar')}`),
      { headers: cloudAuth() },
    );
    expect(res.status).toBe(400);
    expect(res.body.errorMessages[0]).toMatch(/Field 'foo' does not exist/);
    expect(res.body.errors).toEqual({});
  });

  it('rate-limits with Cloud headers and a DC HTML page', async () => {
    await call(
      `${sim.url}/_sim/faults`,
      jsonInit('PUT', { jira: { rateLimitRate: 1, retryAfterSeconds: 2, limit: 2 } }),
    );
    const cloud = await call(jira(`/rest/api/3/search/jql?jql=${encodeURIComponent(CARD_JQL)}`), {
      headers: cloudAuth(),
    });
    expect(cloud.status).toBe(429);
    expect(cloud.headers.get('retry-after')).toBe('2');
    expect(cloud.headers.get('x-ratelimit-reset')).toMatch(/Z$/);
    expect(cloud.headers.get('ratelimit-reason')).toBe('jira-burst-based');
    const dc = await call(jira(`/rest/api/2/search?jql=${encodeURIComponent(CARD_JQL)}`), {
      headers: dcAuth(),
    });
    expect(dc.status).toBe(429);
    expect(dc.headers.get('retry-after')).toBe('2');
    expect(dc.headers.get('content-type')).toMatch(/text\/html/);
    expect(dc.text).toContain('Rate limit exceeded.');
    await call(`${sim.url}/_sim/faults`, { method: 'DELETE' });
  });

  it('checks credentials exactly in strict mode', async () => {
    const strict = await startTestSimulator({
      cases: 10,
      strictAuth: true,
      credentials: { jiraUser: 'me@example.com', jiraToken: 'secret' },
    });
    try {
      const url = `${strict.urls.jira}/rest/api/3/myself`;
      expect((await call(url, { headers: cloudAuth('me@example.com', 'secret') })).status).toBe(200);
      expect((await call(url, { headers: cloudAuth('me@example.com', 'wrong') })).status).toBe(401);
      expect(
        (await call(`${strict.urls.jira}/rest/api/2/myself`, { headers: dcAuth('secret') })).status,
      ).toBe(200);
      expect((await call(`${strict.urls.jira}/rest/api/2/myself`, { headers: dcAuth('wrong') })).status).toBe(
        401,
      );
      expect((await call(url)).status).toBe(401);
    } finally {
      await strict.close();
    }
  });
});
