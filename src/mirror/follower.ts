import type { Redis } from 'ioredis';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { saveSyncState } from '../store/repositories/sync-state.js';
import { isMirrorKey, type MirrorKey } from './layout.js';
import { dbIndexOf, ensureNotifications, type Mirror } from './mirror.js';

// `t5g mirror`: an initial full sync, then every change of a mirrored key is mirrored as it happens.
// Keyspace notifications are fire-and-forget (a reconnect or a full subscriber buffer loses them),
// so a periodic reconciliation compares and repairs, and so does every reconnect. Where the server
// does not allow CONFIG SET and notifications are off, the keys are polled instead.

export interface FollowerOptions {
  mirror: Mirror;
  /** Command connection to the mirrored Redis (the subscriber is a duplicate of it). */
  redis: Redis;
  logger: Logger;
  pollSeconds: number;
  reconcileSeconds: number;
  /** Try CONFIG SET notify-keyspace-events when notifications are off. */
  allowConfig?: boolean;
}

/** sync_state row the follower reports its state in, every HEARTBEAT_SECONDS. */
export const FOLLOWER_STATE = 'mirror-follower';
export const HEARTBEAT_SECONDS = 5;

export type FollowMode = 'starting' | 'notifications' | 'polling' | 'stopped';

export interface FollowerStatus {
  mode: FollowMode;
  redisConnected: boolean;
  lastEventAt: Date | null;
  /** Event → commit time of the last mirrored change, or the age of the oldest pending one. */
  lagMs: number | null;
  pending: number;
  events: number;
  message: string;
}

export class MirrorFollower {
  private subscriber: Redis | null = null;
  private timers: NodeJS.Timeout[] = [];
  private pending = new Map<MirrorKey, number>();
  private running: Promise<void> | null = null;
  private lastText = new Map<MirrorKey, string | null>();
  private wasConnected = false;
  private stopped = false;
  readonly status: FollowerStatus = {
    mode: 'starting',
    redisConnected: false,
    lastEventAt: null,
    lagMs: null,
    pending: 0,
    events: 0,
    message: '',
  };

  constructor(private readonly opts: FollowerOptions) {}

  async start(): Promise<void> {
    const { redis, logger, mirror } = this.opts;
    const check = await ensureNotifications(redis, this.opts.allowConfig ?? true);
    this.status.message = check.message;
    (check.enabled ? logger.info : logger.warn).call(
      logger,
      { flags: check.flags },
      `mirror: ${check.message}`,
    );
    if (check.enabled) await this.subscribe();
    else this.status.mode = 'polling';
    redis.on('ready', () => this.onReady());
    redis.on('end', () => this.onDown());
    redis.on('close', () => this.onDown());
    this.status.redisConnected = redis.status === 'ready';
    this.wasConnected = this.status.redisConnected;

    const results = await mirror.syncAll();
    logger.info(
      { written: results.reduce((n, r) => n + r.written, 0), failed: results.filter((r) => r.error).length },
      'mirror: initial full sync done',
    );
    if (this.status.mode === 'polling') {
      for (const key of this.opts.mirror.keys) this.lastText.set(key, await redis.get(key).catch(() => null));
      this.timers.push(setInterval(() => void this.poll(), this.opts.pollSeconds * 1000));
    }
    this.timers.push(setInterval(() => void this.reconcile('periodic'), this.opts.reconcileSeconds * 1000));
    this.timers.push(setInterval(() => void this.heartbeat(), HEARTBEAT_SECONDS * 1000));
    await this.heartbeat();
  }

