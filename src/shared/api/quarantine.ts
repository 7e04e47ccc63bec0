import { z } from 'zod';
import { dateTime, int, str, type Wire } from './common.js';

// Quarantined records grouped by source and kind of reason (record-specific parts of the reason,
// such as case numbers and JIRA keys, read `#`), with counts; a group's rows are
// /api/v1/quarantine?source=…&reason=….

export const quarantineGroupSchema = z.strictObject({
  source: str,
  reason: str,
  count: int,
  lastSeen: dateTime,
  example: str,
});
export const quarantineGroupsSchema = z.strictObject({
  groups: z.array(quarantineGroupSchema),
  /** Records in all groups. */
  total: int,
});
export const quarantineGroupsQuery = z.strictObject({
  includeResolved: z.boolean().default(false),
});

export type QuarantineGroup = Wire<typeof quarantineGroupSchema>;
export type QuarantineGroups = Wire<typeof quarantineGroupsSchema>;
