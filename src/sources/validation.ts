import { z } from 'zod';
import type { Batch, RecordSource, Rejection } from './types.js';

// Boundary validation: every upstream record goes through a zod schema that also normalizes the documented quirks.
// A record that fails becomes a `Rejection` (for the quarantine table); the rest of its batch carries on.

/** Parses each record with `schema`; failures become rejections instead of exceptions. */
export function parseEach<S extends z.ZodType>(
  records: readonly unknown[],
  schema: S,
  source: RecordSource,
): Batch<z.output<S>> {
  const batch: Batch<z.output<S>> = { items: [], rejected: [] };
  for (const record of records) {
    const result = parseOne(record, schema, source);
    if (result.ok) batch.items.push(result.value);
    else batch.rejected.push(result.rejection);
  }
  return batch;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; rejection: Rejection };

export function parseOne<S extends z.ZodType>(
  record: unknown,
  schema: S,
  source: RecordSource,
): ParseResult<z.output<S>> {
  const result = schema.safeParse(record);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    rejection: {
      source,
      externalId: externalIdOf(record),
      reason: formatIssues(result.error),
      payload: record,
    },
  };
}

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(record)'}: ${issue.message}`)
    .join('; ');
}

/** The id of a rejected record whose own id could not be read (or cannot be trusted). */
export const UNKNOWN_ID = '(unknown)';

const ID_KEYS = ['case_number', 'caseNumber', 'key', 'id', 'resourceKey'] as const;

/** Best-effort id of a record that failed validation, so the quarantine row can be found again. */
export function externalIdOf(record: unknown): string {
  if (record && typeof record === 'object') {
    for (const key of ID_KEYS) {
      const value = (record as Record<string, unknown>)[key];
      if (typeof value === 'string' && value.trim()) return value.trim();
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    }
  }
  return UNKNOWN_ID;
}

// ---- Field helpers for the documented quirks ----

/** A string that some upstreams send as a one-element (or longer) list; lists are joined with newlines. */
export const flexText = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v.join('\n') : v));

/** A value documented as a list whose first element is the one that matters, accepted as a plain string too. */
export const firstOfList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? (v[0] ?? '') : v));

/** A list of strings that may also arrive as a single string. */
export const flexList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]));

/** Normalizes JIRA DC's `+0000` offsets (no colon) so every runtime parses them the same way. */
function toIsoOffset(s: string): string {
  return s.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
}

const ISO_LIKE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses an ISO-8601 timestamp (Portal `…Z`, JIRA `….000+0000`, Bugzilla `…Z`); undefined when invalid. */
export function parseTimestamp(value: string): Date | undefined {
  const s = value.trim();
  if (!ISO_LIKE.test(s)) return undefined;
  // A timestamp without an offset is UTC at every upstream we read.
  const withZone = /(Z|[+-]\d{2}:?\d{2})$/.test(s) || s.length === 10 ? s : `${s}Z`;
  const date = new Date(toIsoOffset(withZone.replace(' ', 'T')));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export const timestamp = z.string().transform((v, ctx) => {
  const date = parseTimestamp(v);
  if (!date) {
    ctx.addIssue({ code: 'custom', message: `not an ISO-8601 timestamp: "${v.slice(0, 40)}"` });
    return z.NEVER;
  }
  return date;
});

/**
 * The Portal's `reliefAt` / `resolvedAt`: an ISO string or epoch milliseconds (a number or a string of digits).
 * Epoch values are absolute instants; the original converted them with the server's local timezone, we do not.
 */
export const isoOrEpochMs = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const date =
    typeof v === 'number' || /^\d{10,}$/.test(v.trim()) ? new Date(Number(v)) : parseTimestamp(String(v));
  if (!date || Number.isNaN(date.getTime())) {
    ctx.addIssue({
      code: 'custom',
      message: `not a timestamp or epoch milliseconds: "${String(v).slice(0, 40)}"`,
    });
    return z.NEVER;
  }
  return date;
});

/** Turns `null` into `undefined`, because several upstreams send null where the reference says "absent". */
export const optional = <S extends z.ZodType>(schema: S) =>
  z.preprocess((v) => (v === null ? undefined : v), schema.optional());
