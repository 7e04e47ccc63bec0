// Bulk-upsert benchmark: the store's write path (unnest upsert + change detection + change log +
// FK check/quarantine for comments) against a raw COPY of the same rows into the same tables, on
// PGlite and PostgreSQL, in one run.
//
//   npm run bench:upsert -- [--cases 100000] [--comments-per-case 10] [--backends pglite,postgres]
//
// PostgreSQL comes from BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); each
// run creates and drops its own database.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { from as copyFrom } from 'pg-copy-streams';
import { silentLogger } from '../src/lib/logger.js';
import type { CaseRecord } from '../src/store/repositories/cases.js';
import { upsertCases } from '../src/store/repositories/cases.js';
import type { CommentRecord } from '../src/store/repositories/comments.js';
import { upsertComments } from '../src/store/repositories/comments.js';
import { openStore, type Store } from '../src/store/store.js';
import { createTestDatabase } from '../test/support/databases.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '100000' },
    'comments-per-case': { type: 'string', default: '10' },
    backends: { type: 'string', default: 'pglite,postgres' },
  },
});
const CASES = Number(values.cases);
const PER_CASE = Number(values['comments-per-case']);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CASE_BATCH = 5_000;
const COMMENT_BATCH = 10_000;

interface Row {
  backend: string;
  step: string;
  rows: number;
  seconds: number;
}
const results: Row[] = [];

function makeData() {
  const cases: CaseRecord[] = [];
  const comments: CommentRecord[] = [];
  const base = Date.UTC(2023, 0, 1);
  for (let i = 0; i < CASES; i++) {
    const caseNumber = String(3_000_0000 + i);
    const createdDate = new Date(base + i * 60_000);
    const sev = ((i % 4) + 1) as 1 | 2 | 3 | 4;
    cases.push({
      caseNumber,
      createdDate,
      owner: `Owner ${i % 50}`,
      severity: sev,
      severityLabel: (['Urgent', 'High', 'Normal', 'Low'] as const)[sev - 1]!,
      account: `Account ${i % 900}`,
      summary: `Case ${i}: cluster upgrade stalls on worker node ${i % 97}`,
      status: i % 3 === 0 ? 'Closed' : i % 3 === 1 ? 'Waiting on Red Hat' : 'Waiting on Customer',
      lastUpdate: new Date(createdDate.getTime() + 86_400_000),
      description: `The customer reports that the upgrade of cluster ${i} stalls. ${'Logs attached. '.repeat(8)}`,
      product: 'OpenShift Container Platform 4.18',
      productVersion: '4.18',
      tags: ['shift_telco5g', `tag${i % 13}`],
      bugNumber: i % 5 === 0 ? String(2_200_000 + i) : null,
      closedDate: i % 3 === 0 ? new Date(createdDate.getTime() + 5 * 86_400_000) : null,
      raw: { case_number: caseNumber, i },
    });
    for (let j = 0; j < PER_CASE; j++) {
      comments.push({
        commentId: `a0a${caseNumber}c${j}`,
        caseNumber,
        caseCreatedDate: createdDate,
        author: j % 2 ? 'Customer Contact' : 'Support Engineer',
        authorType: j % 2 ? 'Customer' : 'Associate',
        body: `Update ${j} on case ${caseNumber}: collected must-gather and sosreport; next steps follow.`,
        isPublic: true,
        commentedAt: new Date(createdDate.getTime() + (j + 1) * 3_600_000),
        lastModifiedAt: null,
      });
    }
  }
  return { cases, comments };
}

async function timed(backend: string, step: string, rows: number, fn: () => Promise<void>) {
  const started = performance.now();
  await fn();
  const seconds = (performance.now() - started) / 1000;
  results.push({ backend, step, rows, seconds });
  console.log(
    `  ${step.padEnd(44)} ${rows.toLocaleString().padStart(10)} rows  ${seconds.toFixed(2).padStart(7)} s  ${Math.round(
      rows / seconds,
    )
      .toLocaleString()
      .padStart(9)} rows/s`,
  );
}

