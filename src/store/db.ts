import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Logger } from '../lib/logger.js';
import { type DataDirLock, lockDataDir } from './data-dir-lock.js';
import { seedFromTemplate } from './pglite-template.js';

// One interface over the two backends: node-postgres against a real server (DATABASE_URL), or
// PGlite in-process on DATA_DIR. Repositories write plain SQL against `Queryable`; the Drizzle
// schema (schema.ts) defines the tables and generates the migrations, which both backends run.

export type BackendKind = 'postgres' | 'pglite';

export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<R>>;
}

export interface Database extends Queryable {
  readonly kind: BackendKind;
  /** Runs `fn` in one transaction. Inside it, use only `tx`: on PGlite a query on the outer handle waits for the transaction and would never return. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Subscribes to NOTIFY on `channel`; returns the unsubscribe function. */
  /**
   * LISTENs on `channel`. `onReconnect` runs after a lost connection is back: notifications sent
   * while it was down are gone, so the listener must treat everything as changed.
   */
  listen(
    channel: string,
    onPayload: (payload: string) => void,
    onReconnect?: () => void,
  ): Promise<() => Promise<void>>;
  /** Where the data lives, without credentials: a data directory or host/database. */
  readonly location: string;
  readonly pool?: pg.Pool;
  readonly pglite?: PGlite;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl?: string;
  /** PGlite data directory (ignored with databaseUrl). `memory://` keeps everything in memory. */
  dataDir?: string;
  /** PGlite only: shared_buffers in MB (PostgreSQL's default: 128), and whether a new directory is copied from the template. */
  pglite?: { sharedBuffersMb?: number; template?: boolean };
  poolSize?: number;
  logger: Logger;
}

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolSize ?? 10, opts.logger);
  return openPglite(opts.dataDir ?? './data', opts.logger, opts.pglite);
}

// int8 (count(*), bigint ids) as numbers on both backends; every value we keep fits in 2^53.
const INT8_OID = 20;
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

async function openPostgres(url: string, poolSize: number, logger: Logger): Promise<Database> {
  // JIT compilation costs more than it saves on the dashboard's short queries (measured: live
  // stats at 100k cases 3.4 s with JIT, 1.1 s without).
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: pgTypes, options: '-c jit=off' });
  // An idle client losing its connection emits on the pool; without a listener Node would crash.
  pool.on('error', (err) => logger.warn({ err: err.message }, 'postgres pool client error'));
  const location = describePgUrl(url);
  const listeners = new Set<pg.Client>();
  return {
    kind: 'postgres',
    location,
    pool,
    query: async <R>(text: string, params?: unknown[]) => {
      const r = await pool.query(text, params);
      return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
    },
    transaction: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx: Queryable = {
          query: async <R>(text: string, params?: unknown[]) => {
            const r = await client.query(text, params);
            return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
          },
        };
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    listen: (channel, onPayload, onReconnect) =>
      listenPostgres(url, channel, onPayload, onReconnect, logger, listeners),
    close: async () => {
      for (const c of listeners) await c.end().catch(() => undefined);
      listeners.clear();
      await pool.end();
    },
  };
}

/** A dedicated connection per LISTEN that reconnects with backoff, so a server restart does not end the change feed. */
async function listenPostgres(
  url: string,
  channel: string,
  onPayload: (payload: string) => void,
  onReconnect: (() => void) | undefined,
  logger: Logger,
  listeners: Set<pg.Client>,
): Promise<() => Promise<void>> {
  let stopped = false;
  let client: pg.Client | undefined;
  // Short waits: every second without the feed is a second other processes' writes go unseen.
  const FIRST_DELAY_MS = 250;
  const MAX_DELAY_MS = 2000;
  let delay = FIRST_DELAY_MS;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on('notification', (msg) => {
      if (msg.channel === channel && msg.payload !== undefined) onPayload(msg.payload);
    });
    c.on('error', (err) => {
      logger.warn({ err: err.message, channel }, 'change-feed connection lost; reconnecting');
      listeners.delete(c);
      c.end().catch(() => undefined);
      if (!stopped) setTimeout(() => void reconnect(), delay).unref();
    });
    await c.connect();
    await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    client = c;
    listeners.add(c);
    delay = FIRST_DELAY_MS;
  };
  const reconnect = async () => {
    try {
      await connect();
      logger.info({ channel }, 'change-feed connection restored; treating everything as changed');
      onReconnect?.();
    } catch {
      delay = Math.min(delay * 2, MAX_DELAY_MS);
      if (!stopped) setTimeout(() => void reconnect(), delay).unref();
    }
  };
  await connect();
  return async () => {
    stopped = true;
    if (client) {
      listeners.delete(client);
      await client.end().catch(() => undefined);
    }
  };
}

async function openPglite(
  dataDir: string,
  logger: Logger,
  opts: OpenDatabaseOptions['pglite'] = {},
): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  let lock: DataDirLock | undefined;
  let dir = dataDir;
  if (!inMemory) {
    dir = path.resolve(dataDir);
    lock = lockDataDir(dir);
  }
  let pglite: PGlite;
  try {
    if (!inMemory && opts.template !== false) await seedFromTemplate(path.join(dir, 'pglite'), logger);
    // Start parameters, not postgresql.conf: PGlite would rewrite the data directory's whole file.
    const startParams = opts.sharedBuffersMb
      ? [...PGlite.defaultStartParams, '-c', `shared_buffers=${opts.sharedBuffersMb}MB`]
      : undefined;
    pglite = await PGlite.create(
      inMemory ? dataDir : path.join(dir, 'pglite'),
      startParams ? { startParams } : {},
    );
  } catch (err) {
    lock?.release();
    throw err;
  }
  logger.debug({ dataDir: dir }, 'PGlite opened');
  const run = async <R>(q: Pick<PGlite, 'query'>, text: string, params?: unknown[]) => {
    const r = await q.query<R>(text, params);
    return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
  };
  return {
    kind: 'pglite',
    location: inMemory ? dataDir : dir,
    pglite,
    query: (text, params) => run(pglite, text, params),
    transaction: (fn) => pglite.transaction((tx) => fn({ query: (text, params) => run(tx, text, params) })),
    listen: async (channel, onPayload) => {
      const unsubscribe = await pglite.listen(channel, onPayload);
      return unsubscribe;
    },
    close: async () => {
      try {
        await pglite.close();
      } finally {
        lock?.release();
      }
    },
  };
}

/** host:port/database, never the password. */
export function describePgUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'postgres';
  }
}
