// Azure Resource Manager routes: Compute virtual machines (+ sizes, images, operations), Network
// interfaces and subnets, subscription locations. Each route knows its ARM operationId, which is
// what faults and recorded requests are keyed by.
import { randomBytes, randomUUID } from 'node:crypto';
import { findImageOffer, findLocation, findSize, IMAGE_OFFERS, LOCATIONS, normalizeLocation, SIZES } from './catalog';
import {
  armError,
  invalidParameter,
  operationNotAllowed,
  quotaExceeded,
  resourceGroupNotFound,
  resourceNotFound,
  subscriptionNotFound,
  type ArmErrorResponse,
} from './cloud-errors';
import { nicKeyFromId, resourceKey, type ArmState, type AsyncOperation, type PowerState, type VmRecord } from './state';
import * as views from './views';

export interface ArmResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialized as JSON; `undefined` sends an empty body. */
  body?: unknown;
}

export interface VirtualNetwork {
  resourceGroup: string;
  name: string;
  location: string;
  addressPrefix: string;
  subnets: string[];
}

export interface ArmContext {
  state: ArmState;
  baseUrl: string;
  subscriptionId: string;
  resourceGroups: Set<string>;
  virtualNetworks: VirtualNetwork[];
  transitionMs: number;
  maxPageSize: number;
  /** Total Regional vCPUs allowed per location for allocated VMs; undefined = no limit. */
  vcpuLimit?: number;
}

export interface ArmRequest {
  method: string;
  segments: string[];
  query: URLSearchParams;
  body: string;
}

export interface ArmRoute {
  operation: string;
  handle: (ctx: ArmContext, req: ArmRequest) => ArmResponse;
}

const COMPUTE_API_VERSION = '2026-04-01';

function fromError(error: ArmErrorResponse): ArmResponse {
  return { status: error.status, headers: error.headers, body: error.body };
}

const lower = (s: string | undefined) => (s ?? '').toLowerCase();

/** Match ARM paths case-insensitively on the fixed segments, as ARM does. */
export function routeArm(method: string, segments: string[]): ArmRoute | undefined {
  const s = segments;
  if (lower(s[0]) !== 'subscriptions' || s.length < 3) return undefined;
  const m = method.toUpperCase();
  // /subscriptions/{sub}/locations
  if (s.length === 3 && lower(s[2]) === 'locations' && m === 'GET') return { operation: 'Subscriptions_ListLocations', handle: listLocations };
  if (lower(s[2]) === 'providers') return routeSubscriptionProvider(m, s);
  if (lower(s[2]) === 'resourcegroups' && lower(s[4]) === 'providers') {
    const namespace = lower(s[5]);
    if (namespace === 'microsoft.compute' && lower(s[6]) === 'virtualmachines') return routeVm(m, s);
    if (namespace === 'microsoft.network') return routeNetwork(m, s);
  }
  return undefined;
}

function routeSubscriptionProvider(m: string, s: string[]): ArmRoute | undefined {
  const namespace = lower(s[3]);
  // /subscriptions/{sub}/providers/Microsoft.Compute/virtualMachines
  if (namespace === 'microsoft.compute' && s.length === 5 && lower(s[4]) === 'virtualmachines' && m === 'GET') {
    return { operation: 'VirtualMachines_ListAll', handle: (ctx, req) => listVms(ctx, req, undefined) };
  }
  if (lower(s[4]) !== 'locations' || s.length < 7) return undefined;
  const loc = s[5]!;
  const what = lower(s[6]);
  if (what === 'operations' && s.length === 8 && m === 'GET') {
    return { operation: 'AsyncOperations_Get', handle: (ctx, req) => operationStatus(ctx, req, s[7]!) };
  }
  if (namespace !== 'microsoft.compute' || m !== 'GET') return undefined;
  if (what === 'virtualmachines' && s.length === 7) {
    return { operation: 'VirtualMachines_ListByLocation', handle: (ctx, req) => listVms(ctx, req, loc) };
  }
  if (what === 'vmsizes' && s.length === 7) return { operation: 'VirtualMachineSizes_List', handle: (ctx) => listSizes(ctx, loc) };
  if (what === 'publishers') {
    if (s.length === 7) return { operation: 'VirtualMachineImages_ListPublishers', handle: (ctx) => listPublishers(ctx, loc) };
    if (s.length === 11 && lower(s[8]) === 'artifacttypes' && lower(s[10]) === 'offers') {
      return { operation: 'VirtualMachineImages_ListOffers', handle: (ctx) => listOffers(ctx, loc, s[7]!) };
    }
    if (s.length === 13 && lower(s[12]) === 'skus') {
      return { operation: 'VirtualMachineImages_ListSkus', handle: (ctx) => listSkus(ctx, loc, s[7]!, s[11]!) };
    }
  }
  return undefined;
}

