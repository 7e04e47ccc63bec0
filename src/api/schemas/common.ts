// JSON Schema building blocks shared by the dashboard routes. They validate input, serialise output
// (fast-json-stringify drops anything not listed) and become the OpenAPI document.

export const str = { type: 'string' } as const;
export const nstr = { type: ['string', 'null'] } as const;
export const int = { type: 'integer' } as const;
export const nint = { type: ['integer', 'null'] } as const;
export const num = { type: 'number' } as const;
export const nnum = { type: ['number', 'null'] } as const;
export const bool = { type: 'boolean' } as const;
export const dateTime = { type: 'string', format: 'date-time' } as const;
export const ndateTime = { type: ['string', 'null'], format: 'date-time' } as const;
export const strings = { type: 'array', items: str } as const;

export const errorSchema = {
  type: 'object',
  properties: { message: str },
  required: ['message'],
} as const;

/** An object whose keys are data (account names, case numbers) rather than fields. */
export const mapOf = (value: object) => ({ type: 'object', additionalProperties: value }) as const;

export const obj = (
  properties: Record<string, object>,
  required: readonly string[] = Object.keys(properties),
) => ({ type: 'object', properties, required }) as const;
