import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

// Live updates: the server's change feed (GET /api/v1/events, SSE) says which entity changed; every
// query on screen is then refetched in the background, so rows change in place without a reload.
// Bursts (a sync writes in batches) are coalesced into one refetch per second at most.

const COALESCE_MS = 1000;

export type LiveState = 'connecting' | 'live' | 'offline';

export function useLiveUpdates(): { state: LiveState; lastChangeAt: Date | null } {
  const client = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');
  const [lastChangeAt, setLastChangeAt] = useState<Date | null>(null);

  useEffect(() => {
    const source = new EventSource('/api/v1/events');
    let timer: number | undefined;
    source.onopen = () => setState('live');
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
    source.addEventListener('change', () => {
      setLastChangeAt(new Date());
      if (timer !== undefined) return;
      timer = window.setTimeout(() => {
        timer = undefined;
        void client.invalidateQueries({ queryKey: ['api'] });
      }, COALESCE_MS);
    });
    return () => {
      window.clearTimeout(timer);
      source.close();
    };
  }, [client]);

  return { state, lastChangeAt };
}
