import { z } from 'zod';
import type { Config } from '../config/config.js';
import { resolveDeps } from './deps.js';
import { UpstreamContractError, UpstreamError } from './errors.js';
import { createHttpClient } from './http.js';
import { createWriteGuard, type WriteOutcome } from './read-only.js';
import { mapWithConcurrency } from './semaphore.js';
import type { Rejection, SourceDeps } from './types.js';
import { flexList, formatIssues, optional, parseEach, timestamp, UNKNOWN_ID } from './validation.js';

// Bugzilla REST (Red Hat's 5.0.4.rhNN). Bugs are read in batches with `GET /rest/bug?id=a,b,…`; Red Hat silently
// leaves out bugs the key may not see (private) and ids that do not exist, so every requested id that is missing
// from the answer becomes an "unavailable" record instead of failing the job (the original did the same per bug).

/** A bug the API key can read. */
export interface Bug {
  unavailable: false;
  id: number;
  summary: string;
  status: string;
  resolution: string;
  severity: string;
  priority: string;
  product: string;
  components: string[];
  versions: string[];
  /** Target releases, `"---"` (unset) removed: empty means "no target". */
  targetRelease: string[];
  assignee: string;
  qaContact?: string;
  createdAt?: Date;
  lastChangedAt: Date;
  keywords: string[];
  whiteboard: string;
  internalWhiteboard: string;
  isOpen?: boolean;
  /** Support case numbers from SFDC external-bug links. */
  externalCaseNumbers: string[];
  raw: unknown;
}

/** A requested bug that Bugzilla did not return (restricted/private or unknown id). */
export interface UnavailableBug {
  unavailable: true;
  id: number;
  reason: string;
}

export type BugRecord = Bug | UnavailableBug;

export interface BugBatch {
  items: BugRecord[];
  rejected: Rejection[];
}

export interface BugUpdate {
  whiteboard?: string;
  internalWhiteboard?: string;
  keywords?: { add?: string[]; remove?: string[] };
}

export interface BugzillaClient {
  /** Bugs by id, `bugzilla.batchSize` ids per request; each requested id comes back as a bug or unavailable. */
  getBugs(ids: readonly (number | string)[], signal?: AbortSignal): Promise<BugBatch>;
  /**
   * Of `ids`, the bugs Bugzilla reports changed at or after `since` (minus a small overlap for clock skew):
   * `GET /rest/bug?id=…&last_change_time=…`, `bugzilla.batchSize` ids per request. A requested bug missing
   * from the answer is unchanged or unreadable, so only bugs that came back are listed (no unavailable rows).
   */
  getBugsChangedSince(
    ids: readonly (number | string)[],
    since: Date,
    signal?: AbortSignal,
  ): Promise<BugBatch>;
  /** `PUT /rest/bug/{id}`; marked as a minor update so watchers get no mail for tagging. */
  updateBug(id: number, update: BugUpdate): Promise<WriteOutcome<void>>;
  updateInternalWhiteboard(id: number, value: string): Promise<WriteOutcome<void>>;
  addKeywords(id: number, keywords: string[]): Promise<WriteOutcome<void>>;
}

const INCLUDE_FIELDS = [
  'id',
  'summary',
  'status',
  'resolution',
  'severity',
  'priority',
  'product',
  'component',
  'version',
  'target_release',
  'assigned_to',
  'qa_contact',
  'creation_time',
  'last_change_time',
  'keywords',
  'whiteboard',
  'cf_internal_whiteboard',
  'is_open',
  'external_bugs',
];

/** Concurrent batch requests; no published Bugzilla rate limit exists, so stay modest. */
const BUGZILLA_CONCURRENCY = 2;
const UNSET = '---';
/** Re-read this much before a `last_change_time` cursor: our clock and Bugzilla's may differ a little. */
export const BUGZILLA_CHANGE_OVERLAP_MS = 2 * 60_000;

const externalBug = z.looseObject({
  type: optional(z.looseObject({ type: optional(z.string()) })),
  ext_bz_bug_id: optional(z.union([z.string(), z.number()])),
});

