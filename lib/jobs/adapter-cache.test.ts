// The worker's shared adapters against the real vSphere emulator (its sessions are visible as
// Login/Logout calls): one session for many jobs of an account, logged out when the worker stops,
// when the account is edited, after auth_failed, and after sitting idle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '@/providers/errors';
import { createTestDatabase } from '../testing/db';
import { createApprovedRequest, createFixture, ENGINE_TASKS, FAST_RUNTIME, startEmulatedAccount, type EmulatedAccount, type Fixture } from '../provisioning/test-fixtures';
import { AdapterCache, jobAdapters } from './adapter-cache';
import { configureJobs } from './context';
import { startWorker } from './worker';

const { db, url } = await createTestDatabase();
configureJobs({ db, runtime: FAST_RUNTIME });
let vsphere: EmulatedAccount;
let fixture: Fixture;

beforeAll(async () => {
  fixture = await createFixture(db);
  vsphere = await startEmulatedAccount(db, 'vsphere', { recordRequests: true });
});
afterAll(async () => {
  await vsphere.emulator.close();
});

const calls = (operation: string) => vsphere.emulator.requests().filter((r) => r.operation === operation).length;
const account = () => db.providerAccount.findUniqueOrThrow({ where: { id: vsphere.accountId } });

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('AdapterCache', () => {
  it('shares one session across uses and logs it out on closeAll', async () => {
    vsphere.emulator.clearRequests();
    const cache = new AdapterCache();
    const row = await account();
    const regions = await Promise.all([1, 2, 3].map(() => cache.use(row, FAST_RUNTIME, (adapter) => adapter.listRegions())));
    await cache.use(row, FAST_RUNTIME, (adapter) => adapter.listImages(vsphere.region));
    expect(regions.every((r) => r.some((region) => region.id === vsphere.region))).toBe(true);
    expect(cache.size).toBe(1);
    expect(calls('Login')).toBe(1);
    expect(calls('Logout')).toBe(0);

    await cache.closeAll();
    expect(cache.size).toBe(0);
    expect(calls('Logout')).toBe(1);
  });

  it('leaseCached lends the adapter already held (any version) without reading the account, and nothing when none is', async () => {
    vsphere.emulator.clearRequests();
    const cache = new AdapterCache();
    expect(cache.leaseCached(vsphere.accountId, FAST_RUNTIME)).toBeNull();
    const row = await account();
    await cache.use(row, FAST_RUNTIME, (adapter) => adapter.listRegions());
    const lease = cache.leaseCached(vsphere.accountId, FAST_RUNTIME)!;
    expect(lease.version).toBe(row.updatedAt.getTime());
    expect((await (await lease.adapter).listRegions()).some((r) => r.id === vsphere.region)).toBe(true);
    // Another runtime is another adapter: not lent.
    expect(cache.leaseCached(vsphere.accountId, { ...FAST_RUNTIME, pollIntervalMs: 7 })).toBeNull();
    // Retired (the account was edited) while lent: closed when that lease is released, not before.
    const edited = await db.providerAccount.update({ where: { id: row.id }, data: { description: `edited ${Date.now()}` } });
    await cache.use(edited, FAST_RUNTIME, (adapter) => adapter.listRegions());
    expect(calls('Logout')).toBe(0);
    lease.release();
    await until(() => calls('Logout') === 1, 'the old session logged out');
    expect(cache.leaseCached(vsphere.accountId, FAST_RUNTIME)!.version).toBe(edited.updatedAt.getTime());
    expect(calls('Login')).toBe(2);
    await cache.closeAll();
  });

  it('builds a new adapter after the account was edited and closes the old one', async () => {
    vsphere.emulator.clearRequests();
    const cache = new AdapterCache();
    const before = await account();
    await cache.use(before, FAST_RUNTIME, (adapter) => adapter.listRegions());
    const edited = await db.providerAccount.update({ where: { id: before.id }, data: { description: `edited ${Date.now()}` } });
    expect(edited.updatedAt.getTime()).not.toBe(before.updatedAt.getTime());
    await cache.use(edited, FAST_RUNTIME, (adapter) => adapter.listRegions());
    expect(calls('Login')).toBe(2);
    await until(() => calls('Logout') === 1, 'the old session to be logged out');
    expect(cache.size).toBe(1);
    await cache.closeAll();
    expect(calls('Logout')).toBe(2);
  });

  it('drops an adapter whose call failed with auth_failed, and loads the account only to build one', async () => {
    const cache = new AdapterCache();
    const row = await account();
    let loads = 0;
    const load = async () => {
      loads++;
      return row;
    };
    await cache.useAccount(row, load, FAST_RUNTIME, (adapter) => adapter.listRegions());
    await cache.useAccount(row, load, FAST_RUNTIME, (adapter) => adapter.listRegions());
    expect(loads).toBe(1);
    await expect(
      cache.useAccount(row, load, FAST_RUNTIME, async () => {
        throw new ProviderError('auth_failed', 'credentials were rotated');
      }),
    ).rejects.toThrow('credentials were rotated');
    expect(cache.size).toBe(0);
    await cache.useAccount(row, load, FAST_RUNTIME, (adapter) => adapter.listRegions());
    expect(loads).toBe(2);
    await cache.closeAll();
  });

  it('closes an adapter that sat idle', async () => {
    vsphere.emulator.clearRequests();
    const cache = new AdapterCache({ idleMs: 100 });
    await cache.use(await account(), FAST_RUNTIME, (adapter) => adapter.listRegions());
    await until(() => calls('Logout') === 1, 'the idle session to be logged out');
    expect(cache.size).toBe(0);
  });

  it('the worker reuses one session for many VMs and logs it out on shutdown', async () => {
    const worker = await startWorker({ connectionString: url, concurrency: 2, tasks: ENGINE_TASKS, cron: [] });
    try {
      vsphere.emulator.clearRequests();
      const vmsBefore = vsphere.emulator.vmCount();
      const { requestId } = await createApprovedRequest(db, fixture, [{ account: vsphere, quantity: 3 }]);
      const deadline = Date.now() + 60_000;
      while ((await db.request.findUniqueOrThrow({ where: { id: requestId } })).status !== 'completed') {
        if (Date.now() > deadline) throw new Error('the request did not complete');
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(vsphere.emulator.vmCount()).toBe(vmsBefore + 3);
      expect(calls('Login')).toBe(1);
      expect(jobAdapters.size).toBe(1);
    } finally {
      await worker.stop();
    }
    expect(jobAdapters.size).toBe(0);
    expect(calls('Logout')).toBe(1);
  });
});
