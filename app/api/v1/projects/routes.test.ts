// Route-level tests: the real route handlers, a real database and real API tokens.
import { beforeAll, describe, expect, it } from 'vitest';
import { DELETE as deleteMember, PATCH as patchMember } from '@/app/api/v1/projects/[projectId]/members/[userId]/route';
import { GET as listMembers, POST as postMember } from '@/app/api/v1/projects/[projectId]/members/route';
import { GET as getQuota, PUT as putQuota } from '@/app/api/v1/projects/[projectId]/quota/route';
import { GET as getOne, PATCH as patchOne } from '@/app/api/v1/projects/[projectId]/route';
import { GET as list, POST as create } from '@/app/api/v1/projects/route';
import { setHandlerDatabase } from '@/lib/api/handler';
import { createApiToken } from '@/lib/auth/api-tokens';
import { auditContext, SYSTEM_ACTOR } from '@/lib/audit/record';
import type { Db } from '@/lib/db/client';
import { createTestDatabase } from '@/lib/testing/db';
import { callRoute } from '@/lib/testing/routes';


let db: Db;
const tokens = { admin: '', adminRo: '', owner: '', member: '', outsider: '' };
const ids = { admin: '', owner: '', member: '', outsider: '', project: '' };

const call = callRoute;

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  setHandlerDatabase(() => db);
  const mk = (email: string, roles: ('requester' | 'approver' | 'admin')[]) => db.user.create({ data: { email, name: email.split('@')[0]!, roles } });
  ids.admin = (await mk('admin@t.test', ['requester', 'approver', 'admin'])).id;
  ids.owner = (await mk('owner@t.test', ['requester', 'approver'])).id;
  ids.member = (await mk('member@t.test', ['requester'])).id;
  ids.outsider = (await mk('outsider@t.test', ['requester'])).id;
  const ctx = auditContext(SYSTEM_ACTOR);
  const token = async (userId: string, scopes: ('read' | 'write')[]) => (await createApiToken(db, userId, { name: 't', scopes }, ctx)).token;
  tokens.admin = await token(ids.admin, ['read', 'write']);
  tokens.adminRo = await token(ids.admin, ['read']);
  tokens.owner = await token(ids.owner, ['read', 'write']);
  tokens.member = await token(ids.member, ['read', 'write']);
  tokens.outsider = await token(ids.outsider, ['read', 'write']);
});

