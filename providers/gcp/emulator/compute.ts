// The Compute Engine methods: instances, zone operations and the read-only placement catalog.
import { randomBytes } from 'node:crypto';
import {
  CATALOG_IMAGES,
  CATALOG_MACHINE_TYPES,
  CATALOG_REGIONS,
  PUBLIC_IMAGE_PROJECTS,
  findMachineType,
  regionOfZone,
} from './catalog';
import { isWireError, pageAfter, pageSizeFor } from './paging';
import {
  advanceInstance,
  instanceKey,
  operationStatus,
  type EmulatorState,
  type InstanceRecord,
  type InstanceStatus,
  type OperationRecord,
} from './state';
import {
  allZones,
  apiError,
  invalidField,
  notFound,
  projectLink,
  quotaOperationError,
  renderImage,
  renderInstance,
  renderMachineType,
  renderOperation,
  renderRegion,
  renderZone,
  zoneLink,
  type WireError,
} from './wire';
import type { EmulatorClock } from '../../contract/clock';

export interface WireReply {
  status: number;
  body: unknown;
}

export interface CallContext {
  operation: string;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  caller: { email: string; project: string };
  /** A `quota` fault hit this insert: answer with a failed Operation, as GCE does. */
  quotaFault: boolean;
}

export interface ComputeOptions {
  transitionMs: number;
  maxPageSize: number;
  requestIdWindowMs: number;
  /** Longest a `zoneOperations.wait` call is held open (GCE: about 2 minutes). */
  waitCapMs: number;
  /** The clock transitions and operations run on (tests hold it instead of racing timers). */
  clock: EmulatorClock;
  /** CPUS of instances holding compute (not TERMINATED) allowed per region; undefined = no limit. */
  vcpuLimit?: number;
  onChange: () => void;
}

const NAME_PATTERN = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_KEY_PATTERN = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE_PATTERN = /^[a-z0-9_-]{0,63}$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

const ok = (body: unknown): WireReply => ({ status: 200, body });
const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** Last path segment of a resource URL or partial URL ("zones/z/machineTypes/e2-small" → "e2-small"). */
const lastSegment = (value: string) => value.slice(value.lastIndexOf('/') + 1);

export class ComputeService {
  /** Instances with scheduled steps: the only ones a read has to advance. */
  private readonly moving = new Set<string>();
  private membershipVersion = 0;
  private indexVersion = -1;
  private zoneIndex = new Map<string, InstanceRecord[]>();
  private readonly waits = new Set<NodeJS.Timeout>();

  constructor(
    private readonly state: EmulatorState,
    private readonly options: ComputeOptions,
  ) {
    for (const [key, vm] of Object.entries(state.instances)) if (vm.steps.length > 0) this.moving.add(key);
  }

  // ---- state helpers ---------------------------------------------------------------------------

  /** Apply due transitions everywhere; cheap because only moving instances are visited. */
  settle(now = this.options.clock.now()): void {
    for (const key of this.moving) {
      const vm = this.state.instances[key];
      if (!vm) {
        this.moving.delete(key);
        continue;
      }
      const alive = advanceInstance(vm, now);
      if (!alive) {
        delete this.state.instances[key];
        this.membershipVersion += 1;
        this.options.onChange();
      }
      if (!alive || vm.steps.length === 0) this.moving.delete(key);
    }
  }

  vmCount(): number {
    this.settle();
    return Object.keys(this.state.instances).length;
  }

  addInstance(project: string, vm: InstanceRecord): void {
    const key = instanceKey(project, vm.zone, vm.name);
    this.state.instances[key] = vm;
    if (vm.steps.length > 0) this.moving.add(key);
    this.membershipVersion += 1;
  }

  private schedule(project: string, vm: InstanceRecord, steps: InstanceRecord['steps']): void {
    vm.steps = steps;
    if (steps.length > 0) this.moving.add(instanceKey(project, vm.zone, vm.name));
  }

  /** Instances of one project+zone sorted by name (rebuilt only when instances come or go). */
  private zoneInstances(project: string, zone: string): InstanceRecord[] {
    if (this.indexVersion !== this.membershipVersion) {
      const index = new Map<string, InstanceRecord[]>();
      for (const [key, vm] of Object.entries(this.state.instances)) {
        const bucketKey = key.slice(0, key.lastIndexOf('/'));
        let bucket = index.get(bucketKey);
        if (!bucket) index.set(bucketKey, (bucket = []));
        bucket.push(vm);
      }
      for (const bucket of index.values()) bucket.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      this.zoneIndex = index;
      this.indexVersion = this.membershipVersion;
    }
    return this.zoneIndex.get(`${project}/${zone}`) ?? [];
  }

