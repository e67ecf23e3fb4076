// JSON bodies exactly as Compute Engine v1 renders them (field names and kinds from the discovery
// document; selfLinks on www.googleapis.com like the real API still returns).
import {
  CATALOG_REGIONS,
  catalogId,
  regionOfZone,
  type CatalogImage,
  type CatalogMachineType,
  type CatalogRegion,
} from './catalog';
import { operationStatus, type InstanceRecord, type OperationRecord } from './state';

export const SELF_LINK_BASE = 'https://www.googleapis.com/compute/v1';

export const projectLink = (project: string) => `${SELF_LINK_BASE}/projects/${project}`;
export const zoneLink = (project: string, zone: string) => `${projectLink(project)}/zones/${zone}`;
export const regionLink = (project: string, region: string) => `${projectLink(project)}/regions/${region}`;
export const instanceLink = (project: string, zone: string, name: string) =>
  `${zoneLink(project, zone)}/instances/${name}`;

/** GCE timestamps are RFC 3339 in Pacific time; UTC with an explicit offset is equally valid. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '-00:00');
}

/** A short fingerprint that changes when the value does (GCE returns base64 of 8 bytes). */
function fingerprint(value: unknown): string {
  let hash = 0xcbf29ce484222325n;
  for (const ch of JSON.stringify(value)) hash = ((hash ^ BigInt(ch.charCodeAt(0))) * 0x100000001b3n) & 0xffffffffffffffffn;
  return Buffer.from(hash.toString(16).padStart(16, '0'), 'hex').toString('base64');
}

export function renderInstance(project: string, vm: InstanceRecord): Record<string, unknown> {
  const body: Record<string, unknown> = {
    kind: 'compute#instance',
    id: vm.id,
    creationTimestamp: rfc3339(vm.createdAt),
    name: vm.name,
    tags: { fingerprint: fingerprint([]) },
    machineType: `${zoneLink(project, vm.zone)}/machineTypes/${vm.machineType}`,
    status: vm.status,
    zone: zoneLink(project, vm.zone),
    canIpForward: false,
    networkInterfaces: [
      {
        kind: 'compute#networkInterface',
        network: `${projectLink(project)}/global/networks/default`,
        subnetwork: `${regionLink(project, regionOfZone(vm.zone)?.name ?? '')}/subnetworks/default`,
        networkIP: vm.networkIP,
        name: 'nic0',
        ...(vm.natIP
          ? {
              accessConfigs: [
                {
                  kind: 'compute#accessConfig',
                  type: 'ONE_TO_ONE_NAT',
                  name: 'External NAT',
                  ...(vm.status === 'RUNNING' ? { natIP: vm.natIP } : {}),
                  networkTier: 'PREMIUM',
                },
              ],
            }
          : {}),
        fingerprint: fingerprint(vm.networkIP),
        stackType: 'IPV4_ONLY',
      },
    ],
    disks: [
      {
        kind: 'compute#attachedDisk',
        type: 'PERSISTENT',
        mode: 'READ_WRITE',
        source: `${zoneLink(project, vm.zone)}/disks/${vm.name}`,
        deviceName: 'persistent-disk-0',
        index: 0,
        boot: true,
        autoDelete: true,
        interface: 'SCSI',
        diskSizeGb: '10',
        architecture: 'X86_64',
      },
    ],
    metadata: { kind: 'compute#metadata', fingerprint: fingerprint({}) },
    selfLink: instanceLink(project, vm.zone, vm.name),
    scheduling: { onHostMaintenance: 'MIGRATE', automaticRestart: true, preemptible: false, provisioningModel: 'STANDARD' },
    cpuPlatform: vm.status === 'RUNNING' ? 'Intel Broadwell' : 'Unknown CPU Platform',
    labelFingerprint: fingerprint(vm.labels),
    startRestricted: false,
    deletionProtection: false,
    fingerprint: fingerprint([vm.machineType, vm.status, vm.labels]),
  };
  if (vm.description !== undefined) body.description = vm.description;
  if (Object.keys(vm.labels).length > 0) body.labels = { ...vm.labels };
  if (vm.lastStartAt !== undefined) body.lastStartTimestamp = rfc3339(vm.lastStartAt);
  if (vm.lastStopAt !== undefined) body.lastStopTimestamp = rfc3339(vm.lastStopAt);
  return body;
}

export function renderOperation(project: string, op: OperationRecord, now: number): Record<string, unknown> {
  const status = operationStatus(op, now);
  const body: Record<string, unknown> = {
    kind: 'compute#operation',
    id: op.id,
    name: op.name,
    zone: zoneLink(project, op.zone),
    operationType: op.operationType,
    targetLink: instanceLink(project, op.zone, op.targetName),
    targetId: op.targetId,
    status,
    user: op.user,
    progress: status === 'DONE' ? 100 : 0,
    insertTime: rfc3339(op.insertedAt),
    // GCE (and libcloud's captures) show startTime already on PENDING operations.
    startTime: rfc3339(op.runningAt),
    selfLink: `${zoneLink(project, op.zone)}/operations/${op.name}`,
  };
  if (status === 'DONE') {
    body.endTime = rfc3339(op.doneAt);
    if (op.error) {
      body.error = { errors: op.error };
      body.httpErrorStatusCode = op.httpErrorStatusCode;
      body.httpErrorMessage = op.httpErrorMessage;
    }
  }
  return body;
}

export function renderZone(project: string, zone: string): Record<string, unknown> {
  const region = regionOfZone(zone);
  return {
    kind: 'compute#zone',
    id: catalogId('zone', zone),
    creationTimestamp: '1969-12-31T16:00:00.000-08:00',
    name: zone,
    description: zone,
    status: 'UP',
    region: regionLink(project, region?.name ?? ''),
    selfLink: zoneLink(project, zone),
    availableCpuPlatforms: ['Intel Broadwell', 'Intel Cascade Lake', 'AMD Milan'],
    supportsPzs: false,
  };
}

