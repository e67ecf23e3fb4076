import { beforeAll, describe, expect, it } from 'vitest';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import type { Db } from '../db/client';
import { createTestDatabase } from '../testing/db';
import { createApiToken, resolveApiToken, revokeApiToken } from './api-tokens';
import { lockDurationMs, MAX_FREE_FAILURES, verifyCredentials } from './credentials';
import { hashPassword } from './password';
import { principalFromHeaders } from './request-principal';
import { oidcSettingsFromEnv, rolesFromClaims, upsertOidcUser } from './oidc';
import { assertCan, can, canAccessProject, navigationFor } from './permissions';
import type { Principal } from './principal';

let db: Db;
beforeAll(async () => {
  ({ db } = await createTestDatabase());
});

function principal(roles: Principal['roles'], extra: Partial<Principal> = {}): Principal {
  return { via: 'session', userId: 'u1', email: 'u@x', name: 'U', roles, projects: {}, ...extra };
}

describe('permissions', () => {
  it('gives each role its own navigation', () => {
    expect(navigationFor(principal(['requester'])).map((n) => n.label)).toEqual(['Catalog', 'My requests', 'Inventory']);
    expect(navigationFor(principal(['requester', 'approver'])).map((n) => n.label)).toEqual(['Catalog', 'My requests', 'Approvals', 'Inventory']);
    expect(navigationFor(principal(['requester', 'approver', 'admin'])).map((n) => n.label)).toEqual([
      'Catalog', 'My requests', 'Approvals', 'Inventory', 'Costs', 'Admin',
    ]);
  });

  it('only admins see costs and audit', () => {
    expect(can(principal(['requester', 'approver']), 'cost:read')).toBe(false);
    expect(can(principal(['requester', 'approver']), 'audit:read')).toBe(false);
    expect(can(principal(['admin']), 'audit:read')).toBe(true);
    expect(() => assertCan(principal(['requester']), 'admin:users')).toThrow(/does not allow/);
  });

  it('scopes projects by membership, admins see all', () => {
    const member = principal(['requester'], { projects: { p1: 'member' } });
    expect(canAccessProject(member, 'p1')).toBe(true);
    expect(canAccessProject(member, 'p2')).toBe(false);
    expect(canAccessProject(principal(['admin']), 'p2')).toBe(true);
  });

  it('limits read-scoped tokens to read capabilities', () => {
    const token = principal(['requester'], { via: 'api_token', scopes: ['read'] });
    expect(can(token, 'catalog:read')).toBe(true);
    expect(can(token, 'request:create')).toBe(false);
    expect(can({ ...token, scopes: ['read', 'write'] }, 'request:create')).toBe(true);
  });
});

