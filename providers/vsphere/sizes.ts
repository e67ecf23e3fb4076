// vSphere has no size catalogue: a VM has whatever numCPUs/memoryMB its config says. Skyport offers
// a fixed table and reports any other shape as `custom-<cpus>x<MiB>`.
import type { ProviderSize } from '../types';

export const VSPHERE_SIZES: readonly ProviderSize[] = [
  { id: 'small', name: 'Small (1 vCPU, 2 GiB)', vcpus: 1, memoryMiB: 2048 },
  { id: 'medium', name: 'Medium (2 vCPU, 4 GiB)', vcpus: 2, memoryMiB: 4096 },
  { id: 'large', name: 'Large (4 vCPU, 8 GiB)', vcpus: 4, memoryMiB: 8192 },
  { id: 'xlarge', name: 'X-Large (8 vCPU, 16 GiB)', vcpus: 8, memoryMiB: 16384 },
];

export function sizeById(id: string): ProviderSize | undefined {
  return VSPHERE_SIZES.find((size) => size.id === id);
}

export function sizeIdFor(vcpus: number | undefined, memoryMiB: number | undefined): string {
  const match = VSPHERE_SIZES.find((size) => size.vcpus === vcpus && size.memoryMiB === memoryMiB);
  return match ? match.id : `custom-${vcpus ?? '?'}x${memoryMiB ?? '?'}`;
}
