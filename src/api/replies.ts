import type { FastifyReply } from 'fastify';
import { errorSchema } from '../shared/api/common.js';
import { responseSchema } from './json-schema.js';

// The error answers every route shares: `{ message }`, as the app's error handler sends them too.

export const errorResponse = responseSchema(errorSchema);

/** A request whose parameters pass the schema but not together (a date range): the app answers 400. */
export class BadRequestError extends Error {
  readonly statusCode = 400;
}

/** 404 `{ message: "no <what>" }`. */
export const notFound = (reply: FastifyReply, what: string) =>
  reply.code(404).send({ message: `no ${what}` });
