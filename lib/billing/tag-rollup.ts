// CostTagRollup: one leaf's daily totals per value of a few tag keys (the project / cost-centre
// mapping keys and any configured extras), with the daily rollup's filter dimensions, so the cost
// explorer's breakdown by such a tag reads a few thousand rollup rows instead of every raw row's
// jsonb tags. Rebuilt from the leaf in the swap transaction (partitions.ts swapLeaf), so every path
// that imports a period (typed COPY, normalising COPY, row path; chargeback imports too) keeps it.
import type { Prisma } from '@/generated/prisma/client';
import type { Db } from '../db/client';

type Tx = Prisma.TransactionClient | Db;

/** The keys an import rolls up when not told: its project / cost-centre mapping's tag keys, each once, in a stable order. */
export function rollupTagKeys(mapping: readonly { tag: string }[]): string[] {
  return [...new Set(mapping.map((m) => m.tag).filter((k) => k.length > 0))].sort();
}

/** CostTagRollup's columns, in order (those of tagRollupSelect). */
const COLUMNS = ['billingMonth', 'scopeKey', 'day', 'lastDay', 'tagKey', 'tagValue', 'providerName', 'billingCurrency', 'chargeCategory', 'region', 'projectId', 'serviceCategory', 'serviceName', 'subAccountId', 'billedCost', 'effectiveCost', 'rowCount']
  .map((c) => `"${c}"`)
  .join(', ');

/** The rolled-up dimensions besides the tag: the daily rollup's (ROLLUP_SELECT's day rule, so a range selects the same rows from both). */
const DIMENSIONS = `"billingMonth", "scopeKey", "chargePeriodStart"::date AS "day",
    GREATEST("chargePeriodStart"::date, ("chargePeriodEnd" - interval '1 millisecond')::date) AS "lastDay",
    "providerName", "billingCurrency", "chargeCategory", COALESCE("regionId", "regionName") AS "region", "projectId",
    "serviceCategory", "serviceName", "subAccountId"`;
const DIMENSION_NAMES = '"billingMonth", "scopeKey", "day", "lastDay", "providerName", "billingCurrency", "chargeCategory", "region", "projectId", "serviceCategory", "serviceName", "subAccountId"';

/**
 * The tag rollup of the rows of `source` (a leaf) for `keyCount` keys ($1 … $n): first the rows
 * grouped by the dimensions and every key's value at once (one jsonb lookup per key and row, one hash
 * table of a few thousand groups), then each group counted once per key. A CROSS JOIN of rows × keys
 * grouped in one step costs twice as much (every row hashed once per key).
 */
function tagRollupSelect(source: string, keyCount: number): string {
  const keys = Array.from({ length: keyCount }, (_, i) => i + 1);
  return `SELECT ${DIMENSION_NAMES.split(', ').slice(0, 4).join(', ')}, k."tagKey", COALESCE(k."tagValue", '') AS "tagValue", ${DIMENSION_NAMES.split(', ').slice(4).join(', ')},
      sum(r."billedCost") AS "billedCost", sum(r."effectiveCost") AS "effectiveCost", sum(r."rowCount") AS "rowCount"
    FROM (SELECT ${DIMENSIONS}, ${keys.map((i) => `"tags" ->> $${i}::text AS t${i}`).join(', ')},
            sum("billedCost") AS "billedCost", sum("effectiveCost") AS "effectiveCost", count(*) AS "rowCount"
          FROM "${source}" GROUP BY ${Array.from({ length: 12 + keyCount }, (_, i) => i + 1).join(', ')}) r
    CROSS JOIN LATERAL (VALUES ${keys.map((i) => `($${i}::text, r.t${i})`).join(', ')}) AS k("tagKey", "tagValue")
    GROUP BY ${Array.from({ length: 14 }, (_, i) => i + 1).join(', ')}`;
}

const SAFE_NAME = /^[A-Za-z0-9_]+$/;

/** The statements of a leaf's rebuild (shared with scripts/bench/billing.ts, which times them). */
export const tagRollupSql = {
  /** $1 billing month, $2 scope key */
  deleteRows: `DELETE FROM "CostTagRollup" WHERE "billingMonth" = $1::date AND "scopeKey" = $2`,
  deleteKeys: `DELETE FROM "CostTagRollupKey" WHERE "billingMonth" = $1::date AND "scopeKey" = $2`,
  /** $3 the keys */
  insertKeys: `INSERT INTO "CostTagRollupKey" ("billingMonth", "scopeKey", "tagKey") SELECT $1::date, $2, k FROM unnest($3::text[]) k`,
  /** One scan of the leaf. Parameters: the keys, one each. */
  insertRows: (leaf: string, keyCount: number) => {
    if (!SAFE_NAME.test(leaf)) throw new Error(`unsafe identifier ${leaf}`);
    return `INSERT INTO "CostTagRollup" (${COLUMNS}) ${tagRollupSelect(leaf, keyCount)}`;
  },
  /**
   * The planner estimates the groups as the product of every column's distinct values (millions), so
   * it sorts — reading the leaf through an index and spilling a sort to disk: 1.3 s for 208k rows
   * where hashing the few thousand real groups takes 0.24 s. Hashing is forced for this statement
   * (transaction-local; the previous values are restored by `restorePlanner`).
   */
  hashOnly: `SELECT current_setting('enable_sort') AS sort, current_setting('enable_incremental_sort') AS incremental,
      set_config('enable_sort', 'off', true), set_config('enable_incremental_sort', 'off', true)`,
  restorePlanner: `SELECT set_config('enable_sort', $1, true), set_config('enable_incremental_sort', $2, true)`,
};

/** Drop a period's tag rollup (the swap does, so a replaced leaf's totals never outlive it; breakdowns read raw rows until the rebuild). */
export async function clearTagRollup(tx: Tx, billingMonth: string, scopeKey: string): Promise<void> {
  await tx.$executeRawUnsafe(tagRollupSql.deleteRows, billingMonth, scopeKey);
  await tx.$executeRawUnsafe(tagRollupSql.deleteKeys, billingMonth, scopeKey);
}

/**
 * Recompute the tag rollup of the leaf (billingMonth, scopeKey) — table `leaf` — for `tagKeys` from
 * its rows (call in the transaction that attached it; keys no longer listed are dropped).
 */
export async function rebuildTagRollup(tx: Tx, billingMonth: string, scopeKey: string, leaf: string, tagKeys: readonly string[]): Promise<void> {
  await clearTagRollup(tx, billingMonth, scopeKey);
  if (!tagKeys.length) return;
  await tx.$executeRawUnsafe(tagRollupSql.insertKeys, billingMonth, scopeKey, [...tagKeys]);
  const [planner] = await tx.$queryRawUnsafe<{ sort: string; incremental: string }[]>(tagRollupSql.hashOnly);
  await tx.$executeRawUnsafe(tagRollupSql.insertRows(leaf, tagKeys.length), ...tagKeys);
  await tx.$queryRawUnsafe(tagRollupSql.restorePlanner, planner!.sort, planner!.incremental);
}
