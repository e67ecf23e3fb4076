// The emulator against public Azure samples: rest-api-specs x-ms-examples (request parameters are
// replayed, status codes and body shapes compared with `responses`), azure-libraries-for-java
// recordings (the LRO dance) and recorded CloudError bodies.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Agent } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bareRequest, fetchArmToken, trustingAgent, type BareResponse } from './bare-http';
import { SANDBOX, sandboxSubnetId, startEmulator, type AzureRunningEmulator } from './emulator';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const fixturesDir = path.join(process.env.SKYPORT_SHARED_DIR ?? path.resolve(repoRoot, '../shared'), 'data/provider-fixtures/azure-compute');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Example {
  parameters: Record<string, Json>;
  responses: Record<string, { headers?: Record<string, string>; body?: Json }>;
}

interface RecordedCall {
  Method: string;
  Uri: string;
  Response: Record<string, string>;
}

function example(file: string): Example {
  return JSON.parse(readFileSync(path.join(fixturesDir, 'rest-api-specs', file), 'utf8')) as Example;
}

function recording(file: string): RecordedCall[] {
  const parsed = JSON.parse(readFileSync(path.join(fixturesDir, 'recordings-azure-libraries-for-java', file), 'utf8')) as { networkCallRecords: RecordedCall[] };
  return parsed.networkCallRecords;
}

function errorRecord(file: string): { status: number; body: { error: Record<string, Json> } } {
  const record = JSON.parse(readFileSync(path.join(fixturesDir, 'recordings-azure-libraries-for-java/errors', file), 'utf8')) as RecordedCall;
  return { status: Number(record.Response.StatusCode), body: JSON.parse(record.Response.Body!) as { error: Record<string, Json> } };
}

