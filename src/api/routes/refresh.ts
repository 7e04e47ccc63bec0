import type { FastifyInstance, FastifyReply } from 'fastify';
import { acceptedAllSchema, acceptedSchema, jobParams, unknownJobSchema } from '../../shared/api/sync.js';
import type { Store } from '../../store/store.js';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../../store/unavailable.js';
import { type RefreshResult, type SyncControl, UnknownJobError } from '../../sync/index.js';
import { RATE_LIMITED } from '../auth/auth.js';
import { databaseUnavailableMessage } from '../errors.js';
import { requestSchema, responseSchema } from '../json-schema.js';
import '../roles.js';

// Manual refresh. Both answer 202 at once; the work happens on a worker and is followed through
// GET /api/v1/runs/:id and its SSE stream (the `Location` header points at the run).
//
//   POST /api/v1/refresh           → 202 { id, ids: { <job>: <runId> }, joined }
//       one run per job that takes part in a full refresh (started, or joined when already queued
//       or running), plus `id`: the `refresh-all` run that finishes when all of them have.
//   POST /api/v1/refresh/:source   → 202 { id, joined } | 404 for a job that is unknown or not
//       refreshable by hand; `joined` says the refresh joined a run already queued or running.
//   POST /api/v1/admin/jobs/:job   → 202 { id, joined } | 404: the jobs that write upstream (card
//       creation, priority sync, bug tagging), admin only. READ_ONLY still applies inside them.
//
// While the database is unavailable the job queue (which lives in it) cannot take the run: all three
// answer 503 "refresh not accepted" with Retry-After, so the caller knows nothing was queued.

const accepted = responseSchema(acceptedSchema);

const notAccepted = (reply: FastifyReply) =>
  reply
    .code(503)
    .header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS))
    .send({ message: databaseUnavailableMessage('refresh not accepted: ') });
const unknownJob = responseSchema(unknownJobSchema);

export async function refreshRoutes(app: FastifyInstance, opts: { store: Store; sync: SyncControl }) {
  const { sync } = opts;

  app.post(
    '/api/v1/refresh',
    {
      config: { role: 'operator', audit: 'refresh', rateLimit: RATE_LIMITED },
      schema: { response: { 202: responseSchema(acceptedAllSchema) } },
    },
    async (_req, reply) => {
      try {
        const r = await sync.refreshAll();
        return reply.code(202).header('location', `/api/v1/runs/${r.id}`).send(r);
      } catch (err) {
        if (isDatabaseUnavailable(err)) return notAccepted(reply);
        throw err;
      }
    },
  );

  /** 202 with the run (Location: the run), or 404 naming the jobs this route accepts. */
  const startRun = async (
    reply: FastifyReply,
    start: () => Promise<RefreshResult>,
    accepts: () => string[],
  ) => {
    try {
      const r = await start();
      return reply
        .code(202)
        .header('location', `/api/v1/runs/${r.runId}`)
        .send({ id: r.runId, joined: r.joined });
    } catch (err) {
      if (err instanceof UnknownJobError)
        return reply.code(404).send({ message: err.message, sources: accepts() });
      if (isDatabaseUnavailable(err)) return notAccepted(reply);
      throw err;
    }
  };
  app.post<{ Params: { source: string } }>(
    '/api/v1/refresh/:source',
    {
      config: { role: 'operator', audit: 'refresh', rateLimit: RATE_LIMITED },
      schema: { params: requestSchema(jobParams('source')), response: { 202: accepted, 404: unknownJob } },
    },
    (req, reply) =>
      startRun(
        reply,
        () => sync.refresh(req.params.source),
        () => sync.refreshableJobs(),
      ),
  );

  app.post<{ Params: { job: string } }>(
    '/api/v1/admin/jobs/:job',
    {
      config: { role: 'admin', audit: 'job.run', rateLimit: RATE_LIMITED },
      schema: {
        tags: ['admin'],
        summary: 'Run a job that writes upstream now: card-creation, priority-sync or bug-tagging',
        params: requestSchema(jobParams('job')),
        response: { 202: accepted, 404: unknownJob },
      },
    },
    (req, reply) =>
      startRun(
        reply,
        () => sync.runAdminJob(req.params.job),
        () => sync.adminJobs(),
      ),
  );
}
