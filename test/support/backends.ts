import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { type CoreMetrics, createMetrics } from '../../src/observability/metrics.js';
import { openStore, type Store } from '../../src/store/store.js';
import { createTestDatabase } from './databases.js';
import { TEST_REDIS_URL } from './env.js';

// The storage contract runs on every backend combination the product supports.
export const STORAGE_BACKENDS = ['pglite', 'postgres', 'postgres+redis'] as const;
export type StorageBackend = (typeof STORAGE_BACKENDS)[number];

export interface TestStore {
  store: Store;
  metrics: CoreMetrics;
  /** The PostgreSQL URL when the backend is a server (for a second "process"). */
  databaseUrl?: string;
  redisKeyPrefix?: string;
  close(): Promise<void>;
}

export function storageConfig(overrides: Record<string, string> = {}) {
  return loadConfig({ env: { LOG_LEVEL: 'silent', DATA_DIR: 'memory://', ...overrides }, dotEnv: false })
    .storage;
}

export async function openTestStore(backend: StorageBackend, label = 'store'): Promise<TestStore> {
  const metrics = createMetrics({ defaultMetrics: false });
  if (backend === 'pglite') {
    const store = await openStore(
      { ...storageConfig(), dataDir: 'memory://' },
      { logger: silentLogger, metrics },
    );
    return { store, metrics, close: () => store.close() };
  }
  const db = await createTestDatabase(label);
  const redisKeyPrefix = `t5g-test:${randomBytes(4).toString('hex')}:`;
  const env: Record<string, string> = { DATABASE_URL: db.url };
  if (backend === 'postgres+redis') env.REDIS_URL = TEST_REDIS_URL;
  const store = await openStore(storageConfig(env), { logger: silentLogger, metrics, redisKeyPrefix });
  return {
    store,
    metrics,
    databaseUrl: db.url,
    redisKeyPrefix,
    close: async () => {
      await store.close();
      await db.drop();
    },
  };
}
