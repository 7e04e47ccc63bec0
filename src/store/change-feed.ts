import { randomUUID } from 'node:crypto';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { Database, Queryable } from './db.js';

// After each committed write batch the store sends one NOTIFY naming the entity and the keys that
// changed. Any process can LISTEN: web processes push it to browsers (SSE) and, without Redis,
// invalidate their in-process caches with it, so several processes stay coherent on PostgreSQL
// alone; the process that runs the jobs recomputes card_index after its own events
// (read-model/card-index-upkeep.ts). On PGlite it works in-process.

export const CHANGE_CHANNEL = 't5g_changes';

/**
 * The entity of the event a feed delivers after its connection came back: notifications sent
 * meanwhile are lost, so every listener treats every entity as changed.
 */
export const ANY_ENTITY = '*';

// NOTIFY payloads are limited to 8000 bytes; past this, the event says "many keys" (keys: null).
const MAX_PAYLOAD = 7000;

export interface ChangeEvent {
  entity: string;
  /** Changed keys, or null when there were too many to list. */
  keys: string[] | null;
  count: number;
  /** The process that wrote it, so a process can skip its own events where that matters. */
  origin: string;
  at: string;
}

export type ChangeHandler = (event: ChangeEvent) => void;

export class ChangeFeed {
  readonly origin = randomUUID();
  private readonly handlers = new Set<ChangeHandler>();
  private unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
  ) {}

  /** Queues the event inside the writer's transaction: PostgreSQL delivers it only if that commits. */
  async publish(tx: Queryable, entity: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const event: ChangeEvent = {
      entity,
      keys: [...keys],
      count: keys.length,
      origin: this.origin,
      at: new Date().toISOString(),
    };
    let payload = JSON.stringify(event);
    if (Buffer.byteLength(payload) > MAX_PAYLOAD) payload = JSON.stringify({ ...event, keys: null });
    await tx.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, payload]);
  }

  subscribe(handler: ChangeHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async start(): Promise<void> {
    if (this.unlisten) return;
    this.unlisten = await this.db.listen(
      CHANGE_CHANNEL,
      (payload) => {
        let event: ChangeEvent;
        try {
          event = JSON.parse(payload) as ChangeEvent;
        } catch (err) {
          this.logger.warn({ err: errorMessage(err) }, 'ignoring malformed change-feed payload');
          return;
        }
        this.deliver(event);
      },
      () =>
        this.deliver({
          entity: ANY_ENTITY,
          keys: null,
          count: 0,
          origin: 'reconnect',
          at: new Date().toISOString(),
        }),
    );
  }

  private deliver(event: ChangeEvent) {
    for (const h of this.handlers) {
      try {
        h(event);
      } catch (err) {
        this.logger.error({ err: errorMessage(err), entity: event.entity }, 'change-feed handler failed');
      }
    }
  }

  async stop(): Promise<void> {
    const unlisten = this.unlisten;
    this.unlisten = undefined;
    await unlisten?.();
  }
}
