import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';

// CSV export of a table view: RFC 4180 quoting, streamed row batch by row batch.

/** `?format=csv` wins; otherwise an Accept header that names text/csv (and not JSON first). */
export function wantsCsv(req: FastifyRequest<{ Querystring: { format?: 'json' | 'csv' } }>): boolean {
  if (req.query.format) return req.query.format === 'csv';
  const accept = req.headers.accept ?? '';
  return accept.includes('text/csv') && !accept.startsWith('application/json');
}

// A cell a spreadsheet would run as a formula gets a leading quote (OWASP "CSV injection"): one that
// starts with =, +, -, @, tab or CR — also after leading whitespace (spaces, no-break and other
// Unicode spaces, line breaks, zero-width characters, a BOM), which spreadsheets skip before
// deciding, and in the full-width forms some of them accept. Numbers are written as they are.
const FORMULA = /^[\s\u200b-\u200d\u2060\u180e\ufeff]*[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let s = value instanceof Date ? value.toISOString() : String(value);
  if (FORMULA.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export const csvLine = (values: readonly unknown[]) => `${values.map(csvCell).join(',')}\r\n`;

export interface CsvColumn<T> {
  header: string;
  value: (row: T) => unknown;
}

/** The byte-order mark Excel needs to read a CSV file as UTF-8 rather than the system code page. */
export const UTF8_BOM = '\ufeff';

/** `?bom=true` (the "CSV for Excel" download): the file starts with the byte-order mark. */
const wantsBom = (req: FastifyRequest) => (req.query as { bom?: boolean } | undefined)?.bom === true;

async function* lines<T>(columns: readonly CsvColumn<T>[], rows: AsyncIterable<readonly T[]>, bom: boolean) {
  yield (bom ? UTF8_BOM : '') + csvLine(columns.map((c) => c.header));
  for await (const batch of rows) {
    let chunk = '';
    for (const row of batch) chunk += csvLine(columns.map((c) => c.value(row)));
    if (chunk) yield chunk;
  }
}

async function* once<T>(rows: readonly T[]) {
  yield rows;
}

/** Streams the header and every batch; the reply never holds more than one batch. */
export function sendCsv<T>(
  reply: FastifyReply,
  filename: string,
  columns: readonly CsvColumn<T>[],
  rows: AsyncIterable<readonly T[]> | readonly T[],
) {
  const batches = Symbol.asyncIterator in rows ? rows : once(rows);
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .send(Readable.from(lines(columns, batches, wantsBom(reply.request))));
}
