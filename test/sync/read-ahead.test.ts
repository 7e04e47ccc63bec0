import { describe, expect, it } from 'vitest';
import { readAhead } from '../../src/sync/helpers/read-ahead.js';

describe('readAhead', () => {
  it('hands items over in order while reading one ahead', async () => {
    const log: string[] = [];
    async function* pages() {
      for (let i = 1; i <= 3; i++) {
        log.push(`read ${i}`);
        yield i;
      }
    }
    for await (const n of readAhead(pages())) {
      log.push(`write ${n} start`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.push(`write ${n} end`);
    }
    // The next page is read while one is written, never two ahead, and the writes are in order.
    const at = (entry: string) => log.indexOf(entry);
    expect(log.filter((e) => e.startsWith('write'))).toEqual([
      'write 1 start',
      'write 1 end',
      'write 2 start',
      'write 2 end',
      'write 3 start',
      'write 3 end',
    ]);
    expect(at('read 2')).toBeLessThan(at('write 1 end'));
    expect(at('read 3')).toBeLessThan(at('write 2 end'));
    expect(at('read 3')).toBeGreaterThan(at('write 1 end'));
  });

  it('passes the source error on, and lets the source clean up when the caller stops', async () => {
    let cleaned = false;
    async function* failing() {
      yield 1;
      throw new Error('upstream gone');
    }
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const n of readAhead(failing())) seen.push(n);
      })(),
    ).rejects.toThrow('upstream gone');
    expect(seen).toEqual([1]);

    async function* endless() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        cleaned = true;
      }
    }
    await expect(
      (async () => {
        for await (const n of readAhead(endless())) if (n === 2) throw new Error('write failed');
      })(),
    ).rejects.toThrow('write failed');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(cleaned).toBe(true);
  });
});
