import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import {
  legacyBugsSchema,
  legacyCardsSchema,
  legacyCasesSchema,
  legacyDetailsSchema,
  legacyEndpointsSchema,
  legacyEscalationsSchema,
  legacyIssuesSchema,
  legacyStatsSchema,
} from '../shared/api/legacy.js';
import {
  bugsOf,
  type CaseKey,
  escalationLinksOf,
  issuesOf,
  jiraCommentsOf,
  legacyCardBatch,
  legacyCaseBatch,
  legacyDetailBatch,
  linkedCaseBatch,
  openEscalationCaseNumbers,
} from '../store/queries/legacy.js';
import { STATS_ENTITIES } from '../store/repositories/stats.js';
import { CachedBodies, type CachedBodiesOptions, registerResponseCache } from './cached-response.js';
import { responseSchema } from './json-schema.js';
import {
  legacyBug,
  legacyCard,
  legacyCase,
  legacyDetail,
  legacyIssue,
  legacyStats,
} from './legacy-shapes.js';
import { presentContext, type ViewDeps } from './views/deps.js';
import { liveStats } from './views/stats.js';
import './roles.js';

// The original dashboard's read API, same paths and JSON shapes, for the scripts
// that use it (bin/cases_to_close.py reads /api/cases and /api/cards). Like the original's
// precomputed blobs, each answer is serialised once per change of the tables it reads and then
// served from the response cache (with an ETag, compressed when the client accepts it). Once asked
// for, a big map is rebuilt in the background when its tables change (cached-response.ts,
// CachedBodies); a cold one is built as a stream, one keyset batch at a time, and sent while it is
// built.
// Cards whose case is not stored are left out, as the original dropped them.

const BATCH = 500;

async function* keyset<T>(fetch: (after: string | null) => Promise<T[]>, keyOf: (row: T) => string) {
  let after: string | null = null;
  for (;;) {
    const rows = await fetch(after);
    if (rows.length) yield rows;
    if (rows.length < BATCH) return;
    after = keyOf(rows[rows.length - 1]!);
  }
}

/** `{"k":v,…}` from batches of entries, written as it goes. */
async function* jsonObject(batches: AsyncIterable<[string, unknown][]>) {
  // The opening brace goes out with the first batch, so the first chunk exists only once the
  // database has answered: a streamed answer whose first read fails is still an error status.
  let open = '{';
  let first = true;
  for await (const entries of batches) {
    let chunk = open;
    open = '';
    for (const [key, value] of entries) {
      chunk += `${first ? '' : ','}${JSON.stringify(key)}:${JSON.stringify(value)}`;
      first = false;
    }
    if (chunk) yield chunk;
  }
  yield `${open}}`;
}

/** The tables (change-feed entities) each answer is built from: a write elsewhere keeps its body. */
export const LEGACY_ENTITIES = {
  cards: [
    'card',
    'case',
    'case_detail',
    'jira_comment',
    'escalation',
    'case_bug',
    'bug',
    'case_issue',
    'issue',
  ],
  cases: ['case'],
  details: ['case_detail'],
  bugs: ['case_bug', 'bug'],
  issues: ['case_issue', 'issue'],
  escalations: ['escalation'],
  stats: STATS_ENTITIES,
} as const satisfies Record<string, readonly string[]>;

const groupBy = <T>(rows: readonly T[], key: (r: T) => string) => {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
};

// The shapes' schemas document the big maps, which are streamed; the stats are serialised with theirs.

const route = (summary: string, response: z.ZodType, cache?: readonly string[]) => ({
  config: { role: 'viewer' as const, cache },
  schema: { tags: ['legacy'], summary, response: { 200: responseSchema(response) } },
});

const ENDPOINTS = ['cards', 'cases', 'bugs', 'details', 'escalations', 'issues', 'stats'];

