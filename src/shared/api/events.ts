import { z } from 'zod';
import { int, str, strings } from './common.js';

// The change feed as Server-Sent Events: what a `change` event carries, and the stream's filter.

export const changeEventSchema = z.strictObject({
  entity: str,
  /** null: too many keys to list. */
  keys: strings.nullable(),
  count: int,
  at: str,
});

export const eventsQuery = z.strictObject({
  entities: z
    .string()
    .max(500)
    .regex(/^[a-z_]+(,[a-z_]+)*$/)
    .describe('Comma-separated entities.')
    .optional(),
});
