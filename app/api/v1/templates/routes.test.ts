// Catalog and price-book routes: the real handlers, a real database and real API tokens.
import { beforeAll, describe, expect, it } from 'vitest';
import { PATCH as patchRule, DELETE as deleteRule } from '@/app/api/v1/price-rules/[ruleId]/route';
import { GET as listRules, POST as postRule } from '@/app/api/v1/price-rules/route';
import { DELETE as deleteRate, PATCH as patchRate } from '@/app/api/v1/prices/[rateId]/route';
import { POST as postImport } from '@/app/api/v1/prices/imports/route';
import { GET as listPrices, POST as postPrice } from '@/app/api/v1/prices/route';
import { GET as listTypes } from '@/app/api/v1/instance-types/route';
import { GET as getOne, PATCH as patchOne } from '@/app/api/v1/templates/[templateId]/route';
import { GET as versions } from '@/app/api/v1/templates/[templateId]/versions/route';
import { GET as list, POST as create } from '@/app/api/v1/templates/route';
import { setHandlerDatabase } from '@/lib/api/handler';
import { createApiToken } from '@/lib/auth/api-tokens';
import { auditContext, SYSTEM_ACTOR } from '@/lib/audit/record';
import { upsertInstanceTypes } from '@/lib/catalog/instance-types';
import type { Db } from '@/lib/db/client';
import { createTestDatabase } from '@/lib/testing/db';
import { callRoute as call } from '@/lib/testing/routes';

let db: Db;
const tokens = { admin: '', adminRo: '', requester: '' };

const template = {
  slug: 'web',
  name: 'Web',
  os: 'Ubuntu',
  sizes: [{ name: 'small', vcpus: 2, memoryMiB: 4096, diskGiB: 40 }],
  mappings: [{ providerKind: 'aws', instanceTypes: { small: 't3.medium' }, image: 'ami' }],
  parameters: [{ name: 'environment', label: 'Environment', type: 'enum', required: true, options: ['dev', 'prod'] }],
};

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  setHandlerDatabase(() => db);
  const ctx = auditContext(SYSTEM_ACTOR);
  const admin = await db.user.create({ data: { email: 'admin@t.test', name: 'Admin', roles: ['requester', 'admin'] } });
  const requester = await db.user.create({ data: { email: 'req@t.test', name: 'Req', roles: ['requester'] } });
  tokens.admin = (await createApiToken(db, admin.id, { name: 't', scopes: ['read', 'write'] }, ctx)).token;
  tokens.adminRo = (await createApiToken(db, admin.id, { name: 't', scopes: ['read'] }, ctx)).token;
  tokens.requester = (await createApiToken(db, requester.id, { name: 't', scopes: ['read', 'write'] }, ctx)).token;
  await db.priceBook.create({ data: { name: 'List', effectiveFrom: new Date(Date.UTC(2020, 0, 1)) } });
  await upsertInstanceTypes(db, 'aws', 'us-east-1', [{ id: 't3.medium', name: 't3.medium', vcpus: 2, memoryMiB: 4096 }, { id: 'm5.large', name: 'm5.large', vcpus: 2, memoryMiB: 8192 }]);
});

