// The adapter against govmomi's vCenter simulator (vcsim, VPX model): a vim25 implementation
// written by VMware, not by us. CI installs golang-go + golang-github-vmware-govmomi-dev +
// golang-github-kr-pretty-dev; without them this suite fails in CI and is skipped locally.
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProviderError } from '../errors';
import { SKYPORT_TAG_KEYS } from '../types';
import { VsphereAdapter } from './adapter';
import { govmomiUnavailableReason, startGovmomiSimulator, type GovmomiSimulator } from './govmomi-sim/launcher';
import { VimClient } from './soap/client';
import { PropertyCollector, taskRefOf } from './soap/property-collector';
import { child, textElement, toMoRef } from './soap/xml';

const unavailable = govmomiUnavailableReason();
const runHere = unavailable === null || Boolean(process.env.CI);
if (!runHere) console.warn(`[vsphere] govmomi simulator tests skipped: ${unavailable}`);

const runtime = { requestTimeoutMs: 5_000, maxRetries: 2, pollIntervalMs: 20, operationTimeoutMs: 20_000 };
const TEMPLATE_VM = 'DC0_H0_VM0';

describe.skipIf(!runHere)('vsphere adapter against the govmomi vCenter simulator', () => {
  let sim: GovmomiSimulator;
  let adapter: VsphereAdapter;

  beforeAll(async () => {
    if (unavailable) throw new Error(`govmomi simulator required in CI but unavailable: ${unavailable}`);
    sim = await startGovmomiSimulator();
    const settings = { endpoint: sim.url, caCertPem: sim.certPem, insecure: false };
    adapter = new VsphereAdapter({ settings, secrets: { username: sim.username, password: sim.password }, runtime });

    // vcsim has no templates: power one VM off and mark it as a template, as an admin would.
    const client = new VimClient({
      endpoint: sim.url,
      username: sim.username,
      password: sim.password,
      trust: { caCertPem: sim.certPem },
      requestTimeoutMs: 5_000,
      maxRetries: 1,
    });
    const { searchIndex } = await client.serviceContent();
    const found = await client.invoke('FindByInventoryPath', searchIndex, textElement('inventoryPath', `DC0/vm/${TEMPLATE_VM}`));
    const vm = toMoRef(child(found, 'returnval'));
    if (!vm) throw new Error(`vcsim has no ${TEMPLATE_VM}`);
    const powerOff = await client.invoke('PowerOffVM_Task', vm);
    await new PropertyCollector(client).waitForTask(taskRefOf(powerOff), { pollIntervalMs: 20, timeoutMs: 10_000 });
    await client.invoke('MarkAsTemplate', vm);
    await client.close();
  }, 120_000);

  afterAll(async () => {
    await adapter?.close();
    await sim?.close();
  });

  it('authenticates with a CA PEM and with a pinned thumbprint, and rejects a wrong pin', async () => {
    expect((await adapter.testConnection()).detail).toMatch(/authenticated as/);
    const fingerprint = new X509Certificate(sim.certPem).fingerprint256;
    const secrets = { username: sim.username, password: sim.password };
    const pinned = new VsphereAdapter({ settings: { endpoint: sim.url, thumbprint: fingerprint, insecure: false }, secrets, runtime });
    expect((await pinned.testConnection()).detail).toMatch(/authenticated as/);
    const wrongPin = new VsphereAdapter({
      settings: { endpoint: sim.url, thumbprint: 'AB:'.repeat(31) + 'AB', insecure: false },
      secrets,
      runtime: { ...runtime, maxRetries: 0 },
    });
    const error = await wrongPin.testConnection().catch((e: unknown) => e);
    // A configuration error, said plainly and never retried.
    expect(isProviderError(error) && error.code).toBe('invalid_request');
    expect(isProviderError(error) && error.providerCode).toBe('ThumbprintMismatch');
    await Promise.all([pinned.close(), wrongPin.close()]);
  });

  it("logs out after each use: vcsim's session list does not grow", async () => {
    const admin = new VimClient({ endpoint: sim.url, username: sim.username, password: sim.password, trust: { caCertPem: sim.certPem }, requestTimeoutMs: 5_000, maxRetries: 1 });
    try {
      const { sessionManager } = await admin.serviceContent();
      const collector = new PropertyCollector(admin);
      const sessions = async () => (await collector.read(sessionManager, ['sessionList']))?.props.get('sessionList')?.children.length ?? 0;
      const before = await sessions();
      for (let i = 0; i < 3; i++) {
        const used = new VsphereAdapter({ settings: { endpoint: sim.url, caCertPem: sim.certPem, insecure: false }, secrets: { username: sim.username, password: sim.password }, runtime });
        await used.testConnection();
        expect(await sessions()).toBe(before + 1);
        await used.close();
        expect(await sessions()).toBe(before);
      }
    } finally {
      await admin.close();
    }
  });

  it('lists datacenters as regions and the marked template as an image', async () => {
    const regions = (await adapter.listRegions()).map((r) => r.id);
    expect(regions).toEqual(expect.arrayContaining(['DC0', 'DC1']));
    const images = (await adapter.listImages('DC0')).map((i) => i.id);
    expect(images).toContain(TEMPLATE_VM);
  });

  it('clones from the template idempotently, then powers, resizes and destroys the clone', async () => {
    const spec = {
      idempotencyKey: `sp-govmomi-${Date.now().toString(36)}`,
      name: 'govmomi clone',
      region: 'DC0',
      size: 'small',
      image: TEMPLATE_VM,
      tags: { owner: 'owner@demo.skyport', project: 'proj-sim', request: 'req-sim', skyportId: 'vm-sim-1' },
      extraTags: { 'cost-centre': 'CC-7' },
    };
    expect(await adapter.observe(spec.idempotencyKey, 'DC0')).toBeNull();
    const created = await adapter.create(spec);
    expect(created.state).toBe('running');
    expect(created.size).toBe('small');
    // Custom attributes via CustomFieldsManager.SetField work on vcsim VMs.
    expect(created.skyport).toEqual(spec.tags);
    expect(created.tags[SKYPORT_TAG_KEYS.skyportId]).toBe('vm-sim-1');

    const again = await adapter.create(spec);
    expect(again.providerId).toBe(created.providerId);
    expect((await adapter.observe(spec.idempotencyKey, 'DC0'))?.providerId).toBe(created.providerId);

    const ref = { providerId: created.providerId, region: 'DC0' };
    await adapter.stop(ref);
    expect((await adapter.get(ref))?.state).toBe('stopped');
    await adapter.stop(ref);
    await adapter.resize(ref, 'large');
    expect((await adapter.get(ref))?.size).toBe('large');
    await adapter.start(ref);
    expect((await adapter.get(ref))?.state).toBe('running');
    await adapter.reboot(ref);
    expect((await adapter.get(ref))?.state).toBe('running');

    await adapter.delete(ref);
    expect(await adapter.get(ref)).toBeNull();
    await adapter.delete(ref);
  });

  it('lists the datacenter inventory through a ContainerView and the PropertyCollector', async () => {
    // vcsim 0.24 (Debian) ignores RetrievePropertiesEx maxObjects and never returns a token, so
    // continuation (ContinueRetrievePropertiesEx) is covered by the emulator tests only.
    const seen = new Set<string>();
    let pages = 0;
    let token: string | undefined;
    do {
      const page = await adapter.listVms('DC0', { pageToken: token, pageSize: 1 });
      pages += 1;
      for (const vm of page.vms) {
        seen.add(vm.name);
        expect(vm.skyport).toBeNull();
        expect(['running', 'stopped']).toContain(vm.state);
      }
      token = page.nextPageToken;
    } while (token && pages < 50);
    expect([...seen]).toEqual(expect.arrayContaining(['DC0_H0_VM1', 'DC0_C0_RP0_VM0', 'DC0_C0_RP0_VM1']));
    expect(seen.has(TEMPLATE_VM)).toBe(false); // templates are images, not VMs
    expect([...seen].every((name) => name.startsWith('DC0_'))).toBe(true);
  });
});
