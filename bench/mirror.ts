// Mirror benchmark: the original dashboard's layout in a real Redis (its own db index), mirrored
// into PostgreSQL. Prints, for a `cards` blob of N cards (with their cases, bugs and issues): the
// initial full sync, a pass with nothing changed, and a pass after one card of the blob changed
// (which must write one card, not N).
//
//   npm run bench:mirror -- [--cards 10000] [--backend postgres|pglite] [--redis redis://127.0.0.1:6379/14]
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { silentLogger } from '../src/lib/logger.js';
import { Mirror, redisSource } from '../src/mirror/mirror.js';
import { MIRROR_KEYS } from '../src/shared/vocabulary.js';
import { openStore, type Store } from '../src/store/store.js';
import { storageConfig } from '../test/support/backends.js';
import { createTestDatabase } from '../test/support/databases.js';
import { cardKeyOf, legacyLayout, writeLayout } from '../test/support/legacy-layout.js';

const { values } = parseArgs({
  options: {
    cards: { type: 'string', default: '10000' },
    backend: { type: 'string', default: 'postgres' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379/14' },
  },
});
const n = Number(values.cards);
/** Every key of the original's layout: what these tests write and remove. */
const KEYS = MIRROR_KEYS;

const redis = new Redis(values.redis);
const db = values.backend === 'postgres' ? await createTestDatabase('bench_mirror') : null;
const store: Store = await openStore(storageConfig(db ? { DATABASE_URL: db.url } : {}), {
  logger: silentLogger,
});
try {
  const layout = legacyLayout(n);
  await writeLayout(redis, layout);
  const blobMb = ((await redis.strlen('cards')) / 1e6).toFixed(1);
  const mirror = new Mirror({ store, source: redisSource(redis), logger: silentLogger });
  const time = async (label: string, fn: () => Promise<{ written: number; changed: number }>) => {
    const t0 = performance.now();
    const r = await fn();
    const ms = performance.now() - t0;
    console.log(
      `${label.padEnd(28)} ${ms.toFixed(0).padStart(7)} ms  ${String(r.written).padStart(6)} records written  ${String(r.changed).padStart(7)} rows changed`,
    );
    return ms;
  };
  const sum = (rs: { written: number; changed: number }[]) => ({
    written: rs.reduce((a, r) => a + r.written, 0),
    changed: rs.reduce((a, r) => a + r.changed, 0),
  });
  console.log(
    `mirror bench: ${n} cards (cards blob ${blobMb} MB), ${values.backend}, ${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
  );
  const initial = await time('initial full sync', async () => sum(await mirror.syncAll()));
  await time('full sync, nothing changed', async () => sum(await mirror.syncAll()));
  const cards = layout.cards as Record<string, { summary: string }>;
  cards[cardKeyOf(Math.floor(n / 2))]!.summary = 'changed by the benchmark';
  await redis.set('cards', JSON.stringify(cards));
  await time('one card changed (cards key)', () => mirror.syncKey('cards'));
  console.log(
    `initial throughput: ${((n / initial) * 1000).toFixed(0)} cards/s (with their cases, comments, bugs, issues)`,
  );
} finally {
  await redis.del(...KEYS);
  redis.disconnect();
  await store.close();
  await db?.drop();
}
