// Marketplace images Skyport offers: a curated set of publisher/offer pairs whose SKUs are listed
// live from the region (VirtualMachineImages_ListSkus). Image ids are Azure CLI style URNs,
// "publisher:offer:sku:version".

export interface CuratedOffer {
  publisher: string;
  offer: string;
  os: 'linux' | 'windows';
}

export const CURATED_OFFERS: readonly CuratedOffer[] = [
  { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', os: 'linux' },
  { publisher: 'Canonical', offer: '0001-com-ubuntu-server-jammy', os: 'linux' },
  { publisher: 'Debian', offer: 'debian-12', os: 'linux' },
  { publisher: 'RedHat', offer: 'RHEL', os: 'linux' },
  { publisher: 'MicrosoftWindowsServer', offer: 'WindowsServer', os: 'windows' },
];

export interface ImageUrn {
  publisher: string;
  offer: string;
  sku: string;
  version: string;
}

export function parseImageUrn(id: string): ImageUrn | null {
  const parts = id.split(':');
  if (parts.length < 3 || parts.length > 4 || parts.some((p) => p.trim() === '')) return null;
  const [publisher, offer, sku, version] = parts as [string, string, string, string | undefined];
  return { publisher, offer, sku, version: version ?? 'latest' };
}

export function imageUrn(ref: { publisher?: string; offer?: string; sku?: string; version?: string }): string | undefined {
  if (!ref.publisher || !ref.offer || !ref.sku) return undefined;
  return `${ref.publisher}:${ref.offer}:${ref.sku}:${ref.version ?? 'latest'}`;
}
