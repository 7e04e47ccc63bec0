import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { follows, linkedSignal } from '../../src/lib/abort.js';

describe('linkedSignal', () => {
  it('aborts with the reason of the source that aborted first', () => {
    const a = new AbortController();
    const b = new AbortController();
    const link = linkedSignal([a.signal, undefined, b.signal]);
    b.abort(new Error('b went'));
    a.abort(new Error('a went'));
    expect(link.signal.aborted).toBe(true);
    expect((link.signal.reason as Error).message).toBe('b went');
    expect(link.timedOut).toBe(false);
  });

  it('is aborted at once when a source already was', () => {
    const a = new AbortController();
    a.abort('gone');
    expect(linkedSignal([a.signal]).signal.reason).toBe('gone');
  });

  it('times out with a TimeoutError and says so', async () => {
    const link = linkedSignal([], 5);
    await new Promise((resolve) => link.signal.addEventListener('abort', resolve));
    expect(link.timedOut).toBe(true);
    expect((link.signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('leaves no listener on a long-lived source once released, however many requests it outlives', () => {
    const run = new AbortController();
    for (let i = 0; i < 1000; i++) linkedSignal([run.signal], 60_000).release();
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
    const open = linkedSignal([run.signal], 60_000);
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(1);
    run.abort('run over');
    expect(open.signal.reason).toBe('run over');
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('a released signal no longer follows its sources', () => {
    const run = new AbortController();
    const link = linkedSignal([run.signal]);
    link.release();
    run.abort();
    expect(link.signal.aborted).toBe(false);
  });

  it('knows what it follows, through links of links', () => {
    const run = new AbortController();
    const other = new AbortController();
    const outer = linkedSignal([run.signal]);
    const inner = linkedSignal([outer.signal], 1000);
    expect(follows(inner.signal, run.signal)).toBe(true);
    expect(follows(inner.signal, outer.signal)).toBe(true);
    expect(follows(inner.signal, other.signal)).toBe(false);
    expect(follows(run.signal, run.signal)).toBe(true);
    inner.release();
  });
});
