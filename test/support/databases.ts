import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { TEST_DATABASE_URL } from './env.js';

/**
 * A fresh PostgreSQL database per test file (and per benchmark run), so parallel files (and parallel CI runs on one
 * server) never see each other's rows. Migrations reference "public", so a database per run
 * isolates where a schema per run would not.
 */
export async function createTestDatabase(
  label: string,
  adminUrl: string = TEST_DATABASE_URL,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `t5g_test_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