  /** Publishes the follower's state where the web process's status endpoint reads it. */
  async heartbeat(): Promise<void> {
    const { mirror } = this.opts;
    const s = this.status;
    await saveSyncState(mirror.store.db, FOLLOWER_STATE, {
      details: {
        heartbeatAt: new Date().toISOString(),
        mode: s.mode,
        redisConnected: s.redisConnected,
        lastEventAt: s.lastEventAt?.toISOString() ?? null,
        lastSuccessAt: mirror.lastSuccessAt?.toISOString() ?? null,
        lagMs: this.currentLagMs(),
        events: s.events,
        errors: mirror.lastErrors.map((e) => ({ ...e, at: e.at.toISOString() })),
      },
    }).catch((err) => this.opts.logger.debug({ err: errorMessage(err) }, 'mirror: heartbeat failed'));
  }

  private async subscribe() {
    const db = dbIndexOf(this.opts.redis);
    const sub = this.opts.redis.duplicate();
    this.subscriber = sub;
    sub.on('error', () => undefined);
    const prefix = `__keyspace@${db}__:`;
    await sub.subscribe(...this.opts.mirror.keys.map((k) => prefix + k));
    sub.on('message', (channel: string) => {
      const key = channel.slice(prefix.length);
      if (isMirrorKey(key) && this.opts.mirror.keys.includes(key)) this.enqueue(key);
    });
    this.status.mode = 'notifications';
  }

  /** A change of `key` happened now: mirror it (events for a key already queued coalesce). */
  enqueue(key: MirrorKey, at = Date.now()): void {
    if (this.stopped) return;
    this.status.events++;
    this.status.lastEventAt = new Date(at);
    this.opts.mirror.metrics.events.inc({ key });
    if (!this.pending.has(key)) this.pending.set(key, at);
    this.status.pending = this.pending.size;
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
  }

  private async drain() {
    while (this.pending.size > 0 && !this.stopped) {
      const [key, at] = this.pending.entries().next().value as [MirrorKey, number];
      this.pending.delete(key);
      this.status.pending = this.pending.size;
      const r = await this.exclusive(() => this.opts.mirror.syncKey(key));
      if (!r.error) {
        this.status.lagMs = Date.now() - at;
        this.opts.mirror.metrics.lagSeconds.set(this.status.lagMs / 1000);
      }
    }
  }

  /** Whether every queued change is mirrored (and no reconciliation is running). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
    await this.lock;
  }

  // A key's sync and a reconciliation never interleave: both read Redis and then write what they
  // read, so a reconciliation running beside an event's sync could write an older read last.
  private lock: Promise<unknown> = Promise.resolve();
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  currentLagMs(): number | null {
    const oldest = Math.min(...this.pending.values());
    return Number.isFinite(oldest) ? Date.now() - oldest : this.status.lagMs;
  }

  private async poll() {
    for (const key of this.opts.mirror.keys) {
      try {
        const text = await this.opts.redis.get(key);
        if (text !== this.lastText.get(key)) {
          this.lastText.set(key, text);
          this.enqueue(key);
        }
      } catch {
        return; // Redis is down; the reconnect reconciles.
      }
    }
  }

  async reconcile(why: string): Promise<number> {
    if (this.stopped) return 0;
    await this.idle();
    try {
      const { repaired } = await this.exclusive(() => this.opts.mirror.reconcile());
      if (repaired > 0) this.opts.logger.warn({ repaired, why }, 'mirror: reconciliation repaired drift');
      return repaired;
    } catch (err) {
      this.opts.logger.warn({ err: errorMessage(err), why }, 'mirror: reconciliation failed');
      return 0;
    }
  }

  private onReady() {
    this.status.redisConnected = true;
    if (this.wasConnected) return;
    this.wasConnected = true;
    // Events sent while the connection was down are lost: compare everything once it is back.
    this.opts.logger.info('mirror: Redis reconnected; reconciling');
    void this.reconcile('reconnect');
  }

  private onDown() {
    if (this.status.redisConnected) this.opts.logger.warn('mirror: Redis connection lost; reconnecting');
    this.status.redisConnected = false;
    this.wasConnected = false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.idle();
    this.status.mode = 'stopped';
    await this.heartbeat();
    this.subscriber?.disconnect();
    this.subscriber = null;
  }
}
