import path from 'node:path';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { PACKAGE_ROOT } from '../lib/paths.js';
import type { Database } from './db.js';

export const MIGRATIONS_DIR = path.join(PACKAGE_ROOT, 'drizzle');

// An arbitrary constant: every t5g process that migrates at start-up takes this advisory lock, so
// a web and a worker process starting together do not apply the same migration twice.
const MIGRATION_LOCK_ID = 574_820_113;

/** Applies every pending migration in drizzle/. Safe to run again; it is a no-op when up to date. */
export async function migrate(db: Database): Promise<void> {
  if (db.kind === 'pglite') {
    // PGlite has a single session, so nothing else can run migrations concurrently.
    await migratePglite(drizzlePglite({ client: db.pglite! }), { migrationsFolder: MIGRATIONS_DIR });
    return;
  }
  const client = await db.pool!.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    await migratePg(drizzlePg({ client }), { migrationsFolder: MIGRATIONS_DIR });
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    client.release();
  }
}