function routeVm(m: string, s: string[]): ArmRoute | undefined {
  const rg = s[3]!;
  if (s.length === 7 && m === 'GET') return { operation: 'VirtualMachines_List', handle: (ctx, req) => listVms(ctx, req, undefined, rg) };
  const name = s[7];
  if (!name) return undefined;
  if (s.length === 8) {
    if (m === 'GET') return { operation: 'VirtualMachines_Get', handle: (ctx, req) => getVm(ctx, req, rg, name) };
    if (m === 'PUT') return { operation: 'VirtualMachines_CreateOrUpdate', handle: (ctx, req) => putVm(ctx, req, rg, name) };
    if (m === 'PATCH') return { operation: 'VirtualMachines_Update', handle: (ctx, req) => patchVm(ctx, req, rg, name) };
    if (m === 'DELETE') return { operation: 'VirtualMachines_Delete', handle: (ctx) => deleteVm(ctx, rg, name) };
    return undefined;
  }
  const action = lower(s[8]);
  if (s.length !== 9) return undefined;
  if (m === 'GET' && action === 'instanceview') return { operation: 'VirtualMachines_InstanceView', handle: (ctx) => vmInstanceView(ctx, rg, name) };
  if (m === 'GET' && action === 'vmsizes') return { operation: 'VirtualMachines_ListAvailableSizes', handle: (ctx) => availableSizes(ctx, rg, name) };
  if (m !== 'POST') return undefined;
  if (action === 'start') return { operation: 'VirtualMachines_Start', handle: (ctx) => powerAction(ctx, rg, name, 'start') };
  if (action === 'poweroff') return { operation: 'VirtualMachines_PowerOff', handle: (ctx) => powerAction(ctx, rg, name, 'powerOff') };
  if (action === 'deallocate') return { operation: 'VirtualMachines_Deallocate', handle: (ctx) => powerAction(ctx, rg, name, 'deallocate') };
  if (action === 'restart') return { operation: 'VirtualMachines_Restart', handle: (ctx) => powerAction(ctx, rg, name, 'restart') };
  return undefined;
}

function routeNetwork(m: string, s: string[]): ArmRoute | undefined {
  const rg = s[3]!;
  const type = lower(s[6]);
  const name = s[7];
  if (!name) return undefined;
  if (type === 'networkinterfaces' && s.length === 8) {
    if (m === 'GET') return { operation: 'NetworkInterfaces_Get', handle: (ctx) => getNic(ctx, rg, name) };
    if (m === 'PUT') return { operation: 'NetworkInterfaces_CreateOrUpdate', handle: (ctx, req) => putNic(ctx, req, rg, name) };
    if (m === 'DELETE') return { operation: 'NetworkInterfaces_Delete', handle: (ctx) => deleteNic(ctx, rg, name) };
  }
  if (type === 'virtualnetworks' && m === 'GET') {
    if (s.length === 8) return { operation: 'VirtualNetworks_Get', handle: (ctx) => getVnet(ctx, rg, name) };
    if (s.length === 10 && lower(s[8]) === 'subnets') return { operation: 'Subnets_Get', handle: (ctx) => getSubnet(ctx, rg, name, s[9]!) };
  }
  return undefined;
}

/** Subscription and resource group checks every resource route goes through first. */
export function checkScope(ctx: ArmContext, segments: string[]): ArmResponse | undefined {
  const subscriptionId = segments[1] ?? '';
  if (subscriptionId.toLowerCase() !== ctx.subscriptionId.toLowerCase()) return fromError(subscriptionNotFound(subscriptionId));
  if (lower(segments[2]) === 'resourcegroups') {
    const rg = segments[3] ?? '';
    if (!ctx.resourceGroups.has(rg.toLowerCase())) return fromError(resourceGroupNotFound(rg));
  }
  return undefined;
}

// ---------------------------------------------------------------- catalog

function listLocations(ctx: ArmContext): ArmResponse {
  return { status: 200, body: { value: LOCATIONS.map((l) => views.location(ctx, l)) } };
}

function unknownLocation(loc: string): ArmResponse {
  return fromError(
    armError(404, 'NoRegisteredProviderFound', `No registered resource provider found for location '${loc}' and API version '${COMPUTE_API_VERSION}' for type 'locations'.`),
  );
}

function listSizes(_ctx: ArmContext, loc: string): ArmResponse {
  if (!findLocation(loc)) return unknownLocation(loc);
  return { status: 200, body: { value: SIZES.map(views.vmSize) } };
}

function imageResourceId(ctx: ArmContext, loc: string, ...parts: string[]): string {
  const [publisher, offer, sku] = parts;
  let id = `/Subscriptions/${ctx.subscriptionId}/Providers/Microsoft.Compute/Locations/${normalizeLocation(loc)}/Publishers/${publisher}`;
  if (offer) id += `/ArtifactTypes/VMImage/Offers/${offer}`;
  if (sku) id += `/Skus/${sku}`;
  return id;
}