describe('local sign-in with lockout', () => {
  it('accepts the right password, locks after repeated failures with growing back-off, and audits it', async () => {
    const user = await db.user.create({
      data: { email: 'lock@test.skyport', name: 'Lock', passwordHash: await hashPassword('correct horse') },
    });
    const now = new Date('2026-01-01T00:00:00Z');
    expect(await verifyCredentials(db, { email: ' LOCK@test.skyport ', password: 'correct horse' }, now)).toEqual({ ok: true, userId: user.id });

    for (let i = 1; i < MAX_FREE_FAILURES; i++) {
      expect(await verifyCredentials(db, { email: 'lock@test.skyport', password: 'wrong' }, now)).toEqual({ ok: false, reason: 'invalid' });
    }
    const locked = await verifyCredentials(db, { email: 'lock@test.skyport', password: 'wrong' }, now);
    expect(locked).toEqual({ ok: false, reason: 'locked', retryAfterSeconds: 30 });
    // Even the right password is refused while locked.
    const during = await verifyCredentials(db, { email: 'lock@test.skyport', password: 'correct horse' }, new Date(now.getTime() + 10_000));
    expect(during).toMatchObject({ ok: false, reason: 'locked' });
    // After the lock expires, the right password works and resets the counter.
    const after = await verifyCredentials(db, { email: 'lock@test.skyport', password: 'correct horse' }, new Date(now.getTime() + 31_000));
    expect(after).toEqual({ ok: true, userId: user.id });
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).failedLoginCount).toBe(0);

    const actions = (await db.auditEvent.findMany({ where: { targetId: user.id }, orderBy: { id: 'asc' } })).map((e) => e.action);
    expect(actions).toContain('auth.locked_out');
    expect(actions.filter((a) => a === 'auth.sign_in')).toHaveLength(2);
    expect(lockDurationMs(MAX_FREE_FAILURES + 1)).toBe(60_000);
    expect(lockDurationMs(100)).toBe(15 * 60_000);
  });

  it('does not reveal whether an e-mail exists, and refuses disabled users', async () => {
    expect(await verifyCredentials(db, { email: 'nobody@test.skyport', password: 'x' })).toEqual({ ok: false, reason: 'invalid' });
    await db.user.create({
      data: { email: 'off@test.skyport', name: 'Off', status: 'disabled', passwordHash: await hashPassword('pw-pw-pw-pw') },
    });
    expect(await verifyCredentials(db, { email: 'off@test.skyport', password: 'pw-pw-pw-pw' })).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('API tokens', () => {
  it('authenticates with a bearer token until it is revoked; only a hash is stored', async () => {
    const user = await db.user.create({ data: { email: 'tok@test.skyport', name: 'Tok', roles: ['requester'] } });
    const ctx = auditContext(SYSTEM_ACTOR);
    const { token, record } = await createApiToken(db, user.id, { name: 'ci', scopes: ['read'] }, ctx);
    expect(token).toMatch(/^skp_/);
    const stored = await db.apiToken.findUniqueOrThrow({ where: { id: record.id } });
    expect(stored.tokenHash).not.toContain(token.slice(4));

    const resolved = await principalFromHeaders(db, new Headers({ authorization: `Bearer ${token}` }));
    expect(resolved.principal?.userId).toBe(user.id);
    expect(resolved.principal?.scopes).toEqual(['read']);

    await revokeApiToken(db, user.id, record.id, ctx);
    expect(await resolveApiToken(db, token)).toBeNull();
    expect((await principalFromHeaders(db, new Headers({ authorization: `Bearer ${token}` }))).principal).toBeNull();
    expect((await principalFromHeaders(db, new Headers())).principal).toBeNull();
  });

  it('rejects expired tokens', async () => {
    const user = await db.user.create({ data: { email: 'exp@test.skyport', name: 'Exp' } });
    const { token } = await createApiToken(db, user.id, { name: 'short', expiresInDays: 1 }, auditContext(SYSTEM_ACTOR));
    expect(await resolveApiToken(db, token, new Date(Date.now() + 2 * 86_400_000))).toBeNull();
  });
});

describe('OIDC', () => {
  const env = {
    OIDC_ISSUER: 'https://idp.example.com/realms/corp/',
    OIDC_CLIENT_ID: 'skyport',
    OIDC_CLIENT_SECRET: 's3cret',
    OIDC_ROLE_MAP: 'skyport-admins=admin, skyport-approvers=approver',
  };

  it('reads settings from the environment and rejects bad role maps', () => {
    const settings = oidcSettingsFromEnv(env)!;
    expect(settings.issuer).toBe('https://idp.example.com/realms/corp');
    expect(settings.roleMap).toEqual({ 'skyport-admins': 'admin', 'skyport-approvers': 'approver' });
    expect(oidcSettingsFromEnv({})).toBeNull();
    expect(() => oidcSettingsFromEnv({ ...env, OIDC_ROLE_MAP: 'x=superuser' })).toThrow(/unknown role "superuser"/);
    expect(() => oidcSettingsFromEnv({ OIDC_ISSUER: 'not a url' })).toThrow(/OIDC_ISSUER/);
  });

  it('maps group claims to roles, with a default', () => {
    const settings = oidcSettingsFromEnv(env)!;
    expect(rolesFromClaims({ groups: ['skyport-admins', 'other'] }, settings)).toEqual(['requester', 'admin']);
    expect(rolesFromClaims({ groups: 'skyport-approvers' }, settings)).toEqual(['requester', 'approver']);
    expect(rolesFromClaims({}, settings)).toEqual(['requester']);
  });

  it('creates the user on first sign-in and updates roles on the next', async () => {
    const settings = oidcSettingsFromEnv(env)!;
    const first = await upsertOidcUser(db, { sub: 'abc', email: 'Sso@Example.com', email_verified: true, name: 'S', groups: ['skyport-approvers'] }, settings);
    expect(first.email).toBe('sso@example.com');
    expect(first.roles).toEqual(['requester', 'approver']);
    const second = await upsertOidcUser(db, { sub: 'abc', email: 'sso@example.com', groups: ['skyport-admins'] }, settings);
    expect(second.id).toBe(first.id);
    expect(second.roles).toEqual(['requester', 'admin']);
  });
});
