// Authorization derived, not declared (issue 11 §3). For every route file anywhere under app/ and
// every HTTP method it exports, and for every declared operation:
//   refusals — anonymous → 401, a bad token or session → 401, a role without the capability → 403
//   (Bearer and session cookie), a read-only token on any write → 403 (AUTHENTICATED ones too), a
//   cookie write without our Origin → 403, a member of another project → 403 wherever the path or
//   body names a projectId (whatever the projectScoped flag says);
//   successes — an admin and (where the capability allows) a project owner get past authorization
//   (not 401/403) with a Bearer token and with a session cookie, and every 2xx JSON answer matches
//   the operation's declared response schema.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { publicOrigin } from '@/lib/api/csrf';
import { setHandlerDatabase } from '@/lib/api/handler';
import type { Operation } from '@/lib/api/operation';
import { ALL_OPERATIONS } from '@/lib/api/operations';
import { createApiToken } from '@/lib/auth/api-tokens';
import { CAPABILITIES } from '@/lib/auth/permissions';
import { auditContext, SYSTEM_ACTOR } from '@/lib/audit/record';
import type { Db } from '@/lib/db/client';
import { createTestDatabase } from '@/lib/testing/db';
import { sessionCookie, useTestSessionSecret } from '@/lib/testing/session';
import { objectShape } from '@/lib/testing/zod-shape';

process.env.SKYPORT_SECRET_KEY ??= randomBytes(32).toString('base64');
useTestSessionSecret();

const ROOT = path.resolve(import.meta.dirname, '../..');
const APP = path.join(ROOT, 'app');
const ROUTE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
/** Route files that are not Skyport API operations, each with the reason. */
const NOT_OPERATIONS: Record<string, string> = {
  'app/api/auth/[...nextauth]/route.ts': "next-auth's sign-in protocol (CSRF token, callbacks); it authenticates, it does not authorize",
};
type RouteHandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

function listRouteFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : listRouteFiles(full);
    return /^route\.(ts|tsx|js|mjs)$/.test(entry.name) ? [full] : [];
  });
}

/** app/api/v1/(group)/things/[thingId]/route.ts → /api/v1/things/{thingId} */
function pathTemplateOf(file: string): string {
  const segments = path.relative(APP, path.dirname(file)).split(path.sep).filter((s) => s && !/^\(.*\)$/.test(s) && !s.startsWith('@'));
  return `/${segments.map((s) => s.replace(/^\[\.{0,3}(\w+)\]$/, '{$1}')).join('/')}`;
}

const ROUTES = listRouteFiles(APP).map((file) => ({ file, rel: path.relative(ROOT, file), template: pathTemplateOf(file) }));

async function handlerFor(op: Operation): Promise<RouteHandler> {
  const route = ROUTES.find((r) => r.template === op.path);
  if (!route) throw new Error(`${op.operationId}: no route file for ${op.path}`);
  const handler = ((await import(route.file)) as Record<string, RouteHandler | undefined>)[op.method];
  if (!handler) throw new Error(`${route.rel} does not export ${op.method} (${op.operationId})`);
  return handler;
}

type Caller = { token?: string; cookie?: string; origin?: string | null; projectId?: string };

/** Whether a call to `op` names a project: a {projectId} path parameter or a body projectId. */
const namesProject = (op: Operation) => op.path.includes('{projectId}') || 'projectId' in objectShape(op.body) || 'projectId' in ((op.exampleBody ?? {}) as object);

let ownProjectId = '';

function call(op: Operation, handler: RouteHandler, caller: Caller = {}) {
  const projectId = caller.projectId ?? ownProjectId;
  const params: Record<string, string> = {};
  const urlPath = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    params[name] = name === 'projectId' ? projectId : `missing-${name}`;
    return params[name]!;
  });
  const headers = new Headers();
  if (caller.token) headers.set('authorization', `Bearer ${caller.token}`);
  if (caller.cookie) headers.set('cookie', caller.cookie);
  const origin = caller.origin === undefined ? publicOrigin() : caller.origin;
  if (caller.cookie && origin) headers.set('origin', origin);
  let body: BodyInit | undefined;
  if (op.method !== 'GET' && op.method !== 'DELETE') {
    const example = { ...((op.exampleBody ?? {}) as Record<string, unknown>) };
    if ('projectId' in example || 'projectId' in objectShape(op.body)) example.projectId = projectId;
    if (op.bodyType === 'multipart') {
      const form = new FormData();
      for (const [key, value] of Object.entries(example)) form.set(key, typeof value === 'string' ? value : JSON.stringify(value));
      body = form;
    } else {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(example);
    }
  }
  return handler(new Request(`http://localhost${urlPath}`, { method: op.method, headers, body }), { params: Promise.resolve(params) });
}

