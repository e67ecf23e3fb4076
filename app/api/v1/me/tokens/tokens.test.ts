// Personal API tokens through the API, authenticated with real Bearer tokens.
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { setHandlerDatabase } from '@/lib/api/handler';
import { createApiToken } from '@/lib/auth/api-tokens';
import { auditContext, SYSTEM_ACTOR } from '@/lib/audit/record';
import type { Db } from '@/lib/db/client';
import { createTestDatabase } from '@/lib/testing/db';
import * as collection from './route';
import * as item from './[tokenId]/route';

process.env.SKYPORT_SECRET_KEY ??= randomBytes(32).toString('base64');

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

function call(handler: Handler, method: string, path: string, options: { token?: string; body?: unknown; params?: Record<string, string> } = {}) {
  const headers = new Headers();
  if (options.token) headers.set('authorization', `Bearer ${options.token}`);
  if (options.body !== undefined) headers.set('content-type', 'application/json');
  const request = new Request(`http://localhost${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  return handler(request, { params: Promise.resolve(options.params ?? {}) });
}

interface TokenView { id: string; name: string; prefix: string; scopes: string[]; expiresAt: string | null; revokedAt: string | null }

describe('API tokens API (/api/v1/me/tokens)', () => {
  let db: Db;
  let userId = '';
  let token = '';
  let otherUsersTokenId = '';

  beforeAll(async () => {
    ({ db } = await createTestDatabase());
    setHandlerDatabase(() => db);
    const user = await db.user.create({ data: { email: 'tok@test.skyport', name: 'Toke', roles: ['requester'] } });
    const other = await db.user.create({ data: { email: 'other@test.skyport', name: 'Other', roles: ['requester'] } });
    userId = user.id;
    token = (await createApiToken(db, user.id, { name: 'bootstrap', scopes: ['read', 'write'] }, auditContext(SYSTEM_ACTOR))).token;
    otherUsersTokenId = (await createApiToken(db, other.id, { name: 'theirs', scopes: ['read'] }, auditContext(SYSTEM_ACTOR))).record.id;
  });

  it('lists only my tokens, never their values or hashes', async () => {
    const response = await call(collection.GET, 'GET', '/api/v1/me/tokens', { token });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain(token);
    expect(text).not.toContain('tokenHash');
    const { tokens } = JSON.parse(text) as { tokens: TokenView[] };
    expect(tokens.map((t) => t.name)).toEqual(['bootstrap']);
    expect(token.startsWith(tokens[0]!.prefix)).toBe(true);
  });

  it('creates a token shown once (201), usable as Bearer within its scopes', async () => {
    const response = await call(collection.POST, 'POST', '/api/v1/me/tokens', { token, body: { name: 'ci', scopes: ['read'], expiresInDays: 30 } });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { token: string; record: TokenView };
    expect(created.token).toMatch(/^skp_[\w-]{40,}$/);
    expect(created.record).toMatchObject({ name: 'ci', scopes: ['read'], prefix: created.token.slice(0, 12), revokedAt: null });
    const days = (Date.parse(created.record.expiresAt!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    // A read-only token may not manage tokens.
    const denied = await call(collection.GET, 'GET', '/api/v1/me/tokens', { token: created.token });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { detail: string }).detail).toContain('scopes');
    // The value is never shown again.
    const list = await (await call(collection.GET, 'GET', '/api/v1/me/tokens', { token })).text();
    expect(list).not.toContain(created.token);
    expect(JSON.parse(list).tokens).toHaveLength(2);
    const audit = await db.auditEvent.findFirst({ where: { action: 'api_token.create', targetId: created.record.id } });
    expect(audit?.actorId).toBe(userId);
    expect(JSON.stringify({ ...audit, id: String(audit?.id) })).not.toContain(created.token);
  });

  it('creates a non-expiring token with expiresInDays null', async () => {
    const response = await call(collection.POST, 'POST', '/api/v1/me/tokens', { token, body: { name: 'forever', scopes: ['read', 'write'], expiresInDays: null } });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { record: TokenView }).record.expiresAt).toBeNull();
  });

  it('rejects invalid input with field errors', async () => {
    const response = await call(collection.POST, 'POST', '/api/v1/me/tokens', { token, body: { name: ' ', scopes: [], expiresInDays: 1000 } });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await response.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((e) => e.field).sort()).toEqual(['body/expiresInDays', 'body/name', 'body/scopes']);
    const badScope = await call(collection.POST, 'POST', '/api/v1/me/tokens', { token, body: { name: 'x', scopes: ['admin'] } });
    expect(badScope.status).toBe(400);
  });

  it('revokes my token (204, idempotent); the revoked token stops working', async () => {
    const created = (await (await call(collection.POST, 'POST', '/api/v1/me/tokens', { token, body: { name: 'short-lived', scopes: ['read', 'write'] } })).json()) as {
      token: string;
      record: TokenView;
    };
    expect((await call(collection.GET, 'GET', '/api/v1/me/tokens', { token: created.token })).status).toBe(200);
    const path = `/api/v1/me/tokens/${created.record.id}`;
    const revoked = await call(item.DELETE, 'DELETE', path, { token, params: { tokenId: created.record.id } });
    expect(revoked.status).toBe(204);
    expect(await revoked.text()).toBe('');
    expect((await call(item.DELETE, 'DELETE', path, { token, params: { tokenId: created.record.id } })).status).toBe(204);
    const rejected = await call(collection.GET, 'GET', '/api/v1/me/tokens', { token: created.token });
    expect(rejected.status).toBe(401);
    expect(await db.auditEvent.count({ where: { action: 'api_token.revoke', targetId: created.record.id } })).toBe(1);
    const listed = ((await (await call(collection.GET, 'GET', '/api/v1/me/tokens', { token })).json()) as { tokens: TokenView[] }).tokens;
    expect(listed.find((t) => t.id === created.record.id)?.revokedAt).not.toBeNull();
  });

  it("cannot revoke someone else's token (404)", async () => {
    const response = await call(item.DELETE, 'DELETE', `/api/v1/me/tokens/${otherUsersTokenId}`, { token, params: { tokenId: otherUsersTokenId } });
    expect(response.status).toBe(404);
    expect((await db.apiToken.findUnique({ where: { id: otherUsersTokenId } }))?.revokedAt).toBeNull();
  });

  it('needs authentication', async () => {
    expect((await call(collection.GET, 'GET', '/api/v1/me/tokens')).status).toBe(401);
  });
});
