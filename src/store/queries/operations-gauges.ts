import { SEVERITIES } from '../../shared/vocabulary.js';
import type { Queryable } from '../db.js';
import { CLOSED_ESCALATION_STATES } from '../repositories/stats.js';

// The business figures /metrics exports, with the stats page's definitions: a case is open unless
// its status is Closed, an escalation unless its status is a closed state, a crit sit is an open
// case whose Portal detail says so, and a quarantined record is one no later run has stored.

export interface OperationsGauges {
  /** Open cases per severity label; every severity is present (zero when none). */
  openCasesBySeverity: Record<string, number>;
  openEscalations: number;
  openCritSits: number;
  /** Unresolved quarantined records per source. */
  quarantinedBySource: Record<string, number>;
}

export async function operationsGauges(q: Queryable): Promise<OperationsGauges> {
  const severities = await q.query<{ severity: string; n: number }>(
    `SELECT severity_label AS severity, count(*)::int AS n FROM cases WHERE status <> 'Closed' GROUP BY severity_label`,
  );
  const counts = await q.query<{ escalations: number; crit_sits: number }>(
    `SELECT (SELECT count(*)::int FROM escalations WHERE lower(status) NOT IN ${CLOSED_ESCALATION_STATES}) AS escalations,
            (SELECT count(*)::int FROM cases c
               JOIN case_details d ON d.case_number = c.case_number AND d.case_created_date = c.created_date
              WHERE c.status <> 'Closed' AND d.crit_sit) AS crit_sits`,
  );
  const quarantined = await q.query<{ source: string; n: number }>(
    `SELECT source, count(*)::int AS n FROM quarantine WHERE resolved_at IS NULL GROUP BY source`,
  );
  const openCasesBySeverity: Record<string, number> = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
  for (const r of severities.rows) openCasesBySeverity[r.severity] = r.n;
  return {
    openCasesBySeverity,
    openEscalations: counts.rows[0]?.escalations ?? 0,
    openCritSits: counts.rows[0]?.crit_sits ?? 0,
    quarantinedBySource: Object.fromEntries(quarantined.rows.map((r) => [r.source, r.n])),
  };
}
