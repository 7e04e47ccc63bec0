import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { postJson } from '../api.js';
import { deniedReason } from '../session.js';
import type { AcceptedAll, Me, Meta, Run, RunProgressEvent } from '../types.js';

// The Refresh button: starts a refresh of every source (POST /api/v1/refresh) and follows the run's
// progress stream until it is done. A page opened (or reloaded) while a refresh runs attaches to it,
// like the original's progress bar that survived a reload.

/** What the bar shows: a run's progress and, once known, its status. */
type Progress = Partial<RunProgressEvent>;

export function RefreshButton({ meta, me }: { meta: Meta | undefined; me: Me | undefined }) {
  const client = useQueryClient();
  const [runId, setRunId] = useState<string | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Attach to a refresh already running (started elsewhere, or before a reload).
  const active = meta?.activeRefresh?.id ?? null;
  useEffect(() => {
    if (active && !runId) setRunId(active);
  }, [active, runId]);

  useEffect(() => {
    if (!runId) return;
    const source = new EventSource(`/api/v1/runs/${runId}/events`);
    const onRun = (e: MessageEvent<string>) => {
      const run = JSON.parse(e.data) as Run;
      setProgress({ ...run.progress, status: run.status });
    };
    source.addEventListener('state', onRun);
    source.addEventListener('progress', (e: MessageEvent<string>) =>
      setProgress(JSON.parse(e.data) as Progress),
    );
    source.addEventListener('done', (e: MessageEvent<string>) => {
      const run = JSON.parse(e.data) as Run;
      source.close();
      setRunId(null);
      setProgress(null);
      setOutcome(
        run.status === 'succeeded'
          ? { ok: true, text: 'Refresh finished' }
          : { ok: false, text: `Refresh ${run.status}${run.error ? `: ${run.error}` : ''}` },
      );
      void client.invalidateQueries({ queryKey: ['api'] });
    });
    return () => source.close();
  }, [runId, client]);

  if (!meta?.canRefresh) return null;

  const start = async () => {
    setError(null);
    setOutcome(null);
    try {
      const r = await postJson<AcceptedAll>('/api/v1/refresh');
      setProgress({ current: 0, total: undefined, phase: 'queued' });
      setRunId(r.id);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const running = runId !== null;
  const denied = deniedReason(me, 'operator');
  const pct =
    progress?.total && progress.current !== undefined
      ? Math.round((100 * progress.current) / progress.total)
      : null;

  return (
    <div className="refresh">
      <button
        type="button"
        onClick={start}
        disabled={running || denied !== undefined}
        title={denied ? `Refresh ${denied}` : 'Fetch every source now'}
      >
        {running ? 'Refreshing…' : '⟳ Refresh'}
      </button>
      {running && (
        <div className="refresh-progress" aria-live="polite">
          <progress
            max={progress?.total ?? 1}
            value={progress?.total ? progress.current : undefined}
            aria-label="Refresh progress"
          />
          <span className="refresh-text">
            {pct !== null ? `${progress?.current}/${progress?.total} sources` : 'starting'}
            {progress?.phase ? ` · ${progress.phase}` : ''}
          </span>
        </div>
      )}
      {!running && outcome && (
        <span className={outcome.ok ? 'refresh-done' : 'refresh-failed'} role="status">
          {outcome.text}
        </span>
      )}
      {error && (
        <span className="refresh-failed" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
