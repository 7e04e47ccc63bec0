import { ConfigError } from '../config/config.js';
import { UsageError } from '../lib/errors.js';
import { UpstreamError } from '../sources/errors.js';
import { DataDirLockedError } from '../store/data-dir-lock.js';
import { DatabaseUnavailableError } from '../store/wait-for-database.js';
import { USAGE as WATCHERS_USAGE } from './commands/watchers-usage.js';
import { PortInUseError } from './port.js';
import { UiMissingError } from './ui-build.js';

interface Command {
  /** The command line, as the usage shows it. */
  usage: string;
  summary: string;
  /** More about it, for `t5g <command> --help`. */
  details?: string;
  run: (args: string[]) => Promise<void>;
  /** The command reads its own flags, `--help` included. */
  ownHelp?: boolean;
}

const NO_ARGS = 'It takes no arguments.';

// Each command's module is imported when it runs: `t5g --help` and a usage error then load none of
// the server, the store or the sync engine (seconds of module loading through tsx otherwise).
const serve = () => import('./commands/serve.js');
const mirror = () => import('./commands/mirror.js');
const worker = () => import('./commands/worker.js');

const commands: Record<string, Command> = {
  start: {
    usage: 't5g start',
    summary: 'run everything in one process: web app, sync workers, schedules (what npm start runs)',
    details: `Without upstream credentials it runs in demo mode on the built-in simulators. ${NO_ARGS}`,
    run: async () => (await serve()).serveCommand('start'),
  },
  web: {
    usage: 't5g web [--workers N]',
    summary: 'run only the web app and API',
    details:
      'Manual refreshes are queued for the workers; needs DATABASE_URL to share the database with them.\n' +
      '--workers N runs N web processes on the one port (default WEB_WORKERS, 1); a dead one is restarted.',
    run: async (args) => (await serve()).webCommand(args),
  },
  worker: {
    usage: 't5g worker [--no-schedule]',
    summary: 'run only the sync workers and schedules',
    details: '--no-schedule runs the workers only, for a deployment with a separate `t5g scheduler`.',
    run: async (args) => (await worker()).workerCommand('worker', args),
  },
  scheduler: {
    usage: 't5g scheduler',
    summary: 'run only the schedules (enqueues jobs for the workers)',
    details: NO_ARGS,
    run: async (args) => (await worker()).workerCommand('scheduler', args),
  },
  migrate: {
    usage: 't5g migrate',
    summary: 'apply database migrations and exit',
    details: NO_ARGS,
    run: async () => (await import('./commands/migrate.js')).migrateCommand(),
  },
  simulate: {
    usage: 't5g simulate [flags]',
    summary: 'run the upstream simulators (Portal, JIRA, Bugzilla, Slack, SMTP)',
    run: async (args) => (await import('@t5g/simulators/cli')).simulateCommand(args),
    ownHelp: true,
  },
  'sprint-summary': {
    usage: 't5g sprint-summary [sprint]',
    summary: 'cards done per engineer in the previous sprint',
    details: 'The previous sprint is the active one minus one, unless a sprint name is given.',
    run: async (args) => (await import('./commands/sprint-summary.js')).sprintSummaryCommand(args),
  },
  mirror: {
    usage: 't5g mirror [--once|--compare]',
    summary: "mirror the original dashboard's Redis (REDIS_MIRROR_URL) into PostgreSQL",
    details:
      'Follows keyspace notifications (or polls); --once runs one full sync, --compare prints the drift per key.',
    run: async (args) => (await mirror()).mirrorCommand(args),
  },
  import: {
    usage: 't5g import FILE',
    summary: "import a JSON file in the original's Redis layout",
    details: 'The file is one object keyed like the original Redis (cases, cards, details, …).',
    run: async (args) => (await mirror()).importCommand(args),
  },
  'check-setup': {
    usage: 't5g check-setup',
    summary: "check the mirror's Redis and PostgreSQL (connectivity, notifications, permissions)",
    details: NO_ARGS,
    run: async () => (await mirror()).checkSetupCommand(),
  },
  'closed-cases': {
    usage: 't5g closed-cases',
    summary: 'open cards whose case is closed',
    details: `Read from the database; no upstream call. ${NO_ARGS}`,
    run: async () => (await import('./commands/closed-cases.js')).closedCasesCommand(),
  },
  watchers: {
    usage: 't5g watchers list|add|remove <case> [sso]',
    summary: 'Portal notified users of a case',
    details: WATCHERS_USAGE,
    run: async (args) => (await import('./commands/watchers.js')).watchersCommand(args),
  },
};

const width = Math.max(...Object.values(commands).map((c) => c.usage.length - 4));
const USAGE = `Usage: t5g <command> [--help]

Commands:
${Object.values(commands)
  .map((c) => `  ${c.usage.slice(4).padEnd(width)}  ${c.summary}`)
  .join('\n')}
  ${'help [command]'.padEnd(width)}  show this text, or one command's

Configuration comes from environment variables and an optional .env file; see README.md.`;

const commandHelp = (c: Command) =>
  `Usage: ${c.usage}\n\n${c.summary.charAt(0).toUpperCase()}${c.summary.slice(1)}.${c.details ? `\n${c.details}` : ''}`;

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h';

async function main(argv: string[]): Promise<void> {
  const [name = 'help', ...args] = argv;
  if (name === 'help' || isHelp(name)) {
    const about = args[0] === undefined ? undefined : commands[args[0]];
    if (args[0] !== undefined && !about) {
      console.error(`t5g: unknown command "${args[0]}"\n\n${USAGE}`);
      process.exit(2);
    }
    console.log(about ? commandHelp(about) : USAGE);
    return;
  }
  const command = commands[name];
  if (!command) {
    console.error(`t5g: unknown command "${name}"\n\n${USAGE}`);
    process.exit(2);
  }
  if (!command.ownHelp && args.some(isHelp)) {
    console.log(commandHelp(command));
    return;
  }
  try {
    await command.run(args);
  } catch (err) {
    // Expected failures get their message only; anything else keeps its stack.
    if (err instanceof UsageError) {
      console.error(`t5g ${name}: ${err.message}`);
      process.exit(2);
    }
    if (
      err instanceof ConfigError ||
      err instanceof UsageError ||
      err instanceof DataDirLockedError ||
      err instanceof DatabaseUnavailableError ||
      err instanceof PortInUseError ||
      err instanceof UpstreamError ||
      err instanceof UiMissingError
    ) {
      console.error(`t5g: ${err.message}`);
      process.exit(err instanceof ConfigError ? 2 : 1);
    }
    console.error(err);
    process.exit(1);
  }
}

await main(process.argv.slice(2));
