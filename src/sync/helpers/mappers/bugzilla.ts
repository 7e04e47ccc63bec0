import type { BugRecord as UpstreamBug } from '../../../sources/index.js';
import type { BugRecord } from '../../../store/repositories/bugs.js';

// Bugzilla connector records → `bugs` rows. A bug the API key may not read (or that does not
// exist) is still a row, marked unavailable with the reason, so the UI can say so instead of
// silently hiding the case's link.

export function toBugRecord(bug: UpstreamBug): BugRecord {
  if (bug.unavailable) {
    return {
      bugId: String(bug.id),
      summary: null,
      status: null,
      severity: null,
      priority: null,
      component: null,
      targetRelease: null,
      assignee: null,
      qaContact: null,
      lastChangeTime: null,
      internalWhiteboard: null,
      keywords: null,
      unavailable: true,
      unavailableReason: bug.reason,
      raw: { id: bug.id, unavailable: true, reason: bug.reason },
    };
  }
  return {
    bugId: String(bug.id),
    summary: bug.summary,
    status: bug.status,
    severity: bug.severity || null,
    priority: bug.priority || null,
    component: bug.components,
    // Empty means "no target" ("---" is already removed by the connector).
    targetRelease: bug.targetRelease,
    assignee: bug.assignee || null,
    qaContact: bug.qaContact ?? null,
    lastChangeTime: bug.lastChangedAt,
    internalWhiteboard: bug.internalWhiteboard || null,
    keywords: bug.keywords,
    unavailable: false,
    unavailableReason: null,
    raw: bug.raw,
  };
}
