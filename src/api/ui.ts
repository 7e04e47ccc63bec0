import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import './roles.js';
import { PAGE_CSP } from './security-headers.js';

// The built dashboard (Vite output): hashed assets under /assets/ with long caching, and index.html
// for every other page path, so deep links like /table/all?severity=Urgent load the app. The other
// security headers come from the app's own (security-headers.ts); a page gets the page policy.

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
      .header('content-security-policy', PAGE_CSP)
      .send(await readFile(indexFile));
  });
}
