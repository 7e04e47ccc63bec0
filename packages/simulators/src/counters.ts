/**
 * Request and write counters per upstream endpoint, so tests can assert how many calls a sync
 * made (e.g. "an incremental sync fetched only the 2 changed cases").
 */
import { UPSTREAMS, type Upstream } from './constants.js';

export interface CounterSnapshot {
  requests: Record<string, number>;
  writes: Record<string, number>;
  upstreams: Record<Upstream, { requests: number; writes: number }>;
  totals: { requests: number; writes: number };
}

export class Counters {
  private requests = new Map<string, number>();
  private writes = new Map<string, number>();

  /** `key` is e.g. "GET /search/cases"; the stored name is prefixed with the upstream. */
  request(upstream: Upstream, key: string): void {
    const name = `${upstream} ${key}`;
    this.requests.set(name, (this.requests.get(name) ?? 0) + 1);
  }

  write(upstream: Upstream, key: string): void {
    const name = `${upstream} ${key}`;
    this.writes.set(name, (this.writes.get(name) ?? 0) + 1);
  }

  reset(): void {
    this.requests = new Map();
    this.writes = new Map();
  }

  snapshot(): CounterSnapshot {
    const upstreams = Object.fromEntries(UPSTREAMS.map((u) => [u, { requests: 0, writes: 0 }])) as Record<
      Upstream,
      { requests: number; writes: number }
    >;
    const totals = { requests: 0, writes: 0 };
    const tally = (map: Map<string, number>, field: 'requests' | 'writes'): Record<string, number> => {
      const out: Record<string, number> = {};
      for (const [name, n] of [...map.entries()].sort(([a], [b]) => a.localeCompare(b))) {
        out[name] = n;
        const upstream = name.slice(0, name.indexOf(' ')) as Upstream;
        upstreams[upstream][field] += n;
        totals[field] += n;
      }
      return out;
    };
    return {
      requests: tally(this.requests, 'requests'),
      writes: tally(this.writes, 'writes'),
      upstreams,
      totals,
    };
  }
}
