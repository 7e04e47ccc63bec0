import { loadConfig } from '../../config/config.js';
import { createLogger } from '../../lib/logger.js';
import { openDatabase } from '../../store/db.js';
import { migrate } from '../../store/migrate.js';
import { waitForDatabase } from '../../store/wait-for-database.js';

/** `t5g migrate`: applies pending migrations and exits. */
export async function migrateCommand(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.server.logLevel, format: config.server.logFormat }).child({
    component: 'migrate',
  });
  const { databaseUrl, dataDir, waitSeconds } = config.storage;
  if (databaseUrl) await waitForDatabase(databaseUrl, { maxWaitSeconds: waitSeconds, logger });
  const db = await openDatabase({ databaseUrl, dataDir, logger });
  try {
    await migrate(db);
    logger.info({ database: db.kind, location: db.location }, 'migrations applied');
  } finally {
    await db.close();
  }
}
