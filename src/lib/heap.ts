import v8 from 'node:v8';

/**
 * Bounds how far V8 grows the JavaScript heap between full collections: to (1 + percent/100) × what
 * the last one kept, instead of V8's own factor (up to 4× where memory is plentiful). A sync's
 * bursts of short-lived garbage (upstream JSON, bulk-upsert parameters, rebuilt response bodies)
 * otherwise leave the heap hundreds of MB larger than what it holds, resident long after the burst.
 * The flag is read whenever V8 sets the next limit, so setting it at start-up takes effect. 0 leaves
 * V8's heuristics alone.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${Math.round(percent)}`);
}