async function expectProblem(response: Response, status: number, label: string) {
  expect(response.status, label).toBe(status);
  expect(response.headers.get('content-type'), label).toContain('application/problem+json');
  const problem = (await response.json()) as { status: number; detail: string };
  expect(problem.status, label).toBe(status);
  expect(problem.detail.length, label).toBeGreaterThan(0);
}

async function expectAllowed(op: Operation, response: Response, label: string) {
  expect([401, 403], `${label}: ${response.status} ${await response.clone().text()}`).not.toContain(response.status);
  if (response.status >= 200 && response.status < 300 && response.headers.get('content-type')?.startsWith('application/json')) {
    const parsed = op.response.safeParse(await response.json());
    expect(parsed.success, `${label}: the answer does not match the declared response schema: ${parsed.error?.message}`).toBe(true);
  }
}

const requesterCan = (op: Operation) =>
  op.access.kind === 'authenticated' || (op.access.kind === 'capability' && (CAPABILITIES[op.access.capability] as readonly string[]).includes('requester'));
const isWrite = (op: Operation) => op.method !== 'GET';

describe('API authorization (every route, every operation)', () => {
  let db: Db;
  const t = { admin: '', adminReadOnly: '', requester: '', requesterReadOnly: '' };
  const c = { admin: '', requester: '', disabled: '' };
  let foreignProjectId = '';

  beforeAll(async () => {
    const test = await createTestDatabase();
    db = test.db;
    setHandlerDatabase(() => db);
    // Routes that stream through their own connection (billing's COPY import) find this database.
    process.env.DATABASE_URL = test.url;
    const admin = await db.user.create({ data: { email: 'admin@test.skyport', name: 'Admin', roles: ['admin'] } });
    const requester = await db.user.create({ data: { email: 'req@test.skyport', name: 'Req', roles: ['requester'] } });
    const disabled = await db.user.create({ data: { email: 'off@test.skyport', name: 'Off', roles: ['admin'], status: 'disabled' } });
    const other = await db.user.create({ data: { email: 'other@test.skyport', name: 'Other', roles: ['requester', 'approver'] } });
    // The requester owns their project, so every project-level right they can have, they have.
    const own = await db.project.create({ data: { key: 'own', name: 'Own', costCentre: 'CC-1', ownerId: requester.id } });
    const foreign = await db.project.create({ data: { key: 'foreign', name: 'Foreign', costCentre: 'CC-2', ownerId: other.id } });
    await db.projectMembership.create({ data: { projectId: own.id, userId: requester.id, role: 'owner' } });
    await db.projectMembership.create({ data: { projectId: foreign.id, userId: other.id, role: 'owner' } });
    ownProjectId = own.id;
    foreignProjectId = foreign.id;
    const ctx = auditContext(SYSTEM_ACTOR);
    t.admin = (await createApiToken(db, admin.id, { name: 'rw', scopes: ['read', 'write'] }, ctx)).token;
    t.adminReadOnly = (await createApiToken(db, admin.id, { name: 'ro', scopes: ['read'] }, ctx)).token;
    t.requester = (await createApiToken(db, requester.id, { name: 'rw', scopes: ['read', 'write'] }, ctx)).token;
    t.requesterReadOnly = (await createApiToken(db, requester.id, { name: 'ro', scopes: ['read'] }, ctx)).token;
    c.admin = await sessionCookie(admin.id);
    c.requester = await sessionCookie(requester.id);
    c.disabled = await sessionCookie(disabled.id);
  });

  it('every route file under app/ (every method) is a declared operation, and every operation has its route', async () => {
    const declared = new Set(ALL_OPERATIONS.map((op) => `${op.method} ${op.path}`));
    const exported: string[] = [];
    for (const route of ROUTES) {
      const module = (await import(route.file)) as Record<string, unknown>;
      for (const method of ROUTE_METHODS) {
        if (typeof module[method] !== 'function') continue;
        exported.push(`${method} ${route.rel}`);
        if (route.rel in NOT_OPERATIONS) continue;
        expect(declared, `${method} ${route.rel} is not a declared operation (lib/api/operations)`).toContain(`${method} ${route.template}`);
      }
    }
    expect(exported.length).toBeGreaterThanOrEqual(ALL_OPERATIONS.length);
    for (const op of ALL_OPERATIONS) expect(typeof (await handlerFor(op)), op.operationId).toBe('function');
    const ids = ALL_OPERATIONS.map((op) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  const protectedOps = ALL_OPERATIONS.filter((op) => op.access.kind !== 'public');
  const each = (ops: readonly Operation[]) => ops.map((op) => [op.operationId, op] as const);

  it.each(each(protectedOps))('%s: anonymous, a bad token, a forged or disabled session → 401', async (id, op) => {
    const handler = await handlerFor(op);
    await expectProblem(await call(op, handler), 401, `${id} anonymous`);
    await expectProblem(await call(op, handler, { token: 'skp_not-a-real-token' }), 401, `${id} bad token`);
    await expectProblem(await call(op, handler, { cookie: 'next-auth.session-token=forged' }), 401, `${id} forged cookie`);
    await expectProblem(await call(op, handler, { cookie: c.disabled }), 401, `${id} disabled user's cookie`);
  });

  const roleRefused = ALL_OPERATIONS.filter((op) => op.access.kind === 'capability' && !requesterCan(op));
  it.each(each(roleRefused))('%s: a requester → 403 (token and session cookie)', async (id, op) => {
    const handler = await handlerFor(op);
    await expectProblem(await call(op, handler, { token: t.requester }), 403, `${id} token`);
    await expectProblem(await call(op, handler, { cookie: c.requester }), 403, `${id} cookie`);
  });

  const writes = protectedOps.filter(isWrite);
  it.each(each(writes))('%s: a read-only token → 403, whatever the role', async (id, op) => {
    const handler = await handlerFor(op);
    await expectProblem(await call(op, handler, { token: t.adminReadOnly }), 403, `${id} admin read-only token`);
    await expectProblem(await call(op, handler, { token: t.requesterReadOnly }), 403, `${id} requester read-only token`);
  });

  it.each(each(writes))('%s: a session-cookie write without our Origin → 403', async (id, op) => {
    const handler = await handlerFor(op);
    await expectProblem(await call(op, handler, { cookie: c.admin, origin: null }), 403, `${id} no Origin`);
    await expectProblem(await call(op, handler, { cookie: c.admin, origin: 'http://evil.example' }), 403, `${id} foreign Origin`);
  });

  const projectNaming = protectedOps.filter(namesProject);
  it.each(each(projectNaming))('%s: names a project → a member of another project gets 403 (token and cookie)', async (id, op) => {
    const handler = await handlerFor(op);
    await expectProblem(await call(op, handler, { token: t.requester, projectId: foreignProjectId }), 403, `${id} token`);
    await expectProblem(await call(op, handler, { cookie: c.requester, projectId: foreignProjectId }), 403, `${id} cookie`);
  });

  it.each(each(protectedOps))('%s: an admin gets past authorization (token and session cookie)', async (id, op) => {
    const handler = await handlerFor(op);
    await expectAllowed(op, await call(op, handler, { token: t.admin }), `${id} admin token`);
    await expectAllowed(op, await call(op, handler, { cookie: c.admin }), `${id} admin cookie`);
  });

  const requesterOps = protectedOps.filter(requesterCan);
  it.each(each(requesterOps))('%s: a requester (owner of their project) gets past authorization (token and cookie)', async (id, op) => {
    const handler = await handlerFor(op);
    await expectAllowed(op, await call(op, handler, { token: t.requester }), `${id} requester token`);
    await expectAllowed(op, await call(op, handler, { cookie: c.requester }), `${id} requester cookie`);
  });

  it('public operations answer without credentials, and match their response schema', async () => {
    const publicOps = ALL_OPERATIONS.filter((o) => o.access.kind === 'public');
    expect(publicOps.length).toBeGreaterThan(0);
    for (const op of publicOps) {
      const response = await call(op, await handlerFor(op));
      expect(response.status, op.operationId).toBe(200);
      await expectAllowed(op, response, op.operationId);
    }
  });
});
