// Adapter + emulator behaviour beyond the shared contract: session expiry and re-login, task life
// cycle, a clone still running after a crash, request timeouts, TLS trust modes, persisted state.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProviderError } from '../errors';
import { VsphereAdapter } from './adapter';
import { EMULATOR_PASSWORD, EMULATOR_TEMPLATES, EMULATOR_USERNAME, startEmulator, type VsphereEmulator } from './emulator';
import { vmNameForKey } from './naming';
import { VimClient } from './soap/client';
import { PropertyCollector, taskRefOf } from './soap/property-collector';
import { child, element, moRefElement, textElement, toMoRef } from './soap/xml';

const secrets = { username: EMULATOR_USERNAME, password: EMULATOR_PASSWORD };
const runtime = { requestTimeoutMs: 2_000, maxRetries: 3, pollIntervalMs: 10, operationTimeoutMs: 10_000 };
const REGION = 'DC-East';

function specFor(key: string) {
  return {
    idempotencyKey: key,
    name: key,
    region: REGION,
    size: 'small',
    image: EMULATOR_TEMPLATES[0].name,
    tags: { owner: 'o@x.y', project: 'p', request: `r-${key}`, skyportId: `id-${key}` },
  };
}

describe('vSphere adapter behaviour against the emulator', () => {
  let emulator: VsphereEmulator;
  let adapter: VsphereAdapter;
  let client: VimClient;

  beforeAll(async () => {
    emulator = await startEmulator({ transitionMs: 150 });
    const settings = { endpoint: emulator.url, caCertPem: emulator.caCertPem, insecure: false };
    adapter = new VsphereAdapter({ settings, secrets, runtime });
    client = new VimClient({ endpoint: emulator.url, ...secrets, trust: { caCertPem: emulator.caCertPem }, requestTimeoutMs: 2_000, maxRetries: 0 });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  /** Start a clone the way a worker would before crashing (no waiting, no tags). */
  async function startOrphanClone(name: string) {
    const { rootFolder } = await client.serviceContent();
    const collector = new PropertyCollector(client);
    const [dc] = await collector.listUnder(rootFolder, 'Datacenter', ['name', 'vmFolder']);
    const folder = toMoRef(dc!.props.get('vmFolder'))!;
    const template = (await collector.listUnder(folder, 'VirtualMachine', ['name'])).find(
      (vm) => vm.props.get('name')?.text === EMULATOR_TEMPLATES[0].name,
    )!;
    const computes = await collector.listUnder(rootFolder, 'ComputeResource', ['resourcePool']);
    const pool = toMoRef(computes[0]!.props.get('resourcePool'))!;
    const spec = element('location', moRefElement('pool', pool)) + textElement('powerOn', true);
    const args = moRefElement('folder', folder) + textElement('name', name) + element('spec', spec);
    const response = await client.invoke('CloneVM_Task', template.obj, args);
    return { task: taskRefOf(response), collector };
  }

  it('moves tasks through queued → running → success', async () => {
    const { task, collector } = await startOrphanClone(`lifecycle-${Date.now()}`);
    const seen: string[] = [];
    for (;;) {
      const info = (await collector.read(task, ['info']))!.props.get('info');
      const state = child(info, 'state')!.text;
      if (seen.at(-1) !== state) seen.push(state);
      if (state === 'success' || state === 'error') {
        expect(toMoRef(child(info, 'result'))?.type).toBe('VirtualMachine');
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(seen[0]).toBe('queued');
    expect(seen).toContain('running');
    expect(seen.at(-1)).toBe('success');
  });

  it('finishes the job of a crashed create whose clone is still running (DuplicateName → wait → tag)', async () => {
    const key = `sp-crash-${Date.now().toString(36)}`;
    const before = emulator.vmCount();
    await startOrphanClone(vmNameForKey(key));
    const vm = await adapter.create(specFor(key));
    expect(vm.name).toBe(vmNameForKey(key));
    expect(vm.skyport?.skyportId).toBe(`id-${key}`);
    expect(emulator.vmCount()).toBe(before + 1);
    expect(emulator.requests().some((r) => r.operation === 'CloneVM_Task' && r.body.includes(vmNameForKey(key)))).toBe(true);
  });

  it('logs in again when the session expired and repeats the call', async () => {
    await adapter.listRegions();
    emulator.clearRequests();
    emulator.expireSessions();
    const page = await adapter.listVms(REGION, { pageSize: 10 });
    expect(Array.isArray(page.vms)).toBe(true);
    const operations = emulator.requests().map((r) => r.operation);
    expect(operations.filter((op) => op === 'Login')).toHaveLength(1);
    expect(operations.indexOf('Login')).toBeGreaterThan(0); // the first call hit NotAuthenticated
  });

  it('gives up on a hanging request after requestTimeoutMs and retries it', async () => {
    const quick = new VsphereAdapter({
      settings: { endpoint: emulator.url, caCertPem: emulator.caCertPem, insecure: false },
      secrets,
      runtime: { ...runtime, requestTimeoutMs: 300 },
    });
    await quick.listRegions();
    emulator.injectFault({ kind: 'timeout', operation: 'RetrievePropertiesEx', times: 1 });
    const page = await quick.listVms(REGION, { pageSize: 5 });
    expect(Array.isArray(page.vms)).toBe(true);
  });

  it('trusts the server by pinned thumbprint or insecure flag, and refuses a wrong pin', async () => {
    const base = { endpoint: emulator.url, insecure: false };
    const pinned = new VsphereAdapter({ settings: { ...base, thumbprint: emulator.thumbprint }, secrets, runtime });
    expect((await pinned.testConnection()).detail).toContain(EMULATOR_USERNAME);
    const insecure = new VsphereAdapter({ settings: { ...base, insecure: true }, secrets, runtime });
    expect((await insecure.testConnection()).detail).toContain('datacenter');
    const wrong = new VsphereAdapter({ settings: { ...base, thumbprint: '00'.repeat(32) }, secrets, runtime: { ...runtime, maxRetries: 0 } });
    const error = await wrong.testConnection().catch((e: unknown) => e);
    expect(isProviderError(error) && error.code).toBe('unavailable');
    const untrusted = new VsphereAdapter({ settings: base, secrets, runtime: { ...runtime, maxRetries: 0 } });
    const untrustedError = await untrusted.testConnection().catch((e: unknown) => e);
    expect(isProviderError(untrustedError) && untrustedError.code).toBe('unavailable');
  });

  it('refuses to power or destroy a template through a VmRef', async () => {
    const [templateListing] = await new PropertyCollector(client).listUnder(
      (await client.serviceContent()).rootFolder,
      'VirtualMachine',
      ['config.template'],
    );
    const ref = { providerId: templateListing!.obj.value, region: REGION };
    expect(templateListing!.props.get('config.template')?.text).toBe('true');
    const error = await adapter.delete(ref).catch((e: unknown) => e);
    expect(isProviderError(error) && error.code).toBe('invalid_request');
    expect(await adapter.get(ref)).toBeNull();
  });

  it('rejects an unknown size or template as invalid_request before cloning', async () => {
    const bad = await adapter.create({ ...specFor(`sp-bad-${Date.now()}`), image: 'no-such-template' }).catch((e: unknown) => e);
    expect(isProviderError(bad) && bad.code).toBe('invalid_request');
    const badSize = await adapter.create({ ...specFor(`sp-bad2-${Date.now()}`), size: 'huge' }).catch((e: unknown) => e);
    expect(isProviderError(badSize) && badSize.code).toBe('invalid_request');
  });
});

describe('vSphere emulator persistence', () => {
  it('keeps VMs and custom attributes across a restart with statePath', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'skyport-vsphere-state-'));
    const statePath = path.join(dir, 'state.json');
    try {
      const first = await startEmulator({ statePath, transitionMs: 5 });
      const settings = (e: VsphereEmulator) => ({ endpoint: e.url, caCertPem: e.caCertPem, insecure: false });
      const created = await new VsphereAdapter({ settings: settings(first), secrets, runtime }).create(specFor('sp-persist-1'));
      await first.close();

      const second = await startEmulator({ statePath });
      try {
        const observed = await new VsphereAdapter({ settings: settings(second), secrets, runtime }).observe('sp-persist-1', REGION);
        expect(observed?.providerId).toBe(created.providerId);
        expect(observed?.skyport?.skyportId).toBe('id-sp-persist-1');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
