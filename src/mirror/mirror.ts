import { Redis, type RedisOptions } from 'ioredis';
import { Counter, Gauge, type Registry } from 'prom-client';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import {
  DRIFT_KEYS,
  type DriftKey,
  deleteMirrorHashes,
  loadMirrorHashes,
  type PresenceKey,
  presentRecordIds,
  saveMirrorHashes,
  storedFields,
} from '../store/repositories/mirror.js';
import { quarantineRecords, resolveQuarantined } from '../store/repositories/quarantine.js';
import type { Store } from '../store/store.js';
import { isMirrorKey, MIRROR_KEYS, type MirrorKey } from './layout.js';
import { BlobError, type MirrorBatch, type MirrorRecord, mapRecords, splitBlob } from './mapper.js';
import { quarantineSource, writeBatch } from './writer.js';

// The mirror of the original dashboard's Redis into t5g's tables. One key at a time: read the
// blob, split it into records, compare each record's hash with what was mirrored last, map and
// write only the changed ones (in chunks, one short transaction each) and remember their hashes.
// A full sync is every key in parent-first order; following adds keyspace notifications (or
// polling where CONFIG is not allowed), periodic reconciliation and reconnect handling.

/** Where the mirror reads the original's keys: a Redis, or a fake-data JSON file. */
export interface MirrorSource {
  /** The key's JSON text, or null when the key does not exist. */
  get(key: MirrorKey): Promise<string | null>;
}

export const redisSource = (redis: Redis): MirrorSource => ({ get: (key) => redis.get(key) });

/** A top-level object keyed like the original's Redis (its `data/fake_data.json`). */
export function fileSource(data: unknown): MirrorSource {
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new Error('expected a JSON object keyed like the original Redis (cases, cards, bugs, …)');
  const obj = data as Record<string, unknown>;
  return { get: async (key) => (key in obj ? JSON.stringify(obj[key]) : null) };
}

export interface KeyResult {
  key: MirrorKey;
  records: number;
  /** Records whose content changed (or were forced) and were written. */
  written: number;
  /** Rows the writes changed (inserted or updated, links removed). */
  changed: number;
  removed: number;
  quarantined: number;
  error?: string;
}

/** Records per transaction: bounds a transaction's size for a key of 100k records. */
const CHUNK = 2000;

export interface MirrorMetrics {
  events: Counter<'key'>;
  failures: Counter<'key'>;
  records: Counter<'key'>;
  lagSeconds: Gauge;
  lastSuccess: Gauge;
}

export function createMirrorMetrics(registry?: Registry): MirrorMetrics {
  const registers = registry ? [registry] : [];
  return {
    events: new Counter({
      name: 't5g_mirror_events_total',
      help: 'Redis keyspace events (or polled changes) the mirror processed, by key.',
      labelNames: ['key'],
      registers,
    }),
    failures: new Counter({
      name: 't5g_mirror_failures_total',
      help: 'Mirror passes of a key that failed (Redis or PostgreSQL error, unreadable value).',
      labelNames: ['key'],
      registers,
    }),
    records: new Counter({
      name: 't5g_mirror_records_written_total',
      help: 'Changed Redis records the mirror mapped and wrote, by key.',
      labelNames: ['key'],
      registers,
    }),
    lagSeconds: new Gauge({
      name: 't5g_mirror_lag_seconds',
      help: 'Time from the last Redis change event to its commit in PostgreSQL.',
      registers,
      // Several web processes: the worst lag.
      aggregator: 'max',
    }),
    lastSuccess: new Gauge({
      name: 't5g_mirror_last_success_timestamp_seconds',
      help: 'When a mirror pass last completed without error.',
      registers,
      // Several web processes: the latest pass.
      aggregator: 'max',
    }),
  };
}

export interface MirrorOptions {
  store: Store;
  source: MirrorSource;
  logger: Logger;
  metrics?: MirrorMetrics;
  /** The keys this mirror owns (default: all of them). */
  keys?: readonly MirrorKey[];
}

export class Mirror {
  readonly metrics: MirrorMetrics;
  readonly keys: readonly MirrorKey[];
  lastSuccessAt: Date | null = null;
  lastErrors: { at: Date; key: string; message: string }[] = [];

  readonly store: Store;

  constructor(private readonly opts: MirrorOptions) {
    this.store = opts.store;
    this.metrics = opts.metrics ?? createMirrorMetrics();
    this.keys = MIRROR_KEYS.filter((k) => (opts.keys ?? MIRROR_KEYS).includes(k));
  }

