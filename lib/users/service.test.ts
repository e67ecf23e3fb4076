import { beforeAll, describe, expect, it } from 'vitest';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import { verifyCredentials } from '../auth/credentials';
import { MIN_PASSWORD_LENGTH, verifyPassword } from '../auth/password';
import { loadPrincipal, type Principal } from '../auth/principal';
import type { Db } from '../db/client';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { createTestDatabase } from '../testing/db';
import { describePrincipal } from './me';
import { MIN_PASSWORD_LENGTH_HINT } from './schemas';
import { createUser, getUser, listUsers, resetUserPassword, unlockUser, updateUser } from './service';

const audit = () => auditContext(SYSTEM_ACTOR);
let db: Db;
let adminId = '';
let requesterId = '';

async function principal(userId: string, via: Principal['via'] = 'session', scopes?: string[]): Promise<Principal> {
  const p = await loadPrincipal(db, userId, via, scopes ? { id: 'tok', scopes } : undefined);
  if (!p) throw new Error('no principal');
  return p;
}

async function issuesOf(promise: Promise<unknown>) {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  return Object.fromEntries((error as ValidationError).issues.map((i) => [i.field, i.message]));
}

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  adminId = (await db.user.create({ data: { email: 'admin@t.test', name: 'Ada Admin', roles: ['requester', 'approver', 'admin'] } })).id;
  requesterId = (await db.user.create({ data: { email: 'riley@t.test', name: 'Riley Requester', roles: ['requester'] } })).id;
});

