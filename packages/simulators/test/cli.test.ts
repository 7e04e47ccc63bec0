import { describe, expect, it } from 'vitest';
import { parseSimulateArgs, SimulateUsageError } from '../src/cli.js';

describe('t5g simulate command line', () => {
  it('defaults to port 9900 and leaves everything else to the simulator', () => {
    expect(parseSimulateArgs([])).toEqual({ help: false, options: { port: 9900 } });
  });

  it('reads the JIRA webhook flags, and refuses a secret without a URL or a bad flavor', () => {
    expect(
      parseSimulateArgs([
        '--webhook-url',
        'http://127.0.0.1:8080/api/v1/webhooks/jira',
        '--webhook-secret=s3cret',
        '--webhook-flavor',
        'dc',
      ]),
    ).toEqual({
      help: false,
      options: {
        port: 9900,
        jiraWebhook: { url: 'http://127.0.0.1:8080/api/v1/webhooks/jira', secret: 's3cret', flavor: 'dc' },
      },
    });
    expect(() => parseSimulateArgs(['--webhook-secret', 'x'])).toThrow(SimulateUsageError);
    expect(() => parseSimulateArgs(['--webhook-url', 'ftp://x'])).toThrow(/http/);
    expect(() => parseSimulateArgs(['--webhook-url', 'http://x', '--webhook-flavor', 'x'])).toThrow(
      /cloud or dc/,
    );
  });

  it('reads the JIRA workflow, open or restricted', () => {
    expect(parseSimulateArgs(['--workflow', 'restricted'])).toEqual({
      help: false,
      options: { port: 9900, workflow: 'restricted' },
    });
    expect(parseSimulateArgs(['--workflow=open'])).toEqual({
      help: false,
      options: { port: 9900, workflow: 'open' },
    });
    expect(() => parseSimulateArgs(['--workflow', 'strict'])).toThrow(/open or restricted/);
  });

  it('reads every flag, as --flag value or --flag=value', () => {
    const request = parseSimulateArgs([
      '--port=0',
      '--host',
      '::1',
      '--cases',
      '2000',
      '--seed=7',
      '--smtp-port',
      '2525',
      '--strict-auth',
      '--offline-token',
      'off',
      '--jira-user=u@example.com',
      '--jira-token',
      'jt',
      '--bugzilla-key',
      'bk',
      '--slack-token=xoxb-1',
    ]);
    expect(request).toEqual({
      help: false,
      options: {
        port: 0,
        host: '::1',
        cases: 2000,
        seed: 7,
        smtpPort: 2525,
        strictAuth: true,
        credentials: {
          offlineToken: 'off',
          jiraUser: 'u@example.com',
          jiraToken: 'jt',
          bugzillaKey: 'bk',
          slackToken: 'xoxb-1',
        },
      },
    });
  });

  it('asks for the usage text with --help or -h', () => {
    expect(parseSimulateArgs(['--help'])).toEqual({ help: true });
    expect(parseSimulateArgs(['--port', '1', '-h'])).toEqual({ help: true });
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--port', 'x'], /--port needs a non-negative integer/],
    [['--seed=-1'], /--seed needs a non-negative integer/],
    [['--cases', '5'], /cases must be an integer between 10 and 100000/],
    [['--jira-token'], /argument missing/],
    [['stray'], /Unexpected argument 'stray'/],
  ])('rejects %j with a usage error', (args, message) => {
    expect(() => parseSimulateArgs(args)).toThrow(SimulateUsageError);
    expect(() => parseSimulateArgs(args)).toThrow(message);
  });
});
