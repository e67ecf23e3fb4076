// Google Compute Engine adapter on @google-cloud/compute (REST transport). Idempotent create binds
// the key to the instance name and to insert's requestId; every mutation waits on its zone
// Operation and turns `error.errors[]` into a ProviderError.
import type { protos } from '@google-cloud/compute';
import type { CallOptions } from 'google-gax';
import { ProviderError } from '../errors';
import type {
  AdapterRuntimeOptions,
  ConnectionTestResult,
  CreateVmSpec,
  ListVmsOptions,
  ListVmsPage,
  ObservedVm,
  ProviderAdapter,
  ProviderCapabilities,
  ProviderImage,
  ProviderRegion,
  ProviderSize,
  VmRef,
} from '../types';
import { deadlineExceeded, withDeadline } from '../shared/deadline';
import { resolveRuntime } from '../shared/runtime';
import { encodeLabelValue } from '../shared/tags';
import { createComputeClients, type ComputeClients } from './clients';
import { DEFAULT_IMAGE_PROJECTS, parseServiceAccountKey, type Secrets, type Settings } from './config';
import { operationFailure, RETRYABLE_RPC_CODES, toProviderError } from './errors';
import { lastSegment, observedVm, parseVmRef, providerIdFor } from './state';
import { instanceNameForKey, labelKeyFor, labelsFor, requestIdForKey } from './naming';
import { decodeRegionCursor, encodeRegionCursor, nextRegionCursor } from './paging';

type Operation = protos.google.cloud.compute.v1.IOperation;
type Instance = protos.google.cloud.compute.v1.IInstance;

const GCE_MAX_RESULTS = 500;
/** zoneOperations.wait holds the call up to ~2 minutes server-side before answering "not yet". */
const OPERATION_WAIT_SERVER_HOLD_MS = 120_000;
const PUBLIC_ENDPOINT = 'https://compute.googleapis.com';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface GcpAdapterInput {
  settings: Settings;
  secrets: Secrets;
  runtime?: AdapterRuntimeOptions;
}

function readOperation(value: unknown, what: string): Operation {
  const op = value as Operation | null | undefined;
  if (!op || typeof op.name !== 'string') {
    throw new ProviderError('unavailable', `Compute Engine ${what} returned no Operation`, { retryable: true });
  }
  return op;
}

export class GcpAdapter implements ProviderAdapter {
  readonly kind = 'gcp' as const;
  private readonly clients: ComputeClients;
  private readonly project: string;
  private readonly account: string;
  private readonly endpoint: string;
  private readonly imageProjects: string[];
  private readonly runtime: Required<AdapterRuntimeOptions>;
  private readonly zonesByRegion = new Map<string, Promise<string[]>>();
  /** Machine types seen by listSizes, so observed VMs can show vCPUs and memory. */
  private readonly sizes = new Map<string, ProviderSize>();
  private closing: Promise<void> | undefined;

  constructor({ settings, secrets, runtime }: GcpAdapterInput) {
    const key = parseServiceAccountKey(secrets);
    this.project = settings.projectId ?? key.project_id;
    this.account = key.client_email;
    this.endpoint = settings.apiEndpoint ?? PUBLIC_ENDPOINT;
    this.imageProjects = settings.imageProjects ?? DEFAULT_IMAGE_PROJECTS;
    this.runtime = resolveRuntime(runtime);
    this.clients = createComputeClients({ key, apiEndpoint: settings.apiEndpoint, requestTimeoutMs: this.runtime.requestTimeoutMs });
  }

  capabilities(): ProviderCapabilities {
    return {
      actions: ['start', 'stop', 'reboot', 'resize', 'delete'],
      resizeRequiresStop: true,
      idempotency:
        'instances.insert requestId = UUID v5 of the key (GCE replays the first Operation), and the instance name is derived from the key (a second insert gets 409 alreadyExists)',
    };
  }

  // ---- plumbing --------------------------------------------------------------------------------

  /**
   * gax's own retry policy (throttling, 5xx, timeouts) with Skyport's limits on every attempt:
   * `maxRetries` retries, or — for operation waits — as many as fit before `deadlineMs`.
   */
  private callOptions(timeoutMs: number, deadlineMs?: number): CallOptions {
    // gax's maxRetries counts attempts, not retries, hence the +1.
    const budget =
      deadlineMs === undefined
        ? { maxRetries: this.runtime.maxRetries + 1 }
        : { totalTimeoutMillis: Math.max(1, deadlineMs - Date.now()) };
    return {
      timeout: timeoutMs,
      retry: {
        retryCodes: RETRYABLE_RPC_CODES,
        backoffSettings: {
          ...budget,
          initialRetryDelayMillis: 200,
          retryDelayMultiplier: 2,
          maxRetryDelayMillis: 5_000,
          initialRpcTimeoutMillis: timeoutMs,
          rpcTimeoutMultiplier: 1,
          maxRpcTimeoutMillis: timeoutMs,
        },
      },
    };
  }

