import { z } from 'zod';

// Building blocks of the API shapes. A date-time is an ISO string on the wire and a Date on the
// server: the schema's input type is what the UI receives, its output type what the server builds.

export const dateTime = z.codec(z.iso.datetime(), z.date(), {
  decode: (text) => new Date(text),
  encode: (date) => date.toISOString(),
});

/** A shape as the UI receives it (dates as ISO strings). */
export type Wire<S extends z.ZodType> = z.input<S>;
/** A shape as the server builds it (dates as Date); the route's serialiser writes it as Wire. */
export type Served<S extends z.ZodType> = z.output<S>;

export const str = z.string();
export const nstr = z.string().nullable();
export const int = z.int();
export const bool = z.boolean();
export const nint = z.int().nullable();
export const strings = z.array(z.string());

/** An object whose keys are data (account names, case numbers) rather than fields. */
export const mapOf = <T extends z.ZodType>(value: T) => z.record(z.string(), value);
export const counts = mapOf(z.int());

/** Every error answer: 400 (validation), 404 (no such thing), 500. */
export const errorSchema = z.strictObject({ message: z.string() });
export type ApiError = Wire<typeof errorSchema>;

// ---- what a client sends ------------------------------------------------------------------------
// Every request parameter is bounded in its schema (length, count, value, range), so the route's
// JSON Schema rejects it with a 400 before any work, and the OpenAPI document states the bounds.

/** Free text from a client: at most `max` characters and no NUL (PostgreSQL text cannot hold one). */
export const clientText = (max: number) =>
  z
    .string()
    .max(max)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the NUL is what it refuses.
    .regex(/^[^\x00]*$/, { message: 'must not contain a NUL character' });

/** A calendar day, YYYY-MM-DD, that exists (no 2026-02-30): `format: date`. */
export const isoDay = z.iso.date();

/** Days of a requested range, from..to inclusive, or a message saying why it is not one. */
export function dayRangeError(
  from: string,
  to: string,
  maxDays: number,
  names: { from: string; to: string } = { from: 'from', to: 'to' },
): string | null {
  const a = Date.parse(from);
  const b = Date.parse(to);
  if (Number.isNaN(a)) return `${names.from} is not a date`;
  if (Number.isNaN(b)) return `${names.to} is not a date`;
  if (a > b) return `${names.from} must not be after ${names.to}`;
  const days = Math.floor((b - a) / 86_400_000) + 1;
  if (days > maxDays) return `the range may span at most ${maxDays} days (asked for ${days})`;
  if (new Date(a).getUTCFullYear() < 1970) return `${names.from} must not be before 1970`;
  return null;
}

export const listOf = <T extends z.ZodType>(item: T) => z.strictObject({ items: z.array(item) });
