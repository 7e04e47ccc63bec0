/**
 * Fault injection per upstream, driven by a seeded RNG so a test run is reproducible.
 * Order per request: latency, then timeout, rate limit, 5xx (mutually exclusive, first roll wins),
 * then (after the handler ran) truncation; invalid records are rolled per record by the handlers.
 */
import { z } from 'zod';
import type { Upstream } from './constants.js';
import { createRng, type Rng } from './rng.js';

export const FAULT_UPSTREAMS = ['sso', 'portal', 'jira', 'bugzilla', 'slack'] as const;
export type FaultUpstream = (typeof FAULT_UPSTREAMS)[number];

const rate = z.number().min(0).max(1);

const settingsSchema = z
  .object({
    latencyMs: z.number().min(0).max(600_000),
    errorRate: rate,
    rateLimitRate: rate,
    /** Seconds announced in Retry-After / X-RateLimit-Delay; may be 0 or fractional. */
    retryAfterSeconds: z.number().min(0).max(3600),
    timeoutRate: rate,
    truncateRate: rate,
    invalidRecordRate: rate,
    /** Jira Cloud only: issues created less than this long ago are missing from search unless reconciled. */
    consistencyLagMs: z.number().min(0).max(600_000),
    /** Only requests whose endpoint key contains this text are faulted (e.g. "GET /search/cases"). */
    only: z.string().nullable(),
    /** Stop injecting after this many faults (timeouts, 429s, 5xx, truncations); null = no limit. */
    limit: z.number().int().min(0).nullable(),
  })
  .strict();

export type FaultSettings = z.infer<typeof settingsSchema>;

export const faultUpdateSchema = z
  .object({
    seed: z.number().int().optional(),
    sso: settingsSchema.partial().optional(),
    portal: settingsSchema.partial().optional(),
    jira: settingsSchema.partial().optional(),
    bugzilla: settingsSchema.partial().optional(),
    slack: settingsSchema.partial().optional(),
  })
  .strict();

export type FaultUpdate = z.infer<typeof faultUpdateSchema>;

export type FaultAction = 'none' | 'timeout' | 'rateLimit' | 'error';

export interface FaultDecision {
  latencyMs: number;
  action: FaultAction;
  truncate: boolean;
  retryAfterSeconds: number;
}

function defaults(): FaultSettings {
  return {
    latencyMs: 0,
    errorRate: 0,
    rateLimitRate: 0,
    retryAfterSeconds: 1,
    timeoutRate: 0,
    truncateRate: 0,
    invalidRecordRate: 0,
    consistencyLagMs: 0,
    only: null,
    limit: null,
  };
}

function isFaultUpstream(u: Upstream): u is FaultUpstream {
  return (FAULT_UPSTREAMS as readonly string[]).includes(u);
}

export class FaultController {
  private settings: Record<FaultUpstream, FaultSettings>;
  private rng: Rng;

  constructor(private seed: number) {
    this.settings = this.fresh();
    this.rng = createRng(seed, 'faults');
  }

  private fresh(): Record<FaultUpstream, FaultSettings> {
    return { sso: defaults(), portal: defaults(), jira: defaults(), bugzilla: defaults(), slack: defaults() };
  }

  get(): Record<FaultUpstream, FaultSettings> {
    return structuredClone(this.settings);
  }

  /** Merges the given keys into the current settings and restarts the fault RNG. */
  update(update: FaultUpdate): void {
    if (update.seed !== undefined) this.seed = update.seed;
    for (const u of FAULT_UPSTREAMS) {
      const patch = update[u];
      if (patch) this.settings[u] = { ...this.settings[u], ...patch };
    }
    this.rng = createRng(this.seed, 'faults');
  }

  reset(): void {
    this.settings = this.fresh();
    this.rng = createRng(this.seed, 'faults');
  }

  settingsFor(upstream: Upstream): FaultSettings | undefined {
    return isFaultUpstream(upstream) ? this.settings[upstream] : undefined;
  }

  private applies(s: FaultSettings, key: string): boolean {
    return s.only === null || key.includes(s.only);
  }

  private consume(s: FaultSettings): boolean {
    if (s.limit === null) return true;
    if (s.limit <= 0) return false;
    s.limit--;
    return true;
  }

  decide(upstream: Upstream, key: string): FaultDecision {
    const s = this.settingsFor(upstream);
    const none: FaultDecision = { latencyMs: 0, action: 'none', truncate: false, retryAfterSeconds: 0 };
    if (!s || !this.applies(s, key)) return none;
    const decision: FaultDecision = {
      ...none,
      latencyMs: s.latencyMs,
      retryAfterSeconds: s.retryAfterSeconds,
    };
    if (s.timeoutRate > 0 && this.rng.chance(s.timeoutRate) && this.consume(s)) decision.action = 'timeout';
    else if (s.rateLimitRate > 0 && this.rng.chance(s.rateLimitRate) && this.consume(s))
      decision.action = 'rateLimit';
    else if (s.errorRate > 0 && this.rng.chance(s.errorRate) && this.consume(s)) decision.action = 'error';
    else if (s.truncateRate > 0 && this.rng.chance(s.truncateRate) && this.consume(s))
      decision.truncate = true;
    return decision;
  }

  invalidRecord(upstream: Upstream, key: string): boolean {
    const s = this.settingsFor(upstream);
    return (
      s !== undefined &&
      s.invalidRecordRate > 0 &&
      this.applies(s, key) &&
      this.rng.chance(s.invalidRecordRate)
    );
  }

  /** 500, 502 (with a gateway HTML page) or 503, chosen by the fault RNG. */
  errorStatus(): 500 | 502 | 503 {
    return this.rng.pick([500, 502, 503] as const);
  }

  variant<T>(items: readonly T[]): T {
    return this.rng.pick(items);
  }
}