  /** Mirrors one key; `force` rewrites these record ids (or all with `true`) whatever their hash. */
  async syncKey(key: MirrorKey, force: boolean | ReadonlySet<string> = false): Promise<KeyResult> {
    const { store } = this.opts;
    const result: KeyResult = { key, records: 0, written: 0, changed: 0, removed: 0, quarantined: 0 };
    try {
      let records: MirrorRecord[];
      try {
        records = splitBlob(key, await this.opts.source.get(key));
      } catch (err) {
        if (!(err instanceof BlobError)) throw err;
        // The whole value is unreadable: quarantined as one record, and what was mirrored stays.
        await store.write(async (tx, changes) => {
          await quarantineRecords(tx, [
            { source: quarantineSource(key), externalId: '(value)', payload: null, reason: err.message },
          ]);
          changes.add('quarantine', [key]);
        });
        result.quarantined = 1;
        result.error = err.message;
        this.fail(key, err.message);
        return result;
      }
      result.records = records.length;
      const stored = await loadMirrorHashes(store.db, key);
      const present = new Set(records.map((r) => r.id));
      const changed = records.filter(
        (r) => force === true || (force !== false && force.has(r.id)) || stored.get(r.id)?.hash !== r.hash,
      );
      const removed = [...stored.keys()].filter((id) => !present.has(id));
      result.removed = removed.length;
      // The value reads again: an earlier "unreadable value" note is closed even when nothing changed.
      if (changed.length === 0 && removed.length === 0)
        await resolveQuarantined(store.db, quarantineSource(key), ['(value)']);
      for (let i = 0; i < Math.max(changed.length, removed.length ? 1 : 0); i += CHUNK) {
        const chunk = changed.slice(i, i + CHUNK);
        const gone = i === 0 ? removed : [];
        const batch = mapRecords(key, chunk, gone);
        const outcome = await store.write(async (tx, changes) => {
          if (i === 0) await resolveQuarantined(tx, quarantineSource(key), ['(value)']);
          const out = await writeBatch(
            tx,
            changes,
            key,
            batch,
            chunk.map((r) => r.id),
          );
          const rejected = new Set(batch.rejections.map((r) => r.id));
          await saveMirrorHashes(
            tx,
            key,
            chunk.map((r) => ({ id: r.id, hash: r.hash, quarantined: rejected.has(r.id) })),
          );
          // Removed records keep their rows (as the sync jobs keep cards JIRA stopped returning);
          // only the mirror's memory of them goes, and their escalations are closed.
          await deleteMirrorHashes(tx, key, gone);
          return out;
        });
        result.written += chunk.length;
        result.changed += outcome.changed;
        result.quarantined += outcome.quarantined;
      }
      this.metrics.records.inc({ key }, result.written);
      this.succeed();
      return result;
    } catch (err) {
      result.error = errorMessage(err);
      this.fail(key, result.error);
      return result;
    }
  }

  /** Every key, parents first. */
  async syncAll(): Promise<KeyResult[]> {
    const out: KeyResult[] = [];
    for (const key of this.keys) out.push(await this.syncKey(key));
    return out;
  }

