import { Gauge, type Registry } from 'prom-client';
import { operationsGauges } from '../store/queries/operations-gauges.js';
import type { Store } from '../store/store.js';
import { scrapeCache } from './scrape-cache.js';

/**
 * Open cases by severity, open escalations, open crit sits and quarantined records, read from the
 * store on scrape (one query set per cache period, whatever the number of scrapers). Registers
 * once per registry. Every process reads the same values, so a cluster's aggregated registry keeps
 * the `max` instead of summing them.
 */
export function registerBusinessGauges(registry: Registry, store: Store): void {
  if (registry.getSingleMetric('t5g_open_cases')) return;
  const read = scrapeCache(() => operationsGauges(store.db));
  // A database outage leaves the series out instead of failing the whole scrape.
  const figures = () => read().catch(() => undefined);
  new Gauge({
    name: 't5g_open_cases',
    help: 'Cases not Closed, by severity.',
    labelNames: ['severity'],
    registers: [registry],
    aggregator: 'max',
    async collect() {
      this.reset();
      const f = await figures();
      for (const [severity, n] of Object.entries(f?.openCasesBySeverity ?? {})) this.set({ severity }, n);
    },
  });
  new Gauge({
    name: 't5g_open_escalations',
    help: 'Escalations (prio-list issues) not in a closed state.',
    registers: [registry],
    aggregator: 'max',
    async collect() {
      this.reset();
      const f = await figures();
      if (f) this.set(f.openEscalations);
    },
  });
  new Gauge({
    name: 't5g_open_crit_sits',
    help: 'Open cases the Portal marks as a crit sit.',
    registers: [registry],
    aggregator: 'max',
    async collect() {
      this.reset();
      const f = await figures();
      if (f) this.set(f.openCritSits);
    },
  });
  new Gauge({
    name: 't5g_quarantined_records',
    help: 'Upstream records in quarantine that no later run has stored, by source.',
    labelNames: ['source'],
    registers: [registry],
    aggregator: 'max',
    async collect() {
      this.reset();
      const f = await figures();
      for (const [source, n] of Object.entries(f?.quarantinedBySource ?? {})) this.set({ source }, n);
    },
  });
}