describe('/api/v1/projects', () => {
  it('POST creates a project (201) with the owner as owner-member', async () => {
    const res = await call(create, {
      url: '/api/v1/projects',
      method: 'POST',
      token: tokens.admin,
      body: { key: 'web-shop', name: 'Web shop', costCentre: 'CC-1', ownerId: ids.owner },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ key: 'web-shop', memberCount: 1, owner: { id: ids.owner }, description: '' });
    ids.project = String(res.json!.id);
    const audit = await db.auditEvent.findFirst({ where: { action: 'project.create', targetId: ids.project } });
    expect(audit?.actorType).toBe('api_token');
    expect(audit?.actorId).toBe(ids.admin);
  });

  it('POST: 400 problem+json with field errors, 409 on a duplicate key, 401 anonymous, 403 non-admin / read-only token', async () => {
    const bad = await call(create, { url: '/api/v1/projects', method: 'POST', token: tokens.admin, body: { key: 'Not OK', name: '' } });
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    const fields = (bad.json!.errors as { field: string }[]).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body/key', 'body/name', 'body/costCentre', 'body/ownerId']));

    const unknownOwner = await call(create, { url: '/api/v1/projects', method: 'POST', token: tokens.admin, body: { key: 'xx', name: 'X', costCentre: 'C', ownerId: 'nope' } });
    expect(unknownOwner.status).toBe(400);
    expect(unknownOwner.json!.errors).toEqual([{ field: 'body/ownerId', message: 'No user with this id exists.' }]);

    const dup = await call(create, { url: '/api/v1/projects', method: 'POST', token: tokens.admin, body: { key: 'web-shop', name: 'X', costCentre: 'C', ownerId: ids.owner } });
    expect(dup.status).toBe(409);

    const body = { key: 'other', name: 'Other', costCentre: 'C', ownerId: ids.owner };
    expect((await call(create, { url: '/api/v1/projects', method: 'POST', body })).status).toBe(401);
    expect((await call(create, { url: '/api/v1/projects', method: 'POST', token: tokens.owner, body })).status).toBe(403);
    expect((await call(create, { url: '/api/v1/projects', method: 'POST', token: tokens.adminRo, body })).status).toBe(403);
  });

  it('GET lists projects by visibility', async () => {
    const admin = await call(list, { url: '/api/v1/projects', token: tokens.admin });
    expect(admin.status).toBe(200);
    expect((admin.json!.items as { key: string }[]).map((p) => p.key)).toEqual(['web-shop']);
    const outsider = await call(list, { url: '/api/v1/projects', token: tokens.outsider });
    expect(outsider.json).toEqual({ items: [] });
    const invalid = await call(list, { url: '/api/v1/projects?includeArchived=maybe', token: tokens.admin });
    expect(invalid.status).toBe(400);
    expect(invalid.json!.errors).toEqual([expect.objectContaining({ field: 'query/includeArchived' })]);
    expect((await call(list, { url: '/api/v1/projects' })).status).toBe(401);
  });

  it('GET /{projectId}: 200 for members and admins, 403 for others, 404 unknown', async () => {
    const params = { projectId: ids.project };
    expect((await call(getOne, { url: `/api/v1/projects/${ids.project}`, token: tokens.owner, params })).status).toBe(200);
    expect((await call(getOne, { url: `/api/v1/projects/${ids.project}`, token: tokens.adminRo, params })).status).toBe(200);
    const forbidden = await call(getOne, { url: `/api/v1/projects/${ids.project}`, token: tokens.outsider, params });
    expect(forbidden.status).toBe(403);
    expect(forbidden.type).toContain('application/problem+json');
    expect((await call(getOne, { url: '/api/v1/projects/nope', token: tokens.admin, params: { projectId: 'nope' } })).status).toBe(404);
  });

  it('PATCH /{projectId}: admin updates and archives; 400 on bad fields; 403 for the owner', async () => {
    const params = { projectId: ids.project };
    const url = `/api/v1/projects/${ids.project}`;
    const ok = await call(patchOne, { url, method: 'PATCH', token: tokens.admin, params, body: { name: 'Web Shop', archived: true } });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ name: 'Web Shop' });
    expect(ok.json!.archivedAt).not.toBeNull();
    const bad = await call(patchOne, { url, method: 'PATCH', token: tokens.admin, params, body: { costCentre: '', archived: 'yes' } });
    expect(bad.status).toBe(400);
    expect((bad.json!.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['body/archived', 'body/costCentre']);
    expect((await call(patchOne, { url, method: 'PATCH', token: tokens.owner, params, body: { name: 'Mine' } })).status).toBe(403);
    expect((await call(patchOne, { url, method: 'PATCH', token: tokens.admin, params, body: { archived: false } })).json!.archivedAt).toBeNull();
  });

  it('members: owner adds, changes role and removes; plain members get 403; outsiders 403', async () => {
    const params = { projectId: ids.project };
    const url = `/api/v1/projects/${ids.project}/members`;
    const added = await call(postMember, { url, method: 'POST', token: tokens.owner, params, body: { email: 'member@t.test' } });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ userId: ids.member, role: 'member' });
    const badRole = await call(postMember, { url, method: 'POST', token: tokens.owner, params, body: { userId: ids.outsider, role: 'king' } });
    expect(badRole.status).toBe(400);
    expect(badRole.json!.errors).toEqual([expect.objectContaining({ field: 'body/role' })]);
    expect((await call(postMember, { url, method: 'POST', token: tokens.member, params, body: { userId: ids.outsider } })).status).toBe(403);
    expect((await call(postMember, { url, method: 'POST', token: tokens.outsider, params, body: { userId: ids.outsider } })).status).toBe(403);

    const listed = await call(listMembers, { url, token: tokens.member, params });
    expect(listed.status).toBe(200);
    expect((listed.json!.items as { email: string }[]).map((m) => m.email)).toEqual(['owner@t.test', 'member@t.test']);
    expect((await call(listMembers, { url, token: tokens.outsider, params })).status).toBe(403);

    const memberParams = { projectId: ids.project, userId: ids.member };
    const memberUrl = `${url}/${ids.member}`;
    const patched = await call(patchMember, { url: memberUrl, method: 'PATCH', token: tokens.owner, params: memberParams, body: { role: 'approver' } });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ role: 'approver' });
    const demoteOwner = await call(patchMember, {
      url: `${url}/${ids.owner}`, method: 'PATCH', token: tokens.admin, params: { projectId: ids.project, userId: ids.owner }, body: { role: 'member' },
    });
    expect(demoteOwner.status).toBe(400);
    expect(demoteOwner.json!.errors).toEqual([expect.objectContaining({ field: 'body/role' })]);

    const removed = await call(deleteMember, { url: memberUrl, method: 'DELETE', token: tokens.owner, params: memberParams });
    expect(removed.status).toBe(204);
    expect(removed.json).toBeNull();
    expect((await call(deleteMember, { url: memberUrl, method: 'DELETE', token: tokens.owner, params: memberParams })).status).toBe(404);
    expect(await db.auditEvent.count({ where: { targetId: ids.project, action: { startsWith: 'project.member.' } } })).toBe(4);
  });

  it('quota: admins set (200), members read, 400 on bad limits, 403 for the owner', async () => {
    const params = { projectId: ids.project };
    const url = `/api/v1/projects/${ids.project}/quota`;
    const set = await call(putQuota, { url, method: 'PUT', token: tokens.admin, params, body: { maxInstances: 10, maxVcpus: 40 } });
    expect(set.status).toBe(200);
    expect(set.json!.quotas).toEqual([expect.objectContaining({ providerKind: null, maxInstances: 10, maxVcpus: 40, maxMemoryMiB: null })]);
    const bad = await call(putQuota, { url, method: 'PUT', token: tokens.admin, params, body: { maxInstances: -3, providerKind: 'ibm' } });
    expect(bad.status).toBe(400);
    expect((bad.json!.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['body/maxInstances', 'body/providerKind']);
    expect((await call(putQuota, { url, method: 'PUT', token: tokens.owner, params, body: { maxInstances: 99 } })).status).toBe(403);
    const read = await call(getQuota, { url, token: tokens.owner, params });
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ projectId: ids.project, usage: { instances: 0 } });
    expect((await call(getQuota, { url, token: tokens.outsider, params })).status).toBe(403);
    expect((await call(getQuota, { url, params })).status).toBe(401);
  });

  it('a malformed JSON body is a 400, not a 500', async () => {
    const request = new Request('http://localhost/api/v1/projects', {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
      body: '{"key":',
    });
    const response = await create(request, { params: Promise.resolve({}) });
    expect(response.status).toBe(400);
  });
});
