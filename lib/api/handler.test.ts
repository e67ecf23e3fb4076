// handle()'s guarantees, on operations declared here (so they do not depend on any area's routes):
// NUL characters refused at the one parse, CSRF rule for cookie-authenticated writes, token scope
// for every write, project access derived from the path/body, no-store, multipart bodies.
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import { createApiToken } from '../auth/api-tokens';
import type { Db } from '../db/client';
import { createTestDatabase } from '../testing/db';
import { sessionCookie } from '../testing/session';
import { publicOrigin } from './csrf';
import { handle, setHandlerDatabase } from './handler';
import { AUTHENTICATED, capability, defineOperation, PUBLIC } from './operation';

const echoOp = defineOperation({
  operationId: 'testEcho',
  method: 'POST',
  path: '/api/v1/test/{projectId}/echo',
  summary: 'echo',
  tag: 'test',
  access: AUTHENTICATED,
  params: z.object({ projectId: z.string().max(100) }),
  query: z.object({ q: z.string().max(100).optional() }),
  body: z.object({ name: z.string().max(100), tags: z.array(z.string().max(50)).max(10).default([]) }),
  response: z.object({ name: z.string() }),
});
const echo = handle(echoOp, async ({ body }) => ({ name: body.name }));

const bodyProjectOp = defineOperation({
  operationId: 'testBodyProject',
  method: 'POST',
  path: '/api/v1/test/things',
  summary: 'thing in a project named by the body',
  tag: 'test',
  access: capability('request:create'),
  body: z.object({ projectId: z.string().max(100) }),
  response: z.object({ ok: z.boolean() }),
});
const bodyProject = handle(bodyProjectOp, async () => ({ ok: true }));

const uploadOp = defineOperation({
  operationId: 'testUpload',
  method: 'POST',
  path: '/api/v1/test/upload',
  summary: 'upload',
  tag: 'test',
  access: AUTHENTICATED,
  bodyType: 'multipart',
  body: z.object({ label: z.string().max(50) }),
  response: z.object({ label: z.string(), size: z.number() }),
});
const upload = handle(uploadOp, async ({ body, form }) => {
  const file = form?.get('file');
  return { label: body.label, size: file instanceof File ? file.size : -1 };
});

const publicOp = defineOperation({ operationId: 'testPublic', method: 'GET', path: '/api/v1/test/public', summary: 'p', tag: 'test', access: PUBLIC, response: z.object({}) });
const publicGet = handle(publicOp, async () => ({}));

let db: Db;
let userId = '';
let memberProject = '';
let foreignProject = '';
let rw = '';
let ro = '';
let cookie = '';

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  setHandlerDatabase(() => db);
  const user = await db.user.create({ data: { email: 'h@test.skyport', name: 'H', roles: ['requester'] } });
  userId = user.id;
  const owner = await db.user.create({ data: { email: 'o@test.skyport', name: 'O', roles: ['admin'] } });
  memberProject = (await db.project.create({ data: { key: 'mine', name: 'Mine', costCentre: 'C1', ownerId: owner.id } })).id;
  foreignProject = (await db.project.create({ data: { key: 'theirs', name: 'Theirs', costCentre: 'C2', ownerId: owner.id } })).id;
  await db.projectMembership.create({ data: { projectId: memberProject, userId } });
  const ctx = auditContext(SYSTEM_ACTOR);
  rw = (await createApiToken(db, userId, { name: 'rw', scopes: ['read', 'write'] }, ctx)).token;
  ro = (await createApiToken(db, userId, { name: 'ro', scopes: ['read'] }, ctx)).token;
  cookie = await sessionCookie(userId);
});

type Send = { method?: string; headers?: Record<string, string>; body?: BodyInit; query?: string; projectId?: string };
async function send(handler: ReturnType<typeof handle>, path: string, options: Send = {}) {
  const request = new Request(`http://localhost${path}${options.query ?? ''}`, {
    method: options.method ?? 'POST',
    headers: options.headers,
    body: options.body,
  });
  const params: Record<string, string> = options.projectId ? { projectId: options.projectId } : {};
  const response = await handler(request, { params: Promise.resolve(params) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as { errors?: { field: string }[]; name?: string; size?: number }) : null };
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
const echoCall = (headers: Record<string, string>, body: unknown = { name: 'ok' }, extra: Partial<Send> = {}) =>
  send(echo, `/api/v1/test/${memberProject}/echo`, { headers, body: JSON.stringify(body), projectId: memberProject, ...extra });

describe('NUL characters are refused where input is parsed', () => {
  it.each([
    ['a body string', { name: 'a\u0000b' }, {}, 'body/name'],
    ['a string in a body array', { name: 'ok', tags: ['x', 'y\u0000'] }, {}, 'body/tags/1'],
    ['an unpaired surrogate in a body string', { name: 'a\ud800b' }, {}, 'body/name'],
    ['an unpaired low surrogate in a body array', { name: 'ok', tags: ['\udc00'] }, {}, 'body/tags/0'],
    ['a query value', { name: 'ok' }, { query: '?q=%00' }, 'query/q'],
    ['a path parameter', { name: 'ok' }, { projectId: `${memberProject}\u0000` }, 'path/projectId'],
  ])('%s → 400 naming the field', async (_what, body, extra, field) => {
    const response = await echoCall(bearer(rw), body, extra as Partial<Send>);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.json?.errors?.[0]?.field).toBe(field);
  });
});

