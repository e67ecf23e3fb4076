import { beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ProviderError } from '@/providers/errors';
import { createApiToken } from '../auth/api-tokens';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import { ConflictError, NotFoundError } from '../errors';
import { createTestDatabase } from '../testing/db';
import { handle, setHandlerDatabase } from './handler';
import { AUTHENTICATED, defineOperation } from './operation';
import { buildOpenApiDocument } from './openapi';
import { ALL_OPERATIONS } from './operations';

const echo = defineOperation({
  operationId: 'echoThing',
  method: 'POST',
  path: '/api/v1/things/{thingId}',
  summary: 'test',
  tag: 'Test',
  access: AUTHENTICATED,
  params: z.object({ thingId: z.string().min(3) }),
  query: z.object({ verbose: z.enum(['yes', 'no']).default('no') }),
  body: z.object({ name: z.string().min(1, 'Name is required'), size: z.number().int().positive() }),
  response: z.object({ ok: z.boolean() }),
  successStatus: 201,
  exampleBody: { name: 'x', size: 1 },
});

let token = '';
beforeAll(async () => {
  const { db } = await createTestDatabase();
  setHandlerDatabase(() => db);
  const user = await db.user.create({ data: { email: 'api@test.skyport', name: 'Api' } });
  token = (await createApiToken(db, user.id, { name: 't', scopes: ['read', 'write'] }, auditContext(SYSTEM_ACTOR))).token;
});

function post(body: string, { contentType = 'application/json', thingId = 'abc', query = '' } = {}) {
  return new Request(`http://localhost/api/v1/things/${thingId}${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType, 'x-request-id': 'req-42' },
    body,
  });
}
const params = (thingId = 'abc') => ({ params: Promise.resolve({ thingId }) });

describe('handle()', () => {
  it('parses params, query and body and returns the success status', async () => {
    const route = handle(echo, async ({ params: p, query, body }) => ({ ok: p.thingId === 'abc' && query.verbose === 'yes' && body.size === 2 }));
    const response = await route(post('{"name":"a","size":2}', { query: '?verbose=yes' }), params());
    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-id')).toBe('req-42');
    expect(await response.json()).toEqual({ ok: true });
  });

  it('turns user errors into 400 problem+json with field-level messages', async () => {
    const route = handle(echo, async () => ({ ok: true }));
    const invalid = await route(post('{"name":"","size":-1}'), params());
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await invalid.json()) as { errors: { field: string; message: string }[]; requestId: string };
    expect(problem.requestId).toBe('req-42');
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { field: 'body/name', message: 'Name is required' },
        expect.objectContaining({ field: 'body/size' }),
      ]),
    );
    const badJson = await route(post('{"name":'), params());
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { errors: { message: string }[] }).errors[0]!.message).toMatch(/not valid JSON/);
    const wrongType = await route(post('name=a', { contentType: 'application/x-www-form-urlencoded' }), params());
    expect(wrongType.status).toBe(415);
    const badParam = await route(post('{"name":"a","size":1}', { thingId: 'x' }), params('x'));
    expect(((await badParam.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('path/thingId');
    const badQuery = await route(post('{"name":"a","size":1}', { query: '?verbose=maybe' }), params());
    expect(((await badQuery.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('query/verbose');
  });

  it('maps domain and provider errors to their statuses, and hides internal errors', async () => {
    const cases: [unknown, number, string][] = [
      [new NotFoundError('Thing'), 404, 'not-found'],
      [new ConflictError('Already there'), 409, 'conflict'],
      [new ProviderError('throttled', 'Slow down', { providerCode: 'RequestLimitExceeded' }), 503, 'provider-throttled'],
      [new ProviderError('auth_failed', 'Bad key'), 502, 'provider-auth-failed'],
    ];
    for (const [error, status, type] of cases) {
      const response = await handle(echo, async () => Promise.reject(error))(post('{"name":"a","size":1}'), params());
      expect(response.status).toBe(status);
      expect(((await response.json()) as { type: string }).type).toMatch(new RegExp(`${type}$`));
    }
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const internal = await handle(echo, async () => Promise.reject(new Error('db password is hunter2')))(post('{"name":"a","size":1}'), params());
    spy.mockRestore();
    expect(internal.status).toBe(500);
    const text = await internal.text();
    expect(text).not.toContain('hunter2');
    expect(text).toContain('req-42');
  });
});

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 with a stable, unique operationId for every operation', () => {
    const doc = buildOpenApiDocument([...ALL_OPERATIONS, echo]);
    expect(doc.openapi).toBe('3.1.0');
    const ids: string[] = [];
    for (const [pathKey, methods] of Object.entries(doc.paths)) {
      expect(pathKey.startsWith('/api/')).toBe(true);
      for (const operation of Object.values(methods) as { operationId: string; responses: Record<string, unknown> }[]) {
        ids.push(operation.operationId);
        expect(operation.responses['400']).toBeDefined();
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(ALL_OPERATIONS.map((op) => op.operationId)));
    const thing = doc.paths['/api/v1/things/{thingId}']!.post as {
      parameters: { name: string; in: string; required: boolean }[];
      requestBody: { content: { 'application/json': { schema: { required: string[] }; example: unknown } } };
      responses: Record<string, unknown>;
    };
    expect(thing.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'thingId', in: 'path', required: true }),
        expect.objectContaining({ name: 'verbose', in: 'query', required: false }),
      ]),
    );
    expect(thing.requestBody.content['application/json'].schema.required).toEqual(['name', 'size']);
    expect(thing.requestBody.content['application/json'].example).toEqual({ name: 'x', size: 1 });
    expect(Object.keys(thing.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '404']));
  });
});