  /**
   * Per key: how many records Redis holds, how many of them are in PostgreSQL, and the drift:
   * records missing from PostgreSQL, records whose content changed since they were mirrored
   * (`stale`), rows changed in PostgreSQL since (`drifted`), records mirrored earlier that Redis no longer holds (`gone`), quarantined ones.
   */
  async compare(opts: { examples?: number } = {}): Promise<KeyComparison[]> {
    const examples = opts.examples ?? 5;
    const out: KeyComparison[] = [];
    for (const key of this.keys) {
      let records: MirrorRecord[];
      try {
        records = splitBlob(key, await this.opts.source.get(key));
      } catch (err) {
        out.push({ ...emptyComparison(key), error: errorMessage(err) });
        continue;
      }
      const stored = await loadMirrorHashes(this.opts.store.db, key);
      const quarantined = records.filter(
        (r) => stored.get(r.id)?.quarantined && stored.get(r.id)?.hash === r.hash,
      );
      const valid = records.filter((r) => !quarantined.includes(r));
      // An empty list stores no row (a case with no bugs): it is present by definition.
      const needRow = valid.filter((r) => !(Array.isArray(r.value) && r.value.length === 0));
      const present =
        key === 'timestamp'
          ? new Set(stored.has('timestamp') ? ['timestamp'] : [])
          : await presentRecordIds(
              this.opts.store.db,
              key as PresenceKey,
              needRow.map((r) => r.id),
            );
      const missing = needRow.filter((r) => !present.has(r.id)).map((r) => r.id);
      const stale = valid
        .filter((r) => stored.has(r.id) && stored.get(r.id)?.hash !== r.hash)
        .map((r) => r.id);
      const drifted = await this.drifted(
        key,
        needRow.filter((r) => present.has(r.id) && stored.get(r.id)?.hash === r.hash),
      );
      const ids = new Set(records.map((r) => r.id));
      const gone = [...stored.keys()].filter((id) => !ids.has(id));
      const inPg = valid.length - missing.length;
      out.push({
        key,
        redis: records.length,
        postgres: inPg,
        quarantined: quarantined.length,
        mismatches: missing.length + stale.length + gone.length + drifted.length,
        missing: { count: missing.length, examples: missing.slice(0, examples) },
        drifted: { count: drifted.length, examples: drifted.slice(0, examples) },
        stale: { count: stale.length, examples: stale.slice(0, examples) },
        gone: { count: gone.length, examples: gone.slice(0, examples) },
      });
    }
    return out;
  }

  /**
   * Records whose rows in PostgreSQL no longer hold what Redis holds (changed by something other
   * than the mirror): the mapped record's main fields against the stored rows'.
   */
  private async drifted(key: MirrorKey, records: readonly MirrorRecord[]): Promise<string[]> {
    if (!(DRIFT_KEYS as string[]).includes(key) || records.length === 0) return [];
    const expected = expectedFields(key as DriftKey, mapRecords(key, records));
    const stored = await storedFields(this.opts.store.db, key as DriftKey, [...expected.keys()]);
    return [...expected]
      .filter(([id, want]) => canonical(key, stored.get(id)) !== canonical(key, want))
      .map(([id]) => id);
  }

  /** Compares, then rewrites what drifted: missing rows are forced, stale and gone records re-mirrored. */
  async reconcile(): Promise<{ repaired: number; comparisons: KeyComparison[] }> {
    const before = await this.compare({ examples: Number.MAX_SAFE_INTEGER });
    let repaired = 0;
    for (const c of before) {
      if (c.mismatches === 0 && !c.error) continue;
      const r = await this.syncKey(c.key, new Set([...c.missing.examples, ...c.drifted.examples]));
      repaired += r.written + r.removed;
    }
    return { repaired, comparisons: before };
  }

  private succeed() {
    this.lastSuccessAt = new Date();
    this.metrics.lastSuccess.set(this.lastSuccessAt.getTime() / 1000);
  }

  private fail(key: string, message: string) {
    this.metrics.failures.inc({ key });
    this.lastErrors = [{ at: new Date(), key, message }, ...this.lastErrors].slice(0, 20);
    this.opts.logger.warn({ key, err: message }, 'mirror: key failed');
  }
}

export interface KeyComparison {
  key: MirrorKey;
  redis: number;
  postgres: number;
  quarantined: number;
  mismatches: number;
  missing: { count: number; examples: string[] };
  drifted: { count: number; examples: string[] };
  stale: { count: number; examples: string[] };
  gone: { count: number; examples: string[] };
  error?: string;
}

const emptyComparison = (key: MirrorKey): KeyComparison => ({
  key,
  redis: 0,
  postgres: 0,
  quarantined: 0,
  mismatches: 0,
  missing: { count: 0, examples: [] },
  drifted: { count: 0, examples: [] },
  stale: { count: 0, examples: [] },
  gone: { count: 0, examples: [] },
});

export interface RedisConnection {
  url: string;
  username?: string;
  password?: string;
}

/** A client for the mirrored Redis: the URL may carry a db index (`/2`), TLS (`rediss://`) and credentials. */
export function connectMirrorRedis(conn: RedisConnection, extra: RedisOptions = {}): Redis {
  return new Redis(conn.url, {
    ...(conn.username ? { username: conn.username } : {}),
    ...(conn.password ? { password: conn.password } : {}),
    maxRetriesPerRequest: 2,
    retryStrategy: (times) => Math.min(200 * 2 ** Math.min(times, 5), 5000),
    ...extra,
  });
}

/** The db index a client is on (keyspace channels name it). */
export const dbIndexOf = (redis: Redis): number => Number(redis.options.db ?? 0);

