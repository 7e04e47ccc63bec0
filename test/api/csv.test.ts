import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell } from '../../src/api/csv.js';
import { upsertCases } from '../../src/store/repositories/cases.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeCase } from '../support/fixtures.js';
import { buildTestApp, testConfig } from './support.js';

// The CSV export never hands a spreadsheet a formula: a cell that would start one — also after
// whitespace a spreadsheet skips — is written with a leading quote.

const FORMULAS = [
  '=1+1',
  '+1',
  '-1+1',
  '@SUM(A1)',
  '\t=1',
  '\r=1',
  ' =HYPERLINK("https://evil.example","x")',
  '  +1',
  '\u00a0=1',
  '\u2007=1',
  '\u3000@x',
  '\u200b=1',
  '\ufeff=1',
  '\n=1',
  ' \u00a0\t-1',
  '\uff1dcmd',
];

describe('csvCell', () => {
  it.each(FORMULAS)('quotes %j', (value) => {
    expect(csvCell(value).replace(/^"/, '')).toMatch(/^'/);
  });

  it('leaves other text and real numbers alone', () => {
    expect(csvCell('plain text')).toBe('plain text');
    expect(csvCell('a = b')).toBe('a = b');
    expect(csvCell(' leading space')).toBe(' leading space');
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell('say "hi", then')).toBe('"say ""hi"", then"');
  });
});

describe.each(['pglite', 'postgres'] as const)('CSV export on %s', (backend) => {
  let t: TestStore;
  let app: FastifyInstance;

  beforeAll(async () => {
    t = await openTestStore(backend, 'api_csv');
    const cases = [
      ...FORMULAS.map((summary, i) => makeCase(i + 1, { summary })),
      makeCase(90, { account: 'ООО Телеком Сибирь', summary: '東京 ネットワーク障害' }),
    ];
    await t.store.write(async (tx, ch) => {
      ch.record('case', await upsertCases(tx, cases));
    });
    app = await buildTestApp(t.store, testConfig());
  });

  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('quotes every formula-like summary in the case CSV', async () => {
    for (const url of ['/api/v1/cases?format=csv']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      const body = res.rawPayload.toString('utf8');
      // The stored summary loses a leading BOM on the way in; csvCell covers it above.
      for (const summary of FORMULAS.filter((f) => !f.startsWith('\ufeff'))) {
        const cell = csvCell(summary);
        expect(body, summary).toContain(cell);
        expect(cell.replace(/^"/, '').startsWith("'"), summary).toBe(true);
      }
    }
  });

  it('offers an Excel-friendly CSV: the same file with a UTF-8 byte-order mark first', async () => {
    const bytes = async (url: string) => {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      return res.rawPayload;
    };
    const plain = await bytes('/api/v1/cases?format=csv');
    expect(plain.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
    for (const url of [
      '/api/v1/cases?format=csv&bom=true',
      '/api/v1/cards?format=csv&bom=true',
      '/api/v1/accounts?format=csv&bom=true',
      '/api/v1/engineers?format=csv&bom=true',
    ]) {
      const excel = await bytes(url);
      expect(excel.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), url).toBe(true);
      if (url.startsWith('/api/v1/cases'))
        // After the mark, byte for byte the plain file; the non-Latin names are UTF-8 in both.
        expect(excel.subarray(3).equals(plain), url).toBe(true);
    }
    expect(plain.toString('utf8')).toContain('ООО Телеком Сибирь');
    expect((await app.inject({ url: '/api/v1/cases?format=csv&bom=maybe' })).statusCode).toBe(400);
  });
});
