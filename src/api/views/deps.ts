import type { Config } from '../../config/config.js';
import type { Store } from '../../store/store.js';
import type { PresentContext } from '../presenters.js';

/** What the dashboard's read views need: the store, the config, and a clock (tests pin it). */
export interface ViewDeps {
  store: Store;
  config: Config;
  now?: () => Date;
}

export const presentContext = (deps: ViewDeps): PresentContext => ({
  config: deps.config,
  now: deps.now?.() ?? new Date(),
});

/** A cache key part that is the same for equal values whatever their key order. */
export function stableKey(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}
