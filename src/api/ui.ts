import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import './roles.js';

// The built dashboard (Vite output): hashed assets under /assets/ with long caching, and index.html
// for every other page path, so deep links like /table/all?severity=Urgent load the app.

/**
 * The page runs no inline script and loads nothing from elsewhere; upstream text is rendered as text
 * by React. The policy is the second line of defence against stored XSS. Inline styles are allowed:
 * the charts and table widths set them.
 */
const CONTENT_SECURITY_POLICY = [
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

export async function uiRoutes(app: FastifyInstance, opts: { dir: string }) {
  // Read per request (it is tiny): after a rebuild it always names the assets that are on disk.
  const indexFile = path.join(opts.dir, 'index.html');
  await readFile(indexFile);
  // The hashed assets are the app's code, not data; the page itself asks for sign-in.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/assets/')) route.config = { ...route.config, role: 'public' };
  });
  await app.register(fastifyStatic, {
    root: path.join(opts.dir, 'assets'),
    prefix: '/assets/',
    // File names carry their content hash.
    immutable: true,
    maxAge: '365d',
  });
  app.get('/favicon.svg', { config: { role: 'public' } }, async (_req, reply) =>
    reply.type('image/svg+xml').send(await readFile(path.join(opts.dir, 'favicon.svg'))),
  );
  app.get('/*', { config: { role: 'viewer' }, schema: { hide: true } }, async (req, reply) => {
    if (req.url.startsWith('/api/'))
      return reply.code(404).send({ message: `Route GET:${req.url} not found` });
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin')
      .send(await readFile(indexFile));
  });
}
