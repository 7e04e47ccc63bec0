import { loadConfig } from '../../config/config.js';
import { createLogger } from '../../lib/logger.js';
import { createUpstreams, type PortalClient } from '../../sources/index.js';

// `t5g watchers list|add|remove <case> [sso]` (the original's bin/watcher_case.py): the Portal's
// notified users of a case. Add and remove go through the READ_ONLY guard like every other write,
// so with READ_ONLY on they print what would have been done.

const USAGE = 'Usage: t5g watchers list <case> | add <case> <sso> | remove <case> <sso>';

export async function watchers(portal: PortalClient, args: readonly string[]): Promise<string> {
  const [action, caseNumber, sso] = args;
  if (!caseNumber || !/^\d{8}$/.test(caseNumber)) throw new Error(USAGE);
  if (action === 'list') {
    const users = await portal.listNotifiedUsers(caseNumber);
    return users.length
      ? users.map((u) => `${u.ssoUsername}${u.title ? `  (${u.title})` : ''}`).join('\n')
      : `No notified users on case ${caseNumber}.`;
  }
  if (!sso || (action !== 'add' && action !== 'remove')) throw new Error(USAGE);
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
  const config = loadConfig();
  const logger = createLogger(config.server.logLevel).child({ component: 'watchers' });
  const up = createUpstreams(config, { logger });
  try {
    console.log(await watchers(up.portal, args));
  } finally {
    up.close();
  }
}
