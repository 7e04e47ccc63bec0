import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

const load = (env: Record<string, string | undefined>, cwd?: string) =>
  loadConfig({ env, dotEnv: cwd !== undefined, cwd: cwd ?? tmpdir() });

function problemsOf(env: Record<string, string | undefined>): { variable: string; message: string }[] {
  try {
    load(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('config defaults', () => {
  it('starts from the documented defaults with nothing set', () => {
    const c = load({});
    expect(c.server.port).toBe(8080);
    expect(c.readOnly).toBe(true);
    expect(c.demo.enabled).toBe(true);
    expect(c.storage.databaseUrl).toBeUndefined();
    expect(c.storage.dataDir).toBe(path.resolve(tmpdir(), 'data'));
    expect(c.portal.apiUrl).toBe('https://access.redhat.com/hydra/rest');
    expect(c.portal.pageSize).toBe(5000);
    expect(c.jira.flavor).toBe('cloud');
    expect(c.jira.statusMap['To Do']).toBe('Backlog');
    expect(c.jira.priorityMap).toEqual({ Urgent: 'Critical', High: 'Major', Normal: 'Normal', Low: 'Minor' });
    expect(c.email.subject).toBe('New Card(s) Have Been Created to Track Issues');
    expect(c.cardCreation.maxPerRun).toBe(10);
    expect(c.sla.days).toEqual({ Urgent: 14, High: 20, Normal: 90, Low: 180 });
    expect(c.schedules).toMatchObject({ cases: '*/15 * * * *', cards: '21 * * * *', stats: '40 4 * * *' });
  });

  it('never lets an unset or empty variable clobber a default', () => {
    const c = load({ EMAIL_SUBJECT: '', MAX_CARDS_PER_RUN: '   ', SMTP_HOST: undefined });
    expect(c.email.subject).toBe('New Card(s) Have Been Created to Track Issues');
    expect(c.cardCreation.maxPerRun).toBe(10);
    expect(c.email.smtpHost).toBe('localhost');
  });

  it('reads an optional .env file, with real environment variables winning', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 't5g-env-'));
    try {
      writeFileSync(path.join(dir, '.env'), 'PORT=9000\nJIRA_CARD_LABEL=team\n# comment\n');
      const c = load({ PORT: '9100' }, dir);
      expect(c.server.port).toBe(9100);
      expect(c.jira.cardLabel).toBe('team');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('accepts the original team JSON with "true"/"false" strings', () => {
    const c = load({
      TEAM: JSON.stringify([
        {
          name: 'Jane',
          jira_user: 'jane@example.com',
          accounts: ['Acme'],
          active: 'false',
          notifieduser: 'true',
        },
      ]),
    });
    expect(c.team[0]).toMatchObject({ name: 'Jane', active: false, notifieduser: true, accounts: ['Acme'] });
  });

  it('leaves demo mode once real upstream credentials are configured', () => {
    const c = load({ PORTAL_OFFLINE_TOKEN: 'tok', AUTH_MODE: 'none', AUTH_ALLOW_NONE: 'true' });
    expect(c.demo.enabled).toBe(false);
  });

  it('signs nobody in by default only in demo mode, and says when that was allowed explicitly', () => {
    expect(load({}).auth).toMatchObject({ mode: 'none', noneAllowedExplicitly: false });
    const allowed = load({ NODE_ENV: 'production', AUTH_ALLOW_NONE: 'true' });
    expect(allowed.auth).toMatchObject({ mode: 'none', noneAllowedExplicitly: true });
  });

  it('reads the OIDC settings, the role mapping and the proxy setting', () => {
    const c = load({
      PORTAL_OFFLINE_TOKEN: 'tok',
      AUTH_MODE: 'oidc',
      OIDC_ISSUER_URL: 'https://sso.example.com/realms/x',
      OIDC_CLIENT_ID: 't5g',
      PUBLIC_URL: 'https://t5g.example.com/',
      SESSION_SECRET: 'x'.repeat(32),
      AUTH_ADMIN_GROUPS: 't5g-admins',
      AUTH_VIEWER_GROUPS: 'staff, partners',
      TRUST_PROXY: '10.0.0.0/8,127.0.0.1',
    });
    expect(c.auth.oidc).toMatchObject({
      issuerUrl: 'https://sso.example.com/realms/x',
      groupsClaim: 'groups',
    });
    expect(c.auth.groups).toEqual({ admin: ['t5g-admins'], operator: [], viewer: ['staff', 'partners'] });
    expect(c.auth.publicUrl).toBe('https://t5g.example.com');
    expect(c.server.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(load({ TRUST_PROXY: '2' }).server.trustProxy).toBe(2);
  });
});

describe('config errors name each bad variable', () => {
  const cases: [string, Record<string, string>, string, RegExp][] = [
    ['a port that is not a number', { PORT: 'eighty' }, 'PORT', /whole number/],
    ['a port out of range', { PORT: '70000' }, 'PORT', /1 to 65535/],
    ['a boolean that is not one', { READ_ONLY: 'maybe' }, 'READ_ONLY', /true or false/],
    ['a database URL of another scheme', { DATABASE_URL: 'mysql://x' }, 'DATABASE_URL', /postgres/],
    ['a Redis URL of another scheme', { REDIS_URL: 'http://x' }, 'REDIS_URL', /redis/],
    ['a relative upstream URL', { PORTAL_API_URL: 'access.redhat.com' }, 'PORTAL_API_URL', /absolute URL/],
    ['an unknown JIRA flavor', { JIRA_FLAVOR: 'server' }, 'JIRA_FLAVOR', /cloud|dc/],
    ['team JSON that does not parse', { TEAM: '[{' }, 'TEAM', /not valid JSON/],
    ['a team member without jira_user', { TEAM: '[{"name":"x"}]' }, 'TEAM', /jira_user/],
    ['a status map that is not an object', { JIRA_STATUS_MAP: '[1]' }, 'JIRA_STATUS_MAP', /expected record/i],
    ['SLA settings missing a severity', { SLA_SETTINGS: '{"days":{"Urgent":1}}' }, 'SLA_SETTINGS', /High/],
    ['a cron with four fields', { SCHEDULE_CASES: '*/15 * * *' }, 'SCHEDULE_CASES', /five-field cron/],
    ['a short session secret', { SESSION_SECRET: 'short' }, 'SESSION_SECRET', /32 characters/],
    ['a page size past the portal cap', { PORTAL_PAGE_SIZE: '10000' }, 'PORTAL_PAGE_SIZE', /1 to 9999/],
    [
      'JIRA without a token',
      { JIRA_URL: 'https://x.atlassian.net', JIRA_USER: 'a', JIRA_PROJECT: 'P' },
      'JIRA_TOKEN',
      /required when JIRA_URL/,
    ],
    [
      'JIRA Cloud without a user',
      { JIRA_URL: 'https://x.atlassian.net', JIRA_TOKEN: 't', JIRA_PROJECT: 'P' },
      'JIRA_USER',
      /cloud/,
    ],
    [
      'an escalations project without its label',
      { JIRA_ESCALATIONS_PROJECT: 'RHOCPPRIO' },
      'JIRA_ESCALATIONS_LABEL',
      /required/,
    ],
    [
      'demo mode forced alongside credentials',
      { DEMO_MODE: 'true', PORTAL_OFFLINE_TOKEN: 't' },
      'DEMO_MODE',
      /demo mode/,
    ],
    [
      'demo mode off without a portal token',
      { DEMO_MODE: 'false' },
      'PORTAL_OFFLINE_TOKEN',
      /required when DEMO_MODE/,
    ],
    ['sign-in unset outside demo mode', { PORTAL_OFFLINE_TOKEN: 't' }, 'AUTH_MODE', /required outside demo/],
    ['no sign-in in production', { NODE_ENV: 'production' }, 'AUTH_MODE', /NODE_ENV=production/],
    [
      'no sign-in with upstream credentials',
      { AUTH_MODE: 'none', PORTAL_OFFLINE_TOKEN: 't' },
      'AUTH_MODE',
      /credentials/,
    ],
    ['an unknown sign-in mode', { AUTH_MODE: 'ldap' }, 'AUTH_MODE', /oidc/],
    ['OIDC without an issuer', { AUTH_MODE: 'oidc' }, 'OIDC_ISSUER_URL', /required when AUTH_MODE/],
    ['OIDC without a session secret', { AUTH_MODE: 'oidc' }, 'SESSION_SECRET', /required when AUTH_MODE/],
    ['OIDC without a role mapping', { AUTH_MODE: 'oidc' }, 'AUTH_VIEWER_GROUPS', /at least one/],
    ['a proxy setting that is none', { TRUST_PROXY: 'the nginx' }, 'TRUST_PROXY', /hop count/],
    ['a short metrics token', { METRICS_TOKEN: 'abc' }, 'METRICS_TOKEN', /16 characters/],
    ['an SMTP user without a password', { SMTP_USER: 'u' }, 'SMTP_PASSWORD', /required/],
    ['TEAM and TEAM_FILE together', { TEAM: '[]', TEAM_FILE: 'team.json' }, 'TEAM_FILE', /not both/],
    ['a TEAM_FILE that does not exist', { TEAM_FILE: '/nonexistent/team.json' }, 'TEAM_FILE', /cannot read/],
  ];
  it.each(cases)('%s', (_name, env, variable, message) => {
    const problems = problemsOf(env);
    expect(problems).toContainEqual({ variable, message: expect.stringMatching(message) });
  });

  it('reports every bad variable at once, in one message', () => {
    try {
      load({ PORT: 'x', READ_ONLY: 'y', LOG_LEVEL: 'loud' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      const message = (err as Error).message;
      for (const v of ['PORT', 'READ_ONLY', 'LOG_LEVEL']) expect(message).toContain(`- ${v}:`);
    }
  });
});
