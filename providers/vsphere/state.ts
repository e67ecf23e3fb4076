// VirtualMachine properties → Skyport's ObservedVm.
import { parseSkyportTags } from '../shared/tags';
import type { ObservedVm, VmState } from '../types';
import { sizeIdFor } from './sizes';
import { boolOf, customValuesOf, intOf, type ObjectContent, textOf } from './soap/property-collector';

/** What the adapter reads of every VM (kept small: listing 10,000 VMs pays for each path). */
export const VM_PROPERTY_PATHS = [
  'name',
  'config.template',
  'config.hardware.numCPU',
  'config.hardware.memoryMB',
  'runtime.powerState',
  'guest.ipAddress',
  'customValue',
  // vSphere 6.7+: when the VM was made; on-prem chargeback charges a VM from it (else from first sight).
  'config.createDate',
] as const;

/** vim25 VirtualMachinePowerState → normalized state. */
export function vmStateFor(powerState: string | undefined): VmState {
  switch (powerState) {
    case 'poweredOn':
      return 'running';
    case 'poweredOff':
      return 'stopped';
    // A suspended VM holds no CPU; for brokering it is stopped (providerState keeps the detail).
    case 'suspended':
      return 'stopped';
    default:
      return 'unknown';
  }
}

export function isTemplate(content: ObjectContent): boolean {
  return boolOf(content.props.get('config.template')) === true;
}

export function observedVmFrom(content: ObjectContent, region: string, fieldNames: ReadonlyMap<number, string>): ObservedVm {
  const tags: Record<string, string> = {};
  for (const [key, value] of customValuesOf(content.props.get('customValue'))) {
    const name = fieldNames.get(key);
    if (name) tags[name] = value;
  }
  const vcpus = intOf(content.props.get('config.hardware.numCPU'));
  const memoryMiB = intOf(content.props.get('config.hardware.memoryMB'));
  const powerState = textOf(content.props.get('runtime.powerState')) ?? 'unknown';
  const ip = textOf(content.props.get('guest.ipAddress'));
  const created = textOf(content.props.get('config.createDate'));
  const createdAt = created ? new Date(created) : undefined;
  return {
    providerId: content.obj.value,
    name: textOf(content.props.get('name')) ?? content.obj.value,
    region,
    size: sizeIdFor(vcpus, memoryMiB),
    vcpus,
    memoryMiB,
    state: vmStateFor(powerState),
    providerState: powerState,
    tags,
    skyport: parseSkyportTags(tags),
    privateIp: ip || undefined,
    ...(createdAt && !Number.isNaN(createdAt.getTime()) ? { createdAt } : {}),
  };
}

/** Custom field keys this VM carries that the cached field definitions do not name yet. */
export function unknownFieldKeys(content: ObjectContent, fieldNames: ReadonlyMap<number, string>): number[] {
  return [...customValuesOf(content.props.get('customValue')).keys()].filter((key) => !fieldNames.has(key));
}
