/**
 * Slack Web API under /slack/api/ (chat.postMessage, auth.test) plus incoming webhooks under
 * /slack/services/…. Like real Slack, Web API errors are HTTP 200 with `{ok:false, error}`.
 */
import { SIM_DEFAULTS } from './constants.js';
import {
  bearerToken,
  bodyParams,
  type HandlerContext,
  isRecord,
  json,
  parseJsonBody,
  RouteTable,
  type SimRequest,
  type SimResponse,
} from './http.js';

export const SLACK_PREFIX = '/slack';

/** Channels that exist in the simulated workspace (name → id). */
export const SLACK_CHANNELS: Readonly<Record<string, string>> = {
  [SIM_DEFAULTS.slack.highSeverityChannel]: 'C05T5GHIGH',
  [SIM_DEFAULTS.slack.lowSeverityChannel]: 'C05T5GLOW0',
  [SIM_DEFAULTS.slack.alertsChannel]: 'C05T5GALRT',
  general: 'C01GENERAL',
};

const BOT = { user: 'U05SIMBOT1', botId: 'B05SIMBOT1' };

function resolveChannel(ref: string): { id: string; name: string } | undefined {
  const name = ref.replace(/^#/, '');
  const byName = SLACK_CHANNELS[name];
  if (byName) return { id: byName, name };
  const entry = Object.entries(SLACK_CHANNELS).find(([, id]) => id === ref);
  return entry ? { id: entry[1], name: entry[0] } : undefined;
}

const slackError = (error: string): SimResponse => json(200, { ok: false, error });

/** Merged query + body params; the token may come from the header or a `token` param. */
function params(req: SimRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of req.query) out[k] = v;
  return { ...out, ...bodyParams(req) };
}

function checkToken(
  req: SimRequest,
  ctx: HandlerContext,
  p: Record<string, unknown>,
): SimResponse | undefined {
  const token = bearerToken(req) ?? (typeof p.token === 'string' ? p.token : undefined);
  if (!token) return slackError('not_authed');
  const expected = ctx.options.credentials.slackToken;
  if (ctx.options.strictAuth && token !== expected) return slackError('invalid_auth');
  return undefined;
}

/** WebClient sends blocks/attachments as JSON strings inside a form body. */
function structured(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

let tsSequence = 0;

export function slackRoutes(): RouteTable {
  const routes = new RouteTable('slack', SLACK_PREFIX);

  const postMessage = (req: SimRequest, ctx: HandlerContext): SimResponse => {
    const p = params(req);
    const denied = checkToken(req, ctx, p);
    if (denied) return denied;
    const channel = resolveChannel(typeof p.channel === 'string' ? p.channel : '');
    if (!channel) return slackError('channel_not_found');
    const text = typeof p.text === 'string' ? p.text : '';
    const blocks = structured(p.blocks);
    const attachments = structured(p.attachments);
    if (text === '' && !Array.isArray(blocks) && !Array.isArray(attachments)) return slackError('no_text');
    const now = ctx.state.now();
    tsSequence++;
    const ts = `${Math.floor(now / 1000)}.${String(tsSequence % 1_000_000).padStart(6, '0')}`;
    const threadTs = typeof p.thread_ts === 'string' && p.thread_ts !== '' ? p.thread_ts : undefined;
    ctx.state.slackMessages.push({
      channel: channel.id,
      channelName: channel.name,
      ts,
      ...(threadTs ? { threadTs } : {}),
      text,
      ...(blocks !== undefined ? { blocks } : {}),
      via: 'web-api',
      postedAt: new Date(now).toISOString(),
    });
    const message: Record<string, unknown> = { type: 'message', text, user: BOT.user, bot_id: BOT.botId, ts };
    if (threadTs) message.thread_ts = threadTs;
    if (Array.isArray(blocks)) message.blocks = blocks;
    return { status: 200, json: { ok: true, channel: channel.id, ts, message }, write: true };
  };

  for (const method of ['GET', 'POST'] as const) {
    routes.add(method, '/api/chat.postMessage', postMessage);
    routes.add(method, '/api/auth.test', (req, ctx) => {
      const denied = checkToken(req, ctx, params(req));
      if (denied) return denied;
      return json(200, {
        ok: true,
        url: 'https://t5g-sim.slack.com/',
        team: 'T5G Simulated Workspace',
        user: 't5g-dashboard',
        team_id: 'T05SIMTEAM',
        user_id: BOT.user,
        bot_id: BOT.botId,
        is_enterprise_install: false,
      });
    });
  }

  // Incoming webhooks answer plain text: "ok" or an error word.
  routes.add('POST', '/services/:team/:bot/:secret', (req, ctx) => {
    const body = parseJsonBody(req);
    const plain = (status: number, text: string): SimResponse => ({
      status,
      text,
      contentType: 'text/plain',
    });
    if (!isRecord(body)) return plain(400, 'invalid_payload');
    const text = typeof body.text === 'string' ? body.text : '';
    if (text === '' && !Array.isArray(body.blocks) && !Array.isArray(body.attachments)) {
      return plain(400, 'missing_text_or_fallback_or_attachments');
    }
    const now = ctx.state.now();
    tsSequence++;
    ctx.state.slackMessages.push({
      channel: `webhook:${req.params.bot ?? ''}`,
      channelName: 'webhook',
      ts: `${Math.floor(now / 1000)}.${String(tsSequence % 1_000_000).padStart(6, '0')}`,
      text,
      ...(body.blocks !== undefined ? { blocks: body.blocks } : {}),
      via: 'webhook',
      postedAt: new Date(now).toISOString(),
    });
    return { ...plain(200, 'ok'), write: true };
  });

  return routes;
}
