// Inventory sync against govmomi's vCenter simulator (vcsim), a vim25 implementation written by
// VMware: new, changed, vanished, unmanaged, owner/project from custom attributes, drift.
// CI installs Go + govmomi (see providers/vsphere/govmomi.test.ts); locally skipped without them.
import '@/providers/all';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { govmomiUnavailableReason, startGovmomiSimulator, type GovmomiSimulator } from '@/providers/vsphere/govmomi-sim/launcher';
import { skyportTagMap } from '@/providers/shared/tags';
import type { ProviderAdapter } from '@/providers/types';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import { encryptJson, loadSecretKey } from '../crypto/secrets';
import { makeProject, makeUser, FAST_RUNTIME } from '../inventory/test-fixtures';
import { createTestDatabase } from '../testing/db';
import { adapterForAccount } from './service';
import { syncProviderAccount } from './sync';

process.env.SKYPORT_SECRET_KEY ??= randomBytes(32).toString('base64');
const unavailable = govmomiUnavailableReason();
const runHere = unavailable === null || Boolean(process.env.CI);
if (!runHere) console.warn(`[inventory] govmomi sync tests skipped: ${unavailable}`);

describe.skipIf(!runHere)('inventory sync against the govmomi vCenter simulator', () => {
  const audit = auditContext(SYSTEM_ACTOR);
  let sim: GovmomiSimulator;
  let db: Awaited<ReturnType<typeof createTestDatabase>>['db'];
  let accountId = '';
  const adapters: ProviderAdapter[] = [];
  const freshAdapter = async () => {
    const adapter = adapterForAccount(await db.providerAccount.findUniqueOrThrow({ where: { id: accountId } }), FAST_RUNTIME).adapter;
    adapters.push(adapter);
    return adapter;
  };

  beforeAll(async () => {
    if (unavailable) throw new Error(`govmomi simulator required in CI but unavailable: ${unavailable}`);
    ({ db } = await createTestDatabase());
    sim = await startGovmomiSimulator();
    const account = await db.providerAccount.create({
      data: {
        kind: 'vsphere',
        name: 'vcsim',
        settings: { endpoint: sim.url, caCertPem: sim.certPem, insecure: false },
        secretsCiphertext: encryptJson({ username: sim.username, password: sim.password }, loadSecretKey(process.env)),
      },
    });
    accountId = account.id;
    await db.region.create({ data: { providerAccountId: accountId, code: 'DC0', name: 'DC0', enabled: true } });
  }, 180_000);

  afterAll(async () => {
    for (const adapter of adapters) await adapter.close?.();
    await sim?.close();
  });

  it('discovers vcsim VMs as unmanaged, then follows changes, removals and Skyport custom attributes', async () => {
    const owner = await makeUser(db, 'owner@vcsim.test');
    const project = await makeProject(db, 'vcsim-proj', owner.id);
    const first = await syncProviderAccount(db, accountId, audit);
    expect(first.total).toBeGreaterThan(2);
    expect(first.regions[0]!.created).toBe(first.total);
    const rows = await db.vm.findMany({ where: { providerAccountId: accountId }, orderBy: { name: 'asc' } });
    expect(rows.every((r) => !r.managed && r.projectId === null)).toBe(true);

    const [toTag, toStop, toDelete, toDrift] = rows;
    const adapter = await freshAdapter();
    const ref = (vm: (typeof rows)[0]) => ({ providerId: vm.providerId, region: 'DC0' });
    await adapter.setTags(ref(toTag!), skyportTagMap({ owner: owner.email, project: project.key, request: 'req-vcsim', skyportId: 'sp-vcsim' }));
    if ((await adapter.get(ref(toStop!)))?.state === 'running') await adapter.stop(ref(toStop!));
    await adapter.stop(ref(toDelete!)).catch(() => undefined);
    await adapter.delete(ref(toDelete!));
    await db.vm.update({ where: { id: toDrift!.id }, data: { managed: true, projectId: project.id, ownerId: owner.id } });

    const second = await syncProviderAccount(db, accountId, audit);
    expect(second.regions[0]).toMatchObject({ created: 0, removed: 1 });
    const after = new Map((await db.vm.findMany({ where: { providerAccountId: accountId } })).map((r) => [r.id, r]));
    expect(after.get(toTag!.id)).toMatchObject({ managed: true, createdBySkyport: true, projectId: project.id, ownerId: owner.id, drift: false });
    expect(after.get(toStop!.id)).toMatchObject({ state: 'stopped' });
    expect(after.get(toDelete!.id)).toMatchObject({ state: 'deleted' });
    expect(after.get(toDelete!.id)!.deletedAt).not.toBeNull();
    expect(after.get(toDrift!.id)).toMatchObject({ drift: true, driftReasons: ['tags_removed'] });
    const status = await db.providerSyncStatus.findMany({ where: { providerAccountId: accountId } });
    expect(status.map((s) => s.regionCode).sort()).toEqual(['*', 'DC0']);
  }, 120_000);
});
