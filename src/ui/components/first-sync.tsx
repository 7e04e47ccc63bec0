import { apiUrl, useApi } from '../api.js';
import { Link } from '../router.js';
import type { Meta } from '../types.js';

// What an empty table says before its data has ever been synced: on a fresh database the first
// full sync runs at start-up, and "no rows match these filters" would be wrong. While it runs, the
// refresh's progress (sources done of all, the ones running) is polled and shown.

const POLL_MS = 2000;

/** The sync state of `job` while it has never succeeded; null once it has (or while unknown). */
export function useFirstSync(job: string, enabled: boolean) {
  const meta = useApi<Meta>(enabled ? apiUrl('meta') : null, { refetchInterval: POLL_MS }).data;
  const source = meta?.sources.find((s) => s.job === job);
  if (!meta || !source || source.lastSuccessAt !== null) return null;
  return { run: meta.activeRefresh, lastStatus: source.lastStatus, lastError: source.lastError };
}

export function FirstSyncMessage({ job, noun }: { job: string; noun: string }) {
  const state = useFirstSync(job, true);
  if (!state) return null;
  const { run, lastError } = state;
  if (!run)
    return (
      <span data-testid="first-sync">
        {lastError
          ? `The first sync of ${job} failed: ${lastError}. `
          : `No sync of ${job} has finished yet, so there are no ${noun} to show. `}
        <Link to="/sync">See the sync status</Link>.
      </span>
    );
  const { current, total, phase } = run.progress;
  return (
    <span data-testid="first-sync" role="status">
      The first sync is running; the {noun} appear here as it stores them.{' '}
      {total !== undefined && current !== undefined && (
        <>
          <progress max={total} value={current} aria-label="First sync progress" /> {current} of {total}{' '}
          sources done
        </>
      )}
      {phase && phase !== 'done' ? ` (${phase})` : ''}.
    </span>
  );
}
