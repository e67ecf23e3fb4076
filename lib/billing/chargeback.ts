// On-prem chargeback in the same model as cloud bills: for every VMware VM, the vSphere rate card
// (the price book's vsphere vcpu / memory-gib / disk-gib rates) × size × hours in each state, written
// as FOCUS rows and imported through the same validated path (so one model and one view hold all
// providers). Recomputed for the whole month to date on each run: the month's partition for each
// vSphere account is replaced, so re-running a day never double-counts.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AuditContext } from '../audit/record';
import type { Db } from '../db/client';
import { ON_PREM_PROVIDER_NAME } from './focus-providers';
import { importCostFile, type ImportResult } from './importer';
import { Decimal, monthBounds } from './money';

const HOURS_PER_MONTH = 730; // FinOps convention for monthly → hourly rates
const DAY_MS = 86_400_000;
const POWERED_ON = new Set(['running', 'rebooting', 'reconfiguring']);
/** States in which a VM still holds its disk (everything but deleted). */
const EXISTING = new Set(['pending', 'running', 'stopping', 'stopped', 'deallocated', 'rebooting', 'reconfiguring', 'deleting', 'error', 'unknown']);

export interface RateCard {
  currency: string;
  /** per hour */
  vcpu: InstanceType<typeof Decimal>;
  memoryGiB: InstanceType<typeof Decimal>;
  diskGiB: InstanceType<typeof Decimal>;
}

export async function loadVsphereRateCard(db: Db, at: Date): Promise<RateCard | null> {
  const rates = await db.rate.findMany({
    where: {
      providerKind: 'vsphere',
      sku: { in: ['vcpu', 'memory-gib', 'disk-gib'] },
      priceBook: { effectiveFrom: { lte: at }, OR: [{ effectiveTo: null }, { effectiveTo: { gt: at } }] },
    },
    include: { priceBook: { select: { currency: true, effectiveFrom: true } } },
    orderBy: { priceBook: { effectiveFrom: 'desc' } },
  });
  if (!rates.length) return null;
  const hourly = (sku: string) => {
    const r = rates.find((x) => x.sku === sku);
    if (!r) return new Decimal(0);
    const price = new Decimal(r.unitPrice.toString());
    return r.unit === 'month' ? price.div(HOURS_PER_MONTH) : price;
  };
  return { currency: rates[0]!.priceBook.currency, vcpu: hourly('vcpu'), memoryGiB: hourly('memory-gib'), diskGiB: hourly('disk-gib') };
}

const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const HEADER = [
  'BillingAccountId', 'BillingAccountName', 'BillingPeriodStart', 'BillingPeriodEnd', 'ChargePeriodStart', 'ChargePeriodEnd',
  'ChargeCategory', 'ChargeFrequency', 'ChargeDescription', 'PricingCategory', 'BilledCost', 'EffectiveCost', 'ListCost', 'ListUnitPrice',
  'BillingCurrency', 'PricingQuantity', 'PricingUnit', 'ConsumedQuantity', 'ConsumedUnit', 'ProviderName', 'PublisherName',
  'InvoiceIssuerName', 'RegionId', 'RegionName', 'ResourceId', 'ResourceName', 'ResourceType', 'ServiceCategory', 'ServiceName',
  'SkuId', 'SubAccountId', 'SubAccountName', 'Tags',
];

/**
 * Chargeback for the month of `through` (days from the 1st up to, not including, `through`'s day
 * when `through` is midnight — i.e. complete days). VM state history is not kept by inventory, so
 * each VM is charged in its current state for the hours it existed each day: powered on = vCPU +
 * memory + disk; powered off / suspended = disk only; deleted = nothing after deletedAt.
 */
