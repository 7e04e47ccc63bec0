import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // PGlite instances are memory-heavy (~300 MB each, ~0.9 GB while running initdb); keep the
    // number of concurrently running test files small on the 2-core CI machine.
    maxWorkers: 2,
    // A page or a sync answers within a second when the machine is idle; under load give polls 10 s.
    expect: { poll: { timeout: 10_000, interval: 100 } },
    reporters: ['verbose', './test/support/summary-reporter.ts'],
  },
});
