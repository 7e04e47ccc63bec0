import type { FastifyReply } from 'fastify';
import { errorSchema } from '../shared/api/common.js';
import { responseSchema } from './json-schema.js';

// The error answers every route shares: `{ message }`, as the app's error handler sends them too.

export const errorResponse = responseSchema(errorSchema);

/** 404 `{ message: "no <what>" }`. */
export const notFound = (reply: FastifyReply, what: string) =>
  reply.code(404).send({ message: `no ${what}` });
