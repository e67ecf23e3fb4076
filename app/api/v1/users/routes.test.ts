// Route-level tests for /api/v1/users and /api/v1/me: real handlers, database and API tokens.
import { beforeAll, describe, expect, it } from 'vitest';
import { GET as getMe } from '@/app/api/v1/me/route';
import { POST as resetPassword } from '@/app/api/v1/users/[userId]/password/route';
import { GET as getOne, PATCH as patchOne } from '@/app/api/v1/users/[userId]/route';
import { POST as unlock } from '@/app/api/v1/users/[userId]/unlock/route';
import { GET as list, POST as create } from '@/app/api/v1/users/route';
import { setHandlerDatabase } from '@/lib/api/handler';
import { createApiToken } from '@/lib/auth/api-tokens';
import { auditContext, SYSTEM_ACTOR } from '@/lib/audit/record';
import type { Db } from '@/lib/db/client';
import { createTestDatabase } from '@/lib/testing/db';
import { callRoute } from '@/lib/testing/routes';


let db: Db;
const tokens = { admin: '', adminRo: '', requester: '' };
const ids = { admin: '', requester: '', created: '' };

const call = callRoute;

const fieldsOf = (json: Record<string, unknown> | null) => ((json?.errors ?? []) as { field: string }[]).map((e) => e.field).sort();

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  setHandlerDatabase(() => db);
  ids.admin = (await db.user.create({ data: { email: 'admin@t.test', name: 'Admin', roles: ['requester', 'approver', 'admin'] } })).id;
  ids.requester = (await db.user.create({ data: { email: 'req@t.test', name: 'Req', roles: ['requester'] } })).id;
  const ctx = auditContext(SYSTEM_ACTOR);
  tokens.admin = (await createApiToken(db, ids.admin, { name: 'rw', scopes: ['read', 'write'] }, ctx)).token;
  tokens.adminRo = (await createApiToken(db, ids.admin, { name: 'ro', scopes: ['read'] }, ctx)).token;
  tokens.requester = (await createApiToken(db, ids.requester, { name: 'rw', scopes: ['read', 'write'] }, ctx)).token;
});

