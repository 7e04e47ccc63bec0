import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { quarantineGroupsQuery, quarantineGroupsSchema } from '../../shared/api/quarantine.js';
import { listQuarantineGroups } from '../../store/repositories/quarantine.js';
import type { Store } from '../../store/store.js';
import { requestSchema, responseSchema } from '../json-schema.js';
import '../roles.js';

// GET /api/v1/quarantine/groups   rejected records by source and kind of reason, with counts; a
//                                 group's rows are /api/v1/quarantine?source=…&reason=… (runs.ts).
// No payloads here, so viewers see the same answer as admins.

export async function quarantineRoutes(app: FastifyInstance, opts: { store: Store }) {
  app.get<{ Querystring: z.output<typeof quarantineGroupsQuery> }>(
    '/api/v1/quarantine/groups',
    {
      config: { role: 'viewer' },
      schema: {
        querystring: requestSchema(quarantineGroupsQuery),
        response: { 200: responseSchema(quarantineGroupsSchema) },
      },
    },
    async (req) => listQuarantineGroups(opts.store.db, req.query),
  );
}
