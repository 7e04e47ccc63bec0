// Per-request abort signals tied to long-lived ones (a run's signal, with thousands of requests
// under it) at a constant cost per request.
//
// `AbortSignal.any([runSignal, timeout])` per request is quadratic in Node 22: every composite it
// makes is kept in the source's dependant set, and each one's garbage collection walks that whole
// set (`dependantSignalsCleanupRegistry`), so a run of n requests does ~n² work on the main
// thread — measured as 40% of the CPU of a 10k-case initial sync, and worse beyond. A linked
// signal instead adds one listener to each source and removes it when the request is released.

export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** Whether it aborted because `timeoutMs` passed (not because a source aborted). */
  readonly timedOut: boolean;
  /** Unlinks it from its sources and stops its timer; call once the request is over (idempotent). */
  release(): void;
}

/** The sources each linked signal follows (its own and theirs), for `follows`. */
const sourcesOf = new WeakMap<AbortSignal, readonly AbortSignal[]>();

/** Whether `signal` aborts whenever `source` does (it is `source`, or was linked to it). */
export function follows(signal: AbortSignal, source: AbortSignal): boolean {
  return signal === source || (sourcesOf.get(signal)?.includes(source) ?? false);
}

/**
 * A signal that aborts with the reason of the first of `sources` to abort, or with a TimeoutError
 * (as `AbortSignal.timeout` does) after `timeoutMs`.
 */
export function linkedSignal(
  sources: readonly (AbortSignal | undefined)[],
  timeoutMs?: number,
): LinkedSignal {
  const controller = new AbortController();
  const own = [...new Set(sources.filter((s): s is AbortSignal => s !== undefined))];
  const followed = [...new Set(own.flatMap((s) => [s, ...(sourcesOf.get(s) ?? [])]))];
  sourcesOf.set(controller.signal, followed);
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const listeners: [AbortSignal, () => void][] = [];
  const release = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    for (const [source, listener] of listeners.splice(0)) source.removeEventListener('abort', listener);
  };
  const abort = (reason: unknown) => {
    release();
    controller.abort(reason);
  };
  const aborted = own.find((s) => s.aborted);
  if (aborted) abort(aborted.reason);
  else {
    for (const source of own) {
      const listener = () => abort(source.reason);
      source.addEventListener('abort', listener, { once: true });
      listeners.push([source, listener]);
    }
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        timedOut = true;
        abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
      }, timeoutMs);
      // Like AbortSignal.timeout: a pending request timer alone does not keep the process alive.
      timer.unref?.();
    }
  }
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    release,
  };
}
