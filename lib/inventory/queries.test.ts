import { beforeAll, describe, expect, it } from 'vitest';
import type { ProviderKind, VmState } from '@/generated/prisma/enums';
import { loadPrincipal, type Principal } from '../auth/principal';
import type { Db } from '../db/client';
import { createTestDatabase } from '../testing/db';
import { listInventory, parseInventoryFilter } from './queries';

let db: Db;
const ids = { admin: '', alice: '', shop: '', data: '', aws: '', gcp: '' };

async function principal(userId: string): Promise<Principal> {
  const p = await loadPrincipal(db, userId, 'session');
  if (!p) throw new Error('no principal');
  return p;
}

async function vm(name: string, kind: ProviderKind, region: string, state: VmState, projectId: string | null, extra: { deleted?: boolean; lease?: Date } = {}) {
  await db.vm.create({
    data: {
      name, providerKind: kind, providerAccountId: kind === 'aws' ? ids.aws : ids.gcp, regionCode: region, providerId: `id-${name}`,
      size: 'small', vcpus: 2, memoryMiB: 4096, state, projectId, ownerId: ids.alice,
      deletedAt: extra.deleted ? new Date() : null, leaseExpiresAt: extra.lease ?? null,
    },
  });
}

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  ids.admin = (await db.user.create({ data: { email: 'admin@t.test', name: 'Admin', roles: ['requester', 'admin'] } })).id;
  ids.alice = (await db.user.create({ data: { email: 'alice@t.test', name: 'Alice', roles: ['requester'] } })).id;
  ids.shop = (await db.project.create({ data: { key: 'shop', name: 'Shop', costCentre: 'C', ownerId: ids.admin } })).id;
  ids.data = (await db.project.create({ data: { key: 'data', name: 'Data', costCentre: 'C', ownerId: ids.admin } })).id;
  await db.projectMembership.create({ data: { projectId: ids.shop, userId: ids.alice } });
  ids.aws = (await db.providerAccount.create({ data: { kind: 'aws', name: 'AWS prod', settings: {}, secretsCiphertext: 'x' } })).id;
  ids.gcp = (await db.providerAccount.create({ data: { kind: 'gcp', name: 'GCP lab', settings: {}, secretsCiphertext: 'x' } })).id;
});

describe('listInventory', () => {
  it('is empty before any VM exists', async () => {
    const page = await listInventory(db, await principal(ids.alice));
    expect(page).toEqual({ vms: [], totalVisible: 0, options: { providers: [], regions: [], states: [], projects: [{ id: ids.shop, name: 'Shop' }] } });
  });

  it('shows admins every VM and others only their projects’ VMs; deleted VMs never', async () => {
    await vm('shop-web', 'aws', 'eu-west-1', 'running', ids.shop, { lease: new Date('2026-09-01T00:00:00Z') });
    await vm('shop-db', 'gcp', 'europe-west1', 'stopped', ids.shop);
    await vm('data-etl', 'aws', 'us-east-1', 'running', ids.data);
    await vm('orphan', 'aws', 'us-east-1', 'unknown', null);
    await vm('gone', 'aws', 'eu-west-1', 'deleted', ids.shop, { deleted: true });

    const admin = await listInventory(db, await principal(ids.admin));
    expect(admin.vms.map((v) => v.name)).toEqual(['data-etl', 'orphan', 'shop-db', 'shop-web']);
    expect(admin.totalVisible).toBe(4);
    expect(admin.options.projects.map((p) => p.name)).toEqual(['Data', 'Shop']);

    const alice = await listInventory(db, await principal(ids.alice));
    expect(alice.vms.map((v) => v.name)).toEqual(['shop-db', 'shop-web']);
    expect(alice.options).toEqual({ providers: ['aws', 'gcp'], regions: ['eu-west-1', 'europe-west1'], states: ['running', 'stopped'], projects: [{ id: ids.shop, name: 'Shop' }] });
    expect(alice.vms[1]).toMatchObject({
      providerKind: 'aws', accountName: 'AWS prod', regionCode: 'eu-west-1', vcpus: 2, memoryMiB: 4096, state: 'running',
      owner: { name: 'Alice', email: 'alice@t.test' }, project: { id: ids.shop, key: 'shop', name: 'Shop' }, leaseExpiresAt: '2026-09-01T00:00:00.000Z',
    });
  });

  it('filters by provider, region, state and project without widening the scope', async () => {
    const admin = await principal(ids.admin);
    const names = async (p: Principal, raw: Record<string, string>) => (await listInventory(db, p, parseInventoryFilter(raw))).vms.map((v) => v.name);
    expect(await names(admin, { provider: 'aws' })).toEqual(['data-etl', 'orphan', 'shop-web']);
    expect(await names(admin, { provider: 'aws', region: 'us-east-1', state: 'running' })).toEqual(['data-etl']);
    expect(await names(admin, { project: ids.shop })).toEqual(['shop-db', 'shop-web']);
    const alice = await principal(ids.alice);
    expect(await names(alice, { project: ids.data })).toEqual([]);
    const filtered = await listInventory(db, alice, { state: 'stopped' });
    expect(filtered.totalVisible).toBe(2);
    expect(filtered.vms).toHaveLength(1);
  });

  it('parses query strings leniently', () => {
    expect(parseInventoryFilter({ provider: 'aws', region: ' eu-west-1 ', state: '', project: undefined })).toEqual({ provider: 'aws', region: 'eu-west-1' });
    expect(parseInventoryFilter({ provider: 'oracle', state: 'melting', region: ['a', 'b'] })).toEqual({ region: 'a' });
  });
});
