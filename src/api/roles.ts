import type { UserRole } from '../shared/vocabulary.js';

// Every route declares the role it needs in its Fastify route config; one hook (src/api/auth)
// enforces it, and the app refuses to start with a route that declares none.
//   public    health checks, the sign-in flow, the page shell's static files
//   viewer    every read (every signed-in user with a role)
//   operator  manual refreshes
//   admin     writes to upstreams (card creation, watchers), users, others' tokens, the audit log
export type Role = 'public' | UserRole;

declare module 'fastify' {
  interface FastifyContextConfig {
    role?: Role;
    /** Only a signed-in browser session, not an API token (token management, logout). */
    sessionOnly?: boolean;
    /** Also open to `Authorization: Bearer <METRICS_TOKEN>`. */
    metricsToken?: boolean;
    /** Written to the audit log when the route answers with a success. */
    audit?: string;
  }
}
