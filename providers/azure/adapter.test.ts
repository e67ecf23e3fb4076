import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProviderError } from '../errors';
import type { CreateVmSpec, ProviderAdapter } from '../types';
import { sandbox, SANDBOX, startEmulator, type AzureRunningEmulator } from './emulator';
import { provider } from './index';

function spec(key: string): CreateVmSpec {
  return {
    idempotencyKey: key,
    name: key,
    region: SANDBOX.region,
    size: 'Standard_B2s',
    image: 'Canonical:ubuntu-24_04-lts:server:latest',
    tags: { owner: 'o@x', project: 'p', request: 'r', skyportId: key },
  };
}

describe('azure adapter against the emulator', () => {
  let emulator: AzureRunningEmulator;
  let adapter: ProviderAdapter;

  beforeAll(async () => {
    emulator = await startEmulator({ transitionMs: 20 });
    const account = sandbox.sandboxAccount(emulator);
    adapter = provider.createAdapter({ ...account, runtime: { pollIntervalMs: 10, requestTimeoutMs: 5_000, maxRetries: 2 } });
  });
  afterAll(async () => {
    await adapter?.close();
    await emulator?.close();
  });

  it('retries an attempt that times out (per-attempt clock inside the SDK retry loop)', async () => {
    const quick = provider.createAdapter({ ...sandbox.sandboxAccount(emulator), runtime: { pollIntervalMs: 10, requestTimeoutMs: 1_000, maxRetries: 2 } });
    try {
      await quick.listVms(SANDBOX.region); // token cached before the fault
      emulator.clearRequests();
      emulator.injectFault({ kind: 'timeout', operation: 'VirtualMachines_ListAll', times: 1 });
      const page = await quick.listVms(SANDBOX.region);
      expect(Array.isArray(page.vms)).toBe(true);
      // The held attempt happened and was given up on; a loaded machine may add a retry, never remove one.
      expect(emulator.pendingFaults()).toBe(0);
      expect(emulator.requests().filter((r) => r.operation === 'VirtualMachines_ListAll').length).toBeGreaterThanOrEqual(2);
    } finally {
      await quick.close();
    }
  });

  it('deallocates (distinct from stopped), starts again, and lists only the asked region', async () => {
    const vm = await adapter.create(spec('sp-adapter-dealloc'));
    const ref = { providerId: vm.providerId, region: vm.region };
    await adapter.stop(ref, { deallocate: true });
    expect((await adapter.get(ref))?.state).toBe('deallocated');
    expect(emulator.requests().some((r) => r.operation === 'VirtualMachines_Deallocate')).toBe(true);
    await adapter.start(ref);
    expect((await adapter.get(ref))?.state).toBe('running');
    emulator.seedVms({ region: SANDBOX.otherRegion, count: 3, namePrefix: 'elsewhere' });
    const listed = await adapter.listVms(SANDBOX.region);
    expect(listed.vms.map((v) => v.providerId)).toContain(vm.providerId);
    expect(listed.vms.every((v) => v.region === SANDBOX.region)).toBe(true);
  });

  it('refuses a page token that points at another host (it would receive the bearer token)', async () => {
    const error = await adapter.listVms(SANDBOX.region, { pageToken: 'https://attacker.example/subscriptions/x' }).catch((e: unknown) => e);
    expect(isProviderError(error) && error.code).toBe('invalid_request');
  });

  it('rejects a malformed image id before touching Azure', async () => {
    const error = await adapter.create({ ...spec('sp-adapter-badimage'), image: 'ubuntu' }).catch((e: unknown) => e);
    expect(isProviderError(error) && error.code).toBe('invalid_request');
  });

  it('reports an unknown size as invalid_request with the ARM code, and leaves no NIC behind', async () => {
    const error = await adapter.create({ ...spec('sp-adapter-badsize'), size: 'Standard_Nope' }).catch((e: unknown) => e);
    expect(isProviderError(error) && error.code).toBe('invalid_request');
    expect(isProviderError(error) && error.providerCode).toBe('InvalidParameter');
    const nicDeletes = emulator.requests().filter((r) => r.operation === 'NetworkInterfaces_Delete');
    expect(nicDeletes.length).toBeGreaterThan(0);
  });
});

describe('azure emulator persistence', () => {
  it('keeps VMs across a restart when statePath is set', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'skyport-azure-'));
    const statePath = path.join(dir, 'state.json');
    try {
      const first = await startEmulator({ transitionMs: 10, statePath });
      const adapterA = provider.createAdapter({ ...sandbox.sandboxAccount(first), runtime: { pollIntervalMs: 10 } });
      const vm = await adapterA.create(spec('sp-persist-1'));
      await first.close();
      const second = await startEmulator({ transitionMs: 10, statePath });
      try {
        const adapterB = provider.createAdapter({ ...sandbox.sandboxAccount(second), runtime: { pollIntervalMs: 10 } });
        const found = await adapterB.observe('sp-persist-1', SANDBOX.region);
        expect(found?.providerId).toBe(vm.providerId);
        expect(found?.state).toBe('running');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