function kindOf(value: Json | undefined): string {
  if (value === null || value === undefined) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

/**
 * Every field the sample has, the emulator has too, with the same JSON type, recursively (arrays:
 * first element). `optional` lists dotted paths of sample fields the emulator does not model.
 */
function expectSameShape(actual: Json | undefined, sample: Json | undefined, optional: string[] = [], at = '$'): void {
  if (sample === null || sample === undefined) return;
  expect(kindOf(actual), `type of ${at}`).toBe(kindOf(sample));
  if (Array.isArray(sample) && Array.isArray(actual)) {
    if (sample.length > 0 && actual.length > 0) expectSameShape(actual[0], sample[0], optional, `${at}[]`);
    return;
  }
  if (typeof sample === 'object' && typeof actual === 'object' && actual !== null && !Array.isArray(actual) && !Array.isArray(sample)) {
    // `tags` is a map of user-chosen keys: its type matters, not which keys a sample happens to use.
    if (at.endsWith('.tags')) return;
    for (const [key, value] of Object.entries(sample)) {
      const childPath = `${at}.${key}`;
      const plain = childPath.replaceAll('[]', '');
      if (optional.some((o) => plain === `$.${o}` || plain.startsWith(`$.${o}.`))) continue;
      expect(actual, `field ${childPath}`).toHaveProperty([key]);
      expectSameShape(actual[key], value, optional, childPath);
    }
  }
}

const parseBody = (response: BareResponse): Json => (response.text ? (JSON.parse(response.text) as Json) : null);

describe('azure emulator vs public fixtures', () => {
  let emulator: AzureRunningEmulator;
  let agent: Agent;
  let token: string;
  const rg = SANDBOX.resourceGroup;
  const sub = SANDBOX.subscriptionId;

  async function arm(method: string, pathAndQuery: string, body?: Json): Promise<BareResponse> {
    return bareRequest(`${emulator.url}${pathAndQuery}`, {
      method,
      agent,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  function vmPath(name: string, suffix = '', query = 'api-version=2025-04-01'): string {
    return `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}${suffix}?${query}`;
  }

  /** Follow an Azure-AsyncOperation URL until it leaves InProgress; returns every status body. */
  async function pollOperation(url: string): Promise<Record<string, Json>[]> {
    const bodies: Record<string, Json>[] = [];
    for (let i = 0; i < 200; i++) {
      const response = await bareRequest(url, { agent, headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      const body = parseBody(response) as Record<string, Json>;
      bodies.push(body);
      if (body.status !== 'InProgress') return bodies;
      emulator.clock.advance(10); // the emulator clock, not a real sleep: no race with the load

    }
    throw new Error('operation never finished');
  }

  async function createNic(name: string): Promise<BareResponse> {
    const sample = example('network-2025-03-01/NetworkInterfaceCreate.json');
    const params = structuredClone(sample.parameters.parameters) as { location: string; properties: { ipConfigurations: { properties: { subnet?: { id: string } } }[] } };
    params.location = SANDBOX.region;
    for (const config of params.properties.ipConfigurations) config.properties.subnet = { id: sandboxSubnetId() };
    return arm('PUT', `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/networkInterfaces/${name}?api-version=${String(sample.parameters['api-version'])}`, params as unknown as Json);
  }

  async function createVm(name: string): Promise<BareResponse> {
    const nic = await createNic(`${name}-nic`);
    const sample = example('compute-2025-04-01/VirtualMachine_Create_WithSshAuthentication.json');
    const params = structuredClone(sample.parameters.parameters) as Record<string, Json> & {
      location: string;
      properties: { storageProfile: { imageReference: Record<string, string> }; networkProfile: { networkInterfaces: { id: string }[] } };
    };
    params.location = SANDBOX.region;
    // Placeholders in the sample ({image_publisher}…) become a real marketplace image.
    params.properties.storageProfile.imageReference = { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' };
    params.properties.networkProfile.networkInterfaces[0]!.id = (JSON.parse(nic.text) as { id: string }).id;
    return arm('PUT', vmPath(name), params as unknown as Json);
  }

  beforeAll(async () => {
    emulator = await startEmulator({ transitionMs: 30, maxPageSize: 50 });
    agent = trustingAgent(emulator.caCertPem);
    token = await fetchArmToken(emulator.url, SANDBOX.tenantId, SANDBOX.clientId, SANDBOX.clientSecret, agent);
  });
  afterAll(async () => {
    agent?.destroy();
    await emulator?.close();
  });

  it('NetworkInterfaces_CreateOrUpdate / _Get: status codes and body shape of the examples', async () => {
    const createSample = example('network-2025-03-01/NetworkInterfaceCreate.json');
    const created = await createNic('fixture-nic');
    expect(Object.keys(createSample.responses)).toContain(String(created.status));
    expect(created.headers['azure-asyncoperation']).toBeTruthy();
    const optional = ['properties.ipConfigurations.properties.publicIPAddress', 'properties.disableTcpStateTracking', 'properties.enableAcceleratedNetworking'];
    expectSameShape(parseBody(created), createSample.responses[String(created.status)]!.body, optional);

    const getSample = example('network-2025-03-01/NetworkInterfaceGet.json');
    const got = await arm('GET', `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/networkInterfaces/fixture-nic?api-version=2025-03-01`);
    expect(got.status).toBe(200);
    expectSameShape(parseBody(got), getSample.responses['200']!.body, [
      ...optional,
      'properties.dnsSettings.internalDomainNameSuffix',
      'properties.dscpConfiguration',
      'properties.networkSecurityGroup',
      'properties.virtualMachine',
      'properties.primary',
    ]);
  });

  it('Subnets_Get: body shape of the example', async () => {
    const sample = example('network-2025-03-01/SubnetGet.json');
    const got = await arm('GET', `${sandboxSubnetId()}?api-version=${String(sample.parameters['api-version'])}`);
    expect(got.status).toBe(200);
    expectSameShape(parseBody(got), sample.responses['200']!.body);
  });

  it('VirtualMachines_CreateOrUpdate: 201 + Azure-AsyncOperation, Creating → InProgress… → Succeeded, as recorded', async () => {
    const sample = example('compute-2025-04-01/VirtualMachine_Create_WithSshAuthentication.json');
    const response = await createVm('fixture-create');
    expect(Object.keys(sample.responses)).toContain(String(response.status));
    expect(response.status).toBe(201);
    const body = parseBody(response) as { properties: { provisioningState: string } };
    const sampleBody = sample.responses['201']!.body as { properties: { provisioningState: string } };
    expect(body.properties.provisioningState).toBe(sampleBody.properties.provisioningState);
    expectSameShape(body, sampleBody, ['properties.osProfile.linuxConfiguration.ssh']);

    // Recorded real PUT (canCreateVirtualMachine #9): 201 with azure-asyncoperation, no Location.
    const recorded = recording('canCreateVirtualMachine.json')[9]!;
    expect(recorded.Response.StatusCode).toBe(String(response.status));
    expect(Object.keys(response.headers)).toEqual(expect.arrayContaining(['azure-asyncoperation', 'retry-after', 'x-ms-request-id']));
    expect('location' in recorded.Response).toBe('location' in response.headers);
    // The operation URL has the recorded form …/providers/Microsoft.Compute/locations/{loc}/operations/{id}.
    expect(new URL(response.headers['azure-asyncoperation']!).pathname).toMatch(/\/providers\/Microsoft\.Compute\/locations\/eastus\/operations\/[0-9a-f-]{36}$/);
    expect(new URL(recorded.Response['azure-asyncoperation']!).pathname).toMatch(/\/providers\/Microsoft\.Compute\/locations\/[^/]+\/operations\/[0-9a-f-]{36}$/);

    const bodies = await pollOperation(response.headers['azure-asyncoperation']!);
    const recordedPolls = recording('canCreateVirtualMachine.json').slice(10, 14).map((r) => JSON.parse(r.Response.Body!) as Record<string, Json>);
    expect(recordedPolls.map((b) => b.status)).toEqual(['InProgress', 'InProgress', 'InProgress', 'Succeeded']);
    expect(bodies.at(-1)!.status).toBe('Succeeded');
    for (const polled of bodies) {
      const twin = recordedPolls.find((r) => r.status === polled.status)!;
      expect(Object.keys(polled).sort()).toEqual(Object.keys(twin).sort());
    }
    const final = await arm('GET', vmPath('fixture-create'));
    expect((parseBody(final) as { properties: { provisioningState: string } }).properties.provisioningState).toBe('Succeeded');
  });

  it('VirtualMachines_Get and _InstanceView: shape of the examples, PowerState/running status', async () => {
    await createVm('fixture-get');
    emulator.clock.advance(60); // past transitionMs on the emulator clock
    const getSample = example('compute-2025-04-01/VirtualMachine_Get.json');
    const got = await arm('GET', vmPath('fixture-get'));
    expect(got.status).toBe(200);
    expectSameShape(parseBody(got), getSample.responses['200']!.body, [
      'etag', 'resources', 'managedBy', 'properties.availabilitySet', 'properties.proximityPlacementGroup',
      'properties.applicationProfile', 'properties.userData', 'properties.diagnosticsProfile', 'properties.extensionsTimeBudget',
      'properties.storageProfile.dataDisks', 'properties.osProfile.windowsConfiguration',
    ]);

    const viewSample = example('compute-2025-04-01/VirtualMachine_Get_InstanceView.json');
    const view = await arm('GET', vmPath('fixture-get', '/instanceView'));
    expect(view.status).toBe(200);
    const viewBody = parseBody(view) as { statuses: { code: string }[] };
    expectSameShape(viewBody as unknown as Json, viewSample.responses['200']!.body, [
      'platformUpdateDomain', 'platformFaultDomain', 'osVersion', 'vmAgent', 'bootDiagnostics', 'extensions', 'patchStatus', 'isVMInStandbyPool',
    ]);
    const sampleCodes = ((viewSample.responses['200']!.body as { statuses: { code: string }[] }).statuses).map((s) => s.code);
    expect(viewBody.statuses.map((s) => s.code)).toEqual(sampleCodes);
  });

  it('power actions: 202 + Location/Azure-AsyncOperation/Retry-After as recorded, then the PowerState of the action', async () => {
    await createVm('aaaaa');
    const recorded = recording('testManageVirtualMachine.json');
    const postRecords = recorded.filter((r) => r.Method === 'POST');
    expect(postRecords.map((r) => new URL(r.Uri).pathname.split('/').at(-1))).toEqual(['deallocate', 'start', 'restart', 'powerOff']);
    const cases: [string, string, string][] = [
      ['VirtualMachine_Start_MinimumSet_Gen.json', '/start', 'PowerState/running'],
      ['VirtualMachine_PowerOff_MaximumSet_Gen.json', '/powerOff', 'PowerState/stopped'],
      ['VirtualMachine_Start_MaximumSet_Gen.json', '/start', 'PowerState/running'],
      ['VirtualMachine_Restart_MinimumSet_Gen.json', '/restart', 'PowerState/running'],
      ['VirtualMachine_PowerOff_MinimumSet_Gen.json', '/powerOff', 'PowerState/stopped'],
      ['VirtualMachine_Deallocate_MaximumSet_Gen.json', '/deallocate', 'PowerState/deallocated'],
      ['VirtualMachine_Deallocate_MinimumSet_Gen.json', '/deallocate', 'PowerState/deallocated'],
    ];
    for (const [file, action, expectedPower] of cases) {
      const sample = example(`compute-2025-04-01/${file}`);
      const extra = Object.entries(sample.parameters).filter(([k]) => !['resourceGroupName', 'vmName', 'api-version', 'subscriptionId'].includes(k));
      const query = new URLSearchParams([['api-version', String(sample.parameters['api-version'])], ...extra.map(([k, v]) => [k, String(v)] as [string, string])]);
      const response = await arm('POST', vmPath('aaaaa', action, query.toString()));
      expect(Object.keys(sample.responses), file).toContain(String(response.status));
      expect(response.status).toBe(202);
      expect(response.text).toBe('');
      // Example headers (lower-case `location`) and the recorded POST's LRO headers.
      for (const header of Object.keys(sample.responses['202']!.headers ?? {})) expect(response.headers).toHaveProperty([header.toLowerCase()]);
      const twin = postRecords.find((r) => r.Uri.includes(action))!;
      for (const header of ['location', 'azure-asyncoperation', 'retry-after']) {
        expect(twin.Response).toHaveProperty([header]);
        expect(response.headers).toHaveProperty([header]);
      }
      expect(response.headers.location).toContain('monitor=true');
      expect(twin.Response.location).toContain('monitor=true');
      const bodies = await pollOperation(response.headers['azure-asyncoperation']!);
      expect(bodies.at(-1)!.status).toBe('Succeeded');
      const monitor = await bareRequest(response.headers.location!, { agent, headers: { authorization: `Bearer ${token}` } });
      expect(monitor.status).toBe(200);
      const view = parseBody(await arm('GET', vmPath('aaaaa', '/instanceView'))) as { statuses: { code: string }[] };
      expect(view.statuses.map((s) => s.code), file).toContain(expectedPower);
    }
  });

  it('VirtualMachines_Update (PATCH): status and Updating body of the example; the size changes', async () => {
    await createVm('fixture-resize');
    emulator.clock.advance(60); // past transitionMs on the emulator clock
    const sample = example('compute-2025-04-01/VirtualMachine_Update_DetachDataDiskUsingToBeDetachedProperty.json');
    const response = await arm('PATCH', vmPath('fixture-resize'), sample.parameters.parameters);
    expect(Object.keys(sample.responses)).toContain(String(response.status));
    const body = parseBody(response) as { properties: { provisioningState: string; hardwareProfile: { vmSize: string } } };
    const sampleBody = sample.responses['200']!.body as { properties: { provisioningState: string; hardwareProfile: { vmSize: string } } };
    expect(body.properties.provisioningState).toBe(sampleBody.properties.provisioningState);
    expect(body.properties.hardwareProfile.vmSize).toBe(sampleBody.properties.hardwareProfile.vmSize);
    expect(response.headers['azure-asyncoperation']).toBeTruthy();
    await pollOperation(response.headers['azure-asyncoperation']!);
  });

  it('VirtualMachines_ListAvailableSizes: element shape of the example', async () => {
    await createVm('fixture-sizes');
    const sample = example('compute-2025-04-01/VirtualMachine_ListAvailableVmSizes.json');
    const response = await arm('GET', vmPath('fixture-sizes', '/vmSizes'));
    expect(response.status).toBe(200);
    const body = parseBody(response) as { value: Record<string, Json>[] };
    const sampleValue = (sample.responses['200']!.body as { value: Record<string, Json>[] }).value;
    expect(Object.keys(body.value[0]!).sort()).toEqual(Object.keys(sampleValue[0]!).sort());
    const names = body.value.map((v) => String(v.name).toLowerCase());
    for (const s of sampleValue) expect(names).toContain(String(s.name).toLowerCase());
  });

  it('VirtualMachines_ListAll: element shape of the examples and nextLink paging over every VM', async () => {
    emulator.seedVms({ region: SANDBOX.otherRegion, count: 120, namePrefix: 'fixture-outside' });
    const min = example('compute-2025-04-01/VirtualMachine_ListAll_MinimumSet_Gen.json');
    const max = example('compute-2025-04-01/VirtualMachine_ListAll_MaximumSet_Gen.json');
    let url: string | undefined = `${emulator.url}/subscriptions/${sub}/providers/Microsoft.Compute/virtualMachines?api-version=${String(min.parameters['api-version'])}`;
    const ids = new Set<string>();
    let pages = 0;
    while (url) {
      const response = await bareRequest(url, { agent, headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      const body = parseBody(response) as { value: Json[]; nextLink?: string };
      expectSameShape(body as unknown as Json, min.responses['200']!.body);
      const maxValue = (max.responses['200']!.body as { value: Json[] }).value;
      if (body.value[0]) {
        const element = body.value[0] as Record<string, Json>;
        for (const key of ['name', 'id', 'type', 'location', 'tags', 'properties']) expect(element).toHaveProperty([key]);
        expect(Object.keys(maxValue[0] as Record<string, Json>)).toEqual(expect.arrayContaining(['name', 'id', 'type', 'location', 'properties']));
      }
      for (const vm of body.value as { id: string }[]) ids.add(vm.id);
      pages += 1;
      url = body.nextLink;
    }
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(ids.size).toBe(emulator.vmCount());
  });

  it('VirtualMachines_Delete (force): 202 + Location, then 404 ResourceNotFound as recorded, then 204', async () => {
    await createVm('myVM');
    const sample = example('compute-2025-04-01/VirtualMachine_Delete_Force.json');
    const response = await arm('DELETE', vmPath('myVM', '', `forceDeletion=${String(sample.parameters.forceDeletion)}&api-version=${String(sample.parameters['api-version'])}`));
    expect(Object.keys(sample.responses)).toContain(String(response.status));
    expect(response.status).toBe(202);
    expect(response.headers).toHaveProperty(['location']);
    const recordedDelete = recording('canCreateVirtualMachine.json')[18]!;
    expect(recordedDelete.Response.StatusCode).toBe('202');
    expect(Object.keys(response.headers)).toEqual(expect.arrayContaining(['location', 'azure-asyncoperation']));
    const bodies = await pollOperation(response.headers['azure-asyncoperation']!);
    expect(bodies.at(-1)!.status).toBe('Succeeded');

    const gone = await arm('GET', vmPath('myVM'));
    const recorded404 = errorRecord('404-ResourceNotFound.record.json');
    expect(gone.status).toBe(recorded404.status);
    const goneBody = parseBody(gone) as { error: Record<string, Json> };
    expect(Object.keys(goneBody.error).sort()).toEqual(Object.keys(recorded404.body.error).sort());
    expect(goneBody.error.code).toBe(recorded404.body.error.code);
    const template = String(recorded404.body.error.message).replace('javavm', 'myVM').replace('javacsmrg92627', rg);
    expect(goneBody.error.message).toBe(template);

    const again = await arm('DELETE', vmPath('myVM'));
    expect(again.status).toBe(204);
    expect(Object.keys(sample.responses)).toContain('204');
  });

  it('CloudError bodies match the recorded errors', async () => {
    const groupMissing = errorRecord('404-ResourceGroupNotFound.record.json');
    const missing = await arm('GET', `/subscriptions/${sub}/resourceGroups/javacsmrg63c992859/providers/Microsoft.Compute/virtualMachines/x?api-version=2025-04-01`);
    expect(missing.status).toBe(groupMissing.status);
    expect(parseBody(missing)).toEqual(groupMissing.body);

    const invalid = errorRecord('400-InvalidParameter.record.json');
    const nic = await createNic('fixture-invalid-nic');
    const noAdmin = await arm('PUT', vmPath('fixture-invalid'), {
      location: SANDBOX.region,
      properties: {
        hardwareProfile: { vmSize: 'Standard_B2s' },
        storageProfile: { imageReference: { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' } },
        osProfile: { computerName: 'fixture-invalid' },
        networkProfile: { networkInterfaces: [{ id: (JSON.parse(nic.text) as { id: string }).id }] },
      },
    });
    expect(noAdmin.status).toBe(invalid.status);
    expect(parseBody(noAdmin)).toEqual(invalid.body);

    await createVm('fixture-change');
    const changeNotAllowed = errorRecord('409-PropertyChangeNotAllowed.record.json');
    const change = await arm('PUT', vmPath('fixture-change'), { location: SANDBOX.region, properties: { osProfile: { adminUsername: 'x', adminPassword: 'P@ssw0rd-2' } } });
    expect(change.status).toBe(changeNotAllowed.status);
    const changeBody = parseBody(change) as { error: Record<string, Json> };
    expect(Object.keys(changeBody.error).sort()).toEqual(Object.keys(changeNotAllowed.body.error).sort());
    expect(changeBody.error.code).toBe(changeNotAllowed.body.error.code);

    const notAllowed = errorRecord('409-OperationNotAllowed.record.json');
    emulator.injectFault({ kind: 'quota', operation: 'VirtualMachines_CreateOrUpdate' });
    const quota = await createVm('fixture-quota');
    expect(quota.status).toBe(notAllowed.status);
    const quotaBody = parseBody(quota) as { error: { code: string; details: Record<string, Json>[] } };
    expect(Object.keys(quotaBody.error).sort()).toEqual(Object.keys(notAllowed.body.error).sort());
    expect(quotaBody.error.code).toBe(notAllowed.body.error.code);
    const recordedDetail = (notAllowed.body.error.details as Record<string, Json>[])[0]!;
    expect(Object.keys(quotaBody.error.details[0]!).sort()).toEqual(Object.keys(recordedDetail).sort());
    expect(quotaBody.error.details[0]!.code).toBe('QuotaExceeded');
  });

  it('rejects tokens it did not mint, and a wrong client secret with AADSTS7000215', async () => {
    const forged = await bareRequest(`${emulator.url}${vmPath('x')}`, { agent, headers: { authorization: `Bearer ${token.slice(0, -4)}AAAA` } });
    expect(forged.status).toBe(401);
    expect((parseBody(forged) as { error: { code: string } }).error.code).toBe('InvalidAuthenticationToken');
    const wrong = await bareRequest(`${emulator.url}/${SANDBOX.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: SANDBOX.clientId, client_secret: 'nope', scope: 'https://management.azure.com/.default' }).toString(),
    });
    expect(wrong.status).toBe(401);
    const body = parseBody(wrong) as { error: string; error_codes: number[]; error_description: string };
    expect(body.error).toBe('invalid_client');
    expect(body.error_codes).toEqual([7000215]);
    expect(body.error_description).toMatch(/^AADSTS7000215: /);
  });
});
