// Where a template can run for a project and what each placement costs per month: every enabled
// region of every enabled provider account the template allows and has a mapping for.
import type { ProviderKind } from '@/generated/prisma/enums';
import { Prisma } from '@/generated/prisma/client';
import { PROVIDER_LABELS, PROVIDER_ORDER } from '../catalog/listing';
import { mappingFor, priceVm, type PriceContext, type TemplateDefinition, type TemplateSize } from './ports';
import type { Tx } from './timeline';

export interface Placement {
  providerAccountId: string;
  providerAccountName: string;
  providerKind: ProviderKind;
  providerLabel: string;
  region: string;
  regionName: string;
  instanceType: string;
  image: string;
  monthlyCost: string | null;
  monthlyCostPerVm: string | null;
  computeMonthly: string | null;
  diskMonthly: string | null;
  currency: string;
  cheapest: boolean;
}

export interface AccountRegions { id: string; name: string; kind: ProviderKind; regions: { code: string; name: string }[] }

export async function loadEnabledAccounts(db: Tx): Promise<AccountRegions[]> {
  const accounts = await db.providerAccount.findMany({
    where: { enabled: true },
    select: { id: true, name: true, kind: true, regions: { where: { enabled: true }, select: { code: true, name: true }, orderBy: { code: 'asc' } } },
    orderBy: { name: 'asc' },
  });
  return accounts;
}

export function templateAllowsProject(def: TemplateDefinition, projectId: string): boolean {
  return def.allowedProjectIds.length === 0 || def.allowedProjectIds.includes(projectId);
}

/** Pure: placements for one size and count, priced, cheapest marked (ties: all of them). */
export function computePlacements(def: TemplateDefinition, size: TemplateSize, count: number, accounts: readonly AccountRegions[], prices: PriceContext): Placement[] {
  const out: Placement[] = [];
  for (const account of accounts) {
    if (def.allowedProviderKinds.length && !def.allowedProviderKinds.includes(account.kind)) continue;
    for (const region of account.regions) {
      if (def.allowedRegions.length && !def.allowedRegions.includes(`${account.kind}:${region.code}`)) continue;
      const mapping = mappingFor(def, account.kind, region.code);
      const instanceType = mapping?.instanceTypes[size.name];
      if (!mapping || !instanceType) continue;
      const price = priceVm(prices, { providerKind: account.kind, regionCode: region.code, instanceType, vcpus: size.vcpus, memoryMiB: size.memoryMiB, diskGiB: size.diskGiB });
      out.push({
        providerAccountId: account.id,
        providerAccountName: account.name,
        providerKind: account.kind,
        providerLabel: PROVIDER_LABELS[account.kind],
        region: region.code,
        regionName: region.name,
        instanceType,
        image: mapping.image,
        monthlyCost: price ? new Prisma.Decimal(price.totalMonthly).times(count).toFixed(2) : null,
        monthlyCostPerVm: price?.totalMonthly ?? null,
        computeMonthly: price ? new Prisma.Decimal(price.computeMonthly).times(count).toFixed(2) : null,
        diskMonthly: price ? new Prisma.Decimal(price.diskMonthly).times(count).toFixed(2) : null,
        currency: price?.currency ?? prices.currency,
        cheapest: false,
      });
    }
  }
  const priced = out.filter((p) => p.monthlyCost !== null);
  if (priced.length) {
    const min = Prisma.Decimal.min(...priced.map((p) => new Prisma.Decimal(p.monthlyCost!)));
    for (const p of priced) p.cheapest = new Prisma.Decimal(p.monthlyCost!).equals(min);
  }
  return out.sort(
    (a, b) =>
      (a.monthlyCost === null ? 1 : 0) - (b.monthlyCost === null ? 1 : 0) ||
      (a.monthlyCost !== null && b.monthlyCost !== null ? Number(a.monthlyCost) - Number(b.monthlyCost) : 0) ||
      PROVIDER_ORDER.indexOf(a.providerKind) - PROVIDER_ORDER.indexOf(b.providerKind) ||
      a.providerAccountName.localeCompare(b.providerAccountName) ||
      a.region.localeCompare(b.region),
  );
}
