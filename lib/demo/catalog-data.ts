// The demo catalog and price list. Sizes and images are ones the sandbox emulators offer; prices
// are illustrative list prices (USD) close to public on-demand rates, not quotes.
import type { ProviderKind, RateUnit } from '@/generated/prisma/enums';

export interface DemoTemplate {
  slug: string;
  name: string;
  description: string;
  category: string;
  os: string;
  vcpus: number;
  memoryMiB: number;
  diskGiB: number;
  defaultLeaseDays?: number;
  mappings: Record<ProviderKind, { size: string; image: string }>;
}

export const DEMO_TEMPLATES: DemoTemplate[] = [
  {
    slug: 'linux-web-small',
    name: 'Linux web server, small',
    description: 'Ubuntu 24.04 LTS with nginx, for low-traffic sites and internal tools.',
    category: 'Web',
    os: 'Ubuntu 24.04 LTS',
    vcpus: 2,
    memoryMiB: 4096,
    diskGiB: 40,
    defaultLeaseDays: 90,
    mappings: {
      vsphere: { size: 'medium', image: 'tmpl-ubuntu-2404' },
      aws: { size: 't3.medium', image: 'ami-0a1b2c3d4e5f60001' },
      azure: { size: 'Standard_B2s', image: 'Canonical:ubuntu-24_04-lts:server:latest' },
      gcp: { size: 'e2-medium', image: 'ubuntu-2404-lts' },
    },
  },
  {
    slug: 'linux-app-medium',
    name: 'Linux application server, medium',
    description: 'Ubuntu 24.04 LTS sized for JVM or Node.js application tiers.',
    category: 'Application',
    os: 'Ubuntu 24.04 LTS',
    vcpus: 4,
    memoryMiB: 16384,
    diskGiB: 80,
    mappings: {
      vsphere: { size: 'large', image: 'tmpl-ubuntu-2404' },
      aws: { size: 'm5.xlarge', image: 'ami-0a1b2c3d4e5f60001' },
      azure: { size: 'Standard_D4s_v5', image: 'Canonical:ubuntu-24_04-lts:server:latest' },
      gcp: { size: 'n2-standard-4', image: 'ubuntu-2404-lts' },
    },
  },
  {
    slug: 'windows-server-small',
    name: 'Windows Server 2022, small',
    description: 'Windows Server 2022 Datacenter for .NET services and admin jump hosts.',
    category: 'Windows',
    os: 'Windows Server 2022',
    vcpus: 2,
    memoryMiB: 8192,
    diskGiB: 128,
    defaultLeaseDays: 30,
    mappings: {
      vsphere: { size: 'medium', image: 'tmpl-win2022' },
      aws: { size: 'm5.large', image: 'ami-0a1b2c3d4e5f60002' },
      azure: { size: 'Standard_D2s_v5', image: 'MicrosoftWindowsServer:WindowsServer:2022-datacenter:latest' },
      gcp: { size: 'n2-standard-2', image: 'windows-server-2022-dc' },
    },
  },
  {
    slug: 'database-large',
    name: 'Database server, large',
    description: 'Rocky Linux 9 tuned for PostgreSQL; memory-heavy.',
    category: 'Data',
    os: 'Rocky Linux 9',
    vcpus: 8,
    memoryMiB: 65536,
    diskGiB: 500,
    mappings: {
      vsphere: { size: 'xlarge', image: 'tmpl-rocky-9' },
      aws: { size: 'r5.2xlarge', image: 'ami-0a1b2c3d4e5f60003' },
      azure: { size: 'Standard_E8s_v5', image: 'resf:rockylinux-x86_64:9-base:latest' },
      gcp: { size: 'n2-highmem-8', image: 'rocky-linux-9' },
    },
  },
];

export interface DemoRate {
  providerKind: ProviderKind;
  regionCode?: string;
  sku: string;
  unit: RateUnit;
  unitPrice: number;
}

const hourly = (providerKind: ProviderKind, sku: string, unitPrice: number): DemoRate => ({ providerKind, sku, unit: 'hour', unitPrice });

export const DEMO_RATES: DemoRate[] = [
  hourly('aws', 't3.medium', 0.0416),
  hourly('aws', 'm5.large', 0.096),
  hourly('aws', 'm5.xlarge', 0.192),
  hourly('aws', 'r5.2xlarge', 0.504),
  { providerKind: 'aws', regionCode: 'eu-west-1', sku: 't3.medium', unit: 'hour', unitPrice: 0.0456 },
  hourly('azure', 'Standard_B2s', 0.0416),
  hourly('azure', 'Standard_D2s_v5', 0.096),
  hourly('azure', 'Standard_D4s_v5', 0.192),
  hourly('azure', 'Standard_E8s_v5', 0.504),
  hourly('gcp', 'e2-medium', 0.0335),
  hourly('gcp', 'n2-standard-2', 0.0971),
  hourly('gcp', 'n2-standard-4', 0.1942),
  hourly('gcp', 'n2-highmem-8', 0.524),
];

/** On-prem chargeback: what IT charges projects per unit of vSphere capacity. */
export const VSPHERE_CHARGEBACK: DemoRate[] = [
  { providerKind: 'vsphere', sku: 'vcpu', unit: 'hour', unitPrice: 0.012 },
  { providerKind: 'vsphere', sku: 'memory-gib', unit: 'hour', unitPrice: 0.004 },
  { providerKind: 'vsphere', sku: 'disk-gib', unit: 'month', unitPrice: 0.08 },
];
