// The inventory routes end to end: list/get/export through handle(), and claim / re-apply tags
// writing Skyport's tags to each real emulator (asserted by reading the VM back over the wire).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setHandlerDatabase } from '@/lib/api/handler';
import { createApiToken } from '@/lib/auth/api-tokens';
import { auditContext, SYSTEM_ACTOR } from '@/lib/audit/record';
import { makeProject, makeUser, startSandboxAccount, type SandboxAccount } from '@/lib/inventory/test-fixtures';
import { syncProviderAccount } from '@/lib/provider-accounts/sync';
import { createTestDatabase } from '@/lib/testing/db';
import { callRoute, type RouteHandler } from '@/lib/testing/routes';
import { PROVIDER_KINDS, SKYPORT_TAG_KEYS, type ProviderAdapter } from '@/providers/types';
import { GET as getVmRoute } from './[vmId]/route';
import { POST as claimRoute } from './[vmId]/claim/route';
import { POST as reapplyRoute } from './[vmId]/reapply-tags/route';
import { GET as exportRoute } from './export/route';
import { GET as listRoute } from './route';

const { db } = await createTestDatabase();
setHandlerDatabase(() => db);
const system = auditContext(SYSTEM_ACTOR);

let adminToken = '';
let ownerToken = '';
let outsiderToken = '';
let memberToken = '';
let owner: { id: string; email: string };
let project: { id: string; key: string };
let otherProject: { id: string; key: string };

beforeAll(async () => {
  const admin = await makeUser(db, 'admin@vms.test', ['requester', 'admin']);
  owner = await makeUser(db, 'owner@vms.test');
  const outsider = await makeUser(db, 'outsider@vms.test');
  project = await makeProject(db, 'vms-main', owner.id);
  otherProject = await makeProject(db, 'vms-other', outsider.id);
  adminToken = (await createApiToken(db, admin.id, { name: 'a', scopes: ['read', 'write'] }, system)).token;
  ownerToken = (await createApiToken(db, owner.id, { name: 'o', scopes: ['read', 'write'] }, system)).token;
  outsiderToken = (await createApiToken(db, outsider.id, { name: 'x', scopes: ['read', 'write'] }, system)).token;
  // A plain member of the main project who owns none: unmanaged VMs stay invisible to them.
  const member = await makeUser(db, 'member@vms.test');
  await db.projectMembership.create({ data: { projectId: project.id, userId: member.id, role: 'member' } });
  memberToken = (await createApiToken(db, member.id, { name: 'm', scopes: ['read', 'write'] }, system)).token;
});

const h = (handler: unknown) => handler as RouteHandler;

