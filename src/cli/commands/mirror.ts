import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { type Config, loadConfig } from '../../config/config.js';
import { errorMessage, UsageError } from '../../lib/errors.js';
import { createLogger, type Logger } from '../../lib/logger.js';
import { MirrorFollower } from '../../mirror/follower.js';
import { keysOf } from '../../mirror/layout.js';
import {
  connectMirrorRedis,
  ensureNotifications,
  fileSource,
  type KeyComparison,
  type KeyResult,
  Mirror,
  redisSource,
} from '../../mirror/mirror.js';

import { probeMirrorTablesWritable } from '../../store/repositories/mirror.js';
import { openStore, type Store } from '../../store/store.js';

// `t5g mirror [--once]`, `t5g import FILE` and `t5g check-setup`: the move off the original
// dashboard. The mirror reads the original's Redis (REDIS_MIRROR_URL) into t5g's tables; import
// reads the same layout from a JSON file; check-setup says whether both ends are usable.

export function formatResults(results: readonly KeyResult[]): string {
  return results
    .map(
      (r) =>
        `${r.key.padEnd(12)} ${String(r.records).padStart(7)} records  ${String(r.written).padStart(7)} written` +
        `  ${String(r.changed).padStart(7)} rows changed  ${r.quarantined} quarantined` +
        (r.removed ? `  ${r.removed} gone from Redis` : '') +
        (r.error ? `  ERROR ${r.error}` : ''),
    )
    .join('\n');
}

export function formatComparison(rows: readonly KeyComparison[]): string {
  return rows
    .map(
      (c) =>
        `${c.key.padEnd(12)} redis ${String(c.redis).padStart(7)}  postgres ${String(c.postgres).padStart(7)}` +
        `  quarantined ${c.quarantined}  mismatches ${c.mismatches}` +
        (c.missing.count ? `  missing ${c.missing.examples.join(',')}` : '') +
        (c.stale.count ? `  stale ${c.stale.examples.join(',')}` : '') +
        (c.drifted.count ? `  drifted ${c.drifted.examples.join(',')}` : '') +
        (c.gone.count ? `  gone ${c.gone.examples.join(',')}` : '') +
        (c.error ? `  ERROR ${c.error}` : ''),
    )
    .join('\n');
}

function requireMirrorUrl(config: Config): string {
  if (!config.mirror.url) throw new UsageError('REDIS_MIRROR_URL is not set: it names the Redis to mirror');
  return config.mirror.url;
}

async function withStore<T>(config: Config, logger: Logger, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(config.storage, { logger });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export async function mirrorCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { once: { type: 'boolean', default: false }, compare: { type: 'boolean', default: false } },
  });
  const config = loadConfig();
  const logger = createLogger({ level: config.server.logLevel, format: config.server.logFormat }).child({
    component: 'mirror',
  });
  const url = requireMirrorUrl(config);
  const redis = connectMirrorRedis({
    url,
    username: config.mirror.username,
    password: config.mirror.password,
  });
  redis.on('error', (err) => logger.debug({ err: errorMessage(err) }, 'mirror: Redis error'));
  try {
    await withStore(config, logger, async (store) => {
      const mirror = new Mirror({
        store,
        source: redisSource(redis),
        logger,
        keys: keysOf(config.mirror.sources),
      });
      if (values.compare) {
        const rows = await mirror.compare();
        console.log(formatComparison(rows));
        if (rows.some((c) => c.mismatches > 0 || c.error)) process.exitCode = 1;
        return;
      }
      if (values.once) {
        const results = await mirror.syncAll();
        console.log(formatResults(results));
        if (results.some((r) => r.error)) process.exitCode = 1;
        return;
      }
      const follower = new MirrorFollower({
        mirror,
        redis,
        logger,
        pollSeconds: config.mirror.pollSeconds,
        reconcileSeconds: config.mirror.reconcileSeconds,
        allowConfig: config.mirror.configSet,
      });
      await follower.start();
      logger.info({ mode: follower.status.mode }, 'mirror: following');
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await follower.stop();
    });
  } finally {
    redis.disconnect();
  }
}

