import { z } from 'zod';
import { UpstreamContractError } from '../errors.js';
import type { HttpClient } from '../http.js';
import { formatIssues, optional } from '../validation.js';
import { textToAdf } from './adf.js';

// What differs between JIRA Cloud and JIRA Data Center. Everything else in the client is shared.
//
//              Cloud                                    Data Center
// auth         Basic base64(email:api_token)            Bearer <PAT>
// search       GET /rest/api/3/search/jql               GET /rest/api/2/search
// paging       nextPageToken / isLast, no total         startAt / total
// fields       default is `id` only: always explicit    default *navigable: explicit anyway
// rich text    ADF (v3)                                 wiki markup strings (v2)
// users        accountId                                name

export interface SearchRequest {
  jql: string;
  fields: readonly string[];
  expand?: readonly string[];
  pageSize: number;
  signal?: AbortSignal;
  /**
   * Data Center only (`validateQuery=warn`): a value that names nothing, such as the key of a deleted
   * issue, is reported to `onWarnings` instead of failing the whole search with 400. Cloud's enhanced
   * search has no such parameter and always refuses.
   */
  lenientKeys?: { onWarnings: (messages: string[]) => void };
}

export interface JiraFlavor {
  readonly name: 'cloud' | 'dc';
  /** REST base for issue, comment, transition and remote-link calls. */
  readonly api: '/rest/api/3' | '/rest/api/2';
  authorization(user: string | undefined, token: string): string;
  /** Raw issues of a search, one array per page, until the last page. */
  searchPages(http: HttpClient, request: SearchRequest): AsyncGenerator<unknown[]>;
  /** How an assignee is written on create. */
  userRef(id: string): { accountId: string } | { name: string };
  /** Rich-text value for description and comment bodies. */
  richText(text: string): unknown;
}

const cloudPage = z.object({
  issues: z.array(z.unknown()).default([]),
  nextPageToken: optional(z.string()),
  isLast: optional(z.boolean()),
});

const dcPage = z.object({
  issues: z.array(z.unknown()).default([]),
  startAt: optional(z.number()),
  total: z.number(),
  warningMessages: optional(z.array(z.string())),
});

function parsePage<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new UpstreamContractError('jira', `unexpected search page: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

export const cloudFlavor: JiraFlavor = {
  name: 'cloud',
  api: '/rest/api/3',
  authorization: (user, token) => `Basic ${Buffer.from(`${user ?? ''}:${token}`).toString('base64')}`,
  async *searchPages(http, { jql, fields, expand, pageSize, signal }) {
    let nextPageToken: string | undefined;
    const seenTokens = new Set<string>();
    for (;;) {
      const response = await http.get({
        path: '/rest/api/3/search/jql',
        kind: 'search',
        query: {
          jql,
          fields,
          maxResults: pageSize,
          ...(expand?.length ? { expand } : {}),
          ...(nextPageToken ? { nextPageToken } : {}),
        },
        ...(signal ? { signal } : {}),
      });
      const page = parsePage(cloudPage, response.body);
      yield page.issues;
      if (page.isLast === true || !page.nextPageToken) return;
      if (seenTokens.has(page.nextPageToken)) {
        throw new UpstreamContractError('jira', 'search returned the same nextPageToken twice');
      }
      seenTokens.add(page.nextPageToken);
      nextPageToken = page.nextPageToken;
    }
  },
  userRef: (id) => ({ accountId: id }),
  richText: (text) => textToAdf(text),
};

export const dcFlavor: JiraFlavor = {
  name: 'dc',
  api: '/rest/api/2',
  authorization: (_user, token) => `Bearer ${token}`,
  async *searchPages(http, { jql, fields, expand, pageSize, signal, lenientKeys }) {
    let startAt = 0;
    for (;;) {
      const response = await http.get({
        path: '/rest/api/2/search',
        kind: 'search',
        query: {
          jql,
          fields,
          startAt,
          maxResults: pageSize,
          ...(expand?.length ? { expand } : {}),
          ...(lenientKeys ? { validateQuery: 'warn' } : {}),
        },
        ...(signal ? { signal } : {}),
      });
      const page = parsePage(dcPage, response.body);
      if (lenientKeys && page.warningMessages?.length) lenientKeys.onWarnings(page.warningMessages);
      yield page.issues;
      // The server may cap maxResults below what we asked, so advance by what actually came back.
      startAt += page.issues.length;
      if (page.issues.length === 0 || startAt >= page.total) return;
    }
  },
  userRef: (id) => ({ name: id }),
  richText: (text) => text,
};

export function flavorOf(name: 'cloud' | 'dc'): JiraFlavor {
  return name === 'cloud' ? cloudFlavor : dcFlavor;
}
