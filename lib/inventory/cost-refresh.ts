// The stored monthly cost of every VM (VmMonthlyCost), which the inventory's cost column shows,
// sorts by (sort=cost / -cost) and filters on (costMin / costMax). Computed here, off the sync path:
//   - billing: the VM has FOCUS rows (imported or on-prem chargeback) charged this month → the
//     month-end forecast of the cost explorer (lib/billing/money.ts forecastMonthEnd: effective cost
//     month to date ÷ days elapsed × days in the month), in the currency of most of its rows;
//   - price_book: otherwise the price book's monthly figure (rate × 730 h, markup/discount rules);
//   - none: no rate matches (or the size is unknown).
// Only rows whose figure changed are written. The job 'inventory.refresh_costs' runs it: queued after
// each account sync (lib/inventory/tasks.ts) and by a 5-minute cron that refreshes when the price
// book, price rules or cost imports changed (and at least hourly, for chargeback rows and drift).
import { Prisma } from '@/generated/prisma/client';
import { forecastMonthEnd, monthBounds } from '../billing/money';
import type { Db } from '../db/client';
import { jobDb } from '../jobs/context';
import { enqueueJob } from '../jobs/queue';
import type { CronItem, Task, TaskList, Tx } from '../jobs/types';
import { PriceCache, priceBookMonthly } from './cost';

export const REFRESH_COSTS_TASK = 'inventory.refresh_costs';
export const REFRESH_COSTS_CHECK_TASK = 'inventory.refresh_costs_check';
const BATCH = 2000;

type CostSource = 'billing' | 'price_book' | 'none';
interface Figure {
  amount: string | null;
  currency: string | null;
  source: CostSource;
}

/** This month's billing forecast per VM (only VMs with rows charged this month). */
async function billingFigures(db: Db | Tx, at: Date, vmIds?: string[]): Promise<Map<string, Figure>> {
  const { start, end } = monthBounds(at);
  const rows = await db.$queryRaw<{ vmId: string; currency: string; mtd: string }[]>`
    SELECT DISTINCT ON ("vmId") "vmId", "billingCurrency" AS currency, sum("effectiveCost")::text AS mtd
    FROM "CostRecord"
    WHERE "vmId" IS NOT NULL AND "chargePeriodStart" >= ${start} AND "chargePeriodStart" < ${end} AND "chargePeriodStart" <= ${at}
      ${vmIds ? Prisma.sql`AND "vmId" = ANY(${vmIds}::text[])` : Prisma.empty}
    GROUP BY "vmId", "billingCurrency"
    ORDER BY "vmId", count(*) DESC, "billingCurrency"`;
  return new Map(rows.map((r) => [r.vmId, { amount: forecastMonthEnd(r.mtd, at), currency: r.currency, source: 'billing' as const }]));
}

interface VmPricing {
  id: string;
  providerKind: Prisma.VmGetPayload<object>['providerKind'];
  regionCode: string;
  size: string;
  vcpus: number | null;
  memoryMiB: number | null;
  diskGiB: number | null;
  projectId: string | null;
}

async function writeFigures(db: Db | Tx, figures: [string, Figure][]): Promise<number> {
  if (!figures.length) return 0;
  return db.$executeRaw`
    INSERT INTO "VmMonthlyCost" ("vmId", "monthlyCost", "currency", "source", "computedAt")
    SELECT id, cost, currency, source, now() FROM unnest(${figures.map(([id]) => id)}::text[], ${figures.map(([, f]) => f.amount)}::numeric[],
      ${figures.map(([, f]) => f.currency)}::text[], ${figures.map(([, f]) => f.source)}::text[]) AS t(id, cost, currency, source)
    ON CONFLICT ("vmId") DO UPDATE SET "monthlyCost" = EXCLUDED."monthlyCost", "currency" = EXCLUDED."currency", "source" = EXCLUDED."source", "computedAt" = EXCLUDED."computedAt"
    WHERE ("VmMonthlyCost"."monthlyCost", "VmMonthlyCost"."currency", "VmMonthlyCost"."source") IS DISTINCT FROM (EXCLUDED."monthlyCost", EXCLUDED."currency", EXCLUDED."source")`;
}