  private async call<T>(
    what: string,
    run: (options: CallOptions) => Promise<T>,
    limits: { timeoutMs?: number; deadlineMs?: number } = {},
  ): Promise<T> {
    // Operation waits are bounded by their own deadline; every other call by callTimeoutMs.
    const ms = limits.deadlineMs === undefined ? this.runtime.callTimeoutMs : Math.max(1, limits.deadlineMs - Date.now());
    const options = this.callOptions(limits.timeoutMs ?? this.runtime.requestTimeoutMs, limits.deadlineMs);
    try {
      return await withDeadline(ms, () => deadlineExceeded(this.endpoint, what, ms), () => run(options));
    } catch (error) {
      throw toProviderError(error, this.endpoint, what);
    }
  }

  /** Zones of a region, sorted; the first is where VMs go when the spec names no zone. */
  private zonesOf(region: string): Promise<string[]> {
    let zones = this.zonesByRegion.get(region);
    if (!zones) {
      zones = this.call(`reading region ${region}`, (o) => this.clients.regions.get({ project: this.project, region }, o)).then(
        ([found]) => (found.zones ?? []).map(lastSegment).sort(),
      );
      zones.catch(() => this.zonesByRegion.delete(region));
      this.zonesByRegion.set(region, zones);
    }
    return zones;
  }

  private async placementZone(region: string, zone: string | undefined): Promise<string> {
    const zones = await this.zonesOf(region);
    if (zone === undefined) {
      const first = zones[0];
      if (!first) throw new ProviderError('invalid_request', `Region ${region} has no zones`, { retryable: false });
      return first;
    }
    if (!zones.includes(zone)) {
      throw new ProviderError('invalid_request', `Zone ${zone} is not in region ${region} (zones: ${zones.join(', ')})`, { retryable: false });
    }
    return zone;
  }

  private observed(instance: Instance): ObservedVm {
    return observedVm(instance, (_zone, type) => this.sizes.get(type));
  }

  private async readInstance(zone: string, name: string): Promise<Instance | null> {
    try {
      const [instance] = await this.call(`reading instance ${name}`, (o) =>
        this.clients.instances.get({ project: this.project, zone, instance: name }, o),
      );
      return instance;
    } catch (error) {
      if (error instanceof ProviderError && error.code === 'not_found') return null;
      throw error;
    }
  }

  /** Wait on a zone Operation with zoneOperations.wait until DONE or the operation deadline. */
  private async waitForOperation(started: Operation, zone: string): Promise<Operation> {
    const deadline = Date.now() + this.runtime.operationTimeoutMs;
    const timedOut = () =>
      new ProviderError('unavailable', `Timed out after ${this.runtime.operationTimeoutMs} ms waiting for ${started.operationType ?? 'operation'} ${started.name ?? ''}`, {
        providerCode: 'OPERATION_TIMEOUT',
        retryable: true,
      });
    let current = started;
    while (current.status !== 'DONE') {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw timedOut();
      const askedAt = Date.now();
      let next: Operation;
      try {
        [next] = await this.call(
          `waiting for operation ${current.name ?? ''}`,
          (o) => this.clients.zoneOperations.wait({ project: this.project, zone, operation: current.name ?? '' }, o),
          { timeoutMs: Math.min(remaining, this.runtime.requestTimeoutMs + OPERATION_WAIT_SERVER_HOLD_MS), deadlineMs: deadline },
        );
      } catch (error) {
        if (Date.now() >= deadline && error instanceof ProviderError && error.code === 'unavailable') throw timedOut();
        throw error;
      }
      current = next;
      // A server that answers "not done" at once must not turn this into a busy loop.
      const elapsed = Date.now() - askedAt;
      if (current.status !== 'DONE' && elapsed < this.runtime.pollIntervalMs) await sleep(this.runtime.pollIntervalMs - elapsed);
    }
    const failure = operationFailure(current);
    if (failure) throw failure;
    return current;
  }

  // ---- catalog ---------------------------------------------------------------------------------

  async testConnection(): Promise<ConnectionTestResult> {
    const regions = await this.listRegions();
    return { detail: `authenticated as ${this.account}; project ${this.project}; ${regions.length} regions visible` };
  }

  async listRegions(): Promise<ProviderRegion[]> {
    const [regions] = await this.call('listing regions', (o) => this.clients.regions.list({ project: this.project }, o));
    return regions.map((region) => {
      const zones = (region.zones ?? []).map(lastSegment).sort();
      const id = region.name ?? '';
      this.zonesByRegion.set(id, Promise.resolve(zones));
      return { id, name: region.description ?? id, zones };
    });
  }

