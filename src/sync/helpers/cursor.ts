/**
 * The newest of a sync cursor and the upstream modification times a run read; never moves backwards.
 * Cursors are the upstream's own clock (what it reported), so our clock's drift cannot skip changes.
 */
export function newestCursor(previous: Date | null, times: readonly Date[]): Date | null {
  let max = previous?.getTime() ?? Number.NEGATIVE_INFINITY;
  for (const t of times) max = Math.max(max, t.getTime());
  return Number.isFinite(max) ? new Date(max) : null;
}