export interface NotificationCheck {
  /** Notifications now cover what the mirror needs. */
  enabled: boolean;
  flags: string;
  /** Set when the mirror changed the setting itself. */
  changed: boolean;
  message: string;
}

/** Flags the mirror needs: K (keyspace channel), $ (string commands: SET/MSET), g (DEL, RENAME…). */
const NEEDED = ['K', '$', 'g'];

const covers = (flags: string) =>
  flags.includes('K') && (flags.includes('A') || NEEDED.slice(1).every((f) => flags.includes(f)));

/** Checks keyspace notifications and enables them with CONFIG SET when the server allows it. */
export async function ensureNotifications(redis: Redis, allowConfig = true): Promise<NotificationCheck> {
  let flags = '';
  try {
    const reply = (await redis.config('GET', 'notify-keyspace-events')) as string[];
    flags = reply[1] ?? '';
  } catch (err) {
    return {
      enabled: false,
      flags: '?',
      changed: false,
      message: `cannot read notify-keyspace-events (${errorMessage(err)}); polling instead`,
    };
  }
  if (covers(flags)) return { enabled: true, flags, changed: false, message: `notifications on (${flags})` };
  if (!allowConfig)
    return {
      enabled: false,
      flags,
      changed: false,
      message: `notify-keyspace-events is "${flags}"; polling instead`,
    };
  const next = [...new Set([...flags, ...NEEDED])].join('');
  try {
    await redis.config('SET', 'notify-keyspace-events', next);
    return { enabled: true, flags: next, changed: true, message: `enabled notify-keyspace-events ${next}` };
  } catch (err) {
    return {
      enabled: false,
      flags,
      changed: false,
      message:
        `notify-keyspace-events is "${flags}" and CONFIG SET is not allowed (${errorMessage(err)}): ` +
        `set it to "K$g" on the server for live mirroring; polling instead`,
    };
  }
}

export { isMirrorKey };

/** Fields as comparable text; a case's bug or issue list compares whatever order it came in. */
function canonical(key: MirrorKey, fields: unknown[] | undefined): string {
  if (fields && (key === 'bugs' || key === 'issues'))
    return JSON.stringify(fields.map((f) => JSON.stringify(f)).sort());
  return JSON.stringify(fields);
}

/** What the stored rows of a mapped batch should hold, per record id, in the shape `storedFields` reads them. */
function expectedFields(key: DriftKey, batch: MirrorBatch): Map<string, unknown[]> {
  const sortedLists = (links: { caseNumber: string; item: unknown[] }[]) => {
    const byCase = new Map<string, Map<string, unknown[]>>();
    for (const l of links) {
      const list = byCase.get(l.caseNumber) ?? new Map<string, unknown[]>();
      byCase.set(l.caseNumber, list);
      list.set(JSON.stringify(l.item), l.item);
    }
    return new Map([...byCase].map(([id, list]) => [id, [...list.values()]] as [string, unknown[]]));
  };
  switch (key) {
    case 'cards':
      return new Map(
        batch.cards.map(({ card: c }) => [
          c.jiraKey,
          [c.summary, c.status, c.priority, c.assigneeName, c.labels.join(',')],
        ]),
      );
    case 'cases':
      return new Map(
        batch.cases.map((c) => [c.caseNumber, [c.summary, c.status, c.account, c.severity, c.owner]]),
      );
    case 'details':
      return new Map(
        batch.details.map((d) => [d.caseNumber, [d.row.critSit, d.row.groupName, d.row.entitlementSla]]),
      );
    case 'bugs': {
      const bug = new Map(batch.bugs.map((b) => [b.bugId, b]));
      return sortedLists(
        batch.bugLinks.map((l) => {
          const b = bug.get(l.row.bugId);
          return { caseNumber: l.caseNumber, item: [l.row.bugId, b?.summary ?? null, b?.status ?? null] };
        }),
      );
    }
    case 'issues': {
      const issue = new Map(batch.issues.map((i) => [i.issueKey, i]));
      return sortedLists(
        batch.issueLinks.map((l) => {
          const i = issue.get(l.row.issueKey);
          return { caseNumber: l.caseNumber, item: [l.row.issueKey, i?.title ?? null, i?.status ?? null] };
        }),
      );
    }
    case 'escalations':
      return new Map(
        batch.escalations.map((e) => [
          e.issueKey,
          [e.summary, e.status, [...e.caseNumbers].sort().join(',')],
        ]),
      );
  }
}
