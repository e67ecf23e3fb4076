import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProviderError, type ProviderError } from '../errors';
import { pollUntil } from '../shared/retry';
import type { CreateVmSpec, ObservedVm, VmRef } from '../types';
import type { AwsEc2Adapter } from './adapter';
import { assumeRoleProvider, REFRESH_MARGIN_MS } from './credentials';
import { roleArn, SANDBOX_ACCOUNT, type AwsRunningEmulator } from './emulator';
import { FAST_RUNTIME, sandboxAdapter, startSandbox } from './test-harness';

let emulator: AwsRunningEmulator;
let adapter: AwsEc2Adapter;
let image: string;
let n = 0;

function spec(overrides: Partial<CreateVmSpec> = {}): CreateVmSpec {
  n += 1;
  return {
    idempotencyKey: `sp-adapter-${Date.now().toString(36)}-${n}`,
    name: `adapter-${n}`,
    region: 'us-east-1',
    size: 't3.micro',
    image,
    tags: { owner: 'o@x.y', project: 'p', request: `r-${n}`, skyportId: `vm-${n}` },
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isProviderError(error)) throw new Error(`expected a ProviderError, got ${String(error)}`);
  return error;
}

async function waitFor(ref: VmRef, states: string[]): Promise<ObservedVm> {
  const vm = await pollUntil(() => adapter.get(ref), (v) => v !== null && states.includes(v.state), { intervalMs: 10, timeoutMs: 5_000, what: states.join('|') });
  if (!vm) throw new Error(`${ref.providerId} vanished`);
  return vm;
}

beforeAll(async () => {
  ({ emulator, adapter } = await startSandbox({ transitionMs: 40 }));
  image = (await adapter.listImages('us-east-1')).find((i) => i.name.startsWith('al2023'))!.id;
});
afterAll(() => emulator.close());

