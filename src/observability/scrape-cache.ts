/** How long a figure read from the database on scrape is reused: scrapes (and several scrapers) stay cheap. */
export const SCRAPE_CACHE_MS = 10_000;

/**
 * Wraps a database read for a gauge's `collect`: concurrent scrapes share one query, and the result
 * is reused for `ttlMs`. A failed read is not cached, so the next scrape tries again.
 */
export function scrapeCache<T>(read: () => Promise<T>, ttlMs = SCRAPE_CACHE_MS): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (cached && now - cached.at < ttlMs) return cached.value;
    const value = read();
    const entry = { at: now, value };
    cached = entry;
    value.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return value;
  };
}