async function upsertAll(
  store: Store,
  cases: CaseRecord[],
  comments: CommentRecord[],
  backend: string,
  label: string,
) {
  await timed(backend, `upsert cases (${label})`, cases.length, async () => {
    for (let i = 0; i < cases.length; i += CASE_BATCH) {
      await store.write(async (tx, ch) =>
        ch.record('case', await upsertCases(tx, cases.slice(i, i + CASE_BATCH))),
      );
    }
  });
  await timed(backend, `upsert comments (${label})`, comments.length, async () => {
    for (let i = 0; i < comments.length; i += COMMENT_BATCH) {
      await store.write(async (tx, ch) =>
        ch.record('comment', await upsertComments(tx, comments.slice(i, i + COMMENT_BATCH))),
      );
    }
  });
}

// ---- raw COPY of the same rows ---------------------------------------------------------------
const csv = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  const s =
    v instanceof Date
      ? v.toISOString()
      : Array.isArray(v)
        ? `{${v.map((x) => `"${x}"`).join(',')}}`
        : typeof v === 'object'
          ? JSON.stringify(v)
          : String(v);
  return `"${s.replaceAll('"', '""')}"`;
};
const CASE_COLS = [
  'case_number',
  'created_date',
  'owner',
  'severity',
  'severity_label',
  'account',
  'summary',
  'status',
  'last_update',
  'description',
  'product',
  'product_version',
  'tags',
  'bug_number',
  'closed_date',
  'raw',
];
const caseCsv = (c: CaseRecord) =>
  [
    c.caseNumber,
    c.createdDate,
    c.owner,
    c.severity,
    c.severityLabel,
    c.account,
    c.summary,
    c.status,
    c.lastUpdate,
    c.description,
    c.product,
    c.productVersion,
    c.tags,
    c.bugNumber,
    c.closedDate,
    c.raw,
  ]
    .map(csv)
    .join(',');
const COMMENT_COLS = [
  'comment_id',
  'case_number',
  'case_created_date',
  'author',
  'author_type',
  'body',
  'is_public',
  'commented_at',
  'last_modified_at',
];
const commentCsv = (c: CommentRecord) =>
  [
    c.commentId,
    c.caseNumber,
    c.caseCreatedDate,
    c.author,
    c.authorType,
    c.body,
    c.isPublic,
    c.commentedAt,
    c.lastModifiedAt,
  ]
    .map(csv)
    .join(',');

function* csvChunks<T>(rows: T[], toLine: (r: T) => string, chunk = 5000) {
  for (let i = 0; i < rows.length; i += chunk)
    yield `${rows
      .slice(i, i + chunk)
      .map(toLine)
      .join('\n')}\n`;
}

async function copyInto(store: Store, table: string, cols: string[], lines: Iterable<string>) {
  const sqlText = `COPY ${table} (${cols.join(', ')}) FROM STDIN WITH (FORMAT csv)`;
  if (store.db.kind === 'postgres') {
    const client = await store.db.pool!.connect();
    try {
      await pipeline(Readable.from(lines), client.query(copyFrom(sqlText)));
    } finally {
      client.release();
    }
  } else {
    const blob = new Blob([...lines]);
    await store.db.pglite!.query(
      `COPY ${table} (${cols.join(', ')}) FROM '/dev/blob' WITH (FORMAT csv)`,
      [],
      { blob },
    );
  }
}

