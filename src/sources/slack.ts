import {
  type FetchFunction,
  LogLevel,
  type Logger as SlackLogger,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
} from '@slack/web-api';
import type { Config } from '../config/config.js';
import type { Logger } from '../lib/logger.js';
import { HIGH_SEVERITIES, SEVERITIES, type Severity, type SeverityNumber } from '../shared/vocabulary.js';
import { type ResolvedDeps, resolveDeps } from './deps.js';
import { UpstreamConfigError, UpstreamContractError, UpstreamError } from './errors.js';
import { safePath } from './http.js';
import { assertWritePermit, createWriteGuard, type WriteOutcome } from './read-only.js';
import { runWithRetries } from './retry.js';
import type { SourceDeps } from './types.js';

// Slack Web API via @slack/web-api (`chat.postMessage`; incoming webhooks cannot thread replies).
// The WebClient's own retries are switched off: it would repeat a post after a timeout or 5xx and the channel would
// get the message twice. Our retry loop repeats only what is safe for a post: 429 (honouring Retry-After) and a
// refused connection.

/**
 * Text from elsewhere (a case's summary and description, an account name, an upstream error) as
 * Slack shows it literally. Slack reads `<…>` as a mention or link (`<!channel>`,
 * `<https://evil|label>`) and `&` starts an entity; escaping exactly `&`, `<` and `>` is Slack's
 * rule for text that must not be parsed. Every Slack message t5g composes runs what it did not write
 * itself through this, and adds its own markup (a user mention) afterwards.
 */
export const slackText = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** `text` escaped and cut to `limit` characters without splitting an entity, with an ellipsis when cut. */
export function slackTextWithin(text: string, limit: number): string {
  const escaped = slackText(text);
  if (escaped.length <= limit) return escaped;
  const cut = escaped.slice(0, limit).replace(/&[a-z]{0,3}$/, '');
  return `${cut}…`;
}

export interface PostedMessage {
  channel: string;
  ts: string;
}

export interface SlackClient {
  /** False when no SLACK_TOKEN is configured; posting then throws `UpstreamConfigError`. */
  readonly enabled: boolean;
  /** High-severity channel for Urgent/High, low-severity channel otherwise (the original's routing). */
  channelForSeverity(severity: Severity | SeverityNumber): string | undefined;
  /** Posts a message, or a reply in a thread when `threadTs` is given. */
  postMessage(message: {
    channel: string;
    text: string;
    threadTs?: string;
  }): Promise<WriteOutcome<PostedMessage>>;
  /** Posts `text`, then `reply` in its thread (the new-card notification shape). */
  postWithReply(message: {
    channel: string;
    text: string;
    reply: string;
  }): Promise<WriteOutcome<{ message: PostedMessage; reply: PostedMessage }>>;
}

