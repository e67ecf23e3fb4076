// OpenAPI 3.1 document generated from the same operation declarations and zod schemas the
// handlers use, so documentation and behaviour cannot drift apart.
import { z } from 'zod';
import type { Operation } from './operation';

type JsonSchema = Record<string, unknown>;

function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete out.$schema;
  return out;
}

function parametersOf(schema: z.ZodType | undefined, location: 'path' | 'query') {
  if (!schema) return [];
  const json = toSchema(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, propertySchema]) => ({
    name,
    in: location,
    required: location === 'path' ? true : required.has(name),
    ...(propertySchema.description ? { description: propertySchema.description } : {}),
    schema: propertySchema,
  }));
}

const problemSchema: JsonSchema = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

export function buildOpenApiDocument(operations: readonly Operation[], serverUrl = '/') {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const responses: Record<string, unknown> = {
      [String(op.successStatus ?? 200)]:
        op.successStatus === 204
          ? { description: 'Done' }
          : { description: 'Success', content: { 'application/json': { schema: toSchema(op.response, 'output') } } },
      '400': problem('Invalid input; `errors` lists each offending field'),
    };
    if (op.access.kind !== 'public') {
      responses['401'] = problem('Not signed in, or the API token is unknown, revoked or expired');
      responses['403'] = problem('Signed in, but the role, token scope or project membership does not allow this');
    }
    if (op.params) responses['404'] = problem('Not found');
    responses['500'] = problem('Unexpected server error');
    paths[op.path] ??= {};
    paths[op.path]![op.method.toLowerCase()] = {
      operationId: op.operationId,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      tags: [op.tag],
      ...(op.access.kind === 'public' ? { security: [] } : {}),
      parameters: [...parametersOf(op.params, 'path'), ...parametersOf(op.query, 'query')],
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: {
                // Uploads (bodyType 'multipart') carry their fields and files as multipart/form-data.
                [op.bodyType === 'multipart' ? 'multipart/form-data' : 'application/json']: {
                  schema: toSchema(op.body, 'input'),
                  ...(op.exampleBody !== undefined ? { example: op.exampleBody } : {}),
                },
              },
            },
          }
        : {}),
      responses,
      ...(op.access.kind === 'capability' ? { 'x-skyport-capability': op.access.capability } : {}),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Skyport API',
      version: '1.0.0',
      description:
        'Self-service cloud broker. Authenticate with a personal API token (`Authorization: Bearer skp_…`) or the browser session. Errors are RFC 9457 problem+json.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearerAuth: [] }, { sessionCookie: [] }],
    paths,
    components: {
      schemas: { Problem: problemSchema },
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'Personal API token (Profile → API tokens)' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'next-auth.session-token' },
      },
    },
  };
}
