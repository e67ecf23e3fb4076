// EC2 Query API actions the emulator implements. Each handler reads the expanded query input and
// returns the XML body of `<{Action}Response>`; failures throw Ec2ApiError, rendered by the server
// as EC2's `<Response><Errors><Error>` envelope.
import { createHash } from 'node:crypto';
import {
  EC2_NAMESPACE,
  INSTANCE_STATE_CODES,
  INSTANCE_TYPES,
  REGIONS,
  SANDBOX_ACCOUNT,
  imagesOf,
  instanceTypeInfo,
  zonesOf,
  type InstanceStateName,
} from './catalog';
import { asString, asStruct, asList, filtersOf, stringList, type QueryStruct } from './query';
import { Ec2Store, hexId, privateIpFor, type InstanceRecord } from './state';
import { renderDocument, type XmlElements, type XmlValue } from './xml';

export class Ec2ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Ec2Request {
  action: string;
  region: string;
  /** The flat form parameters (for fingerprints and simple look-ups). */
  params: Record<string, string>;
  input: QueryStruct;
  requestId: string;
}

export interface Ec2Limits {
  maxPageSize: number;
  /** Running+pending vCPUs allowed per region (the "Running On-Demand Standard instances" quota). */
  vcpuLimit: number;
}

const invalidParameter = (message: string) => new Ec2ApiError(400, 'InvalidParameterValue', message);
const missingParameter = (name: string) =>
  new Ec2ApiError(400, 'MissingParameter', `The request must contain the parameter ${name}`);

function respond(request: Ec2Request, body: XmlElements): string {
  return renderDocument(`${request.action}Response`, EC2_NAMESPACE, { requestId: request.requestId, ...body });
}

function stateXml(state: InstanceStateName): XmlElements {
  return { code: INSTANCE_STATE_CODES[state], name: state };
}

function publicDns(ip: string | undefined, region: string): string | null {
  return ip ? `ec2-${ip.replace(/\./g, '-')}.${region === 'us-east-1' ? 'compute-1' : `${region}.compute`}.amazonaws.com` : null;
}

function defaultSecurityGroup(vpcId: string): XmlElements {
  return { groupId: `sg-${vpcId.slice(4)}`, groupName: 'default' };
}

/** The primary network interface every VPC instance has (eth0), as RunInstances/DescribeInstances show it. */
function primaryInterfaceXml(instance: InstanceRecord, securityGroup: XmlElements): XmlElements {
  const suffix = instance.instanceId.slice(2);
  return {
    networkInterfaceId: `eni-${suffix}`,
    subnetId: instance.subnetId,
    vpcId: instance.vpcId,
    description: null,
    ownerId: SANDBOX_ACCOUNT.accountId,
    status: 'in-use',
    privateIpAddress: instance.privateIp,
    privateDnsName: `ip-${instance.privateIp.replace(/\./g, '-')}.${instance.region}.compute.internal`,
    sourceDestCheck: true,
    groupSet: [securityGroup],
    attachment: {
      attachmentId: `eni-attach-${suffix}`,
      deviceIndex: 0,
      status: instance.state === 'pending' ? 'attaching' : 'attached',
      attachTime: instance.launchTime,
      deleteOnTermination: true,
    },
    association: instance.publicIp
      ? { publicIp: instance.publicIp, publicDnsName: publicDns(instance.publicIp, instance.region), ipOwnerId: 'amazon' }
      : undefined,
    interfaceType: 'interface',
  };
}

