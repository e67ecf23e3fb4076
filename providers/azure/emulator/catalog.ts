// Static catalog the emulator serves: a few real Azure regions, VM sizes and marketplace images
// (publisher / offer / SKU triples that exist in the real marketplace).

export interface CatalogLocation {
  name: string;
  displayName: string;
  regionalDisplayName: string;
  geographyGroup: string;
  physicalLocation: string;
  latitude: string;
  longitude: string;
  pairedRegion: string;
  /** Logical availability zones; empty for regions without zones. */
  zones: string[];
}

export const LOCATIONS: CatalogLocation[] = [
  { name: 'eastus', displayName: 'East US', regionalDisplayName: '(US) East US', geographyGroup: 'US', physicalLocation: 'Virginia', latitude: '37.3719', longitude: '-79.8164', pairedRegion: 'westus', zones: ['1', '2', '3'] },
  { name: 'eastus2', displayName: 'East US 2', regionalDisplayName: '(US) East US 2', geographyGroup: 'US', physicalLocation: 'Virginia', latitude: '36.6681', longitude: '-78.3889', pairedRegion: 'centralus', zones: ['1', '2', '3'] },
  { name: 'westus2', displayName: 'West US 2', regionalDisplayName: '(US) West US 2', geographyGroup: 'US', physicalLocation: 'Washington', latitude: '47.233', longitude: '-119.852', pairedRegion: 'westcentralus', zones: ['1', '2', '3'] },
  { name: 'westeurope', displayName: 'West Europe', regionalDisplayName: '(Europe) West Europe', geographyGroup: 'Europe', physicalLocation: 'Netherlands', latitude: '52.3667', longitude: '4.9', pairedRegion: 'northeurope', zones: ['1', '2', '3'] },
  { name: 'northeurope', displayName: 'North Europe', regionalDisplayName: '(Europe) North Europe', geographyGroup: 'Europe', physicalLocation: 'Ireland', latitude: '53.3478', longitude: '-6.2597', pairedRegion: 'westeurope', zones: ['1', '2', '3'] },
  { name: 'uksouth', displayName: 'UK South', regionalDisplayName: '(Europe) UK South', geographyGroup: 'Europe', physicalLocation: 'London', latitude: '50.941', longitude: '-0.799', pairedRegion: 'ukwest', zones: ['1', '2', '3'] },
  { name: 'southeastasia', displayName: 'Southeast Asia', regionalDisplayName: '(Asia Pacific) Southeast Asia', geographyGroup: 'Asia Pacific', physicalLocation: 'Singapore', latitude: '1.283', longitude: '103.833', pairedRegion: 'eastasia', zones: ['1', '2', '3'] },
  { name: 'westcentralus', displayName: 'West Central US', regionalDisplayName: '(US) West Central US', geographyGroup: 'US', physicalLocation: 'Wyoming', latitude: '40.89', longitude: '-110.234', pairedRegion: 'westus2', zones: [] },
];

/** Shape of one element of the VirtualMachineSizes_List response (`value[]`). */
export interface CatalogSize {
  name: string;
  numberOfCores: number;
  osDiskSizeInMB: number;
  resourceDiskSizeInMB: number;
  memoryInMB: number;
  maxDataDiskCount: number;
}

const OS_DISK_MB = 1047552;

export const SIZES: CatalogSize[] = [
  { name: 'Standard_B1s', numberOfCores: 1, osDiskSizeInMB: OS_DISK_MB, resourceDiskSizeInMB: 4096, memoryInMB: 1024, maxDataDiskCount: 2 },
  { name: 'Standard_B2s', numberOfCores: 2, osDiskSizeInMB: OS_DISK_MB, resourceDiskSizeInMB: 8192, memoryInMB: 4096, maxDataDiskCount: 4 },
  { name: 'Standard_A1_v2', numberOfCores: 1, osDiskSizeInMB: OS_DISK_MB, resourceDiskSizeInMB: 10240, memoryInMB: 2048, maxDataDiskCount: 2 },
  { name: 'Standard_A2_v2', numberOfCores: 2, osDiskSizeInMB: OS_DISK_MB, resourceDiskSizeInMB: 20480, memoryInMB: 4096, maxDataDiskCount: 4 },
  { name: 'Standard_D1_v2', numberOfCores: 1, osDiskSizeInMB: OS_DISK_MB, resourceDiskSizeInMB: 51200, memoryInMB: 3584, maxDataDiskCount: 4 },
  { name: 'Standard_D2_v2', numberOfCores: 2, osDiskSizeInMB: OS_DISK_MB, resourceDiskSizeInMB: 102400, memoryInMB: 7168, maxDataDiskCount: 8 },
  { name: 'Standard_D2s_v5', numberOfCores: 2, osDiskSizeInMB: OS_DISK_MB, resourceDiskSizeInMB: 0, memoryInMB: 8192, maxDataDiskCount: 4 },
  { name: 'Standard_D4s_v5', numberOfCores: 4, osDiskSizeInMB: OS_DISK_MB, resourceDiskSizeInMB: 0, memoryInMB: 16384, maxDataDiskCount: 8 },
  { name: 'Standard_D8s_v5', numberOfCores: 8, osDiskSizeInMB: OS_DISK_MB, resourceDiskSizeInMB: 0, memoryInMB: 32768, maxDataDiskCount: 16 },
  { name: 'Standard_E2s_v5', numberOfCores: 2, osDiskSizeInMB: OS_DISK_MB, resourceDiskSizeInMB: 0, memoryInMB: 16384, maxDataDiskCount: 4 },
  { name: 'Standard_F2s_v2', numberOfCores: 2, osDiskSizeInMB: OS_DISK_MB, resourceDiskSizeInMB: 16384, memoryInMB: 4096, maxDataDiskCount: 4 },
];

export interface CatalogImageOffer {
  publisher: string;
  offer: string;
  skus: string[];
  osType: 'Linux' | 'Windows';
}

export const IMAGE_OFFERS: CatalogImageOffer[] = [
  { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', skus: ['server', 'server-gen1', 'minimal'], osType: 'Linux' },
  { publisher: 'Canonical', offer: '0001-com-ubuntu-server-jammy', skus: ['22_04-lts', '22_04-lts-gen2'], osType: 'Linux' },
  { publisher: 'Debian', offer: 'debian-12', skus: ['12', '12-gen2'], osType: 'Linux' },
  { publisher: 'RedHat', offer: 'RHEL', skus: ['9-lvm-gen2', '8-lvm-gen2'], osType: 'Linux' },
  { publisher: 'MicrosoftWindowsServer', offer: 'WindowsServer', skus: ['2022-datacenter-azure-edition', '2019-datacenter-gensecond'], osType: 'Windows' },
];

export function findLocation(name: string): CatalogLocation | undefined {
  const wanted = normalizeLocation(name);
  return LOCATIONS.find((l) => l.name === wanted);
}

/** ARM accepts "West Europe", "westeurope" and "WestEurope" alike. */
export function normalizeLocation(name: string): string {
  return name.replace(/\s+/g, '').toLowerCase();
}

export function findSize(name: string): CatalogSize | undefined {
  return SIZES.find((s) => s.name.toLowerCase() === name.toLowerCase());
}

export function findImageOffer(publisher: string, offer: string): CatalogImageOffer | undefined {
  return IMAGE_OFFERS.find(
    (o) => o.publisher.toLowerCase() === publisher.toLowerCase() && o.offer.toLowerCase() === offer.toLowerCase(),
  );
}
