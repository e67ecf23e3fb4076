// The demo catalog and price list. Every instance type and image is one the sandbox emulators
// offer, and every mapped instance type has exactly the vCPU/RAM of the size it realises (checked
// by catalog-data.test.ts against the emulators through the adapters). A size is mapped only on
// providers with a matching shape; Windows has no Google Cloud mapping because the GCE emulator
// (like the demo's public image projects) has no Windows image. Prices are illustrative list
// prices (USD) close to public on-demand rates, not quotes.
import type { ProviderKind, RateUnit } from '@/generated/prisma/enums';
import type { TemplateDefinitionInput, TemplateParameter } from '@/lib/catalog/schemas';

const environment: TemplateParameter = {
  name: 'environment',
  label: 'Environment',
  type: 'enum',
  required: true,
  options: ['dev', 'test', 'prod'],
  default: 'dev',
};

const UBUNTU_AMI = 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250115';

export const DEMO_TEMPLATES: TemplateDefinitionInput[] = [
  {
    slug: 'linux-web-small',
    name: 'Linux web server',
    description: 'Ubuntu Server LTS with nginx, for low-traffic sites and internal tools.',
    category: 'Web',
    os: 'Ubuntu Server LTS',
    sizes: [
      { name: 'small', label: 'Small', vcpus: 2, memoryMiB: 4096, diskGiB: 40 },
      { name: 'medium', label: 'Medium', vcpus: 2, memoryMiB: 8192, diskGiB: 60 },
      { name: 'large', label: 'Large', vcpus: 4, memoryMiB: 16384, diskGiB: 80 },
    ],
    mappings: [
      { providerKind: 'vsphere', regionCode: '*', instanceTypes: { small: 'medium' }, image: 'ubuntu-22.04-template' },
      { providerKind: 'aws', regionCode: '*', instanceTypes: { small: 't3.medium', medium: 'm5.large', large: 'm5.xlarge' }, image: UBUNTU_AMI },
      { providerKind: 'azure', regionCode: '*', instanceTypes: { small: 'Standard_B2s', medium: 'Standard_D2s_v5', large: 'Standard_D4s_v5' }, image: 'Canonical:ubuntu-24_04-lts:server:latest' },
      { providerKind: 'gcp', regionCode: '*', instanceTypes: { small: 'e2-medium', medium: 'e2-standard-2', large: 'n2-standard-4' }, image: 'projects/ubuntu-os-cloud/global/images/ubuntu-2204-jammy-v20240112' },
    ],
    defaultLeaseDays: 90,
    maxLeaseDays: 365,
    parameters: [
      environment,
      { name: 'hostnamePrefix', label: 'Host name prefix', type: 'string', required: false, maxLength: 20, pattern: '[a-z][a-z0-9-]*' },
    ],
  },
  {
    slug: 'linux-app-medium',
    name: 'Linux application server',
    description: 'Debian or Ubuntu sized for JVM or Node.js application tiers.',
    category: 'Application',
    os: 'Linux (Debian/Ubuntu)',
    sizes: [
      { name: 'small', label: 'Small', vcpus: 2, memoryMiB: 4096, diskGiB: 60 },
      { name: 'medium', label: 'Medium', vcpus: 4, memoryMiB: 16384, diskGiB: 80 },
      { name: 'large', label: 'Large', vcpus: 8, memoryMiB: 32768, diskGiB: 120 },
    ],
    mappings: [
      { providerKind: 'vsphere', regionCode: '*', instanceTypes: { small: 'medium' }, image: 'ubuntu-22.04-template' },
      { providerKind: 'aws', regionCode: '*', instanceTypes: { small: 'c5.large', medium: 'm5.xlarge', large: 'm5.2xlarge' }, image: UBUNTU_AMI },
      { providerKind: 'azure', regionCode: '*', instanceTypes: { small: 'Standard_F2s_v2', medium: 'Standard_D4s_v5', large: 'Standard_D8s_v5' }, image: 'Debian:debian-12:12-gen2:latest' },
      { providerKind: 'gcp', regionCode: '*', instanceTypes: { small: 'e2-medium', medium: 'n2-standard-4' }, image: 'projects/debian-cloud/global/images/debian-12-bookworm-v20240110' },
    ],
    defaultLeaseDays: 180,
    maxLeaseDays: 365,
    parameters: [environment, { name: 'heapMiB', label: 'JVM heap (MiB)', type: 'number', required: false, min: 256, max: 24576, default: 1024 }],
  },
  {
    slug: 'windows-server-small',
    name: 'Windows Server 2022',
    description: 'Windows Server 2022 Datacenter for .NET services and admin jump hosts.',
    category: 'Windows',
    os: 'Windows Server 2022',
    sizes: [
      { name: 'small', label: 'Small', vcpus: 2, memoryMiB: 4096, diskGiB: 128 },
      { name: 'medium', label: 'Medium', vcpus: 2, memoryMiB: 8192, diskGiB: 128 },
      { name: 'large', label: 'Large', vcpus: 4, memoryMiB: 16384, diskGiB: 128 },
    ],
    mappings: [
      { providerKind: 'vsphere', regionCode: '*', instanceTypes: { small: 'medium' }, image: 'windows-2022-template' },
      { providerKind: 'aws', regionCode: '*', instanceTypes: { small: 't3.medium', medium: 'm5.large', large: 'm5.xlarge' }, image: 'Windows_Server-2022-English-Full-Base-2025.01.15' },
      { providerKind: 'azure', regionCode: '*', instanceTypes: { small: 'Standard_B2s', medium: 'Standard_D2s_v5', large: 'Standard_D4s_v5' }, image: 'MicrosoftWindowsServer:WindowsServer:2022-datacenter-azure-edition:latest' },
    ],
    defaultLeaseDays: 30,
    maxLeaseDays: 90,
    parameters: [environment],
  },
  {
    slug: 'database-large',
    name: 'Database server',
    description: 'PostgreSQL on RHEL 9 (Debian 12 on Google Cloud); memory-heavy sizes.',
    category: 'Data',
    os: 'RHEL 9 / Debian 12',
    sizes: [
      { name: 'small', label: 'Small', vcpus: 4, memoryMiB: 8192, diskGiB: 250 },
      { name: 'medium', label: 'Medium', vcpus: 4, memoryMiB: 16384, diskGiB: 250 },
      { name: 'large', label: 'Large', vcpus: 8, memoryMiB: 32768, diskGiB: 500 },
    ],
    mappings: [
      { providerKind: 'vsphere', regionCode: '*', instanceTypes: { small: 'large' }, image: 'rhel-9-template' },
      { providerKind: 'aws', regionCode: '*', instanceTypes: { small: 'c5.xlarge', medium: 'm5.xlarge', large: 'm5.2xlarge' }, image: 'skyport-golden-rhel9-2025.01' },
      { providerKind: 'azure', regionCode: '*', instanceTypes: { medium: 'Standard_D4s_v5', large: 'Standard_D8s_v5' }, image: 'RedHat:RHEL:9-lvm-gen2:latest' },
      { providerKind: 'gcp', regionCode: '*', instanceTypes: { medium: 'n2-standard-4' }, image: 'projects/debian-cloud/global/images/debian-12-bookworm-v20240110' },
    ],
    defaultLeaseDays: 365,
    maxLeaseDays: null,
    parameters: [environment, { name: 'backups', label: 'Nightly backups', type: 'boolean', required: false, default: true }],
  },
];

