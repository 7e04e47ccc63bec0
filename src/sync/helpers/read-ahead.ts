// Reads the next item of an async sequence while the caller is still handling the current one: a
// job that pages through an upstream search and writes each page then waits on the upstream and
// on PostgreSQL at the same time instead of in turn. At most one item is read ahead, and the items
// are handed over in order, one at a time.

export async function* readAhead<T>(items: AsyncIterable<T>): AsyncGenerator<T> {
  const it = items[Symbol.asyncIterator]();
  let next = it.next();
  try {
    for (;;) {
      const current = await next;
      if (current.done) return;
      next = it.next();
      // Awaited on the next turn; when the caller stops first (a failed write), it must not go unhandled.
      next.catch(() => undefined);
      yield current.value;
    }
  } finally {
    // The caller stopped early: let the source clean up (its own finally blocks) once its read is over.
    void next.then(
      () => it.return?.(),
      () => undefined,
    );
  }
}