  nextId(): string {
    this.state.nextId += 1;
    return (4_000_000_000_000_000_000n + BigInt(this.state.nextId) * 7_919n).toString();
  }

  private newOperation(
    project: string,
    zone: string,
    operationType: string,
    target: { name: string; id: string },
    caller: string,
    durationMs: number,
  ): OperationRecord {
    const now = this.options.clock.now();
    const op: OperationRecord = {
      id: this.nextId(),
      name: `operation-${now}-${randomBytes(7).toString('hex').slice(0, 13)}-${randomBytes(4).toString('hex')}-${randomBytes(4).toString('hex')}`,
      zone,
      operationType,
      targetName: target.name,
      targetId: target.id,
      user: caller,
      insertedAt: now,
      runningAt: now + Math.min(5, durationMs),
      doneAt: now + durationMs,
    };
    this.state.operations[instanceKey(project, zone, op.name)] = op;
    this.pruneOperations(now);
    this.options.onChange();
    return op;
  }

  private pruneOperations(now: number): void {
    const keys = Object.keys(this.state.operations);
    if (keys.length < 5_000) return;
    for (const key of keys) {
      const op = this.state.operations[key]!;
      if (now - op.doneAt > this.options.requestIdWindowMs) delete this.state.operations[key];
    }
    for (const [key, entry] of Object.entries(this.state.requestIds)) {
      if (now - entry.at > this.options.requestIdWindowMs) delete this.state.requestIds[key];
    }
  }

  private findZone(project: string, zone: string): WireError | undefined {
    return allZones().includes(zone) ? undefined : notFound(`projects/${project}/zones/${zone}`);
  }

  private findInstance(project: string, zone: string, name: string): InstanceRecord | WireError {
    this.settle();
    return this.state.instances[instanceKey(project, zone, name)] ?? notFound(`projects/${project}/zones/${zone}/instances/${name}`);
  }

  // ---- dispatch --------------------------------------------------------------------------------

  handle(ctx: CallContext): WireReply | Promise<WireReply> {
    const { project = '', zone = '', instance = '' } = ctx.params;
    switch (ctx.operation) {
      case 'compute.instances.insert':
        return this.insert(project, zone, ctx);
      case 'compute.instances.list':
        return this.list(project, zone, ctx.query);
      case 'compute.instances.aggregatedList':
        return this.aggregatedList(project, ctx.query);
      case 'compute.instances.get': {
        const vm = this.findInstance(project, zone, instance);
        return isWireError(vm) ? vm : ok(renderInstance(project, vm));
      }
      case 'compute.instances.start':
      case 'compute.instances.stop':
      case 'compute.instances.reset':
      case 'compute.instances.delete':
        return this.powerAction(project, zone, instance, ctx);
      case 'compute.instances.setMachineType':
        return this.setMachineType(project, zone, instance, ctx);
      case 'compute.instances.setLabels':
        return this.setLabels(project, zone, instance, ctx);
      case 'compute.zoneOperations.get':
      case 'compute.zoneOperations.wait':
        return this.operation(project, zone, ctx.params.operation ?? '', ctx.operation.endsWith('wait'));
      case 'compute.zones.list':
        return this.catalogList('compute#zoneList', `${projectLink(project)}/zones`, allZones().map((z) => renderZone(project, z)), ctx.query);
      case 'compute.zones.get': {
        const missing = this.findZone(project, zone);
        return missing ?? ok(renderZone(project, zone));
      }
      case 'compute.regions.list':
        return this.catalogList('compute#regionList', `${projectLink(project)}/regions`, CATALOG_REGIONS.map((r) => renderRegion(project, r)), ctx.query);
      case 'compute.regions.get': {
        const region = CATALOG_REGIONS.find((r) => r.name === ctx.params.region);
        return region ? ok(renderRegion(project, region)) : notFound(`projects/${project}/regions/${ctx.params.region ?? ''}`);
      }
      case 'compute.machineTypes.list': {
        const missing = this.findZone(project, zone);
        if (missing) return missing;
        const types = CATALOG_MACHINE_TYPES.map((t) => renderMachineType(project, zone, t));
        return this.catalogList('compute#machineTypeList', `${zoneLink(project, zone)}/machineTypes`, types, ctx.query);
      }
      case 'compute.machineTypes.get': {
        const type = findMachineType(ctx.params.machineType ?? '');
        const missing = this.findZone(project, zone);
        if (missing) return missing;
        return type
          ? ok(renderMachineType(project, zone, type))
          : notFound(`projects/${project}/zones/${zone}/machineTypes/${ctx.params.machineType ?? ''}`);
      }
      case 'compute.images.list': {
        const images = CATALOG_IMAGES.filter((image) => image.project === project).map(renderImage);
        return this.catalogList('compute#imageList', `${projectLink(project)}/global/images`, images, ctx.query);
      }
      case 'compute.images.get': {
        const image = CATALOG_IMAGES.find((i) => i.project === project && i.name === ctx.params.image);
        return image ? ok(renderImage(image)) : notFound(`projects/${project}/global/images/${ctx.params.image ?? ''}`);
      }
      default:
        return apiError(400, 'invalid', `Method ${ctx.operation} is not supported by this emulator`);
    }
  }