export interface DemoRate {
  providerKind: ProviderKind;
  regionCode?: string;
  sku: string;
  unit: RateUnit;
  unitPrice: string;
}

const hourly = (providerKind: ProviderKind, sku: string, unitPrice: string): DemoRate => ({ providerKind, sku, unit: 'hour', unitPrice });
const diskMonth = (providerKind: ProviderKind, unitPrice: string): DemoRate => ({ providerKind, sku: 'disk-gib', unit: 'month', unitPrice });

export const DEMO_RATES: DemoRate[] = [
  hourly('aws', 't3.medium', '0.0416'),
  hourly('aws', 'c5.large', '0.085'),
  hourly('aws', 'c5.xlarge', '0.17'),
  hourly('aws', 'm5.large', '0.096'),
  hourly('aws', 'm5.xlarge', '0.192'),
  hourly('aws', 'm5.2xlarge', '0.384'),
  { providerKind: 'aws', regionCode: 'eu-west-1', sku: 't3.medium', unit: 'hour', unitPrice: '0.0456' },
  diskMonth('aws', '0.08'),
  hourly('azure', 'Standard_B2s', '0.0416'),
  hourly('azure', 'Standard_F2s_v2', '0.0846'),
  hourly('azure', 'Standard_D2s_v5', '0.096'),
  hourly('azure', 'Standard_D4s_v5', '0.192'),
  hourly('azure', 'Standard_D8s_v5', '0.384'),
  diskMonth('azure', '0.075'),
  hourly('gcp', 'e2-medium', '0.0335'),
  hourly('gcp', 'e2-standard-2', '0.067'),
  hourly('gcp', 'n2-standard-2', '0.0971'),
  hourly('gcp', 'n2-standard-4', '0.1942'),
  diskMonth('gcp', '0.1'),
];

/** On-prem chargeback (the vSphere rate card): what IT charges per vCPU, GiB of RAM and GiB of disk. */
export const VSPHERE_CHARGEBACK: DemoRate[] = [
  { providerKind: 'vsphere', sku: 'vcpu', unit: 'hour', unitPrice: '0.012' },
  { providerKind: 'vsphere', sku: 'memory-gib', unit: 'hour', unitPrice: '0.004' },
  { providerKind: 'vsphere', sku: 'disk-gib', unit: 'month', unitPrice: '0.08' },
];
