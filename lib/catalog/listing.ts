// Read-only catalog views: the active templates with where each can run and what it costs per
// month, priced from the price book in effect (Rate rows). Framework-free.
import type { Db } from '../db/client';
import type { ProviderKind, RateUnit } from '@/generated/prisma/enums';

/** Hours per month used for every monthly estimate (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;

export const PROVIDER_ORDER: readonly ProviderKind[] = ['vsphere', 'aws', 'azure', 'gcp'];

export const PROVIDER_LABELS: Record<ProviderKind, string> = {
  vsphere: 'VMware vSphere',
  aws: 'AWS',
  azure: 'Azure',
  gcp: 'Google Cloud',
};

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
  size: string;
  monthlyPrice: number | null;
}

export interface CatalogEntry {
  id: string;
  slug: string;
  name: string;
  description: string;
  category: string;
  os: string;
  vcpus: number;
  memoryMiB: number;
  diskGiB: number;
  defaultLeaseDays: number | null;
  providers: CatalogProviderOption[];
  /** Cheapest monthly price over the providers, or null when none is priced. */
  fromMonthlyPrice: number | null;
  currency: string;
}

export async function listCatalog(db: Db, options: { at?: Date } = {}): Promise<CatalogEntry[]> {
  const [templates, book] = await Promise.all([
    db.catalogTemplate.findMany({
      where: { active: true },
      orderBy: [{ category: 'asc' }, { name: 'asc' }],
      include: { mappings: true },
    }),
    currentPriceBook(db, options.at),
  ]);
  const rates: PriceRate[] = (book?.rates ?? []).map((r) => ({
    providerKind: r.providerKind,
    regionCode: r.regionCode,
    sku: r.sku,
    unit: r.unit,
    unitPrice: Number(r.unitPrice),
  }));
  return templates.map((t) => {
    const providers: CatalogProviderOption[] = [];
    for (const kind of PROVIDER_ORDER) {
      const mappings = t.mappings.filter((m) => m.providerKind === kind);
      if (mappings.length === 0) continue;
      const prices = mappings
        .map((m) => monthlyPrice(rates, kind, m.size, t, m.regionCode === '*' ? undefined : m.regionCode))
        .filter((p): p is number => p !== null);
      const generic = mappings.find((m) => m.regionCode === '*') ?? mappings[0]!;
      providers.push({
        providerKind: kind,
        label: PROVIDER_LABELS[kind],
        regionCodes: mappings.map((m) => m.regionCode).sort(),
        size: generic.size,
        monthlyPrice: prices.length ? Math.min(...prices) : null,
      });
    }
    const priced = providers.map((p) => p.monthlyPrice).filter((p): p is number => p !== null);
    return {
      id: t.id,
      slug: t.slug,
      name: t.name,
      description: t.description,
      category: t.category,
      os: t.os,
      vcpus: t.vcpus,
      memoryMiB: t.memoryMiB,
      diskGiB: t.diskGiB,
      defaultLeaseDays: t.defaultLeaseDays,
      providers,
      fromMonthlyPrice: priced.length ? Math.min(...priced) : null,
      currency: book?.currency ?? 'USD',
    };
  });
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
    id: b.id,
    name: b.name,
    currency: b.currency,
    source: b.source,
    effectiveFrom: b.effectiveFrom.toISOString().slice(0, 10),
    effectiveTo: b.effectiveTo ? b.effectiveTo.toISOString().slice(0, 10) : null,
    current: b.id === current?.id,
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
