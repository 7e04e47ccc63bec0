/**
 * What each upstream answers when a fault fires: 429s with that service's own headers (Portal:
 * X-RateLimit-Delay; Jira Cloud: Retry-After + X-RateLimit-Reset + RateLimit-Reason; Jira DC:
 * Retry-After and an HTML body), and 5xx bodies in the service's own shape, or a proxy's HTML 502.
 */
import type { Upstream } from './constants.js';
import { html, json, type SimRequest, type SimResponse } from './http.js';
import { jiraFlavorOf } from './jira-auth.js';

const GATEWAY_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n';

const DC_RATE_LIMIT_PAGE =
  '<!doctype html><html lang="en"><head><title>HTTP Status 429 – Too Many Requests</title></head>' +
  '<body><h1>HTTP Status 429 – Too Many Requests</h1><hr class="line" /><p><b>Type</b> Status Report</p>' +
  '<p><b>Message</b> Rate limit exceeded.</p><p><b>Description</b> The user has sent too many requests in a given amount of time ("rate limiting").</p>' +
  '<hr class="line" /><h3>Apache Tomcat</h3></body></html>';

/** Retry-After must be whole seconds; fractional delays only travel in X-RateLimit-Delay. */
const retryAfter = (seconds: number): string => String(Math.ceil(seconds));

export function rateLimitResponse(
  upstream: Upstream,
  req: SimRequest,
  seconds: number,
  now: number,
): SimResponse {
  switch (upstream) {
    case 'portal':
      return json(
        429,
        { message: 'Too Many Requests: rate limit exceeded for this account' },
        { 'X-RateLimit-Limit': '10', 'X-RateLimit-Remaining': '-1', 'X-RateLimit-Delay': String(seconds) },
      );
    case 'jira':
      if (jiraFlavorOf(req) === 'dc') {
        return html(429, DC_RATE_LIMIT_PAGE, {
          'Retry-After': retryAfter(seconds),
          'X-RateLimit-Limit': '100',
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-FillRate': '10',
          'X-RateLimit-Interval-Seconds': '1',
        });
      }
      return json(
        429,
        { errorMessages: ['Rate limit exceeded.'], errors: {} },
        {
          'Retry-After': retryAfter(seconds),
          'X-RateLimit-Reset': new Date(now + seconds * 1000).toISOString(),
          'X-RateLimit-Limit': '350',
          'X-RateLimit-Remaining': '0',
          'RateLimit-Reason': 'jira-burst-based',
        },
      );
    case 'bugzilla':
      return json(
        429,
        {
          error: true,
          code: 32000,
          message: 'Too many requests, slow down.',
          documentation: 'https://bugzilla.redhat.com/docs/',
        },
        { 'Retry-After': retryAfter(seconds) },
      );
    case 'slack':
      return json(429, { ok: false, error: 'ratelimited' }, { 'Retry-After': retryAfter(seconds) });
    default:
      return json(
        429,
        { error: 'too_many_requests', error_description: 'Too many requests' },
        { 'Retry-After': retryAfter(seconds) },
      );
  }
}

export function errorResponse(upstream: Upstream, req: SimRequest, status: 500 | 502 | 503): SimResponse {
  if (status === 502) return html(502, GATEWAY_502);
  switch (upstream) {
    case 'portal':
      return json(status, { message: status === 503 ? 'Service Unavailable' : 'Internal Server Error' });
    case 'jira':
      return json(
        status,
        { errorMessages: ['Internal server error'], errors: {} },
        status === 503 && jiraFlavorOf(req) === 'cloud' ? { 'Retry-After': '1' } : undefined,
      );
    case 'bugzilla':
      return json(status, {
        error: true,
        code: 32610,
        message: 'An unknown error occurred. Please try again later.',
        documentation: 'https://bugzilla.redhat.com/docs/',
      });
    case 'slack':
      return json(status, { ok: false, error: status === 503 ? 'service_unavailable' : 'internal_error' });
    default:
      return json(status, { error: 'server_error', error_description: 'Unexpected server error' });
  }
}
