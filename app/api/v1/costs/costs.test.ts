// Route-level: the real handlers, a real database, real API tokens; the upload is real multipart.
import { beforeAll, describe, expect, it } from 'vitest';
import { GET as getBudgets, POST as postBudget } from '@/app/api/v1/budgets/route';
import { PATCH as patchBudget } from '@/app/api/v1/budgets/[budgetId]/route';
import { GET as getBreakdown } from '@/app/api/v1/costs/breakdown/route';
import { GET as getImport } from '@/app/api/v1/costs/imports/[importId]/route';
import { GET as getLineItems } from '@/app/api/v1/costs/line-items/route';
import { POST as postImport } from '@/app/api/v1/costs/imports/route';
import { GET as getShowback } from '@/app/api/v1/costs/showback/route';
import { GET as getSummary } from '@/app/api/v1/costs/summary/route';
import { setHandlerDatabase } from '@/lib/api/handler';
import { createApiToken } from '@/lib/auth/api-tokens';
import { auditContext, SYSTEM_ACTOR } from '@/lib/audit/record';
import { setBillingConnectionString } from '@/lib/billing/connection';
import { focusCsv } from '@/lib/billing/testing';
import type { Db } from '@/lib/db/client';
import { createTestDatabase } from '@/lib/testing/db';
import { callRoute } from '@/lib/testing/routes';

let db: Db;
const tokens = { admin: '', adminRo: '', owner: '', requester: '' };
const ids = { shop: '', data: '' };

beforeAll(async () => {
  const created = await createTestDatabase();
  db = created.db;
  setHandlerDatabase(() => db);
  setBillingConnectionString(created.url);
  const mk = (email: string, roles: ('requester' | 'approver' | 'admin')[]) => db.user.create({ data: { email, name: email, roles } });
  const admin = await mk('admin@r.test', ['requester', 'approver', 'admin']);
  const owner = await mk('owner@r.test', ['requester']);
  const requester = await mk('req@r.test', ['requester']);
  ids.shop = (await db.project.create({ data: { key: 'shop', name: 'Shop', costCentre: 'CC-1', ownerId: owner.id } })).id;
  ids.data = (await db.project.create({ data: { key: 'data', name: 'Data', costCentre: 'CC-2', ownerId: admin.id } })).id;
  await db.projectMembership.create({ data: { projectId: ids.shop, userId: owner.id, role: 'owner' } });
  await db.projectMembership.create({ data: { projectId: ids.data, userId: requester.id, role: 'member' } });
  const ctx = auditContext(SYSTEM_ACTOR);
  const token = async (userId: string, scopes: ('read' | 'write')[]) => (await createApiToken(db, userId, { name: 't', scopes }, ctx)).token;
  tokens.admin = await token(admin.id, ['read', 'write']);
  tokens.adminRo = await token(admin.id, ['read']);
  tokens.owner = await token(owner.id, ['read', 'write']);
  tokens.requester = await token(requester.id, ['read', 'write']);
});