function listPublishers(ctx: ArmContext, loc: string): ArmResponse {
  if (!findLocation(loc)) return unknownLocation(loc);
  const publishers = [...new Set(IMAGE_OFFERS.map((o) => o.publisher))];
  return { status: 200, body: publishers.map((p) => ({ name: p, location: normalizeLocation(loc), id: imageResourceId(ctx, loc, p) })) };
}

function listOffers(ctx: ArmContext, loc: string, publisher: string): ArmResponse {
  if (!findLocation(loc)) return unknownLocation(loc);
  const offers = IMAGE_OFFERS.filter((o) => o.publisher.toLowerCase() === publisher.toLowerCase());
  if (offers.length === 0) return fromError(armError(404, 'NotFound', `Artifact: VMImage was not found.`));
  return { status: 200, body: offers.map((o) => ({ name: o.offer, location: normalizeLocation(loc), id: imageResourceId(ctx, loc, o.publisher, o.offer) })) };
}

function listSkus(ctx: ArmContext, loc: string, publisher: string, offer: string): ArmResponse {
  if (!findLocation(loc)) return unknownLocation(loc);
  const found = findImageOffer(publisher, offer);
  if (!found) return fromError(armError(404, 'NotFound', `Artifact: VMImage was not found.`));
  return {
    status: 200,
    body: found.skus.map((sku) => ({ name: sku, location: normalizeLocation(loc), id: imageResourceId(ctx, loc, found.publisher, found.offer, sku) })),
  };
}

// ---------------------------------------------------------------- long-running operations

function operationUrls(ctx: ArmContext, op: AsyncOperation) {
  const base = `${ctx.baseUrl}/subscriptions/${ctx.subscriptionId}/providers/${op.namespace}/locations/${op.location}/operations/${op.id}`;
  const apiVersion = op.namespace === 'Microsoft.Compute' ? COMPUTE_API_VERSION : '2026-01-01';
  return { asyncOperation: `${base}?api-version=${apiVersion}`, location: `${base}?monitor=true&api-version=${apiVersion}` };
}

/** Seconds until the operation should be polled again; 0 below one second, as ARM rounds. */
function retryAfterSeconds(ctx: ArmContext, op: AsyncOperation): string {
  return String(Math.max(0, Math.floor((op.completeAt - ctx.state.clock.now()) / 1000)));
}

function lroHeaders(ctx: ArmContext, op: AsyncOperation, withLocation: boolean): Record<string, string> {
  const urls = operationUrls(ctx, op);
  const headers: Record<string, string> = {
    'azure-asyncoperation': urls.asyncOperation,
    'azure-asyncnotification': 'Enabled',
    'retry-after': retryAfterSeconds(ctx, op),
    'x-ms-request-id': op.id,
  };
  if (withLocation) headers.location = urls.location;
  return headers;
}

function operationStatus(ctx: ArmContext, req: ArmRequest, id: string): ArmResponse {
  const op = ctx.state.operations.get(id);
  if (!op) return fromError(armError(404, 'OperationNotFound', `The operation '${id}' could not be found.`));
  const monitor = req.query.get('monitor') === 'true';
  if (monitor) {
    // The Location URL: 202 while running, then the operation's (empty) result.
    if (op.status === 'InProgress') return { status: 202, headers: { location: operationUrls(ctx, op).location, 'retry-after': retryAfterSeconds(ctx, op) } };
    return { status: 200 };
  }
  const body: Record<string, unknown> = { startTime: op.startTime, status: op.status, name: op.id };
  if (op.endTime) body.endTime = op.endTime;
  return { status: 200, headers: op.status === 'InProgress' ? { 'retry-after': retryAfterSeconds(ctx, op) } : {}, body };
}

// ---------------------------------------------------------------- virtual machines

function findVm(ctx: ArmContext, rg: string, name: string): VmRecord | undefined {
  return ctx.state.vms.get(resourceKey(rg, name));
}

function getVm(ctx: ArmContext, req: ArmRequest, rg: string, name: string): ArmResponse {
  const vm = findVm(ctx, rg, name);
  if (!vm) return fromError(resourceNotFound('Microsoft.Compute/virtualMachines', name, rg));
  const expand = lower(req.query.get('$expand') ?? undefined);
  return { status: 200, body: views.virtualMachine(ctx, vm, { withInstanceView: expand === 'instanceview' }) };
}

function vmInstanceView(ctx: ArmContext, rg: string, name: string): ArmResponse {
  const vm = findVm(ctx, rg, name);
  if (!vm) return fromError(resourceNotFound('Microsoft.Compute/virtualMachines', name, rg));
  return { status: 200, body: views.instanceView(vm) };
}

