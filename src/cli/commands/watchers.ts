import { UsageError } from '../../lib/errors.js';
import type { PortalClient } from '../../sources/index.js';
import { withToolUpstreams } from '../tool-upstreams.js';
import { USAGE } from './watchers-usage.js';

// `t5g watchers list|add|remove <case> [sso]` (the original's bin/watcher_case.py): the Portal's
// notified users of a case. Add and remove go through the READ_ONLY guard like every other write,
// so with READ_ONLY on they print what would have been done.

export async function watchers(portal: PortalClient, args: readonly string[]): Promise<string> {
  const [action, caseNumber, sso] = args;
  if (!caseNumber || !/^\d{8}$/.test(caseNumber)) throw new UsageError(USAGE);
  if (action === 'list') {
    const users = await portal.listNotifiedUsers(caseNumber);
    return users.length
      ? users.map((u) => `${u.ssoUsername}${u.title ? `  (${u.title})` : ''}`).join('\n')
      : `No notified users on case ${caseNumber}.`;
  }
  if (!sso || (action !== 'add' && action !== 'remove')) throw new UsageError(USAGE);
  if (action === 'add') {
    const o = await portal.addNotifiedUser(caseNumber, sso);
    return o.blocked
      ? `READ_ONLY: would add ${sso} to case ${caseNumber}`
      : `Added ${sso} to case ${caseNumber}.`;
  }
  const o = await portal.removeNotifiedUser(caseNumber, sso);
  if (o.blocked) return `READ_ONLY: would remove ${sso} from case ${caseNumber}`;
  return o.value.removed
    ? `Removed ${sso} from case ${caseNumber}.`
    : `${sso} was not notified on case ${caseNumber}.`;
}

export async function watchersCommand(args: string[]): Promise<void> {
  const [action, caseNumber, sso] = args;
  const valid =
    caseNumber !== undefined &&
    /^\d{8}$/.test(caseNumber) &&
    (action === 'list' || ((action === 'add' || action === 'remove') && Boolean(sso)));
  if (!valid) throw new UsageError(USAGE);
  await withToolUpstreams('watchers', async (_config, up) => console.log(await watchers(up.portal, args)));
}