  // ---- lists -----------------------------------------------------------------------------------

  private catalogList(kind: string, selfLink: string, items: Record<string, unknown>[], query: Record<string, string>): WireReply {
    const size = pageSizeFor(query.maxResults, this.options.maxPageSize);
    if (isWireError(size)) return size;
    const page = pageAfter(items, (item) => String(item.name), query.pageToken, size);
    if (isWireError(page)) return page;
    return ok(listBody(kind, selfLink.replace(/^https:\/\/www\.googleapis\.com\/compute\/v1\//, ''), selfLink, page.items, page.nextPageToken));
  }

  private list(project: string, zone: string, query: Record<string, string>): WireReply {
    const missing = this.findZone(project, zone);
    if (missing) return missing;
    const size = pageSizeFor(query.maxResults, this.options.maxPageSize);
    if (isWireError(size)) return size;
    this.settle();
    const page = pageAfter(this.zoneInstances(project, zone), (vm) => vm.name, query.pageToken, size);
    if (isWireError(page)) return page;
    const selfLink = `${zoneLink(project, zone)}/instances`;
    const items = page.items.map((vm) => renderInstance(project, vm));
    return ok(listBody('compute#instanceList', `projects/${project}/zones/${zone}/instances`, selfLink, items, page.nextPageToken));
  }

  private aggregatedList(project: string, query: Record<string, string>): WireReply {
    const size = pageSizeFor(query.maxResults, this.options.maxPageSize);
    if (isWireError(size)) return size;
    this.settle();
    const zones = [...allZones()].sort();
    const all = zones.flatMap((zone) => this.zoneInstances(project, zone));
    const page = pageAfter(all, (vm) => `${vm.zone}/${vm.name}`, query.pageToken, size);
    if (isWireError(page)) return page;
    const items: Record<string, unknown> = {};
    for (const zone of zones) {
      const scope = `zones/${zone}`;
      const instances = page.items.filter((vm) => vm.zone === zone).map((vm) => renderInstance(project, vm));
      items[scope] =
        instances.length > 0
          ? { instances }
          : {
              warning: {
                code: 'NO_RESULTS_ON_PAGE',
                data: [{ key: 'scope', value: scope }],
                message: `There are no results for scope '${scope}' on this page.`,
              },
            };
    }
    const body: Record<string, unknown> = {
      kind: 'compute#instanceAggregatedList',
      id: `projects/${project}/aggregated/instances`,
      items,
      selfLink: `${projectLink(project)}/aggregated/instances`,
    };
    if (page.nextPageToken) body.nextPageToken = page.nextPageToken;
    return ok(body);
  }

  // ---- mutations -------------------------------------------------------------------------------

  private insert(project: string, zone: string, ctx: CallContext): WireReply {
    const missingZone = this.findZone(project, zone);
    if (missingZone) return missingZone;
    const now = this.options.clock.now();
    const requestId = ctx.query.requestId;
    if (requestId !== undefined) {
      if (!UUID_PATTERN.test(requestId) || requestId === ZERO_UUID) {
        return invalidField(
          'requestId',
          requestId,
          'The request id must be a valid UUID with the exception that zero UUID is not supported (00000000-0000-0000-0000-000000000000).',
        );
      }
      const seen = this.state.requestIds[`${project}/${requestId.toLowerCase()}`];
      const earlier = seen && now - seen.at <= this.options.requestIdWindowMs ? this.state.operations[seen.operationKey] : undefined;
      if (earlier) return ok(renderOperation(project, earlier, now));
    }

    const resource = asRecord(ctx.body);
    const name = typeof resource.name === 'string' ? resource.name : '';
    if (!NAME_PATTERN.test(name)) {
      return invalidField('resource.name', name, "Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?|[1-9][0-9]{0,19})'");
    }
    const machineTypeRef = typeof resource.machineType === 'string' ? resource.machineType : '';
    const machineType = findMachineType(lastSegment(machineTypeRef));
    if (!machineType) {
      return invalidField('resource.machineType', machineTypeRef, `Machine type with name '${lastSegment(machineTypeRef)}' does not exist in zone '${zone}'.`);
    }
    const disks = Array.isArray(resource.disks) ? resource.disks.map(asRecord) : [];
    const bootDisk = disks.find((disk) => disk.boot === true) ?? disks[0];
    if (!bootDisk) return apiError(400, 'required', 'Invalid value for field \'resource.disks\': \'\'. Boot disk must be specified.');
    const sourceImage = String(asRecord(bootDisk.initializeParams).sourceImage ?? '');
    const image = resolveImage(sourceImage);
    if (!image) return notFound(sourceImage.replace(/^https:\/\/[^/]+\/compute\/v1\//, ''));
    const labels = asRecord(resource.labels);
    for (const [key, value] of Object.entries(labels)) {
      if (!LABEL_KEY_PATTERN.test(key) || typeof value !== 'string' || !LABEL_VALUE_PATTERN.test(value)) {
        return invalidField(
          'resource.labels',
          '',
          `Label value '${String(value)}' violates format constraints. The value can only contain lowercase letters, numeric characters, underscores and dashes. The value can be at most 63 characters long. International characters are allowed.`,
        );
      }
    }
    this.settle(now);
    if (this.state.instances[instanceKey(project, zone, name)]) {
      return apiError(409, 'alreadyExists', `The resource 'projects/${project}/zones/${zone}/instances/${name}' already exists`);
    }

    const t = this.options.transitionMs;
    const id = this.nextId();
    let op: OperationRecord;
    if (ctx.quotaFault || this.exceedsCpuQuota(project, zone, machineType.guestCpus)) {
      // GCE accepts the insert and fails its Operation with QUOTA_EXCEEDED; no instance is made.
      op = this.newOperation(project, zone, 'insert', { name, id }, ctx.caller.email, Math.max(1, Math.round(t / 2)));
      const region = regionOfZone(zone)?.name ?? zone;
      op.error = quotaOperationError(region).errors;
      op.httpErrorStatusCode = 403;
      op.httpErrorMessage = 'FORBIDDEN';
    } else {
      const nics = Array.isArray(resource.networkInterfaces) ? resource.networkInterfaces.map(asRecord) : [];
      const wantsExternalIp = nics.some((nic) => Array.isArray(nic.accessConfigs) && nic.accessConfigs.length > 0);
      const serial = this.state.nextId;
      const vm: InstanceRecord = {
        id,
        name,
        zone,
        machineType: machineType.name,
        labels: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)])),
        status: 'PROVISIONING',
        sourceImage: `projects/${image.project}/global/images/${image.name}`,
        networkIP: `10.128.${(serial >> 8) & 255}.${serial & 255}`,
        createdAt: now,
        steps: [],
      };
      if (typeof resource.description === 'string') vm.description = resource.description;
      if (wantsExternalIp) vm.natIP = `34.${(serial >> 16) & 255}.${(serial >> 8) & 255}.${serial & 255}`;
      this.addInstance(project, vm);
      this.schedule(project, vm, [
        { at: now + t, status: 'STAGING' },
        { at: now + 2 * t, status: 'RUNNING' },
      ]);
      op = this.newOperation(project, zone, 'insert', { name, id }, ctx.caller.email, 2 * t);
    }
    if (requestId !== undefined) {
      this.state.requestIds[`${project}/${requestId.toLowerCase()}`] = { operationKey: instanceKey(project, zone, op.name), at: now };
    }
    this.options.onChange();
    return ok(renderOperation(project, op, now));
  }

  /** The regional CPUS quota: vCPUs of the project's instances holding compute (not TERMINATED). */
  private exceedsCpuQuota(project: string, zone: string, addCpus: number): boolean {
    const limit = this.options.vcpuLimit;
    if (limit === undefined) return false;
    const region = regionOfZone(zone)?.name;
    let used = 0;
    for (const [key, vm] of Object.entries(this.state.instances)) {
      if (!key.startsWith(`${project}/`) || regionOfZone(vm.zone)?.name !== region || vm.status === 'TERMINATED') continue;
      used += findMachineType(vm.machineType)?.guestCpus ?? 0;
    }
    return used + addCpus > limit;
  }

  private powerAction(project: string, zone: string, name: string, ctx: CallContext): WireReply {
    const vm = this.findInstance(project, zone, name);
    if (isWireError(vm)) return vm;
    const now = this.options.clock.now();
    const t = this.options.transitionMs;
    const type = ctx.operation.slice('compute.instances.'.length);
    const target = { name: vm.name, id: vm.id };
    const notReady = () => apiError(400, 'resourceNotReady', `The resource 'projects/${project}/zones/${zone}/instances/${name}' is not ready`);
    const settledAt = () => vm.steps[vm.steps.length - 1]?.at ?? now;
    const quick = Math.max(1, Math.round(t / 2));

    if (vm.deleting) {
      if (type !== 'delete') return notReady();
      const op = this.newOperation(project, zone, type, target, ctx.caller.email, Math.max(1, settledAt() - now));
      return ok(renderOperation(project, op, now));
    }
    let steps: InstanceRecord['steps'] | undefined;
    let duration = quick;
    const active: InstanceStatus[] = ['PROVISIONING', 'STAGING', 'RUNNING'];
    switch (type) {
      case 'start':
        if (vm.status === 'STOPPING') return notReady();
        if (vm.status === 'TERMINATED') {
          vm.status = 'STAGING';
          steps = [{ at: now + t, status: 'RUNNING' }];
          duration = t;
        } else {
          duration = Math.max(quick, settledAt() - now);
        }
        break;
      case 'stop':
        if (active.includes(vm.status)) {
          vm.status = 'STOPPING';
          steps = [{ at: now + t, status: 'TERMINATED' }];
          duration = t;
        } else {
          duration = Math.max(quick, settledAt() - now);
        }
        break;
      case 'reset':
        if (vm.status !== 'RUNNING') return notReady();
        steps = [{ at: now + t, status: 'RUNNING' }];
        duration = t;
        break;
      case 'delete':
        vm.deleting = true;
        if (vm.status !== 'TERMINATED') vm.status = 'STOPPING';
        steps = [{ at: now + t, remove: true }];
        duration = t;
        break;
    }
    if (steps) this.schedule(project, vm, steps);
    const op = this.newOperation(project, zone, type, target, ctx.caller.email, duration);
    this.options.onChange();
    return ok(renderOperation(project, op, now));
  }

  private setMachineType(project: string, zone: string, name: string, ctx: CallContext): WireReply {
    const vm = this.findInstance(project, zone, name);
    if (isWireError(vm)) return vm;
    const ref = String(asRecord(ctx.body).machineType ?? '');
    const type = findMachineType(lastSegment(ref));
    if (!type) return invalidField('machineType', ref, `Machine type with name '${lastSegment(ref)}' does not exist in zone '${zone}'.`);
    const now = this.options.clock.now();
    const t = this.options.transitionMs;
    const op = this.newOperation(project, zone, 'setMachineType', { name: vm.name, id: vm.id }, ctx.caller.email, t);
    if (vm.status !== 'TERMINATED' || vm.deleting) {
      // GCE accepts the call and fails the Operation (see libcloud's setMachineType_notstopped).
      op.error = [{ code: 'RESOURCE_NOT_READY', message: `The resource 'projects/${project}/zones/${zone}/instances/${name}' is not ready` }];
      op.httpErrorStatusCode = 400;
      op.httpErrorMessage = 'BAD REQUEST';
    } else {
      this.schedule(project, vm, [{ at: now + t, machineType: type.name }]);
    }
    this.options.onChange();
    return ok(renderOperation(project, op, now));
  }

  private setLabels(project: string, zone: string, name: string, ctx: CallContext): WireReply {
    const vm = this.findInstance(project, zone, name);
    if (isWireError(vm)) return vm;
    const body = asRecord(ctx.body);
    const current = renderInstance(project, vm).labelFingerprint;
    if (body.labelFingerprint !== current) {
      return apiError(412, 'conditionNotMet', 'Labels fingerprint either invalid or resource labels have changed', { statusText: 'FAILED_PRECONDITION' });
    }
    const labels = asRecord(body.labels);
    vm.labels = Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)]));
    const op = this.newOperation(project, zone, 'setLabels', { name: vm.name, id: vm.id }, ctx.caller.email, 1);
    this.options.onChange();
    return ok(renderOperation(project, op, this.options.clock.now()));
  }

  // ---- operations ------------------------------------------------------------------------------

  private operation(project: string, zone: string, name: string, wait: boolean): WireReply | Promise<WireReply> {
    const op = this.state.operations[instanceKey(project, zone, name)];
    if (!op) return notFound(`projects/${project}/zones/${zone}/operations/${name}`);
    const now = this.options.clock.now();
    if (!wait || operationStatus(op, now) === 'DONE') return ok(renderOperation(project, op, now));
    // Like GCE, hold the call until the operation is done or the cap passes (real time), and
    // look again before answering: the clock may have been held or advanced meanwhile.
    const giveUpAt = Date.now() + this.options.waitCapMs;
    return new Promise((resolve) => {
      const check = () => {
        this.settle();
        const current = this.options.clock.now();
        if (operationStatus(op, current) === 'DONE' || Date.now() >= giveUpAt) {
          resolve(ok(renderOperation(project, op, current)));
          return;
        }
        const delay = Math.max(1, Math.min(op.doneAt - current, giveUpAt - Date.now(), 50));
        const timer = setTimeout(() => {
          this.waits.delete(timer);
          check();
        }, delay);
        this.waits.add(timer);
      };
      check();
    });
  }

  close(): void {
    for (const timer of this.waits) clearTimeout(timer);
    this.waits.clear();
  }

  // ---- seeding ---------------------------------------------------------------------------------

  seed(project: string, region: string, count: number, prefix: string, createdAt?: Date): void {
    const zones = CATALOG_REGIONS.find((r) => r.name === region)?.zones;
    if (!zones) throw new Error(`Unknown region ${region}; known: ${CATALOG_REGIONS.map((r) => r.name).join(', ')}`);
    const now = createdAt?.getTime() ?? this.options.clock.now();
    for (let i = 0; i < count; i++) {
      const id = this.nextId();
      const serial = this.state.nextId;
      const type = CATALOG_MACHINE_TYPES[serial % CATALOG_MACHINE_TYPES.length]!;
      this.addInstance(project, {
        id,
        name: `${prefix}-${serial.toString(36).padStart(6, '0')}`,
        zone: zones[i % zones.length]!,
        machineType: type.name,
        labels: { env: 'seeded' },
        status: 'RUNNING',
        networkIP: `10.132.${(serial >> 8) & 255}.${serial & 255}`,
        createdAt: now,
        lastStartAt: now,
        steps: [],
      });
    }
    this.options.onChange();
  }
}

function listBody(kind: string, id: string, selfLink: string, items: unknown[], nextPageToken: string | undefined) {
  const body: Record<string, unknown> = { kind, id };
  // GCE leaves `items` out entirely when a page is empty.
  if (items.length > 0) body.items = items;
  if (nextPageToken) body.nextPageToken = nextPageToken;
  body.selfLink = selfLink;
  return body;
}

/** Resolve `projects/P/global/images/NAME`, `.../images/family/FAMILY` or a full URL. */
function resolveImage(ref: string) {
  const match = /(?:^|\/)projects\/([^/]+)\/global\/images\/(family\/)?([^/]+)$/.exec(ref);
  if (!match) return undefined;
  const [, project, family, name] = match;
  if (!PUBLIC_IMAGE_PROJECTS.has(project ?? '')) return undefined;
  const candidates = CATALOG_IMAGES.filter((image) => image.project === project && !image.deprecatedBy);
  return family ? candidates.find((image) => image.family === name) : CATALOG_IMAGES.find((i) => i.project === project && i.name === name);
}

