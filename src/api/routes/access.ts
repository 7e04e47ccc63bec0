import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Config } from '../../config/config.js';
import {
  apiTokenListSchema,
  apiTokenSchema,
  auditListSchema,
  auditQuery,
  createdApiTokenSchema,
  createTokenBody,
  createTokenForBody,
  tokenParams,
  userListSchema,
} from '../../shared/api/auth.js';
import { roleIncludes, type UserRole } from '../../shared/vocabulary.js';
import {
  appendAudit,
  getUser,
  insertApiToken,
  listApiTokens,
  listAudit,
  listUsers,
  revokeApiToken,
} from '../../store/repositories/auth.js';
import type { Store } from '../../store/store.js';
import { hashApiToken, newApiToken, RATE_LIMITED } from '../auth/auth.js';
import { requestSchema, responseSchema } from '../json-schema.js';
import { errorResponse } from '../replies.js';
import '../roles.js';

// Personal API tokens, the users page and the audit log:
//   GET    /api/v1/tokens              the caller's tokens (never the token itself)
//   POST   /api/v1/tokens              201 { ..., token }: the token, shown this once
//   DELETE /api/v1/tokens/:id          revoke one of the caller's tokens
//   GET    /api/v1/admin/tokens        every user's tokens (admin)
//   POST   /api/v1/admin/tokens        a token for another user (admin), scoped to that user's role at most
//   DELETE /api/v1/admin/tokens/:id    revoke anyone's token (admin)
//   GET    /api/v1/admin/users         users with their groups, role and last login (admin)
//   GET    /api/v1/admin/audit         the audit log, newest first (admin)
// Token management needs a signed-in browser: a token cannot mint or revoke tokens.

type CreateBody = z.output<typeof createTokenBody>;
type CreateForBody = z.output<typeof createTokenForBody>;

export async function accessRoutes(app: FastifyInstance, opts: { store: Store; config: Config }) {
  const { store, config } = opts;
  const db = store.db;
  const tags = ['access'];
  const idParams = requestSchema(tokenParams);

  const noSignIn = (reply: FastifyReply) =>
    reply.code(400).send({ message: 'API tokens need sign-in; AUTH_MODE is none' });

  async function create(
    req: FastifyRequest,
    reply: FastifyReply,
    owner: { id: string; role: UserRole | null },
    body: CreateBody,
  ) {
    if (config.auth.mode === 'none') return noSignIn(reply);
    if (!roleIncludes(owner.role, body.role))
      return reply
        .code(403)
        .send({ message: `a token's role cannot exceed its owner's (${owner.role ?? 'no role'})` });
    const token = newApiToken();
    const row = await insertApiToken(db, {
      userId: owner.id,
      name: body.name,
      role: body.role,
      tokenHash: hashApiToken(token),
      createdBy: req.auth!.user.id,
      expiresInDays: body.expiresInDays,
    });
    await appendAudit(db, {
      actor: req.auth!.user.id,
      action: 'token.create',
      target: row.id,
      ip: req.ip,
      detail: { owner: owner.id, role: row.role, name: row.name, expiresAt: row.expiresAt.toISOString() },
    });
    return reply.code(201).send({ ...row, token });
  }

  async function revoke(req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, own: boolean) {
    const row = await revokeApiToken(db, req.params.id, own ? req.auth!.user.id : undefined);
    if (!row) return reply.code(404).send({ message: 'no such live token' });
    await appendAudit(db, {
      actor: req.auth!.user.id,
      action: 'token.revoke',
      target: row.id,
      ip: req.ip,
      detail: { owner: row.userId },
    });
    return row;
  }

  app.get(
    '/api/v1/tokens',
    {
      config: { role: 'viewer', sessionOnly: true },
      schema: { tags, summary: 'Your API tokens', response: { 200: responseSchema(apiTokenListSchema) } },
    },
    async (req) => ({ items: await listApiTokens(db, req.auth!.user.id) }),
  );

  app.post<{ Body: CreateBody }>(
    '/api/v1/tokens',
    {
      config: { role: 'viewer', sessionOnly: true, rateLimit: RATE_LIMITED },
      schema: {
        tags,
        summary: 'Create an API token for yourself (role up to yours); the token is in this answer only',
        body: requestSchema(createTokenBody),
        response: { 201: responseSchema(createdApiTokenSchema), 400: errorResponse, 403: errorResponse },
      },
    },
    (req, reply) => create(req, reply, req.auth!.user, req.body),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/tokens/:id',
    {
      config: { role: 'viewer', sessionOnly: true, rateLimit: RATE_LIMITED },
      schema: {
        tags,
        summary: 'Revoke one of your API tokens',
        params: idParams,
        response: { 200: responseSchema(apiTokenSchema), 404: errorResponse },
      },
    },
    (req, reply) => revoke(req, reply, true),
  );

  app.get(
    '/api/v1/admin/tokens',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: "Every user's API tokens",
        response: { 200: responseSchema(apiTokenListSchema) },
      },
    },
    async () => ({ items: await listApiTokens(db) }),
  );

  app.post<{ Body: CreateForBody }>(
    '/api/v1/admin/tokens',
    {
      config: { role: 'admin', sessionOnly: true, rateLimit: RATE_LIMITED },
      schema: {
        tags,
        summary: "Create an API token for another user (role up to that user's)",
        body: requestSchema(createTokenForBody),
        response: {
          201: responseSchema(createdApiTokenSchema),
          400: errorResponse,
          403: errorResponse,
          404: errorResponse,
        },
      },
    },
    async (req, reply) => {
      const owner = await getUser(db, req.body.userId);
      if (!owner) return reply.code(404).send({ message: `no user ${req.body.userId}` });
      return create(req, reply, owner, req.body);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/admin/tokens/:id',
    {
      config: { role: 'admin', sessionOnly: true, rateLimit: RATE_LIMITED },
      schema: {
        tags,
        summary: "Revoke anyone's API token",
        params: idParams,
        response: { 200: responseSchema(apiTokenSchema), 404: errorResponse },
      },
    },
    (req, reply) => revoke(req, reply, false),
  );

  app.get(
    '/api/v1/admin/users',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: 'Users, with their groups, role and last login',
        response: { 200: responseSchema(userListSchema) },
      },
    },
    async () => ({ items: await listUsers(db) }),
  );

  app.get<{ Querystring: z.output<typeof auditQuery> }>(
    '/api/v1/admin/audit',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: 'The audit log: logins, denials, refreshes, upstream-writing jobs, token changes',
        querystring: requestSchema(auditQuery),
        response: { 200: responseSchema(auditListSchema) },
      },
    },
    async (req) => ({ items: await listAudit(db, req.query) }),
  );
}