export function instanceXml(instance: InstanceRecord): XmlElements {
  const type = instanceTypeInfo(instance.instanceType);
  const image = imagesOf(instance.region).find((i) => i.imageId === instance.imageId);
  const tags = Object.entries(instance.tags);
  const securityGroup = defaultSecurityGroup(instance.vpcId);
  return {
    instanceId: instance.instanceId,
    imageId: instance.imageId,
    instanceState: stateXml(instance.state),
    privateDnsName: `ip-${instance.privateIp.replace(/\./g, '-')}.${instance.region}.compute.internal`,
    dnsName: publicDns(instance.publicIp, instance.region),
    reason: instance.transitionReason || null,
    amiLaunchIndex: 0,
    productCodes: [],
    instanceType: instance.instanceType,
    launchTime: instance.launchTime,
    placement: { availabilityZone: instance.zone, groupName: null, tenancy: 'default' },
    platform: image?.platform,
    monitoring: { state: 'disabled' },
    subnetId: instance.subnetId,
    vpcId: instance.vpcId,
    privateIpAddress: instance.privateIp,
    ipAddress: instance.publicIp,
    sourceDestCheck: true,
    groupSet: [securityGroup],
    stateReason: instance.stateReason,
    architecture: 'x86_64',
    rootDeviceType: 'ebs',
    rootDeviceName: '/dev/xvda',
    blockDeviceMapping: [
      {
        deviceName: '/dev/xvda',
        ebs: {
          volumeId: `vol-${instance.instanceId.slice(2)}`,
          status: 'attached',
          attachTime: instance.launchTime,
          deleteOnTermination: true,
        },
      },
    ],
    virtualizationType: 'hvm',
    clientToken: instance.clientToken || null,
    tagSet: tags.length ? tags.map(([key, value]) => ({ key, value })) : undefined,
    hypervisor: 'xen',
    networkInterfaceSet: [primaryInterfaceXml(instance, securityGroup)],
    ebsOptimized: false,
    cpuOptions: type ? { coreCount: type.cores, threadsPerCore: type.vcpus / type.cores } : undefined,
    platformDetails: image?.platformDetails ?? 'Linux/UNIX',
  };
}

function reservationsXml(instances: InstanceRecord[]): XmlValue[] {
  const reservations: { id: string; instances: InstanceRecord[] }[] = [];
  for (const instance of instances) {
    const last = reservations[reservations.length - 1];
    if (last && last.id === instance.reservationId) last.instances.push(instance);
    else reservations.push({ id: instance.reservationId, instances: [instance] });
  }
  return reservations.map((r) => ({
    reservationId: r.id,
    ownerId: SANDBOX_ACCOUNT.accountId,
    // EC2-Classic listed security groups per reservation; VPC-era responses still carry the element.
    groupSet: [defaultSecurityGroup(r.instances[0]!.vpcId)],
    instancesSet: r.instances.map(instanceXml),
  }));
}

/** `*` and `?` are EC2 filter wildcards; a backslash escapes them. */
export function wildcardMatch(pattern: string, value: string): boolean {
  let regex = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) regex += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (ch === '*') regex += '.*';
    else if (ch === '?') regex += '.';
    else regex += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${regex}$`, 's').test(value);
}

function instanceFilterValues(instance: InstanceRecord, name: string): string[] {
  if (name.startsWith('tag:')) {
    const value = instance.tags[name.slice(4)];
    return value === undefined ? [] : [value];
  }
  switch (name) {
    case 'instance-state-name':
      return [instance.state];
    case 'instance-state-code':
      return [String(INSTANCE_STATE_CODES[instance.state])];
    case 'instance-id':
      return [instance.instanceId];
    case 'client-token':
      return instance.clientToken ? [instance.clientToken] : [];
    case 'instance-type':
      return [instance.instanceType];
    case 'availability-zone':
      return [instance.zone];
    case 'image-id':
      return [instance.imageId];
    case 'reservation-id':
      return [instance.reservationId];
    case 'private-ip-address':
      return [instance.privateIp];
    case 'subnet-id':
      return [instance.subnetId];
    case 'vpc-id':
      return [instance.vpcId];
    case 'tag-key':
      return Object.keys(instance.tags);
    case 'tag-value':
      return Object.values(instance.tags);
    default:
      throw invalidParameter(`The filter '${name}' is invalid`);
  }
}

const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;

function requireInstances(store: Ec2Store, request: Ec2Request, ids: string[]): InstanceRecord[] {
  if (ids.length === 0) throw missingParameter('InstanceId');
  const malformed = ids.find((id) => !INSTANCE_ID.test(id));
  if (malformed) throw new Ec2ApiError(400, 'InvalidInstanceID.Malformed', `Invalid id: "${malformed}"`);
  const found = ids.map((id) => [id, store.get(id, request.region)] as const);
  const missing = found.filter(([, instance]) => !instance).map(([id]) => id);
  if (missing.length === 1) throw new Ec2ApiError(400, 'InvalidInstanceID.NotFound', `The instance ID '${missing[0]}' does not exist`);
  if (missing.length > 1) throw new Ec2ApiError(400, 'InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`);
  return found.map(([, instance]) => instance!);
}

