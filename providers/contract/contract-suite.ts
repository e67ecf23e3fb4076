// The one contract suite every adapter + emulator pair must pass: the same cases for all four
// providers. Each provider's test file calls `runAdapterContract` with a harness that starts its
// emulator and builds its adapter against it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isProviderError, ProviderError } from '../errors';
import { pollUntil } from '../shared/retry';
import { SKYPORT_TAG_KEYS, type AdapterRuntimeOptions, type CreateVmSpec, type ObservedVm, type ProviderAdapter, type VmRef, type VmState } from '../types';
import type { RecordedRequest, RunningEmulator } from './emulator';
import { startSilentServer } from './silent-server';

export interface ContractHarness {
  emulator: RunningEmulator;
  adapter: ProviderAdapter;
  /** An adapter pointed at the same emulator with wrong credentials. */
  adapterWithBadCredentials: () => ProviderAdapter;
  /** An adapter pointed at a closed port, with a short timeout. */
  adapterWithUnreachableEndpoint: () => ProviderAdapter;
  /**
   * An adapter whose every endpoint (API, token, authority) is `baseUrl` (https://127.0.0.1:port),
   * with the given runtime limits.
   */
  adapterAt: (baseUrl: string, runtime: AdapterRuntimeOptions) => ProviderAdapter;
  region: string;
  /** A second enabled region, for the multi-region listing case. */
  otherRegion: string;
  size: string;
  otherSize: string;
  image: string;
  /** Operation names the emulator uses for FaultSpec / RecordedRequest. */
  operations: { create: string; list: string };
  /**
   * Provider-specific wire check of the create request(s): the idempotency token and the four
   * Skyport tags must be in the actual request the SDK sent.
   */
  assertCreateOnWire: (requests: RecordedRequest[], spec: CreateVmSpec) => void;
}

let counter = 0;
function specFor(h: ContractHarness, label: string): CreateVmSpec {
  counter += 1;
  const id = `${label}-${Date.now().toString(36)}-${counter}`;
  return {
    idempotencyKey: `sp-${id}`,
    name: `contract-${id}`.slice(0, 40),
    region: h.region,
    size: h.size,
    image: h.image,
    tags: {
      owner: 'requester@demo.skyport',
      project: 'proj-web',
      request: `req-${id}`,
      skyportId: `vm-${id}`,
    },
    extraTags: { 'cost-centre': 'CC-100' },
  };
}

function refOf(vm: ObservedVm): VmRef {
  return { providerId: vm.providerId, region: vm.region, zone: vm.zone };
}

async function waitForState(adapter: ProviderAdapter, ref: VmRef, states: VmState[]) {
  return pollUntil(
    () => adapter.get(ref),
    (vm) => vm !== null && states.includes(vm.state),
    { intervalMs: 20, timeoutMs: 10_000, what: `state ${states.join('|')}` },
  );
}

async function expectProviderError(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    expect(isProviderError(error), `expected ProviderError, got ${String(error)}`).toBe(true);
    return error as ProviderError;
  }
  throw new Error('expected the call to fail');
}

