// Compute Engine instance resources → Skyport's normalized ObservedVm, and the VM reference format.
import type { protos } from '@google-cloud/compute';
import { ProviderError } from '../errors';
import type { ObservedVm, ProviderSize, VmRef, VmState } from '../types';
import { tagsFromLabels } from './naming';

type Instance = protos.google.cloud.compute.v1.IInstance;

const STATE_BY_STATUS: Record<string, VmState> = {
  PROVISIONING: 'pending',
  STAGING: 'pending',
  RUNNING: 'running',
  STOPPING: 'stopping',
  SUSPENDING: 'stopping',
  DEPROVISIONING: 'stopping',
  // GCE's TERMINATED is "stopped" (no compute billed), not deleted.
  TERMINATED: 'stopped',
  STOPPED: 'stopped',
  SUSPENDED: 'stopped',
  REPAIRING: 'error',
};

export function stateForStatus(status: string | null | undefined): VmState {
  return (status && STATE_BY_STATUS[status]) || 'unknown';
}

/** Last path segment of a resource URL (zone, machine type and so on are returned as URLs). */
export const lastSegment = (url: string | null | undefined) => (url ? url.slice(url.lastIndexOf('/') + 1) : '');

/** `us-central1-a` → `us-central1`. */
export const regionOfZone = (zone: string) => zone.replace(/-[a-z]$/, '');

/** Provider ids are the instance's relative resource path: zone and name, both needed to call it. */
export const providerIdFor = (zone: string, name: string) => `zones/${zone}/instances/${name}`;

/** Zone and name of a VmRef; a bare instance name needs `ref.zone`. */
export function parseVmRef(ref: VmRef): { zone: string; name: string } {
  const match = /^(?:projects\/[^/]+\/)?zones\/([^/]+)\/instances\/([^/]+)$/.exec(ref.providerId);
  if (match) return { zone: match[1]!, name: match[2]! };
  if (ref.zone && /^[a-z][-a-z0-9]*$/.test(ref.providerId)) return { zone: ref.zone, name: ref.providerId };
  throw new ProviderError('invalid_request', `Not a GCE instance reference: ${ref.providerId}`, { retryable: false });
}

export function observedVm(instance: Instance, sizeOf?: (zone: string, type: string) => ProviderSize | undefined): ObservedVm {
  const zone = lastSegment(instance.zone);
  const name = instance.name ?? '';
  const size = lastSegment(instance.machineType);
  const { tags, skyport } = tagsFromLabels(instance.labels);
  const nic = instance.networkInterfaces?.[0];
  const natIP = nic?.accessConfigs?.find((config) => config.natIP)?.natIP;
  const known = sizeOf?.(zone, size);
  const vm: ObservedVm = {
    providerId: providerIdFor(zone, name),
    name,
    region: regionOfZone(zone),
    zone,
    size,
    state: stateForStatus(instance.status),
    providerState: instance.status ?? 'UNKNOWN',
    tags,
    skyport,
  };
  if (known) {
    vm.vcpus = known.vcpus;
    vm.memoryMiB = known.memoryMiB;
  }
  if (nic?.networkIP) vm.privateIp = nic.networkIP;
  if (natIP) vm.publicIp = natIP;
  if (instance.creationTimestamp) vm.createdAt = new Date(instance.creationTimestamp);
  return vm;
}