describe('/api/v1/users', () => {
  it('POST creates a user (201); 400 with field errors; 409 duplicate; 401; 403', async () => {
    const body = { email: 'New@T.test', name: 'New', roles: ['requester'], password: 'long-enough-pw' };
    const created = await call(create, { url: '/api/v1/users', method: 'POST', token: tokens.admin, body });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ email: 'new@t.test', roles: ['requester'], hasPassword: true });
    expect(created.json).not.toHaveProperty('passwordHash');
    ids.created = String(created.json!.id);

    const bad = await call(create, { url: '/api/v1/users', method: 'POST', token: tokens.admin, body: { email: 'nope', name: '', roles: ['king'], password: '123' } });
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    expect(fieldsOf(bad.json)).toEqual(['body/email', 'body/name', 'body/password', 'body/roles/0']);

    expect((await call(create, { url: '/api/v1/users', method: 'POST', token: tokens.admin, body })).status).toBe(409);
    expect((await call(create, { url: '/api/v1/users', method: 'POST', body })).status).toBe(401);
    expect((await call(create, { url: '/api/v1/users', method: 'POST', token: tokens.requester, body })).status).toBe(403);
    expect((await call(create, { url: '/api/v1/users', method: 'POST', token: tokens.adminRo, body })).status).toBe(403);
  });

  it('GET lists with search and paging (200); 400 on bad paging; 403 for requesters', async () => {
    const all = await call(list, { url: '/api/v1/users', token: tokens.admin });
    expect(all.status).toBe(200);
    expect(all.json).toMatchObject({ total: 3, page: 1, pageSize: 25 });
    const search = await call(list, { url: '/api/v1/users?q=new%40&pageSize=5', token: tokens.admin });
    expect((search.json!.items as { id: string }[]).map((u) => u.id)).toEqual([ids.created]);
    const bad = await call(list, { url: '/api/v1/users?page=0', token: tokens.admin });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.json)).toEqual(['query/page']);
    expect((await call(list, { url: '/api/v1/users', token: tokens.requester })).status).toBe(403);
  });

  it('GET/PATCH one user; an admin cannot demote or disable themselves (400 with fields)', async () => {
    const params = { userId: ids.created };
    expect((await call(getOne, { url: `/api/v1/users/${ids.created}`, token: tokens.admin, params })).status).toBe(200);
    expect((await call(getOne, { url: '/api/v1/users/nope', token: tokens.admin, params: { userId: 'nope' } })).status).toBe(404);
    const patched = await call(patchOne, { url: `/api/v1/users/${ids.created}`, method: 'PATCH', token: tokens.admin, params, body: { roles: ['approver', 'requester'], status: 'disabled' } });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ roles: ['requester', 'approver'], status: 'disabled' });

    const self = await call(patchOne, {
      url: `/api/v1/users/${ids.admin}`, method: 'PATCH', token: tokens.admin, params: { userId: ids.admin }, body: { roles: ['requester'], status: 'disabled' },
    });
    expect(self.status).toBe(400);
    expect(fieldsOf(self.json)).toEqual(['body/roles', 'body/status']);
    const badStatus = await call(patchOne, { url: `/api/v1/users/${ids.created}`, method: 'PATCH', token: tokens.admin, params, body: { status: 'gone' } });
    expect(fieldsOf(badStatus.json)).toEqual(['body/status']);
    expect((await call(patchOne, { url: `/api/v1/users/${ids.created}`, method: 'PATCH', token: tokens.requester, params, body: { name: 'x' } })).status).toBe(403);
  });

  it('POST unlock and password reset', async () => {
    await db.user.update({ where: { id: ids.requester }, data: { failedLoginCount: 7, lockedUntil: new Date(Date.now() + 60_000) } });
    const params = { userId: ids.requester };
    const unlocked = await call(unlock, { url: `/api/v1/users/${ids.requester}/unlock`, method: 'POST', token: tokens.admin, params });
    expect(unlocked.status).toBe(200);
    expect(unlocked.json).toMatchObject({ locked: false, failedLoginCount: 0 });
    expect((await call(unlock, { url: `/api/v1/users/${ids.requester}/unlock`, method: 'POST', token: tokens.requester, params })).status).toBe(403);

    const short = await call(resetPassword, { url: `/api/v1/users/${ids.requester}/password`, method: 'POST', token: tokens.admin, params, body: { password: 'x' } });
    expect(short.status).toBe(400);
    expect(fieldsOf(short.json)).toEqual(['body/password']);
    const reset = await call(resetPassword, { url: `/api/v1/users/${ids.requester}/password`, method: 'POST', token: tokens.admin, params, body: { password: 'a-new-password' } });
    expect(reset.status).toBe(200);
    expect(reset.json).toMatchObject({ hasPassword: true });
  });
});

describe('GET /api/v1/me', () => {
  it('returns the caller with roles, projects and navigation; 401 anonymous', async () => {
    const project = await db.project.create({ data: { key: 'p', name: 'P', costCentre: 'C', ownerId: ids.admin } });
    await db.projectMembership.create({ data: { projectId: project.id, userId: ids.requester, role: 'member' } });
    const me = await call(getMe, { url: '/api/v1/me', token: tokens.requester });
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({
      id: ids.requester,
      roles: ['requester'],
      via: 'api_token',
      scopes: ['read', 'write'],
      projects: [{ id: project.id, key: 'p', name: 'P', role: 'member', archived: false }],
      adminNavigation: [],
    });
    expect((me.json!.navigation as { href: string }[]).map((n) => n.href)).toEqual(['/catalog', '/requests', '/inventory']);
    const admin = await call(getMe, { url: '/api/v1/me', token: tokens.admin });
    expect((admin.json!.adminNavigation as { href: string }[]).map((n) => n.href)).toContain('/admin/users');
    expect((await call(getMe, { url: '/api/v1/me' })).status).toBe(401);
    expect((await call(getMe, { url: '/api/v1/me', token: 'skp_bogus' })).status).toBe(401);
  });
});
