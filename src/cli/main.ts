import { simulateCommand } from '@t5g/simulators/cli';
import { ConfigError } from '../config/config.js';
import { UsageError } from '../lib/errors.js';
import { DataDirLockedError } from '../store/data-dir-lock.js';
import { DatabaseUnavailableError } from '../store/wait-for-database.js';
import { closedCasesCommand } from './commands/closed-cases.js';
import { migrateCommand } from './commands/migrate.js';
import { checkSetupCommand, importCommand, mirrorCommand } from './commands/mirror.js';
import { serveCommand } from './commands/serve.js';
import { sprintSummaryCommand } from './commands/sprint-summary.js';
import { watchersCommand } from './commands/watchers.js';
import { workerCommand } from './commands/worker.js';

const USAGE = `Usage: t5g <command>

Commands:
  start      run everything in one process: web app, sync workers, schedules (what npm start runs)
  web        run only the web app and API
  worker     run only the sync workers and schedules
  migrate    apply database migrations and exit
  simulate   run the upstream simulators (Portal, JIRA, Bugzilla, Slack, SMTP)
  sprint-summary [sprint]                 cards done per engineer in the previous sprint
  closed-cases                            open cards whose case is closed
  watchers list|add|remove <case> [sso]   Portal notified users of a case
  mirror [--once|--compare]               mirror the original dashboard's Redis (REDIS_MIRROR_URL); --once: one full sync; --compare: drift per key
  import FILE                             import a JSON file in the original's Redis layout
  check-setup                             check the mirror's Redis and PostgreSQL (connectivity, notifications, permissions)
  help       show this text

Configuration comes from environment variables and an optional .env file; see README.md.`;

type Command = (args: string[]) => Promise<void>;

const commands: Record<string, Command> = {
  start: () => serveCommand('start'),
  web: () => serveCommand('web'),
  worker: () => workerCommand(),
  migrate: () => migrateCommand(),
  simulate: (args) => simulateCommand(args),
  'sprint-summary': (args) => sprintSummaryCommand(args),
  'closed-cases': () => closedCasesCommand(),
  watchers: (args) => watchersCommand(args),
  mirror: (args) => mirrorCommand(args),
  import: (args) => importCommand(args),
  'check-setup': () => checkSetupCommand(),
  help: async () => console.log(USAGE),
};

async function main(argv: string[]): Promise<void> {
  const [name = 'help', ...args] = argv;
  const command = commands[name];
  if (!command) {
    console.error(`t5g: unknown command "${name}"\n\n${USAGE}`);
    process.exit(2);
  }
  try {
    await command(args);
  } catch (err) {
    // Expected start-up failures get their message only; anything else keeps its stack.
    if (
      err instanceof ConfigError ||
      err instanceof UsageError ||
      err instanceof DataDirLockedError ||
      err instanceof DatabaseUnavailableError
    ) {
      console.error(`t5g: ${err.message}`);
      process.exit(err instanceof ConfigError ? 2 : 1);
    }
    console.error(err);
    process.exit(1);
  }
}

await main(process.argv.slice(2));
