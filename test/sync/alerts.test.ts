import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import {
  type AlertSink,
  createMemoryAlertGate,
  createStoreAlertGate,
  type JobAlert,
  rateLimitAlerts,
} from '../../src/sync/engine/alerts.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { recordingSink } from './support.js';

const alert = (job: string, n: number): JobAlert => ({
  job,
  runId: `run-${n}`,
  error: `boom ${n}`,
  attempts: 4,
});

describe('alert rate limit', () => {
  it('lets one alert per job through per window and reports how many it held back', async () => {
    let now = 0;
    const { alerts, sink } = recordingSink();
    const limited = rateLimitAlerts(sink, {
      gate: createMemoryAlertGate(() => now),
      windowSeconds: 600,
      logger: silentLogger,
    });

    await limited.send(alert('cases', 1));
    now = 60_000;
    await limited.send(alert('cases', 2));
    await limited.send(alert('cards', 3)); // another job has its own window
    now = 599_999;
    await limited.send(alert('cases', 4));
    now = 600_000;
    await limited.send(alert('cases', 5));

    expect(alerts).toEqual([alert('cases', 1), alert('cards', 3), { ...alert('cases', 5), suppressed: 2 }]);
  });

  it('never throws when the sink fails', async () => {
    const failing: AlertSink = {
      send: async () => {
        throw new Error('smtp down');
      },
    };
    const limited = rateLimitAlerts(failing, {
      gate: createMemoryAlertGate(),
      windowSeconds: 60,
      logger: silentLogger,
    });
    await expect(limited.send(alert('cases', 1))).resolves.toBeUndefined();
  });
});

describe.each(['pglite', 'postgres'] as const)('alert gate in the database (%s)', (backend) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(backend, 'sync_alerts');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lets exactly one of several concurrent alerts through, across processes sharing the table', async () => {
    const gate = createStoreAlertGate(t.store.db);
    const decisions = await Promise.all(Array.from({ length: 8 }, () => gate.tryAcquire('bugs', 3600)));
    expect(decisions.filter((d) => d.send)).toHaveLength(1);

    // Once the window has passed, the next alert goes out and carries the count held back.
    await t.store.db.query(
      `UPDATE alert_throttle SET last_sent_at = now() - interval '2 hours' WHERE job = 'bugs'`,
    );
    expect(await gate.tryAcquire('bugs', 3600)).toEqual({ send: true, suppressedSince: 7 });
    expect(await gate.tryAcquire('bugs', 3600)).toEqual({ send: false });
    expect(await gate.tryAcquire('cards', 3600)).toEqual({ send: true, suppressedSince: 0 });
  });
});
