import { z } from 'zod';
import { defineOperation, PUBLIC } from '../operation';

export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.enum(['ok', 'unreachable']),
  version: z.string(),
  uptimeSeconds: z.number(),
  /** engine: background job counts (graphile-worker's queue); null when the queue cannot be read. */
  details: z
    .object({ jobs: z.object({ waiting: z.number(), running: z.number(), retrying: z.number(), failed: z.number() }).nullable() })
    .optional(),
});

export const getHealth = defineOperation({
  operationId: 'getHealth',
  method: 'GET',
  path: '/api/health',
  summary: 'Liveness and database check (503 when the database is unreachable)',
  tag: 'System',
  access: PUBLIC,
  response: healthSchema,
});

export const getOpenApiDocument = defineOperation({
  operationId: 'getOpenApiDocument',
  method: 'GET',
  path: '/api/v1/openapi.json',
  summary: 'This OpenAPI 3.1 document',
  tag: 'System',
  access: PUBLIC,
  response: z.record(z.string(), z.unknown()),
});
