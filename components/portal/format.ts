// Display formatting shared by the read-only portal pages.
import type { ProviderKind } from '@/generated/prisma/enums';
import { PROVIDER_LABELS } from '@/providers/types';

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

/**
 * Memory for display: below 1 GiB in MiB ("32 MiB", never "0.0 GiB"), else GiB with up to two
 * decimals, trailing zeros dropped ("4 GiB", "1.5 GiB", "3.75 GiB").
 */
export function formatMemory(memoryMiB: number | null | undefined): string {
  if (memoryMiB === null || memoryMiB === undefined || !Number.isFinite(memoryMiB)) return '—';
  if (Math.abs(memoryMiB) < 1024) return `${Math.round(memoryMiB)} MiB`;
  const gib = memoryMiB / 1024;
  return `${Number(gib.toFixed(2))} GiB`;
}

/** "2 vCPU · 4 GiB", or "—" when neither is known. */
export function formatShape(vcpus: number | null | undefined, memoryMiB: number | null | undefined): string {
  if ((vcpus === null || vcpus === undefined) && (memoryMiB === null || memoryMiB === undefined)) return '—';
  const cpu = vcpus === null || vcpus === undefined ? '—' : `${vcpus} vCPU`;
  return `${cpu} · ${formatMemory(memoryMiB)}`;
}

/** Provider display names: the one list in providers/types.ts. */
export const PROVIDER_NAMES: Readonly<Record<ProviderKind, string>> = PROVIDER_LABELS;
