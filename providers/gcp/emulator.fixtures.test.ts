// The emulator against public Compute Engine samples: the v1 discovery document (routes, schemas)
// and Apache Libcloud's captured GCE responses (kinds, selfLinks, statuses, Operation life cycle,
// error envelopes).
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchAccessToken, signAssertion } from './emulator/bare-client';
import { startEmulator, type GcpRunningEmulator } from './emulator/index';
import { COMPUTE_ROUTES } from './emulator/routes';
import { schemaProblems, type DiscoveryDocument } from './discovery-schema';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const fixturesDir = path.join(process.env.SKYPORT_SHARED_DIR ?? path.resolve(repoRoot, '../shared'), 'data/provider-fixtures/gcp-compute');
const discovery = JSON.parse(readFileSync(path.join(fixturesDir, 'discovery/compute.v1.subset.json'), 'utf8')) as DiscoveryDocument;
const libcloud = (name: string) =>
  JSON.parse(readFileSync(path.join(fixturesDir, 'libcloud-gce-fixtures', name), 'utf8')) as Record<string, unknown>;

type Json = Record<string, unknown>;

/** Read `a.b.0.c` out of parsed JSON without trusting its type. */
function at(value: unknown, dotted: string): unknown {
  let current = value;
  for (const part of dotted.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
const text = (value: unknown, dotted: string) => String(at(value, dotted));
const keysAt = (value: unknown, dotted: string) => Object.keys((at(value, dotted) ?? {}) as object);

const IMAGE = 'projects/debian-cloud/global/images/debian-12-bookworm-v20240110';
/** Resource links with the project/zone/name parts abstracted, to compare link shapes. */
const linkShape = (link: unknown) =>
  String(link)
    .replace(/\/projects\/[^/]+/, '/projects/P')
    .replace(/\/zones\/[^/]+/, '/zones/Z')
    .replace(/\/regions\/[^/]+/, '/regions/R')
    .replace(/\/(instances|operations|machineTypes|disks)\/[^/]+$/, '/$1/N');

function expectSchema(schemaName: string, value: unknown) {
  const schema = discovery.schemas[schemaName];
  expect(schema, `schema ${schemaName} in the discovery subset`).toBeDefined();
  expect(schemaProblems(discovery, schema!, value)).toEqual([]);
}

/** Keys the libcloud capture has that the emulator's answer lacks (should be none). */
const missingKeys = (fixture: unknown, ours: unknown) => Object.keys(fixture as object).filter((key) => !(key in (ours as object)));

describe('GCE emulator vs discovery document and libcloud fixtures', () => {
  let emulator: GcpRunningEmulator;
  let token: string;
  let project: string;

  async function api(method: string, route: string, body?: unknown, bearer: string | null = token) {
    const response = await fetch(`${emulator.url}/compute/v1/${route}`, {
      method,
      headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, json: (await response.json()) as Json };
  }

  const insertBody = (name: string, extra: Json = {}) => ({
    name,
    machineType: 'zones/us-central1-a/machineTypes/e2-small',
    disks: [{ boot: true, autoDelete: true, initializeParams: { sourceImage: IMAGE } }],
    networkInterfaces: [{ network: 'global/networks/default', accessConfigs: [{ type: 'ONE_TO_ONE_NAT', name: 'External NAT' }] }],
    ...extra,
  });

  /**
   * zoneOperations.wait may answer before the operation is done (GCE documents it), so call it
   * again until DONE or a deadline, as the adapter does.
   */
  async function waitDone(zone: string, operationName: unknown) {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const waited = await api('POST', `projects/${project}/zones/${zone}/operations/${String(operationName)}/wait`);
      expect(waited.status).toBe(200);
      if (at(waited.json, 'status') === 'DONE') return waited.json;
      if (Date.now() > deadline) throw new Error(`operation ${String(operationName)} not DONE after 15 s`);
    }
  }

  async function createInstance(name: string) {
    const inserted = await api('POST', `projects/${project}/zones/us-central1-a/instances?requestId=${randomUUID()}`, insertBody(name));
    expect(inserted.status).toBe(200);
    await waitDone('us-central1-a', at(inserted.json, 'name'));
  }

  beforeAll(async () => {
    emulator = await startEmulator({ transitionMs: 40 });
    project = emulator.project;
    token = await fetchAccessToken(emulator.serviceAccountKey());
  });
  afterAll(async () => {
    await emulator?.close();
  });
  beforeEach(() => emulator.clearFaults());

  describe('routes', () => {
    const discovered = Object.values(discovery.resources).flatMap((resource) => Object.values(resource.methods));

    it('serves every route with the path and HTTP method the discovery document gives it', () => {
      const notInSubset: string[] = [];
      for (const route of COMPUTE_ROUTES) {
        const method = discovered.find((m) => m.id === route.operation);
        if (!method) {
          notInSubset.push(route.operation);
          continue;
        }
        expect({ op: route.operation, path: route.path, http: route.httpMethod }).toEqual({
          op: method.id,
          path: method.path,
          http: method.httpMethod,
        });
      }
      // The subset (PROVENANCE.md) leaves these out; the paths follow the same pattern.
      expect(notInSubset.sort()).toEqual(['compute.images.get', 'compute.images.list', 'compute.instances.reset']);
    });

    it('covers the discovery subset except machineTypes.aggregatedList, with requestId and paging as query parameters', () => {
      const served = new Set(COMPUTE_ROUTES.map((r) => r.operation));
      expect(discovered.map((m) => m.id).filter((id) => !served.has(id))).toEqual(['compute.machineTypes.aggregatedList']);
      const byId = (id: string) => discovered.find((m) => m.id === id)!;
      expect(byId('compute.instances.insert').parameters?.requestId?.location).toBe('query');
      expect(byId('compute.instances.list').parameters?.maxResults?.location).toBe('query');
      expect(byId('compute.instances.list').parameters?.pageToken?.location).toBe('query');
    });
  });

  describe('instance life cycle', () => {
    it('insert answers with a PENDING Operation shaped like libcloud\'s, and a repeated requestId replays it', async () => {
      const requestId = randomUUID();
      const before = emulator.vmCount();
      const first = await api('POST', `projects/${project}/zones/us-central1-a/instances?requestId=${requestId}`, insertBody('fx-insert'));
      expect(first.status).toBe(200);
      expectSchema('Operation', first.json);
      const fixture = libcloud('zones_us-central1-a_instances_post.json');
      expect(at(first.json, 'kind')).toBe(fixture.kind);
      expect(at(first.json, 'status')).toBe(fixture.status);
      expect(at(first.json, 'operationType')).toBe(fixture.operationType);
      expect(missingKeys(fixture, first.json)).toEqual([]);
      expect(linkShape(at(first.json, 'selfLink'))).toBe(linkShape(String(fixture.selfLink)));
      expect(linkShape(at(first.json, 'targetLink'))).toBe(linkShape(String(fixture.targetLink)));

      const replay = await api('POST', `projects/${project}/zones/us-central1-a/instances?requestId=${requestId}`, insertBody('fx-insert'));
      expect(at(replay.json, 'name')).toBe(at(first.json, 'name'));
      expect(emulator.vmCount()).toBe(before + 1);
    });

    it('moves the Operation PENDING/RUNNING → DONE and the instance PROVISIONING/STAGING → RUNNING', async () => {
      // Held clock, advanced 10 ms per look: every intermediate status is seen, whatever the load.
      emulator.clock.hold();
      const operationStatuses: string[] = [];
      const instanceStatuses: string[] = [];
      let inserted: Awaited<ReturnType<typeof api>>;
      try {
        inserted = await api('POST', `projects/${project}/zones/us-central1-a/instances?requestId=${randomUUID()}`, insertBody('fx-cycle'));
        for (let i = 0; i < 200; i++) {
          const op = await api('GET', `projects/${project}/zones/us-central1-a/operations/${at(inserted.json, 'name')}`);
          expectSchema('Operation', op.json);
          operationStatuses.push(text(op.json, 'status'));
          const vm = await api('GET', `projects/${project}/zones/us-central1-a/instances/fx-cycle`);
          instanceStatuses.push(text(vm.json, 'status'));
          if (at(op.json, 'status') === 'DONE') break;
          emulator.clock.advance(10);
        }
      } finally {
        emulator.clock.release();
      }
      expect(operationStatuses).toContain('RUNNING');
      expect(instanceStatuses).toContain('STAGING');
      const order = ['PENDING', 'RUNNING', 'DONE'];
      expect(operationStatuses.at(-1)).toBe('DONE');
      expect([...operationStatuses].sort((a, b) => order.indexOf(a) - order.indexOf(b))).toEqual(operationStatuses);
      expect(instanceStatuses.at(-1)).toBe('RUNNING');
      const lifecycle = ['PROVISIONING', 'STAGING', 'RUNNING'];
      expect(instanceStatuses.every((s) => lifecycle.includes(s))).toBe(true);
      expect([...instanceStatuses].sort((a, b) => lifecycle.indexOf(a) - lifecycle.indexOf(b))).toEqual(instanceStatuses);

      const done = await waitDone('us-central1-a', at(inserted.json, 'name'));
      const fixture = libcloud('operations_operation_zones_us-central1-a_instances_post.json');
      expect(done.progress).toBe(fixture.progress);
      expect(missingKeys(fixture, done)).toEqual([]);
    });

    it('instances.get and instances.list match the Instance/InstanceList schemas and libcloud\'s captures', async () => {
      await createInstance('fx-get');
      const got = await api('GET', `projects/${project}/zones/us-central1-a/instances/fx-get`);
      expect(got.status).toBe(200);
      expectSchema('Instance', got.json);
      const fixture = libcloud('zones_us-central1-a_instances_node-name.json') as Json;
      expect(at(got.json, 'kind')).toBe(fixture.kind);
      expect(at(got.json, 'status')).toBe(fixture.status);
      expect(missingKeys(fixture, got.json)).toEqual([]);
      for (const field of ['selfLink', 'zone', 'machineType']) expect(linkShape(got.json[field])).toBe(linkShape(fixture[field]));
      expect(at(got.json, 'disks.0.kind')).toBe(at(fixture, 'disks.0.kind'));
      expect(missingKeys(at(fixture, 'networkInterfaces.0'), at(got.json, 'networkInterfaces.0'))).toEqual([]);
      expect(missingKeys(at(fixture, 'networkInterfaces.0.accessConfigs.0'), at(got.json, 'networkInterfaces.0.accessConfigs.0'))).toEqual([]);

      const listed = await api('GET', `projects/${project}/zones/us-central1-a/instances`);
      expectSchema('InstanceList', listed.json);
      const listFixture = libcloud('zones_us-central1-a_instances.json');
      expect(at(listed.json, 'kind')).toBe(listFixture.kind);
      expect(missingKeys(listFixture, listed.json)).toEqual([]);
      expect(text(listed.json, 'id').replace(project, 'P')).toBe(String(listFixture.id).replace('project_name', 'P'));
    });

    it('aggregatedList matches InstanceAggregatedList, with NO_RESULTS_ON_PAGE warnings like libcloud\'s', async () => {
      await createInstance('fx-aggregated');
      const aggregated = await api('GET', `projects/${project}/aggregated/instances`);
      expectSchema('InstanceAggregatedList', aggregated.json);
      const fixture = libcloud('aggregated_instances.json') as Json;
      expect(at(aggregated.json, 'kind')).toBe(fixture.kind);
      expect(missingKeys(fixture, aggregated.json)).toEqual([]);
      const fixtureScopes = Object.entries(fixture.items as Record<string, Json>);
      const [, emptyFixture] = fixtureScopes.find(([, scoped]) => scoped.warning)!;
      const ourScopes = Object.entries(at(aggregated.json, 'items') as Record<string, Json>);
      expect(ourScopes.every(([scope]) => /^zones\/[a-z0-9-]+$/.test(scope))).toBe(true);
      const [emptyScope, ourEmpty] = ourScopes.find(([, scoped]) => scoped.warning)!;
      expect(at(ourEmpty, 'warning.code')).toBe(at(emptyFixture, 'warning.code'));
      expect(at(ourEmpty, 'warning.data')).toEqual([{ key: 'scope', value: emptyScope }]);
      expect(keysAt(aggregated.json, 'items')).toContain('zones/us-central1-a');
      const ourInstances = ourScopes.find(([scope]) => scope === 'zones/us-central1-a')?.[1].instances;
      expect(Array.isArray(ourInstances) && ourInstances.length > 0).toBe(true);
    });

    it('stop → TERMINATED, setMachineType only when stopped (RESOURCE_NOT_READY otherwise), start → RUNNING', async () => {
      await createInstance('fx-power');
      const base = `projects/${project}/zones/us-central1-a/instances/fx-power`;

      const running = await api('POST', `${base}/setMachineType`, { machineType: 'zones/us-central1-a/machineTypes/e2-medium' });
      expectSchema('Operation', running.json);
      const refused = await waitDone('us-central1-a', at(running.json, 'name'));
      expectSchema('Operation', refused);
      const notStopped = libcloud('zones_us_central1_a_operations_operation_setMachineType_notstopped.json') as Json;
      expect(at(refused, 'error.errors.0.code')).toBe(at(notStopped, 'error.errors.0.code'));
      expect(refused.httpErrorStatusCode).toBe(notStopped.httpErrorStatusCode);
      expect(refused.httpErrorMessage).toBe(notStopped.httpErrorMessage);
      expect(missingKeys(notStopped, refused)).toEqual([]);

      const stop = await api('POST', `${base}/stop`);
      expectSchema('Operation', stop.json);
      const stopFixture = libcloud('zones_us_central1_a_instances_node_name_stop.json');
      expect(at(stop.json, 'operationType')).toBe(stopFixture.operationType);
      expect(missingKeys(stopFixture, stop.json)).toEqual([]);
      const stopDone = await waitDone('us-central1-a', at(stop.json, 'name'));
      expect(missingKeys(libcloud('zones_us_central1_a_operations_operation_stopnode.json'), stopDone)).toEqual([]);
      const stopped = await api('GET', base);
      const stoppedFixture = libcloud('zones_us_central1_a_instances_stopped_node.json');
      expect(at(stopped.json, 'status')).toBe(stoppedFixture.status);
      expectSchema('Instance', stopped.json);

      const resize = await api('POST', `${base}/setMachineType`, { machineType: 'zones/us-central1-a/machineTypes/e2-medium' });
      expect(at(resize.json, 'operationType')).toBe(libcloud('zones_us_central1_a_instances_stopped_node_setMachineType.json').operationType);
      const resized = await waitDone('us-central1-a', at(resize.json, 'name'));
      expect(resized.error).toBeUndefined();
      expect(missingKeys(libcloud('zones_us_central1_a_operations_operation_setMachineType.json'), resized)).toEqual([]);
      expect((await api('GET', base)).json.machineType).toMatch(/\/machineTypes\/e2-medium$/);

      const start = await api('POST', `${base}/start`);
      expect(at(start.json, 'operationType')).toBe(libcloud('zones_us_central1_a_instances_stopped_node_start.json').operationType);
      await waitDone('us-central1-a', at(start.json, 'name'));
      expect((await api('GET', base)).json.status).toBe('RUNNING');
    });

    it('delete completes its Operation, then get answers the 404 envelope libcloud captured', async () => {
      await createInstance('fx-delete');
      const base = `projects/${project}/zones/us-central1-a/instances/fx-delete`;
      const deletion = await api('DELETE', base);
      const deleteFixture = libcloud('zones_us-central1-a_instances_node-name_delete.json');
      expect(at(deletion.json, 'operationType')).toBe(deleteFixture.operationType);
      expect(missingKeys(deleteFixture, deletion.json)).toEqual([]);
      await waitDone('us-central1-a', at(deletion.json, 'name'));

      const gone = await api('GET', base);
      const fixture = libcloud('zones_us-central1-b_instances_libcloud-lb-demo-www-002.json') as Json;
      expect(gone.status).toBe(at(fixture, 'error.code'));
      expect(keysAt(gone.json, 'error').sort()).toEqual(keysAt(fixture, 'error').sort());
      expect(Object.keys(at(gone.json, 'error.errors.0') as object).sort()).toEqual(Object.keys(at(fixture, 'error.errors.0') as object).sort());
      expect(at(gone.json, 'error.errors.0.reason')).toBe(at(fixture, 'error.errors.0.reason'));
      expect(at(gone.json, 'error.errors.0.domain')).toBe(at(fixture, 'error.errors.0.domain'));
      expect(at(gone.json, 'error.message')).toMatch(/^The resource 'projects\/[^']+\/zones\/us-central1-a\/instances\/fx-delete' was not found$/);
    });

    it('accepts a full machineType URL as libcloud sends it', async () => {
      const fixture = libcloud('zones_us-central1-a_instances_node-name.json');
      const machineType = String(fixture.machineType).replace('project_name', project).replace('n1-standard-1', 'n1-standard-1');
      const inserted = await api('POST', `projects/${project}/zones/us-central1-a/instances`, insertBody('fx-url', { machineType }));
      expect(inserted.status).toBe(200);
      await waitDone('us-central1-a', at(inserted.json, 'name'));
      expect((await api('GET', `projects/${project}/zones/us-central1-a/instances/fx-url`)).json.machineType).toBe(machineType);
    });
  });

  describe('errors', () => {
    it('a second insert of an existing name is 409 alreadyExists', async () => {
      await createInstance('fx-dup');
      const again = await api('POST', `projects/${project}/zones/us-central1-a/instances?requestId=${randomUUID()}`, insertBody('fx-dup'));
      expect(again.status).toBe(409);
      expect(at(again.json, 'error.code')).toBe(409);
      expect(at(again.json, 'error.errors.0.reason')).toBe('alreadyExists');
    });

    it('quota: insert returns an Operation that ends DONE with QUOTA_EXCEEDED and quotaInfo, and makes no VM', async () => {
      const before = emulator.vmCount();
      emulator.injectFault({ kind: 'quota', operation: 'compute.instances.insert' });
      const inserted = await api('POST', `projects/${project}/zones/us-central1-a/instances?requestId=${randomUUID()}`, insertBody('fx-quota'));
      expect(inserted.status).toBe(200);
      const done = await waitDone('us-central1-a', at(inserted.json, 'name'));
      expectSchema('Operation', done);
      expect(at(done, 'error.errors.0.code')).toBe('QUOTA_EXCEEDED');
      expect(at(done, 'error.errors.0.errorDetails.0.quotaInfo.metricName')).toBe('compute.googleapis.com/cpus');
      expect(done.httpErrorStatusCode).toBe(403);
      const failedFixture = libcloud('operations_operation_zones_europe-west1-a_instances_post.json') as Json;
      expect(keysAt(done, 'error')).toEqual(keysAt(failedFixture, 'error'));
      expect(missingKeys(failedFixture, done)).toEqual([]);
      expect(emulator.vmCount()).toBe(before);
    });

    it('throttle is 429 rateLimitExceeded / RESOURCE_EXHAUSTED; server_error is 500 backendError', async () => {
      emulator.injectFault({ kind: 'throttle', operation: 'compute.instances.list' });
      const throttled = await api('GET', `projects/${project}/zones/us-central1-a/instances`);
      expect(throttled.status).toBe(429);
      expect(at(throttled.json, 'error.status')).toBe('RESOURCE_EXHAUSTED');
      expect(at(throttled.json, 'error.errors.0')).toMatchObject({ reason: 'rateLimitExceeded', domain: 'usageLimits' });
      emulator.injectFault({ kind: 'server_error' });
      const failed = await api('GET', `projects/${project}/zones/us-central1-a/instances`);
      expect(failed.status).toBe(500);
      expect(at(failed.json, 'error.errors.0.reason')).toBe('backendError');
      expect((await api('GET', `projects/${project}/zones/us-central1-a/instances`)).status).toBe(200);
    });

    it('checks the bearer token on every call: missing 401 required, invalid 401 authError, other project 403', async () => {
      const missing = await api('GET', `projects/${project}/regions`, undefined, null);
      expect(missing.status).toBe(401);
      expect(at(missing.json, 'error')).toMatchObject({ status: 'UNAUTHENTICATED', errors: [{ reason: 'required', location: 'Authorization' }] });
      const forged = await api('GET', `projects/${project}/regions`, undefined, `${token.slice(0, -4)}AAAA`);
      expect(forged.status).toBe(401);
      expect(at(forged.json, 'error.errors.0.reason')).toBe('authError');
      const elsewhere = await api('GET', 'projects/someone-else/regions');
      expect(elsewhere.status).toBe(403);
      expect((await api('GET', 'projects/debian-cloud/global/images')).status).toBe(200);
    });

    it('the token endpoint rejects a key the service account does not have with 400 invalid_grant', async () => {
      const key = emulator.serviceAccountKey();
      const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const post = (assertion: string, grant = 'urn:ietf:params:oauth:grant-type:jwt-bearer') =>
        fetch(key.token_uri, { method: 'POST', body: new URLSearchParams({ grant_type: grant, assertion }) });
      const wrong = await post(signAssertion({ ...key, private_key: otherKey }));
      expect(wrong.status).toBe(400);
      expect(await wrong.json()).toEqual({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
      const unknown = await post(signAssertion({ ...key, client_email: 'nobody@skyport-sandbox.iam.gserviceaccount.com' }));
      expect(((await unknown.json()) as Json).error).toBe('invalid_grant');
      const stale = await post(signAssertion(key, Date.now() - 3 * 3600_000));
      expect(((await stale.json()) as Json).error_description).toMatch(/short-lived token/);
      const grant = await post(signAssertion(key), 'client_credentials');
      expect(((await grant.json()) as Json).error).toBe('unsupported_grant_type');
    });
  });

  describe('catalog and paging', () => {
    it('zones, regions and machine types match their schemas and libcloud\'s captures', async () => {
      const zones = await api('GET', `projects/${project}/zones`);
      expectSchema('ZoneList', zones.json);
      const zone = await api('GET', `projects/${project}/zones/us-central1-a`);
      expectSchema('Zone', zone.json);
      const zoneFixture = libcloud('zones_us-central1-a.json');
      expect(missingKeys(zoneFixture, zone.json)).toEqual([]);
      expect(linkShape(at(zone.json, 'region'))).toBe(linkShape(String(zoneFixture.region)));

      const regions = await api('GET', `projects/${project}/regions`);
      expectSchema('RegionList', regions.json);
      expect(at(regions.json, 'kind')).toBe(libcloud('regions.json').kind);
      const region = await api('GET', `projects/${project}/regions/us-central1`);
      expectSchema('Region', region.json);
      const regionFixture = libcloud('regions_us-central1.json') as Json;
      expect(missingKeys(regionFixture, region.json)).toEqual([]);
      expect(linkShape(at(region.json, 'zones.0'))).toBe(linkShape(at(regionFixture, 'zones.0')));

      const types = await api('GET', `projects/${project}/zones/us-central1-a/machineTypes`);
      expectSchema('MachineTypeList', types.json);
      expect(at(types.json, 'kind')).toBe(libcloud('zones_us-central1-a_machineTypes.json').kind);
      const type = await api('GET', `projects/${project}/zones/us-central1-a/machineTypes/n1-standard-1`);
      expectSchema('MachineType', type.json);
      const typeFixture = libcloud('zones_us-central1-a_machineTypes_n1-standard-1.json');
      expect(missingKeys(typeFixture, type.json)).toEqual([]);
      expect({ cpus: at(type.json, 'guestCpus'), mem: at(type.json, 'memoryMb') }).toEqual({ cpus: typeFixture.guestCpus, mem: typeFixture.memoryMb });
    });

    it('pages instances.list with maxResults/pageToken/nextPageToken and rejects bad paging input', async () => {
      emulator.seedVms({ region: 'asia-northeast1', count: 25, namePrefix: 'page' });
      const names: string[] = [];
      let pageToken: string | undefined;
      let pages = 0;
      do {
        const query = new URLSearchParams({ maxResults: '4', ...(pageToken ? { pageToken } : {}) });
        const page = await api('GET', `projects/${project}/zones/asia-northeast1-a/instances?${query}`);
        expectSchema('InstanceList', page.json);
        names.push(...((at(page.json, 'items') ?? []) as Json[]).map((item) => String(item.name)));
        const next = at(page.json, 'nextPageToken');
        pageToken = typeof next === 'string' ? next : undefined;
        pages += 1;
        if (pages === 1) await createInstanceIn('asia-northeast1-a', 'aaa-inserted-mid-listing');
      } while (pageToken);
      expect(pages).toBe(3); // 9 seeded in zone -a (25 round-robin over 3 zones), 4 per page
      expect(new Set(names).size).toBe(names.length);
      expect(names.filter((n) => n.startsWith('page-'))).toHaveLength(9);

      expect((await api('GET', `projects/${project}/zones/asia-northeast1-a/instances?maxResults=501`)).status).toBe(400);
      const badToken = await api('GET', `projects/${project}/zones/asia-northeast1-a/instances?pageToken=garbage`);
      expect(badToken.status).toBe(400);
      expect(at(badToken.json, 'error.errors.0.reason')).toBe('invalid');
    });
  });

  async function createInstanceIn(zone: string, name: string) {
    const body = insertBody(name, { machineType: `zones/${zone}/machineTypes/e2-small` });
    const inserted = await api('POST', `projects/${project}/zones/${zone}/instances`, body);
    expect(inserted.status).toBe(200);
  }
});
