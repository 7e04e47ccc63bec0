/** Turns any thrown value into an Error, keeping the original as `cause`. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value), { cause: value });
}

export function errorMessage(value: unknown): string {
  return toError(value).message;
}

/** A command used wrongly (missing argument, unreadable input file): its message is the whole story. */
export class UsageError extends Error {
  override name = 'UsageError';
}