interface PageCursor {
  after: number;
}

export function encodePageToken(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify({ v: 1, ...cursor })).toString('base64url');
}

export function decodePageToken(token: string): PageCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (parsed && typeof parsed === 'object' && 'v' in parsed && parsed.v === 1 && 'after' in parsed && typeof parsed.after === 'number') {
      return { after: parsed.after };
    }
  } catch {
    // fall through to the EC2 error below
  }
  throw new Ec2ApiError(400, 'InvalidPaginationToken', 'The specified pagination token is not valid or is expired.');
}

function pageSize(request: Ec2Request, limits: Ec2Limits, { min, max, parameter }: { min: number; max: number; parameter: string }): number | undefined {
  const raw = asString(request.input.MaxResults);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(`Value ( ${raw} ) for parameter ${parameter} is invalid. Expecting a value between ${min} and ${max}.`);
  }
  return Math.min(value, limits.maxPageSize);
}

function describeInstances(store: Ec2Store, request: Ec2Request, limits: Ec2Limits): string {
  const ids = stringList(request.input.InstanceId);
  const maxResults = pageSize(request, limits, { min: 5, max: 1000, parameter: 'maxResults' });
  if (ids.length > 0 && maxResults !== undefined) {
    throw new Ec2ApiError(400, 'InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
  }
  const filters = filtersOf(request.input);
  const token = asString(request.input.NextToken);
  const after = token ? decodePageToken(token).after : 0;
  const candidates = ids.length > 0 ? requireInstances(store, request, ids) : [...store.inRegion(request.region)];
  const limit = maxResults ?? (ids.length > 0 ? Number.POSITIVE_INFINITY : limits.maxPageSize);
  const page: InstanceRecord[] = [];
  let more = false;
  for (const instance of candidates) {
    if (instance.seq <= after) continue;
    if (!filters.every((f) => instanceFilterValues(instance, f.name).some((v) => f.values.some((p) => wildcardMatch(p, v))))) continue;
    if (page.length >= limit) {
      more = true;
      break;
    }
    page.push(instance);
  }
  const last = page[page.length - 1];
  return respond(request, {
    reservationSet: reservationsXml(page),
    nextToken: more && last ? encodePageToken({ after: last.seq }) : undefined,
  });
}

/** One `Tag.N.Key` / `Tag.N.Value` pair, validated as EC2 does. */
function validTag(tag: QueryStruct | undefined, parameter: string): [string, string] {
  const key = asString(tag?.Key);
  if (!key) throw missingParameter(`${parameter}.Key`);
  const value = asString(tag?.Value) ?? '';
  if (key.length > 128) throw invalidParameter(`Tag key exceeds the maximum length of 128 characters`);
  if (value.length > 256) throw invalidParameter(`Tag value exceeds the maximum length of 256 characters`);
  if (key.toLowerCase().startsWith('aws:')) throw invalidParameter(`Tag keys starting with 'aws:' are reserved for internal use`);
  return [key, value];
}

/** CreateTags: adds or overwrites the given tags on each resource; other tags stay (a merge). */
function createTags(store: Ec2Store, request: Ec2Request): string {
  const ids = stringList(request.input.ResourceId);
  if (ids.length === 0) throw missingParameter('ResourceId');
  const tags = asList(request.input.Tag).map((entry) => validTag(asStruct(entry), 'Tag.N'));
  if (tags.length === 0) throw missingParameter('Tag');
  // Only instances are modelled; other resource ids are refused like unknown instance ids.
  const instances = requireInstances(store, request, ids);
  for (const instance of instances) {
    const merged = { ...instance.tags, ...Object.fromEntries(tags) };
    if (Object.keys(merged).length > 50) throw new Ec2ApiError(400, 'TagLimitExceeded', 'The maximum number of tags per resource is 50');
  }
  for (const instance of instances) instance.tags = { ...instance.tags, ...Object.fromEntries(tags) };
  store.changed();
  return respond(request, { return: true });
}

function tagSpecifications(input: QueryStruct): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const entry of asList(input.TagSpecification)) {
    const spec = asStruct(entry);
    if (!spec) continue;
    const resourceType = asString(spec.ResourceType);
    if (!resourceType) throw missingParameter('TagSpecification.N.ResourceType');
    if (resourceType !== 'instance') continue; // volume / network-interface tags are not modelled
    for (const tagEntry of asList(spec.Tag)) {
      const [key, value] = validTag(asStruct(tagEntry), 'TagSpecification.N.Tag.N');
      tags[key] = value;
    }
  }
  if (Object.keys(tags).length > 50) throw new Ec2ApiError(400, 'TagLimitExceeded', 'The maximum number of tags per resource is 50');
  return tags;
}

