// CostResourceRollup: one leaf's totals per resource over the whole period, with the daily rollup's
// filter dimensions. A breakdown by resource over a range that holds every (filtered) row of a leaf —
// a whole month, the usual view — groups these rows (one per resource and dimension combination,
// ~4× fewer than the leaf's on the benchmark's data) instead of the raw rows; other leaves of the
// range are read raw in the same statement (costs.ts). Cleared by the swap (partitions.ts swapLeaf),
// rebuilt after it commits by the importer and the demo seed, like the tag rollup; a leaf without it
// (not yet built, or its build failed) has no CostResourceRollupLeaf row and is read raw.
import type { Prisma } from '@/generated/prisma/client';
import type { Db } from '../db/client';
import { rebuildForImportedLeaves } from './partitions';

type Tx = Prisma.TransactionClient | Db;

const SAFE_NAME = /^[A-Za-z0-9_]+$/;

/** The statements of a leaf's rebuild (shared with scripts/bench/billing.ts, which times them). $1 billing month, $2 scope key. */
export const resourceRollupSql = {
  deleteRows: `DELETE FROM "CostResourceRollup" WHERE "billingMonth" = $1::date AND "scopeKey" = $2`,
  deleteLeaf: `DELETE FROM "CostResourceRollupLeaf" WHERE "billingMonth" = $1::date AND "scopeKey" = $2`,
  insertLeaf: `INSERT INTO "CostResourceRollupLeaf" ("billingMonth", "scopeKey") VALUES ($1::date, $2)`,
  /**
   * The hash table of ~50k numeric groups per 200k rows outgrows the default work_mem (4 MB × 2) and
   * spills to disk in batches; 64 MB for this transaction keeps it in memory.
   */
  workMem: `SELECT set_config('work_mem', '64MB', true)`,
  /**
   * One scan of the leaf; '' stands for a null or empty ResourceId, as in the breakdown. Inserted in
   * resourceKey order, so a leaf's rows lie in the index's order: the breakdown's index scan of a
   * leaf then reads its pages in sequence (unordered, it touched one heap page per row: 50k buffer
   * visits, half the ranking's time).
   */
  insertRows: (leaf: string) => {
    if (!SAFE_NAME.test(leaf)) throw new Error(`unsafe identifier ${leaf}`);
    return `INSERT INTO "CostResourceRollup" ("billingMonth", "scopeKey", "resourceKey", "providerName", "billingCurrency", "chargeCategory",
        "region", "projectId", "serviceCategory", "serviceName", "subAccountId", "billedCost", "effectiveCost", "rowCount")
      SELECT $1::date, $2, COALESCE("resourceId", ''), "providerName", "billingCurrency", "chargeCategory", COALESCE("regionId", "regionName"),
        "projectId", "serviceCategory", "serviceName", "subAccountId", sum("billedCost"), sum("effectiveCost"), count(*)
      FROM "${leaf}" GROUP BY 3, 4, 5, 6, 7, 8, 9, 10, 11 ORDER BY 3`;
  },
};

/** Drop a period's resource rollup (the swap does: a replaced leaf's totals must never outlive it). */
export async function clearResourceRollup(tx: Tx, billingMonth: string, scopeKey: string): Promise<void> {
  await tx.$executeRawUnsafe(resourceRollupSql.deleteRows, billingMonth, scopeKey);
  await tx.$executeRawUnsafe(resourceRollupSql.deleteLeaf, billingMonth, scopeKey);
}

/** Recompute the resource rollup of the leaf (billingMonth, scopeKey) — table `leaf` — from its rows (in a transaction). */
export async function rebuildResourceRollup(tx: Tx, billingMonth: string, scopeKey: string, leaf: string): Promise<void> {
  await clearResourceRollup(tx, billingMonth, scopeKey);
  await tx.$queryRawUnsafe(resourceRollupSql.workMem);
  await tx.$executeRawUnsafe(resourceRollupSql.insertRows(leaf), billingMonth, scopeKey);
  await tx.$executeRawUnsafe(resourceRollupSql.insertLeaf, billingMonth, scopeKey);
}

/** The resource rollup of each period an import just swapped in (see rebuildForImportedLeaves). */
export async function buildResourceRollups(db: Db, importId: string, periods: readonly { month: string; scopeKey: string }[]): Promise<void> {
  await rebuildForImportedLeaves(db, importId, periods, 'resource rollup', rebuildResourceRollup);
}
