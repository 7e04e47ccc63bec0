import type { RunOutcome } from '../../shared/api/sync.js';

// The outcome a job that writes upstream stores with its run when it has nothing it may do (not
// configured): said as such, so "succeeded" is never read as "wrote what it should have".

export function skippedOutcome(summary: string): RunOutcome {
  return { result: 'skipped', summary, did: [], wouldHave: [], failed: [], handedOver: [], refused: null };
}
