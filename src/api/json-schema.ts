import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

// The shared zod schemas as the JSON Schema Fastify wants: ajv validates requests with it,
// fast-json-stringify serialises responses with it (dropping any key it does not list), and
// @fastify/swagger builds the OpenAPI document from it.
//
// zod's output is normalised into the form fast-json-stringify is fast with and the document reads
// well in: a nullable value is one `type: [t, 'null']` (an `anyOf` makes the serialiser try each
// branch per value), and what only adds noise is dropped — `$schema`, the date-time `pattern`
// (`format` says it), the safe-integer bounds zod adds to every integer, `propertyNames` of a
// string-keyed map, and in responses `additionalProperties: false` (the serialiser drops unknown
// keys anyway; the UI's strict parse is where unknown keys fail).

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `anyOf: [X, {type: 'null'}]` → X with `null` added to its type (and to its enum). */
function mergeNullable(node: Json): Json {
  const branches = node.anyOf;
  if (!Array.isArray(branches) || branches.length !== 2) return node;
  const other = branches.find((b: Json) => b.type !== 'null') as Json | undefined;
  const hasNull = branches.some((b: Json) => b.type === 'null' && Object.keys(b).length === 1);
  if (!other || !hasNull || typeof other.type !== 'string') return node;
  const { anyOf: _, ...rest } = node;
  return {
    ...other,
    ...rest,
    type: [other.type, 'null'],
    ...(Array.isArray(other.enum) ? { enum: [...other.enum, null] } : {}),
  };
}

function normalise(value: unknown, response: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => normalise(v, response));
  if (!isObject(value)) return value;
  const node = mergeNullable(value);
  const out: Json = {};
  for (const [key, v] of Object.entries(node)) {
    if (key === '$schema') continue;
    if (key === 'pattern' && node.format === 'date-time') continue;
    if ((key === 'minimum' || key === 'maximum') && Math.abs(v as number) === Number.MAX_SAFE_INTEGER)
      continue;
    if (key === 'propertyNames' && isObject(v) && v.type === 'string' && Object.keys(v).length === 1)
      continue;
    if (key === 'additionalProperties' && v === false && response) continue;
    // Keys of `properties` are field names, not keywords: only their values are schemas.
    out[key] =
      key === 'properties' && isObject(v)
        ? Object.fromEntries(Object.entries(v).map(([k, s]) => [k, normalise(s, response)]))
        : normalise(v, response);
  }
  return out;
}

const convert = (schema: z.ZodType, response: boolean) =>
  normalise(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }), response) as Json;

/** The JSON Schema of a response body. */
export const responseSchema = (schema: z.ZodType) => convert(schema, true);

/** The JSON Schema of a querystring or path (unknown parameters stay an error). */
export const requestSchema = (schema: z.ZodType) => convert(schema, false);

/** A 200 that is JSON, or CSV when asked for (`?format=csv`, `Accept: text/csv`). */
export const csvOrJson = (schema: z.ZodType) => ({
  content: {
    'application/json': { schema: responseSchema(schema) },
    'text/csv': { schema: { type: 'string', description: 'Every matching row as CSV, with a header line.' } },
  },
});

/** A text/event-stream answer, described for the document. */
export const eventStream = (description: string) => ({
  description: `text/event-stream: ${description}`,
  type: 'string',
});

/**
 * ajv coerces a querystring's "1e400" to Infinity and lets it through `type: integer` and its
 * `maximum`; a request whose coerced parameters hold a non-finite number is a 400 here, for every
 * route at once (register on the root instance).
 */
export function rejectNonFiniteNumbers(app: FastifyInstance): void {
  const bad = (v: unknown): boolean =>
    typeof v === 'number'
      ? !Number.isFinite(v)
      : Array.isArray(v)
        ? v.some(bad)
        : isObject(v) && Object.values(v).some(bad);
  app.addHook('preHandler', async (req, reply) => {
    if (bad(req.query) || bad(req.params))
      return reply.code(400).send({ message: 'a number in the request is out of range' });
  });
}
