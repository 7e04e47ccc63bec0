import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { VERSION } from '../lib/version.js';
import './roles.js';
import { PAGE_CSP } from './security-headers.js';

/**
 * The OpenAPI document, built from every route's schema (/api/openapi.json), and its docs page
 * (/api/docs). Call it on the root instance before any route is registered: the document only sees
 * routes added after it.
 */
export async function registerApiDocs(app: FastifyInstance): Promise<void> {
  // The docs page's own routes come from the plugin; they are reads like any other.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/docs'))
      route.config = { ...route.config, role: route.config?.role ?? 'viewer' };
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 't5g API',
        description:
          "Read API of the t5g support-operations dashboard. `/api/v1/*` is the typed API; `/api/*` keeps the original dashboard's JSON shapes for existing scripts.",
        version: VERSION,
      },
    },
  });
  // Swagger UI loads its own scripts and styles from /api/docs/static: the dashboard's page policy fits.
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: PAGE_CSP });
  app.get('/api/openapi.json', { config: { role: 'viewer' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
}
