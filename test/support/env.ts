// Test-only settings: where the real services the suites use live. CI and the dev machines run
// PostgreSQL and Redis locally; `.ci/run` starts them if they are down.
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Upstream credentials without sign-in are refused unless allowed explicitly; the sync suites do. */
export const WITHOUT_SIGN_IN = { AUTH_MODE: 'none', AUTH_ALLOW_NONE: 'true' } as const;