async function upload(token: string, content: string, name = 'focus.csv', fields: Record<string, string> = {}) {
  const form = new FormData();
  form.set('file', new File([content], name, { type: 'text/csv' }));
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  const response = await postImport(new Request('http://localhost/api/v1/costs/imports', { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form }), {
    params: Promise.resolve({}),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function waitForImport(id: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await callRoute(getImport, { url: `/api/v1/costs/imports/${id}`, token: tokens.admin, params: { importId: id } });
    if (res.json && res.json.status !== 'queued' && res.json.status !== 'running') return res.json;
    if (Date.now() > deadline) throw new Error(`import ${id} still ${String(res.json?.status)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('POST /api/v1/costs/imports', () => {
  it('accepts a multipart FOCUS file (202), imports it in the background, and the summary shows it', async () => {
    const csv = focusCsv([
      { provider: 'AWS', start: '2026-04-01T00:00:00Z', billed: '1.10', tags: { project: 'shop' } },
      { provider: 'Microsoft', start: '2026-04-02T00:00:00Z', billed: '2.20', tags: { project: 'data' } },
    ]);
    const res = await upload(tokens.admin, csv);
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ status: 'queued', fileName: 'focus.csv' });
    const done = await waitForImport(String(res.json.id));
    expect(done).toMatchObject({ status: 'succeeded', rowCount: 2 });
    const summary = await callRoute(getSummary, { url: '/api/v1/costs/summary?start=2026-04-01&end=2026-05-01', token: tokens.admin });
    expect(summary.status).toBe(200);
    expect(summary.json).toMatchObject({
      currency: 'USD',
      totals: [
        { provider: 'Microsoft', billedCost: '2.20', effectiveCost: '2.20' },
        { provider: 'AWS', billedCost: '1.10', effectiveCost: '1.10' },
      ],
    });
  });

  it('reports a malformed file with row-level errors through getCostImport', async () => {
    const bad = focusCsv([{ provider: 'AWS', start: '2026-04-01T00:00:00Z', billed: 'lots', effective: '1' }]);
    const res = await upload(tokens.admin, bad, 'bad.csv');
    const done = await waitForImport(String(res.json.id));
    expect(done).toMatchObject({ status: 'failed', errors: [{ row: 2, column: 'BilledCost', value: 'lots' }] });
  });

  it('refuses non-admins (403), read-only tokens (403) and a missing file (400)', async () => {
    const csv = focusCsv([{ provider: 'AWS', start: '2026-04-01T00:00:00Z', billed: '1' }]);
    expect((await upload(tokens.owner, csv)).status).toBe(403);
    expect((await upload(tokens.adminRo, csv)).status).toBe(403);
    const form = new FormData();
    form.set('providerName', 'x');
    const response = await postImport(new Request('http://localhost/api/v1/costs/imports', { method: 'POST', headers: { authorization: `Bearer ${tokens.admin}` }, body: form }), { params: Promise.resolve({}) });
    expect(response.status).toBe(400);
  });
});

describe('project scoping over the API', () => {
  it('an owner sees only their project; a requester sees nothing and gets 403 for another project', async () => {
    const mine = await callRoute(getSummary, { url: '/api/v1/costs/summary?start=2026-04-01&end=2026-05-01', token: tokens.owner });
    expect(mine.json).toMatchObject({ totals: [{ provider: 'AWS', billedCost: '1.10' }] });
    const none = await callRoute(getSummary, { url: '/api/v1/costs/summary?start=2026-04-01&end=2026-05-01', token: tokens.requester });
    expect(none.json).toMatchObject({ totals: [] });
    const other = await callRoute(getBreakdown, { url: `/api/v1/costs/breakdown?start=2026-04-01&end=2026-05-01&projectId=${ids.shop}`, token: tokens.requester });
    expect(other.status).toBe(403);
  });

  it('validates query input with 400s, never 500s', async () => {
    for (const q of ['start=2026-13-01&end=2026-05-01', 'start=2026-05-01&end=2026-04-01', 'start=x&end=y', 'start=2026-04-01&end=2026-05-01&groupBy=nope']) {
      const res = await callRoute(getBreakdown, { url: `/api/v1/costs/breakdown?${q}`, token: tokens.admin });
      expect(res.status, q).toBe(400);
    }
  });

  it('breakdown by project pivoted by provider', async () => {
    const res = await callRoute(getBreakdown, { url: '/api/v1/costs/breakdown?start=2026-04-01&end=2026-05-01&groupBy=project&pivot=provider', token: tokens.admin });
    expect(res.status).toBe(200);
    const rows = res.json!.rows as { label: string; cells: Record<string, { billedCost: string }> }[];
    expect(rows.map((r) => [r.label, Object.keys(r.cells)])).toEqual([['Data', ['Microsoft']], ['Shop', ['AWS']]]);
  });

  it('line items: the rows behind a cell, paged, scoped', async () => {
    const res = await callRoute(getLineItems, { url: '/api/v1/costs/line-items?start=2026-04-01&end=2026-05-01&provider=AWS&pageSize=1', token: tokens.admin });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ total: 1, page: 1, pageSize: 1, items: [{ providerName: 'AWS', billedCost: '1.10', projectId: ids.shop, tags: { project: 'shop' } }] });
    const none = await callRoute(getLineItems, { url: '/api/v1/costs/line-items?start=2026-04-01&end=2026-05-01', token: tokens.requester });
    expect(none.json).toMatchObject({ total: 0, items: [] });
  });

  it('showback CSV is text/csv with totals and lines', async () => {
    const response = await getShowback(new Request('http://localhost/api/v1/costs/showback?month=2026-04', { headers: { authorization: `Bearer ${tokens.admin}` } }), { params: Promise.resolve({}) });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/csv/);
    const text = await response.text();
    expect(text).toContain('total,shop,shop,Shop,CC-1,USD,1.10,1.10');
    expect(text.split('\r\n').filter((l) => l.startsWith('line,'))).toHaveLength(2);
  });
});

describe('/api/v1/budgets', () => {
  it('admin creates and updates; an owner lists their own; a requester gets 403 for a foreign project', async () => {
    const created = await callRoute(postBudget, { url: '/api/v1/budgets', method: 'POST', token: tokens.admin, body: { name: 'Shop', projectId: ids.shop, amount: '100' } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ alertThresholds: [50, 80, 100], amount: '100.00' });
    const patched = await callRoute(patchBudget, { url: `/api/v1/budgets/${String(created.json!.id)}`, method: 'PATCH', token: tokens.admin, params: { budgetId: String(created.json!.id) }, body: { amount: '120.5' } });
    expect(patched.json).toMatchObject({ amount: '120.50' });
    const own = await callRoute(getBudgets, { url: '/api/v1/budgets', token: tokens.owner });
    expect((own.json!.items as unknown[]).length).toBe(1);
    expect((await callRoute(postBudget, { url: '/api/v1/budgets', method: 'POST', token: tokens.owner, body: { name: 'x', projectId: ids.shop, amount: '1' } })).status).toBe(403);
    expect((await callRoute(getBudgets, { url: `/api/v1/budgets?projectId=${ids.shop}`, token: tokens.requester })).status).toBe(403);
    expect((await callRoute(postBudget, { url: '/api/v1/budgets', method: 'POST', token: tokens.admin, body: { name: 'x', projectId: ids.shop, amount: '-1' } })).status).toBe(400);
  });
});
