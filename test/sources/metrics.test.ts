import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { createUpstreams } from '../../src/sources/index.js';
import { createPromUpstreamMetrics } from '../../src/sources/metrics.js';
import { metricValue, testConfig } from './support.js';

describe('upstream metrics', () => {
  it('registers t5g_upstream_* metrics once per registry and counts attempts by outcome', async () => {
    const registry = new Registry();
    const metrics = createPromUpstreamMetrics(registry);
    const again = createPromUpstreamMetrics(registry); // a second client set on the same registry
    metrics.request({ upstream: 'jira', method: 'GET', outcome: 200, durationMs: 12 });
    again.request({ upstream: 'jira', method: 'GET', outcome: 503, durationMs: 40 });
    again.request({ upstream: 'portal', method: 'GET', outcome: 'timeout', durationMs: 30_000 });
    metrics.retry({ upstream: 'jira', reason: '503' });
    metrics.rateLimitWait({ upstream: 'portal', waitMs: 1500 });
    metrics.readOnlyBlocked({ upstream: 'slack', action: 'postMessage' });
    metrics.rejected({ upstream: 'portal', source: 'portal.case', count: 2 });

    const names = (await registry.getMetricsAsJSON()).map((m) => m.name).sort();
    expect(names).toEqual([
      't5g_read_only_blocked_total',
      't5g_upstream_errors_total',
      't5g_upstream_rate_limit_wait_seconds_total',
      't5g_upstream_rate_limit_waits_total',
      't5g_upstream_rejected_records_total',
      't5g_upstream_request_duration_seconds',
      't5g_upstream_requests_total',
      't5g_upstream_retries_total',
    ]);
    expect(await metricValue(registry, 't5g_upstream_requests_total', { upstream: 'jira' })).toBe(2);
    expect(
      await metricValue(registry, 't5g_upstream_errors_total', { upstream: 'jira', status: '503' }),
    ).toBe(1);
    expect(await metricValue(registry, 't5g_upstream_errors_total', { status: 'timeout' })).toBe(1);
    expect(await metricValue(registry, 't5g_upstream_rate_limit_wait_seconds_total')).toBe(1.5);
    expect(await metricValue(registry, 't5g_upstream_rejected_records_total')).toBe(2);
  });

  it('createUpstreams leaves JIRA out when it is not configured', () => {
    const upstreams = createUpstreams(testConfig({ PORTAL_OFFLINE_TOKEN: 'x' }), { logger: silentLogger });
    expect(upstreams.jira).toBeUndefined();
    expect(upstreams.readOnly).toBe(true);
    expect(upstreams.slack.enabled).toBe(false);
    upstreams.close();
  });
});
