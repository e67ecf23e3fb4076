// Fuzzes EVERY operation in ALL_OPERATIONS (including ones added later: it iterates the list) as an
// admin with a Bearer token: NUL characters, huge strings and arrays, wrong types, impossible dates,
// out-of-range integers, malformed percent-encoding and JSON, wrong content types. The contract
// (issue 10): no response ≥ 500, every 4xx is problem+json, and every 400/415 names the field.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { NextRequest } from 'next/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { setHandlerDatabase } from '@/lib/api/handler';
import type { Operation } from '@/lib/api/operation';
import { ALL_OPERATIONS } from '@/lib/api/operations';
import { createApiToken } from '@/lib/auth/api-tokens';
import { auditContext, SYSTEM_ACTOR } from '@/lib/audit/record';
import type { Db } from '@/lib/db/client';
import { createTestDatabase } from '@/lib/testing/db';
import { objectShape } from '@/lib/testing/zod-shape';
import { proxy } from '@/proxy';

process.env.SKYPORT_SECRET_KEY ??= randomBytes(32).toString('base64');

const ROOT = path.resolve(import.meta.dirname, '../..');
type RouteHandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

function routeFile(op: Operation): string {
  const base = path.join(ROOT, 'app', op.path.replace(/\{(\w+)\}/g, '[$1]'));
  const file = ['route.ts', 'route.tsx', 'route.js'].map((name) => path.join(base, name)).find((f) => fs.existsSync(f));
  if (!file) throw new Error(`${op.operationId}: no route file under ${path.relative(ROOT, base)}`);
  return file;
}
async function handlerFor(op: Operation): Promise<RouteHandler> {
  const handler = ((await import(routeFile(op))) as Record<string, RouteHandler | undefined>)[op.method];
  if (!handler) throw new Error(`${op.operationId}: route does not export ${op.method}`);
  return handler;
}

const pathParams = (op: Operation) => [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

// ───────────── generators ─────────────
const HUGE = 'x'.repeat(200_000);
const nastyString = fc.oneof(
  fc.constantFrom('a\u0000b', '\u0000', HUGE, '%ZZ', '%E0%A4%A', '2026-13-45', '0000-00-00', '+275760-09-13T00:00:00Z', '-1', '0', '1e400', 'NaN', 'Infinity',
    '99999999999999999999999', '9223372036854775808', '-9223372036854775809', '2147483648', 'true', 'null', '[]', '{}', '__proto__', "'; DROP TABLE x; --", '\uD800', '\u202E', ' '),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
);
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.constantFrom(Array.from({ length: 20_000 }, (_, i) => `r${i}`), Array.from({ length: 20_000 }, () => 1), [HUGE], ['a\u0000']),
  fc.constantFrom(2 ** 31, 2 ** 53, -(2 ** 53), 1e308, -1e308, -1, 0, 0.5, Number.MAX_SAFE_INTEGER + 2),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom({}, [], { nested: { deep: ['\u0000'] } }, { __proto__: { admin: true } }),
  fc.array(nastyString, { maxLength: 5 }),
);
const contentTypes = fc.constantFrom(
  'application/json', 'application/json', 'application/json', 'application/json; charset=utf-8',
  'text/plain', 'text/plain;charset=json', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=zz', null,
);

interface FuzzCase {
  params: Record<string, string>;
  query: [string, string][];
  body: { kind: 'json'; value: unknown } | { kind: 'raw'; text: string };
  contentType: string | null;
}

function caseFor(op: Operation): fc.Arbitrary<FuzzCase> {
  const names = pathParams(op);
  const queryKeys = [...Object.keys(objectShape(op.query)), 'unknownKey'];
  const bodyKeys = [...new Set([...Object.keys(objectShape(op.body)), ...Object.keys((op.exampleBody ?? {}) as object), 'unknownKey'])];
  const example = (op.exampleBody ?? {}) as Record<string, unknown>;
  const mutatedBody = fc
    .dictionary(fc.constantFrom(...bodyKeys), nastyValue, { minKeys: 1, maxKeys: Math.min(3, bodyKeys.length) })
    .map((changes) => ({ kind: 'json' as const, value: { ...example, ...changes } }));
  const wholeBody = fc.oneof(
    nastyValue.map((value) => ({ kind: 'json' as const, value })),
    fc.constantFrom('{', '{"a":', '\u0000', '[1,2', 'null', '"x"', '{"a":1}garbage', '').map((text) => ({ kind: 'raw' as const, text })),
  );
  return fc.record({
    params: fc.record(Object.fromEntries(names.map((n) => [n, fc.oneof(nastyString, fc.constant(`missing-${n}`))])) as Record<string, fc.Arbitrary<string>>),
    query: fc.array(fc.tuple(fc.constantFrom(...queryKeys), nastyString), { maxLength: 4 }),
    body: fc.oneof({ weight: 3, arbitrary: mutatedBody }, { weight: 1, arbitrary: wholeBody }),
    contentType: contentTypes,
  });
}

let adminToken = '';

/** Lone surrogates (which encodeURIComponent refuses) become U+FFFD, as a browser sends them. */
const wellFormed = (value: string) => value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
const encodeSegment = (value: string) => encodeURIComponent(wellFormed(value));