export function renderRegion(project: string, region: CatalogRegion): Record<string, unknown> {
  return {
    kind: 'compute#region',
    id: catalogId('region', region.name),
    creationTimestamp: '1969-12-31T16:00:00.000-08:00',
    name: region.name,
    description: region.name,
    status: 'UP',
    zones: region.zones.map((zone) => zoneLink(project, zone)),
    quotas: [
      { metric: 'CPUS', limit: 24, usage: 0 },
      { metric: 'INSTANCES', limit: 6000, usage: 0 },
    ],
    selfLink: regionLink(project, region.name),
    supportsPzs: false,
  };
}

export function renderMachineType(project: string, zone: string, type: CatalogMachineType): Record<string, unknown> {
  return {
    kind: 'compute#machineType',
    id: catalogId('machineType', type.name),
    creationTimestamp: '1969-12-31T16:00:00.000-08:00',
    name: type.name,
    description: type.description,
    guestCpus: type.guestCpus,
    memoryMb: type.memoryMb,
    imageSpaceGb: 0,
    maximumPersistentDisks: 128,
    maximumPersistentDisksSizeGb: '263168',
    zone,
    selfLink: `${zoneLink(project, zone)}/machineTypes/${type.name}`,
    isSharedCpu: type.isSharedCpu,
  };
}

export function renderImage(image: CatalogImage): Record<string, unknown> {
  const body: Record<string, unknown> = {
    kind: 'compute#image',
    id: catalogId('image', image.name),
    creationTimestamp: '2024-01-10T06:33:06.000-08:00',
    name: image.name,
    description: image.description,
    sourceType: 'RAW',
    status: 'READY',
    archiveSizeBytes: '3014566592',
    diskSizeGb: '10',
    family: image.family,
    selfLink: `${projectLink(image.project)}/global/images/${image.name}`,
    architecture: 'X86_64',
  };
  if (image.deprecatedBy) {
    body.deprecated = {
      state: 'DEPRECATED',
      replacement: `${projectLink(image.project)}/global/images/${image.deprecatedBy}`,
    };
  }
  return body;
}

export function allZones(): string[] {
  return CATALOG_REGIONS.flatMap((region) => region.zones);
}

// ---- Error envelopes -------------------------------------------------------------------------

export interface WireError {
  status: number;
  body: Record<string, unknown>;
}

/** The `{"error":{"code","message","errors":[{domain,reason,message}]}}` envelope of Compute v1. */
export function apiError(
  status: number,
  reason: string,
  message: string,
  extra: { domain?: string; statusText?: string; location?: string; details?: unknown[] } = {},
): WireError {
  const entry: Record<string, unknown> = { message, domain: extra.domain ?? 'global', reason };
  if (extra.location) {
    entry.location = extra.location;
    entry.locationType = 'header';
  }
  const error: Record<string, unknown> = { code: status, message, errors: [entry] };
  if (extra.statusText) error.status = extra.statusText;
  if (extra.details) error.details = extra.details;
  return { status, body: { error } };
}

export const notFound = (resource: string) =>
  apiError(404, 'notFound', `The resource '${resource}' was not found`);

export const invalidField = (field: string, value: string, why: string) =>
  apiError(400, 'invalid', `Invalid value for field '${field}': '${value}'. ${why}`);

export function rateLimitExceeded(project: string): WireError {
  const message =
    "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service " +
    `'compute.googleapis.com' for consumer 'project_number:${catalogId('project', project).slice(0, 12)}'.`;
  return apiError(429, 'rateLimitExceeded', message, {
    domain: 'usageLimits',
    statusText: 'RESOURCE_EXHAUSTED',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'RATE_LIMIT_EXCEEDED',
        domain: 'googleapis.com',
        metadata: { service: 'compute.googleapis.com', quota_metric: 'compute.googleapis.com/default', quota_limit: 'defaultPerMinutePerProject' },
      },
    ],
  });
}

export const backendError = () =>
  apiError(500, 'backendError', 'Internal error. Please try again or contact Google Support. (Code: \'-7294838263455521632\')', {
    statusText: 'INTERNAL',
  });

export const unauthenticated = (missing: boolean) =>
  missing
    ? apiError(
        401,
        'required',
        'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
        { statusText: 'UNAUTHENTICATED', location: 'Authorization' },
      )
    : apiError(
        401,
        'authError',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
        { statusText: 'UNAUTHENTICATED', location: 'Authorization' },
      );

export const permissionDenied = (permission: string, resource: string) =>
  apiError(403, 'forbidden', `Required '${permission}' permission for '${resource}'`);

/** Synchronous quota rejection (non-insert methods); insert reports quota in its Operation. */
export const quotaExceededSync = (region: string) =>
  apiError(403, 'quotaExceeded', `Quota 'CPUS' exceeded.  Limit: 24.0 in region ${region}.`, { domain: 'usageLimits' });

export function quotaOperationError(region: string): { errors: { code: string; message: string; errorDetails: unknown[] }[] } {
  const message = `Quota 'CPUS' exceeded.  Limit: 24.0 in region ${region}.`;
  return {
    errors: [
      {
        code: 'QUOTA_EXCEEDED',
        message,
        errorDetails: [
          {
            quotaInfo: {
              metricName: 'compute.googleapis.com/cpus',
              limitName: 'CPUS-per-project-region',
              dimensions: { region },
              limit: 24,
            },
          },
        ],
      },
    ],
  };
}