const bugSchema = z
  .looseObject({
    id: z.number().int().positive(),
    summary: optional(z.string()),
    status: z.string(),
    resolution: optional(z.string()),
    severity: optional(z.string()),
    priority: optional(z.string()),
    product: optional(z.string()),
    component: optional(flexList),
    version: optional(flexList),
    target_release: optional(flexList),
    assigned_to: optional(z.string()),
    qa_contact: optional(z.string()),
    creation_time: optional(timestamp),
    last_change_time: timestamp,
    keywords: optional(flexList),
    whiteboard: optional(z.string()),
    cf_internal_whiteboard: optional(z.string()),
    is_open: optional(z.boolean()),
    external_bugs: optional(z.array(externalBug)),
  })
  .transform(
    (b): Omit<Bug, 'raw'> => ({
      unavailable: false,
      id: b.id,
      summary: b.summary ?? '',
      status: b.status,
      resolution: b.resolution ?? '',
      severity: b.severity ?? '',
      priority: b.priority ?? '',
      product: b.product ?? '',
      components: b.component ?? [],
      versions: b.version ?? [],
      targetRelease: (b.target_release ?? []).filter((r) => r.trim() && r.trim() !== UNSET),
      assignee: b.assigned_to ?? '',
      ...(b.qa_contact ? { qaContact: b.qa_contact } : {}),
      ...(b.creation_time ? { createdAt: b.creation_time } : {}),
      lastChangedAt: b.last_change_time,
      keywords: b.keywords ?? [],
      whiteboard: b.whiteboard ?? '',
      internalWhiteboard: b.cf_internal_whiteboard ?? '',
      ...(b.is_open === undefined ? {} : { isOpen: b.is_open }),
      externalCaseNumbers: (b.external_bugs ?? [])
        .filter((e) => e.type?.type === 'SFDC' && e.ext_bz_bug_id !== undefined)
        .map((e) => String(e.ext_bz_bug_id)),
    }),
  );

const bugWithRaw = z.unknown().transform((raw, ctx): Bug => {
  const parsed = bugSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  }
  return { ...parsed.data, raw };
});

const searchResponse = z.object({
  bugs: z.array(z.unknown()).default([]),
  faults: optional(
    z.array(
      z.looseObject({ id: optional(z.union([z.number(), z.string()])), faultString: optional(z.string()) }),
    ),
  ),
});

