// Adapter behaviour the shared contract does not pin down: timeouts, zones, name collisions with
// foreign VMs, multi-zone paging and state that survives an emulator restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isProviderError, type ProviderError } from '../errors';
import type { AdapterRuntimeOptions, CreateVmSpec, ProviderAdapter } from '../types';
import { fetchAccessToken } from './emulator/bare-client';
import { startEmulator, type GcpRunningEmulator } from './emulator/index';
import { FAST_RUNTIME, sandboxAdapter } from './test-harness';
import { instanceNameForKey } from './naming';

const FAST: AdapterRuntimeOptions = FAST_RUNTIME;
const IMAGE = 'projects/debian-cloud/global/images/debian-12-bookworm-v20240110';

let serial = 0;
function spec(overrides: Partial<CreateVmSpec> = {}): CreateVmSpec {
  serial += 1;
  const id = `${Date.now().toString(36)}-${serial}`;
  return {
    idempotencyKey: `sp-adapter-${id}`,
    name: `adapter ${id}`,
    region: 'us-central1',
    size: 'e2-small',
    image: IMAGE,
    tags: { owner: 'ops@demo.skyport', project: 'proj-ops', request: `req-${id}`, skyportId: `vm-${id}` },
    ...overrides,
  };
}

function adapterFor(emulator: GcpRunningEmulator, runtime: AdapterRuntimeOptions = FAST): ProviderAdapter {
  return sandboxAdapter(emulator, {}, runtime);
}

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (isProviderError(error)) return error;
    throw error;
  }
  throw new Error('expected a ProviderError');
}

