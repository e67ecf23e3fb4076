// Monthly prices from the price book in effect, with markup/discount rules. One load
// (`loadPriceContext`), then synchronous, decimal-exact pricing per placement (`priceVm`), so the
// request form can price every placement side by side without more queries.
//
// Compute: the instance type's rate (hourly × 730, or a monthly rate as is); a provider without a
// rate for the type but with a chargeback rate card (skus vcpu, memory-gib) is priced per vCPU and
// GiB of RAM (the vSphere rate card). Disk: the provider's disk-gib rate × GiB (0 without one).
// Rules: every enabled rule for the provider (or all) and the project (or all) adds its percent;
// factor = 1 + Σ markup − Σ discount (never below 0), applied to compute and disk.
import { Prisma } from '@/generated/prisma/client';
import type { ProviderKind, RateUnit } from '@/generated/prisma/enums';
import type { Db } from '../db/client';
import { CHARGEBACK_SKUS, DISK_SKU, type TemplateDefinition, type TemplateMapping } from './schemas';

type Tx = Prisma.TransactionClient | Db;
type Decimal = Prisma.Decimal;
const D = (v: Prisma.Decimal | string | number) => new Prisma.Decimal(v);

/** Hours per month used for every monthly estimate (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;

export interface PriceRuleContext {
  id: string;
  name: string;
  adjustment: 'markup' | 'discount';
  percent: Decimal;
  providerKind: ProviderKind | null;
  projectId: string | null;
}

export interface PriceContext {
  priceBookId: string | null;
  priceBookName: string | null;
  currency: string;
  projectId: string | null;
  /** key: rateKey(kind, region, sku, unit) */
  rates: Map<string, Decimal>;
  rules: PriceRuleContext[];
}

interface RateRow {
  providerKind: ProviderKind;
  regionCode: string;
  sku: string;
  unit: RateUnit;
  unitPrice: string;
}

export const rateKey = (kind: ProviderKind, regionCode: string, sku: string, unit: RateUnit) => `${kind}|${regionCode}|${sku}|${unit}`;

/** The price book in effect on `at`: the latest one whose validity covers that day. */
export async function currentPriceBookId(db: Tx, at: Date = new Date()) {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  return db.priceBook.findFirst({
    where: { effectiveFrom: { lte: day }, OR: [{ effectiveTo: null }, { effectiveTo: { gte: day } }] },
    orderBy: [{ effectiveFrom: 'desc' }, { createdAt: 'desc' }],
    select: { id: true, name: true, currency: true },
  });
}

/** The header fields every price-book list shows; dates as YYYY-MM-DD (validity is by UTC day). */
export function priceBookHeader(
  book: { id: string; name: string; currency: string; source: string; effectiveFrom: Date; effectiveTo: Date | null },
  currentId: string | undefined,
) {
  return {
    id: book.id,
    name: book.name,
    currency: book.currency,
    source: book.source,
    effectiveFrom: book.effectiveFrom.toISOString().slice(0, 10),
    effectiveTo: book.effectiveTo ? book.effectiveTo.toISOString().slice(0, 10) : null,
    current: book.id === currentId,
  };
}

/**
 * The price book in effect (or `priceBookId`) and the enabled rules for `projectId`. `skus` limits
 * the rates loaded to those instance types (plus the chargeback and disk skus), for callers that
 * know what they will price — a book of 20,000 rates otherwise costs a few hundred ms to load.
 */
export async function loadPriceContext(
  db: Tx,
  options: { projectId?: string; at?: Date; priceBookId?: string; skus?: readonly string[]; regionCodes?: readonly string[] } = {},
): Promise<PriceContext> {
  const book = options.priceBookId
    ? await db.priceBook.findUnique({ where: { id: options.priceBookId }, select: { id: true, name: true, currency: true } })
    : await currentPriceBookId(db, options.at);
  // null = no filter. "*" rates always apply, so they are always loaded with a region filter.
  const skus = options.skus ? [...new Set([...options.skus, ...CHARGEBACK_SKUS, DISK_SKU])] : null;
  const regions = options.regionCodes ? [...new Set(['*', ...options.regionCodes])] : null;
  const [rates, rules] = await Promise.all([
    // Raw SQL with the price as text: Prisma's Decimal mapping dominates the load time of big books.
    book
      ? db.$queryRaw<RateRow[]>`
          SELECT "providerKind"::text AS "providerKind", "regionCode", sku, unit::text AS unit, "unitPrice"::text AS "unitPrice"
          FROM "Rate"
          WHERE "priceBookId" = ${book.id}
            AND (${skus}::text[] IS NULL OR sku = ANY(${skus}::text[]))
            AND (${regions}::text[] IS NULL OR "regionCode" = ANY(${regions}::text[]))`
      : [],
    db.priceRule.findMany({
      where: { enabled: true, OR: [{ projectId: null }, ...(options.projectId ? [{ projectId: options.projectId }] : [])] },
      orderBy: { createdAt: 'asc' },
    }),
  ]);
  return {
    priceBookId: book?.id ?? null,
    priceBookName: book?.name ?? null,
    currency: book?.currency ?? 'USD',
    projectId: options.projectId ?? null,
    rates: new Map(rates.map((r) => [rateKey(r.providerKind, r.regionCode, r.sku, r.unit), D(r.unitPrice)])),
    rules: rules.map((r) => ({ id: r.id, name: r.name, adjustment: r.adjustment, percent: D(r.percent), providerKind: r.providerKind, projectId: r.projectId })),
  };
}