function availableSizes(ctx: ArmContext, rg: string, name: string): ArmResponse {
  const vm = findVm(ctx, rg, name);
  if (!vm) return fromError(resourceNotFound('Microsoft.Compute/virtualMachines', name, rg));
  return { status: 200, body: { value: SIZES.map(views.vmSize) } };
}

interface PageToken {
  after: number;
}

function encodePageToken(token: PageToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodePageToken(raw: string | null): PageToken | null {
  if (!raw) return { after: 0 };
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<PageToken>;
    return typeof parsed.after === 'number' ? { after: parsed.after } : null;
  } catch {
    return null;
  }
}

/** ListAll / ListByLocation / List (by resource group), paged with an opaque `$skiptoken` in `nextLink`. */
function listVms(ctx: ArmContext, req: ArmRequest, location: string | undefined, resourceGroup?: string): ArmResponse {
  const token = decodePageToken(req.query.get('$skiptoken'));
  if (!token) return fromError(invalidParameter('$skiptoken', 'The provided skip token is not valid.'));
  const wantedLocation = location ? normalizeLocation(location) : undefined;
  const wantedGroup = resourceGroup?.toLowerCase();
  const withStatus = lower(req.query.get('statusOnly') ?? undefined) === 'true';
  const page: VmRecord[] = [];
  let more = false;
  for (const vm of ctx.state.vms.values()) {
    if (vm.seq <= token.after) continue;
    if (wantedLocation && vm.location !== wantedLocation) continue;
    if (wantedGroup && vm.resourceGroup.toLowerCase() !== wantedGroup) continue;
    if (page.length === ctx.maxPageSize) {
      more = true;
      break;
    }
    page.push(vm);
  }
  const body: Record<string, unknown> = { value: page.map((vm) => views.virtualMachine(ctx, vm, { withInstanceView: withStatus })) };
  const last = page[page.length - 1];
  if (more && last) {
    const next = new URLSearchParams(req.query);
    next.set('api-version', req.query.get('api-version') ?? COMPUTE_API_VERSION);
    next.set('$skiptoken', encodePageToken({ after: last.seq }));
    body.nextLink = `${ctx.baseUrl}/${req.segments.join('/')}?${next.toString()}`;
  }
  return { status: 200, body };
}

interface VmPutBody {
  location?: string;
  tags?: Record<string, string>;
  zones?: string[];
  properties?: {
    hardwareProfile?: { vmSize?: string };
    storageProfile?: {
      imageReference?: { publisher?: string; offer?: string; sku?: string; version?: string };
      osDisk?: { name?: string; deleteOption?: string; managedDisk?: { storageAccountType?: string } };
    };
    osProfile?: {
      computerName?: string;
      adminUsername?: string;
      adminPassword?: string;
      linuxConfiguration?: { ssh?: { publicKeys?: unknown[] }; disablePasswordAuthentication?: boolean };
    };
    networkProfile?: { networkInterfaces?: { id?: string; properties?: { primary?: boolean; deleteOption?: string }; primary?: boolean }[] };
  };
}

function parseJson<T>(text: string): T | ArmResponse {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as T;
  } catch (error) {
    return fromError(
      armError(400, 'InvalidRequestContent', `The request content was invalid and could not be deserialized: '${error instanceof Error ? error.message : String(error)}'.`),
    );
  }
}

const isResponse = (v: unknown): v is ArmResponse => typeof v === 'object' && v !== null && 'status' in v && typeof (v as ArmResponse).status === 'number';

const VM_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}[a-zA-Z0-9_]$|^[a-zA-Z0-9]$/;
const WINDOWS_COMPUTER_NAME = /^(?![0-9]+$)[a-zA-Z0-9-]{1,15}$/;

