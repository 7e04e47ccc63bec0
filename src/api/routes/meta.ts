import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/config.js';
import { metaSchema } from '../../shared/api/sync.js';
import { shownUrl } from '../../shared/rules.js';
import { SYNCED_SOURCES } from '../../shared/vocabulary.js';
import {
  lastSuccessPerJob,
  latestRunPerJob,
  latestUnfinishedRun,
} from '../../store/repositories/sync-runs.js';
import type { Store } from '../../store/store.js';
import { REFRESH_ALL_JOB, type SyncControl } from '../../sync/index.js';
import { responseSchema } from '../json-schema.js';
import '../roles.js';

// GET /api/v1/meta: what every page's header shows. Demo / read-only flags, where links point,
// per-source freshness ("cases synced 2 min ago") and the refresh run in progress, so a reloaded
// page re-attaches to its progress bar.

export async function metaRoutes(
  app: FastifyInstance,
  opts: { store: Store; config: Config; sync?: SyncControl | undefined },
) {
  const { store, config, sync } = opts;
  app.get(
    '/api/v1/meta',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['meta'],
        summary: 'Header data: demo and read-only flags, per-source freshness, the refresh in progress',
        response: { 200: responseSchema(metaSchema) },
      },
    },
    async () => {
      const [success, latest, active] = await Promise.all([
        lastSuccessPerJob(store.db),
        latestRunPerJob(store.db),
        latestUnfinishedRun(store.db, REFRESH_ALL_JOB),
      ]);
      const mirrored: readonly string[] = config.mirror.url ? config.mirror.sources : [];
      const sources = SYNCED_SOURCES.map((job) => {
        const last = latest.get(job);
        return {
          job,
          origin: mirrored.includes(job) ? ('mirror' as const) : ('sync' as const),
          lastSuccessAt: success[job] ?? null,
          lastStatus: last?.status ?? null,
          lastError: last?.status === 'failed' ? last.error : (last?.inputError ?? null),
        };
      });
      return {
        demo: config.demo.enabled,
        readOnly: config.readOnly,
        jiraUrl: config.jira.url ? shownUrl(config.jira.url) : null,
        canRefresh: Boolean(sync),
        refreshable: sync?.refreshableJobs() ?? [],
        adminJobs: sync?.adminJobs() ?? [],
        sources,
        activeRefresh: active ?? null,
        serverTime: new Date(),
      };
    },
  );
}