export async function runChargeback(
  db: Db,
  connectionString: string,
  options: { through: Date; organisationName: string; audit: AuditContext; rollupTagKeys?: string[] },
): Promise<ImportResult[]> {
  const endDay = new Date(Date.UTC(options.through.getUTCFullYear(), options.through.getUTCMonth(), options.through.getUTCDate()));
  const monthOf = new Date(endDay.getTime() - 1); // the month of the last complete day
  const { start: monthStart, end: monthEnd } = monthBounds(monthOf);
  const rateCard = await loadVsphereRateCard(db, monthStart);
  if (!rateCard) return [];
  const accounts = await db.providerAccount.findMany({ where: { kind: 'vsphere' }, select: { id: true, name: true } });
  const results: ImportResult[] = [];
  const dir = await mkdtemp(path.join(tmpdir(), 'skyport-chargeback-'));
  try {
    for (const account of accounts) {
      const vms = await db.vm.findMany({
        where: { providerAccountId: account.id, OR: [{ deletedAt: null }, { deletedAt: { gt: monthStart } }] },
        include: { project: { select: { key: true, name: true } } },
      });
      const lines: string[] = [HEADER.join(',')];
      for (const vm of vms) {
        const born = (vm.providerCreatedAt ?? vm.firstSeenAt).getTime();
        const gone = vm.deletedAt?.getTime() ?? Number.POSITIVE_INFINITY;
        const on = POWERED_ON.has(vm.state);
        if (!EXISTING.has(vm.state) && !vm.deletedAt) continue;
        for (let d = monthStart.getTime(); d < Math.min(endDay.getTime(), monthEnd.getTime()); d += DAY_MS) {
          const from = Math.max(d, born);
          const to = Math.min(d + DAY_MS, gone);
          if (to <= from) continue;
          const hours = new Decimal(to - from).div(3_600_000);
          const parts: { sku: string; unit: string; qty: InstanceType<typeof Decimal>; rate: InstanceType<typeof Decimal>; category: string; service: string }[] = [];
          if (on && vm.vcpus) parts.push({ sku: 'vcpu', unit: 'vCPU-Hours', qty: hours.mul(vm.vcpus), rate: rateCard.vcpu, category: 'Compute', service: 'vSphere compute' });
          if (on && vm.memoryMiB) parts.push({ sku: 'memory-gib', unit: 'GiB-Hours', qty: hours.mul(vm.memoryMiB).div(1024), rate: rateCard.memoryGiB, category: 'Compute', service: 'vSphere compute' });
          if (vm.diskGiB) parts.push({ sku: 'disk-gib', unit: 'GiB-Hours', qty: hours.mul(vm.diskGiB), rate: rateCard.diskGiB, category: 'Storage', service: 'vSphere storage' });
          for (const p of parts) {
            const cost = p.qty.mul(p.rate).toDecimalPlaces(10).toFixed();
            const row = [
              account.id, account.name, monthStart.toISOString(), monthEnd.toISOString(), new Date(from).toISOString(), new Date(to).toISOString(),
              'Usage', 'Usage-Based', `${vm.name} ${p.sku} (${vm.state})`, 'Standard', cost, cost, cost, p.rate.toDecimalPlaces(10).toFixed(),
              rateCard.currency, p.qty.toDecimalPlaces(10).toFixed(), p.unit, hours.toDecimalPlaces(10).toFixed(), 'Hours', ON_PREM_PROVIDER_NAME, ON_PREM_PROVIDER_NAME,
              options.organisationName, vm.regionCode, vm.regionCode, vm.providerId, vm.name, 'Virtual Machine', p.category, p.service,
              p.sku, vm.project?.key ?? '', vm.project?.name ?? '', JSON.stringify(vm.tags ?? {}),
            ];
            lines.push(row.map((v) => csvCell(String(v))).join(','));
          }
        }
      }
      if (lines.length === 1) continue;
      const file = path.join(dir, `chargeback-${account.id}.csv`);
      await writeFile(file, lines.join('\n'));
      const result = await importCostFile(db, connectionString, file, {
        fileName: `vSphere chargeback ${monthStart.toISOString().slice(0, 7)} (${account.name})`,
        providerAccountId: account.id,
        rollupTagKeys: options.rollupTagKeys, // the same keys as the cloud imports
        audit: options.audit,
      });
      await db.costImport.update({ where: { id: result.importId }, data: { source: 'chargeback' } });
      results.push(result);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return results;
}
