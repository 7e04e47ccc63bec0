import { WebClient } from '@slack/web-api';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, SIM_DEFAULTS, type SimMail, type SimSlackMessage } from '../src/index.js';
import { call, jsonInit, startTestSimulator } from './helpers.js';

type Bugs = { bugs: Record<string, unknown>[]; faults: unknown[] };

describe('Bugzilla, Slack and SMTP simulators', () => {
  let sim: RunningSimulator;
  const key = { authorization: 'Bearer bz-key' };

  beforeAll(async () => {
    sim = await startTestSimulator({ cases: 1500, smtpPort: 0 });
  });
  afterAll(() => sim.close());

  const bugsBy = (v: string) => [...sim.state.bugs.values()].filter((b) => b.visibility === v);

  it('batch search omits private bugs and unknown ids; anonymous callers also lose internal ones', async () => {
    const pub = bugsBy('public').slice(0, 3);
    const internal = bugsBy('internal')[0];
    const priv = bugsBy('private')[0];
    if (!internal || !priv || pub.length < 3) throw new Error('fixture');
    const ids = [...pub.map((b) => b.id), internal.id, priv.id, 1].join(',');
    const fields =
      'id,summary,status,component,version,target_release,cf_internal_whiteboard,keywords,assigned_to,qa_contact,last_change_time';
    const authed = await call<Bugs>(`${sim.urls.bugzilla}/rest/bug?id=${ids}&include_fields=${fields}`, {
      headers: key,
    });
    expect(authed.status).toBe(200);
    expect(authed.body.faults).toEqual([]);
    expect(authed.body.bugs.map((b) => b.id)).toEqual([...pub.map((b) => b.id), internal.id]);
    const first = authed.body.bugs[0] ?? {};
    expect(Object.keys(first).sort()).toEqual(fields.split(',').sort());
    for (const f of ['component', 'version', 'target_release']) expect(Array.isArray(first[f])).toBe(true);
    expect(String(first.last_change_time)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect([...sim.state.bugs.values()].some((b) => b.targetRelease[0] === '---')).toBe(true);

    // api_key query params are ignored: the caller is anonymous.
    const anon = await call<Bugs>(`${sim.urls.bugzilla}/rest/bug?id=${ids}&api_key=secret`);
    expect(anon.body.bugs.map((b) => b.id)).toEqual(pub.map((b) => b.id));
    const x = await call<Bugs>(`${sim.urls.bugzilla}/rest/bug?id=${internal.id}`, {
      headers: { 'x-bugzilla-api-key': 'k' },
    });
    expect(x.body.bugs).toHaveLength(1);

    const many = Array.from({ length: SIM_DEFAULTS.bugzillaMaxIds + 1 }, (_, i) => i + 1).join(',');
    expect((await call(`${sim.urls.bugzilla}/rest/bug?id=${many}`, { headers: key })).status).toBe(400);
  });

  it('single get returns Bugzilla error bodies: 401/102 private, 404/101 unknown', async () => {
    const priv = bugsBy('private')[0];
    const restricted = await call<Record<string, unknown>>(`${sim.urls.bugzilla}/rest/bug/${priv?.id}`, {
      headers: key,
    });
    expect(restricted.status).toBe(401);
    expect(restricted.body).toMatchObject({ error: true, code: 102 });
    expect(restricted.body).toHaveProperty('documentation');
    const unknown = await call<Record<string, unknown>>(`${sim.urls.bugzilla}/rest/bug/1`, { headers: key });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: true, code: 101, message: 'Bug #1 does not exist.' });
    const pub = bugsBy('public')[0];
    const ok = await call<Bugs>(`${sim.urls.bugzilla}/rest/bug/${pub?.id}`, { headers: key });
    expect(ok.body.bugs[0]).toMatchObject({ id: pub?.id });
  });

  it('updates whiteboard and keywords with a changes report', async () => {
    const bug = bugsBy('public').find((b) => !b.keywords.includes('Telco'));
    const res = await call<{
      bugs: { id: number; changes: Record<string, { added: string; removed: string }> }[];
    }>(
      `${sim.urls.bugzilla}/rest/bug/${bug?.id}`,
      jsonInit(
        'PUT',
        { cf_internal_whiteboard: 'Telco Telco:Case', keywords: { add: ['Telco'] }, minor_update: true },
        key,
      ),
    );
    expect(res.status).toBe(200);
    expect(res.body.bugs[0]?.changes.keywords?.added).toBe('Telco');
    expect(bug?.internalWhiteboard).toBe('Telco Telco:Case');
    expect(
      (await call(`${sim.urls.bugzilla}/rest/bug/${bug?.id}`, jsonInit('PUT', { whiteboard: 'x' }))).status,
    ).toBe(401);
  });

  it('a PUT naming several ids updates every one of them, and its comment is added', async () => {
    const [a, b] = bugsBy('public');
    const res = await call<{ bugs: { id: number }[] }>(
      `${sim.urls.bugzilla}/rest/bug/${a?.id}`,
      jsonInit('PUT', { ids: [b?.id], whiteboard: 'both', comment: { body: 'Tagged by t5g' } }, key),
    );
    expect(res.status).toBe(200);
    expect(res.body.bugs.map((x) => x.id)).toEqual([a?.id, b?.id]);
    expect([a?.whiteboard, b?.whiteboard]).toEqual(['both', 'both']);
    for (const bug of [a, b]) {
      const comments = await call<{ bugs: Record<string, { comments: { text: string }[] }> }>(
        `${sim.urls.bugzilla}/rest/bug/${bug?.id}/comment`,
        { headers: key },
      );
      expect(comments.body.bugs[String(bug?.id)]?.comments.map((c) => c.text)).toEqual(['Tagged by t5g']);
    }
    const empty = await call(
      `${sim.urls.bugzilla}/rest/bug/${a?.id}`,
      jsonInit('PUT', { comment: { body: '' } }, key),
    );
    expect(empty.status).toBe(400);
  });

  it('Slack Web API via @slack/web-api: post, thread reply, errors, rate limit', async () => {
    const client = new WebClient('xoxb-test', {
      slackApiUrl: sim.urls.slackApi,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
    const auth = await client.auth.test();
    expect(auth.ok).toBe(true);
    const post = await client.chat.postMessage({
      channel: SIM_DEFAULTS.slack.highSeverityChannel,
      text: 'New case 04012345',
    });
    expect(post.ok).toBe(true);
    expect(post.channel).toMatch(/^C/);
    const ts = String(post.ts);
    const reply = await client.chat.postMessage({
      channel: String(post.channel),
      text: 'description',
      thread_ts: ts,
    });
    expect(reply.message?.thread_ts).toBe(ts);
    await expect(client.chat.postMessage({ channel: '#nope', text: 'x' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
    const anon = await call<{ ok: boolean; error: string }>(`${sim.urls.slackApi}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'channel=general&text=hi',
    });
    expect(anon.status).toBe(200);
    expect(anon.body).toEqual({ ok: false, error: 'not_authed' });
    await call(
      `${sim.url}/_sim/faults`,
      jsonInit('PUT', { slack: { rateLimitRate: 1, retryAfterSeconds: 3, limit: 1 } }),
    );
    await expect(client.chat.postMessage({ channel: 'general', text: 'x' })).rejects.toMatchObject({
      retryAfter: 3,
    });
    const messages = await call<SimSlackMessage[]>(`${sim.url}/_sim/slack`);
    expect(messages.body.map((m) => m.text)).toEqual(['New case 04012345', 'description']);
    expect(messages.body[1]?.threadTs).toBe(ts);
    const hook = await call(sim.urls.slackWebhook, jsonInit('POST', { text: 'via webhook' }));
    expect(hook.text).toBe('ok');
  });

  it('Slack strict auth answers invalid_auth', async () => {
    const strict = await startTestSimulator({
      cases: 10,
      strictAuth: true,
      credentials: { slackToken: 'xoxb-right' },
    });
    try {
      const client = new WebClient('xoxb-wrong', {
        slackApiUrl: strict.urls.slackApi,
        retryConfig: { retries: 0 },
      });
      await expect(client.auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    } finally {
      await strict.close();
    }
  });

  it('SMTP sink keeps mail sent with nodemailer, with headers and text', async () => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: sim.smtpPort,
      secure: false,
      ignoreTLS: true,
    });
    await transport.sendMail({
      from: 'dashboard@example.com',
      to: ['team@example.com', 'lead@example.com'],
      subject: 'New Card(s) Have Been Created: 04012345 — ünïcode',
      text: 'A JIRA issue (KNIECO-1234) has been created for a new case:\nCase #: 04012345\nSeverity: 2 (High)',
      headers: { 'Auto-Submitted': 'auto-generated' },
    });
    transport.close();
    const mail = await call<SimMail[]>(`${sim.url}/_sim/mail`);
    expect(mail.body).toHaveLength(1);
    const m = mail.body[0];
    expect(m?.subject).toBe('New Card(s) Have Been Created: 04012345 — ünïcode');
    expect(m?.envelope.to).toEqual(['team@example.com', 'lead@example.com']);
    expect(m?.headers['auto-submitted']).toBe('auto-generated');
    expect(m?.text).toContain('Severity: 2 (High)');
    const counters = await call<{ writes: Record<string, number> }>(`${sim.url}/_sim/counters`);
    expect(counters.body.writes['smtp DATA']).toBe(1);
    expect((await call<{ deleted: number }>(`${sim.url}/_sim/mail`, { method: 'DELETE' })).body.deleted).toBe(
      1,
    );
  });
});
