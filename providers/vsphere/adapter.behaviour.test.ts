// Adapter + emulator behaviour beyond the shared contract: session expiry and re-login, task life
// cycle, a clone still running after a crash, request timeouts, TLS trust modes, persisted state.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProviderError } from '../errors';
import { pollUntil } from '../shared/retry';
import type { ObservedVm } from '../types';
import { VsphereAdapter } from './adapter';
import { EMULATOR_PASSWORD, EMULATOR_TEMPLATES, EMULATOR_USERNAME, startEmulator, type VsphereEmulator } from './emulator';
import { vmNameForKey } from './naming';
import { VimClient } from './soap/client';
import { PropertyCollector, taskRefOf } from './soap/property-collector';
import { child, element, moRefElement, textElement, toMoRef } from './soap/xml';

const secrets = { username: EMULATOR_USERNAME, password: EMULATOR_PASSWORD };
const runtime = { requestTimeoutMs: 5_000, maxRetries: 3, pollIntervalMs: 10, operationTimeoutMs: 10_000 };
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
    client = new VimClient({ endpoint: emulator.url, ...secrets, trust: { caCertPem: emulator.caCertPem }, requestTimeoutMs: 5_000, maxRetries: 0 });
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

  it('moves tasks through queued → running → success (on the held emulator clock)', async () => {
    emulator.clock.hold();
    try {
      const { task, collector } = await startOrphanClone(`lifecycle-${Date.now()}`);
      const stateOf = async () => {
        const info = (await collector.read(task, ['info']))!.props.get('info');
        return { state: child(info, 'state')!.text, result: toMoRef(child(info, 'result')) };
      };
      // Held: the task stays queued however slow this machine is.
      expect((await stateOf()).state).toBe('queued');
      expect((await stateOf()).state).toBe('queued');
      emulator.clock.advance(60); // a third of transitionMs (150)
      expect((await stateOf()).state).toBe('running');
      emulator.clock.advance(150);
      const done = await stateOf();
      expect(done.state).toBe('success');
      expect(done.result?.type).toBe('VirtualMachine');
    } finally {
      emulator.clock.release();
    }
  });

  it('finishes the job of a crashed create whose clone is still running (DuplicateName task → wait → tag)', async () => {
    const key = `sp-crash-${Date.now().toString(36)}`;
    const before = emulator.vmCount();
    const clones = () => emulator.requests().filter((r) => r.operation === 'CloneVM_Task' && r.body.includes(vmNameForKey(key)));
    // Held clock: the orphan's clone is still running when the adapter arrives, however slow the machine.
    emulator.clock.hold();
    let creating: Promise<ObservedVm> | undefined;
    try {
      await startOrphanClone(vmNameForKey(key));
      creating = adapter.create(specFor(key));
      await pollUntil(async () => clones().length, (n) => n >= 2, { intervalMs: 5, timeoutMs: 10_000, what: "the adapter's clone" });
    } finally {
      emulator.clock.release();
    }
    const vm = await creating;
    expect(vm.name).toBe(vmNameForKey(key));
    expect(vm.skyport?.skyportId).toBe(`id-${key}`);
    expect(emulator.vmCount()).toBe(before + 1);
    // The orphan's clone and the adapter's, which vCenter accepted and failed with DuplicateName.
    expect(clones()).toHaveLength(2);
  });

  it('handles DuplicateName raised directly by CloneVM_Task too (older servers)', async () => {
    const direct = await startEmulator({ transitionMs: 30, duplicateNameAs: 'fault' });
    try {
      const settings = { endpoint: direct.url, caCertPem: direct.caCertPem, insecure: false };
      const first = new VsphereAdapter({ settings, secrets, runtime });
      const second = new VsphereAdapter({ settings, secrets, runtime });
      const key = `sp-direct-${Date.now().toString(36)}`;
      const clones = () => direct.requests().filter((r) => r.operation === 'CloneVM_Task').length;
      const until = (n: number) => pollUntil(async () => clones(), (c) => c >= n, { intervalMs: 5, timeoutMs: 10_000, what: `${n} clones` });
      // Two workers create the same VM; the first one's clone is held running, so the second's
      // CloneVM_Task call is refused with a direct DuplicateName fault and it waits for the name.
      direct.clock.hold();
      let a: Promise<ObservedVm> | undefined;
      let b: Promise<ObservedVm> | undefined;
      try {
        a = first.create(specFor(key));
        await until(1);
        b = second.create(specFor(key));
        await until(2);
      } finally {
        direct.clock.release();
      }
      const [vmA, vmB] = await Promise.all([a, b]);
      expect(vmA!.providerId).toBe(vmB!.providerId);
      expect(clones()).toBe(2);
      expect(direct.vmCount()).toBe(1);
      await Promise.all([first.close(), second.close()]);
    } finally {
      await direct.close();
    }
  });

  it('logs its session out and closes its connections on close (the session list does not grow)', async () => {
    const settings = { endpoint: emulator.url, caCertPem: emulator.caCertPem, insecure: false };
    const sessionsBefore = emulator.sessionCount();
    for (let i = 0; i < 3; i++) {
      const used = new VsphereAdapter({ settings, secrets, runtime });
      await used.testConnection();
      expect(emulator.sessionCount()).toBe(sessionsBefore + 1);
      await used.close();
      expect(emulator.sessionCount()).toBe(sessionsBefore);
      await used.close(); // idempotent
    }
    expect(emulator.requests().filter((r) => r.operation === 'Logout').length).toBeGreaterThanOrEqual(3);
  });

  it('closes its keep-alive connections on close', async () => {
    const own = await startEmulator({ transitionMs: 30 });
    try {
      const used = new VsphereAdapter({ settings: { endpoint: own.url, caCertPem: own.caCertPem, insecure: false }, secrets, runtime });
      await used.testConnection();
      expect(own.connectionCount()).toBeGreaterThan(0);
      await used.close();
      // The server sees the sockets close a moment later: poll to a deadline.
      await pollUntil(async () => own.connectionCount(), (n) => n === 0, { intervalMs: 5, timeoutMs: 5_000, what: 'connections closed' });
      expect(own.sessionCount()).toBe(0);
    } finally {
      await own.close();
    }
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
      runtime: { ...runtime, requestTimeoutMs: 1_000 },
    });
    await quick.listRegions();
    emulator.clearRequests();
    emulator.injectFault({ kind: 'timeout', operation: 'RetrievePropertiesEx', times: 1 });
    const page = await quick.listVms(REGION, { pageSize: 5 });
    expect(page.vms.length).toBeGreaterThan(0);
    // The hanging call was made, given up on, and asked again.
    expect(emulator.pendingFaults()).toBe(0);
    expect(emulator.requests().filter((r) => r.operation === 'RetrievePropertiesEx').length).toBeGreaterThanOrEqual(2);
    await quick.close();
  });

  it('trusts the server by pinned thumbprint or insecure flag, and refuses a wrong pin', async () => {
    const base = { endpoint: emulator.url, insecure: false };
    const pinned = new VsphereAdapter({ settings: { ...base, thumbprint: emulator.thumbprint }, secrets, runtime });
    expect((await pinned.testConnection()).detail).toContain(EMULATOR_USERNAME);
    const insecure = new VsphereAdapter({ settings: { ...base, insecure: true }, secrets, runtime });
    expect((await insecure.testConnection()).detail).toContain('datacenter');
    // A pin mismatch is a configuration error: said plainly, never retried (maxRetries 3 here).
    emulator.clearRequests();
    const wrong = new VsphereAdapter({ settings: { ...base, thumbprint: '00'.repeat(32) }, secrets, runtime });
    const error = await wrong.testConnection().catch((e: unknown) => e);
    expect(isProviderError(error) && error.code).toBe('invalid_request');
    expect(isProviderError(error) && error.retryable).toBe(false);
    expect(isProviderError(error) && error.providerCode).toBe('ThumbprintMismatch');
    expect(String((error as Error).message)).toMatch(/does not match the pinned thumbprint/);
    expect(emulator.requests()).toHaveLength(0); // no byte (credentials!) went to the impostor
    const untrusted = new VsphereAdapter({ settings: base, secrets, runtime });
    const untrustedError = await untrusted.testConnection().catch((e: unknown) => e);
    expect(isProviderError(untrustedError) && untrustedError.code).toBe('invalid_request');
    expect(isProviderError(untrustedError) && untrustedError.providerCode).toBe('CertificateNotTrusted');
    await Promise.all([pinned.close(), insecure.close(), wrong.close(), untrusted.close()]);
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
