import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { MirrorFollower } from '../../src/mirror/follower.js';
import { connectMirrorRedis, Mirror, redisSource } from '../../src/mirror/mirror.js';
import type { Queryable } from '../../src/store/db.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { cardKeyOf, legacyCard, legacyLayout, writeLayout } from '../support/legacy-layout.js';

// The follower against its own redis-server on a spare port: notifications are switched on with
// CONFIG SET there, and the server is stopped and restarted under the follower.

const spare = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      if (b.toString().includes('Ready to accept connections')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
}

const stopRedis = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

async function until(check: () => Promise<boolean>, what: string, tries = 200) {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const cardSummary = async (q: Queryable, key: string) =>
  (await q.query<{ summary: string }>('SELECT summary FROM cards WHERE jira_key = $1', [key])).rows[0]
    ?.summary;

describe('mirror follower', () => {
  let t: TestStore;
  let port: number;
  let dir: string;
  let server: ChildProcess;
  let writer: Redis;
  beforeAll(async () => {
    t = await openTestStore('postgres', 'mirror_follow');
    port = await spare();
    dir = mkdtempSync(path.join(tmpdir(), 't5g-mirror-redis-'));
    server = await startRedis(port, dir);
    writer = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    writer.on('error', () => undefined);
  });
  afterAll(async () => {
    writer?.disconnect();
    if (server && server.exitCode === null) await stopRedis(server);
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('follows keyspace events, catches up after a stop, and reconciles after a Redis restart', async () => {
    const layout = legacyLayout(30);
    await writeLayout(writer, layout);
    const make = () => {
      const redis = connectMirrorRedis({ url: `redis://127.0.0.1:${port}` });
      redis.on('error', () => undefined);
      const mirror = new Mirror({ store: t.store, source: redisSource(redis), logger: silentLogger });
      const follower = new MirrorFollower({
        mirror,
        redis,
        logger: silentLogger,
        pollSeconds: 1,
        reconcileSeconds: 3600,
      });
      return { redis, mirror, follower };
    };

    let m = make();
    await m.follower.start();
    expect(m.follower.status.mode).toBe('notifications');
    expect(((await writer.config('GET', 'notify-keyspace-events')) as string[])[1]).toMatch(/K/);
    expect(await cardSummary(t.store.db, cardKeyOf(2))).toBe(legacyCard(2).summary);

    // Live: one card changed in the blob is in PostgreSQL within a bound.
    const cards = layout.cards as Record<string, { summary: string }>;
    cards[cardKeyOf(2)]!.summary = 'Changed live';
    const started = performance.now();
    await writer.set('cards', JSON.stringify(cards));
    await until(async () => (await cardSummary(t.store.db, cardKeyOf(2))) === 'Changed live', 'live change');
    const elapsed = performance.now() - started;
    console.log(`mirror: Redis SET → PostgreSQL in ${elapsed.toFixed(0)} ms (30-card blob)`);
    expect(m.follower.status.events).toBeGreaterThan(0);
    await m.follower.idle();
    expect(m.follower.status.lagMs).not.toBeNull();

    // Stopped: changes made meanwhile are caught up exactly by the next start's full sync.
    await m.follower.stop();
    m.redis.disconnect();
    cards[cardKeyOf(3)]!.summary = 'Changed while stopped';
    cards['RUOX-5000'] = legacyCard(3, { summarySuffix: ' (new)' }) as never;
    await writer.set('cards', JSON.stringify(cards));
    m = make();
    await m.follower.start();
    expect(await cardSummary(t.store.db, cardKeyOf(3))).toBe('Changed while stopped');
    expect(await cardSummary(t.store.db, 'RUOX-5000')).toBe(`${legacyCard(3).summary} (new)`);
    // Events that arrived during the start-up sync are applied before comparing.
    await m.follower.idle();
    expect((await m.mirror.compare()).filter((c) => c.mismatches !== 0)).toEqual([]);

    // Redis restarts (its data gone, then rewritten by the original): the follower reconnects,
    // re-subscribes and reconciles.
    await stopRedis(server);
    await until(async () => !m.follower.status.redisConnected, 'disconnect');
    server = await startRedis(port, dir);
    await until(async () => m.follower.status.redisConnected, 'reconnect');
    await writer.config('SET', 'notify-keyspace-events', 'K$g');
    cards[cardKeyOf(4)]!.summary = 'After restart';
    await writeLayout(writer, { ...layout, cards });
    await until(
      async () => (await cardSummary(t.store.db, cardKeyOf(4))) === 'After restart',
      'after restart',
    );
    await m.follower.idle();
    expect((await m.mirror.compare()).filter((c) => c.mismatches !== 0)).toEqual([]);
    await m.follower.stop();
    m.redis.disconnect();
  }, 60_000);

  it('polls when notifications are off and CONFIG SET is not allowed', async () => {
    await writer.config('SET', 'notify-keyspace-events', '');
    const redis = connectMirrorRedis({ url: `redis://127.0.0.1:${port}` });
    redis.on('error', () => undefined);
    const mirror = new Mirror({ store: t.store, source: redisSource(redis), logger: silentLogger });
    const follower = new MirrorFollower({
      mirror,
      redis,
      logger: silentLogger,
      pollSeconds: 1,
      reconcileSeconds: 3600,
      allowConfig: false,
    });
    await follower.start();
    expect(follower.status.mode).toBe('polling');
    expect(follower.status.message).toMatch(/polling instead/);
    const cards = JSON.parse((await writer.get('cards'))!) as Record<string, { summary: string }>;
    cards[cardKeyOf(5)]!.summary = 'Polled';
    await writer.set('cards', JSON.stringify(cards));
    await until(async () => (await cardSummary(t.store.db, cardKeyOf(5))) === 'Polled', 'polled change');
    await follower.stop();
    redis.disconnect();
  }, 30_000);
});
