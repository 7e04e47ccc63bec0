/**
 * Jira picks its flavor from the credentials, exactly as the real services accept them:
 * `Basic base64(email:api_token)` is Jira Cloud, `Bearer <PAT>` is Jira Data Center.
 */
import type { JiraFlavor } from './constants.js';
import { bearerToken, type HandlerContext, json, type SimRequest, type SimResponse } from './http.js';
import type { SimUser } from './model.js';
import { hashParts } from './rng.js';

export interface JiraCaller {
  flavor: JiraFlavor;
  user: SimUser;
}

export function jiraFlavorOf(req: SimRequest): JiraFlavor | undefined {
  const auth = req.headers.authorization ?? '';
  if (/^Basic\s/i.test(auth)) return 'cloud';
  if (/^Bearer\s/i.test(auth)) return 'dc';
  return undefined;
}

function syntheticUser(login: string, email: string, timeZone: string): SimUser {
  const h = hashParts(['jira-user', login]).toString(16).padStart(8, '0');
  return {
    accountId: `557058:${h}-0000-4000-8000-${h}0000`,
    name: login,
    key: `JIRAUSER${hashParts([login]) % 100000}`,
    displayName: login,
    email,
    active: true,
    timeZone,
  };
}

const unauthorized = (flavor: JiraFlavor | undefined): SimResponse =>
  json(401, {
    errorMessages: [
      flavor === 'dc'
        ? 'You are not authenticated. Authentication required to perform this operation.'
        : 'Client must be authenticated to access this resource.',
    ],
    errors: {},
  });

export function identifyJiraCaller(req: SimRequest, ctx: HandlerContext): JiraCaller | SimResponse {
  const { strictAuth, credentials } = ctx.options;
  const auth = req.headers.authorization ?? '';
  const basic = /^Basic\s+(\S+)$/i.exec(auth.trim());
  if (basic) {
    const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const email = colon > 0 ? decoded.slice(0, colon) : '';
    const token = colon > 0 ? decoded.slice(colon + 1) : '';
    if (email === '' || token === '') return unauthorized('cloud');
    if (strictAuth && (email !== credentials.jiraUser || token !== credentials.jiraToken))
      return unauthorized('cloud');
    const user =
      ctx.state.findUser({ email }) ??
      syntheticUser(email.split('@')[0] ?? email, email, ctx.options.jiraBotTimeZone);
    return { flavor: 'cloud', user };
  }
  const pat = bearerToken(req);
  if (pat !== undefined) {
    if (strictAuth && pat !== credentials.jiraToken) return unauthorized('dc');
    const configured = credentials.jiraUser;
    const user =
      (configured ? ctx.state.findUser({ name: configured, email: configured }) : undefined) ??
      syntheticUser(
        configured ?? 't5g-sync-bot',
        `${configured ?? 't5g-sync-bot'}@example.com`,
        ctx.options.jiraBotTimeZone,
      );
    return { flavor: 'dc', user };
  }
  return unauthorized(undefined);
}

export function isResponse(value: JiraCaller | SimResponse): value is SimResponse {
  return 'status' in value;
}