/** What "same parameters" means for ClientToken: every request parameter except the token itself. */
export function runInstancesFingerprint(params: Record<string, string>): string {
  const relevant = Object.entries(params)
    .filter(([k]) => !['Action', 'Version', 'ClientToken', 'DryRun'].includes(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex');
}

function runInstances(store: Ec2Store, request: Ec2Request, limits: Ec2Limits): string {
  const input = request.input;
  const clientToken = asString(input.ClientToken) ?? '';
  if (clientToken.length > 64) throw invalidParameter('Value for parameter clientToken is invalid: it exceeds 64 characters');
  if (clientToken) {
    const previous = store.token(request.region, clientToken);
    if (previous) {
      if (previous.fingerprint !== runInstancesFingerprint(request.params)) {
        throw new Ec2ApiError(400, 'IdempotentParameterMismatch', 'Arguments on this idempotent request are inconsistent with arguments used in previous request(s).');
      }
      const instances = previous.instanceIds.flatMap((id) => store.get(id, request.region) ?? []);
      return respond(request, {
        reservationId: previous.reservationId,
        ownerId: SANDBOX_ACCOUNT.accountId,
        groupSet: [],
        instancesSet: instances.map(instanceXml),
      });
    }
  }
  const imageId = asString(input.ImageId);
  if (!imageId) throw missingParameter('ImageId');
  const minCount = Number(asString(input.MinCount));
  const maxCount = Number(asString(input.MaxCount));
  if (!asString(input.MinCount)) throw missingParameter('MinCount');
  if (!asString(input.MaxCount)) throw missingParameter('MaxCount');
  if (!Number.isInteger(minCount) || !Number.isInteger(maxCount) || minCount < 1 || maxCount < minCount) {
    throw invalidParameter('Invalid value for MinCount/MaxCount');
  }
  const instanceType = asString(input.InstanceType) ?? 'm1.small';
  const typeInfo = instanceTypeInfo(instanceType);
  if (!typeInfo) throw invalidParameter(`Invalid value '${instanceType}' for InstanceType.`);
  if (!/^ami-[0-9a-f]{8,17}$/.test(imageId)) throw new Ec2ApiError(400, 'InvalidAMIID.Malformed', `Invalid id: "${imageId}" (expecting "ami-...")`);
  if (!imagesOf(request.region).some((i) => i.imageId === imageId)) {
    throw new Ec2ApiError(400, 'InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
  }
  const zones = zonesOf(request.region);
  const requestedZone = asString(asStruct(input.Placement)?.AvailabilityZone);
  if (requestedZone && !zones.includes(requestedZone)) throw invalidParameter(`Invalid availability zone: [${requestedZone}]`);
  const tags = tagSpecifications(input);
  const vcpusOf = (type: string) => instanceTypeInfo(type)?.vcpus ?? 2;
  const used = store.liveVcpus(request.region, vcpusOf);
  const count = Math.min(maxCount, Math.floor((limits.vcpuLimit - used) / typeInfo.vcpus));
  if (count < minCount) {
    throw new Ec2ApiError(
      400,
      'VcpuLimitExceeded',
      `You have requested more vCPU capacity than your current vCPU limit of ${limits.vcpuLimit} allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.`,
    );
  }
  if (asString(input.DryRun) === 'true') throw dryRun();

  const reservationId = hexId('r');
  const subnetId = asString(input.SubnetId) ?? `subnet-${request.region.replace(/[^a-z0-9]/g, '').slice(0, 8)}0a`;
  const launchTime = new Date().toISOString().replace(/\.\d{3}Z$/, '.000Z');
  const created: InstanceRecord[] = [];
  for (let n = 0; n < count; n++) {
    const seq = store.nextSeq();
    // Without a requested zone EC2 picks one; spread by the creation order.
    const zone = requestedZone ?? zones[seq % zones.length]!;
    const instance: InstanceRecord = {
      instanceId: hexId('i'),
      reservationId,
      region: request.region,
      zone,
      instanceType,
      imageId,
      state: 'pending',
      stateReason: { code: 'pending', message: 'pending' },
      transitionReason: '',
      launchTime,
      clientToken,
      tags: { ...tags },
      privateIp: privateIpFor(seq),
      publicIp: publicIpFor(seq),
      subnetId,
      vpcId: `vpc-${request.region.replace(/[^a-z0-9]/g, '').slice(0, 8)}01`,
      seq,
    };
    store.add(instance);
    store.transition(instance, 'pending', 'running');
    created.push(instance);
  }
  if (clientToken) {
    store.rememberToken({
      region: request.region,
      token: clientToken,
      fingerprint: runInstancesFingerprint(request.params),
      reservationId,
      instanceIds: created.map((i) => i.instanceId),
    });
  }
  return respond(request, {
    reservationId,
    ownerId: SANDBOX_ACCOUNT.accountId,
    groupSet: [],
    instancesSet: created.map(instanceXml),
  });
}

function publicIpFor(seq: number): string {
  return `54.${200 + (Math.floor(seq / 62500) % 50)}.${Math.floor(seq / 250) % 250}.${(seq % 250) + 1}`;
}

export function dryRun(): Ec2ApiError {
  return new Ec2ApiError(412, 'DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
}

function userInitiated(): string {
  return `User initiated (${new Date().toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' GMT')})`;
}

type StateChange = (instance: InstanceRecord, store: Ec2Store) => void;

function changeStates(store: Ec2Store, request: Ec2Request, setName: string, change: StateChange): string {
  const instances = requireInstances(store, request, stringList(request.input.InstanceId));
  const items = instances.map((instance) => {
    const previous = instance.state;
    change(instance, store);
    return { instanceId: instance.instanceId, currentState: stateXml(instance.state), previousState: stateXml(previous) };
  });
  return respond(request, { [setName]: items });
}

const incorrectState = (instance: InstanceRecord, verb: string) =>
  new Ec2ApiError(400, 'IncorrectInstanceState', `The instance '${instance.instanceId}' is not in a state from which it can be ${verb}.`);

const startInstance: StateChange = (instance, store) => {
  if (instance.state === 'running' || instance.state === 'pending') return;
  if (instance.state !== 'stopped') throw incorrectState(instance, 'started');
  instance.publicIp = publicIpFor(instance.seq + 7);
  instance.transitionReason = '';
  instance.stateReason = undefined;
  store.transition(instance, 'pending', 'running');
};

const stopInstance: StateChange = (instance, store) => {
  if (instance.state === 'stopped' || instance.state === 'stopping') return;
  if (instance.state !== 'running') throw incorrectState(instance, 'stopped');
  instance.publicIp = undefined;
  instance.transitionReason = userInitiated();
  instance.stateReason = { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' };
  store.transition(instance, 'stopping', 'stopped');
};

const terminateInstance: StateChange = (instance, store) => {
  if (instance.state === 'terminated' || instance.state === 'shutting-down') return;
  instance.publicIp = undefined;
  instance.transitionReason = userInitiated();
  instance.stateReason = { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' };
  store.transition(instance, 'shutting-down', 'terminated');
};

function rebootInstances(store: Ec2Store, request: Ec2Request): string {
  const instances = requireInstances(store, request, stringList(request.input.InstanceId));
  // EC2 keeps a rebooting instance in `running`; it only refuses ones that are not running.
  const notRunning = instances.find((i) => i.state !== 'running');
  if (notRunning) throw incorrectState(notRunning, 'rebooted');
  return respond(request, { return: true });
}

function modifyInstanceAttribute(store: Ec2Store, request: Ec2Request): string {
  const instanceId = asString(request.input.InstanceId);
  if (!instanceId) throw missingParameter('InstanceId');
  const [instance] = requireInstances(store, request, [instanceId]);
  const newType =
    asString(asStruct(request.input.InstanceType)?.Value) ??
    (asString(request.input.Attribute) === 'instanceType' ? asString(request.input.Value) : undefined);
  if (!newType) throw new Ec2ApiError(400, 'UnsupportedOperation', 'The emulator supports only the instanceType attribute.');
  if (!instanceTypeInfo(newType)) throw invalidParameter(`Invalid value '${newType}' for InstanceType.`);
  if (instance!.state !== 'stopped') {
    throw new Ec2ApiError(400, 'IncorrectInstanceState', `The instance '${instance!.instanceId}' is not in the 'stopped' state.`);
  }
  instance!.instanceType = newType;
  store.changed();
  return respond(request, { return: true });
}

function describeRegions(request: Ec2Request): string {
  const all = asString(request.input.AllRegions) === 'true';
  const names = stringList(request.input.RegionName);
  const unknown = names.find((n) => !REGIONS.some((r) => r.name === n));
  if (unknown) throw new Ec2ApiError(400, 'InvalidParameterValue', `Invalid region: ${unknown}`);
  const filters = filtersOf(request.input);
  const regions = REGIONS.filter((r) => (all || names.length > 0 || r.optInStatus !== 'not-opted-in') && (names.length === 0 || names.includes(r.name))).filter((r) =>
    filters.every((f) => {
      const value = f.name === 'region-name' ? r.name : f.name === 'opt-in-status' ? r.optInStatus : f.name === 'endpoint' ? `ec2.${r.name}.amazonaws.com` : undefined;
      if (value === undefined) throw invalidParameter(`The filter '${f.name}' is invalid`);
      return f.values.some((p) => wildcardMatch(p, value));
    }),
  );
  return respond(request, {
    regionInfo: regions.map((r) => ({ regionName: r.name, regionEndpoint: `ec2.${r.name}.amazonaws.com`, optInStatus: r.optInStatus })),
  });
}

function describeAvailabilityZones(request: Ec2Request): string {
  const zones = zonesOf(request.region);
  const wanted = stringList(request.input.ZoneName);
  return respond(request, {
    availabilityZoneInfo: zones
      .filter((z) => wanted.length === 0 || wanted.includes(z))
      .map((zone, index) => ({
        zoneName: zone,
        optInStatus: 'opt-in-not-required',
        groupName: request.region,
        networkBorderGroup: request.region,
        zoneType: 'availability-zone',
        zoneState: 'available',
        regionName: request.region,
        messageSet: [],
        zoneId: `${request.region.split('-').map((p) => p[0]).join('')}${request.region.at(-1)}-az${index + 1}`,
      })),
  });
}

function describeInstanceTypes(request: Ec2Request, limits: Ec2Limits): string {
  const wanted = stringList(request.input.InstanceType);
  const unknown = wanted.find((w) => !instanceTypeInfo(w));
  if (unknown) throw invalidParameter(`The following supplied instance types do not exist: [${unknown}]`);
  const maxResults = pageSize(request, limits, { min: 5, max: 100, parameter: 'maxResults' }) ?? 100;
  const token = asString(request.input.NextToken);
  const start = token ? decodePageToken(token).after : 0;
  const matching = INSTANCE_TYPES.filter((t) => wanted.length === 0 || wanted.includes(t.name));
  const page = matching.slice(start, start + maxResults);
  return respond(request, {
    instanceTypeSet: page.map((t) => ({
      instanceType: t.name,
      currentGeneration: true,
      freeTierEligible: t.freeTier,
      supportedUsageClasses: ['on-demand', 'spot'],
      supportedRootDeviceTypes: ['ebs'],
      supportedVirtualizationTypes: ['hvm'],
      bareMetal: false,
      hypervisor: 'nitro',
      processorInfo: { supportedArchitectures: ['x86_64'], sustainedClockSpeedInGhz: 3.1 },
      vCpuInfo: { defaultVCpus: t.vcpus, defaultCores: t.cores, defaultThreadsPerCore: t.vcpus / t.cores },
      memoryInfo: { sizeInMiB: t.memoryMiB },
      instanceStorageSupported: false,
      burstablePerformanceSupported: t.burstable,
    })),
    nextToken: start + maxResults < matching.length ? encodePageToken({ after: start + maxResults }) : undefined,
  });
}

function describeImages(request: Ec2Request): string {
  const owners = stringList(request.input.Owner);
  const ids = stringList(request.input.ImageId);
  const filters = filtersOf(request.input);
  const images = imagesOf(request.region).filter((image) => {
    if (ids.length > 0 && !ids.includes(image.imageId)) return false;
    if (owners.length > 0 && !owners.some((o) => o === image.ownerId || o === image.ownerAlias || (o === 'self' && image.ownerId === SANDBOX_ACCOUNT.accountId))) {
      return false;
    }
    return filters.every((f) => {
      const value =
        f.name === 'name' ? image.name : f.name === 'state' ? 'available' : f.name === 'image-id' ? image.imageId : f.name === 'platform' ? (image.platform ?? '') : f.name === 'owner-alias' ? (image.ownerAlias ?? '') : undefined;
      if (value === undefined) throw invalidParameter(`The filter '${f.name}' is invalid`);
      return f.values.some((p) => wildcardMatch(p, value));
    });
  });
  if (ids.length > 0 && images.length === 0) {
    throw new Ec2ApiError(400, 'InvalidAMIID.NotFound', `The image id '[${ids.join(', ')}]' does not exist`);
  }
  return respond(request, {
    imagesSet: images.map((image) => ({
      imageId: image.imageId,
      imageLocation: `${image.ownerAlias ?? image.ownerId}/${image.name}`,
      imageState: 'available',
      imageOwnerId: image.ownerId,
      creationDate: image.creationDate,
      isPublic: image.ownerAlias === 'amazon',
      architecture: 'x86_64',
      imageType: 'machine',
      platform: image.platform,
      platformDetails: image.platformDetails,
      imageOwnerAlias: image.ownerAlias,
      name: image.name,
      description: image.description,
      rootDeviceType: 'ebs',
      rootDeviceName: '/dev/xvda',
      virtualizationType: 'hvm',
      hypervisor: 'xen',
    })),
  });
}

export const EC2_ACTIONS = [
  'DescribeRegions',
  'DescribeAvailabilityZones',
  'DescribeInstanceTypes',
  'DescribeImages',
  'RunInstances',
  'DescribeInstances',
  'StartInstances',
  'StopInstances',
  'RebootInstances',
  'TerminateInstances',
  'ModifyInstanceAttribute',
  'CreateTags',
] as const;

export function handleEc2Action(store: Ec2Store, request: Ec2Request, limits: Ec2Limits): string {
  // RunInstances checks DryRun after validating, as EC2 does; the other actions have nothing to validate first.
  if (request.action !== 'RunInstances' && asString(request.input.DryRun) === 'true' && (EC2_ACTIONS as readonly string[]).includes(request.action)) {
    throw dryRun();
  }
  switch (request.action) {
    case 'DescribeRegions':
      return describeRegions(request);
    case 'DescribeAvailabilityZones':
      return describeAvailabilityZones(request);
    case 'DescribeInstanceTypes':
      return describeInstanceTypes(request, limits);
    case 'DescribeImages':
      return describeImages(request);
    case 'RunInstances':
      return runInstances(store, request, limits);
    case 'DescribeInstances':
      return describeInstances(store, request, limits);
    case 'StartInstances':
      return changeStates(store, request, 'instancesSet', startInstance);
    case 'StopInstances':
      return changeStates(store, request, 'instancesSet', stopInstance);
    case 'TerminateInstances':
      return changeStates(store, request, 'instancesSet', terminateInstance);
    case 'RebootInstances':
      return rebootInstances(store, request);
    case 'ModifyInstanceAttribute':
      return modifyInstanceAttribute(store, request);
    case 'CreateTags':
      return createTags(store, request);
    default:
      throw new Ec2ApiError(400, 'InvalidAction', `The action ${request.action} is not valid for this web service.`);
  }
}
