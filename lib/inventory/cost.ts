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

type Priceable = Omit<VmListItem, 'monthlyCost'>;

export async function priceRows<T extends Priceable>(db: Db, rows: T[], cache = new PriceCache(db)): Promise<(T & { monthlyCost: VmListItem['monthlyCost'] })[]> {
  const contexts = await cache.contexts(rows.map((r) => r.project?.id ?? null));
  return rows.map((row) => {
    const ctx = contexts.get(row.project?.id ?? '')!;
    const price =
      row.vcpus !== null && row.memoryMiB !== null
        ? priceVm(ctx, { providerKind: row.providerKind, regionCode: row.regionCode, instanceType: row.size, vcpus: row.vcpus, memoryMiB: row.memoryMiB, diskGiB: row.diskGiB ?? 0 })
        : null;
    return { ...row, monthlyCost: price ? { amount: price.totalMonthly, currency: price.currency } : null };
  });
}
