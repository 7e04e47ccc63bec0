/**
 * Seeded pseudo-random numbers. Every piece of simulated data comes from an `Rng` derived from the
 * simulator seed plus a stable label (`fork('case', 42)`), so the same seed always yields the same
 * data, and lazily generated content (comment threads, descriptions) does not depend on the order
 * in which it is first requested.
 */

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  weighted<T>(entries: readonly (readonly [T, number])[]): T;
  shuffle<T>(items: T[]): T[];
  sample<T>(items: readonly T[], count: number): T[];
  /** An independent generator whose stream depends only on this one's seed and `parts`. */
  fork(...parts: readonly (string | number)[]): Rng;
}

/** FNV-1a over the string form of the parts; good enough to spread seeds, not cryptographic. */
export function hashParts(parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const s = `${String(part)}\u0001`;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  }
  return h >>> 0;
}

/**
 * mulberry32: tiny, fast, and statistically fine for fake data. A class rather than closures
 * because the generator creates a few RNGs per case; 100k cases must stay cheap.
 */
class Mulberry32 implements Rng {
  private state: number;

  constructor(private readonly baseSeed: number) {
    this.state = baseSeed;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick() from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const entry of entries) total += entry[1];
    let roll = this.next() * total;
    for (const [value, weight] of entries) {
      roll -= weight;
      if (roll < 0) return value;
    }
    const last = entries[entries.length - 1];
    if (!last) throw new Error('weighted() from an empty list');
    return last[0];
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  sample<T>(items: readonly T[], count: number): T[] {
    if (count <= 0) return [];
    return this.shuffle([...items]).slice(0, count);
  }

  fork(...parts: readonly (string | number)[]): Rng {
    return createRng(this.baseSeed, ...parts);
  }
}

export function createRng(seed: number, ...parts: readonly (string | number)[]): Rng {
  return new Mulberry32(parts.length === 0 ? seed >>> 0 : hashParts([seed, ...parts]));
}
