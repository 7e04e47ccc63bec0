import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { Config } from '../../config/config.js';
import type { Logger } from '../../lib/logger.js';
import type { CoreMetrics } from '../../observability/metrics.js';
import { webhookResultSchema, webhookStatusSchema } from '../../shared/api/webhooks.js';
import { JIRA_SIGNATURE_HEADER, parseJiraWebhook, verifyJiraSignature } from '../../sources/index.js';
import { getWebhookReceipt } from '../../store/repositories/webhooks.js';
import type { Store } from '../../store/store.js';
import { applyJiraWebhook, WEBHOOK_SOURCE } from '../../sync/webhooks/jira.js';
import { responseSchema } from '../json-schema.js';
import { errorResponse } from '../replies.js';
import '../roles.js';

// Webhooks upstreams push:
//   POST /api/v1/webhooks/jira   a JIRA webhook delivery. Not behind sign-in or CSRF: it is
//                                authenticated by its signature (X-Hub-Signature: sha256=<HMAC of
//                                the raw body with JIRA_WEBHOOK_SECRET>), checked on the bytes as
//                                received. 404 while no secret is configured, 401 unsigned or
//                                wrongly signed, 400 not JSON or not a JIRA delivery, 200 with what
//                                became of it. Every request is counted in t5g_webhook_requests_total.
//   GET  /api/v1/webhooks        per source: enabled, when the last delivery arrived, its outcome.

export const JIRA_WEBHOOK_PATH = '/api/v1/webhooks/jira';
/** JIRA payloads carry the whole issue; large descriptions and many custom fields add up. */
const BODY_LIMIT = 10 * 1024 * 1024;

export async function webhookRoutes(
  app: FastifyInstance,
  deps: { store: Store; config: Config; logger: Logger; metrics: CoreMetrics },
) {
  const { store, config, metrics } = deps;
  const logger = deps.logger.child({ component: 'webhooks' });
  const count = (outcome: string) => metrics.webhookRequests.inc({ source: WEBHOOK_SOURCE, outcome });

  // The signature covers the raw bytes, so this plugin's routes take bodies unparsed.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) =>
    done(null, body),
  );

  app.post(
    JIRA_WEBHOOK_PATH,
    {
      config: { role: 'public' },
      bodyLimit: BODY_LIMIT,
      schema: {
        tags: ['webhooks'],
        summary: 'JIRA webhook delivery (issue and comment events), signed with X-Hub-Signature',
        response: {
          200: responseSchema(webhookResultSchema),
          400: errorResponse,
          401: errorResponse,
          404: errorResponse,
        },
      },
    },
    async (req, reply) => {
      const secret = config.jira.webhookSecret;
      if (!secret) {
        count('disabled');
        return reply.code(404).send({
          message: 'JIRA webhooks are off: set JIRA_WEBHOOK_SECRET (the secret of the JIRA webhook)',
        });
      }
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const check = verifyJiraSignature(raw, req.headers[JIRA_SIGNATURE_HEADER], secret);
      if (check !== 'ok') {
        count(check === 'missing' ? 'unsigned' : 'bad_signature');
        logger.warn({ ip: req.ip, check }, 'JIRA webhook refused: missing or wrong signature');
        return reply.code(401).send({
          message:
            check === 'missing'
              ? 'missing X-Hub-Signature (sha256=<HMAC-SHA256 of the body with the webhook secret>)'
              : 'X-Hub-Signature does not match the body',
        });
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        count('bad_request');
        return reply.code(400).send({ message: 'body is not JSON' });
      }
      const parsed = parseJiraWebhook(body);
      if (!parsed.ok) {
        count('bad_request');
        return reply.code(400).send({ message: parsed.message });
      }
      try {
        const result = await applyJiraWebhook({ store, config, logger }, parsed.event);
        count(result.outcome);
        return result satisfies z.input<typeof webhookResultSchema>;
      } catch (err) {
        // A 500 makes JIRA deliver again later; polling catches up meanwhile.
        count('failed');
        throw err;
      }
    },
  );

  app.get(
    '/api/v1/webhooks',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['webhooks'],
        summary: 'Webhook sources: enabled, when the last delivery arrived and what became of it',
        response: { 200: responseSchema(webhookStatusSchema) },
      },
    },
    async () => {
      const r = await getWebhookReceipt(store.db, WEBHOOK_SOURCE);
      const date = (s: string | null) => (s ? new Date(s) : null);
      return {
        sources: [
          {
            source: WEBHOOK_SOURCE,
            enabled: Boolean(config.jira.webhookSecret),
            path: JIRA_WEBHOOK_PATH,
            lastReceivedAt: date(r.lastReceivedAt),
            lastAppliedAt: date(r.lastAppliedAt),
            lastEvent: r.lastEvent,
            lastKey: r.lastKey,
            lastOutcome: r.lastOutcome,
            received: r.received,
            deletedUpstream: r.deletedUpstream,
            deletedKeys: r.deletedKeys.slice(0, 20),
            pendingCommentChecks: r.pendingCommentCheck.length,
          },
        ],
      };
    },
  );
}
