/**
 * `t5g simulate`: runs the simulated upstreams until SIGINT/SIGTERM and prints where each lives.
 */
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { startSimulator } from './index.js';
import { resolveOptions, type SimulatorCredentials, type SimulatorOptions } from './options.js';

const USAGE = `Usage: t5g simulate [--port P] [--host H] [--cases N] [--seed S] [--smtp-port P]
                    [--strict-auth] [--jira-time-zone Z] [--workflow open|restricted] [--offline-token T] [--jira-user U] [--jira-token T]
                    [--bugzilla-key K] [--slack-token T]
                    [--webhook-url URL] [--webhook-secret S] [--webhook-flavor cloud|dc]`;

const DEFAULT_PORT = 9900;

const FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  cases: { type: 'string' },
  seed: { type: 'string' },
  'smtp-port': { type: 'string' },
  'strict-auth': { type: 'boolean' },
  'jira-time-zone': { type: 'string' },
  workflow: { type: 'string' },
  'offline-token': { type: 'string' },
  'jira-user': { type: 'string' },
  'jira-token': { type: 'string' },
  'bugzilla-key': { type: 'string' },
  'slack-token': { type: 'string' },
  'webhook-url': { type: 'string' },
  'webhook-secret': { type: 'string' },
  'webhook-flavor': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

const CREDENTIAL_FLAGS = {
  'offline-token': 'offlineToken',
  'jira-user': 'jiraUser',
  'jira-token': 'jiraToken',
  'bugzilla-key': 'bugzillaKey',
  'slack-token': 'slackToken',
} as const satisfies Partial<Record<keyof typeof FLAGS, keyof SimulatorCredentials>>;

/** A command line `t5g simulate` cannot run with; the message says which flag and why. */
export class SimulateUsageError extends Error {}

/** What a command line asks for: the usage text, or a simulator with these options. */
export type SimulateRequest = { help: true } | { help: false; options: SimulatorOptions };

function intArg(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new SimulateUsageError(`--${flag} needs a non-negative integer`);
  return n;
}

/** `--webhook-*`: where JIRA changes are POSTed as webhooks, signed with the secret. */
function webhookArgs(values: ReturnType<typeof readFlags>): SimulatorOptions['jiraWebhook'] {
  const url = values['webhook-url'];
  const secret = values['webhook-secret'];
  const flavor = values['webhook-flavor'];
  if (url === undefined) {
    if (secret !== undefined || flavor !== undefined)
      throw new SimulateUsageError('--webhook-secret and --webhook-flavor need --webhook-url');
    return undefined;
  }
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    throw new SimulateUsageError('--webhook-url needs an http(s) URL');
  if (flavor !== undefined && flavor !== 'cloud' && flavor !== 'dc')
    throw new SimulateUsageError('--webhook-flavor is cloud or dc');
  return { url, ...(secret ? { secret } : {}), ...(flavor ? { flavor } : {}) };
}

/** The flags as given; `node:util` reports a bad command line as a TypeError coded ERR_PARSE_ARGS_*. */
function readFlags(args: string[]) {
  try {
    return parseArgs({ args, options: FLAGS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_'))
      throw new SimulateUsageError((err as Error).message);
    throw err;
  }
}

export function parseSimulateArgs(args: string[]): SimulateRequest {
  const values = readFlags(args);
  if (values.help) return { help: true };
  const options: SimulatorOptions = { port: intArg('port', values.port) ?? DEFAULT_PORT };
  if (values.host !== undefined) options.host = values.host;
  const cases = intArg('cases', values.cases);
  if (cases !== undefined) options.cases = cases;
  const seed = intArg('seed', values.seed);
  if (seed !== undefined) options.seed = seed;
  const smtpPort = intArg('smtp-port', values['smtp-port']);
  if (smtpPort !== undefined) options.smtpPort = smtpPort;
  if (values['strict-auth']) options.strictAuth = true;
  if (values['jira-time-zone'] !== undefined) options.jiraBotTimeZone = values['jira-time-zone'];
  if (values.workflow !== undefined) {
    if (values.workflow !== 'open' && values.workflow !== 'restricted')
      throw new SimulateUsageError('--workflow is open or restricted');
    options.workflow = values.workflow;
  }
  const credentials: SimulatorCredentials = {};
  for (const [flag, key] of Object.entries(CREDENTIAL_FLAGS)) {
    const value = values[flag as keyof typeof CREDENTIAL_FLAGS];
    if (value !== undefined) credentials[key] = value;
  }
  if (Object.keys(credentials).length > 0) options.credentials = credentials;
  const webhook = webhookArgs(values);
  if (webhook) options.jiraWebhook = webhook;
  // The simulator's own range checks (e.g. the number of cases), reported as usage errors too.
  try {
    resolveOptions(options);
  } catch (err) {
    if (err instanceof RangeError) throw new SimulateUsageError(err.message);
    throw err;
  }
  return { help: false, options };
}

export async function simulateCommand(args: string[]): Promise<void> {
  let request: SimulateRequest;
  try {
    request = parseSimulateArgs(args);
  } catch (err) {
    if (!(err instanceof SimulateUsageError)) throw err;
    // Exit code 2, like an unknown t5g command or an invalid configuration.
    process.stderr.write(`t5g simulate: ${err.message}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (request.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const opts = request.options;
  const sim = await startSimulator(opts);
  const s = sim.state.summary();
  const lines = [
    `t5g upstream simulator on ${sim.url} (seed ${sim.state.seed}, ${s.cases} cases, ${s.openCases} open, ${s.cards} cards)`,
    `  SSO token URL   ${sim.urls.ssoTokenUrl}`,
    `  Portal API      ${sim.urls.portal}`,
    `  Jira            ${sim.urls.jira}   (Basic email:token = Cloud, Bearer PAT = Data Center)`,
    `  Bugzilla        ${sim.urls.bugzilla}`,
    `  Slack Web API   ${sim.urls.slackApi}`,
    `  Slack webhook   ${sim.urls.slackWebhook}`,
    sim.smtpPort === undefined
      ? '  SMTP sink       (off; use --smtp-port)'
      : `  SMTP sink       smtp://${opts.host ?? '127.0.0.1'}:${sim.smtpPort}`,
    `  Control         ${sim.urls.control}  (counters, faults, mutate, tokens/expire, mail, slack, state/summary, team)`,
    opts.jiraWebhook?.url
      ? `  JIRA webhooks   ${opts.jiraWebhook.url} (${opts.jiraWebhook.flavor ?? 'cloud'}, ${opts.jiraWebhook.secret ? 'signed' : 'unsigned'})`
      : '  JIRA webhooks   (off; use --webhook-url, or PUT /_sim/webhooks)',
    opts.strictAuth
      ? '  Auth            strict: only the configured credentials are accepted'
      : '  Auth            any non-empty credential is accepted',
    opts.workflow === 'restricted'
      ? '  JIRA workflow   restricted: transitions from the current status only, resolution required on Done'
      : '  JIRA workflow   open: any status to any other (use --workflow restricted)',
    'Press Ctrl+C to stop.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sim.close();
}
