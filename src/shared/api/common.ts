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

export const listOf = <T extends z.ZodType>(item: T) => z.strictObject({ items: z.array(item) });
