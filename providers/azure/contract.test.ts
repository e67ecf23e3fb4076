import { createServer } from 'node:net';
import { expect } from 'vitest';
import type { RecordedRequest } from '../contract/emulator';
import { runAdapterContract, type ContractHarness } from '../contract/contract-suite';
import { SKYPORT_TAG_KEYS, type CreateVmSpec } from '../types';
import { sandbox } from './emulator';
import { provider } from './index';
import { nicNameForVm, vmNameForKey } from './naming';
import { startSandbox } from './test-harness';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 1;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function assertCreateOnWire(requests: RecordedRequest[], spec: CreateVmSpec): void {
  const vmName = vmNameForKey(spec.idempotencyKey);
  const vmPut = requests.find((r) => r.method === 'PUT' && r.operation === 'VirtualMachines_CreateOrUpdate');
  expect(vmPut, 'VM PUT on the wire').toBeDefined();
  // The idempotency key is bound to the ARM resource name in the PUT URL.
  expect(vmPut!.path.endsWith(`/virtualMachines/${vmName}`)).toBe(true);
  const nicPut = requests.find((r) => r.method === 'PUT' && r.operation === 'NetworkInterfaces_CreateOrUpdate');
  expect(nicPut?.path.endsWith(`/networkInterfaces/${nicNameForVm(vmName)}`)).toBe(true);
  expect(vmPut!.headers.authorization).toMatch(/^Bearer /);
  const body = JSON.parse(vmPut!.body) as { tags?: Record<string, string>; properties?: { networkProfile?: { networkInterfaces?: { id?: string }[] } } };
  expect(body.tags?.[SKYPORT_TAG_KEYS.owner]).toBe(spec.tags.owner);
  expect(body.tags?.[SKYPORT_TAG_KEYS.project]).toBe(spec.tags.project);
  expect(body.tags?.[SKYPORT_TAG_KEYS.request]).toBe(spec.tags.request);
  expect(body.tags?.[SKYPORT_TAG_KEYS.skyportId]).toBe(spec.tags.skyportId);
  expect(body.properties?.networkProfile?.networkInterfaces?.[0]?.id?.endsWith(`/networkInterfaces/${nicNameForVm(vmName)}`)).toBe(true);
}

async function makeHarness(): Promise<ContractHarness> {
  const { emulator } = await startSandbox({ transitionMs: 50 });
  const account = sandbox.sandboxAccount(emulator);
  const runtime = { pollIntervalMs: 20, requestTimeoutMs: 5_000, maxRetries: 4 };
  const port = await closedPort();
  return {
    emulator,
    adapter: provider.createAdapter({ settings: account.settings, secrets: account.secrets, runtime }),
    adapterWithBadCredentials: () =>
      provider.createAdapter({ settings: account.settings, secrets: { ...account.secrets, clientSecret: 'wrong-secret' }, runtime }),
    adapterWithUnreachableEndpoint: () =>
      provider.createAdapter({
        settings: { ...account.settings, authorityHost: `https://127.0.0.1:${port}`, armEndpoint: `https://127.0.0.1:${port}` },
        secrets: account.secrets,
        runtime: { pollIntervalMs: 20, requestTimeoutMs: 2_000, maxRetries: 1 },
      }),
    adapterAt: (baseUrl, adapterRuntime) =>
      provider.createAdapter({ settings: { ...account.settings, authorityHost: baseUrl, armEndpoint: baseUrl }, secrets: account.secrets, runtime: adapterRuntime }),
    region: account.regions[0]!,
    otherRegion: account.regions[1]!,
    size: 'Standard_B2s',
    otherSize: 'Standard_D2s_v5',
    image: 'Canonical:ubuntu-24_04-lts:server:latest',
    operations: { create: 'VirtualMachines_CreateOrUpdate', list: 'VirtualMachines_ListAll' },
    assertCreateOnWire,
  };
}

runAdapterContract('azure', makeHarness);