function putVm(ctx: ArmContext, req: ArmRequest, rg: string, name: string): ArmResponse {
  const parsed = parseJson<VmPutBody>(req.body);
  if (isResponse(parsed)) return parsed;
  if (!VM_NAME.test(name)) {
    return fromError(armError(400, 'InvalidResourceName', `The resource name '${name}' is invalid. It must be 1-64 characters of letters, numbers, '.', '-' or '_', start with a letter or number and end with a letter, number or '_'.`));
  }
  if (!parsed.location) return fromError(armError(400, 'LocationRequired', 'The location property is required for this definition.'));
  const catalogLocation = findLocation(parsed.location);
  if (!catalogLocation) {
    return fromError(
      armError(400, 'LocationNotAvailableForResourceType', `The provided location '${parsed.location}' is not available for resource type 'Microsoft.Compute/virtualMachines'. List of available regions for the resource type is '${LOCATIONS.map((l) => l.name).join(',')}'.`),
    );
  }
  const props = parsed.properties ?? {};
  const sizeName = props.hardwareProfile?.vmSize;
  const existing = findVm(ctx, rg, name);
  if (existing) return updateExistingVm(ctx, existing, parsed);
  if (!sizeName) return fromError(invalidParameter('vmSize', "Required parameter 'hardwareProfile.vmSize' is missing (null)."));
  const size = findSize(sizeName);
  if (!size) return fromError(invalidParameter('vmSize', `The value ${sizeName} provided for the VM size is not valid. The valid sizes in the current region are: ${SIZES.map((s) => s.name).join(',')}.`));
  const image = props.storageProfile?.imageReference;
  if (!image?.publisher || !image.offer || !image.sku) return fromError(invalidParameter('imageReference', "Required parameter 'storageProfile.imageReference' is missing (null)."));
  const offer = findImageOffer(image.publisher, image.offer);
  const version = image.version ?? 'latest';
  if (!offer || !offer.skus.some((s) => s.toLowerCase() === image.sku!.toLowerCase())) {
    return fromError(
      armError(404, 'PlatformImageNotFound', `The platform image '${image.publisher}:${image.offer}:${image.sku}:${version}' is not available. Verify that all fields in the storage profile are correct. For more details about storage profile information, please refer to https://aka.ms/storageprofile`, { target: 'imageReference' }),
    );
  }
  const os = props.osProfile;
  if (!os?.adminUsername) return fromError(invalidParameter('adminUsername', "Required parameter 'adminUsername' is missing (null)."));
  const hasSshKey = (os.linuxConfiguration?.ssh?.publicKeys?.length ?? 0) > 0;
  if (!os.adminPassword && (offer.osType === 'Windows' || !hasSshKey)) {
    return fromError(invalidParameter('adminPassword', "Required parameter 'adminPassword' is missing (null)."));
  }
  const computerName = os.computerName ?? name;
  if (offer.osType === 'Windows' && !WINDOWS_COMPUTER_NAME.test(computerName)) {
    return fromError(invalidParameter('computerName', 'Windows computer name cannot be more than 15 characters long, be entirely numeric, or contain the following characters: ` ~ ! @ # $ % ^ & * ( ) = + _ [ ] { } \\ | ; : . \' " , < > / ?.'));
  }
  const nicRefs = props.networkProfile?.networkInterfaces ?? [];
  if (nicRefs.length === 0) return fromError(invalidParameter('networkProfile', 'At least one network interface or network interface configuration is required to create a virtual machine.'));
  const id = views.vmId(ctx, rg, name);
  for (const ref of nicRefs) {
    const nicKey = ref.id ? nicKeyFromId(ref.id) : undefined;
    const nic = nicKey ? ctx.state.nics.get(nicKey) : undefined;
    if (!nic) {
      return fromError(armError(400, 'InvalidResourceReference', `Resource ${ref.id ?? '(null)'} referenced by resource ${id} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`));
    }
    if (nic.location !== catalogLocation.name) {
      return fromError(armError(400, 'InvalidResourceReference', `Resource ${ref.id} referenced by resource ${id} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`));
    }
    if (nic.virtualMachineId && nic.virtualMachineId.toLowerCase() !== id.toLowerCase()) {
      return fromError(armError(400, 'NicInUse', `Network Interface ${ref.id} is used by existing resource ${nic.virtualMachineId}. In order to use this network interface, it must be dissociated from the resource.`));
    }
  }
  const quota = regionalCoresQuota(ctx, catalogLocation.name, size.numberOfCores);
  if (quota) return fromError(quota);
  const key = resourceKey(rg, name);
  const vm: VmRecord = {
    seq: ctx.state.nextSeq(),
    resourceGroup: rg,
    name,
    location: catalogLocation.name,
    vmId: randomUUID(),
    tags: { ...(parsed.tags ?? {}) },
    vmSize: size.name,
    imageReference: { publisher: offer.publisher, offer: offer.offer, sku: image.sku, version },
    osType: offer.osType,
    computerName,
    adminUsername: os.adminUsername,
    osDiskName: props.storageProfile?.osDisk?.name ?? `${name}_OsDisk_1_${randomBytes(16).toString('hex')}`,
    osDiskDeleteOption: props.storageProfile?.osDisk?.deleteOption === 'Delete' ? 'Delete' : 'Detach',
    storageAccountType: props.storageProfile?.osDisk?.managedDisk?.storageAccountType ?? 'Premium_LRS',
    nics: nicRefs.map((ref, index) => ({
      id: ref.id!,
      primary: ref.properties?.primary ?? ref.primary ?? index === 0,
      deleteOption: ref.properties?.deleteOption === 'Delete' ? 'Delete' : 'Detach',
    })),
    zones: parsed.zones,
    provisioningState: 'Creating',
    powerState: 'starting',
    timeCreated: new Date().toISOString(),
  };
  ctx.state.vms.set(key, vm);
  for (const ref of vm.nics) {
    const nic = ctx.state.nics.get(nicKeyFromId(ref.id)!);
    if (nic) nic.virtualMachineId = id;
  }
  const op = ctx.state.startOperation('Microsoft.Compute', vm.location, ctx.transitionMs, key, {
    kind: 'settle',
    provisioningState: 'Succeeded',
    powerState: 'running',
  });
  ctx.state.scheduleSave();
  return { status: 201, headers: lroHeaders(ctx, op, false), body: views.virtualMachine(ctx, vm) };
}

