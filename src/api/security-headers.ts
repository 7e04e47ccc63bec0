import helmet from '@fastify/helmet';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

// Security headers on every response — API answers, errors, 404s, /metrics, the docs and the UI —
// through @fastify/helmet on the root instance (its onRequest hook runs before any route, so even
// an error answer carries them). Nothing t5g serves may be framed by another page.

/**
 * The pages (the dashboard and the Swagger UI at /api/docs) run no inline script and load nothing
 * from elsewhere: upstream text is rendered as text, so the policy is the second line of defence
 * against stored XSS. Inline styles are allowed: the charts, table widths and Swagger UI set them.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** Everything else is data: a browser that renders it as a page gets nothing to run or load. */
const DATA_CSP = {
  defaultSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

/** The same headers, for the answers Fastify gives before any hook runs (an undecodable URL). */
const BASELINE = {
  'content-security-policy':
    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/**
 * Fastify's `frameworkErrors`: a URL it cannot decode (`/api/%ZZ`) is answered before the hooks,
 * so this answer sets the headers itself; a 400 with the message, as every bad request.
 */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply) {
  return reply
    .headers(BASELINE)
    .code(err.statusCode && err.statusCode < 500 ? err.statusCode : 400)
    .send({ message: err.message });
}

/** HSTS only means something over https (directly, or as the trusted proxy reports it). */
const HSTS = 'max-age=31536000; includeSubDomains';

export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: DATA_CSP },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
    // Sent by the hook below, and only over https: on plain http it is ignored by browsers anyway,
    // and a development start on http://localhost must not pin the name to https.
    strictTransportSecurity: false,
  });
  app.addHook('onRequest', async (req, reply) => {
    if (req.protocol === 'https') reply.header('strict-transport-security', HSTS);
  });
}