export function runAdapterContract(name: string, makeHarness: () => Promise<ContractHarness>) {
  describe(`adapter contract: ${name}`, () => {
    let h: ContractHarness;

    beforeAll(async () => {
      h = await makeHarness();
    });
    afterAll(async () => {
      await h?.emulator.close();
    });
    beforeEach(() => {
      h.emulator.clearFaults();
      h.emulator.clearRequests();
    });

    it('declares capabilities and proves the connection with a cheap call', async () => {
      const caps = h.adapter.capabilities();
      expect(caps.actions).toEqual(expect.arrayContaining(['start', 'stop', 'reboot', 'resize', 'delete']));
      const result = await h.adapter.testConnection();
      expect(result.detail.length).toBeGreaterThan(0);
    });

    it('lists regions, sizes and images', async () => {
      const regions = await h.adapter.listRegions();
      expect(regions.map((r) => r.id)).toEqual(expect.arrayContaining([h.region, h.otherRegion]));
      const sizes = await h.adapter.listSizes(h.region);
      const size = sizes.find((s) => s.id === h.size);
      expect(size, `size ${h.size} listed`).toBeDefined();
      expect(size!.vcpus).toBeGreaterThan(0);
      expect(size!.memoryMiB).toBeGreaterThan(0);
      const images = await h.adapter.listImages(h.region);
      expect(images.map((i) => i.id)).toContain(h.image);
    });

    it('creates a tagged VM that becomes running, with the key and tags on the wire', async () => {
      const spec = specFor(h, 'create');
      expect(await h.adapter.observe(spec.idempotencyKey, spec.region)).toBeNull();
      const created = await h.adapter.create(spec);
      expect(created.providerId).toBeTruthy();
      expect(created.skyport).toEqual(spec.tags);
      expect(created.tags['cost-centre']).toBe('CC-100');
      h.emulator.clearRequests();
      const again = specFor(h, 'wire');
      await h.adapter.create(again);
      h.assertCreateOnWire(h.emulator.requests(), again);
      const running = await waitForState(h.adapter, refOf(created), ['running']);
      expect(running?.size).toBe(h.size);
    });

    it('creating twice with one key makes one VM', async () => {
      const spec = specFor(h, 'idem');
      const before = h.emulator.vmCount();
      const first = await h.adapter.create(spec);
      const second = await h.adapter.create(spec);
      expect(second.providerId).toBe(first.providerId);
      expect(h.emulator.vmCount()).toBe(before + 1);
    });

    it('recovers after a crash between create and record: observe finds the VM, create does not duplicate', async () => {
      const spec = specFor(h, 'crash');
      const before = h.emulator.vmCount();
      await h.adapter.create(spec); // result "lost": the caller crashed before recording it
      const observed = await h.adapter.observe(spec.idempotencyKey, spec.region);
      expect(observed).not.toBeNull();
      expect(observed!.skyport?.skyportId).toBe(spec.tags.skyportId);
      const retried = await h.adapter.create(spec);
      expect(retried.providerId).toBe(observed!.providerId);
      expect(h.emulator.vmCount()).toBe(before + 1);
    });

    it('runs the day-2 life cycle: stop, start, reboot, resize, delete (each idempotent)', async () => {
      const vm = await h.adapter.create(specFor(h, 'life'));
      const ref = refOf(vm);
      await waitForState(h.adapter, ref, ['running']);

      await h.adapter.stop(ref);
      await waitForState(h.adapter, ref, ['stopped', 'deallocated']);
      await h.adapter.stop(ref); // already stopped: still fine

      await h.adapter.start(ref);
      await waitForState(h.adapter, ref, ['running']);
      await h.adapter.start(ref);

      await h.adapter.reboot(ref);
      await waitForState(h.adapter, ref, ['running']);

      if (h.adapter.capabilities().resizeRequiresStop) {
        await h.adapter.stop(ref);
        await waitForState(h.adapter, ref, ['stopped', 'deallocated']);
      }
      await h.adapter.resize(ref, h.otherSize);
      const resized = await h.adapter.get(ref);
      expect(resized?.size).toBe(h.otherSize);

      await h.adapter.delete(ref);
      await pollUntil(() => h.adapter.get(ref), (v) => v === null || v.state === 'deleted', {
        intervalMs: 20,
        timeoutMs: 10_000,
        what: 'deletion',
      });
      await h.adapter.delete(ref); // already gone: still fine
    });

    it('finds nothing for the key of a VM that was created and then deleted', async () => {
      const spec = specFor(h, 'gone');
      const vm = await h.adapter.create(spec);
      expect((await h.adapter.observe(spec.idempotencyKey, spec.region))?.providerId).toBe(vm.providerId);
      await h.adapter.delete(refOf(vm));
      // EC2 keeps terminated instances visible for a while (as `deleted`); observe must not.
      await pollUntil(() => h.adapter.get(refOf(vm)), (v) => v === null || v.state === 'deleted', {
        intervalMs: 20,
        timeoutMs: 10_000,
        what: 'deletion',
      });
      expect(await h.adapter.observe(spec.idempotencyKey, spec.region)).toBeNull();
      expect(await h.adapter.observe(`sp-never-created-${Date.now()}`, h.region)).toBeNull();
    });

    it('merge-writes tags onto a VM with the provider API (others kept, Skyport ownership readable)', async () => {
      const spec = specFor(h, 'tags');
      const vm = await h.adapter.create(spec);
      const ref = refOf(vm);
      await h.adapter.setTags(ref, { [SKYPORT_TAG_KEYS.owner]: 'claimer@demo.skyport', team: 'blue' });
      const tagged = await h.adapter.get(ref);
      expect(tagged?.tags.team).toBe('blue');
      expect(tagged?.tags['cost-centre']).toBe('CC-100');
      expect(tagged?.skyport).toEqual({ ...spec.tags, owner: 'claimer@demo.skyport' });
      // A VM made outside Skyport can be claimed: the four ownership tags make it Skyport's.
      h.emulator.seedVms({ region: h.region, count: 1, namePrefix: `claim-${Date.now().toString(36)}` });
      let outside: ObservedVm | undefined;
      let token: string | undefined;
      do {
        const page = await h.adapter.listVms(h.region, { pageToken: token, pageSize: 100 });
        outside = page.vms.find((v) => v.skyport === null && v.state !== 'deleted') ?? outside;
        token = page.nextPageToken;
      } while (token && !outside);
      expect(outside, 'a VM made outside Skyport').toBeDefined();
      const claim = { owner: 'owner@demo.skyport', project: 'proj-claimed', request: 'claimed', skyportId: `vm-claimed-${Date.now()}` };
      await h.adapter.setTags(refOf(outside!), {
        [SKYPORT_TAG_KEYS.owner]: claim.owner,
        [SKYPORT_TAG_KEYS.project]: claim.project,
        [SKYPORT_TAG_KEYS.request]: claim.request,
        [SKYPORT_TAG_KEYS.skyportId]: claim.skyportId,
      });
      const claimed = await h.adapter.get(refOf(outside!));
      expect(claimed?.skyport).toEqual(claim);
      for (const [key, value] of Object.entries(outside!.tags)) expect(claimed?.tags[key]).toBe(value);
    });

    it('refuses to tag a VM that does not exist with not_found', async () => {
      const vm = await h.adapter.create(specFor(h, 'tag-gone'));
      await h.adapter.delete(refOf(vm));
      const current = await pollUntil(() => h.adapter.get(refOf(vm)), (v) => v === null || v.state === 'deleted', {
        intervalMs: 20,
        timeoutMs: 10_000,
        what: 'deletion',
      });
      // EC2 still tags a terminated instance (it is still listed); everywhere else the VM is gone.
      if (current === null) {
        const error = await expectProviderError(h.adapter.setTags(refOf(vm), { team: 'x' }));
        expect(error.code).toBe('not_found');
      } else {
        expect(current.state).toBe('deleted');
      }
    });

    it('closes idempotently after use', async () => {
      const adapter = h.adapterAt(new URL(h.emulator.url).origin, { maxRetries: 1 });
      expect((await adapter.listRegions()).length).toBeGreaterThan(0);
      await adapter.close();
      await adapter.close();
    });

    it('answers within the call deadline when the endpoint accepts TCP but never completes TLS', async () => {
      const silent = await startSilentServer();
      // Without one overall deadline this would take at least (1 + maxRetries) × requestTimeoutMs = 7 s.
      const adapter = h.adapterAt(silent.url, { requestTimeoutMs: 1_000, callTimeoutMs: 1_500, maxRetries: 6, pollIntervalMs: 20 });
      try {
        const started = Date.now();
        const error = await expectProviderError(adapter.testConnection());
        const elapsed = Date.now() - started;
        expect(error.code).toBe('unavailable');
        expect(error.retryable).toBe(true);
        expect(silent.accepted()).toBeGreaterThan(0);
        expect(elapsed).toBeLessThan(5_000);
      } finally {
        await adapter.close();
        await silent.close();
      }
    });

    it('pages through VM listings (at least two pages), including VMs made outside Skyport, with when they were made', async () => {
      const madeAt = new Date('2026-09-14T07:00:00.000Z');
      h.emulator.seedVms({ region: h.otherRegion, count: 130, namePrefix: 'outside', createdAt: madeAt });
      const seen = new Set<string>();
      const createdOutside: (number | undefined)[] = [];
      let pages = 0;
      let token: string | undefined;
      do {
        const page = await h.adapter.listVms(h.otherRegion, { pageToken: token, pageSize: 50 });
        pages += 1;
        for (const vm of page.vms) {
          seen.add(vm.providerId);
          if (vm.name.startsWith('outside')) createdOutside.push(vm.createdAt?.getTime());
        }
        token = page.nextPageToken;
      } while (token && pages < 100);
      expect(pages).toBeGreaterThanOrEqual(2);
      expect(seen.size).toBeGreaterThanOrEqual(130);
      // The provider's creation time reaches inventory (on-prem chargeback charges from it).
      expect(createdOutside).toHaveLength(130);
      expect(new Set(createdOutside)).toEqual(new Set([madeAt.getTime()]));
      const listed = await h.adapter.listVms(h.otherRegion, { pageSize: 50 });
      expect(listed.vms.some((vm) => vm.skyport === null)).toBe(true);
    });

    it('retries through throttling and succeeds', async () => {
      h.emulator.injectFault({ kind: 'throttle', operation: h.operations.list, times: 2 });
      const page = await h.adapter.listVms(h.region, { pageSize: 50 });
      expect(Array.isArray(page.vms)).toBe(true);
      expect(h.emulator.pendingFaults()).toBe(0);
      const listCalls = h.emulator.requests().filter((r) => r.operation === h.operations.list);
      expect(listCalls.length).toBeGreaterThanOrEqual(3);
    });

    it('retries through a transient server error and succeeds', async () => {
      h.emulator.injectFault({ kind: 'server_error', operation: h.operations.list, times: 1 });
      const page = await h.adapter.listVms(h.region, { pageSize: 50 });
      expect(Array.isArray(page.vms)).toBe(true);
      // The fault fired (one refused call) and the adapter asked again.
      expect(h.emulator.pendingFaults()).toBe(0);
      const listCalls = h.emulator.requests().filter((r) => r.operation === h.operations.list);
      expect(listCalls.length).toBeGreaterThanOrEqual(2);
    });

    it("enforces the provider's own compute quota: a create past it fails clearly and makes no VM", async () => {
      const before = h.emulator.vmCount();
      h.emulator.setVcpuLimit(0);
      try {
        const error = await expectProviderError(h.adapter.create(specFor(h, 'over-quota')));
        expect(error.code).toBe('quota_exceeded');
        expect(error.retryable).toBe(false);
        expect(error.providerMessage).toBeTruthy();
        expect(h.emulator.vmCount()).toBe(before);
      } finally {
        h.emulator.setVcpuLimit(undefined);
      }
      await h.adapter.create(specFor(h, 'under-quota'));
      expect(h.emulator.vmCount()).toBe(before + 1);
    });

    it('reports quota exhaustion as a clear, non-retryable error and makes no VM', async () => {
      const before = h.emulator.vmCount();
      h.emulator.injectFault({ kind: 'quota', operation: h.operations.create, times: 5 });
      const error = await expectProviderError(h.adapter.create(specFor(h, 'quota')));
      expect(error.code).toBe('quota_exceeded');
      expect(error.retryable).toBe(false);
      expect(error.providerMessage).toBeTruthy();
      expect(h.emulator.vmCount()).toBe(before);
    });

    it('reports wrong credentials as auth_failed', async () => {
      const error = await expectProviderError(h.adapterWithBadCredentials().testConnection());
      expect(error.code).toBe('auth_failed');
      expect(error.retryable).toBe(false);
    });

    it('reports an unreachable endpoint as unavailable, without hanging', async () => {
      const started = Date.now();
      const error = await expectProviderError(h.adapterWithUnreachableEndpoint().testConnection());
      expect(error.code).toBe('unavailable');
      expect(Date.now() - started).toBeLessThan(20_000);
    });
  });
}