/**
 * Recomputes the stored monthly cost of every VM (or of `vmIds`), batch by batch (keyset on id), and
 * removes rows of VMs that no longer exist. Returns how many rows were written and from which source.
 */
export async function refreshVmCosts(db: Db | Tx, options: { vmIds?: string[]; at?: Date } = {}) {
  const at = options.at ?? new Date();
  const billing = await billingFigures(db, at, options.vmIds);
  const prices = new PriceCache(db as Db);
  const counts = { billing: 0, price_book: 0, none: 0, written: 0, removed: 0 };
  let after = '';
  for (;;) {
    const vms = await db.$queryRaw<VmPricing[]>`
      SELECT "id", "providerKind", "regionCode", "size", "vcpus", "memoryMiB", "diskGiB", "projectId" FROM "Vm"
      WHERE "id" > ${after} ${options.vmIds ? Prisma.sql`AND "id" = ANY(${options.vmIds}::text[])` : Prisma.empty}
      ORDER BY "id" LIMIT ${BATCH}`;
    if (!vms.length) break;
    const contexts = await prices.contexts(vms.map((v) => v.projectId));
    const figures = vms.map((vm): [string, Figure] => {
      const billed = billing.get(vm.id);
      if (billed) return [vm.id, billed];
      const price = priceBookMonthly(contexts.get(vm.projectId ?? '')!, vm);
      return [vm.id, price ? { ...price, source: 'price_book' } : { amount: null, currency: null, source: 'none' }];
    });
    for (const [, f] of figures) counts[f.source] += 1;
    counts.written += await writeFigures(db, figures);
    after = vms.at(-1)!.id;
    if (vms.length < BATCH) break;
  }
  if (!options.vmIds) {
    counts.removed = await db.$executeRaw`DELETE FROM "VmMonthlyCost" c WHERE NOT EXISTS (SELECT 1 FROM "Vm" v WHERE v."id" = c."vmId")`;
  }
  return counts;
}

/** Queue a full refresh (deduplicated while one is waiting). */
export async function enqueueCostRefresh(tx: Tx, runAt?: Date): Promise<void> {
  await enqueueJob(tx, REFRESH_COSTS_TASK, {}, { jobKey: REFRESH_COSTS_TASK, queueName: REFRESH_COSTS_TASK, maxAttempts: 3, ...(runAt ? { runAt } : {}) });
}

/** What the figures depend on besides the VMs themselves: price books, price rules, cost imports. */
export async function costInputsFingerprint(db: Db | Tx): Promise<string> {
  const rows = await db.$queryRaw<{ fingerprint: string }[]>`
    SELECT concat_ws('|',
      (SELECT concat(count(*), ':', max("createdAt")) FROM "PriceBook"),
      (SELECT count(*) FROM "Rate"),
      (SELECT concat(count(*), ':', max("updatedAt")) FROM "PriceRule"),
      (SELECT concat(count(*), ':', max("finishedAt")) FROM "CostImport")) AS fingerprint`;
  return rows[0]?.fingerprint ?? '';
}

const HOUR_MS = 3_600_000;
// Per worker process: the first check after a start refreshes once, then only on change or hourly.
let lastCheck: { fingerprint: string; at: number } | null = null;

const refreshCosts: Task = async (_payload, helpers) => {
  const result = await refreshVmCosts(jobDb());
  helpers.logger.info(`inventory cost refresh: ${JSON.stringify(result)}`);
};

const refreshCostsCheck: Task = async () => {
  const db = jobDb();
  const fingerprint = await costInputsFingerprint(db);
  if (lastCheck && lastCheck.fingerprint === fingerprint && Date.now() - lastCheck.at < HOUR_MS) return;
  lastCheck = { fingerprint, at: Date.now() };
  await enqueueCostRefresh(db);
};

export const costTasks: TaskList = { [REFRESH_COSTS_TASK]: refreshCosts, [REFRESH_COSTS_CHECK_TASK]: refreshCostsCheck };
export const costCron: CronItem[] = [
  { task: REFRESH_COSTS_CHECK_TASK, identifier: REFRESH_COSTS_CHECK_TASK, match: (digest) => digest.min % 5 === 0, options: { backfillPeriod: 0, maxAttempts: 1 } },
];