/** Bugzilla REST client. Authenticates with both headers Red Hat and upstream Bugzilla accept. */
export function createBugzillaClient(
  config: Pick<Config, 'bugzilla' | 'readOnly'>,
  deps: SourceDeps,
): BugzillaClient {
  const { bugzilla } = config;
  const resolved = resolveDeps(deps, 'bugzilla');
  const { logger, metrics } = resolved;
  if (!bugzilla.apiKey) logger.warn('BUGZILLA_API_KEY is not set; only public bugs can be read');
  const http = createHttpClient({
    upstream: 'bugzilla',
    baseUrl: `${bugzilla.url}/rest`,
    concurrency: BUGZILLA_CONCURRENCY,
    // Red Hat ignores api_key query parameters and reads `Authorization: Bearer`; upstream Bugzilla reads the
    // X-BUGZILLA-API-KEY header. Sending both works with either.
    ...(bugzilla.apiKey
      ? {
          auth: {
            headers: async () => ({
              Authorization: `Bearer ${bugzilla.apiKey}`,
              'X-BUGZILLA-API-KEY': bugzilla.apiKey as string,
            }),
          },
        }
      : {}),
    deps: resolved,
  });
  const guard = createWriteGuard({ upstream: 'bugzilla', readOnly: config.readOnly, logger, metrics });

  /**
   * One batch; a batch the server refuses outright (e.g. 401 for a private id) is halved down to single ids.
   * With `changedSince` only bugs changed since then are asked for, and a missing id is simply unchanged.
   */
  async function fetchBatch(ids: number[], signal?: AbortSignal, changedSince?: string): Promise<BugBatch> {
    let body: unknown;
    try {
      const response = await http.get({
        path: '/bug',
        kind: 'search',
        query: {
          id: ids.map(String),
          include_fields: INCLUDE_FIELDS,
          ...(changedSince ? { last_change_time: changedSince } : {}),
        },
        ...(signal ? { signal } : {}),
      });
      body = response.body;
    } catch (err) {
      const refused =
        err instanceof UpstreamError && err.kind === 'http' && [400, 401, 403, 404].includes(err.status ?? 0);
      if (!refused) throw err;
      if (ids.length === 1) {
        // A change search says nothing about a bug it may not read; the full pass records it as unavailable.
        if (changedSince) return { items: [], rejected: [] };
        return {
          items: [{ unavailable: true, id: ids[0] as number, reason: err.detail ?? `HTTP ${err.status}` }],
          rejected: [],
        };
      }
      const half = Math.ceil(ids.length / 2);
      const [left, right] = [
        await fetchBatch(ids.slice(0, half), signal, changedSince),
        await fetchBatch(ids.slice(half), signal, changedSince),
      ];
      return { items: [...left.items, ...right.items], rejected: [...left.rejected, ...right.rejected] };
    }
    const parsed = searchResponse.safeParse(body);
    if (!parsed.success) {
      throw new UpstreamContractError(
        'bugzilla',
        `unexpected bug search response: ${formatIssues(parsed.error)}`,
      );
    }
    const batch = parseEach(parsed.data.bugs, bugWithRaw, 'bugzilla.bug');
    const faults = new Map(
      (parsed.data.faults ?? []).map((f) => [Number(f.id), f.faultString ?? 'fault reported by Bugzilla']),
    );
    const requested = new Set(ids);
    const seen = new Set<number>(batch.items.map((b) => b.id));
    const rejected: Rejection[] = [];
    let unattributed = 0;
    for (const r of batch.rejected) {
      const id = /^\d+$/.test(r.externalId) ? Number(r.externalId) : Number.NaN;
      if (requested.has(id)) {
        seen.add(id);
        rejected.push(r);
      } else if (ids.length === 1) {
        // The answer to a request for one bug is that bug, whatever its id field says.
        const only = ids[0] as number;
        seen.add(only);
        rejected.push({ ...r, externalId: String(only), reason: `${r.reason} (returned for bug ${only})` });
      } else {
        unattributed++;
        rejected.push({ ...r, externalId: UNKNOWN_ID });
      }
    }
    const missing = ids.filter((id) => !seen.has(id));
    if (unattributed > 0 && missing.length > 0) {
      // A malformed record whose id cannot be read is one of the missing ids, but which one is unknown:
      // asking for each missing id alone tells a malformed bug from one Bugzilla really left out.
      const singles: BugBatch[] = [];
      for (const id of missing) singles.push(await fetchBatch([id], signal, changedSince));
      return {
        items: [...batch.items, ...singles.flatMap((b) => b.items)],
        rejected: [...rejected, ...singles.flatMap((b) => b.rejected)],
      };
    }
    if (changedSince) return { items: batch.items, rejected };
    const unavailable: UnavailableBug[] = missing.map((id) => ({
      unavailable: true,
      id,
      reason: faults.get(id) ?? 'not returned by Bugzilla (private/restricted or nonexistent)',
    }));
    return { items: [...batch.items, ...unavailable], rejected };
  }

  async function updateBug(id: number, update: BugUpdate): Promise<WriteOutcome<void>> {
    if (!Number.isInteger(id) || id <= 0) throw new RangeError(`not a bug id: ${id}`);
    const body: Record<string, unknown> = { minor_update: true };
    if (update.whiteboard !== undefined) body.whiteboard = update.whiteboard;
    if (update.internalWhiteboard !== undefined) body.cf_internal_whiteboard = update.internalWhiteboard;
    if (update.keywords) body.keywords = update.keywords;
    return guard.write('updateBug', { id, ...update }, async (permit) => {
      await http.write(permit, { method: 'PUT', path: `/bug/${id}`, json: body });
    });
  }

  async function fetchAll(
    ids: readonly (number | string)[],
    signal: AbortSignal | undefined,
    changedSince?: string,
  ): Promise<BugBatch> {
    const wanted = [...new Set(ids.map((id) => Number(id)))].filter((id) => Number.isInteger(id) && id > 0);
    const batches: number[][] = [];
    for (let i = 0; i < wanted.length; i += bugzilla.batchSize)
      batches.push(wanted.slice(i, i + bugzilla.batchSize));
    const results = await mapWithConcurrency(batches, BUGZILLA_CONCURRENCY, (batch) =>
      fetchBatch(batch, signal, changedSince),
    );
    const result: BugBatch = {
      items: results.flatMap((r) => r.items),
      rejected: results.flatMap((r) => r.rejected),
    };
    for (const r of result.rejected) metrics.rejected({ upstream: 'bugzilla', source: r.source, count: 1 });
    const unavailable = result.items.filter((b) => b.unavailable).length;
    logger.info(
      {
        requested: wanted.length,
        batches: batches.length,
        ...(changedSince ? { changedSince, changed: result.items.length } : { unavailable }),
        rejected: result.rejected.length,
      },
      changedSince ? 'changed bugs fetched' : 'bugs fetched',
    );
    return result;
  }

  return {
    getBugs: (ids, signal) => fetchAll(ids, signal),
    getBugsChangedSince: (ids, since, signal) =>
      // Bugzilla's datetime form: ISO 8601 in UTC, whole seconds.
      fetchAll(
        ids,
        signal,
        new Date(since.getTime() - BUGZILLA_CHANGE_OVERLAP_MS).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ),
    updateBug,
    updateInternalWhiteboard: (id, value) => updateBug(id, { internalWhiteboard: value }),
    addKeywords: (id, keywords) => updateBug(id, { keywords: { add: keywords } }),
  };
}
