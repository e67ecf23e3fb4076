// Inventory sync against the four real emulators (wire protocol, paging, state): new, changed,
// vanished, unmanaged, drift, listings spanning several 500-VM pages, owner/project from tags,
// per-region status. govmomi's simulator is covered in sync.govmomi.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import { createTestDatabase } from '../testing/db';
import { makeProject, makeUser, startSandboxAccount, until, type SandboxAccount } from '../inventory/test-fixtures';
import { PROVIDER_KINDS, SKYPORT_NAME_TAG, SKYPORT_TAG_KEYS, type ProviderAdapter } from '@/providers/types';
import { ACCOUNT_STATUS_REGION, syncProviderAccount } from './sync';

const { db } = await createTestDatabase();
const audit = auditContext(SYSTEM_ACTOR);
// More than one 500-VM page in every emulator.
const SEEDED = 520;

describe.each(PROVIDER_KINDS)('inventory sync against the %s emulator', (kind) => {
  let sandbox: SandboxAccount;
  let adapter: ProviderAdapter;
  let owner: { id: string; email: string };
  let project: { id: string; key: string };
  let managedProviderId: string;

  beforeAll(async () => {
    owner = await makeUser(db, `owner-${kind}@sync.test`);
    project = await makeProject(db, `sync-${kind}`, owner.id);
    sandbox = await startSandboxAccount(db, kind);
    adapter = await sandbox.adapter();
    const region = sandbox.regions[0]!;
    sandbox.emulator.seedVms({ region, count: SEEDED, namePrefix: `seed-${kind}` });
    const [size] = await adapter.listSizes(region);
    const [image] = await adapter.listImages(region);
    const made = await adapter.create({
      idempotencyKey: `sync-test-${kind}-managed`,
      name: `managed-${kind}`,
      region,
      size: size!.id,
      image: image!.id,
      tags: { owner: owner.email, project: project.key, request: 'req-1', skyportId: 'sp-1' },
      extraTags: { [SKYPORT_NAME_TAG]: `shop-web-${kind}-1` },
    });
    managedProviderId = made.providerId;
    await until(async () => (await adapter.get({ providerId: made.providerId, region }))?.state === 'running', 'the managed VM to run');
  }, 120_000);

  afterAll(async () => {
    await adapter?.close?.();
    await sandbox?.emulator.close();
  });

  it('discovers every VM across pages: unmanaged ones flagged, the Skyport one owned from its tags', async () => {
    // The listing really spans pages at the sync's page size.
    const first = await adapter.listVms(sandbox.regions[0]!, { pageSize: 500 });
    expect(first.nextPageToken).toBeTruthy();
    const result = await syncProviderAccount(db, sandbox.accountId, audit);
    expect(result.total).toBe(SEEDED + 1);
    expect(result.regions[0]).toMatchObject({ created: SEEDED + 1, updated: 0, removed: 0 });
    const rows = await db.vm.findMany({ where: { providerAccountId: sandbox.accountId } });
    expect(rows).toHaveLength(SEEDED + 1);
    expect(new Set(rows.map((r) => r.providerId)).size).toBe(SEEDED + 1);
    const managed = rows.find((r) => r.providerId === managedProviderId)!;
    expect(managed).toMatchObject({ managed: true, createdBySkyport: true, projectId: project.id, ownerId: owner.id, drift: false });
    expect(managed.expectedSize).toBe(managed.size);
    // Shown by the name Skyport gave it, whatever the provider derived from the idempotency key.
    expect(managed.name).toBe(`shop-web-${kind}-1`);
    expect(rows.filter((r) => !r.managed)).toHaveLength(SEEDED);
    expect(rows.filter((r) => !r.managed && (r.projectId || r.ownerId))).toHaveLength(0);
    // vCPU/RAM come from the listing or, where the provider omits them, from listSizes.
    expect(rows.filter((r) => r.vcpus === null || r.memoryMiB === null)).toHaveLength(0);

    const status = await db.providerSyncStatus.findMany({ where: { providerAccountId: sandbox.accountId }, orderBy: { regionCode: 'asc' } });
    expect(status.map((s) => s.regionCode).sort()).toEqual([ACCOUNT_STATUS_REGION, sandbox.regions[0]].sort());
    for (const s of status) {
      expect(s).toMatchObject({ running: false, lastError: null, discovered: SEEDED + 1, unmanaged: SEEDED });
      expect(s.lastSuccessAt).not.toBeNull();
      expect(s.durationMs).toBeGreaterThanOrEqual(0);
    }
  }, 60_000);

  it('a second sync of unchanged VMs rewrites no row (each batch is one read, no write)', async () => {
    const versions = async () =>
      new Map(
        (await db.$queryRaw<{ id: string; xmin: string }[]>`SELECT id, xmin::text AS xmin FROM "Vm" WHERE "providerAccountId" = ${sandbox.accountId}`).map((r) => [r.id, r.xmin]),
      );
    const before = await versions();
    const result = await syncProviderAccount(db, sandbox.accountId, audit);
    expect(result.regions[0]).toMatchObject({ discovered: SEEDED + 1, created: 0, updated: SEEDED + 1, removed: 0 });
    // xmin changes with any UPDATE (or row lock) of a row: none of them was touched.
    expect(await versions()).toEqual(before);
  }, 60_000);

  it('does not write stale state over a row changed after the listing began (a day-2 action in flight)', async () => {
    const row = await db.vm.findFirstOrThrow({ where: { providerAccountId: sandbox.accountId, providerId: managedProviderId } });
    expect(row.state).toBe('running');
    // What a stop action records while the sync is listing: a newer write than the listing saw.
    await db.$executeRaw`UPDATE "Vm" SET "state" = 'stopping', "updatedAt" = now()::timestamp(3) + interval '1 minute' WHERE "id" = ${row.id}`;
    await syncProviderAccount(db, sandbox.accountId, audit);
    expect((await db.vm.findUniqueOrThrow({ where: { id: row.id } })).state).toBe('stopping');
    // Once the row is older than the listing, the provider's state wins again.
    await db.$executeRaw`UPDATE "Vm" SET "updatedAt" = now()::timestamp(3) - interval '1 minute' WHERE "id" = ${row.id}`;
    await syncProviderAccount(db, sandbox.accountId, audit);
    expect((await db.vm.findUniqueOrThrow({ where: { id: row.id } })).state).toBe('running');
  });

  it('updates changed VMs, marks vanished ones deleted (history kept) and flags drift of managed VMs', async () => {
    const region = sandbox.regions[0]!;
    const rows = await db.vm.findMany({ where: { providerAccountId: sandbox.accountId, managed: false }, orderBy: { name: 'asc' }, take: 3 });
    const [toStop, toDelete, toClaim] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];
    await adapter.stop({ providerId: toStop.providerId, region, zone: toStop.zone ?? undefined });
    await adapter.delete({ providerId: toDelete.providerId, region, zone: toDelete.zone ?? undefined });
    // Skyport's last action on the managed VM was "start": stopping it behind Skyport's back is drift.
    const managedRow = await db.vm.findFirstOrThrow({ where: { providerAccountId: sandbox.accountId, providerId: managedProviderId } });
    await db.provisioningJob.create({
      data: { kind: 'start_vm', status: 'succeeded', idempotencyKey: `start-${kind}`, vmId: managedRow.id, finishedAt: new Date() },
    });
    await adapter.stop({ providerId: managedProviderId, region, zone: managedRow.zone ?? undefined });
    // A claimed VM whose Skyport tags are not (any more) on the provider: tags removed.
    await db.vm.update({ where: { id: toClaim.id }, data: { managed: true, projectId: project.id, ownerId: owner.id, expectedSize: toClaim.size } });
    await until(
      async () => {
        const stopped = await adapter.get({ providerId: toStop.providerId, region, zone: toStop.zone ?? undefined });
        const managedNow = await adapter.get({ providerId: managedProviderId, region, zone: managedRow.zone ?? undefined });
        const gone = await adapter.get({ providerId: toDelete.providerId, region, zone: toDelete.zone ?? undefined });
        return stopped?.state === 'stopped' && managedNow?.state === 'stopped' && (gone === null || gone.state === 'deleted');
      },
      'stop and delete to settle',
    );

    const result = await syncProviderAccount(db, sandbox.accountId, audit);
    expect(result.regions[0]!.created).toBe(0);
    const after = new Map((await db.vm.findMany({ where: { providerAccountId: sandbox.accountId } })).map((r) => [r.id, r]));
    expect(after.get(toStop.id)).toMatchObject({ state: 'stopped', drift: false, managed: false });
    expect(after.get(toDelete.id)).toMatchObject({ state: 'deleted' });
    expect(after.get(toDelete.id)!.deletedAt).not.toBeNull();
    expect(after.get(managedRow.id)).toMatchObject({ state: 'stopped', drift: true, driftReasons: ['state_changed'], projectId: project.id });
    expect(after.get(toClaim.id)).toMatchObject({ drift: true, driftReasons: ['tags_removed'], managed: true, projectId: project.id, ownerId: owner.id });
    expect(after.get(toClaim.id)!.driftDetectedAt).not.toBeNull();
    // Everything else stayed as it was: same ids (no duplicates, no re-creation).
    expect(after.size).toBe(SEEDED + 1);
    expect([...after.values()].filter((r) => r.drift)).toHaveLength(2);

    // The provider's tags name the managed VM's owner and project; they stay put.
    const observed = await adapter.get({ providerId: managedProviderId, region, zone: managedRow.zone ?? undefined });
    expect(observed?.skyport?.project).toBe(project.key);
    expect(Object.keys(observed!.tags)).toEqual(expect.arrayContaining([SKYPORT_TAG_KEYS.owner]));
  }, 60_000);

  it('flags a size changed outside Skyport, but not one Skyport made (its resize job)', async () => {
    const region = sandbox.regions[0]!;
    const row = await db.vm.findFirstOrThrow({ where: { providerAccountId: sandbox.accountId, providerId: managedProviderId } });
    const sizes = (await adapter.listSizes(region)).map((s) => s.id).filter((id) => id !== row.size);
    const ref = { providerId: managedProviderId, region, zone: row.zone ?? undefined };
    await adapter.resize(ref, sizes[0]!);
    await until(async () => (await adapter.get(ref))?.size === sizes[0], 'the resize to land');
    await syncProviderAccount(db, sandbox.accountId, audit);
    const outside = await db.vm.findUniqueOrThrow({ where: { id: row.id } });
    expect(outside.driftReasons).toContain('size_changed');
    expect(outside.expectedSize).toBe(row.size);

    await db.provisioningJob.create({
      data: { kind: 'resize_vm', status: 'succeeded', idempotencyKey: `resize-${kind}`, vmId: row.id, payload: { action: 'resize', size: sizes[0]! }, finishedAt: new Date() },
    });
    await syncProviderAccount(db, sandbox.accountId, audit);
    const viaSkyport = await db.vm.findUniqueOrThrow({ where: { id: row.id } });
    expect(viaSkyport.driftReasons).not.toContain('size_changed');
    expect(viaSkyport.expectedSize).toBe(sizes[0]);
  }, 60_000);

  it('records a failing region in its status and on the account, and the sync job reports the error', async () => {
    sandbox.emulator.injectFault({ kind: 'auth', times: 50 });
    try {
      await expect(syncProviderAccount(db, sandbox.accountId, audit)).rejects.toMatchObject({ code: 'auth_failed' });
    } finally {
      sandbox.emulator.clearFaults();
    }
    const status = await db.providerSyncStatus.findUniqueOrThrow({
      where: { providerAccountId_regionCode: { providerAccountId: sandbox.accountId, regionCode: sandbox.regions[0]! } },
    });
    expect(status.lastError).toBeTruthy();
    expect(status.lastErrorAt).not.toBeNull();
    expect(status.lastSuccessAt).not.toBeNull(); // the earlier success is kept
    const account = await db.providerAccount.findUniqueOrThrow({ where: { id: sandbox.accountId } });
    expect(account.status).toBe('error');
  }, 60_000);
});
