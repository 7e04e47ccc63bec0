import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { jiraBrowseUrl, shownUrl } from '../../src/shared/rules.js';
import { WITHOUT_SIGN_IN } from '../support/env.js';

// The configuration's security-relevant rules: where the server listens, whose forwarded headers
// it believes, and that every URL variable is a plain http(s) URL.

// With upstream credentials set, start-up needs a sign-in decision; these tests are about URLs.
const load = (env: Record<string, string | undefined>) =>
  loadConfig({ env: { ...WITHOUT_SIGN_IN, ...env }, dotEnv: false, cwd: tmpdir() });

function problemsOf(env: Record<string, string | undefined>) {
  try {
    load(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

const URL_VARIABLES = ['PORTAL_API_URL', 'PORTAL_SSO_TOKEN_URL', 'JIRA_URL', 'BUGZILLA_URL', 'SLACK_API_URL'];
const JIRA = { JIRA_USER: 'me@example.com', JIRA_TOKEN: 't', JIRA_PROJECT: 'KNIECO' };

describe('listening', () => {
  it('listens on loopback only unless HOST says otherwise', () => {
    expect(load({}).server.host).toBe('127.0.0.1');
    expect(load({ HOST: '0.0.0.0' }).server.host).toBe('0.0.0.0');
  });

  it('trusts no proxy by default; TRUST_PROXY takes true, a hop count or addresses', () => {
    expect(load({}).server.trustProxy).toBe(false);
    expect(load({ TRUST_PROXY: 'true' }).server.trustProxy).toBe(true);
    expect(load({ TRUST_PROXY: 'off' }).server.trustProxy).toBe(false);
    expect(load({ TRUST_PROXY: '2' }).server.trustProxy).toBe(2);
    expect(load({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).server.trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
    ]);
    expect(problemsOf({ TRUST_PROXY: 'everyone' })).toEqual([
      { variable: 'TRUST_PROXY', message: expect.stringContaining('hop count') },
    ]);
  });
});

describe('URL variables', () => {
  it.each(URL_VARIABLES)('%s accepts only http(s) URLs', (variable) => {
    const env = variable === 'JIRA_URL' ? JIRA : {};
    for (const bad of ['ftp://x', 'file:///etc/passwd', 'javascript:alert(1)', 'gopher://h/', 'not a url'])
      expect(problemsOf({ ...env, [variable]: bad }), bad).toEqual([
        { variable, message: 'expected an absolute URL (http:// or https://)' },
      ]);
    expect(() => load({ ...env, [variable]: 'https://host.example.com/base' })).not.toThrow();
    expect(() => load({ ...env, [variable]: 'http://127.0.0.1:9900/x' })).not.toThrow();
  });

  it.each(URL_VARIABLES)('%s refuses credentials inside the URL', (variable) => {
    const env = variable === 'JIRA_URL' ? JIRA : {};
    for (const bad of ['https://user:pw@host.example.com', 'https://user@host.example.com'])
      expect(problemsOf({ ...env, [variable]: bad }), bad).toEqual([
        { variable, message: expect.stringContaining('must not contain credentials') },
      ]);
  });

  it('names the variable and not the secret in the message', () => {
    const err = (() => {
      try {
        load({ ...JIRA, JIRA_URL: 'https://me:s3cret@jira.example.com' });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toContain('JIRA_URL');
    expect(err?.message).not.toContain('s3cret');
  });
});

describe('shownUrl', () => {
  it('drops the credentials of a URL and keeps the rest', () => {
    expect(shownUrl('https://me:pw@jira.example.com/base?q=1#x')).toBe('https://jira.example.com/base?q=1#x');
    expect(shownUrl('https://me@jira.example.com')).toBe('https://jira.example.com');
    expect(shownUrl('https://jira.example.com/a@b')).toBe('https://jira.example.com/a@b');
    expect(jiraBrowseUrl('https://u:p@j.example.com', 'K-1')).toBe('https://j.example.com/browse/K-1');
  });
});
