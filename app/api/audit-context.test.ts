// The request id and client IP reach the audit row, through handle() (API) and authAction (forms).
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { setActionRequestSource } from '@/lib/actions/safe-action';
import { setHandlerDatabase } from '@/lib/api/handler';
import { createApiToken } from '@/lib/auth/api-tokens';
import { auditContext, SYSTEM_ACTOR } from '@/lib/audit/record';
import type { Db } from '@/lib/db/client';
import { createTestDatabase } from '@/lib/testing/db';
import { sessionCookie } from '@/lib/testing/session';
import { createTokenAction } from '../(portal)/profile/actions';
import { POST as createTokenRoute } from './v1/me/tokens/route';

process.env.SKYPORT_SECRET_KEY ??= randomBytes(32).toString('base64');

let db: Db;
let userId = '';
beforeAll(async () => {
  ({ db } = await createTestDatabase());
  setHandlerDatabase(() => db);
  userId = (await db.user.create({ data: { email: 'ctx@test.skyport', name: 'Ctx', roles: ['requester'] } })).id;
});

describe('audit context', () => {
  it('API: the x-request-id and the first x-forwarded-for address are recorded with the actor', async () => {
    const { token, record: bearer } = await createApiToken(db, userId, { name: 'rw', scopes: ['read', 'write'] }, auditContext(SYSTEM_ACTOR));
    const response = await createTokenRoute(
      new Request('http://localhost/api/v1/me/tokens', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-request-id': 'req-api-77', 'x-forwarded-for': '198.51.100.7, 10.0.0.1' },
        body: JSON.stringify({ name: 'from-api', scopes: ['read'] }),
      }),
      { params: Promise.resolve({}) },
    );
    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-id')).toBe('req-api-77');
    const row = await db.auditEvent.findFirstOrThrow({ where: { requestId: 'req-api-77' } });
    expect(row).toMatchObject({ ip: '198.51.100.7', actorType: 'api_token', actorId: userId });
    expect(row.actorLabel).toContain(bearer.id);
  });

  it('server action: the same from the action request headers, actor from the session', async () => {
    const cookie = await sessionCookie(userId);
    setActionRequestSource({ db: () => db, headers: async () => new Headers({ cookie, 'x-request-id': 'req-form-88', 'x-forwarded-for': '192.0.2.44' }) });
    const form = new FormData();
    form.set('name', 'from-form');
    form.append('scopes', 'read');
    form.set('expiresInDays', '30');
    // revalidatePath needs Next's request store; the token (and its audit row) is committed before it runs.
    await createTokenAction(null, form).catch((error: unknown) => expect(String(error)).toMatch(/static generation store|revalidatePath|Invariant/i));
    setActionRequestSource(null);
    const row = await db.auditEvent.findFirstOrThrow({ where: { requestId: 'req-form-88' } });
    expect(row).toMatchObject({ ip: '192.0.2.44', actorType: 'user', actorId: userId, actorLabel: 'ctx@test.skyport', action: expect.stringContaining('token') });
  });
});
