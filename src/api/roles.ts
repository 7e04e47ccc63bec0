// Every route declares the role it needs in its Fastify route config, from the start, so sign-in
// and roles can be enforced by one hook later without touching the routes.
//   public    health checks and metrics scrapes
//   viewer    every read
//   operator  manual refreshes
//   admin     writes to upstreams (card creation, watchers)
export type Role = 'public' | 'viewer' | 'operator' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    role?: Role;
  }
}