describe.each(PROVIDER_KINDS)('claim and re-apply tags on the %s emulator', (kind) => {
  let sandbox: SandboxAccount;
  let adapter: ProviderAdapter;

  beforeAll(async () => {
    sandbox = await startSandboxAccount(db, kind);
    adapter = await sandbox.adapter();
    sandbox.emulator.seedVms({ region: sandbox.regions[0]!, count: 3, namePrefix: `claim-${kind}` });
    await syncProviderAccount(db, sandbox.accountId, system);
  }, 60_000);

  afterAll(async () => {
    await adapter?.close?.();
    await sandbox?.emulator.close();
  });

  const unmanaged = () => db.vm.findMany({ where: { providerAccountId: sandbox.accountId, managed: false }, orderBy: { name: 'asc' } });
  // A fresh adapter per read: what a new session sees on the provider, not what this one cached.
  const observe = async (vm: { providerId: string; regionCode: string; zone: string | null }) => {
    const fresh = await sandbox.adapter();
    try {
      return await fresh.get({ providerId: vm.providerId, region: vm.regionCode, zone: vm.zone ?? undefined });
    } finally {
      await fresh.close?.();
    }
  };

  it('a project owner claims an unmanaged VM: tags land on the provider, the next sync keeps it managed', async () => {
    const [vm] = await unmanaged();
    const refused = await callRoute(h(claimRoute), { url: `/api/v1/vms/${vm!.id}/claim`, method: 'POST', token: outsiderToken, params: { vmId: vm!.id }, body: { projectId: project.id, ownerId: owner.id } });
    expect(refused.status).toBe(403);
    expect((await observe(vm!))?.skyport).toBeNull();

    const claimed = await callRoute(h(claimRoute), { url: `/api/v1/vms/${vm!.id}/claim`, method: 'POST', token: ownerToken, params: { vmId: vm!.id }, body: { projectId: project.id, ownerId: owner.id } });
    expect(claimed.status).toBe(200);
    expect(claimed.json).toMatchObject({ vm: { id: vm!.id, managed: true, projectId: project.id, ownerId: owner.id } });
    const onProvider = await observe(vm!);
    expect(onProvider?.skyport).toMatchObject({ owner: owner.email, project: project.key });
    expect(onProvider?.tags[SKYPORT_TAG_KEYS.project] ?? '').not.toBe('');

    const again = await callRoute(h(claimRoute), { url: `/api/v1/vms/${vm!.id}/claim`, method: 'POST', token: adminToken, params: { vmId: vm!.id }, body: { projectId: project.id, ownerId: owner.id } });
    expect(again.status).toBe(409);

    await syncProviderAccount(db, sandbox.accountId, system);
    expect(await db.vm.findUniqueOrThrow({ where: { id: vm!.id } })).toMatchObject({ managed: true, drift: false, projectId: project.id, ownerId: owner.id });
    const audit = await db.auditEvent.findFirst({ where: { action: 'vm.claim', targetId: vm!.id } });
    expect(audit).not.toBeNull();
  }, 60_000);

  it('re-apply tags fixes "tags removed" drift on the provider', async () => {
    const [vm] = await unmanaged();
    // Managed in Skyport, but the provider has no Skyport tags on it (someone removed them).
    await db.vm.update({ where: { id: vm!.id }, data: { managed: true, projectId: project.id, ownerId: owner.id, expectedSize: vm!.size } });
    await syncProviderAccount(db, sandbox.accountId, system);
    expect(await db.vm.findUniqueOrThrow({ where: { id: vm!.id } })).toMatchObject({ drift: true, driftReasons: ['tags_removed'] });

    const forbidden = await callRoute(h(reapplyRoute), { url: `/api/v1/vms/${vm!.id}/reapply-tags`, method: 'POST', token: outsiderToken, params: { vmId: vm!.id } });
    expect(forbidden.status).toBe(404); // not visible to a non-member at all
    const fixed = await callRoute(h(reapplyRoute), { url: `/api/v1/vms/${vm!.id}/reapply-tags`, method: 'POST', token: ownerToken, params: { vmId: vm!.id } });
    expect(fixed.status).toBe(200);
    expect((await observe(vm!))?.skyport).toMatchObject({ owner: owner.email, project: project.key });
    await syncProviderAccount(db, sandbox.accountId, system);
    expect(await db.vm.findUniqueOrThrow({ where: { id: vm!.id } })).toMatchObject({ drift: false, driftReasons: [], managed: true });
  }, 60_000);
});