describe('AWS adapter against the emulator', () => {
  it('lists every region, marks the ones not enabled, and gives zones for enabled ones', async () => {
    const regions = await adapter.listRegions();
    const optIn = regions.find((r) => r.id === 'af-south-1');
    expect(optIn?.name).toMatch(/not enabled/);
    expect(optIn?.zones).toBeUndefined();
    expect(regions.find((r) => r.id === 'eu-west-1')?.zones).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
  });

  it('reports sizes with vCPUs and memory, and adds them to observed VMs', async () => {
    const sizes = await adapter.listSizes('us-east-1');
    expect(sizes.find((s) => s.id === 'm5.xlarge')).toEqual({ id: 'm5.xlarge', name: 'm5.xlarge', vcpus: 4, memoryMiB: 16384 });
    const vm = await adapter.create(spec({ size: 'm5.xlarge' }));
    expect(vm.vcpus).toBe(4);
    expect(vm.memoryMiB).toBe(16384);
    expect(vm.state).toBe('pending');
  });

  it('lists images of the configured owners only', async () => {
    const own = sandboxAdapter(emulator, { imageOwners: ['self'] });
    const images = await own.listImages('us-east-1');
    expect(images.map((i) => i.name)).toEqual(['skyport-golden-rhel9-2025.01']);
    const filtered = sandboxAdapter(emulator, { imageNameFilter: 'Windows_*' });
    expect((await filtered.listImages('us-east-1')).map((i) => i.os)).toEqual(['Windows']);
  });

  it('binds long idempotency keys through a hashed ClientToken that observe finds again', async () => {
    const longKey = spec({ idempotencyKey: `sp-${'k'.repeat(100)}-${Date.now()}` });
    const created = await adapter.create(longKey);
    const observed = await adapter.observe(longKey.idempotencyKey, 'us-east-1');
    expect(observed?.providerId).toBe(created.providerId);
    expect(await adapter.observe(longKey.idempotencyKey, 'eu-west-1')).toBeNull();
  });

  it('refuses to reuse a key for a different VM (IdempotentParameterMismatch → conflict, not retried)', async () => {
    const first = spec();
    await adapter.create(first);
    const error = await failure(adapter.create({ ...first, size: 't3.large' }));
    expect(error.code).toBe('conflict');
    expect(error.retryable).toBe(false);
    expect(error.providerCode).toBe('IdempotentParameterMismatch');
  });

  it('resizes a running VM by stopping, modifying and starting it again', async () => {
    const vm = await adapter.create(spec());
    const ref = { providerId: vm.providerId, region: vm.region };
    await waitFor(ref, ['running']);
    await adapter.resize(ref, 'c5.large');
    const after = await waitFor(ref, ['running']);
    expect(after.size).toBe('c5.large');
    const calls = emulator.requests().map((r) => r.operation);
    const stopAt = calls.lastIndexOf('StopInstances');
    expect(stopAt).toBeGreaterThan(-1);
    expect(calls.lastIndexOf('ModifyInstanceAttribute')).toBeGreaterThan(stopAt);
    expect(calls.lastIndexOf('StartInstances')).toBeGreaterThan(calls.lastIndexOf('ModifyInstanceAttribute'));
  });

  it('waits out transitional states: start while stopping, stop while pending', async () => {
    const attempts = (operation: string) => emulator.requests().filter((r) => r.operation === operation).length;
    const until = (what: string, done: () => boolean) =>
      pollUntil(async () => done(), (ok) => ok, { intervalMs: 5, timeoutMs: 10_000, what });
    // Held clock: each transitional state lasts until the test advances it, however slow the machine.
    emulator.clock.hold();
    try {
      const vm = await adapter.create(spec());
      const ref = { providerId: vm.providerId, region: vm.region };
      emulator.clearRequests();
      const stopping = adapter.stop(ref); // pending: EC2 says IncorrectInstanceState, the adapter waits for running
      await until('the refused StopInstances', () => attempts('StopInstances') === 1);
      emulator.clock.advance(40); // pending → running
      await stopping;
      const starting = adapter.start(ref); // stopping: refused, the adapter waits for stopped, then starts
      await until('the refused StartInstances', () => attempts('StartInstances') === 1);
      emulator.clock.advance(40); // stopping → stopped
      await starting;
      emulator.clock.advance(40); // pending → running
      expect((await adapter.get(ref))?.state).toBe('running');
      expect(attempts('StopInstances')).toBe(2);
      expect(attempts('StartInstances')).toBe(2);
    } finally {
      emulator.clock.release();
    }
  });

  it('refuses to reboot a stopped VM with a clear conflict', async () => {
    const vm = await adapter.create(spec());
    const ref = { providerId: vm.providerId, region: vm.region };
    await waitFor(ref, ['running']);
    await adapter.stop(ref);
    await waitFor(ref, ['stopped']);
    const error = await failure(adapter.reboot(ref));
    expect(error.code).toBe('conflict');
    expect(error.retryable).toBe(false);
  });

  it('shows terminated VMs as deleted and treats deleting an unknown id as done', async () => {
    const created = spec();
    const vm = await adapter.create(created);
    const ref = { providerId: vm.providerId, region: vm.region };
    expect((await adapter.observe(created.idempotencyKey, 'us-east-1'))?.providerId).toBe(vm.providerId);
    await adapter.delete(ref);
    const gone = await waitFor(ref, ['deleted']);
    expect(gone.providerState).toBe('terminated');
    // A terminated instance no longer holds its key: observe (the real key) finds nothing.
    expect(await adapter.observe(created.idempotencyKey, 'us-east-1')).toBeNull();
    await adapter.delete({ providerId: 'i-0123456789abcdef0', region: 'us-east-1' });
    expect(await adapter.get({ providerId: 'i-0123456789abcdef0', region: 'us-east-1' })).toBeNull();
  });

  it('merges tags with CreateTags and refuses an unknown instance with not_found', async () => {
    const vm = await adapter.create(spec());
    const ref = { providerId: vm.providerId, region: vm.region };
    emulator.clearRequests();
    await adapter.setTags(ref, { team: 'blue', 'aws:reserved': 'dropped' });
    const call = emulator.requests().find((r) => r.operation === 'CreateTags')!;
    expect(call.query['ResourceId.1']).toBe(vm.providerId);
    expect(Object.values(call.query)).not.toContain('aws:reserved');
    const tagged = await adapter.get(ref);
    expect(tagged?.tags).toMatchObject({ team: 'blue', Name: vm.name, 'skyport-id': vm.skyport!.skyportId });
    const error = await failure(adapter.setTags({ providerId: 'i-0123456789abcdef0', region: 'us-east-1' }, { team: 'x' }));
    expect(error.code).toBe('not_found');
    expect(error.providerCode).toBe('InvalidInstanceID.NotFound');
  });

  it('walks every enabled region page by page', async () => {
    emulator.seedVms({ region: 'eu-central-1', count: 7, namePrefix: 'sweep' });
    const seen: string[] = [];
    for await (const vm of adapter.listVmsInEnabledRegions(5)) seen.push(`${vm.region}/${vm.name}`);
    expect(seen.filter((s) => s.startsWith('eu-central-1/sweep-'))).toHaveLength(7);
    const listedRegions = emulator
      .requests()
      .filter((r) => r.operation === 'DescribeInstances')
      .map((r) => r.headers.authorization?.match(/Credential=[^/]+\/\d{8}\/([^/]+)\//)?.[1]);
    expect(new Set(listedRegions)).toEqual(new Set(['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'eu-south-1']));
  });

  it('retries a request that times out and then succeeds', async () => {
    const quick = sandboxAdapter(emulator, {}, { ...FAST_RUNTIME, requestTimeoutMs: 1_000 });
    emulator.clearRequests();
    emulator.injectFault({ kind: 'timeout', operation: 'DescribeInstances', times: 1 });
    const page = await quick.listVms('us-east-1', { pageSize: 5 });
    expect(page.vms.length).toBeGreaterThan(0);
    // The hanging call happened and was asked again (a slow machine may add a retry, never remove one).
    expect(emulator.pendingFaults()).toBe(0);
    expect(emulator.requests().filter((r) => r.operation === 'DescribeInstances').length).toBeGreaterThanOrEqual(2);
    await quick.close();
  });

  it('gives up on a persistent timeout as unavailable', async () => {
    const quick = sandboxAdapter(emulator, {}, { ...FAST_RUNTIME, requestTimeoutMs: 200, maxRetries: 1 });
    emulator.clearRequests();
    emulator.injectFault({ kind: 'timeout', operation: 'DescribeRegions', times: 5 });
    const error = await failure(quick.enabledRegions());
    const hung = emulator.requests().filter((r) => r.operation === 'DescribeRegions').length;
    emulator.clearFaults();
    expect(error.code).toBe('unavailable');
    expect(error.retryable).toBe(true);
    // Gave up after the first attempt and its one retry (a loaded machine may lose one in flight).
    expect(hung).toBeGreaterThanOrEqual(1);
    expect(hung).toBeLessThanOrEqual(2);
    await quick.close();
  });
});

describe('assume-role credentials', () => {
  it('assumes the configured role over STS and signs EC2 calls with the session', async () => {
    const roleAdapter = sandboxAdapter(emulator, { roleArn: roleArn('SkyportBrokerExternal'), externalId: 'skyport-external-id', roleSessionName: 'skyport-test' });
    emulator.clearRequests();
    const result = await roleAdapter.testConnection();
    expect(result.detail).toContain(`assumed-role/SkyportBrokerExternal/skyport-test`);
    const assume = emulator.requests().filter((r) => r.operation === 'AssumeRole');
    expect(assume).toHaveLength(1);
    expect(assume[0]!.query.ExternalId).toBe('skyport-external-id');
    expect(assume[0]!.headers.authorization).toContain(`Credential=${SANDBOX_ACCOUNT.accessKeyId}/`);
    const ec2Call = emulator.requests().find((r) => r.operation === 'DescribeRegions')!;
    expect(ec2Call.headers.authorization).toMatch(/Credential=ASIA/);
    expect(ec2Call.headers['x-amz-security-token']).toBeTruthy();
    await roleAdapter.listVms('us-east-1', { pageSize: 5 });
    expect(emulator.requests().filter((r) => r.operation === 'AssumeRole')).toHaveLength(1);
  });

  it('reports a role it may not assume (wrong external id) as auth_failed', async () => {
    const roleAdapter = sandboxAdapter(emulator, { roleArn: roleArn('SkyportBrokerExternal'), externalId: 'wrong-id' });
    const error = await failure(roleAdapter.testConnection());
    expect(error.code).toBe('auth_failed');
    expect(error.providerCode).toBe('AccessDenied');
  });

  it('renews the session before it expires and shares one renewal between concurrent callers', async () => {
    const sts = new STSClient({
      region: 'us-east-1',
      endpoint: emulator.url,
      credentials: { accessKeyId: SANDBOX_ACCOUNT.accessKeyId, secretAccessKey: SANDBOX_ACCOUNT.secretAccessKey },
    });
    let clock = Date.now();
    const provider = assumeRoleProvider(sts, { roleArn: roleArn('SkyportBroker'), roleSessionName: 'refresh' }, () => clock);
    emulator.clearRequests();
    const [a, b] = await Promise.all([provider(), provider()]);
    expect(a.accessKeyId).toBe(b.accessKeyId);
    expect(await provider()).toBe(a);
    clock = a.expiration!.getTime() - REFRESH_MARGIN_MS + 1;
    const renewed = await provider();
    expect(renewed.accessKeyId).not.toBe(a.accessKeyId);
    expect(emulator.requests().filter((r) => r.operation === 'AssumeRole')).toHaveLength(2);
  });
});
