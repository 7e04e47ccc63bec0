import { CASE_STATUS, type PrioListState, SEVERITIES, type Severity, type SlaLevel } from './vocabulary.js';

// The dashboard's business rules that are shown, not filtered on: links, severity order, prio-list,
// days open and the SLA badge, JIRA-issue severity mismatch, telco priority.

export const portalCaseUrl = (caseNumber: string) =>
  `https://access.redhat.com/support/cases/#/case/${encodeURIComponent(caseNumber)}`;

/**
 * A URL as it may be shown (a link, /api/v1/meta, a message): without the credentials a URL can
 * carry (`https://user:pw@host`). Start-up refuses such URLs in the configuration; every link t5g
 * builds goes through this as well, so none can leak through a configuration made another way.
 */
export const shownUrl = (url: string) => url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');

export const jiraBrowseUrl = (jiraUrl: string | undefined, key: string) =>
  jiraUrl ? `${shownUrl(jiraUrl)}/browse/${encodeURIComponent(key)}` : null;

export const bugzillaUrl = (bugzillaBase: string, bugId: string) =>
  `${shownUrl(bugzillaBase)}/show_bug.cgi?id=${encodeURIComponent(bugId)}`;

/** The table's sort value: Urgent 4 … Low 1; 0 for a card without a case (or an unknown label). */
export const severityOrder = (label: string | null | undefined) => {
  const i = label ? SEVERITIES.indexOf(label as Severity) : -1;
  return i < 0 ? 0 : SEVERITIES.length - i;
};

/** On the prio-list; else "potentially" when the card carries the PotentialEscalation label. */
export const prioList = (escalated: boolean, potential: boolean): PrioListState =>
  escalated ? 'yes' : potential ? 'potentially' : 'no';

const DAY_MS = 86_400_000;

/** Whole days from creation to closure, or to `now` while open. */
export function daysOpen(created: Date | null, closed: Date | null, status: string | null, now: Date) {
  if (!created) return null;
  const end = status === CASE_STATUS.closed && closed ? closed : now;
  return Math.max(0, Math.floor((end.getTime() - created.getTime()) / DAY_MS));
}

/** The SLA settings the badge needs: days per severity, and the partner accounts it applies to. */
export interface SlaSettings {
  days: Record<Severity, number>;
  partners: readonly string[];
}

/**
 * The Days Open badge: only for partner accounts and cases that are not Closed; "warning" past half
 * the severity's SLA days, "breach" at or past them.
 */
export function slaLevel(
  sla: SlaSettings,
  row: {
    account: string | null;
    status: string | null;
    severityLabel: string | null;
    daysOpen: number | null;
  },
): SlaLevel {
  if (row.daysOpen === null || !row.account || !row.severityLabel || row.status === CASE_STATUS.closed)
    return 'none';
  if (!sla.partners.includes(row.account)) return 'none';
  const limit = sla.days[row.severityLabel as Severity];
  if (limit === undefined) return 'none';
  if (row.daysOpen >= limit) return 'breach';
  return row.daysOpen > limit / 2 ? 'warning' : 'none';
}

const ISSUE_SEVERITY_LEVEL: Record<string, number> = {
  Critical: 4,
  Important: 3,
  Moderate: 2,
  Low: 1,
  Informational: 0,
};

export type SeverityMismatch = 'lower' | 'higher' | 'equal' | null;

/**
 * A linked JIRA issue's severity against its case's: "lower" (shown red: the issue is rated below the
 * case), "higher" (yellow), "equal"; null when either is unknown.
 */
export function issueSeverity(issueSeverity: string | null, caseSeverityLabel: string | null) {
  const level = issueSeverity ? (ISSUE_SEVERITY_LEVEL[issueSeverity] ?? null) : null;
  const caseLevel = severityOrder(caseSeverityLabel) || null;
  let mismatch: SeverityMismatch = null;
  if (level !== null && caseLevel !== null)
    mismatch = level < caseLevel ? 'lower' : level > caseLevel ? 'higher' : 'equal';
  return { level, mismatch };
}

/** The first private keyword naming a priority ("Telco:Priority-1"), and its level 1–4 (1 most urgent). */
export function telcoPriority(privateKeywords: readonly string[] | null) {
  const keyword = privateKeywords?.find((k) => k.includes('Priority')) ?? null;
  const last = keyword ? Number(keyword.trim().slice(-1)) : Number.NaN;
  return { keyword, level: Number.isInteger(last) && last >= 1 && last <= 4 ? last : null };
}