/** PUT on an existing VM: ARM's idempotent create. Only tags and size may change. */
function updateExistingVm(ctx: ArmContext, vm: VmRecord, body: VmPutBody): ArmResponse {
  if (vm.provisioningState === 'Deleting') return deletingConflict(vm, 'PUT');
  const props = body.properties ?? {};
  if (props.osProfile?.adminPassword !== undefined) {
    return fromError(armError(409, 'PropertyChangeNotAllowed', "Changing property 'osProfile.adminPassword' is not allowed.", { target: 'osProfile.adminPassword' }));
  }
  const image = props.storageProfile?.imageReference;
  if (image && (lower(image.publisher) !== lower(vm.imageReference.publisher) || lower(image.offer) !== lower(vm.imageReference.offer) || lower(image.sku) !== lower(vm.imageReference.sku))) {
    return fromError(armError(409, 'PropertyChangeNotAllowed', "Changing property 'imageReference' is not allowed.", { target: 'imageReference' }));
  }
  if (normalizeLocation(body.location ?? vm.location) !== vm.location) {
    return fromError(armError(409, 'InvalidResourceLocation', `The resource '${vm.name}' already exists in location '${vm.location}' in resource group '${vm.resourceGroup}'. A resource with the same name cannot be created in location '${normalizeLocation(body.location ?? '')}'. Please select a new resource name.`));
  }
  return applyUpdate(ctx, vm, props.hardwareProfile?.vmSize, body.tags);
}

function applyUpdate(ctx: ArmContext, vm: VmRecord, sizeName: string | undefined, tags: Record<string, string> | undefined): ArmResponse {
  if (sizeName) {
    const size = findSize(sizeName);
    if (!size) return fromError(invalidParameter('vmSize', `The value ${sizeName} provided for the VM size is not valid.`));
    vm.vmSize = size.name;
  }
  if (tags) vm.tags = { ...tags };
  const key = resourceKey(vm.resourceGroup, vm.name);
  ctx.state.finishPendingFor(key);
  const finalPower = vm.powerState;
  vm.provisioningState = 'Updating';
  const op = ctx.state.startOperation('Microsoft.Compute', vm.location, ctx.transitionMs, key, {
    kind: 'settle',
    provisioningState: 'Succeeded',
    powerState: finalPower,
  });
  ctx.state.scheduleSave();
  return { status: 200, headers: lroHeaders(ctx, op, false), body: views.virtualMachine(ctx, vm) };
}

function patchVm(ctx: ArmContext, req: ArmRequest, rg: string, name: string): ArmResponse {
  const parsed = parseJson<VmPutBody>(req.body);
  if (isResponse(parsed)) return parsed;
  const vm = findVm(ctx, rg, name);
  if (!vm) return fromError(resourceNotFound('Microsoft.Compute/virtualMachines', name, rg));
  if (vm.provisioningState === 'Deleting') return deletingConflict(vm, 'PATCH');
  return applyUpdate(ctx, vm, parsed.properties?.hardwareProfile?.vmSize, parsed.tags);
}

function deleteVm(ctx: ArmContext, rg: string, name: string): ArmResponse {
  const vm = findVm(ctx, rg, name);
  // ARM answers a DELETE of something that is not there with 204 No Content.
  if (!vm) return { status: 204 };
  const key = resourceKey(rg, name);
  ctx.state.finishPendingFor(key);
  vm.provisioningState = 'Deleting';
  const op = ctx.state.startOperation('Microsoft.Compute', vm.location, ctx.transitionMs, key, { kind: 'remove' });
  ctx.state.scheduleSave();
  return { status: 202, headers: lroHeaders(ctx, op, true) };
}

function deletingConflict(vm: VmRecord, action: string): ArmResponse {
  return fromError(
    operationNotAllowed(`Operation '${action}' is not allowed on VM '${vm.name}' since the VM is marked for deletion. You can only retry the Delete operation (or wait for an ongoing one to complete).`),
  );
}

type PowerAction = 'start' | 'powerOff' | 'deallocate' | 'restart';