export async function legacyRoutes(app: FastifyInstance, deps: ViewDeps & { bodies?: CachedBodiesOptions }) {
  const db = deps.store.db;
  const escalationProject = deps.config.jira.escalations?.project;
  const store = deps.store;
  registerResponseCache(app, store);
  const bodies = new CachedBodies(store, app.log, deps.bodies);
  app.addHook('onClose', async () => {
    bodies.close();
    await bodies.idle();
  });

  app.get('/api/', route('The endpoints of the original API', legacyEndpointsSchema), async (req) => {
    const base = `${req.protocol}://${req.host}/api`;
    return { endpoints: ENDPOINTS.map((e) => `${base}/${e}`) };
  });

  app.get(
    '/api/cards',
    route('{KEY: card}: every card, enriched as the original', legacyCardsSchema),
    (req, reply) => {
      async function* entries() {
        const now = presentContext(deps).now;
        for await (const cards of keyset(
          (after) => legacyCardBatch(db, after, BATCH),
          (c) => c.jiraKey,
        )) {
          const withCase = cards.filter((c) => c.caseNumber && c.caseCreatedDate);
          const refs: CaseKey[] = withCase.map((c) => ({
            caseNumber: c.caseNumber!,
            createdDate: c.caseCreatedDate!,
          }));
          const [comments, bugs, issues, links] = await Promise.all([
            jiraCommentsOf(
              db,
              withCase.map((c) => c.jiraKey),
            ),
            bugsOf(db, refs),
            issuesOf(db, refs),
            escalationLinksOf(db, refs, escalationProject),
          ]);
          const commentsBy = groupBy(comments, (m) => m.jiraKey);
          const bugsBy = groupBy(bugs, (b) => b.caseNumber);
          const issuesBy = groupBy(issues, (i) => i.caseNumber);
          yield withCase.map((c): [string, unknown] => [
            c.jiraKey,
            legacyCard(
              c,
              {
                comments: commentsBy.get(c.jiraKey) ?? [],
                bugs: (bugsBy.get(c.caseNumber!) ?? []).map((b) => legacyBug(b, deps.config.bugzilla.url)),
                issues: (issuesBy.get(c.caseNumber!) ?? []).map(legacyIssue),
                escalatedLink: links.get(c.caseNumber!) ?? null,
              },
              now,
            ),
          ]);
        }
      }
      return bodies.send(req, reply, {
        entities: LEGACY_ENTITIES.cards,
        key: 'legacy:cards',
        chunks: () => jsonObject(entries()),
      });
    },
  );

  app.get(
    '/api/cases',
    route('{case#: case}: every stored case, closed ones included', legacyCasesSchema),
    (req, reply) => {
      async function* entries() {
        for await (const cases of keyset(
          (after) => legacyCaseBatch(db, after, BATCH),
          (c) => c.caseNumber,
        ))
          yield cases.map((c): [string, unknown] => [c.caseNumber, legacyCase(c)]);
      }
      return bodies.send(req, reply, {
        entities: LEGACY_ENTITIES.cases,
        key: 'legacy:cases',
        timeless: true,
        chunks: () => jsonObject(entries()),
      });
    },
  );

  app.get('/api/details', route('{case#: detail}', legacyDetailsSchema), (req, reply) => {
    async function* entries() {
      for await (const rows of keyset(
        (after) => legacyDetailBatch(db, after, BATCH),
        (d) => d.caseNumber,
      ))
        yield rows.map((d): [string, unknown] => [d.caseNumber, legacyDetail(d)]);
    }
    return bodies.send(req, reply, {
      entities: LEGACY_ENTITIES.details,
      key: 'legacy:details',
      timeless: true,
      chunks: () => jsonObject(entries()),
    });
  });

  app.get(
    '/api/bugs',
    route('{case#: [bug]}: cases with linked Bugzilla bugs', legacyBugsSchema),
    (req, reply) => {
      async function* entries() {
        for await (const refs of keyset(
          (after) => linkedCaseBatch(db, 'case_bugs', after, BATCH),
          (c) => c.caseNumber,
        )) {
          const bugs = groupBy(await bugsOf(db, refs), (b) => b.caseNumber);
          yield [...bugs].map(([n, list]): [string, unknown] => [
            n,
            list.map((b) => legacyBug(b, deps.config.bugzilla.url)),
          ]);
        }
      }
      return bodies.send(req, reply, {
        entities: LEGACY_ENTITIES.bugs,
        key: 'legacy:bugs',
        timeless: true,
        chunks: () => jsonObject(entries()),
      });
    },
  );

  app.get(
    '/api/issues',
    route('{case#: [issue]}: cases with linked JIRA issues', legacyIssuesSchema),
    (req, reply) => {
      async function* entries() {
        for await (const refs of keyset(
          (after) => linkedCaseBatch(db, 'case_issues', after, BATCH),
          (c) => c.caseNumber,
        )) {
          const issues = groupBy(await issuesOf(db, refs), (i) => i.caseNumber);
          yield [...issues].map(([n, list]): [string, unknown] => [n, list.map(legacyIssue)]);
        }
      }
      return bodies.send(req, reply, {
        entities: LEGACY_ENTITIES.issues,
        key: 'legacy:issues',
        timeless: true,
        chunks: () => jsonObject(entries()),
      });
    },
  );

  app.get(
    '/api/escalations',
    route(
      '[case#]: the cases named by open escalations',
      legacyEscalationsSchema,
      LEGACY_ENTITIES.escalations,
    ),
    async () => openEscalationCaseNumbers(db),
  );

  app.get('/api/stats', route('The live stats object', legacyStatsSchema, LEGACY_ENTITIES.stats), async () =>
    legacyStats(await liveStats(deps, {})),
  );
}
