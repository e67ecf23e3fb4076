// Display formatting shared by the read-only portal pages.
import type { ProviderKind } from '@/generated/prisma/enums';

export function formatMoney(amount: number, currency = 'USD', options: { maximumFractionDigits?: number } = {}): string {
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    minimumFractionDigits: options.maximumFractionDigits === 0 ? 0 : 2,
    maximumFractionDigits: options.maximumFractionDigits ?? 2,
  }).format(amount);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

export function formatMemory(memoryMiB: number | null | undefined): string {
  if (memoryMiB === null || memoryMiB === undefined) return '—';
  const gib = memoryMiB / 1024;
  return `${Number.isInteger(gib) ? gib : gib.toFixed(1)} GiB`;
}

export const PROVIDER_NAMES: Record<ProviderKind, string> = {
  vsphere: 'VMware vSphere',
  aws: 'AWS',
  azure: 'Azure',
  gcp: 'Google Cloud',
};