async function send(op: Operation, handler: RouteHandler, fuzz: FuzzCase) {
  const url = new URL(`http://localhost${op.path.replace(/\{(\w+)\}/g, (_m, n: string) => encodeSegment(fuzz.params[n] ?? `missing-${n}`))}`);
  for (const [key, value] of fuzz.query) url.searchParams.append(key, wellFormed(value));
  const headers = new Headers({ authorization: `Bearer ${adminToken}` });
  let body: BodyInit | undefined;
  if (op.method !== 'GET') {
    const value = fuzz.body.kind === 'json' ? fuzz.body.value : undefined;
    if (op.bodyType === 'multipart' && fuzz.contentType?.startsWith('multipart/') && value && typeof value === 'object' && !Array.isArray(value)) {
      // A real multipart form (Request sets the boundary), with the fuzzed fields and a small file.
      const form = new FormData();
      for (const [key, item] of Object.entries(value)) form.append(key, typeof item === 'string' ? item : JSON.stringify(item) ?? '');
      form.append('file', new File(['a,b\n1,2\n'], 'fuzz.csv', { type: 'text/csv' }));
      body = form;
    } else {
      if (fuzz.contentType) headers.set('content-type', fuzz.contentType);
      body = fuzz.body.kind === 'raw' ? fuzz.body.text : JSON.stringify(fuzz.body.value);
    }
  }
  const response = await handler(new Request(url, { method: op.method, headers, body }), { params: Promise.resolve(fuzz.params) });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

/** The contract for one answer; returns what is wrong (empty when fine). */
function violations(answer: { status: number; type: string | null; text: string }): string[] {
  const wrong: string[] = [];
  if (answer.status >= 500) wrong.push(`status ${answer.status}: ${answer.text.slice(0, 300)}`);
  if (answer.status >= 400 && answer.status < 500) {
    if (answer.type !== 'application/problem+json') wrong.push(`${answer.status} with content-type ${answer.type}`);
    else if (answer.status === 400 || answer.status === 415) {
      const problem = JSON.parse(answer.text) as { errors?: { field?: unknown }[] };
      if (!problem.errors?.length || problem.errors.some((e) => typeof e.field !== 'string' || !e.field)) wrong.push(`${answer.status} without a named field: ${answer.text.slice(0, 300)}`);
    }
  }
  return wrong;
}

const describeCase = (fuzz: FuzzCase) =>
  JSON.stringify(fuzz, (_k, v: unknown) => (typeof v === 'string' && v.length > 80 ? `${v.slice(0, 20)}…(${v.length} chars)` : Array.isArray(v) && v.length > 20 ? `[${v.length} items]` : v));

describe('fuzzing every operation', () => {
  let db: Db;
  beforeAll(async () => {
    const test = await createTestDatabase();
    db = test.db;
    setHandlerDatabase(() => db);
    // Routes that stream through their own connection (billing's COPY import) find this database.
    process.env.DATABASE_URL = test.url;
    const admin = await db.user.create({ data: { email: 'fuzz-admin@test.skyport', name: 'Fuzz', roles: ['admin', 'approver', 'requester'] } });
    adminToken = (await createApiToken(db, admin.id, { name: 'fuzz', scopes: ['read', 'write'] }, auditContext(SYSTEM_ACTOR))).token;
  });

  const each = ALL_OPERATIONS.map((op) => [op.operationId, op] as const);

  it.each(each)('%s: random hostile input → never ≥ 500; 4xx are problem+json; 400s name the field', async (id, op) => {
    const handler = await handlerFor(op);
    await fc.assert(
      fc.asyncProperty(caseFor(op), async (fuzz) => {
        const wrong = violations(await send(op, handler, fuzz));
        if (wrong.length) throw new Error(`${id}: ${wrong.join('; ')}\n  input: ${describeCase(fuzz)}`);
      }),
      { numRuns: 30 },
    );
  });

  it.each(each)('%s: a NUL character in any path parameter, query field or example body field → 400 naming it', async (id, op) => {
    const handler = await handlerFor(op);
    const example = (op.exampleBody ?? {}) as Record<string, unknown>;
    const targets: { fuzz: FuzzCase; field: string }[] = [];
    const contentType = op.bodyType === 'multipart' ? 'multipart/form-data' : 'application/json';
    const base = (): FuzzCase => ({ params: Object.fromEntries(pathParams(op).map((n) => [n, `missing-${n}`])), query: [], body: { kind: 'json', value: example }, contentType });
    for (const name of pathParams(op)) targets.push({ fuzz: { ...base(), params: { ...base().params, [name]: 'a\u0000b' } }, field: `path/${name}` });
    for (const key of Object.keys(objectShape(op.query))) targets.push({ fuzz: { ...base(), query: [[key, 'a\u0000b']] }, field: `query/${key}` });
    if (op.body && op.method !== 'GET') {
      for (const key of Object.keys(objectShape(op.body))) targets.push({ fuzz: { ...base(), body: { kind: 'json', value: { ...example, [key]: 'a\u0000b' } } }, field: `body/${key}` });
    }
    for (const { fuzz, field } of targets) {
      const answer = await send(op, handler, fuzz);
      expect(answer.status, `${id} ${field}: ${answer.text.slice(0, 200)}`).toBe(400);
      expect((JSON.parse(answer.text) as { errors: { field: string }[] }).errors.map((e) => e.field), `${id}`).toContain(field);
    }
    // Every operation is probed at least through its URL (a malformed percent-encoding, via the proxy).
    const malformed = op.path.replace(/\{(\w+)\}/g, '%ZZ') + (pathParams(op).length ? '' : '/%ZZ');
    const viaProxy = proxy(new NextRequest(`http://localhost${malformed}`, { method: op.method }));
    expect(viaProxy.status, `${id} ${malformed}`).toBe(400);
    expect(viaProxy.headers.get('content-type')).toBe('application/problem+json');
  });
});