export async function importCommand(args: string[]): Promise<void> {
  const [file] = args;
  if (!file) throw new UsageError('usage: t5g import FILE (a JSON object keyed like the original Redis)');
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${errorMessage(err)}`);
  }
  const config = loadConfig();
  const logger = createLogger({ level: config.server.logLevel, format: config.server.logFormat }).child({
    component: 'import',
  });
  let source: ReturnType<typeof fileSource>;
  try {
    source = fileSource(data);
  } catch (err) {
    throw new UsageError(`${file}: ${errorMessage(err)}`);
  }
  await withStore(config, logger, async (store) => {
    const mirror = new Mirror({ store, source, logger });
    const results = await mirror.syncAll();
    console.log(formatResults(results));
    if (results.some((r) => r.error)) process.exitCode = 1;
  });
}

export interface SetupCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** Redis and PostgreSQL connectivity, keyspace notifications, and what the Redis user may do. */
export async function checkSetup(config: Config, logger: Logger): Promise<SetupCheck[]> {
  const checks: SetupCheck[] = [];
  if (!config.mirror.url) {
    checks.push({ name: 'REDIS_MIRROR_URL', ok: false, detail: 'not set: it names the Redis to mirror' });
  } else {
    const redis = connectMirrorRedis(
      { url: config.mirror.url, username: config.mirror.username, password: config.mirror.password },
      { maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 5000 },
    );
    redis.on('error', () => undefined);
    try {
      const pong = await redis.ping();
      checks.push({
        name: 'redis',
        ok: pong === 'PONG',
        detail: `connected to ${redactUrl(config.mirror.url)}`,
      });
      const keys = keysOf(config.mirror.sources);
      const present = await Promise.all(keys.map((k) => redis.exists(k)));
      checks.push({
        name: 'redis keys',
        ok: present.some(Boolean),
        detail: keys.map((k, i) => `${k}${present[i] ? '' : ' (missing)'}`).join(', '),
      });
      // Only reads the setting here: check-setup changes nothing.
      const n = await ensureNotifications(redis, false);
      checks.push({ name: 'keyspace notifications', ok: n.enabled, detail: n.message });
      try {
        await redis.config('GET', 'notify-keyspace-events');
        checks.push({
          name: 'redis CONFIG',
          ok: true,
          detail: 'allowed (the mirror can enable notifications)',
        });
      } catch (err) {
        checks.push({ name: 'redis CONFIG', ok: false, detail: `not allowed: ${errorMessage(err)}` });
      }
    } catch (err) {
      checks.push({ name: 'redis', ok: false, detail: errorMessage(err) });
    } finally {
      redis.disconnect();
    }
  }
  try {
    await withStore(config, logger, async (store) => {
      const h = await store.health();
      checks.push({
        name: 'database',
        ok: h.database.ok,
        detail: `${h.database.backend} ${h.database.detail ?? ''}`,
      });
      // The mirror writes every table it maps; a read-only role fails here rather than mid-sync.
      await probeMirrorTablesWritable(store.db);
      checks.push({
        name: 'database permissions',
        ok: true,
        detail: 'migrations applied; mirror tables writable',
      });
    });
  } catch (err) {
    checks.push({ name: 'database', ok: false, detail: errorMessage(err) });
  }
  return checks;
}

const redactUrl = (u: string) => u.replace(/\/\/[^@/]*@/, '//***@');

export async function checkSetupCommand(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.server.logLevel, format: config.server.logFormat }).child({
    component: 'check-setup',
  });
  const checks = await checkSetup(config, logger);
  for (const c of checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(24)} ${c.detail}`);
  if (checks.some((c) => !c.ok)) process.exitCode = 1;
}