describe('/api/v1/templates', () => {
  let id = '';

  it('POST creates version 1 (201); bad input is 400 with field errors; requesters get 403', async () => {
    const res = await call(create, { url: '/api/v1/templates', method: 'POST', token: tokens.admin, body: template });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ version: 1, definition: { slug: 'web', allowedProviderKinds: [] } });
    id = String(res.json!.id);

    const bad = await call(create, { url: '/api/v1/templates', method: 'POST', token: tokens.admin, body: { ...template, slug: 'bad', mappings: [{ providerKind: 'aws', instanceTypes: { huge: 't3.medium' }, image: 'ami' }] } });
    expect(bad.status).toBe(400);
    expect((bad.json!.errors as { field: string }[]).map((e) => e.field)).toEqual(expect.arrayContaining(['body/mappings/0/instanceTypes/huge', 'body/sizes/0/name']));
    const unknownType = await call(create, { url: '/api/v1/templates', method: 'POST', token: tokens.admin, body: { ...template, slug: 'typo', mappings: [{ providerKind: 'aws', instanceTypes: { small: 't3.mediun' }, image: 'ami' }] } });
    expect(unknownType.json!.errors).toEqual([{ field: 'body/mappings/0/instanceTypes/small', message: 't3.mediun is not an instance type aws offers.' }]);
    expect((await call(create, { url: '/api/v1/templates', method: 'POST', token: tokens.admin, body: template })).status).toBe(409);
    expect((await call(create, { url: '/api/v1/templates', method: 'POST', token: tokens.requester, body: { ...template, slug: 'x' } })).status).toBe(403);
    expect((await call(create, { url: '/api/v1/templates', method: 'POST', token: tokens.adminRo, body: { ...template, slug: 'x' } })).status).toBe(403);
    expect((await call(create, { url: '/api/v1/templates', method: 'POST', body: template })).status).toBe(401);
  });

  it('PATCH makes version 2; GET ?version=1 still shows the old definition; versions lists the diff', async () => {
    const patched = await call(patchOne, { url: `/api/v1/templates/${id}`, method: 'PATCH', token: tokens.admin, params: { templateId: id }, body: { mappings: [{ providerKind: 'aws', instanceTypes: { small: 'm5.large' }, image: 'ami' }], changelog: 'Bigger', expectedVersion: 1 } });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ version: 2, currentVersion: 2 });
    const stale = await call(patchOne, { url: `/api/v1/templates/${id}`, method: 'PATCH', token: tokens.admin, params: { templateId: id }, body: { name: 'X', expectedVersion: 1 } });
    expect(stale.status).toBe(409);
    const v1 = await call(getOne, { url: `/api/v1/templates/${id}?version=1`, token: tokens.requester, params: { templateId: id } });
    expect(v1.status).toBe(200);
    expect(v1.json).toMatchObject({ version: 1, currentVersion: 2, definition: { mappings: [{ instanceTypes: { small: 't3.medium' } }] } });
    expect((await call(getOne, { url: `/api/v1/templates/web?version=9`, token: tokens.admin, params: { templateId: 'web' } })).status).toBe(404);
    const history = await call(versions, { url: `/api/v1/templates/${id}/versions`, token: tokens.admin, params: { templateId: id } });
    expect((history.json!.versions as { version: number; changes: { path: string }[] }[])[0]).toMatchObject({ version: 2, changelog: 'Bigger', changes: [{ path: 'mappings/aws:*/instanceTypes/small' }] });
  });

  it('archives via PATCH { archived: true }; listing filters; archived list is admin-only', async () => {
    const archived = await call(patchOne, { url: '/api/v1/templates/web', method: 'PATCH', token: tokens.admin, params: { templateId: 'web' }, body: { archived: true } });
    expect(archived.json).toMatchObject({ archived: true, currentVersion: 2 });
    expect((await call(list, { url: '/api/v1/templates', token: tokens.requester })).json).toMatchObject({ items: [], total: 0 });
    const all = await call(list, { url: '/api/v1/templates?status=archived&provider=aws&sort=name&page=1&pageSize=10', token: tokens.admin });
    expect((all.json!.items as { slug: string; archived: boolean }[]).map((t) => [t.slug, t.archived])).toEqual([['web', true]]);
    expect((await call(list, { url: '/api/v1/templates?status=all', token: tokens.requester })).status).toBe(403);
    expect((await call(list, { url: '/api/v1/templates?pageSize=100000', token: tokens.admin })).status).toBe(400);
  });

  it('GET /api/v1/instance-types lists shapes', async () => {
    const res = await call(listTypes, { url: '/api/v1/instance-types?provider=aws', token: tokens.requester });
    expect(res.json).toEqual({ instanceTypes: [expect.objectContaining({ name: 't3.medium', vcpus: 2, memoryMiB: 4096 }), expect.objectContaining({ name: 'm5.large' })] });
  });
});