  async listSizes(region: string): Promise<ProviderSize[]> {
    const zone = await this.placementZone(region, undefined);
    const [types] = await this.call('listing machine types', (o) => this.clients.machineTypes.list({ project: this.project, zone }, o));
    return types.map((type) => {
      const size: ProviderSize = {
        id: type.name ?? '',
        name: type.description ? `${type.name ?? ''} (${type.description})` : (type.name ?? ''),
        vcpus: type.guestCpus ?? 0,
        memoryMiB: type.memoryMb ?? 0,
      };
      this.sizes.set(size.id, size);
      return size;
    });
  }

  async listImages(_region: string): Promise<ProviderImage[]> {
    // Images are global; the region does not narrow them.
    const perProject = await Promise.all(
      this.imageProjects.map(async (project) => {
        const [images] = await this.call(`listing images of ${project}`, (o) => this.clients.images.list({ project }, o));
        return images
          .filter((image) => !image.deprecated?.state || image.deprecated.state === 'ACTIVE')
          .map((image): ProviderImage => {
            const entry: ProviderImage = { id: `projects/${project}/global/images/${image.name ?? ''}`, name: image.description ?? image.name ?? '' };
            if (image.family) entry.os = image.family;
            return entry;
          });
      }),
    );
    return perProject.flat();
  }

  // ---- VMs -------------------------------------------------------------------------------------

  async observe(idempotencyKey: string, region: string): Promise<ObservedVm | null> {
    const name = instanceNameForKey(idempotencyKey);
    // The default zone first: that is where create puts VMs unless the spec chose a zone.
    for (const zone of await this.zonesOf(region)) {
      const instance = await this.readInstance(zone, name);
      if (instance) return this.observed(instance);
    }
    return null;
  }

  async create(spec: CreateVmSpec): Promise<ObservedVm> {
    const zone = await this.placementZone(spec.region, spec.zone);
    const name = instanceNameForKey(spec.idempotencyKey);
    const resource: Instance = {
      name,
      description: spec.name,
      machineType: `zones/${zone}/machineTypes/${spec.size}`,
      labels: labelsFor(spec.tags, spec.extraTags),
      disks: [{ boot: true, autoDelete: true, type: 'PERSISTENT', initializeParams: { sourceImage: spec.image } }],
      networkInterfaces: [{ network: 'global/networks/default', accessConfigs: [{ name: 'External NAT', type: 'ONE_TO_ONE_NAT' }] }],
    };
    try {
      const [lro] = await this.call(`creating instance ${name}`, (o) =>
        this.clients.instances.insert(
          { project: this.project, zone, requestId: requestIdForKey(spec.idempotencyKey), instanceResource: resource },
          o,
        ),
      );
      await this.waitForOperation(readOperation(lro.latestResponse, 'instances.insert'), zone);
    } catch (error) {
      // The name is ours by construction; a collision means an earlier attempt already made it.
      const exists =
        error instanceof ProviderError &&
        (error.httpStatus === 409 || error.providerCode === 'RESOURCE_ALREADY_EXISTS' || error.providerCode === 'alreadyExists');
      if (!exists) throw error;
      return this.adoptExisting(zone, name, spec);
    }
    const instance = await this.readInstance(zone, name);
    if (!instance) {
      throw new ProviderError('unavailable', `Instance ${name} was created but cannot be read back yet`, { retryable: true });
    }
    return this.observed(instance);
  }

  private async adoptExisting(zone: string, name: string, spec: CreateVmSpec): Promise<ObservedVm> {
    const instance = await this.readInstance(zone, name);
    if (!instance) {
      throw new ProviderError('conflict', `Instance ${name} reported as existing but not found; retry`, { retryable: true });
    }
    const ours = instance.labels?.['skyport-id'] === encodeLabelValue(spec.tags.skyportId);
    if (!ours) {
      throw new ProviderError('conflict', `Instance name ${name} in ${zone} is taken by a VM not made for this request`, {
        providerCode: 'alreadyExists',
        httpStatus: 409,
        retryable: false,
      });
    }
    return this.observed(instance);
  }

  async get(ref: VmRef): Promise<ObservedVm | null> {
    const { zone, name } = parseVmRef(ref);
    const instance = await this.readInstance(zone, name);
    return instance ? this.observed(instance) : null;
  }

  private async instanceAction(
    ref: VmRef,
    what: string,
    run: (target: { project: string; zone: string; instance: string }, options: CallOptions) => Promise<[{ latestResponse: unknown }, ...unknown[]]>,
  ): Promise<void> {
    const { zone, name } = parseVmRef(ref);
    const [lro] = await this.call(`${what} instance ${name}`, (o) => run({ project: this.project, zone, instance: name }, o));
    await this.waitForOperation(readOperation(lro.latestResponse, `instances.${what}`), zone);
  }

