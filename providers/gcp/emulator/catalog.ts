// Static placement data the emulator serves: regions with their zones, machine types, and the
// public image projects. Zone lists follow the real regions (us-east1 has no "-a" zone, for one).

export interface CatalogRegion {
  name: string;
  zones: string[];
}

export interface CatalogMachineType {
  name: string;
  guestCpus: number;
  memoryMb: number;
  description: string;
  isSharedCpu: boolean;
}

export interface CatalogImage {
  project: string;
  name: string;
  family: string;
  description: string;
  /** Set for images replaced by a newer build; `images.list` still returns them, like GCE. */
  deprecatedBy?: string;
}

export const CATALOG_REGIONS: readonly CatalogRegion[] = [
  { name: 'us-central1', zones: ['us-central1-a', 'us-central1-b', 'us-central1-c', 'us-central1-f'] },
  { name: 'us-east1', zones: ['us-east1-b', 'us-east1-c', 'us-east1-d'] },
  { name: 'us-west1', zones: ['us-west1-a', 'us-west1-b', 'us-west1-c'] },
  { name: 'europe-west1', zones: ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'] },
  { name: 'europe-west4', zones: ['europe-west4-a', 'europe-west4-b', 'europe-west4-c'] },
  { name: 'asia-northeast1', zones: ['asia-northeast1-a', 'asia-northeast1-b', 'asia-northeast1-c'] },
];

export const CATALOG_MACHINE_TYPES: readonly CatalogMachineType[] = [
  { name: 'e2-micro', guestCpus: 2, memoryMb: 1024, description: 'Efficient Instance, 2 vCPU (1/8 shared physical core) and 1 GB RAM', isSharedCpu: true },
  { name: 'e2-small', guestCpus: 2, memoryMb: 2048, description: 'Efficient Instance, 2 vCPU (1/4 shared physical core) and 2 GB RAM', isSharedCpu: true },
  { name: 'e2-medium', guestCpus: 2, memoryMb: 4096, description: 'Efficient Instance, 2 vCPU (1/2 shared physical core) and 4 GB RAM', isSharedCpu: true },
  { name: 'e2-standard-2', guestCpus: 2, memoryMb: 8192, description: 'Efficient Instance, 2 vCPUs, 8 GB RAM', isSharedCpu: false },
  { name: 'e2-standard-4', guestCpus: 4, memoryMb: 16384, description: 'Efficient Instance, 4 vCPUs, 16 GB RAM', isSharedCpu: false },
  { name: 'n1-standard-1', guestCpus: 1, memoryMb: 3840, description: '1 vCPU, 3.75 GB RAM', isSharedCpu: false },
  { name: 'n2-standard-2', guestCpus: 2, memoryMb: 8192, description: '2 vCPUs 8 GB RAM', isSharedCpu: false },
  { name: 'n2-standard-4', guestCpus: 4, memoryMb: 16384, description: '4 vCPUs 16 GB RAM', isSharedCpu: false },
];

export const CATALOG_IMAGES: readonly CatalogImage[] = [
  { project: 'debian-cloud', name: 'debian-12-bookworm-v20240110', family: 'debian-12', description: 'Debian, Debian GNU/Linux, 12 (bookworm), amd64 built on 20240110' },
  { project: 'debian-cloud', name: 'debian-12-bookworm-v20231212', family: 'debian-12', description: 'Debian, Debian GNU/Linux, 12 (bookworm), amd64 built on 20231212', deprecatedBy: 'debian-12-bookworm-v20240110' },
  { project: 'debian-cloud', name: 'debian-11-bullseye-v20240110', family: 'debian-11', description: 'Debian, Debian GNU/Linux, 11 (bullseye), amd64 built on 20240110' },
  { project: 'ubuntu-os-cloud', name: 'ubuntu-2204-jammy-v20240112', family: 'ubuntu-2204-lts', description: 'Canonical, Ubuntu, 22.04 LTS, amd64 jammy image built on 2024-01-12' },
];

/** Projects anyone may read images from (GCE's public image projects). */
export const PUBLIC_IMAGE_PROJECTS: ReadonlySet<string> = new Set(CATALOG_IMAGES.map((image) => image.project));

export function regionOfZone(zone: string): CatalogRegion | undefined {
  return CATALOG_REGIONS.find((region) => region.zones.includes(zone));
}

export function findMachineType(name: string): CatalogMachineType | undefined {
  return CATALOG_MACHINE_TYPES.find((type) => type.name === name);
}

/** A stable numeric id per catalog entry (GCE ids are uint64 strings). */
export function catalogId(kind: string, name: string): string {
  let hash = 1469598103934665603n;
  for (const ch of `${kind}/${name}`) hash = ((hash ^ BigInt(ch.charCodeAt(0))) * 1099511628211n) & 0xffffffffffffffffn;
  return hash.toString();
}