function powerAction(ctx: ArmContext, rg: string, name: string, action: PowerAction): ArmResponse {
  const vm = findVm(ctx, rg, name);
  if (!vm) return fromError(resourceNotFound('Microsoft.Compute/virtualMachines', name, rg));
  if (vm.provisioningState === 'Deleting') return deletingConflict(vm, action);
  const key = resourceKey(rg, name);
  ctx.state.finishPendingFor(key);
  const plan = planPowerAction(vm.powerState, action);
  if (plan !== 'not-running' && plan.final === 'running' && vm.powerState === 'deallocated') {
    // Starting a deallocated VM allocates its cores again: the quota applies.
    const quota = regionalCoresQuota(ctx, vm.location, findSize(vm.vmSize)?.numberOfCores ?? 0);
    if (quota) return fromError(quota);
  }
  if (plan === 'not-running') {
    return fromError(operationNotAllowed(`Operation '${action}' is not allowed on VM '${vm.name}' since the VM is not running. Please start the VM and retry.`));
  }
  // Already in the target state: the operation still exists but completes at once.
  if (plan.transient) {
    vm.powerState = plan.transient;
    vm.provisioningState = 'Updating';
  }
  const duration = plan.transient ? ctx.transitionMs : 0;
  const op = ctx.state.startOperation('Microsoft.Compute', vm.location, duration, key, {
    kind: 'settle',
    provisioningState: 'Succeeded',
    powerState: plan.final,
  });
  ctx.state.scheduleSave();
  return { status: 202, headers: lroHeaders(ctx, op, true) };
}

function planPowerAction(current: PowerState, action: PowerAction): { transient?: PowerState; final: PowerState } | 'not-running' {
  const settled: PowerState = current === 'starting' ? 'running' : current === 'stopping' ? 'stopped' : current === 'deallocating' ? 'deallocated' : current;
  switch (action) {
    case 'start':
      return settled === 'running' ? { final: 'running' } : { transient: 'starting', final: 'running' };
    case 'powerOff':
      if (settled === 'stopped' || settled === 'deallocated') return { final: settled };
      return { transient: 'stopping', final: 'stopped' };
    case 'deallocate':
      return settled === 'deallocated' ? { final: 'deallocated' } : { transient: 'deallocating', final: 'deallocated' };
    case 'restart':
      return settled === 'running' ? { transient: 'starting', final: 'running' } : 'not-running';
  }
}

// ---------------------------------------------------------------- network

function getNic(ctx: ArmContext, rg: string, name: string): ArmResponse {
  const nic = ctx.state.nics.get(resourceKey(rg, name));
  if (!nic) return fromError(resourceNotFound('Microsoft.Network/networkInterfaces', name, rg));
  return { status: 200, body: views.networkInterface(ctx, nic) };
}

interface NicPutBody {
  location?: string;
  tags?: Record<string, string>;
  properties?: { ipConfigurations?: { name?: string; properties?: { subnet?: { id?: string } } }[] };
}

function findSubnet(ctx: ArmContext, subnetId: string): VirtualNetwork | undefined {
  const match = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/virtualNetworks\/([^/]+)\/subnets\/([^/]+)$/i.exec(subnetId);
  if (!match) return undefined;
  const [, rg, vnetName, subnet] = match as unknown as [string, string, string, string];
  return ctx.virtualNetworks.find(
    (v) => v.resourceGroup.toLowerCase() === rg.toLowerCase() && v.name.toLowerCase() === vnetName.toLowerCase() && v.subnets.some((s) => s.toLowerCase() === subnet.toLowerCase()),
  );
}

function putNic(ctx: ArmContext, req: ArmRequest, rg: string, name: string): ArmResponse {
  const parsed = parseJson<NicPutBody>(req.body);
  if (isResponse(parsed)) return parsed;
  if (!parsed.location) return fromError(armError(400, 'LocationRequired', 'The location property is required for this definition.'));
  const loc = findLocation(parsed.location);
  if (!loc) return fromError(armError(400, 'LocationNotAvailableForResourceType', `The provided location '${parsed.location}' is not available for resource type 'Microsoft.Network/networkInterfaces'.`));
  const id = views.nicId(ctx, rg, name);
  const subnetId = parsed.properties?.ipConfigurations?.[0]?.properties?.subnet?.id;
  if (!subnetId) return fromError(armError(400, 'InvalidRequestFormat', `Cannot parse the request. Network interface ${id} must have at least one IP configuration with a subnet.`));
  const vnet = findSubnet(ctx, subnetId);
  if (!vnet || vnet.location !== loc.name) {
    return fromError(armError(400, 'InvalidResourceReference', `Resource ${subnetId} referenced by resource ${id} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`));
  }
  const key = resourceKey(rg, name);
  const existing = ctx.state.nics.get(key);
  if (existing) {
    existing.tags = { ...(parsed.tags ?? existing.tags) };
  } else {
    ctx.state.nics.set(key, {
      resourceGroup: rg,
      name,
      location: loc.name,
      subnetId,
      privateIPAddress: ctx.state.nextPrivateIp(),
      macAddress: randomBytes(6).toString('hex').toUpperCase().match(/../g)!.join('-'),
      tags: { ...(parsed.tags ?? {}) },
    });
  }
  // Network RP finishes NIC writes almost at once, but still answers with an async operation.
  const op = ctx.state.startOperation('Microsoft.Network', loc.name, 0);
  ctx.state.scheduleSave();
  const urls = operationUrls(ctx, op);
  return {
    status: existing ? 200 : 201,
    headers: { 'azure-asyncoperation': urls.asyncOperation, 'retry-after': '0', 'x-ms-request-id': op.id },
    body: views.networkInterface(ctx, ctx.state.nics.get(key)!),
  };
}