describe('CSRF: cookie-authenticated writes', () => {
  const origin = publicOrigin();
  it('are refused without an Origin, from another origin, or with a content type that merely contains "json"', async () => {
    expect((await echoCall({ cookie, 'content-type': 'application/json' })).status).toBe(403);
    expect((await echoCall({ cookie, origin: 'http://evil.example', 'content-type': 'application/json' })).status).toBe(403);
    expect((await echoCall({ cookie, origin: 'http://localhost:9999', 'content-type': 'application/json' })).status).toBe(403);
    const sneaky = await echoCall({ cookie, origin, 'content-type': 'text/plain;charset=json' });
    expect(sneaky.status).toBe(415);
    expect(sneaky.json?.errors?.[0]?.field).toBe('(body)');
    // A body-less form post (what a cross-site <form> sends) is refused too.
    const formPost = await send(upload, '/api/v1/test/upload', { headers: { cookie, origin: 'http://evil.example', 'content-type': 'multipart/form-data; boundary=x' }, body: '--x--' });
    expect(formPost.status).toBe(403);
  });

  it('pass from our origin (Origin or Sec-Fetch-Site: same-origin) with application/json', async () => {
    expect((await echoCall({ cookie, origin, 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
    expect((await echoCall({ cookie, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' })).status).toBe(200);
  });

  it('GETs with a cookie need no Origin', async () => {
    const getOp = defineOperation({ operationId: 'testGet', method: 'GET', path: '/api/v1/test/get', summary: 'g', tag: 'test', access: AUTHENTICATED, response: z.object({ ok: z.boolean() }) });
    expect((await send(handle(getOp, async () => ({ ok: true })), '/api/v1/test/get', { method: 'GET', headers: { cookie } })).status).toBe(200);
  });

  it('Bearer-token calls are unaffected (no Origin needed)', async () => {
    expect((await echoCall(bearer(rw))).status).toBe(200);
  });

  it('uploads: multipart/form-data is required and the impl gets the FormData', async () => {
    const form = new FormData();
    form.set('label', 'prices');
    form.set('file', new File(['a,b\n1,2\n'], 'prices.csv', { type: 'text/csv' }));
    const viaCookie = await send(upload, '/api/v1/test/upload', { headers: { cookie, origin }, body: form });
    expect(viaCookie.status).toBe(200);
    expect(viaCookie.json).toEqual({ label: 'prices', size: 8 });
    const asJson = await send(upload, '/api/v1/test/upload', { headers: { cookie, origin, 'content-type': 'application/json' }, body: '{"label":"x"}' });
    expect(asJson.status).toBe(415);
    const nul = new FormData();
    nul.set('label', 'a\u0000');
    const refused = await send(upload, '/api/v1/test/upload', { headers: { authorization: `Bearer ${rw}` }, body: nul });
    expect(refused.status).toBe(400);
    expect(refused.json?.errors?.[0]?.field).toBe('body/label');
  });
});

describe('token scope is enforced for every write', () => {
  it('a read-only token cannot write through an AUTHENTICATED operation; a read-write token can', async () => {
    const refused = await echoCall(bearer(ro));
    expect(refused.status).toBe(403);
    expect((await echoCall(bearer(rw))).status).toBe(200);
  });
});

describe('project access is derived from the path or body, not a flag', () => {
  it('path {projectId}: a non-member gets 403 (the operation has no projectScoped flag)', async () => {
    expect(echoOp.projectScoped).toBeUndefined();
    const foreign = await send(echo, `/api/v1/test/${foreignProject}/echo`, { headers: bearer(rw), body: JSON.stringify({ name: 'x' }), projectId: foreignProject });
    expect(foreign.status).toBe(403);
    expect((await echoCall(bearer(rw))).status).toBe(200);
  });

  it('body projectId: a non-member gets 403 even with an otherwise invalid body; a member passes', async () => {
    expect((await send(bodyProject, '/api/v1/test/things', { headers: bearer(rw), body: JSON.stringify({ projectId: foreignProject, extra: 'x'.repeat(10) }) })).status).toBe(403);
    expect((await send(bodyProject, '/api/v1/test/things', { headers: bearer(rw), body: JSON.stringify({ projectId: memberProject }) })).status).toBe(200);
  });
});

describe('response headers', () => {
  it('authenticated answers (success and problem) are Cache-Control: no-store; public ones are not forced', async () => {
    expect((await echoCall(bearer(rw))).headers.get('cache-control')).toBe('no-store');
    expect((await echoCall({})).headers.get('cache-control')).toBe('no-store');
    expect((await send(publicGet, '/api/v1/test/public', { method: 'GET' })).headers.get('cache-control')).toBeNull();
  });

  it('a body over the size limit is a 400 naming the body, not a slow parse', async () => {
    const huge = await echoCall(bearer(rw), { name: 'x'.repeat(2 * 1024 * 1024) });
    expect(huge.status).toBe(400);
    expect(huge.json?.errors?.[0]?.field).toBe('(body)');
  });
});

describe('routes without dynamic segments', () => {
  it('work when Next passes no params (no context, or a promise of undefined), as the production server does', async () => {
    const request = () => new Request('http://localhost/api/v1/test/things', { method: 'POST', headers: bearer(rw), body: JSON.stringify({ projectId: memberProject }) });
    expect((await bodyProject(request())).status).toBe(200);
    const undefinedParams = { params: Promise.resolve(undefined) } as unknown as { params: Promise<Record<string, string>> };
    expect((await bodyProject(request(), undefinedParams)).status).toBe(200);
  });
});
