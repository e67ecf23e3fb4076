// The audit log API: filters, newest-first keyset paging, validation and authorization.
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { setHandlerDatabase } from '@/lib/api/handler';
import { createApiToken } from '@/lib/auth/api-tokens';
import { auditContext, SYSTEM_ACTOR } from '@/lib/audit/record';
import type { Db } from '@/lib/db/client';
import { createTestDatabase } from '@/lib/testing/db';
import { GET } from './route';

process.env.SKYPORT_SECRET_KEY ??= randomBytes(32).toString('base64');

interface EventView { id: string; at: string; actorLabel: string; action: string; targetType: string; targetId: string | null; before: unknown; after: unknown; requestId: string | null }
interface Page { events: EventView[]; nextCursor: string | null }

describe('audit events API (/api/v1/audit-events)', () => {
  let db: Db;
  let adminToken = '';
  let requesterToken = '';

  async function list(query: Record<string, string> = {}, token = adminToken) {
    const url = new URL('http://localhost/api/v1/audit-events');
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return GET(new Request(url, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({}) });
  }
  async function page(query: Record<string, string> = {}): Promise<Page> {
    const response = await list(query);
    expect(response.status).toBe(200);
    return (await response.json()) as Page;
  }

  beforeAll(async () => {
    ({ db } = await createTestDatabase());
    setHandlerDatabase(() => db);
    const admin = await db.user.create({ data: { email: 'admin@test.skyport', name: 'Admin', roles: ['requester', 'admin'] } });
    const requester = await db.user.create({ data: { email: 'req@test.skyport', name: 'Req', roles: ['requester'] } });
    const ctx = auditContext(SYSTEM_ACTOR);
    // A read-scoped token is enough for audit:read.
    adminToken = (await createApiToken(db, admin.id, { name: 'audit', scopes: ['read'] }, ctx)).token;
    requesterToken = (await createApiToken(db, requester.id, { name: 'r', scopes: ['read', 'write'] }, ctx)).token;
    const rows = [
      { at: '2025-03-01T10:00:00Z', actorLabel: 'alice@corp.example', action: 'project.create', targetType: 'project', targetId: 'p1', after: { name: 'One' } },
      { at: '2025-03-02T10:00:00Z', actorLabel: 'bob@corp.example', action: 'project.update', targetType: 'project', targetId: 'p1', before: { name: 'One' }, after: { name: 'Uno' } },
      { at: '2025-03-02T23:30:00Z', actorLabel: 'alice@corp.example', action: 'provider_account.create', targetType: 'provider_account', targetId: 'a1' },
      { at: '2025-03-03T08:00:00Z', actorLabel: 'system', action: 'provider_account.sync', targetType: 'provider_account', targetId: 'a1', after: { total: 3 } },
      { at: '2025-03-04T08:00:00Z', actorLabel: 'bob@corp.example', action: 'request.submit', targetType: 'request', targetId: 'r1', requestId: 'req-123' },
    ];
    for (const row of rows) {
      await db.auditEvent.create({ data: { ...row, at: new Date(row.at), actorType: row.actorLabel === 'system' ? 'system' : 'user' } });
    }
  });

  it('lists newest first with the event fields', async () => {
    const { events, nextCursor } = await page({ targetType: 'project' });
    expect(events.map((e) => e.action)).toEqual(['project.update', 'project.create']);
    expect(events[0]).toMatchObject({ actorLabel: 'bob@corp.example', targetId: 'p1', before: { name: 'One' }, after: { name: 'Uno' } });
    expect(nextCursor).toBeNull();
    const all = await page();
    const ids = all.events.map((e) => BigInt(e.id));
    expect([...ids].sort((a, b) => (a > b ? -1 : 1))).toEqual(ids);
  });

  it('filters by actor (substring, any case), action prefix, target and time', async () => {
    expect((await page({ actor: 'ALICE' })).events.map((e) => e.action).sort()).toEqual(['project.create', 'provider_account.create']);
    expect((await page({ action: 'provider_account.' })).events).toHaveLength(2);
    expect((await page({ targetType: 'provider_account', targetId: 'a1', actor: 'system' })).events.map((e) => e.action)).toEqual(['provider_account.sync']);
    // A bare `to` date includes that whole day.
    const window = await page({ targetType: 'project', from: '2025-03-02', to: '2025-03-02' });
    expect(window.events.map((e) => e.action)).toEqual(['project.update']);
    expect((await page({ from: '2025-03-02', to: '2025-03-02' })).events).toHaveLength(2);
    expect((await page({ from: '2025-03-03T00:00:00Z' })).events.map((e) => e.requestId)).toContain('req-123');
    expect((await page({ actor: 'nobody' })).events).toEqual([]);
  });

  it('pages with a keyset cursor until nextCursor is null', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const result: Page = await page({ limit: '2', ...(cursor ? { cursor } : {}) });
      expect(result.events.length).toBeLessThanOrEqual(2);
      seen.push(...result.events.map((e) => e.id));
      cursor = result.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    const total = await db.auditEvent.count();
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(pages).toBe(Math.ceil(total / 2));
  });

  it('rejects invalid filters with 400 field errors', async () => {
    const invalid: Record<string, string>[] = [{ limit: '0' }, { limit: '500' }, { cursor: 'abc' }, { from: 'not-a-date' }];
    for (const query of invalid) {
      const response = await list(query);
      expect(response.status, JSON.stringify(query)).toBe(400);
      const problem = (await response.json()) as { errors: { field: string }[] };
      expect(problem.errors[0]!.field).toBe(`query/${Object.keys(query)[0]}`);
    }
  });

  it('is for auditors only', async () => {
    expect((await list({}, requesterToken)).status).toBe(403);
    expect((await GET(new Request('http://localhost/api/v1/audit-events'), { params: Promise.resolve({}) })).status).toBe(401);
  });
});