async function upload(csv: string | null, token: string, query = '') {
  const form = new FormData();
  if (csv !== null) form.set('file', new File([csv], 'prices.csv', { type: 'text/csv' }));
  form.set('mode', 'merge');
  const request = new Request(`http://localhost/api/v1/prices/imports${query}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  const response = await postImport(request, { params: Promise.resolve({}) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('/api/v1/prices', () => {
  it('imports a CSV upload; a bad file is 400 with row-level errors and imports nothing', async () => {
    const ok = await upload('provider,region,sku,unit,unitPrice\naws,*,t3.medium,hour,0.0416\naws,*,disk-gib,month,0.08\n', tokens.admin);
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ imported: 2, created: 2 });
    const bad = await upload('provider,sku,unitPrice\naws,m5.large,0.096\nibm,x,1\n', tokens.admin);
    expect(bad.status).toBe(400);
    expect(bad.json.detail).toBe('The file has 1 error; nothing was imported.');
    expect(bad.json.errors).toEqual([{ field: 'file/3/provider', message: expect.stringContaining('Row 3, provider "ibm"') }]);
    expect(await db.rate.count({ where: { sku: 'm5.large' } })).toBe(0);
    expect((await upload(null, tokens.admin)).json.errors).toEqual([{ field: 'body/file', message: expect.stringContaining('"file"') }]);
    expect((await upload('x', tokens.requester)).status).toBe(403);
  });

  it('lists, adds, edits and deletes rates', async () => {
    const listed = await call(listPrices, { url: '/api/v1/prices?provider=aws&sort=sku', token: tokens.admin });
    expect(listed.status).toBe(200);
    const rates = listed.json!.rates as { id: string; sku: string; monthly: string; vcpus: number | null }[];
    expect(rates.map((r) => [r.sku, r.monthly, r.vcpus])).toEqual([['disk-gib', '0.08', null], ['t3.medium', '30.37', 2]]);
    const added = await call(postPrice, { url: '/api/v1/prices', method: 'POST', token: tokens.admin, body: { providerKind: 'aws', sku: 'm5.large', unitPrice: '0.096' } });
    expect(added.status).toBe(201);
    const edited = await call(patchRate, { url: `/api/v1/prices/${rates[1]!.id}`, method: 'PATCH', token: tokens.admin, params: { rateId: rates[1]!.id }, body: { unitPrice: '0.05' } });
    expect(edited.json).toEqual({ id: rates[1]!.id, unitPrice: '0.05', monthly: '36.50' });
    expect((await call(patchRate, { url: `/api/v1/prices/${rates[1]!.id}`, method: 'PATCH', token: tokens.admin, params: { rateId: rates[1]!.id }, body: { unitPrice: '1e5' } })).status).toBe(400);
    expect((await call(deleteRate, { url: `/api/v1/prices/${String(added.json!.id)}`, method: 'DELETE', token: tokens.admin, params: { rateId: String(added.json!.id) } })).status).toBe(204);
    expect((await call(deleteRate, { url: '/api/v1/prices/nope', method: 'DELETE', token: tokens.admin, params: { rateId: 'nope' } })).status).toBe(404);
    expect((await call(listPrices, { url: '/api/v1/prices', token: tokens.requester })).status).toBe(403);
  });

  it('manages price rules', async () => {
    const created = await call(postRule, { url: '/api/v1/price-rules', method: 'POST', token: tokens.admin, body: { name: 'AWS support', adjustment: 'markup', percent: '5', providerKind: 'aws' } });
    expect(created.status).toBe(201);
    const ruleId = String(created.json!.id);
    expect((await call(patchRule, { url: `/api/v1/price-rules/${ruleId}`, method: 'PATCH', token: tokens.admin, params: { ruleId }, body: { adjustment: 'discount', percent: '101' } })).status).toBe(400);
    expect((await call(patchRule, { url: `/api/v1/price-rules/${ruleId}`, method: 'PATCH', token: tokens.admin, params: { ruleId }, body: { enabled: false } })).json).toMatchObject({ enabled: false });
    expect(((await call(listRules, { url: '/api/v1/price-rules', token: tokens.admin })).json!.rules as unknown[]).length).toBe(1);
    expect((await call(deleteRule, { url: `/api/v1/price-rules/${ruleId}`, method: 'DELETE', token: tokens.admin, params: { ruleId } })).status).toBe(204);
  });
});
