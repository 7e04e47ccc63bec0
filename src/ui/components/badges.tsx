import { slug } from '../format.js';
import type { PrioList, Sla } from '../types.js';
import { safeUrl } from './markup.js';

// The original's coloured markers: severity, internal status, prio-list, crit sit, SLA.

export function SeverityBadge({ severity }: { severity: string | null }) {
  if (!severity) return <span className="muted">---</span>;
  return <span className={`badge severity sev-${slug(severity)}`}>{severity}</span>;
}

export function StatusBadge({ status }: { status: string | null }) {
  if (!status) return <span className="muted">---</span>;
  return <span className={`badge internal-status st-${slug(status)}`}>{status}</span>;
}

export function PrioListBadge({ prioList, url }: { prioList: PrioList; url?: string | null }) {
  if (prioList === 'yes') {
    const link = safeUrl(url);
    const badge = <span className="badge prio-yes">Yes</span>;
    return link ? (
      <a href={link} target="_blank" rel="noopener noreferrer" title="Escalation card">
        {badge}
      </a>
    ) : (
      badge
    );
  }
  if (prioList === 'potentially') return <span className="badge prio-potentially">Potentially</span>;
  return <span className="muted">No</span>;
}

export function CritSitBadge({ critSit }: { critSit: boolean }) {
  return critSit ? <span className="badge crit-sit">Yes</span> : <span className="muted">No</span>;
}

/** Days open, orange past half the SLA and red at the SLA (partner accounts, open cases only). */
export function DaysOpen({ days, sla }: { days: number | null; sla: Sla }) {
  if (days === null) return <span className="muted">---</span>;
  if (sla === 'none') return <span>{days}</span>;
  const title = sla === 'breach' ? 'SLA reached' : 'Past half the SLA';
  return (
    <span className={`badge sla-${sla}`} title={title}>
      {days}
    </span>
  );
}

export function OnPrioListMarker() {
  return <span className="badge prio-marker">⛔ On Prio-list</span>;
}