async function runBackend(backend: string, data: ReturnType<typeof makeData>) {
  console.log(`\n${backend}`);
  let dropDb: (() => Promise<void>) | undefined;
  let dataDir: string | undefined;
  const open = async (): Promise<Store> => {
    if (backend === 'postgres') {
      const db = await createTestDatabase('bench_upsert', ADMIN_URL);
      dropDb = db.drop;
      return openStore(storage({ databaseUrl: db.url }), { logger: silentLogger });
    }
    dataDir = mkdtempSync(path.join(tmpdir(), 't5g-bench-'));
    return openStore(storage({ dataDir }), { logger: silentLogger });
  };
  const close = async (store: Store) => {
    await store.close();
    await dropDb?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    dropDb = undefined;
    dataDir = undefined;
  };

  // Raw COPY first, into an empty schema: the floor the upsert path is compared against.
  let store = await open();
  await timed(backend, 'COPY cases (baseline)', data.cases.length, () =>
    copyInto(store, 'cases', CASE_COLS, csvChunks(data.cases, caseCsv)),
  );
  await timed(backend, 'COPY comments (baseline)', data.comments.length, () =>
    copyInto(store, 'comments', COMMENT_COLS, csvChunks(data.comments, commentCsv)),
  );
  await close(store);

  store = await open();
  await upsertAll(store, data.cases, data.comments, backend, 'initial load');
  await upsertAll(store, data.cases, data.comments, backend, 'identical re-sync');
  const changed = data.cases
    .filter((_, i) => i % 100 === 0)
    .map((c) => ({ ...c, status: 'Closed', lastUpdate: new Date() }));
  await timed(backend, 'upsert cases (1% changed, full batch)', data.cases.length, async () => {
    const byKey = new Map(changed.map((c) => [c.caseNumber, c]));
    const all = data.cases.map((c) => byKey.get(c.caseNumber) ?? c);
    for (let i = 0; i < all.length; i += CASE_BATCH) {
      await store.write(async (tx, ch) =>
        ch.record('case', await upsertCases(tx, all.slice(i, i + CASE_BATCH))),
      );
    }
  });
  const log = await store.db.query<{ op: string; n: number }>(
    'SELECT op, count(*)::int AS n FROM change_log GROUP BY op ORDER BY op',
  );
  console.log(`  change_log rows: ${log.rows.map((r) => `${r.op}=${r.n}`).join(', ')}`);
  await close(store);
}

function storage(o: { databaseUrl?: string; dataDir?: string }) {
  return {
    databaseUrl: o.databaseUrl,
    dataDir: o.dataDir ?? 'memory://',
    pgliteSharedBuffersMb: 32,
    pgliteTemplate: true,
    poolSize: 4,
    waitSeconds: 10,
    redisUrl: undefined,
    cacheTtlSeconds: 60,
    cacheMaxEntries: 100,
    responseCacheBytes: 16 * 1024 * 1024,
    redisKeyPrefix: 't5g:',
  };
}

console.log(
  `bulk-upsert benchmark: ${CASES.toLocaleString()} cases, ${(CASES * PER_CASE).toLocaleString()} comments; ` +
    `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString()}`,
);
const data = makeData();
for (const backend of values.backends.split(',')) await runBackend(backend.trim(), data);

console.log('\nsummary (upsert rows/s vs COPY rows/s, same run):');
for (const backend of new Set(results.map((r) => r.backend))) {
  const rate = (step: string) => {
    const r = results.find((x) => x.backend === backend && x.step === step);
    return r ? r.rows / r.seconds : Number.NaN;
  };
  for (const entity of ['cases', 'comments']) {
    const copy = rate(`COPY ${entity} (baseline)`);
    const up = rate(`upsert ${entity} (initial load)`);
    const re = rate(`upsert ${entity} (identical re-sync)`);
    console.log(
      `  ${backend.padEnd(9)} ${entity.padEnd(9)} COPY ${Math.round(copy).toLocaleString().padStart(8)}/s | upsert ${Math.round(up).toLocaleString().padStart(8)}/s (${((up / copy) * 100).toFixed(0)}% of COPY) | re-sync ${Math.round(re).toLocaleString().padStart(8)}/s`,
    );
  }
}