describe('GCP adapter beyond the contract', () => {
  let emulator: GcpRunningEmulator;
  let adapter: ProviderAdapter;

  beforeAll(async () => {
    emulator = await startEmulator({ transitionMs: 30, timeoutFaultMs: 5_000 });
    adapter = adapterFor(emulator);
  });
  afterAll(async () => {
    await emulator?.close();
  });
  beforeEach(() => {
    emulator.clearFaults();
    emulator.clearRequests();
  });

  it('places VMs in the first zone of the region unless the spec names one, and observe finds both', async () => {
    const placed = await adapter.create(spec());
    expect(placed.zone).toBe('us-central1-a');
    const chosen = spec({ zone: 'us-central1-c' });
    const inZone = await adapter.create(chosen);
    expect(inZone.zone).toBe('us-central1-c');
    expect(inZone.providerId).toBe(`zones/us-central1-c/instances/${instanceNameForKey(chosen.idempotencyKey)}`);
    expect((await adapter.observe(chosen.idempotencyKey, 'us-central1'))?.providerId).toBe(inZone.providerId);
    const wrongZone = await providerError(adapter.create(spec({ zone: 'europe-west1-b' })));
    expect(wrongZone.code).toBe('invalid_request');
  });

  it('waits on the insert Operation with zoneOperations.wait and sends the human name as description', async () => {
    const request = spec();
    await adapter.create(request);
    const operations = emulator.requests().map((r) => r.operation);
    expect(operations).toContain('compute.zoneOperations.wait');
    const insert = emulator.requests().find((r) => r.operation === 'compute.instances.insert')!;
    expect((JSON.parse(insert.body) as { description?: string }).description).toBe(request.name);
  });

  it('retries a call that timed out (gax DEADLINE_EXCEEDED) and succeeds', async () => {
    const quick = adapterFor(emulator, { ...FAST, requestTimeoutMs: 1_000 });
    await quick.listRegions(); // token and region cache first, so the fault hits the list call
    emulator.injectFault({ kind: 'timeout', operation: 'compute.instances.list' });
    const page = await quick.listVms('us-central1', { pageSize: 10 });
    expect(Array.isArray(page.vms)).toBe(true);
    // The held call happened and was given up on; a loaded machine may add a retry, never remove one.
    expect(emulator.pendingFaults()).toBe(0);
    expect(emulator.requests().filter((r) => r.operation === 'compute.instances.list').length).toBeGreaterThanOrEqual(2);
    await quick.close();
  });

  it('gives up on throttling after maxRetries with a retryable throttled error', async () => {
    const patient = adapterFor(emulator, { ...FAST, maxRetries: 1 });
    await patient.listRegions();
    emulator.injectFault({ kind: 'throttle', operation: 'compute.instances.list', times: 5 });
    const error = await providerError(patient.listVms('us-central1'));
    expect(error).toMatchObject({ code: 'throttled', retryable: true });
    expect(emulator.requests().filter((r) => r.operation === 'compute.instances.list')).toHaveLength(2);
  });

  it('setTags writes label-safe labels with the fingerprint; concurrent writers both land', async () => {
    const vm = await adapter.create(spec());
    const ref = { providerId: vm.providerId, region: vm.region, zone: vm.zone };
    await adapter.setTags(ref, { 'Cost Centre': 'CC 7', 'skyport-owner': 'new.owner@demo.skyport' });
    const tagged = await adapter.get(ref);
    expect(tagged?.tags.cost_centre).toBe('CC 7');
    expect(tagged?.skyport?.owner).toBe('new.owner@demo.skyport');
    const setLabels = emulator.requests().filter((r) => r.operation === 'compute.instances.setLabels');
    const sent = JSON.parse(setLabels.at(-1)!.body) as { labels: Record<string, string>; labelFingerprint: string };
    expect(sent.labelFingerprint).toBeTruthy();
    expect(Object.keys(sent.labels).every((key) => /^[a-z][a-z0-9_-]{0,62}$/.test(key))).toBe(true);
    // Both read the same fingerprint; the loser gets 412 conditionNotMet, re-reads and merges.
    await Promise.all([adapter.setTags(ref, { first: 'a' }), adapter.setTags(ref, { second: 'b' })]);
    const both = await adapter.get(ref);
    expect(both?.tags).toMatchObject({ first: 'a', second: 'b', cost_centre: 'CC 7' });
  });

  it('refuses to resize a running VM (GCE needs it stopped) and resizes a stopped one', async () => {
    const vm = await adapter.create(spec());
    const ref = { providerId: vm.providerId, region: vm.region, zone: vm.zone };
    const running = await providerError(adapter.resize(ref, 'e2-medium'));
    expect(running).toMatchObject({ code: 'invalid_request', providerCode: 'RESOURCE_NOT_READY' });
    await adapter.stop(ref, { deallocate: true });
    await adapter.resize(ref, 'e2-medium');
    await adapter.resize(ref, 'e2-medium'); // already that size: nothing to do
    expect((await adapter.get(ref))?.size).toBe('e2-medium');
    const unknownSize = await providerError(adapter.resize(ref, 'e2-imaginary'));
    expect(unknownSize.code).toBe('invalid_request');
  });

  it('treats 409 alreadyExists as success only when the labels show the VM is ours', async () => {
    const foreign = spec();
    const token = await fetchAccessToken(emulator.serviceAccountKey());
    const zone = 'us-central1-a';
    const response = await fetch(`${emulator.url}/compute/v1/projects/${emulator.project}/zones/${zone}/instances`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: instanceNameForKey(foreign.idempotencyKey),
        machineType: `zones/${zone}/machineTypes/e2-small`,
        disks: [{ boot: true, initializeParams: { sourceImage: IMAGE } }],
      }),
    });
    expect(response.status).toBe(200);
    const error = await providerError(adapter.create(foreign));
    expect(error).toMatchObject({ code: 'conflict', retryable: false, providerCode: 'alreadyExists' });
  });

  it('reports an Operation that outlives operationTimeoutMs as a retryable OPERATION_TIMEOUT', async () => {
    const slow = await startEmulator({ transitionMs: 3_000 });
    try {
      const impatient = adapterFor(slow, { ...FAST, operationTimeoutMs: 300 });
      const error = await providerError(impatient.create(spec()));
      expect(error).toMatchObject({ code: 'unavailable', retryable: true, providerCode: 'OPERATION_TIMEOUT' });
      // The VM exists and is still coming up; a later create with the same key adopts it.
    } finally {
      await slow.close();
    }
  });

  it('pages a region across its zones, every VM exactly once, and rejects foreign page tokens', async () => {
    emulator.seedVms({ region: 'us-west1', count: 23, namePrefix: 'zones' });
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await adapter.listVms('us-west1', { pageToken: token, pageSize: 5 });
      seen.push(...page.vms.map((vm) => vm.providerId));
      token = page.nextPageToken;
      pages += 1;
    } while (token && pages < 50);
    expect(seen).toHaveLength(23);
    expect(new Set(seen).size).toBe(23);
    expect(new Set(seen.map((id) => id.split('/')[1])).size).toBe(3);
    const listCalls = emulator.requests().filter((r) => r.operation === 'compute.instances.list');
    expect(listCalls.every((r) => r.query.maxResults === '5')).toBe(true);
    expect(listCalls.some((r) => r.query.pageToken)).toBe(true);
    expect((await providerError(adapter.listVms('us-west1', { pageToken: 'bogus' }))).code).toBe('invalid_request');
  });

  it('lists active images only, with ids insert accepts, and sizes with vCPUs and memory', async () => {
    const images = await adapter.listImages('us-central1');
    expect(images.map((i) => i.id)).toContain(IMAGE);
    expect(images.map((i) => i.id)).not.toContain('projects/debian-cloud/global/images/debian-12-bookworm-v20231212');
    const sizes = await adapter.listSizes('europe-west1');
    expect(sizes.find((s) => s.id === 'n1-standard-1')).toMatchObject({ vcpus: 1, memoryMiB: 3840 });
  });
});

describe('sandbox state across an emulator restart', () => {
  it('keeps VMs, the service-account key and issued tokens when started again from statePath', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'skyport-gcp-'));
    const statePath = path.join(dir, 'state.json');
    try {
      const first = await startEmulator({ statePath, transitionMs: 10 });
      const port = Number(new URL(first.url).port);
      const adapter = adapterFor(first);
      const vm = await adapter.create(spec());
      await first.close();

      const second = await startEmulator({ statePath, port, transitionMs: 10 });
      try {
        expect(second.vmCount()).toBe(1);
        // Same adapter: cached token and key still valid against the restarted emulator.
        const again = await adapter.get({ providerId: vm.providerId, region: vm.region, zone: vm.zone });
        expect(again?.skyport).toEqual(vm.skyport);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