describe('users', () => {
  let newId = '';

  it('the form hint matches the server minimum password length', () => {
    expect(MIN_PASSWORD_LENGTH_HINT).toBe(MIN_PASSWORD_LENGTH);
  });

  it('creates a local user with a hashed password, normalised e-mail and sorted roles; audited without the password', async () => {
    const admin = await principal(adminId);
    const created = await createUser(db, admin, { email: '  New.User@Example.COM ', name: 'New User', roles: ['approver', 'requester'], password: 'correct horse' }, audit());
    newId = created.id;
    expect(created).toMatchObject({ email: 'new.user@example.com', name: 'New User', roles: ['requester', 'approver'], status: 'active', hasPassword: true, locked: false, sso: false, memberships: [] });
    expect(created).not.toHaveProperty('passwordHash');
    const row = await db.user.findUniqueOrThrow({ where: { id: newId } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(row.passwordHash!, 'correct horse')).toBe(true);
    const [event] = await db.auditEvent.findMany({ where: { action: 'user.create', targetId: newId } });
    expect(event?.after).toEqual({ email: 'new.user@example.com', name: 'New User', roles: ['requester', 'approver'], status: 'active' });
    expect(JSON.stringify({ before: event?.before, after: event?.after })).not.toContain('correct horse');
    expect((await verifyCredentials(db, { email: 'new.user@example.com', password: 'correct horse' })).ok).toBe(true);
  });

  it('validates input field by field and rejects duplicate e-mails', async () => {
    const admin = await principal(adminId);
    const issues = await issuesOf(createUser(db, admin, { email: 'not-an-email', name: '', roles: [], password: 'short' }, audit()));
    expect(Object.keys(issues).sort()).toEqual(['body/email', 'body/name', 'body/password', 'body/roles']);
    expect(issues['body/password']).toContain(String(MIN_PASSWORD_LENGTH));
    await expect(createUser(db, admin, { email: 'RILEY@t.test', name: 'Dup', password: 'long-enough' }, audit())).rejects.toBeInstanceOf(ConflictError);
  });

  it('lists with search, filters and paging; admin only', async () => {
    const admin = await principal(adminId);
    const all = await listUsers(db, admin);
    expect(all.total).toBe(3);
    expect(all.items.map((u) => u.email)).toEqual(['admin@t.test', 'new.user@example.com', 'riley@t.test']);
    expect((await listUsers(db, admin, { q: 'RILEY' })).items.map((u) => u.id)).toEqual([requesterId]);
    expect((await listUsers(db, admin, { q: 'new user' })).items.map((u) => u.id)).toEqual([newId]);
    expect((await listUsers(db, admin, { role: 'admin' })).items.map((u) => u.id)).toEqual([adminId]);
    const page2 = await listUsers(db, admin, { page: 2, pageSize: 2 });
    expect(page2).toMatchObject({ total: 3, page: 2, pageSize: 2 });
    expect(page2.items).toHaveLength(1);
    await expect(listUsers(db, await principal(requesterId))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(listUsers(db, admin, { pageSize: 1000 })).rejects.toBeInstanceOf(ValidationError);
  });

  it('updates name, roles and status with audit rows (disable / enable)', async () => {
    const admin = await principal(adminId);
    const updated = await updateUser(db, admin, newId, { name: 'Renamed', roles: ['requester'], status: 'disabled' }, audit());
    expect(updated).toMatchObject({ name: 'Renamed', roles: ['requester'], status: 'disabled' });
    const [event] = await db.auditEvent.findMany({ where: { action: 'user.disable', targetId: newId } });
    expect(event?.before).toMatchObject({ name: 'New User', roles: ['requester', 'approver'], status: 'active' });
    expect(event?.after).toMatchObject({ name: 'Renamed', roles: ['requester'], status: 'disabled' });
    expect(await loadPrincipal(db, newId, 'session')).toBeNull();
    await updateUser(db, admin, newId, { status: 'active' }, audit());
    expect(await db.auditEvent.count({ where: { action: 'user.enable', targetId: newId } })).toBe(1);
    // No change, no audit row.
    const before = await db.auditEvent.count();
    await updateUser(db, admin, newId, { name: 'Renamed' }, audit());
    expect(await db.auditEvent.count()).toBe(before);
    await expect(updateUser(db, admin, 'missing', { name: 'x' }, audit())).rejects.toBeInstanceOf(NotFoundError);
  });

  it('an admin cannot remove their own admin role or disable themselves', async () => {
    const admin = await principal(adminId);
    const issues = await issuesOf(updateUser(db, admin, adminId, { roles: ['requester'], status: 'disabled' }, audit()));
    expect(issues['body/roles']).toMatch(/own admin role/);
    expect(issues['body/status']).toMatch(/disable your own account/);
    expect((await db.user.findUniqueOrThrow({ where: { id: adminId } })).roles).toContain('admin');
    // Other self-edits are fine.
    expect((await updateUser(db, admin, adminId, { name: 'Ada A.', roles: ['admin'] }, audit())).roles).toEqual(['admin']);
  });

  it('non-admins and read-only admin tokens cannot write', async () => {
    await expect(updateUser(db, await principal(requesterId), requesterId, { roles: ['admin'] }, audit())).rejects.toBeInstanceOf(ForbiddenError);
    const adminRo = await principal(adminId, 'api_token', ['read']);
    await expect(createUser(db, adminRo, { email: 'x@t.test', name: 'X', password: 'long-enough' }, audit())).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('unlocks a locked-out user and audits it; a no-op unlock writes nothing', async () => {
    const admin = await principal(adminId);
    for (let i = 0; i < 5; i++) await verifyCredentials(db, { email: 'new.user@example.com', password: 'wrong password' });
    const locked = await getUser(db, admin, newId);
    expect(locked).toMatchObject({ locked: true, failedLoginCount: 5 });
    expect(locked.lockedUntil).not.toBeNull();
    const unlocked = await unlockUser(db, admin, newId, audit());
    expect(unlocked).toMatchObject({ locked: false, lockedUntil: null, failedLoginCount: 0 });
    expect(await db.auditEvent.count({ where: { action: 'user.unlock', targetId: newId } })).toBe(1);
    await unlockUser(db, admin, newId, audit());
    expect(await db.auditEvent.count({ where: { action: 'user.unlock', targetId: newId } })).toBe(1);
    expect((await verifyCredentials(db, { email: 'new.user@example.com', password: 'correct horse' })).ok).toBe(true);
  });

  it('resets a password (validated, hashed, audited without the secret)', async () => {
    const admin = await principal(adminId);
    expect(Object.keys(await issuesOf(resetUserPassword(db, admin, newId, { password: 'short' }, audit())))).toEqual(['body/password']);
    await resetUserPassword(db, admin, newId, { password: 'a brand new secret' }, audit());
    expect((await verifyCredentials(db, { email: 'new.user@example.com', password: 'a brand new secret' })).ok).toBe(true);
    const events = await db.auditEvent.findMany({ where: { action: 'user.password_reset', targetId: newId } });
    expect(events).toHaveLength(1);
    expect(JSON.stringify({ before: events[0]?.before, after: events[0]?.after })).not.toContain('a brand new secret');
  });

  it('getUser lists memberships', async () => {
    const project = await db.project.create({ data: { key: 'p1', name: 'P1', costCentre: 'CC', ownerId: adminId } });
    await db.projectMembership.create({ data: { projectId: project.id, userId: requesterId, role: 'approver' } });
    const user = await getUser(db, await principal(adminId), requesterId);
    expect(user.memberships).toEqual([{ projectId: project.id, key: 'p1', name: 'P1', role: 'approver' }]);
    expect(user.projectCount).toBe(1);
  });
});

describe('describePrincipal (GET /api/v1/me)', () => {
  it('returns roles, projects, capabilities and the navigation the caller may use', async () => {
    const me = await describePrincipal(db, await principal(requesterId));
    expect(me).toMatchObject({ id: requesterId, email: 'riley@t.test', roles: ['requester'], via: 'session' });
    expect(me.projects).toEqual([expect.objectContaining({ key: 'p1', role: 'approver', archived: false })]);
    expect(me.navigation.map((n) => n.href)).toEqual(['/catalog', '/requests', '/inventory']);
    expect(me.adminNavigation).toEqual([]);
    expect(me.capabilities).toContain('request:create');
    expect(me.capabilities).not.toContain('admin:users');
    const admin = await describePrincipal(db, await principal(adminId, 'api_token', ['read']));
    expect(admin.scopes).toEqual(['read']);
    expect(admin.capabilities).toContain('audit:read');
    expect(admin.capabilities).not.toContain('admin:users');
    const full = await describePrincipal(db, await principal(adminId));
    expect(full.adminNavigation.map((n) => n.label)).toEqual(['Projects', 'Users', 'Provider accounts', 'Policies', 'Catalog', 'Price book', 'Jobs', 'Audit log']);
  });
});