function deleteNic(ctx: ArmContext, rg: string, name: string): ArmResponse {
  const key = resourceKey(rg, name);
  const nic = ctx.state.nics.get(key);
  if (!nic) return { status: 204 };
  if (nic.virtualMachineId && ctx.state.vms.has(nicVmKey(nic.virtualMachineId))) {
    return fromError(armError(400, 'NicInUse', `Network Interface ${views.nicId(ctx, rg, name)} is used by existing resource ${nic.virtualMachineId}. In order to delete the network interface, it must be dissociated from the resource. To learn more, see aka.ms/deletenic.`));
  }
  ctx.state.nics.delete(key);
  const op = ctx.state.startOperation('Microsoft.Network', nic.location, 0);
  ctx.state.scheduleSave();
  const urls = operationUrls(ctx, op);
  return { status: 202, headers: { 'azure-asyncoperation': urls.asyncOperation, location: urls.location, 'retry-after': '0' } };
}

function nicVmKey(vmArmId: string): string {
  const match = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)$/i.exec(vmArmId);
  return match ? resourceKey(match[1]!, match[2]!) : '';
}

function getVnet(ctx: ArmContext, rg: string, name: string): ArmResponse {
  const vnet = ctx.virtualNetworks.find((v) => v.resourceGroup.toLowerCase() === rg.toLowerCase() && v.name.toLowerCase() === name.toLowerCase());
  if (!vnet) return fromError(resourceNotFound('Microsoft.Network/virtualNetworks', name, rg));
  const id = `/subscriptions/${ctx.subscriptionId}/resourceGroups/${vnet.resourceGroup}/providers/Microsoft.Network/virtualNetworks/${vnet.name}`;
  return {
    status: 200,
    body: {
      name: vnet.name,
      id,
      type: 'Microsoft.Network/virtualNetworks',
      location: vnet.location,
      properties: {
        provisioningState: 'Succeeded',
        addressSpace: { addressPrefixes: [vnet.addressPrefix] },
        subnets: vnet.subnets.map((s) => subnetBody(ctx, vnet, s)),
      },
    },
  };
}

function subnetBody(ctx: ArmContext, vnet: VirtualNetwork, subnet: string) {
  const id = `/subscriptions/${ctx.subscriptionId}/resourceGroups/${vnet.resourceGroup}/providers/Microsoft.Network/virtualNetworks/${vnet.name}/subnets/${subnet}`;
  const ipConfigurations = [...ctx.state.nics.values()]
    .filter((n) => n.subnetId.toLowerCase() === id.toLowerCase())
    .map((n) => ({ id: `${views.nicId(ctx, n.resourceGroup, n.name)}/ipConfigurations/ipconfig1` }));
  return {
    name: subnet,
    id,
    etag: 'W/"00000000-0000-0000-0000-000000000002"',
    type: 'Microsoft.Network/virtualNetworks/subnets',
    properties: { addressPrefix: vnet.addressPrefix, provisioningState: 'Succeeded', ipConfigurations },
  };
}

function getSubnet(ctx: ArmContext, rg: string, vnetName: string, subnet: string): ArmResponse {
  const vnet = ctx.virtualNetworks.find((v) => v.resourceGroup.toLowerCase() === rg.toLowerCase() && v.name.toLowerCase() === vnetName.toLowerCase());
  if (!vnet) return fromError(resourceNotFound('Microsoft.Network/virtualNetworks', vnetName, rg));
  const name = vnet.subnets.find((s) => s.toLowerCase() === subnet.toLowerCase());
  if (!name) return fromError(resourceNotFound('Microsoft.Network/virtualNetworks/subnets', `${vnetName}/${subnet}`, rg));
  return { status: 200, body: subnetBody(ctx, vnet, name) };
}

/**
 * The Compute RP's Total Regional vCPUs check: cores of allocated VMs (everything not
 * deallocated) in the location plus the new ones must fit the limit.
 */
function regionalCoresQuota(ctx: ArmContext, location: string, addCores: number): ArmErrorResponse | undefined {
  if (ctx.vcpuLimit === undefined) return undefined;
  let used = 0;
  for (const vm of ctx.state.vms.values()) {
    if (vm.location === location && vm.powerState !== 'deallocated') used += findSize(vm.vmSize)?.numberOfCores ?? 0;
  }
  return used + addCores > ctx.vcpuLimit ? quotaExceeded(location, 'Total Regional') : undefined;
}
