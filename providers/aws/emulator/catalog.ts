// Static catalog the emulator serves: the account, its regions (some not opted in, as on real
// accounts), instance types and AMIs. Values follow real EC2 shapes; the list is deliberately small.
import { createHash } from 'node:crypto';

export const EC2_API_VERSION = '2016-11-15';
export const EC2_NAMESPACE = `http://ec2.amazonaws.com/doc/${EC2_API_VERSION}/`;
export const STS_API_VERSION = '2011-06-15';
export const STS_NAMESPACE = `https://sts.amazonaws.com/doc/${STS_API_VERSION}/`;

/** The sandbox account every emulator knows; `sandboxAccount()` hands these to the adapter. */
export const SANDBOX_ACCOUNT = {
  accountId: '210987654321',
  userName: 'skyport-sandbox',
  accessKeyId: 'AKIASKYPORTSANDBOX01',
  secretAccessKey: 'skyportSandboxSecretKey/EmulatorOnly+0000',
} as const;

/** Roles the sandbox user may assume. `externalId` when set must be presented, as in a trust policy condition. */
export const SANDBOX_ROLES: ReadonlyArray<{ name: string; externalId?: string }> = [
  { name: 'SkyportBroker' },
  { name: 'SkyportBrokerExternal', externalId: 'skyport-external-id' },
];

export function roleArn(name: string): string {
  return `arn:aws:iam::${SANDBOX_ACCOUNT.accountId}:role/${name}`;
}

export interface RegionInfo {
  name: string;
  optInStatus: 'opt-in-not-required' | 'opted-in' | 'not-opted-in';
}

export const REGIONS: readonly RegionInfo[] = [
  { name: 'us-east-1', optInStatus: 'opt-in-not-required' },
  { name: 'us-west-2', optInStatus: 'opt-in-not-required' },
  { name: 'eu-west-1', optInStatus: 'opt-in-not-required' },
  { name: 'eu-central-1', optInStatus: 'opt-in-not-required' },
  { name: 'ap-southeast-2', optInStatus: 'opt-in-not-required' },
  { name: 'eu-south-1', optInStatus: 'opted-in' },
  { name: 'af-south-1', optInStatus: 'not-opted-in' },
];

export function isRegionEnabled(name: string): boolean {
  const region = REGIONS.find((r) => r.name === name);
  return region !== undefined && region.optInStatus !== 'not-opted-in';
}

export function zonesOf(region: string): string[] {
  return ['a', 'b', 'c'].map((suffix) => `${region}${suffix}`);
}

export interface InstanceTypeInfo {
  name: string;
  vcpus: number;
  cores: number;
  memoryMiB: number;
  burstable: boolean;
  freeTier: boolean;
}

export const INSTANCE_TYPES: readonly InstanceTypeInfo[] = [
  { name: 't3.micro', vcpus: 2, cores: 1, memoryMiB: 1024, burstable: true, freeTier: true },
  { name: 't3.small', vcpus: 2, cores: 1, memoryMiB: 2048, burstable: true, freeTier: false },
  { name: 't3.medium', vcpus: 2, cores: 1, memoryMiB: 4096, burstable: true, freeTier: false },
  { name: 't3.large', vcpus: 2, cores: 1, memoryMiB: 8192, burstable: true, freeTier: false },
  { name: 'm5.large', vcpus: 2, cores: 1, memoryMiB: 8192, burstable: false, freeTier: false },
  { name: 'm5.xlarge', vcpus: 4, cores: 2, memoryMiB: 16384, burstable: false, freeTier: false },
  { name: 'm5.2xlarge', vcpus: 8, cores: 4, memoryMiB: 32768, burstable: false, freeTier: false },
  { name: 'c5.large', vcpus: 2, cores: 1, memoryMiB: 4096, burstable: false, freeTier: false },
  { name: 'c5.xlarge', vcpus: 4, cores: 2, memoryMiB: 8192, burstable: false, freeTier: false },
  { name: 'r5.large', vcpus: 2, cores: 1, memoryMiB: 16384, burstable: false, freeTier: false },
];

export function instanceTypeInfo(name: string): InstanceTypeInfo | undefined {
  return INSTANCE_TYPES.find((t) => t.name === name);
}

export interface ImageInfo {
  imageId: string;
  name: string;
  description: string;
  platform?: 'windows';
  platformDetails: string;
  ownerId: string;
  ownerAlias?: 'amazon';
  creationDate: string;
}

const IMAGE_TEMPLATES = [
  { name: 'al2023-ami-2023.6.20250107.0-kernel-6.1-x86_64', description: 'Amazon Linux 2023 AMI', platformDetails: 'Linux/UNIX', amazon: true },
  { name: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250115', description: 'Canonical, Ubuntu, 24.04, amd64 noble image', platformDetails: 'Linux/UNIX', amazon: true },
  { name: 'Windows_Server-2022-English-Full-Base-2025.01.15', description: 'Microsoft Windows Server 2022 Full Locale English AMI', platformDetails: 'Windows', amazon: true, windows: true },
  { name: 'skyport-golden-rhel9-2025.01', description: 'Skyport golden image (RHEL 9)', platformDetails: 'Red Hat Enterprise Linux', amazon: false },
] as const;

const imagesByRegion = new Map<string, ImageInfo[]>();

/** AMI ids are regional on EC2, so the same image has a different id in each region. */
export function imagesOf(region: string): ImageInfo[] {
  let images = imagesByRegion.get(region);
  if (!images) {
    images = regionImages(region);
    imagesByRegion.set(region, images);
  }
  return images;
}

function regionImages(region: string): ImageInfo[] {
  return IMAGE_TEMPLATES.map((template) => ({
    imageId: `ami-${createHash('sha256').update(`${region}/${template.name}`).digest('hex').slice(0, 17)}`,
    name: template.name,
    description: template.description,
    platform: 'windows' in template && template.windows ? 'windows' : undefined,
    platformDetails: template.platformDetails,
    ownerId: template.amazon ? '137112412989' : SANDBOX_ACCOUNT.accountId,
    ownerAlias: template.amazon ? 'amazon' : undefined,
    creationDate: '2025-01-15T00:00:00.000Z',
  }));
}

export const INSTANCE_STATE_CODES = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
} as const;
export type InstanceStateName = keyof typeof INSTANCE_STATE_CODES;
