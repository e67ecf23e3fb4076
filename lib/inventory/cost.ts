// Monthly cost of inventory rows from the price book (contract 6: priceVm). The price book and the
// global rules load once; project markup/discount rules load in one query for all projects of a page
// and are cached across pages (the CSV export), so pricing costs at most two queries per page.
import { Prisma } from '@/generated/prisma/client';
import { loadPriceContext, priceVm, type PriceContext, type PriceRuleContext } from '../catalog/pricing';
import type { Db } from '../db/client';
import type { VmListItem } from './schemas';

export class PriceCache {
  private base: Promise<PriceContext> | null = null;
  private projectRules = new Map<string, PriceRuleContext[]>();
  constructor(private readonly db: Db) {}

  /** One context per project: the global context plus that project's own rules. */
  async contexts(projectIds: (string | null)[]): Promise<Map<string, PriceContext>> {
    this.base ??= loadPriceContext(this.db);
    const base = await this.base;
    const missing = [...new Set(projectIds.filter((id): id is string => id !== null && !this.projectRules.has(id)))];
    if (missing.length) {
      const rules = await this.db.priceRule.findMany({ where: { enabled: true, projectId: { in: missing } }, orderBy: { createdAt: 'asc' } });
      for (const id of missing) this.projectRules.set(id, []);
      for (const r of rules) {
        this.projectRules.get(r.projectId!)!.push({
          id: r.id, name: r.name, adjustment: r.adjustment, percent: new Prisma.Decimal(r.percent), providerKind: r.providerKind, projectId: r.projectId,
        });
      }
    }
    const out = new Map<string, PriceContext>([['', base]]);
    for (const id of projectIds) {
      if (id === null || out.has(id)) continue;
      const own = this.projectRules.get(id) ?? [];
      out.set(id, own.length ? { ...base, projectId: id, rules: [...base.rules, ...own] } : base);
    }
    return out;
  }
}

/** The stored figure of VmMonthlyCost (lib/inventory/cost-refresh.ts), when the refresh has seen the VM. */
export interface StoredCost {
  amount: string | null;
  currency: string | null;
  source: string;
}
export type Unpriced = Omit<VmListItem, 'monthlyCost' | 'monthlyCostSource'> & { stored: StoredCost | null };
type Priced<T> = Omit<T, 'stored'> & Pick<VmListItem, 'monthlyCost' | 'monthlyCostSource'>;

/** The price-book figure of one VM (null when no rate matches or its size is unknown). */
export function priceBookMonthly(ctx: PriceContext, row: Pick<VmListItem, 'providerKind' | 'regionCode' | 'size' | 'vcpus' | 'memoryMiB' | 'diskGiB'>) {
  if (row.vcpus === null || row.memoryMiB === null) return null;
  const price = priceVm(ctx, { providerKind: row.providerKind, regionCode: row.regionCode, instanceType: row.size, vcpus: row.vcpus, memoryMiB: row.memoryMiB, diskGiB: row.diskGiB ?? 0 });
  return price ? { amount: price.totalMonthly, currency: price.currency } : null;
}

/**
 * The monthly cost of each row: the stored figure (the one the cost sort and filter use) when the
 * refresh job has computed it, else priced from the price book now (a VM synced since the last refresh).
 */
export async function priceRows<T extends Unpriced>(db: Db, rows: T[], cache = new PriceCache(db)): Promise<Priced<T>[]> {
  const unstored = rows.filter((r) => r.stored === null);
  const contexts = unstored.length ? await cache.contexts(unstored.map((r) => r.project?.id ?? null)) : new Map<string, PriceContext>();
  return rows.map(({ stored, ...row }) => {
    if (stored) {
      const source = stored.source === 'billing' || stored.source === 'price_book' ? stored.source : null;
      const cost = stored.amount !== null && stored.currency !== null && source ? { amount: stored.amount, currency: stored.currency } : null;
      return { ...row, monthlyCost: cost, monthlyCostSource: cost ? source : null };
    }
    const cost = priceBookMonthly(contexts.get(row.project?.id ?? '')!, row);
    return { ...row, monthlyCost: cost, monthlyCostSource: cost ? ('price_book' as const) : null };
  });
}