export function createSlackClient(config: Pick<Config, 'slack' | 'readOnly'>, deps: SourceDeps): SlackClient {
  const { slack } = config;
  const resolved = resolveDeps(deps, 'slack');
  const { logger, metrics } = resolved;
  const guard = createWriteGuard({ upstream: 'slack', readOnly: config.readOnly, logger, metrics });
  // Private to this module: only reachable through `send`, which requires a permit from the guard.
  const web = slack.token
    ? new WebClient(slack.token, {
        slackApiUrl: slack.apiUrl,
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        timeout: resolved.policy.timeoutMs,
        fetch: instrumentedFetch(resolved),
        logger: slackLogger(logger),
        logLevel: LogLevel.WARN,
      })
    : undefined;

  async function send(
    client: WebClient,
    message: { channel: string; text: string; threadTs?: string },
  ): Promise<PostedMessage> {
    return runWithRetries(
      {
        upstream: 'slack',
        method: 'POST',
        path: '/chat.postMessage',
        idempotent: false,
        policy: resolved.policy,
        clock: resolved.clock,
        random: resolved.random,
        logger,
        metrics,
      },
      async () => {
        try {
          const result = await client.chat.postMessage({
            channel: message.channel,
            text: message.text,
            unfurl_links: false,
            ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
          });
          if (!result.ts) throw new UpstreamContractError('slack', 'chat.postMessage returned no ts');
          return { channel: result.channel ?? message.channel, ts: result.ts };
        } catch (err) {
          throw toUpstreamError(err);
        }
      },
    );
  }

  function post(action: string, message: { channel: string; text: string; threadTs?: string }) {
    const detail = {
      channel: message.channel,
      threadTs: message.threadTs,
      preview: message.text.slice(0, 80),
    };
    return guard.write(action, detail, async (permit) => {
      assertWritePermit(permit, 'slack');
      if (!web) throw new UpstreamConfigError('slack', 'SLACK_TOKEN is not set');
      return send(web, message);
    });
  }

  return {
    enabled: web !== undefined,
    channelForSeverity(severity) {
      const label = typeof severity === 'number' ? SEVERITIES[severity - 1] : severity;
      const urgent = label !== undefined && HIGH_SEVERITIES.includes(label);
      return urgent ? slack.highSeverityChannel : slack.lowSeverityChannel;
    },
    postMessage: (message) => post(message.threadTs ? 'postReply' : 'postMessage', message),
    async postWithReply({ channel, text, reply }) {
      const first = await post('postMessage', { channel, text });
      if (first.blocked) return first;
      const second = await post('postReply', { channel, text: reply, threadTs: first.value.ts });
      if (second.blocked) return second;
      return { blocked: false, value: { message: first.value, reply: second.value } };
    },
  };
}

function toUpstreamError(err: unknown): unknown {
  const base = { upstream: 'slack' as const, method: 'POST', path: '/chat.postMessage' };
  if (err instanceof WebAPIRateLimitedError) {
    return new UpstreamError({
      ...base,
      kind: 'http',
      status: 429,
      retryAfterMs: err.retryAfter * 1000,
      cause: err,
    });
  }
  if (err instanceof WebAPIHTTPError) {
    return new UpstreamError({
      ...base,
      kind: 'http',
      status: err.statusCode,
      detail: err.statusMessage,
      cause: err,
    });
  }
  if (err instanceof WebAPIRequestError) {
    const code = (err.original as { code?: unknown; cause?: { code?: unknown } }).cause?.code;
    const timedOut = err.original.name === 'TimeoutError' || err.original.name === 'AbortError';
    return new UpstreamError({
      ...base,
      kind: timedOut ? 'timeout' : 'network',
      refused: code === 'ECONNREFUSED',
      detail: typeof code === 'string' ? code : err.original.message,
      cause: err,
    });
  }
  if (err instanceof WebAPIPlatformError) {
    return new UpstreamContractError('slack', `chat.postMessage failed: ${err.data.error}`);
  }
  return err;
}

/** Counts and times every HTTP attempt the WebClient makes. */
function instrumentedFetch(deps: ResolvedDeps): FetchFunction {
  return async (url, init) => {
    const started = performance.now();
    const method = init?.method ?? 'GET';
    try {
      const response = await deps.fetch(url, init as RequestInit);
      const durationMs = Math.round(performance.now() - started);
      deps.metrics.request({ upstream: 'slack', method, outcome: response.status, durationMs });
      deps.logger.debug(
        { method, path: safePath(new URL(String(url))), status: response.status, durationMs },
        'upstream call',
      );
      return response;
    } catch (err) {
      deps.metrics.request({
        upstream: 'slack',
        method,
        outcome: init?.signal?.aborted ? 'timeout' : 'network',
        durationMs: Math.round(performance.now() - started),
      });
      throw err;
    }
  };
}

/** Routes the WebClient's own log lines into pino. */
function slackLogger(logger: Logger): SlackLogger {
  let level = LogLevel.WARN;
  const write =
    (method: 'debug' | 'info' | 'warn' | 'error') =>
    (...msg: unknown[]) =>
      logger[method]({ source: '@slack/web-api' }, msg.map(String).join(' '));
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