describe('list, get and export routes', () => {
  it('lists with filters, sort and cursor; validates the query', async () => {
    const first = await callRoute(h(listRoute), { url: '/api/v1/vms?limit=2&sort=-name&managed=false', token: adminToken });
    expect(first.status).toBe(200);
    const body = first.json as { vms: { id: string; managed: boolean; name: string }[]; nextCursor: string; total: number };
    expect(body.vms).toHaveLength(2);
    expect(body.vms.every((v) => !v.managed)).toBe(true);
    expect(body.total).toBeGreaterThan(2);
    const second = await callRoute(h(listRoute), { url: `/api/v1/vms?limit=2&sort=-name&managed=false&cursor=${body.nextCursor}`, token: adminToken });
    const ids = (second.json as typeof body).vms.map((v) => v.id);
    expect(ids.some((id) => body.vms.some((v) => v.id === id))).toBe(false);

    for (const bad of ['limit=0', 'limit=501', 'sort=price', 'provider=ibm', 'state=gone', 'cursor=%%%', `q=${'x'.repeat(201)}`, 'managed=maybe']) {
      const response = await callRoute(h(listRoute), { url: `/api/v1/vms?${bad}`, token: adminToken });
      expect(response.status, bad).toBe(400);
    }
  });

  it('a plain requester sees only the VMs of their projects, and 404 for others and for unmanaged VMs', async () => {
    const mine = await callRoute(h(listRoute), { url: '/api/v1/vms?limit=500', token: memberToken });
    const vms = (mine.json as { vms: { project: { id: string } | null }[]; total: number }).vms;
    expect(vms.length).toBeGreaterThan(0);
    expect(vms.every((v) => v.project?.id === project.id)).toBe(true);
    const foreign = await callRoute(h(listRoute), { url: `/api/v1/vms?project=${otherProject.id}`, token: memberToken });
    expect((foreign.json as { total: number }).total).toBe(0);
    const unmanagedList = await callRoute(h(listRoute), { url: '/api/v1/vms?managed=false', token: memberToken });
    expect((unmanagedList.json as { total: number }).total).toBe(0);
    const hidden = await db.vm.findFirstOrThrow({ where: { managed: false, projectId: null } });
    expect((await callRoute(h(getVmRoute), { url: `/api/v1/vms/${hidden.id}`, token: memberToken, params: { vmId: hidden.id } })).status).toBe(404);
    const claim = await callRoute(h(claimRoute), { url: `/api/v1/vms/${hidden.id}/claim`, method: 'POST', token: memberToken, params: { vmId: hidden.id }, body: { projectId: project.id, ownerId: owner.id } });
    expect(claim.status).toBe(403);
    const got = await callRoute(h(getVmRoute), { url: `/api/v1/vms/${hidden.id}`, token: adminToken, params: { vmId: hidden.id } });
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ id: hidden.id, region: hidden.regionCode, managed: false, pendingAction: null, costToDate: null });
  });

  it('a project owner sees unmanaged VMs (list with the Unmanaged filter, get) but no other project’s VMs', async () => {
    const unmanaged = await db.vm.count({ where: { managed: false, projectId: null, deletedAt: null, state: { not: 'deleted' } } });
    expect(unmanaged).toBeGreaterThan(0);
    const list = await callRoute(h(listRoute), { url: '/api/v1/vms?managed=false&limit=500', token: ownerToken });
    const body = list.json as { vms: { managed: boolean; project: { id: string } | null }[]; total: number };
    expect(body.total).toBe(unmanaged);
    expect(body.vms.every((v) => !v.managed && v.project === null)).toBe(true);
    const all = await callRoute(h(listRoute), { url: '/api/v1/vms?limit=500', token: ownerToken });
    expect((all.json as typeof body).vms.every((v) => v.project?.id === project.id || (v.project === null && !v.managed))).toBe(true);
    const hidden = await db.vm.findFirstOrThrow({ where: { managed: false, projectId: null } });
    const got = await callRoute(h(getVmRoute), { url: `/api/v1/vms/${hidden.id}`, token: ownerToken, params: { vmId: hidden.id } });
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ id: hidden.id, managed: false, projectId: null });
    const template = await db.vm.findFirstOrThrow();
    const foreignVm = await db.vm.create({
      data: { providerAccountId: template.providerAccountId, providerKind: template.providerKind, regionCode: template.regionCode, providerId: 'foreign-project-vm', name: 'foreign', size: 's', projectId: otherProject.id, managed: true },
    });
    expect((await callRoute(h(getVmRoute), { url: `/api/v1/vms/${foreignVm.id}`, token: ownerToken, params: { vmId: foreignVm.id } })).status).toBe(404);
  });

  it('sorts and filters by monthly cost', async () => {
    const sorted = await callRoute(h(listRoute), { url: '/api/v1/vms?sort=-cost&limit=5', token: adminToken });
    expect(sorted.status).toBe(200);
    for (const bad of ['costMin=abc', 'costMax=-1', `costMin=${'9'.repeat(20)}`]) {
      expect((await callRoute(h(listRoute), { url: `/api/v1/vms?${bad}`, token: adminToken })).status, bad).toBe(400);
    }
    const none = await callRoute(h(listRoute), { url: '/api/v1/vms?costMin=1000000', token: adminToken });
    expect((none.json as { total: number }).total).toBe(0);
  });

  it('exports the filtered VMs as CSV with a header row', async () => {
    const request = new Request('http://localhost/api/v1/vms/export?managed=true&sort=name', { headers: { authorization: `Bearer ${adminToken}` } });
    const response = await exportRoute(request);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    const lines = (await response.text()).trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^id,name,provider,account,region/);
    const total = await db.vm.count({ where: { managed: true, deletedAt: null, NOT: { state: 'deleted' } } });
    expect(lines).toHaveLength(total + 1);
    const anonymous = await exportRoute(new Request('http://localhost/api/v1/vms/export'));
    expect(anonymous.status).toBe(401);
  });
});

describe('hostile input', () => {
  it('answers 400, never 5xx, for NUL characters and junk in every inventory input', async () => {
    for (const bad of ['q=%00', 'tag=a%00b', 'region=%00', 'cursor=a%00', 'leaseBefore=yesterday', 'limit=1e9', 'sort=%00']) {
      expect((await callRoute(h(listRoute), { url: `/api/v1/vms?${bad}`, token: adminToken })).status, bad).toBe(400);
    }
    expect((await callRoute(h(getVmRoute), { url: '/api/v1/vms/x', token: adminToken, params: { vmId: 'a\u0000b' } })).status).toBe(400);
    const claim = await callRoute(h(claimRoute), { url: '/api/v1/vms/x/claim', method: 'POST', token: adminToken, params: { vmId: 'x' }, body: { projectId: 'p\u0000', ownerId: 'u' } });
    expect(claim.status).toBe(400);
    expect((await callRoute(h(claimRoute), { url: '/api/v1/vms/x/claim', method: 'POST', token: adminToken, params: { vmId: 'nope' }, body: { projectId: 'p', ownerId: 'u' } })).status).toBe(404);
  });
});