  async start(ref: VmRef): Promise<void> {
    await this.instanceAction(ref, 'start', (target, o) => this.clients.instances.start(target, o));
  }

  /** GCE has no stopped-but-allocated state: a TERMINATED VM bills no compute, so `deallocate` changes nothing. */
  async stop(ref: VmRef, _options?: { deallocate?: boolean }): Promise<void> {
    await this.instanceAction(ref, 'stop', (target, o) => this.clients.instances.stop(target, o));
  }

  async reboot(ref: VmRef): Promise<void> {
    await this.instanceAction(ref, 'reset', (target, o) => this.clients.instances.reset(target, o));
  }

  async resize(ref: VmRef, size: string): Promise<void> {
    const { zone, name } = parseVmRef(ref);
    const instance = await this.readInstance(zone, name);
    if (!instance) throw new ProviderError('not_found', `Instance ${providerIdFor(zone, name)} does not exist`, { retryable: false });
    if (lastSegment(instance.machineType) === size) return;
    if (instance.status !== 'TERMINATED') {
      throw new ProviderError('invalid_request', `GCE changes the machine type only of a stopped instance; ${name} is ${instance.status ?? 'unknown'}`, {
        providerCode: 'RESOURCE_NOT_READY',
        retryable: false,
      });
    }
    await this.instanceAction(ref, 'setMachineType', (target, o) =>
      this.clients.instances.setMachineType(
        { ...target, instancesSetMachineTypeRequestResource: { machineType: `zones/${zone}/machineTypes/${size}` } },
        o,
      ),
    );
  }

  async delete(ref: VmRef): Promise<void> {
    try {
      await this.instanceAction(ref, 'delete', (target, o) => this.clients.instances.delete(target, o));
    } catch (error) {
      if (error instanceof ProviderError && error.code === 'not_found') return;
      throw error;
    }
  }

  /**
   * instances.setLabels replaces the whole label map and is guarded by the label fingerprint, so
   * read labels + fingerprint, merge, and write; a 412 (someone changed the labels meanwhile)
   * re-reads and merges again. Keys and values get the same label-safe transformation as create.
   */
  async setTags(ref: VmRef, tags: Record<string, string>): Promise<void> {
    const { zone, name } = parseVmRef(ref);
    const wanted: Record<string, string> = {};
    for (const [key, value] of Object.entries(tags)) {
      const labelKey = labelKeyFor(key);
      if (labelKey) wanted[labelKey] = encodeLabelValue(value);
    }
    for (let attempt = 0; ; attempt++) {
      const instance = await this.readInstance(zone, name);
      if (!instance) throw new ProviderError('not_found', `Instance ${providerIdFor(zone, name)} does not exist`, { retryable: false });
      const labels = { ...(instance.labels ?? {}), ...wanted };
      try {
        await this.instanceAction(ref, 'setLabels', (target, o) =>
          this.clients.instances.setLabels(
            { ...target, instancesSetLabelsRequestResource: { labels, labelFingerprint: instance.labelFingerprint ?? '' } },
            o,
          ),
        );
        return;
      } catch (error) {
        const stale = error instanceof ProviderError && (error.httpStatus === 412 || error.providerCode === 'conditionNotMet');
        if (!stale || attempt >= 4) throw error;
      }
    }
  }

  /** Closes the REST clients (and with them their HTTP agents). Idempotent. */
  async close(): Promise<void> {
    this.closing ??= this.clients.close();
    await this.closing;
  }

  async listVms(region: string, options: ListVmsOptions = {}): Promise<ListVmsPage> {
    const zones = await this.zonesOf(region);
    let cursor = decodeRegionCursor(options.pageToken);
    if (cursor.zoneIndex >= zones.length) {
      throw new ProviderError('invalid_request', `Page token does not belong to region ${region}`, { retryable: false });
    }
    const maxResults = Math.max(1, Math.min(options.pageSize ?? GCE_MAX_RESULTS, GCE_MAX_RESULTS));
    for (;;) {
      const zone = zones[cursor.zoneIndex]!;
      const request = { project: this.project, zone, maxResults, pageToken: cursor.zonePageToken };
      const [instances, , page] = await this.call(`listing instances in ${zone}`, (o) =>
        this.clients.instances.list(request, { ...o, autoPaginate: false }),
      );
      const next = nextRegionCursor(cursor, page?.nextPageToken, zones.length);
      // Skip empty zones here rather than hand the caller empty pages.
      if (instances.length > 0 || !next) {
        return { vms: instances.map((instance) => this.observed(instance)), nextPageToken: next && encodeRegionCursor(next) };
      }
      cursor = next;
    }
  }
}


export function createGcpAdapter(input: GcpAdapterInput): GcpAdapter {
  return new GcpAdapter(input);
}
