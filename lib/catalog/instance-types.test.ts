// Instance types learnt from the real adapters against their emulators (sandbox accounts), then
// resolved for placements and inventory rows.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '@/providers/contract/emulator';
import { sandboxModules } from '@/providers/sandbox';
import type { Db } from '../db/client';
import { upsertSandboxAccount } from '../provider-accounts/sandbox';
import { createTestDatabase } from '../testing/db';
import { instanceTypeKey, listInstanceTypes, refreshInstanceTypes, resolveInstanceType, resolveInstanceTypes, upsertInstanceTypes } from './instance-types';

process.env.SKYPORT_SECRET_KEY ??= randomBytes(32).toString('base64');

let db: Db;
const running: RunningEmulator[] = [];
const accounts: Record<string, string> = {};

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  for (const module of sandboxModules()) {
    const emulator = await module.startEmulator({ recordRequests: false });
    running.push(emulator);
    accounts[module.kind] = await upsertSandboxAccount(db, module, module.sandboxAccount(emulator));
  }
});
afterAll(async () => {
  await Promise.all(running.map((e) => e.close()));
});

describe('refreshInstanceTypes', () => {
  it('stores every size each emulator offers in every enabled region, with vCPU and memory', async () => {
    for (const kind of ['vsphere', 'aws', 'azure', 'gcp'] as const) {
      const result = await refreshInstanceTypes(db, accounts[kind]!);
      expect(result.regions, kind).toBeGreaterThan(0);
      expect(result.sizes, kind).toBeGreaterThan(0);
    }
    // Shapes as the emulators' catalogs define them, read through the adapters.
    expect(await resolveInstanceType(db, 'aws', 'm5.2xlarge')).toEqual({ vcpus: 8, memoryMiB: 32768 });
    expect(await resolveInstanceType(db, 'azure', 'Standard_D1_v2')).toEqual({ vcpus: 1, memoryMiB: 3584 });
    expect(await resolveInstanceType(db, 'gcp', 'n1-standard-1')).toEqual({ vcpus: 1, memoryMiB: 3840 });
    expect(await resolveInstanceType(db, 'vsphere', 'large')).toEqual({ vcpus: 4, memoryMiB: 8192 });
    const gcp = await listInstanceTypes(db, 'gcp');
    expect(gcp.map((t) => t.name)).toEqual(expect.arrayContaining(['e2-micro', 'e2-medium', 'n2-standard-4']));
    expect(gcp.every((t) => t.regionCodes.length >= 1)).toBe(true);
    // Refreshing again changes nothing (same rows, no duplicates).
    const count = await db.instanceType.count();
    await refreshInstanceTypes(db, accounts.aws!);
    expect(await db.instanceType.count()).toBe(count);
  });
});

describe('resolveInstanceType', () => {
  it('returns null for unknown types and parses custom-<vcpus>x<MiB> shapes', async () => {
    expect(await resolveInstanceType(db, 'aws', 'x9.mega')).toBeNull();
    expect(await resolveInstanceType(db, 'azure', 'standard_b2s')).toEqual({ vcpus: 2, memoryMiB: 4096 });
    expect(await resolveInstanceType(db, 'vsphere', 'custom-3x6144')).toEqual({ vcpus: 3, memoryMiB: 6144 });
    const batch = await resolveInstanceTypes(db, [
      { providerKind: 'azure', instanceType: 'Standard_B2s' },
      { providerKind: 'gcp', instanceType: 'e2-medium' },
      { providerKind: 'vsphere', instanceType: 'custom-2x32' },
      { providerKind: 'aws', instanceType: 'nope' },
    ]);
    expect(batch.get(instanceTypeKey('azure', 'Standard_B2s'))).toEqual({ vcpus: 2, memoryMiB: 4096 });
    expect(batch.get(instanceTypeKey('gcp', 'e2-medium'))).toEqual({ vcpus: 2, memoryMiB: 4096 });
    expect(batch.get(instanceTypeKey('vsphere', 'custom-2x32'))).toEqual({ vcpus: 2, memoryMiB: 32 });
    expect(batch.has(instanceTypeKey('aws', 'nope'))).toBe(false);
  });

  it('updates a changed shape and fills inventory rows that lack vCPU/RAM', async () => {
    const account = accounts.azure!;
    const vm = await db.vm.create({ data: { providerAccountId: account, providerKind: 'azure', regionCode: 'westeurope', providerId: 'vm-1', name: 'legacy', size: 'Standard_X9' } });
    const known = await db.vm.create({ data: { providerAccountId: account, providerKind: 'azure', regionCode: 'westeurope', providerId: 'vm-2', name: 'known', size: 'Standard_X9', vcpus: 16, memoryMiB: 1 } });
    await upsertInstanceTypes(db, 'azure', 'westeurope', [{ id: 'Standard_X9', name: 'Standard_X9', vcpus: 2, memoryMiB: 2048 }]);
    await upsertInstanceTypes(db, 'azure', 'westeurope', [{ id: 'Standard_X9', name: 'Standard_X9', vcpus: 4, memoryMiB: 8192 }, { id: '', name: 'bad', vcpus: 0, memoryMiB: 0 }]);
    expect(await resolveInstanceType(db, 'azure', 'Standard_X9')).toEqual({ vcpus: 4, memoryMiB: 8192 });
    expect(await db.vm.findUniqueOrThrow({ where: { id: vm.id } })).toMatchObject({ vcpus: 2, memoryMiB: 2048 });
    // A row that already has its shape keeps it.
    expect(await db.vm.findUniqueOrThrow({ where: { id: known.id } })).toMatchObject({ vcpus: 16, memoryMiB: 1 });
    await upsertInstanceTypes(db, 'azure', 'westeurope', []);
  });
});
