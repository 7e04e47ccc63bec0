/**
 * `t5g simulate`: runs the simulated upstreams until SIGINT/SIGTERM and prints where each lives.
 */
import { startSimulator } from './index.js';
import type { SimulatorCredentials, SimulatorOptions } from './options.js';

const USAGE = `Usage: t5g simulate [--port P] [--host H] [--cases N] [--seed S] [--smtp-port P]
                    [--strict-auth] [--offline-token T] [--jira-user U] [--jira-token T]
                    [--bugzilla-key K] [--slack-token T]`;

const CREDENTIAL_FLAGS: Record<string, keyof SimulatorCredentials> = {
  '--offline-token': 'offlineToken',
  '--jira-user': 'jiraUser',
  '--jira-token': 'jiraToken',
  '--bugzilla-key': 'bugzillaKey',
  '--slack-token': 'slackToken',
};

function intArg(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < 0)
    throw new Error(`${flag} needs a non-negative integer`);
  return n;
}

export function parseSimulateArgs(args: string[]): SimulatorOptions {
  const opts: SimulatorOptions = { port: 9900 };
  const credentials: SimulatorCredentials = {};
  for (let i = 0; i < args.length; i++) {
    const raw = args[i] ?? '';
    const eq = raw.indexOf('=');
    const flag = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    const inline = raw.startsWith('--') && eq > 0 ? raw.slice(eq + 1) : undefined;
    const value = (): string | undefined => inline ?? args[++i];
    switch (flag) {
      case '--port':
        opts.port = intArg(flag, value());
        break;
      case '--host':
        opts.host = value() ?? '127.0.0.1';
        break;
      case '--cases':
        opts.cases = intArg(flag, value());
        break;
      case '--seed':
        opts.seed = intArg(flag, value());
        break;
      case '--smtp-port':
        opts.smtpPort = intArg(flag, value());
        break;
      case '--strict-auth':
        opts.strictAuth = true;
        break;
      case '--help':
      case '-h':
        throw new Error(USAGE);
      default: {
        const key = CREDENTIAL_FLAGS[flag];
        const v = key ? value() : undefined;
        if (!key || v === undefined) throw new Error(`Unknown or incomplete option '${raw}'\n${USAGE}`);
        credentials[key] = v;
      }
    }
  }
  if (Object.keys(credentials).length > 0) opts.credentials = credentials;
  return opts;
}

export async function simulateCommand(args: string[]): Promise<void> {
  const opts = parseSimulateArgs(args);
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
    opts.strictAuth
      ? '  Auth            strict: only the configured credentials are accepted'
      : '  Auth            any non-empty credential is accepted',
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