/** The region's own rate, else the "*" rate, else null. */
function rate(ctx: PriceContext, kind: ProviderKind, regionCode: string, sku: string, unit: RateUnit): Decimal | null {
  return ctx.rates.get(rateKey(kind, regionCode, sku, unit)) ?? ctx.rates.get(rateKey(kind, '*', sku, unit)) ?? null;
}

/** A per-month amount for one unit of `sku`: an hourly rate × 730, or the monthly rate. */
function monthlyRate(ctx: PriceContext, kind: ProviderKind, regionCode: string, sku: string): Decimal | null {
  const hourly = rate(ctx, kind, regionCode, sku, 'hour');
  if (hourly) return hourly.mul(HOURS_PER_MONTH);
  return rate(ctx, kind, regionCode, sku, 'month');
}

/** The rules that apply to one provider in this context, and the resulting price factor. */
export function priceFactor(ctx: PriceContext, providerKind: ProviderKind): { factor: Decimal; rules: PriceRuleContext[] } {
  const rules = ctx.rules.filter((r) => (r.providerKind === null || r.providerKind === providerKind) && (r.projectId === null || r.projectId === ctx.projectId));
  let factor = D(1);
  for (const r of rules) factor = r.adjustment === 'markup' ? factor.plus(r.percent.div(100)) : factor.minus(r.percent.div(100));
  return { factor: Prisma.Decimal.max(factor, 0), rules };
}

export interface VmPrice {
  computeMonthly: string;
  diskMonthly: string;
  totalMonthly: string;
  currency: string;
}

export function priceVm(
  ctx: PriceContext,
  vm: { providerKind: ProviderKind; regionCode: string; instanceType: string; vcpus: number; memoryMiB: number; diskGiB: number },
): VmPrice | null {
  const { providerKind: kind, regionCode } = vm;
  let compute = monthlyRate(ctx, kind, regionCode, vm.instanceType);
  if (compute === null) {
    const [vcpuSku, memorySku] = CHARGEBACK_SKUS;
    const perVcpu = monthlyRate(ctx, kind, regionCode, vcpuSku);
    const perGib = monthlyRate(ctx, kind, regionCode, memorySku);
    if (perVcpu === null || perGib === null) return null;
    compute = perVcpu.mul(vm.vcpus).plus(perGib.mul(D(vm.memoryMiB).div(1024)));
  }
  const diskRate = monthlyRate(ctx, kind, regionCode, DISK_SKU);
  const disk = diskRate ? diskRate.mul(vm.diskGiB) : D(0);
  const { factor } = priceFactor(ctx, kind);
  const computeMonthly = compute.mul(factor).toDecimalPlaces(2, Prisma.Decimal.ROUND_HALF_UP);
  const diskMonthly = disk.mul(factor).toDecimalPlaces(2, Prisma.Decimal.ROUND_HALF_UP);
  return {
    computeMonthly: computeMonthly.toFixed(2),
    diskMonthly: diskMonthly.toFixed(2),
    totalMonthly: computeMonthly.plus(diskMonthly).toFixed(2),
    currency: ctx.currency,
  };
}

/** The mapping for one placement: the region's own mapping wins over the "*" one. */
export function mappingFor(definition: Pick<TemplateDefinition, 'mappings'>, providerKind: ProviderKind, regionCode: string): TemplateMapping | null {
  const own = definition.mappings.find((m) => m.providerKind === providerKind && m.regionCode === regionCode);
  return own ?? definition.mappings.find((m) => m.providerKind === providerKind && m.regionCode === '*') ?? null;
}

/** Price of one VM of `sizeName` from a template definition at one placement; null if unmapped/unpriced. */
export function priceTemplatePlacement(
  ctx: PriceContext,
  definition: Pick<TemplateDefinition, 'mappings' | 'sizes'>,
  sizeName: string,
  providerKind: ProviderKind,
  regionCode: string,
): (VmPrice & { instanceType: string; image: string }) | null {
  const size = definition.sizes.find((s) => s.name === sizeName);
  const mapping = mappingFor(definition, providerKind, regionCode);
  const instanceType = mapping?.instanceTypes[sizeName];
  if (!size || !mapping || !instanceType) return null;
  const price = priceVm(ctx, { providerKind, regionCode, instanceType, vcpus: size.vcpus, memoryMiB: size.memoryMiB, diskGiB: size.diskGiB });
  return price ? { ...price, instanceType, image: mapping.image } : null;
}

/** Σ of decimal strings, exact (for totals over items). */
export function sumMoney(values: readonly string[]): string {
  return values.reduce((acc, v) => acc.plus(v), D(0)).toFixed(2);
}

/** amount × count, exact. */
export function timesMoney(amount: string, count: number): string {
  return D(amount).mul(count).toFixed(2);
}
