// Read-only catalog views: the active templates (current version) with where each can run and
// what it costs per month, priced from the price book in effect through lib/catalog/pricing.ts.
// Framework-free.
import type { Db } from '../db/client';
import type { ProviderKind, RateUnit } from '@/generated/prisma/enums';
import { HOURS_PER_MONTH, loadPriceContext, priceBookHeader, priceTemplatePlacement } from './pricing';
import { PROVIDER_LABELS } from '@/providers/types';
import { definitionFromSnapshot } from './templates';

export { HOURS_PER_MONTH };

export const PROVIDER_ORDER: readonly ProviderKind[] = ['vsphere', 'aws', 'azure', 'gcp'];

// The display names live with PROVIDER_KINDS; re-exported for the catalog's existing callers.
export { PROVIDER_LABELS };

export interface PriceRate {
  providerKind: ProviderKind;
  regionCode: string;
  sku: string;
  unit: RateUnit;
  unitPrice: number;
}

export interface TemplateSpec {
  vcpus: number;
  memoryMiB: number;
  diskGiB: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * The rate for one sku in one region: the region's own rate wins over the "*" rate. With no region
 * (catalog "from" prices) the lowest rate of any region is used.
 */
function pickRate(rates: readonly PriceRate[], kind: ProviderKind, sku: string, unit: RateUnit, regionCode?: string): number | null {
  const candidates = rates.filter((r) => r.providerKind === kind && r.sku === sku && r.unit === unit);
  if (candidates.length === 0) return null;
  if (regionCode) {
    const exact = candidates.find((r) => r.regionCode === regionCode);
    const any = candidates.find((r) => r.regionCode === '*');
    return (exact ?? any)?.unitPrice ?? null;
  }
  return Math.min(...candidates.map((r) => r.unitPrice));
}

/**
 * Number-based monthly price kept for earlier callers; new code uses lib/catalog/pricing.ts
 * (`priceVm`: decimal-exact, disk and price rules included).
 * Monthly price of one VM. Cloud sizes: hourly rate × 730 (or a monthly rate as is). vSphere:
 * chargeback per vCPU-hour and GiB-of-memory-hour × 730, plus disk per GiB-month. Null when the
 * price book has no rate for it.
 */
export function monthlyPrice(
  rates: readonly PriceRate[],
  kind: ProviderKind,
  size: string,
  spec: TemplateSpec,
  regionCode?: string,
): number | null {
  if (kind === 'vsphere') {
    const vcpu = pickRate(rates, kind, 'vcpu', 'hour', regionCode);
    const memory = pickRate(rates, kind, 'memory-gib', 'hour', regionCode);
    if (vcpu === null || memory === null) return null;
    const disk = pickRate(rates, kind, 'disk-gib', 'month', regionCode) ?? 0;
    return round2((vcpu * spec.vcpus + memory * (spec.memoryMiB / 1024)) * HOURS_PER_MONTH + disk * spec.diskGiB);
  }
  const hourly = pickRate(rates, kind, size, 'hour', regionCode);
  if (hourly !== null) return round2(hourly * HOURS_PER_MONTH);
  const monthly = pickRate(rates, kind, size, 'month', regionCode);
  return monthly === null ? null : round2(monthly);
}

/** The price book in effect on `at`: the latest one whose validity covers that day. */
export async function currentPriceBook(db: Db, at: Date = new Date()) {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  return db.priceBook.findFirst({
    where: { effectiveFrom: { lte: day }, OR: [{ effectiveTo: null }, { effectiveTo: { gte: day } }] },
    orderBy: [{ effectiveFrom: 'desc' }, { createdAt: 'desc' }],
    include: { rates: true },
  });
}

export interface CatalogProviderOption {
  providerKind: ProviderKind;
  label: string;
  /** "*" = every region of the provider, else the one region this mapping is for. */
  regionCodes: string[];
  /** Instance type of the template's first size (the card's "from" size). */
  size: string;
  /** Cheapest monthly price of the first size over this provider's mappings, exact to the cent. */
  monthlyPrice: number | null;
}

export interface CatalogSizeOption {
  name: string;
  label: string;
  vcpus: number;
  memoryMiB: number;
  diskGiB: number;
  /** Cheapest monthly price of this size over every mapped provider, or null when unpriced. */
  fromMonthlyPrice: number | null;
}

export interface CatalogEntry {
  id: string;
  slug: string;
  name: string;
  description: string;
  category: string;
  os: string;
  version: number;
  /** Shape of the first size (what the card headlines). */
  vcpus: number;
  memoryMiB: number;
  diskGiB: number;
  sizes: CatalogSizeOption[];
  defaultLeaseDays: number | null;
  maxLeaseDays: number | null;
  providers: CatalogProviderOption[];
  /** Cheapest monthly price over the providers, or null when none is priced. */
  fromMonthlyPrice: number | null;
  currency: string;
}

/**
 * Active templates at their current version, priced per provider from the price book in effect
 * (with the price rules of `projectId`, if given). `projectIds` (a non-admin's projects) hides
 * templates restricted to other projects.
 */
export async function listCatalog(db: Db, options: { at?: Date; projectId?: string; projectIds?: readonly string[] } = {}): Promise<CatalogEntry[]> {
  const templates = await db.catalogTemplate.findMany({
    where: { archivedAt: null, active: true },
    orderBy: [{ category: 'asc' }, { name: 'asc' }],
    include: { currentVersionRef: { select: { snapshot: true } } },
  });
  const definitions = templates.map((t) => (t.currentVersionRef ? definitionFromSnapshot(t.currentVersionRef.snapshot) : null));
  // Only the rates of instance types the catalog uses (a price book may hold thousands more).
  const skus = definitions.flatMap((d) => d?.mappings.flatMap((m) => Object.values(m.instanceTypes)) ?? []);
  // Cards price each mapping at its own region's rate, "*" mappings at the "*" (list) rate.
  const regionCodes = definitions.flatMap((d) => d?.mappings.map((m) => m.regionCode) ?? []);
  const ctx = await loadPriceContext(db, { at: options.at, projectId: options.projectId, skus, regionCodes });
  const entries: CatalogEntry[] = [];
  for (const [index, t] of templates.entries()) {
    const d = definitions[index];
    if (!d) continue;
    if (options.projectIds && d.allowedProjectIds.length > 0 && !d.allowedProjectIds.some((id) => options.projectIds!.includes(id))) continue;
    const kinds = PROVIDER_ORDER.filter((k) => d.mappings.some((m) => m.providerKind === k) && (d.allowedProviderKinds.length === 0 || d.allowedProviderKinds.includes(k)));
    const priceOf = (kind: ProviderKind, sizeName: string): number | null => {
      const prices = d.mappings
        .filter((m) => m.providerKind === kind)
        .map((m) => priceTemplatePlacement(ctx, d, sizeName, kind, m.regionCode))
        .filter((p): p is NonNullable<typeof p> => p !== null)
        .map((p) => Number(p.totalMonthly));
      return prices.length ? Math.min(...prices) : null;
    };
    const first = d.sizes[0]!;
    const providers: CatalogProviderOption[] = kinds.map((kind) => {
      const mappings = d.mappings.filter((m) => m.providerKind === kind);
      const generic = mappings.find((m) => m.regionCode === '*') ?? mappings[0]!;
      return {
        providerKind: kind,
        label: PROVIDER_LABELS[kind],
        regionCodes: mappings.map((m) => m.regionCode).sort(),
        size: generic.instanceTypes[first.name] ?? '',
        monthlyPrice: priceOf(kind, first.name),
      };
    });
    const minOf = (values: (number | null)[]) => {
      const priced = values.filter((v): v is number => v !== null);
      return priced.length ? Math.min(...priced) : null;
    };
    const sizes = d.sizes.map((s) => ({
      name: s.name,
      label: s.label ?? s.name,
      vcpus: s.vcpus,
      memoryMiB: s.memoryMiB,
      diskGiB: s.diskGiB,
      fromMonthlyPrice: minOf(kinds.map((k) => priceOf(k, s.name))),
    }));
    entries.push({
      id: t.id,
      slug: t.slug,
      name: d.name,
      description: d.description,
      category: d.category,
      os: d.os,
      version: t.currentVersion,
      vcpus: first.vcpus,
      memoryMiB: first.memoryMiB,
      diskGiB: first.diskGiB,
      sizes,
      defaultLeaseDays: d.defaultLeaseDays,
      maxLeaseDays: d.maxLeaseDays,
      providers,
      fromMonthlyPrice: minOf(sizes.map((s) => s.fromMonthlyPrice)),
      currency: ctx.currency,
    });
  }
  return entries;
}

export interface PriceBookView {
  id: string;
  name: string;
  currency: string;
  source: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  current: boolean;
  rates: PriceRate[];
}

/** Every price book (newest first) with its rates, for the admin price-book page. */
export async function listPriceBooks(db: Db, options: { at?: Date } = {}): Promise<PriceBookView[]> {
  const [books, current] = await Promise.all([
    db.priceBook.findMany({ orderBy: [{ effectiveFrom: 'desc' }, { createdAt: 'desc' }], include: { rates: true } }),
    currentPriceBook(db, options.at),
  ]);
  return books.map((b) => ({
    ...priceBookHeader(b, current?.id),
    rates: b.rates
      .map((r) => ({ providerKind: r.providerKind, regionCode: r.regionCode, sku: r.sku, unit: r.unit, unitPrice: Number(r.unitPrice) }))
      .sort(
        (a, b2) =>
          PROVIDER_ORDER.indexOf(a.providerKind) - PROVIDER_ORDER.indexOf(b2.providerKind) ||
          a.sku.localeCompare(b2.sku) ||
          a.regionCode.localeCompare(b2.regionCode),
      ),
  }));
}
