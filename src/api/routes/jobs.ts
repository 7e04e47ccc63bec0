import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { Served } from '../../shared/api/common.js';
import {
  acceptedSchema,
  jobMonitorSchema,
  type monitoredJobSchema,
  runParams,
} from '../../shared/api/sync.js';
import { roleIncludes } from '../../shared/vocabulary.js';
import { getRun, latestRunPerJob } from '../../store/repositories/sync-runs.js';
import type { Store } from '../../store/store.js';
import { type JobStatus, type SyncControl, UnknownJobError } from '../../sync/index.js';
import { RATE_LIMITED } from '../auth/auth.js';
import { requestSchema, responseSchema } from '../json-schema.js';
import { errorResponse, notFound } from '../replies.js';
import '../roles.js';

// The job monitor (what Flower was to the original's Celery workers), for operators and admins:
//   GET  /api/v1/jobs                every job: its schedules with their next run time, its queue
//                                    (queued, deferred, running, failed), its newest run, the role
//                                    that may start it and the POST that does
//   POST /api/v1/runs/:id/retry      202 { id, joined }: a new run of a failed run's job with the
//                                    same parameters (or the run of that job already going);
//                                    404 no such run, 409 the run has not failed, 403 when the job
//                                    writes upstream and the caller is not an admin
// Starting a job is the existing POST /api/v1/refresh[/:source] (operator) and
// POST /api/v1/admin/jobs/:job (admin: the jobs that write upstream).

type MonitoredJob = Served<typeof monitoredJobSchema>;

/** The POST that starts a job by hand, and who may send it. */
function howToStart(s: JobStatus): Pick<MonitoredJob, 'role' | 'startPath'> {
  if (s.writesUpstream) return { role: 'admin', startPath: `/api/v1/admin/jobs/${s.job}` };
  if (s.refresh === 'full-refresh') return { role: 'operator', startPath: '/api/v1/refresh' };
  if (s.refresh === 'none') return { role: 'operator', startPath: null };
  return { role: 'operator', startPath: `/api/v1/refresh/${s.job}` };
}

export async function jobRoutes(
  app: FastifyInstance,
  opts: { store: Store; sync: SyncControl; readOnly: boolean },
) {
  const { store, sync } = opts;

  app.get(
    '/api/v1/jobs',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['sync'],
        summary: 'The job monitor: every job with its schedules (next run), queue depth and newest run',
        response: { 200: responseSchema(jobMonitorSchema) },
      },
    },
    async () => {
      const [jobs, latest] = await Promise.all([sync.jobStatus(), latestRunPerJob(store.db)]);
      const items: MonitoredJob[] = jobs.map((s) => ({
        job: s.job,
        title: s.title,
        writesUpstream: s.writesUpstream,
        ...howToStart(s),
        schedules: s.schedules.map((sch) => ({ ...sch, active: sch.inactiveBecause === null })),
        queue: s.queue,
        lastRun: latest.get(s.job) ?? null,
      }));
      return { items, readOnly: opts.readOnly, serverTime: new Date() };
    },
  );

  app.post<{ Params: z.output<typeof runParams> }>(
    '/api/v1/runs/:id/retry',
    {
      config: { role: 'operator', audit: 'run.retry', rateLimit: RATE_LIMITED },
      schema: {
        tags: ['sync'],
        summary: 'Retry a failed run: a new run of its job with the same parameters',
        params: requestSchema(runParams),
        response: {
          202: responseSchema(acceptedSchema),
          403: errorResponse,
          404: errorResponse,
          409: errorResponse,
        },
      },
    },
    async (req, reply) => {
      const run = await getRun(store.db, req.params.id);
      if (!run) return notFound(reply, `run ${req.params.id}`);
      if (run.status !== 'failed')
        return reply.code(409).send({ message: `run ${run.id} has not failed (it is ${run.status})` });
      // The route lets operators in; a job that writes upstream needs more (as starting it does).
      const role = req.auth?.user.role ?? null;
      if (sync.adminJobs().includes(run.job) && !roleIncludes(role, 'admin'))
        return reply.code(403).send({
          message: `${run.job} writes upstream: retrying it needs the admin role; you are ${role ?? 'without a role'}`,
        });
      try {
        const r = await sync.retryRun(run);
        return reply
          .code(202)
          .header('location', `/api/v1/runs/${r.runId}`)
          .send({ id: r.runId, joined: r.joined });
      } catch (err) {
        if (err instanceof UnknownJobError)
          return notFound(reply, `job ${run.job} in this version (the run is from an older one)`);
        throw err;
      }
    },
  );
}
