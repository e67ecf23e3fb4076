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
  /**
   * Size and image per provider (a provider is absent when it has no fitting image). AWS images are
   * named by AMI name because AMI ids differ per region; they are resolved through listImages.
   */
  mappings: Partial<Record<ProviderKind, { size: string; image: string }>>;
}

export const DEMO_TEMPLATES: DemoTemplate[] = [
  {
    slug: 'linux-web-small',
    name: 'Linux web server, small',
    description: 'Ubuntu Server LTS with nginx, for low-traffic sites and internal tools.',
    category: 'Web',
    os: 'Ubuntu Server LTS',
    vcpus: 2,
    memoryMiB: 4096,
    diskGiB: 40,
    defaultLeaseDays: 90,
    mappings: {
      vsphere: { size: 'medium', image: 'ubuntu-22.04-template' },
      aws: { size: 't3.medium', image: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250115' },
      azure: { size: 'Standard_B2s', image: 'Canonical:ubuntu-24_04-lts:server:latest' },
      gcp: { size: 'e2-medium', image: 'projects/ubuntu-os-cloud/global/images/ubuntu-2204-jammy-v20240112' },
    },
  },
  {
    slug: 'linux-app-medium',
    name: 'Linux application server, medium',
    description: 'Debian or Ubuntu sized for JVM or Node.js application tiers.',
    category: 'Application',
    os: 'Linux (Debian/Ubuntu)',
    vcpus: 4,
    memoryMiB: 16384,
    diskGiB: 80,
    mappings: {
      vsphere: { size: 'large', image: 'ubuntu-22.04-template' },
      aws: { size: 'm5.xlarge', image: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250115' },
      azure: { size: 'Standard_D4s_v5', image: 'Debian:debian-12:12-gen2:latest' },
      gcp: { size: 'n2-standard-4', image: 'projects/debian-cloud/global/images/debian-12-bookworm-v20240110' },
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
      vsphere: { size: 'medium', image: 'windows-2022-template' },
      aws: { size: 'm5.large', image: 'Windows_Server-2022-English-Full-Base-2025.01.15' },
      azure: { size: 'Standard_D2s_v5', image: 'MicrosoftWindowsServer:WindowsServer:2022-datacenter-azure-edition:latest' },
    },
  },
  {
    slug: 'database-large',
    name: 'Database server, large',
    description: 'Red Hat Enterprise Linux 9 tuned for PostgreSQL; memory-heavy.',
    category: 'Data',
    os: 'RHEL 9',
    vcpus: 8,
    memoryMiB: 32768,
    diskGiB: 500,
    mappings: {
      vsphere: { size: 'xlarge', image: 'rhel-9-template' },
      aws: { size: 'm5.2xlarge', image: 'skyport-golden-rhel9-2025.01' },
      azure: { size: 'Standard_D8s_v5', image: 'RedHat:RHEL:9-lvm-gen2:latest' },
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
  hourly('aws', 'm5.2xlarge', 0.384),
  { providerKind: 'aws', regionCode: 'eu-west-1', sku: 't3.medium', unit: 'hour', unitPrice: 0.0456 },
  hourly('azure', 'Standard_B2s', 0.0416),
  hourly('azure', 'Standard_D2s_v5', 0.096),
  hourly('azure', 'Standard_D4s_v5', 0.192),
  hourly('azure', 'Standard_D8s_v5', 0.384),
  hourly('gcp', 'e2-medium', 0.0335),
  hourly('gcp', 'n2-standard-2', 0.0971),
  hourly('gcp', 'n2-standard-4', 0.1942),
];

/** On-prem chargeback: what IT charges projects per unit of vSphere capacity. */
export const VSPHERE_CHARGEBACK: DemoRate[] = [
  { providerKind: 'vsphere', sku: 'vcpu', unit: 'hour', unitPrice: 0.012 },
  { providerKind: 'vsphere', sku: 'memory-gib', unit: 'hour', unitPrice: 0.004 },
  { providerKind: 'vsphere', sku: 'disk-gib', unit: 'month', unitPrice: 0.08 },
];
