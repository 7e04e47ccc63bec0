/**
 * Test and demo controls under /_sim/: counters, fault injection, data mutation, token expiry,
 * captured mail and Slack posts, and state counts. These calls are never counted or faulted.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Counters } from './counters.js';
import { type FaultController, faultUpdateSchema } from './faults.js';
import { applyMutation, MutateError, mutateSchema } from './mutate.js';
import type { SimulatorState } from './state.js';
import type { TokenStore } from './tokens.js';
import { simulatorUrls } from './urls.js';

export interface ControlDeps {
  state: SimulatorState;
  counters: Counters;
  faults: FaultController;
  tokens: TokenStore;
  smtpPort: () => number | undefined;
  /** Called after `/_sim/mutate` changed the world (raises the JIRA webhooks). */
  afterMutation: () => void;
}

function bodyJson(request: FastifyRequest): unknown {
  const raw = typeof request.body === 'string' ? request.body : '';
  if (raw.trim() === '') return {};
  return JSON.parse(raw) as unknown;
}

function badRequest(reply: FastifyReply, message: string, details?: unknown): FastifyReply {
  return reply.code(400).send({ message, ...(details !== undefined ? { details } : {}) });
}

export function registerControlRoutes(app: FastifyInstance, deps: ControlDeps): void {
  const { state, counters, faults, tokens } = deps;
  let mutations = 0;

  app.get('/_sim', async (request) => {
    const urls = simulatorUrls(`http://${request.headers.host ?? 'localhost'}`);
    return {
      urls,
      smtpPort: deps.smtpPort() ?? null,
      seed: state.seed,
      cases: state.cases.length,
      endpoints: [
        'GET /_sim/counters',
        'POST /_sim/counters/reset',
        'GET|PUT|DELETE /_sim/faults',
        'POST /_sim/mutate',
        'GET|PUT /_sim/webhooks',
        'POST /_sim/webhooks/flush',
        'POST /_sim/tokens/expire',
        'GET|DELETE /_sim/mail',
        'GET|DELETE /_sim/slack',
        'GET /_sim/state/summary',
        'GET /_sim/team',
      ],
    };
  });

  app.get('/_sim/counters', async () => counters.snapshot());
  app.post('/_sim/counters/reset', async () => {
    counters.reset();
    return counters.snapshot();
  });

  app.get('/_sim/faults', async () => faults.get());
  app.put('/_sim/faults', async (request, reply) => {
    let body: unknown;
    try {
      body = bodyJson(request);
    } catch {
      return badRequest(reply, 'Body must be JSON');
    }
    const parsed = faultUpdateSchema.safeParse(body);
    if (!parsed.success) return badRequest(reply, 'Invalid fault settings', parsed.error.issues);
    faults.update(parsed.data);
    return faults.get();
  });
  app.delete('/_sim/faults', async () => {
    faults.reset();
    return faults.get();
  });

  app.post('/_sim/mutate', async (request, reply) => {
    let body: unknown;
    try {
      body = bodyJson(request);
    } catch {
      return badRequest(reply, 'Body must be JSON');
    }
    const parsed = mutateSchema.safeParse(body);
    if (!parsed.success) return badRequest(reply, 'Invalid mutation', parsed.error.issues);
    try {
      const result = applyMutation(state, parsed.data, ++mutations);
      deps.afterMutation();
      return result;
    } catch (err) {
      if (err instanceof MutateError) return badRequest(reply, err.message);
      throw err;
    }
  });

  app.post('/_sim/tokens/expire', async () => ({ expired: tokens.expireAll() }));

  app.get('/_sim/mail', async () => state.mail);
  app.delete('/_sim/mail', async () => {
    const deleted = state.mail.length;
    state.mail.length = 0;
    return { deleted };
  });

  app.get('/_sim/slack', async () => state.slackMessages);
  app.delete('/_sim/slack', async () => {
    const deleted = state.slackMessages.length;
    state.slackMessages.length = 0;
    return { deleted };
  });

  app.get('/_sim/state/summary', async () => state.summary());
  app.get('/_sim/team', async () => state.team);
}
